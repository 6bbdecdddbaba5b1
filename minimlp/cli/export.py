"""`minimlp export`: a run's model as one ONNX file."""
from pathlib import Path

import click

from .group import EXISTING_DIR, main
from .output import check_output, force_option, output_option, write_output, wrote


@main.command()
@click.argument("run_dir", type=EXISTING_DIR)
@output_option(required=True, help="The ONNX file to write.")
@force_option
def export(run_dir, output, force):
    """Export the model of RUN_DIR, its preprocessing included, as one ONNX graph.

    One input per feature column, named as the column, shape [N, 1]: float
    (the model's dtype; NaN for a missing cell) for a numeric column, string
    ("" for a missing cell) for a text one. Outputs: 'label' and
    'probabilities' (softmax). The class names and the columns are in the
    model's metadata. Needs the onnx package: pip install 'minimlp[onnx]'.

    \b
    Example:
      minimlp export runs/iris -o iris.onnx
    """
    from ..errors import MinimlpError
    from ..runs.predictor import Predictor
    from ..tools.export_onnx import export as to_bytes

    model = Path(run_dir) / "model.npz"
    if not model.is_file():
        raise MinimlpError(f"{run_dir}: no model.npz in this folder; is it a minimlp run folder?")
    check_output(output, force, inputs=[model])
    data = to_bytes(Predictor.load(model))
    write_output(output, data, force)
    wrote(output, f"{output} ({len(data):,} bytes)")
