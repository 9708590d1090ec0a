"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
RMSNormalization and UnitNormalization."""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.run.tensor import flatten, permute, reshape, rsqrt, shape_of
from lstmcalc.shapes import fmt_shape

_COMMON = (
    Arg("center", "bool", True, "learn an offset beta", structural=True),
    Arg("scale", "bool", True, "learn a scale gamma", structural=True),
    *weight_args(beta="zeros", gamma="ones"),
)


def norm_axes(axes, rank: int, layer: str) -> tuple[int, ...]:
    """Turn axis / list of axes (negative allowed) into sorted non-negative axes."""
    out = []
    for ax in (axes if isinstance(axes, tuple) else (axes,)):
        if not -rank <= ax < rank:
            raise ShapeError(f"axis {ax} is out of range for a {rank}-D input",
                             f"use an axis from {-rank + 1} to {rank - 1}")
        out.append(ax % rank)
    if 0 in out:
        raise ShapeError(f"{layer} cannot normalise over the batch axis (axis 0)",
                         "use -1 for the features")
    return tuple(sorted(set(out)))


def per_value_ops(s, ops: int) -> int | None:
    """ops elementwise operations for each value of one sample (None if variable)."""
    return None if None in s[1:] else ops * math.prod(s[1:])


def _along(x, axes: tuple[int, ...], fn):
    """Apply fn to the flat vector of each group of values spanning `axes`."""
    rank = len(shape_of(x))
    rest = tuple(d for d in range(rank) if d not in axes)
    perm = rest + axes
    moved = permute(x, perm) if perm != tuple(range(rank)) else x
    moved_shape = shape_of(moved)
    inner = math.prod(moved_shape[len(rest):])
    flat = flatten(moved)
    groups = [fn(flat[i:i + inner]) for i in range(0, len(flat), inner)]
    out = reshape([v for g in groups for v in g], moved_shape)
    inverse = tuple(perm.index(d) for d in range(rank))
    return permute(out, inverse) if perm != tuple(range(rank)) else out


class BatchNormalization(LayerType):
    """Normalises each feature with statistics gathered over batches. At
    inference it uses the moving mean and variance: y = γ·(x − μ)/√(σ² + ε) + β.
    The two moving statistics are weights that training updates without
    gradients, hence non-trainable."""

    name, auto_name = "BatchNormalization", "batch_normalization"
    supports_masking = True
    mask_arg = True
    args = (
        Arg("axis", "int", -1, "the feature axis that keeps its own statistics", structural=True),
        Arg("momentum", "float", 0.99, "momentum of the moving averages"),
        Arg("epsilon", "float", 0.001, "added to the variance to avoid dividing by zero"),
        *_COMMON,
        Arg("moving_mean_initializer", "initializer", "zeros", "initializer of moving_mean"),
        Arg("moving_variance_initializer", "initializer", "ones", "initializer of moving_variance"),
        Arg("renorm", "bool", False, "batch renormalisation: three more non-trainable statistics",
            structural=True),
        Arg("renorm_clipping", "object", None, "clipping of the renorm corrections (rmax, rmin, dmax)"),
        Arg("renorm_momentum", "float", 0.99, "momentum of the renorm statistics"),
        Arg("synchronized", "bool", False, "synchronise statistics across devices (TensorFlow only)"),
    )

    def channels(self, a, s) -> int:
        (ax,) = norm_axes(a.axis, len(s), self.name)
        c = s[ax]
        if c is None:
            raise ShapeError(f"BatchNormalization needs a known size on axis {a.axis} of {fmt_shape(s)}",
                             "give that axis a size in input.shape")
        return c

    def output_shape(self, a, s):
        if a.synchronized:
            raise ShapeError("synchronized: true is only supported by Keras's TensorFlow backend",
                             "remove it")
        self.channels(a, s)
        return s

    def shape_rule(self, a, s, out):
        return (f"BatchNormalization keeps the shape; axis {a.axis} (size {self.channels(a, s)}) "
                "gets its own γ, β and statistics.")

    def weights(self, a, s):
        c = (self.channels(a, s),)
        ws = []
        if a.scale:
            ws.append(WeightSpec("gamma", c, doc="scale, one per channel"))
        if a.center:
            ws.append(WeightSpec("beta", c, doc="offset, one per channel"))
        ws += [
            WeightSpec("moving_mean", c, trainable=False, doc="moving mean (updated, not trained)"),
            WeightSpec("moving_variance", c, trainable=False, doc="moving variance (updated, not trained)"),
        ]
        if a.renorm:
            ws += [WeightSpec(n, c, trainable=False, doc="batch-renorm statistic (training only)",
                              training_only=True)
                   for n in ("moving_stddev", "renorm_mean", "renorm_stddev")]
        return ws

    def formula(self, a, s):
        c = self.channels(a, s)
        learned = int(a.scale) + int(a.center)
        stats = 5 if a.renorm else 2
        n = learned + stats
        parts = [p for p, on in (("γ", a.scale), ("β", a.center)) if on]
        parts += ["moving_mean", "moving_variance"] + (["3 renorm statistics"] if a.renorm else [])
        return Formula(f"{n} × channels   ({' + '.join(parts)}; {stats} × channels non-trainable)",
                       f"{n} × {c}", n * c)

    def elementwise_ops(self, a, s, out):
        return per_value_ops(s, 2)  # one multiply-add per value

    def to_pytorch(self, a, s):
        """nn.BatchNorm1d normalises axis 1: transpose around it when the channels are last."""
        if a.renorm:
            raise NoEquivalent("renorm: true has no nn.BatchNorm1d argument", "nearest: renorm: false")
        if a.center != a.scale:
            raise NoEquivalent("center and scale differ: nn.BatchNorm1d's affine gives both or neither",
                               "nearest: center and scale both true or both false")
        (ax,) = norm_axes(a.axis, len(s), self.name)
        if len(s) > 3 or ax not in (1, len(s) - 1):
            raise NoEquivalent(f"axis {a.axis} of a {len(s)}-D input has no nn.BatchNorm1d layout",
                               "normalise the last axis of a 2-D or 3-D input")
        bn = {"type": "BatchNorm1d", "eps": a.epsilon, "momentum": round(1 - a.momentum, 12), "$name": ""}
        if not a.scale:
            bn["affine"] = False
        if ax == 1:
            return Equivalent((bn,), weights=0)
        swap = {"type": "Transpose", "dim0": 1, "dim1": 2}
        return Equivalent(({**swap, "$name": "channels_first"}, bn, {**swap, "$name": "channels_last"}), weights=1)

    def torch_weights(self, a, s, w):
        sd = {"weight": w["gamma"], "bias": w["beta"]} if a.scale else {}
        return {**sd, "running_mean": w["moving_mean"], "running_var": w["moving_variance"]}

    def from_torch_weights(self, a, s, sd):
        w = {"gamma": sd["weight"], "beta": sd["bias"]} if a.scale else {}
        return {**w, "moving_mean": sd["running_mean"], "moving_variance": sd["running_var"]}

    def forward(self, a, w, x, mask=None):
        c = len(w["moving_mean"])
        mean, var = w["moving_mean"], w["moving_variance"]
        gamma = w["gamma"] if a.scale else [1.0] * c
        beta = w["beta"] if a.center else [0.0] * c
        inv = [g * rsqrt(v + a.epsilon) for g, v in zip(gamma, var)]
        shift = [b - m * i for b, m, i in zip(beta, mean, inv)]
        (ax,) = norm_axes(a.axis, len(shape_of(x)), self.name)

        def normalise(v):  # v: the values of one position, along the channel axis
            return [e * i + sft for e, i, sft in zip(v, inv, shift)]

        return _along(x, (ax,), normalise)


class LayerNormalization(LayerType):
    """Normalises each sample over its feature axis (or axes) with that
    sample's own mean and variance, then scales by γ and shifts by β."""

    name, auto_name = "LayerNormalization", "layer_normalization"
    supports_masking = True
    args = (
        Arg("axis", "axis", -1, "axis or list of axes normalised together", structural=True),
        Arg("epsilon", "float", 0.001, "added to the variance to avoid dividing by zero"),
        *_COMMON,
        Arg("rms_scaling", "bool", False, "deprecated Keras option: scale by 1/√(var + ε) and γ only",
            structural=True),
    )

    def shape_of_params(self, a, s) -> tuple:
        norm_axes(a.axis, len(s), self.name)  # validates
        written = a.axis if isinstance(a.axis, tuple) else (a.axis,)
        # Keras sorts the axes as written, so [-1, 1] gives gamma (s[-1], s[1]);
        # at run time it reshapes (not transposes) gamma to the input's axis order
        shape = tuple(s[ax] for ax in sorted(written))
        if None in shape:
            raise ShapeError(f"LayerNormalization needs known sizes on axis {a.axis} of {fmt_shape(s)}",
                             "give those axes a size in input.shape")
        return shape

    def output_shape(self, a, s):
        self.shape_of_params(a, s)
        return s

    def shape_rule(self, a, s, out):
        return f"LayerNormalization keeps the shape; γ and β have the shape {fmt_shape(self.shape_of_params(a, s))}."

    def weights(self, a, s):
        shape = self.shape_of_params(a, s)
        ws = []
        if a.scale or a.rms_scaling:
            ws.append(WeightSpec("gamma", shape, doc="scale, one per normalised feature"))
        if a.center and not a.rms_scaling:
            ws.append(WeightSpec("beta", shape, doc="offset, one per normalised feature"))
        return ws

    def formula(self, a, s):
        n = math.prod(self.shape_of_params(a, s))
        k = len(self.weights(a, s))
        return Formula(f"{k} × normalised features ({' + '.join(w.name for w in self.weights(a, s)) or 'none'})",
                       f"{k} × {n}", k * n)

    def elementwise_ops(self, a, s, out):
        return per_value_ops(s, 4)  # mean, variance, normalise, scale and shift

    def to_pytorch(self, a, s):
        if a.rms_scaling:
            raise NoEquivalent("rms_scaling: true has no nn.LayerNorm argument", "nearest: nn.RMSNorm, by hand")
        if norm_axes(a.axis, len(s), self.name) != (len(s) - 1,):
            raise NoEquivalent(f"axis {a.axis}: nn.LayerNorm normalises the trailing axes only",
                               "nearest: axis: -1")
        if a.center and not a.scale:
            raise NoEquivalent("center without scale: nn.LayerNorm has no bias without a weight",
                               "nearest: scale: true")
        ln = {"type": "LayerNorm", "normalized_shape": s[-1], "eps": a.epsilon, "$name": ""}
        if not a.scale:
            ln["elementwise_affine"] = False
        elif not a.center:
            ln["bias"] = False
        return Equivalent((ln,), weights=0)

    def torch_weights(self, a, s, w):
        return {k: w[n] for k, n in (("weight", "gamma"), ("bias", "beta")) if n in w}

    def from_torch_weights(self, a, s, sd):
        return {n: sd[k] for k, n in (("weight", "gamma"), ("bias", "beta")) if k in sd}

    def forward(self, a, w, x, mask=None):
        axes = norm_axes(a.axis, len(shape_of(x)), self.name)
        has_gamma = a.scale or a.rms_scaling
        has_beta = a.center and not a.rms_scaling
        gamma = flatten(w["gamma"]) if has_gamma else None
        beta = flatten(w["beta"]) if has_beta else None

        def normalise(v):
            n = len(v)
            mean = sum(v) / n
            var = sum((e - mean) * (e - mean) for e in v) / n
            inv = rsqrt(var + a.epsilon)
            if a.rms_scaling:
                y = [e * inv for e in v]
            else:
                y = [(e - mean) * inv for e in v]
            if gamma is not None:
                y = [e * g for e, g in zip(y, gamma)]
            if beta is not None:
                y = [e + b for e, b in zip(y, beta)]
            return y

        return _along(x, axes, normalise)


