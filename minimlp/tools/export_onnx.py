"""A run's whole predictor as one ONNX graph: raw table columns in, probabilities and the label out.

One graph input per feature column, named as the column, of shape [N, 1] (as skl2onnx does for
mixed tables): the model's float type for a numeric column (NaN for a missing cell), string for a
text column ("" for a missing cell). Inside: the stored imputation, the one-hot of text columns
(``ai.onnx.ml`` LabelEncoder to the category's index, then a comparison with 0..K-1, so an unseen
category encodes as all zeros as in ``minimlp predict``), the standardisation in float64 (as
minimlp computes it), a cast to the model's dtype, the layers, the softmax and the label. Built
with the ``onnx`` package alone (``pip install 'minimlp[onnx]'``), imported only here.
"""
import json

import numpy as np

from .. import __version__
from ..errors import MinimlpError

OPSET = 17  # the default domain; ONNX IR version 8 carries opsets up to 17
ML_OPSET = 3  # ai.onnx.ml: LabelEncoder with string keys
IR_VERSION = 8  # explicit, so an onnxruntime from 2021 on loads the file
OUTPUTS = ("label", "probabilities")


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MinimlpError("exporting to ONNX needs the onnx package: pip install 'minimlp[onnx]'") from None
    return onnx


def network_layers(net):
    """[(W (in, out), b (out,), activation name or None)] of an MLP: the one place that reads its layers."""
    last = len(net.dense) - 1
    return [(layer.W, layer.b, None if i == last else net.activation) for i, layer in enumerate(net.dense)]


def to_onnx(predictor):
    """The ModelProto of a ``Predictor`` (a run's model.npz); checked with ``onnx.checker``."""
    onnx = _onnx()
    from onnx import helper

    g = _Graph(onnx, predictor.net.dtype)
    pre = predictor.preprocessing
    starts = np.cumsum([0, *pre.widths])[:-1]
    features = [_column(g, pre, j, starts[j]) for j in range(len(pre.columns))]
    features += [_was_missing(g, pre, j) for j in pre.indicators]  # the 0/1 inputs, after all others
    x = g.node("Concat", features, axis=1) if len(features) > 1 else features[0]  # (N, n_inputs) float64
    x = g.node("Cast", [x], to=g.elem)
    label, proba = _output_names(predictor.preprocessing.columns)
    members = getattr(predictor.net, "members", None)
    if members is None:
        g.node("Softmax", [_network(g, predictor.net, x)], axis=1, out=proba)
    else:  # an ensemble: (p_1 + ... + p_k) / k, as Ensemble.predict_proba
        probs = [g.node("Softmax", [_network(g, member, x)], axis=1) for member in members]
        g.node("Div", [g.node("Sum", probs), g.const(np.asarray(len(members), g.dtype))], out=proba)
    index = g.node("ArgMax", [proba], axis=1, keepdims=0)  # (N,): the first largest, as numpy's argmax
    classes, label_type = _classes(predictor.classes)
    g.node("Gather", [g.const(classes), index], axis=0, out=label)
    n = "N"
    outputs = [helper.make_tensor_value_info(label, label_type, [n]),
               helper.make_tensor_value_info(proba, g.elem, [n, len(predictor.classes)])]
    graph = helper.make_graph(g.nodes, "minimlp", g.inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                    helper.make_opsetid("ai.onnx.ml", ML_OPSET)],
                              producer_name="minimlp", producer_version=__version__, ir_version=IR_VERSION)
    pre = predictor.preprocessing
    helper.set_model_props(model, {
        "classes": json.dumps([c.item() for c in predictor.classes]),
        "columns": json.dumps(list(pre.columns)), "kinds": json.dumps(list(pre.kinds)),
        "outputs": json.dumps({"label": label, "probabilities": proba}), "dtype": g.dtype.name,
    })
    onnx.checker.check_model(model, full_check=True)
    return model


def export(predictor):
    """The serialized ONNX model (bytes) of ``predictor``."""
    return to_onnx(predictor).SerializeToString()


class _Graph:
    """Nodes, inputs and initializers as they are added; every inner name starts with 'minimlp/'."""

    def __init__(self, onnx, dtype):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.dtype = np.dtype(dtype)
        self.elem = helper.np_dtype_to_tensor_dtype(self.dtype)
        self.nodes, self.inputs, self.initializers, self._n = [], [], [], 0

    def _name(self):
        self._n += 1
        return f"minimlp/{self._n}"

    def const(self, array):
        name = self._name()
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, out=None, domain=None, **attributes):
        out = out or self._name()
        self.nodes.append(self.helper.make_node(op, inputs, [out], domain=domain, **attributes))
        return out

    def input(self, name, elem):
        """The graph input ``name`` (N, 1), declared once however often it is read."""
        if name not in {value.name for value in self.inputs}:
            self.inputs.append(self.helper.make_tensor_value_info(name, elem, ["N", 1]))
        return name


def _network(g, net, x):
    """The logits of one network on x: its input layers, then Gemm and activation per Dense layer."""
    if getattr(net, "scale", False):  # the learnable input scale: x ⊙ s, as the network computes it
        x = g.node("Mul", [x, g.const(np.asarray(net.layers[0].s[None], g.dtype))])
    if getattr(net, "embedding", "none") == "periodic":
        x = _periodic(g, net.layers[int(net.scale)].C, x)
    for W, b, activation in network_layers(net):
        x = g.node("Gemm", [x, g.const(np.asarray(W, g.dtype)), g.const(np.asarray(b, g.dtype))])
        if activation is not None:
            x = _activation(g, activation, x)
    return x


