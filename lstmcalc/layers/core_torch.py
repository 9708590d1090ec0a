"""torch.nn core modules: Linear, Embedding, Dropout, Flatten, Identity and the
activations ReLU, Tanh, Sigmoid, Softmax, GELU, LeakyReLU, ELU and PReLU.
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError, SpecError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, mult, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import (
    Elementwise,
    TorchModule,
    check_width,
    elementwise,
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


class LogSoftmax(Softmax):
    """nn.LogSoftmax(dim) / F.log_softmax: log(softmax(x)) along `dim` (lstmcalc runs it on the last axis),
    the log-probabilities a tagger's NLLLoss reads."""

    name, auto_name, torch_name = "LogSoftmax", "log_softmax", "nn.LogSoftmax"

    def keras_equivalent(self, a, s, out):
        return ("Activation('log_softmax')", 0, "no weights")

    def to_keras(self, a, s):
        return Equivalent(({"type": "Activation", "activation": "log_softmax", "$name": ""},))

    def forward(self, a, w, x, mask=None):
        def log_softmax(v):
            top = max(v)
            log_total = top + math.log(sum(math.exp(u - top) for u in v))
            return [u - log_total for u in v]

        return map_last(x, log_softmax)


# -- issue 13: more activations, PReLU, Identity ------------------------------------------


def gelu(approximate: str):
    """torch's GELU: x · Φ(x), or its tanh approximation."""
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        return lambda v: 0.5 * v * (1 + math.tanh(k * (v + 0.044715 * v ** 3)))
    return lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2)))


class GELU(TorchModule):
    """nn.GELU: x · Φ(x), Φ the standard normal CDF (approximate='tanh': its tanh approximation)."""

    name, auto_name, torch_name = "GELU", "gelu", "nn.GELU"
    factory = False
    args = (Arg("approximate", "choice", "none", "none: the exact erf form; tanh: the approximation",
                choices=("none", "tanh")),)

    def notes(self, a, s, out):
        form = ("0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the tanh approximation" if a.approximate == "tanh"
                else "x·Φ(x) = 0.5·x·(1 + erf(x/√2))")
        return [f"y = {form}: each value is weighed by the probability that a standard normal variable is below "
                "it, a smooth ReLU (slightly negative just below 0). Keras's activation gelu is the exact form."]

    def keras_equivalent(self, a, s, out):
        return ("Activation('gelu')", 0, "no weights")

    def to_keras(self, a, s):
        if a.approximate == "tanh":
            raise NoEquivalent("Keras's activation name gelu is the exact form; the tanh approximation needs "
                               "keras.activations.gelu(x, approximate=True)", "nearest: approximate: none")
        return Equivalent(({"type": "Activation", "activation": "gelu", "$name": ""},))

    def forward(self, a, w, x, mask=None):
        return elementwise(x, gelu(a.approximate))


class LeakyReLU(TorchModule):
    """nn.LeakyReLU: x for x ≥ 0, negative_slope · x below (torch's default slope 0.01, Keras's 0.3)."""

    name, auto_name, torch_name = "LeakyReLU", "leaky_re_lu", "nn.LeakyReLU"
    code_positional = ("negative_slope",)
    factory = False
    args = (Arg("negative_slope", "float", 0.01, "slope for x < 0"),
            Arg("inplace", "bool", False, "overwrite the input (memory only)"))

    def keras_equivalent(self, a, s, out):
        return ("LeakyReLU", 0, "no weights; write negative_slope, Keras's default is 0.3")

    def to_keras(self, a, s):
        return Equivalent(({"type": "LeakyReLU", "negative_slope": a.negative_slope, "$name": ""},))

    def forward(self, a, w, x, mask=None):
        k = a.negative_slope
        return elementwise(x, lambda v: v if v >= 0 else k * v)


class ELU(TorchModule):
    """nn.ELU: x for x > 0, alpha · (eˣ − 1) below."""

    name, auto_name, torch_name = "ELU", "elu", "nn.ELU"
    code_positional = ("alpha",)
    factory = False
    args = (Arg("alpha", "float", 1.0, "scale of the negative part"),
            Arg("inplace", "bool", False, "overwrite the input (memory only)"))

    def keras_equivalent(self, a, s, out):
        return ("ELU", 0, "no weights")

    def to_keras(self, a, s):
        return Equivalent(({"type": "ELU", "alpha": a.alpha, "$name": ""},))

    def forward(self, a, w, x, mask=None):
        k = a.alpha
        return elementwise(x, lambda v: v if v > 0 else k * math.expm1(v))


class PReLU(TorchModule):
    """nn.PReLU: x for x ≥ 0, weight · x below, with weight learned: one value
    shared by every channel, or one per channel (axis 1, channels first)."""

    name, auto_name, torch_name = "PReLU", "p_re_lu", "nn.PReLU"
    code_positional = ("num_parameters",)
    args = (Arg("num_parameters", "int", 1, "1, or the number of channels (the size of axis 1)", minimum=1,
                structural=True),
            Arg("init", "float", 0.25, "initial value of weight"))

    def output_shape(self, a, s):
        n = a.num_parameters
        if n > 1 and (len(s) < 2 or s[1] != n):
            got = "no channel axis" if len(s) < 2 else f"{s[1]} channels (axis 1 of {fmt_shape(s)})"
            raise ShapeError(f"num_parameters is {n} but the input has {got}",
                             "use num_parameters: 1 (one shared slope) or the size of axis 1")
        return s

    def shape_rule(self, a, s, out):
        return f"PReLU acts on each value on its own: {fmt_shape(out)}."

    def weights(self, a, s):
        return [WeightSpec("weight", (a.num_parameters,), doc="slope for x < 0, learned")]

    def formula(self, a, s):
        return Formula("num_parameters (1, or one per channel)", str(a.num_parameters), a.num_parameters)

    def notes(self, a, s, out):
        one = ("one slope shared by every value" if a.num_parameters == 1 else
               f"one slope per channel of axis 1 ({a.num_parameters})")
        return [f"y = x for x ≥ 0 and weight × x below: {one}, starting at {a.init:g}. Keras's PReLU keeps one "
                "per value unless shared_axes says otherwise, and starts at 0."]

    def keras_equivalent(self, a, s, out):
        return ("PReLU", a.num_parameters, "alpha shared along every axis but the channels")

    def to_keras(self, a, s):
        shared = list(range(1 if a.num_parameters == 1 else 2, len(s)))
        step = {"type": "PReLU", "$name": "", "$from": ""}
        if shared:
            step["shared_axes"] = shared
        return Equivalent((step,))

    def forward(self, a, w, x, mask=None):
        weight = w["weight"]
        if a.num_parameters == 1:
            k = weight[0]
            return elementwise(x, lambda v: v if v >= 0 else k * v)
        return [[elementwise(c, lambda v, k=k: v if v >= 0 else k * v) for c, k in zip(sample, weight)]
                for sample in x]


class Identity(TorchModule):
    """nn.Identity: returns its input; its constructor ignores every argument."""

    name, auto_name, torch_name = "Identity", "identity", "nn.Identity"
    factory = False

    def keras_equivalent(self, a, s, out):
        return ("Identity", 0, "no weights")

    def to_keras(self, a, s):
        return Equivalent(({"type": "Identity", "$name": ""},))