class UnitNormalization(LayerType):
    """Scales each vector along `axis` to unit L2 norm: y = x / ‖x‖. No weights."""

    name, auto_name = "UnitNormalization", "unit_normalization"
    supports_masking = True
    args = (Arg("axis", "axis", -1, "axis (or list of axes) whose vectors get norm 1", structural=True),)

    def output_shape(self, a, s):
        norm_axes(a.axis, len(s), self.name)
        return s

    def shape_rule(self, a, s, out):
        return f"UnitNormalization divides each vector along axis {a.axis} by its length; the shape is kept."

    def notes(self, a, s, out):
        axes = norm_axes(a.axis, len(s), self.name)
        n = " × ".join("N" if s[ax] is None else str(s[ax]) for ax in axes)
        return [f"Each group of {n} values along axis {a.axis} is divided by √(Σx²), its Euclidean length, so "
                "afterwards its squares sum to 1 (an all-zero vector stays zero). No weights: it only fixes the "
                "length, unlike LayerNormalization, which also recentres and learns a scale."]

    def elementwise_ops(self, a, s, out):
        return per_value_ops(s, 3)  # square and sum, scale

    def forward(self, a, w, x, mask=None):
        axes = norm_axes(a.axis, len(shape_of(x)), self.name)

        def unit(v):  # keras.ops.normalize: x · min(1/√Σx², 1/ε), ε = 1e-12
            total = sum(e * e for e in v)
            inv = 1e12 if total == 0 else min(rsqrt(total), 1e12)
            return [e * inv for e in v]

        return _along(x, axes, unit)


