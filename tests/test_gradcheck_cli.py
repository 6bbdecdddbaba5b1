"""`minimlp gradcheck`: passes on every activation, fails (exit 1) on a wrong derivative."""
import re

import pytest
from click.testing import CliRunner

from minimlp.numerics import layers, losses
from minimlp.cli import main

# the layers named below take the 13 columns (piecewise-linear inputs have no parameters of their own)
SMALL = ["--set", "data.dataset=wine", "--set", "model.hidden=[12,7]", "--set", "data.piecewise_bins=0"]


def gradcheck(*args):
    return CliRunner().invoke(main, ["gradcheck", *SMALL, *args], catch_exceptions=False)


def errors(output):
    return [float(e) for e in re.findall(r"(\d\.\d\de[-+]\d\d)", output)]


@pytest.mark.parametrize("activation", sorted(layers.ACTIVATIONS))
def test_every_activation_passes(activation):
    result = gradcheck("--set", f"model.activation={activation}")
    assert result.exit_code == 0, result.output
    assert "step 1e-06" in result.output and "batch 8 rows" in result.output
    for name in ("dC/dz: fused vs numeric", "dC/dz: fused vs chain rule", "W 13x12", "b 12", "W 12x7", "W 7x3", "b 3"):
        assert name in result.output
    assert len(errors(result.output)) == 8 and max(errors(result.output)) < 1e-6


def test_large_arrays_are_sampled_and_the_sample_size_printed():
    result = gradcheck("--set", "model.hidden=[40]", "--sample", "30")
    assert result.exit_code == 0 and "30 of 520" in result.output and "30 of 40" in result.output


def test_a_wrong_activation_derivative_fails(monkeypatch):
    def wrong(self, grad):  # forgets the square: d tanh/dz = 1 - y², not 1 - y
        grad *= 1 - self._y
        return grad

    monkeypatch.setattr(layers.Tanh, "backward", wrong)
    result = gradcheck("--set", "model.activation=tanh")
    assert result.exit_code == 1
    assert "above tolerance" in result.output and "FAILED" in result.output
    flagged = [line for line in result.output.splitlines() if "above tolerance" in line]
    assert any(line.startswith("dense 1") for line in flagged)  # the layer below the wrong derivative
    assert not any(line.startswith("output") for line in flagged)  # the output layer is still right


def test_a_wrong_fused_gradient_fails(monkeypatch):
    original = losses.SoftmaxCrossEntropy.backward

    def without_mean(self):
        grad = original(self)
        return grad * len(grad)  # forgets the 1/n of the batch mean

    monkeypatch.setattr(losses.SoftmaxCrossEntropy, "backward", without_mean)
    result = gradcheck()
    assert result.exit_code == 1 and "dC/dz: fused vs numeric" in result.output


def test_tolerance_option():
    result = gradcheck("--tol", "1e-14")
    assert result.exit_code == 1 and "FAILED: largest relative error" in result.output
