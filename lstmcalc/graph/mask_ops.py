"""The operations Keras records when a functional model carries a mask.

In a functional model, `Embedding(mask_zero=True)` computes its mask with
`ops.not_equal(inputs, 0)` and `Masking` with
`ops.any(ops.not_equal(inputs, mask_value), axis=-1)`; each such op becomes a
node of the graph, so Keras's summary shows it as a zero-parameter row
(`not_equal (NotEqual)`, `any (Any)`) and connects the layer that takes the
mask to it (`keras/src/layers/layer.py`: the input's mask is passed as the
`mask=` argument of a layer whose `call` has one). A layer type describes its
mask with these ops in `symbolic_mask` (the mirror of Keras's
`compute_mask`); this module records them as nodes. A chain (a Sequential
model) shows none, as Keras's Sequential summary shows none.
"""

from __future__ import annotations

from lstmcalc.graph.refs import TensorRef
from lstmcalc.layers.base import LayerType

OP_NAMES = {"NotEqual": "not_equal", "Any": "any", "LogicalOr": "logical_or", "ExpandDims": "expand_dims",
            "ZerosLike": "zeros_like", "OnesLike": "ones_like", "Concatenate": "concatenate",
            "ConvertToTensor": "convert_to_tensor"}


class Operation(LayerType):
    """A Keras op recorded in a functional graph (`keras.ops.*`): no weights, one output."""

    is_op = True

    def __init__(self, name: str):
        self.name = name
        self.auto_name = OP_NAMES[name]


class MaskOps:
    """The `keras.ops` functions that masks are computed with, recording one node per call.

    `record(op, inputs, shape)` is supplied by the graph builder; it names the
    node as Keras names ops (`not_equal`, `not_equal_1`, ...) and returns the
    output tensor. Shapes include the batch axis.
    """

    def __init__(self, record, shape_of):
        self.record = record
        self.shape_of = shape_of

    def not_equal(self, x: TensorRef) -> TensorRef:
        return self.record("NotEqual", [x], self.shape_of(x))

    def convert_to_tensor(self, x: TensorRef) -> TensorRef:
        return self.record("ConvertToTensor", [x], self.shape_of(x))

    def any(self, x: TensorRef, axis: int = -1) -> TensorRef:
        s = list(self.shape_of(x))
        del s[axis]
        return self.record("Any", [x], tuple(s))

    def logical_or(self, x: TensorRef, y: TensorRef) -> TensorRef:
        a, b = self.shape_of(x), self.shape_of(y)
        if len(a) < len(b):
            a, b = b, a
        b = (1,) * (len(a) - len(b)) + tuple(b)
        return self.record("LogicalOr", [x, y], tuple(q if p == 1 else p for p, q in zip(a, b)))

    def expand_dims(self, x: TensorRef, axis: int = -1) -> TensorRef:
        s = list(self.shape_of(x))
        s.insert(len(s) + 1 + axis if axis < 0 else axis, 1)
        return self.record("ExpandDims", [x], tuple(s))

    def zeros_like(self, x: TensorRef) -> TensorRef:
        return self.record("ZerosLike", [x], self.shape_of(x))

    def ones_like(self, x: TensorRef) -> TensorRef:
        return self.record("OnesLike", [x], self.shape_of(x))

    def concatenate(self, xs: list[TensorRef], axis: int = -1) -> TensorRef:
        shapes = [self.shape_of(x) for x in xs]
        out = list(shapes[0])
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        return self.record("Concatenate", list(xs), tuple(out))
