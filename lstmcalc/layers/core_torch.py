"""torch.nn core modules: Linear, Embedding, Dropout, Flatten and the
elementwise activations ReLU, Tanh, Sigmoid.
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError, SpecError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, mult, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import (
    Elementwise,
    TorchModule,
    check_width,
    map_last,
    width_arg,
)
from lstmcalc.render.terminal import brief
from lstmcalc.run.tensor import activation, add, flatten, matvec, reshape, shape_of
from lstmcalc.shapes import fmt_shape

# -- dense, embedding, convolution --------------------------------------------------


class Linear(TorchModule):
    """nn.Linear: y = x Wᵀ + b on the last axis, with weight (out_features,
    in_features): Keras's Dense kernel transposed."""

    name, auto_name, torch_name = "Linear", "linear", "nn.Linear"
    code_positional, width = ("in_features", "out_features"), ("in_features", -1)
    min_rank = 1
    args = (
        width_arg("in_features", "size of the last input axis"),
        Arg("out_features", "int", doc="size of the last output axis", minimum=1, structural=True),
        Arg("bias", "bool", True, "whether the module has a bias vector", structural=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        check_width(a, "in_features", need_known(s, -1, "last axis (the one Linear acts on)", self.name),
                    self.name)
        return s[:-1] + (a.out_features,)

    def shape_rule(self, a, s, out):
        return (f"Linear maps the last axis {s[-1]} → {a.out_features} and keeps the others: "
                f"{fmt_shape(out)}.")

    def weights(self, a, s):
        ws = [WeightSpec("weight", (a.out_features, s[-1]), doc="(out_features, in_features): Dense's kernelᵀ")]
        if a.bias:
            ws.append(WeightSpec("bias", (a.out_features,), doc="one per output"))
        return ws

    def formula(self, a, s):
        i, o = s[-1], a.out_features
        if a.bias:
            return Formula("out_features × in_features + out_features", f"{o} × {i} + {o}", o * i + o)
        return Formula("out_features × in_features", f"{o} × {i}", o * i)

    def macs(self, a, s, out):
        positions = mult(*s[1:-1])
        return None if positions is None else positions * s[-1] * a.out_features

    def notes(self, a, s, out):
        return ["To Keras: Dense(units=out_features) with kernel = weightᵀ (in, out) and the same bias."]

    def keras_equivalent(self, a, s, out):
        return ("Dense", self.formula(a, s).value, "same count (kernel = weightᵀ)")

    def to_keras(self, a, s):
        dense = {"type": "Dense", "units": a.out_features, "$name": "", "$from": ""}
        if not a.bias:
            dense["use_bias"] = False
        return Equivalent((dense,))

    def forward(self, a, w, x, mask=None):
        rows, bias = w["weight"], (w["bias"] if a.bias else None)

        def unit(v):
            y = matvec(rows, v)
            return add(y, bias) if bias is not None else y

        return map_last(x, unit)


class Embedding(TorchModule):
    """nn.Embedding: each integer id in [0, num_embeddings) selects one row
    of weight (num_embeddings, embedding_dim). padding_idx only zeroes its
    row at initialisation and blocks its gradient; max_norm renormalises the
    looked-up rows whose norm exceeds it."""

    name, auto_name, torch_name = "Embedding", "embedding", "nn.Embedding"
    code_positional = ("num_embeddings", "embedding_dim")
    min_rank = 1
    args = (
        Arg("num_embeddings", "int", doc="vocabulary size: ids run from 0 to num_embeddings - 1", minimum=1,
            structural=True),
        Arg("embedding_dim", "int", doc="length of each embedding vector", minimum=1, structural=True),
        Arg("padding_idx", "int", None, "id whose row starts at zero and gets no gradient", nullable=True),
        Arg("max_norm", "float", None, "renormalise looked-up rows to at most this norm", nullable=True),
        Arg("norm_type", "float", 2.0, "p of the p-norm for max_norm"),
        Arg("scale_grad_by_freq", "bool", False, "scale gradients by inverse id frequency (training only)"),
        Arg("sparse", "bool", False, "sparse gradients (training only)"),
        Arg("_weight", "object", None, "initial weight tensor (not supported here: leave null)"),
        Arg("_freeze", "bool", False, "weight does not require grad (as from_pretrained(freeze=True))",
            structural=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        n, p = a.num_embeddings, a.padding_idx
        if p is not None and not -n <= p < n:
            raise ShapeError(f"padding_idx {p} is not within num_embeddings ({n})",
                             f"use an id from {-n} to {n - 1}")
        if a._weight is not None:
            raise ShapeError("_weight is not supported", "remove it; give weights to `run` instead")
        return s + (a.embedding_dim,)

    def shape_rule(self, a, s, out):
        return f"every id of {fmt_shape(s)} becomes a vector of {a.embedding_dim}: {fmt_shape(out)}."

    def weights(self, a, s):
        return [WeightSpec("weight", (a.num_embeddings, a.embedding_dim), trainable=not a._freeze,
                           doc="one row per id")]

    def formula(self, a, s):
        n, d = a.num_embeddings, a.embedding_dim
        return Formula("num_embeddings × embedding_dim", f"{n} × {d}", n * d)

    def notes(self, a, s, out):
        return ["To Keras: Embedding(input_dim=num_embeddings, output_dim=embedding_dim), embeddings = weight. "
                "padding_idx is not Keras's mask_zero: torch does not mask later steps."]

    def keras_equivalent(self, a, s, out):
        return ("Embedding", self.formula(a, s).value, "same table")

    def to_keras(self, a, s):
        if a.max_norm is not None:
            raise NoEquivalent("max_norm renormalises rows as they are read; Keras's Embedding has no such "
                               "argument", "nearest: max_norm: null (a different model)")
        note = ("" if a.padding_idx is None else f"padding_idx {a.padding_idx}: the row starts at zero and gets no "
                "gradient in torch; Keras has no such argument (the forward pass is the same)")
        return Equivalent(({"type": "Embedding", "input_dim": a.num_embeddings, "output_dim": a.embedding_dim,
                            "$name": "", "$from": ""},), note=note)

    def forward(self, a, w, x, mask=None):
        table = w["weight"]

        def look(v):
            if isinstance(v, list):
                return [look(t) for t in v]
            if isinstance(v, bool) or not isinstance(v, int):
                raise SpecError(f"Embedding takes integer ids (torch.long), got {brief(v)}",
                                hint="feed token ids as integers")
            if not 0 <= v < a.num_embeddings:
                raise SpecError(f"id {v} is out of range [0, {a.num_embeddings})", hint="index out of range")
            return self.renorm(a, table[v])

        return look(x)

    @staticmethod
    def renorm(a, row):
        if a.max_norm is None:
            return list(row)
        norm = sum(abs(v) ** a.norm_type for v in row) ** (1.0 / a.norm_type)
        if norm <= a.max_norm:
            return list(row)
        scale = a.max_norm / (norm + 1e-7)
        return [v * scale for v in row]


# -- shape-only modules ---------------------------------------------------------------


class Dropout(TorchModule):
    """nn.Dropout: zeroes a fraction p of the values while training (scaling
    the rest by 1/(1 − p)); the identity at inference. No weights."""

    name, auto_name, torch_name = "Dropout", "dropout", "nn.Dropout"
    code_positional = ("p",)
    factory = False
    args = (Arg("p", "float", 0.5, "probability of an element being zeroed", minimum=0, maximum=1),
            Arg("inplace", "bool", False, "overwrite the input (memory only)"))

    def keras_equivalent(self, a, s, out):
        return ("Dropout", 0, "no weights")

    def to_keras(self, a, s):
        return Equivalent(({"type": "Dropout", "rate": a.p, "$name": ""},))


class Flatten(TorchModule):
    """nn.Flatten: merges the axes start_dim..end_dim (batch axis included in
    the numbering; default 1..-1, everything but the batch)."""

    name, auto_name, torch_name = "Flatten", "flatten", "nn.Flatten"
    factory = False
    args = (Arg("start_dim", "int", 1, "first axis merged", structural=True),
            Arg("end_dim", "int", -1, "last axis merged", structural=True))

    def dims(self, a, rank: int) -> tuple[int, int]:
        for d in (a.start_dim, a.end_dim):
            if not -rank <= d < rank:
                raise ShapeError(f"dimension {d} is out of range for a {rank}-D input",
                                 f"use a dimension from {-rank} to {rank - 1}")
        start, end = a.start_dim % rank, a.end_dim % rank
        if start > end:
            raise ShapeError(f"start_dim ({a.start_dim}) cannot come after end_dim ({a.end_dim})")
        return start, end

    def output_shape(self, a, s):
        start, end = self.dims(a, len(s))
        return s[:start] + (mult(*s[start:end + 1]),) + s[end + 1:]

    def shape_rule(self, a, s, out):
        start, end = self.dims(a, len(s))
        return f"axes {start}..{end} of {fmt_shape(s)} merge into one: {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("Flatten" if (a.start_dim, a.end_dim) == (1, -1) else "Reshape", 0, "no weights")

    def to_keras(self, a, s):
        if self.dims(a, len(s)) != (1, len(s) - 1):
            raise NoEquivalent(f"Flatten({a.start_dim}, {a.end_dim}) keeps some axes: Keras's Flatten merges "
                               "every axis but the batch", "nearest: a Keras Reshape, by hand")
        return Equivalent(({"type": "Flatten", "$name": ""},))

    def forward(self, a, w, x, mask=None):
        shape = shape_of(x)
        return reshape(flatten(x), self.output_shape(a, shape))


class ReLU(Elementwise):
    """nn.ReLU: max(0, x), elementwise."""

    name, auto_name, torch_name, function = "ReLU", "re_lu", "nn.ReLU", "relu"  # the snake case Keras uses
    args = (Arg("inplace", "bool", False, "overwrite the input (memory only)"),)

    def keras_equivalent(self, a, s, out):
        return ("Activation('relu')", 0, "no weights")


class Tanh(Elementwise):
    """nn.Tanh: tanh(x), elementwise."""

    name, auto_name, torch_name, function = "Tanh", "tanh", "nn.Tanh", "tanh"

    def keras_equivalent(self, a, s, out):
        return ("Activation('tanh')", 0, "no weights")


class Sigmoid(Elementwise):
    """nn.Sigmoid: 1 / (1 + e^(−x)), elementwise."""

    name, auto_name, torch_name, function = "Sigmoid", "sigmoid", "nn.Sigmoid", "sigmoid"

    def keras_equivalent(self, a, s, out):
        return ("Activation('sigmoid')", 0, "no weights")


class Softmax(TorchModule):
    """nn.Softmax(dim): exp(x) / Σ exp(x) along `dim` (lstmcalc runs it on the last axis)."""

    name, auto_name, torch_name = "Softmax", "softmax", "nn.Softmax"
    factory = False
    args = (Arg("dim", "int", doc="the axis the values sum to 1 along (batch axis included)", structural=True),)

    def output_shape(self, a, s):
        if a.dim not in (-1, len(s) - 1):
            raise ShapeError(f"lstmcalc runs Softmax on the last axis only, not dim {a.dim} of {fmt_shape(s)}",
                             "use dim: -1")
        return s

    def keras_equivalent(self, a, s, out):
        return ("Activation('softmax')", 0, "no weights")

    def to_keras(self, a, s):
        return Equivalent(({"type": "Activation", "activation": "softmax", "$name": ""},))

    def forward(self, a, w, x, mask=None):
        return map_last(x, activation("softmax"))