def _periodic(g, C, x):
    """[x, sin(2π C x), cos(2π C x)] per input, in the order ``numerics.embedding.Periodic`` computes it."""
    d, k = C.shape
    column = g.node("Reshape", [x, g.const(np.array([-1, d, 1], np.int64))])  # (N, d, 1)
    angle = g.node("Mul", [g.node("Mul", [column, g.const(np.asarray(C[None], g.dtype))]),
                           g.const(np.asarray(2 * np.pi, g.dtype))])  # (N, d, k)
    y = g.node("Concat", [column, g.node("Sin", [angle]), g.node("Cos", [angle])], axis=2)
    return g.node("Reshape", [y, g.const(np.array([-1, d * (1 + 2 * k)], np.int64))])


def _column(g, pre, j, start):
    """The network inputs of column j as float64, (N, 1) for a numeric column (imputed, scaled as the model
    stores it: standard, or robust with the smooth clip z / sqrt(1 + (z/3)²)), (N, K) for a text one."""
    from onnx import TensorProto

    name = pre.columns[j]
    if pre.kinds[j] == "numeric":
        x = g.node("Cast", [g.input(name, g.elem)], to=TensorProto.DOUBLE)
        if pre.impute:
            fill = g.const(np.array(float(pre.fill_numeric[j])))
            x = g.node("Where", [g.node("IsNaN", [x]), fill, x])
        scaler = pre.scaler
        if scaler is not None:
            x = g.node("Div", [g.node("Sub", [x, g.const(np.array([[scaler.mean[start]]]))]),
                               g.const(np.array([[scaler.scale[start]]]))])
            if getattr(scaler, "smooth_clip", False):
                third = g.node("Div", [x, g.const(np.array(3.0))])
                root = g.node("Sqrt", [g.node("Add", [g.const(np.array(1.0)), g.node("Mul", [third, third])])])
                x = g.node("Div", [x, root])
        if pre.bins(j):  # [x, clip((x - low_t) / width_t, 0, 1) for each bin t]: the piecewise-linear inputs
            edges = np.asarray(pre.edges[j], np.float64)
            scaled = g.node("Div", [g.node("Sub", [x, g.const(edges[None, :-1])]), g.const(np.diff(edges)[None])])
            bins = g.node("Clip", [scaled, g.const(np.array(0.0)), g.const(np.array(1.0))])
            x = g.node("Concat", [x, bins], axis=1)
        return x
    categories = [str(c) for c in pre.categories[j]]
    keys, values = list(categories), list(range(len(categories)))
    if pre.impute:  # a missing cell ("", or NA, null... as minimlp reads them): the training rows' most frequent category
        missing = _missing_spellings()
        keys += missing
        values += [categories.index(str(pre.fill_category[j]))] * len(missing)
    index = g.node("LabelEncoder", [g.input(name, TensorProto.STRING)], domain="ai.onnx.ml",
                   keys_strings=keys, values_int64s=values, default_int64=-1)  # (N, 1): -1 for unseen
    hot = g.node("Equal", [index, g.const(np.arange(len(categories), dtype=np.int64)[None])])  # (N, K)
    return g.node("Cast", [hot], to=TensorProto.DOUBLE)


def _was_missing(g, pre, j):
    """(N, 1) float64: 1 where column j's cell is missing (NaN; "" or a missing word for text), else 0."""
    from onnx import TensorProto

    name = pre.columns[j]
    if pre.kinds[j] == "numeric":
        return g.node("Cast", [g.node("IsNaN", [g.input(name, g.elem)])], to=TensorProto.DOUBLE)
    missing = _missing_spellings()
    flag = g.node("LabelEncoder", [g.input(name, TensorProto.STRING)], domain="ai.onnx.ml",
                  keys_strings=missing, values_int64s=[1] * len(missing), default_int64=0)
    return g.node("Cast", [flag], to=TensorProto.DOUBLE)


def _missing_spellings():
    """"" and the words minimlp reads as a missing text cell, in lower, upper and title case (it ignores case)."""
    from ..data.columns import MISSING_WORDS

    return ["", *sorted({spelling for word in MISSING_WORDS for spelling in (word, word.upper(), word.title())})]


def _activation(g, name, z):
    if name == "leaky_relu":  # max(z, slope·z), as numerics/layers.py computes it (ONNX LeakyRelu is float-only in some runtimes)
        from ..numerics.layers import LeakyReLU

        return g.node("Max", [z, g.node("Mul", [z, g.const(np.array(LeakyReLU.slope, g.dtype))])])
    ops = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "identity": "Identity"}
    if name not in ops:
        raise MinimlpError(f"the activation {name!r} has no ONNX export yet")
    return g.node(ops[name], [z])


def _classes(classes):
    """The class labels as an initializer array and the label output's element type."""
    from onnx import TensorProto

    classes = np.asarray(classes)
    if classes.dtype.kind in "iu":
        return classes.astype(np.int64), TensorProto.INT64
    if classes.dtype.kind == "f":
        return classes.astype(np.float64), TensorProto.DOUBLE
    return np.array([str(c) for c in classes], dtype=object), TensorProto.STRING


def _output_names(columns):
    """'label' and 'probabilities', unless a column has that name: then 'output_label', ... (inputs keep theirs)."""
    taken = set(columns)
    names = []
    for base in OUTPUTS:
        name = base
        while name in taken:
            name = f"output_{name}"
        names.append(name)
    return names