class GroupNormalization(LayerType):
    """Splits the channels into `groups` and normalises each group of each
    sample with its own mean and variance (over the group's channels and every
    position), then scales by γ and shifts by β per channel. groups = 1 is
    LayerNormalization over everything; groups = channels (or -1) is instance
    normalisation."""

    name, auto_name = "GroupNormalization", "group_normalization"
    supports_masking = True
    args = (
        Arg("groups", "int", 32, "number of channel groups; -1: one group per channel", minimum=-1,
            structural=True),
        Arg("axis", "int", -1, "the channel axis", structural=True),
        Arg("epsilon", "float", 0.001, "added to the variance to avoid dividing by zero"),
        *_COMMON,
    )

    def channels_groups(self, a, s) -> tuple[int, int]:
        if a.groups == 0:
            raise ShapeError("groups must be a positive integer or -1 (one group per channel), got 0")
        (ax,) = norm_axes(a.axis, len(s), self.name)
        c = s[ax]
        if c is None:
            raise ShapeError(f"GroupNormalization needs a known size on axis {a.axis} of {fmt_shape(s)}",
                             "give that axis a size in input.shape")
        g = c if a.groups == -1 else a.groups
        if c < g or c % g:
            raise ShapeError(f"the {c} channels cannot be split into {g} equal groups",
                             f"use a number of groups that divides {c}")
        return c, g

    def output_shape(self, a, s):
        self.channels_groups(a, s)
        return s

    def shape_rule(self, a, s, out):
        c, g = self.channels_groups(a, s)
        return f"GroupNormalization keeps the shape; the {c} channels form {g} groups of {c // g}."

    def weights(self, a, s):
        c, _ = self.channels_groups(a, s)
        ws = []
        if a.scale:
            ws.append(WeightSpec("gamma", (c,), doc="scale, one per channel"))
        if a.center:
            ws.append(WeightSpec("beta", (c,), doc="offset, one per channel"))
        return ws

    def formula(self, a, s):
        c, _ = self.channels_groups(a, s)
        k = int(a.scale) + int(a.center)
        names = " + ".join(n for n, on in (("γ", a.scale), ("β", a.center)) if on) or "none"
        return Formula(f"{k} × channels ({names})", f"{k} × {c}", k * c)

    def notes(self, a, s, out):
        c, g = self.channels_groups(a, s)
        rest = [d for i, d in enumerate(s[1:], 1) if i != norm_axes(a.axis, len(s), self.name)[0]]
        where = " × ".join("N" if d is None else str(d) for d in rest) or "1"
        return [f"Each sample has {g} groups; the mean and variance of a group are taken over its {c // g} "
                f"channels at all {where} positions, never across the batch, so it works the same at any batch "
                "size (unlike BatchNormalization)."]

    def elementwise_ops(self, a, s, out):
        return per_value_ops(s, 4)

    def forward(self, a, w, x, mask=None):
        shape = shape_of(x)
        c, g = self.channels_groups(a, shape)
        (ax,) = norm_axes(a.axis, len(shape), self.name)
        gamma = w["gamma"] if a.scale else [1.0] * c
        beta = w["beta"] if a.center else [0.0] * c
        per = c // g
        moved = permute(x, (0, *(d for d in range(1, len(shape)) if d != ax), ax))  # channels last

        def sample(v):  # v: one sample, channels last
            flat = flatten(v)  # positions × c
            out = list(flat)
            for k in range(g):
                idx = [i for i in range(len(flat)) if (i % c) // per == k]
                vals = [flat[i] for i in idx]
                mean = sum(vals) / len(vals)
                var = sum((e - mean) ** 2 for e in vals) / len(vals)
                inv = rsqrt(var + a.epsilon)
                for i in idx:
                    out[i] = (flat[i] - mean) * inv * gamma[i % c] + beta[i % c]
            return reshape(out, shape_of(v))

        y = [sample(v) for v in moved]
        rank = len(shape)
        back = [0] * rank
        order = (0, *(d for d in range(1, rank) if d != ax), ax)
        for i, d in enumerate(order):
            back[d] = i
        return permute(y, tuple(back))


class RMSNormalization(LayerType):
    """Root-mean-square normalisation: y = x / √(mean(x²) + ε) · scale along
    `axis`. Unlike LayerNormalization it subtracts no mean and has no offset."""

    name, auto_name = "RMSNormalization", "rms_normalization"
    args = (
        Arg("axis", "axis", -1, "axis (or list of axes) normalised together", structural=True),
        Arg("epsilon", "float", 1e-6, "added to the mean square to avoid dividing by zero"),
    )

    def scale_shape(self, a, s) -> tuple:
        norm_axes(a.axis, len(s), self.name)
        written = a.axis if isinstance(a.axis, tuple) else (a.axis,)
        shape = tuple(s[ax] for ax in sorted(written))  # Keras sorts the axes as written, as LayerNormalization
        if None in shape:
            raise ShapeError(f"RMSNormalization needs known sizes on axis {a.axis} of {fmt_shape(s)}",
                             "give those axes a size in input.shape")
        if any(k not in (d, 1) for k, d in zip(reversed(shape), reversed(s))):
            raise ShapeError(f"RMSNormalization's scale {fmt_shape(shape)} (the sizes of axis {a.axis}) does not line "
                             f"up with the last axes of {fmt_shape(s)}, which it multiplies (Keras builds the layer "
                             "and fails when it runs)", "normalise the last axes (axis: -1, or [1, 2] on a 3-D input)")
        return shape

    def output_shape(self, a, s):
        self.scale_shape(a, s)
        return s

    def shape_rule(self, a, s, out):
        return f"RMSNormalization keeps the shape; scale has the shape {fmt_shape(self.scale_shape(a, s))}."

    def weights(self, a, s):
        return [WeightSpec("scale", self.scale_shape(a, s), doc="one per normalised feature")]

    def formula(self, a, s):
        shape = self.scale_shape(a, s)
        return Formula("1 × normalised features (scale)", "1 × " + " × ".join(map(str, shape)), math.prod(shape))

    def notes(self, a, s, out):
        return ["Half of LayerNormalization's parameters: one scale per feature and no β, because it only "
                "divides by the root mean square and never subtracts the mean."]

    def elementwise_ops(self, a, s, out):
        return per_value_ops(s, 3)

    def forward(self, a, w, x, mask=None):
        axes = norm_axes(a.axis, len(shape_of(x)), self.name)
        scale = flatten(w["scale"])

        def normalise(v):
            inv = rsqrt(sum(e * e for e in v) / len(v) + a.epsilon)
            return [e * inv * k for e, k in zip(v, scale)]

        return _along(x, axes, normalise)
