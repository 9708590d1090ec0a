"""torch.nn LayerNorm and BatchNorm1d, with torch's names and buffers.
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import (
    TorchModule,
    check_width,
    map_depth,
    width_arg,
)
from lstmcalc.run.tensor import add, flatten, hadamard, reshape, rsqrt, shape_of
from lstmcalc.shapes import fmt_shape

# -- normalisation --------------------------------------------------------------------


class LayerNorm(TorchModule):
    """nn.LayerNorm: normalises each sample over its last len(normalized_shape)
    axes jointly (biased variance), then scales by weight and shifts by bias,
    both of shape normalized_shape."""

    name, auto_name, torch_name = "LayerNorm", "layer_norm", "nn.LayerNorm"
    code_positional = ("normalized_shape",)
    args = (
        Arg("normalized_shape", "axis", doc="the trailing axes normalised together: an int or a list",
            structural=True),
        Arg("eps", "float", 1e-5, "added to the variance"),
        Arg("elementwise_affine", "bool", True, "learn weight (and bias)", structural=True),
        Arg("bias", "bool", True, "learn bias (with elementwise_affine)", structural=True),
    )

    @staticmethod
    def normalized(a) -> tuple[int, ...]:
        ns = a.normalized_shape
        return ns if isinstance(ns, tuple) else (ns,)

    def output_shape(self, a, s):
        ns = self.normalized(a)
        if len(s) <= len(ns) or tuple(s[-len(ns):]) != ns:
            raise ShapeError(f"normalized_shape {list(ns)} must match the last axes of the input "
                             f"{fmt_shape(s)}", f"write normalized_shape: {list(s[-len(ns):])}")
        return s

    def shape_rule(self, a, s, out):
        return f"LayerNorm keeps the shape; it normalises over the last axes {list(self.normalized(a))}."

    def weights(self, a, s):
        ns = self.normalized(a)
        ws = []
        if a.elementwise_affine:
            ws.append(WeightSpec("weight", ns, doc="scale (Keras's gamma)"))
            if a.bias:
                ws.append(WeightSpec("bias", ns, doc="offset (Keras's beta)"))
        return ws

    def formula(self, a, s):
        n, k = math.prod(self.normalized(a)), len(self.weights(a, s))
        parts = " + ".join(w.name for w in self.weights(a, s)) or "none"
        return Formula(f"{k} × prod(normalized_shape)   ({parts})", f"{k} × {n}", k * n)

    def notes(self, a, s, out):
        k = len(self.normalized(a))
        axis = -1 if k == 1 else list(range(-k, 0))
        return [f"To Keras: LayerNormalization(axis={axis}, epsilon={a.eps:g}) with gamma = weight, "
                "beta = bias (Keras's default epsilon is 1e-3)."]

    def to_keras(self, a, s):
        shape = a.normalized_shape if isinstance(a.normalized_shape, tuple) else (a.normalized_shape,)
        if len(shape) != 1:
            raise NoEquivalent("normalized_shape over several axes: Keras's gamma would have another shape",
                               "nearest: normalise the last axis only")
        ln = {"type": "LayerNormalization", "epsilon": a.eps, "$name": "", "$from": ""}
        if not a.elementwise_affine:
            ln.update(center=False, scale=False)
        elif not a.bias:
            ln["center"] = False
        return Equivalent((ln,))

    def keras_equivalent(self, a, s, out):
        return ("LayerNormalization", self.formula(a, s).value, "same count (gamma, beta)")

    def forward(self, a, w, x, mask=None):
        k = len(self.normalized(a))
        rank = len(shape_of(x))
        gamma = flatten(w["weight"]) if a.elementwise_affine else None
        beta = flatten(w["bias"]) if a.elementwise_affine and a.bias else None

        def normalise(block):
            v = flatten(block)
            mean = sum(v) / len(v)
            inv = rsqrt(sum((e - mean) * (e - mean) for e in v) / len(v) + a.eps)
            y = [(e - mean) * inv for e in v]
            if gamma is not None:
                y = hadamard(y, gamma)
            if beta is not None:
                y = add(y, beta)
            return reshape(y, shape_of(block)) if k > 1 else y

        return map_depth(x, normalise, rank - k)


class BatchNorm1d(TorchModule):
    """nn.BatchNorm1d: normalises each channel (axis 1 of (N, C) or (N, C, L))
    with its running mean and variance at inference: y = (x − μ)/√(σ² + ε)·w + b."""

    name, auto_name, torch_name = "BatchNorm1d", "batch_norm1d", "nn.BatchNorm1d"
    code_positional, width = ("num_features",), ("num_features", 1)
    ignored_tensors = ("num_batches_tracked",)  # in every state_dict; only training reads it
    min_rank, max_rank = 2, 3
    rank_hint = " ((N, C) or (N, C, L))"
    args = (
        width_arg("num_features", "channels (axis 1)"),
        Arg("eps", "float", 1e-5, "added to the variance"),
        Arg("momentum", "float", 0.1, "weight of the new batch in the running statistics (null: average)",
            nullable=True),
        Arg("affine", "bool", True, "learn weight and bias", structural=True),
        Arg("track_running_stats", "bool", True, "keep running_mean and running_var buffers", structural=True),
    )

    def channels(self, a, s) -> int:
        self.check_rank(s)
        return check_width(a, "num_features", need_known(s, 1, "channel axis (axis 1)", self.name), self.name)

    def output_shape(self, a, s):
        self.channels(a, s)
        return s

    def shape_rule(self, a, s, out):
        return f"BatchNorm1d keeps the shape; channel axis 1 (size {s[1]}) gets its own statistics."

    def weights(self, a, s):
        c = (self.channels(a, s),)
        if not a.affine:
            return []
        return [WeightSpec("weight", c, doc="scale per channel (Keras's gamma)"),
                WeightSpec("bias", c, doc="offset per channel (Keras's beta)")]

    def buffers(self, a, s):
        c = (self.channels(a, s),)
        if not a.track_running_stats:
            return []
        return [WeightSpec("running_mean", c, trainable=False, doc="running mean (a buffer, not a parameter)"),
                WeightSpec("running_var", c, trainable=False, doc="running variance (a buffer)")]

    def formula(self, a, s):
        c = self.channels(a, s)
        if not a.affine:
            return Formula("0   (affine: false; running statistics are buffers)", "0", 0)
        return Formula("2 × num_features   (weight + bias; running statistics are buffers)", f"2 × {c}", 2 * c)

    def notes(self, a, s, out):
        c = self.channels(a, s)
        lines = []
        if a.track_running_stats:
            lines.append(f"running_mean and running_var ({c} each) and num_batches_tracked are buffers: in the "
                         "state_dict but not in parameters(), so torch (and this count) leaves them out. `run` "
                         "takes weight, bias, running_mean and running_var, and accepts and ignores "
                         "num_batches_tracked (only training reads it).")
        else:
            lines.append("track_running_stats: false: no running statistics; even at inference it normalises "
                         "with the batch's own mean and (biased) variance over N and L.")
        lines += [
            "Training needs more than one value per channel (N × L > 1); inference does not.",
            f"To Keras: BatchNormalization(axis=1, epsilon={a.eps:g}, momentum={1 - (a.momentum or 0.1):g}) "
            "(Keras's momentum is 1 − torch's) with gamma = weight, beta = bias, moving_mean = running_mean, "
            "moving_variance = running_var; Keras counts the moving statistics as non-trainable parameters.",
        ]
        return lines

    def to_keras(self, a, s):
        if not a.track_running_stats or a.momentum is None:
            raise NoEquivalent("track_running_stats: false or momentum: null (a cumulative average) has no "
                               "BatchNormalization argument", "nearest: track_running_stats: true, momentum 0.1")
        bn = {"type": "BatchNormalization", "axis": 1, "epsilon": a.eps, "momentum": round(1 - a.momentum, 12),
              "$name": "", "$from": ""}
        if not a.affine:
            bn.update(center=False, scale=False)
        return Equivalent((bn,))

    def keras_equivalent(self, a, s, out):
        c = self.channels(a, s)
        keras = (2 * c if a.affine else 0) + 2 * c
        return ("BatchNormalization(axis=1)", keras,
                "Keras counts moving_mean/moving_variance as non-trainable params; torch keeps them as buffers")

    def forward(self, a, w, x, mask=None):
        gamma = w["weight"] if a.affine else None
        beta = w["bias"] if a.affine else None
        rank = len(shape_of(x))
        if a.track_running_stats:
            mean, var = w["running_mean"], w["running_var"]
        else:
            per_channel = [[v for sample in x for v in flatten(sample[c])] for c in range(len(x[0]))]
            mean = [sum(v) / len(v) for v in per_channel]
            var = [sum((e - m) * (e - m) for e in v) / len(v) for v, m in zip(per_channel, mean)]
        inv = [rsqrt(v + a.eps) * (gamma[c] if gamma else 1.0) for c, v in enumerate(var)]
        shift = [(beta[c] if beta else 0.0) - m * inv[c] for c, m in enumerate(mean)]

        def channel(c, v):
            return v * inv[c] + shift[c]

        if rank == 2:
            return [[channel(c, v) for c, v in enumerate(sample)] for sample in x]
        return [[[channel(c, v) for v in row] for c, row in enumerate(sample)] for sample in x]
