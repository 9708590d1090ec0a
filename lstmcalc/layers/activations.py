"""Activation layers: ReLU, LeakyReLU, PReLU, ELU and Softmax.

Each applies one function elementwise (Softmax: along an axis) and keeps the
shape; only PReLU has a weight, its learned negative slope `alpha`.
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.normalization import _along, norm_axes
from lstmcalc.run.tensor import shape_of
from lstmcalc.shapes import fmt_shape


def elementwise(x, f):
    if isinstance(x, list):
        return [elementwise(v, f) for v in x]
    return f(x)


class Activation1(LayerType):
    """Shared rule of the elementwise activation layers: same shape, no weights."""

    supports_masking = True

    def shape_rule(self, a, s, out):
        return f"{self.name} is applied to each value on its own, so the shape is kept: {fmt_shape(out)}."

    def elementwise_ops(self, a, s, out):
        return None if None in s[1:] else math.prod(s[1:])

    def scalar(self, a):
        raise NotImplementedError

    def forward(self, a, w, x, mask=None):
        return elementwise(x, self.scalar(a))


def relu(a):
    """Keras's relu(x, negative_slope, max_value, threshold) on one value."""
    slope, top, thr = a.negative_slope, a.max_value, a.threshold

    def f(v):
        y = v if v > thr else 0.0
        if top is not None:
            y = min(max(y, 0.0), top)
        return y - slope * max(thr - v, 0.0)

    return f


class ReLU(Activation1):
    """Rectified linear unit with Keras's three options: y = x above threshold,
    negative_slope · (x − threshold) below it, and at most max_value."""

    name, auto_name = "ReLU", "re_lu"
    args = (
        Arg("max_value", "float", None, "upper bound of the output (null: none)", minimum=0, nullable=True),
        Arg("negative_slope", "float", 0.0, "slope below the threshold", minimum=0),
        Arg("threshold", "float", 0.0, "values up to it give 0 (or the negative slope)", minimum=0),
    )

    def notes(self, a, s, out):
        parts = [f"y = x for x > {a.threshold:g}"]
        parts.append("y = 0 below" if not a.negative_slope else
                     f"y = {a.negative_slope:g} × (x − {a.threshold:g}) below")
        if a.max_value is not None:
            parts.append(f"then clipped to at most {a.max_value:g}")
        return ["; ".join(parts) + ". With the defaults it is max(0, x), Activation('relu')."]

    def scalar(self, a):
        return relu(a)

    def to_pytorch(self, a, s):
        if a.threshold or a.max_value is not None:
            raise NoEquivalent("ReLU with threshold or max_value has no single torch module",
                               "nearest: nn.Hardtanh(0, max_value) for a cap, by hand")
        if a.negative_slope:
            return Equivalent(({"type": "LeakyReLU", "negative_slope": a.negative_slope, "$name": ""},))
        return Equivalent(({"type": "ReLU", "$name": ""},))


class LeakyReLU(Activation1):
    """y = x for x ≥ 0 and negative_slope · x below: a small gradient where ReLU has none."""

    name, auto_name = "LeakyReLU", "leaky_re_lu"
    args = (Arg("negative_slope", "float", 0.3, "slope for x < 0 (Keras 3's default 0.3, torch's 0.01)",
                minimum=0),
            Arg("alpha", "float", None, "Keras 2's name of negative_slope (Keras 3 warns and uses it instead)",
                minimum=0, nullable=True))

    @staticmethod
    def slope(a) -> float:
        return a.negative_slope if a.alpha is None else a.alpha

    def notes(self, a, s, out):
        return [f"y = x for x ≥ 0 and {self.slope(a):g} × x below. Keras's default slope is 0.3, "
                "torch's nn.LeakyReLU 0.01, and the activation name leaky_relu uses 0.2: three different functions."]

    def scalar(self, a):
        k = self.slope(a)
        return lambda v: v if v >= 0 else k * v

    def to_pytorch(self, a, s):
        return Equivalent(({"type": "LeakyReLU", "negative_slope": self.slope(a), "$name": ""},))


class ELU(Activation1):
    """Exponential linear unit: x for x > 0, alpha · (eˣ − 1) below."""

    name, auto_name = "ELU", "elu"
    args = (Arg("alpha", "float", 1.0, "scale of the negative part; it tends to −alpha"),)

    def notes(self, a, s, out):
        return [f"y = x for x > 0 and {a.alpha:g} × (eˣ − 1) below, so negative inputs saturate at "
                f"−{a.alpha:g} instead of being cut to 0 as in ReLU."]

    def scalar(self, a):
        k = a.alpha
        return lambda v: v if v > 0 else k * math.expm1(v)

    def to_pytorch(self, a, s):
        return Equivalent(({"type": "ELU", "alpha": a.alpha, "$name": ""},))


class PReLU(LayerType):
    """Parametric ReLU: y = x for x ≥ 0 and alpha · x below, with alpha learned,
    one per value of a sample unless shared_axes shares it along some axes."""

    name, auto_name = "PReLU", "p_re_lu"
    supports_masking = True
    args = (
        *weight_args(alpha="Zeros")[:1],
        Arg("alpha_regularizer", "regularizer", None, "regularizer of alpha"),
        Arg("alpha_constraint", "constraint", None, "constraint on alpha"),
        Arg("shared_axes", "axis", None, "1-based axes along which one alpha is shared (e.g. [1] for time)",
            structural=True, nullable=True),
    )

    def alpha_shape(self, a, s) -> tuple:
        shape = list(s[1:])
        shared = a.shared_axes if isinstance(a.shared_axes, tuple) else (
            () if a.shared_axes is None else (a.shared_axes,))
        for ax in shared:
            if not -len(shape) <= ax - 1 < len(shape):  # Keras indexes shape[ax - 1]
                raise ShapeError(f"shared_axes {ax} is not an axis of the {len(s)}-D input {fmt_shape(s)}",
                                 f"use axes 1 to {len(s) - 1} (1 is the first axis after the batch)")
            shape[ax - 1] = 1
        if None in shape:
            raise ShapeError(f"PReLU keeps one alpha per value, so it needs known sizes, but the input is "
                             f"{fmt_shape(s)}", "give those axes a size, or share alpha along them with shared_axes")
        return tuple(shape)

    def output_shape(self, a, s):
        self.alpha_shape(a, s)
        return s

    def shape_rule(self, a, s, out):
        return f"PReLU acts on each value on its own, so the shape is kept: {fmt_shape(out)}."

    def weights(self, a, s):
        return [WeightSpec("alpha", self.alpha_shape(a, s), doc="slope for x < 0, learned")]

    def formula(self, a, s):
        shape = self.alpha_shape(a, s)
        n = math.prod(shape)
        return Formula("product of alpha's shape (the input's, 1 on shared_axes)",
                       " × ".join(map(str, shape)), n)

    def notes(self, a, s, out):
        shape = self.alpha_shape(a, s)
        lines = [f"y = x for x ≥ 0 and alpha × x below, alpha {fmt_shape(shape)} learned (it starts at "
                 f"{a.alpha_initializer!s}: plain ReLU)."]
        if a.shared_axes is None:
            lines.append("Without shared_axes every value of a sample has its own alpha; shared_axes: [1] shares "
                         "one alpha along the time axis, which makes the count independent of the length.")
        return lines

    def elementwise_ops(self, a, s, out):
        return None if None in s[1:] else 2 * math.prod(s[1:])

    def to_pytorch(self, a, s):
        """nn.PReLU keeps one slope, or one per channel of axis 1 (shared along the others)."""
        shape = self.alpha_shape(a, s)
        if math.prod(shape) > 1 and any(d != 1 for d in shape[1:]):
            raise NoEquivalent(f"alpha {fmt_shape(shape)}: nn.PReLU keeps one weight, or one per channel of axis 1",
                               f"share alpha along axes 2 .. {len(s) - 1} (shared_axes), or along all of them")
        return Equivalent(({"type": "PReLU", "num_parameters": shape[0] if math.prod(shape) > 1 else 1,
                            "$name": ""},), weights=0)

    def torch_weights(self, a, s, w):
        from lstmcalc.run.tensor import flatten

        return {"weight": flatten(w["alpha"])}

    def from_torch_weights(self, a, s, sd):
        from lstmcalc.run.tensor import reshape

        return {"alpha": reshape(list(sd["weight"]), self.alpha_shape(a, s))}

    def forward(self, a, w, x, mask=None):
        alpha = w["alpha"]

        def walk(v, al):  # al broadcasts: a size-1 axis of alpha serves every index
            if isinstance(v, list):
                return [walk(e, al[i if len(al) > 1 else 0]) for i, e in enumerate(v)]
            return v if v >= 0 else al * v

        return [walk(sample, alpha) for sample in x]


class Softmax(LayerType):
    """exp(x) / Σ exp(x) along `axis` (or several axes together): the values
    along it become positive and sum to 1. A mask sets the masked values to 0."""

    name, auto_name = "Softmax", "softmax"
    supports_masking = True
    mask_arg = True
    args = (Arg("axis", "axis", -1, "axis (or list of axes) the values sum to 1 along", structural=True),)

    def axes(self, a, s) -> tuple[int, ...]:
        return norm_axes(a.axis, len(s), self.name)

    def output_shape(self, a, s):
        self.axes(a, s)
        return s

    def shape_rule(self, a, s, out):
        return f"Softmax rescales the values along axis {a.axis}; the shape is kept: {fmt_shape(out)}."

    def notes(self, a, s, out):
        axes = self.axes(a, s)
        n = " × ".join("N" if s[ax] is None else str(s[ax]) for ax in axes)
        return [f"Each group of {n} values along axis {a.axis} becomes positive and sums to 1; the largest value gets "
                "the largest share. With a mask "
                "(from Embedding's mask_zero or Masking), Keras lines the mask up with the input's last axes, "
                "gives the masked values no share and outputs 0 there; a (batch, steps) mask does not line up with "
                "a (batch, steps, features) input, so Keras fails there."]

    def elementwise_ops(self, a, s, out):
        return None if None in s[1:] else 3 * math.prod(s[1:])

    def check_mask(self, s, mask_shape):
        for m, i in zip(reversed(mask_shape), reversed(s)):
            if m is not None and i is not None and m not in (1, i):
                raise ShapeError(f"Softmax lines the mask {fmt_shape(mask_shape)} up with the last axes of its "
                                 f"input {fmt_shape(s)}, and they do not match (Keras fails when it runs)",
                                 "remove the mask before Softmax, or use Activation('softmax'), which ignores it")

    def to_pytorch(self, a, s):
        axes = self.axes(a, s)
        if len(axes) > 1:
            raise NoEquivalent("nn.Softmax takes one dim", "nearest: flatten those axes first, by hand")
        if axes[0] != len(s) - 1:
            raise NoEquivalent("lstmcalc's torch Softmax runs on the last axis only", "use axis: -1")
        return Equivalent(({"type": "Softmax", "dim": -1, "$name": ""},))

    def forward(self, a, w, x, mask=None):
        axes = self.axes(a, shape_of(x))
        if mask is not None:
            self.check_mask(shape_of(x), shape_of(mask))
            keep = broadcast_mask(mask, shape_of(x))
            x = zip_values(x, keep, lambda v, m: v if m else -1e9)  # Keras: a large negative number
        y = _along(x, axes, softmax)
        return y if mask is None else zip_values(y, keep, lambda v, m: v if m else 0.0)


def softmax(v):
    top = max(v)
    e = [math.exp(t - top) for t in v]
    total = sum(e)
    return [t / total for t in e]


def zip_values(x, m, f):
    if isinstance(x, list):
        return [zip_values(v, n, f) for v, n in zip(x, m)]
    return f(x, m)


def broadcast_mask(mask, shape: tuple):
    """The mask broadcast to `shape`, its axes lined up with the last ones (numpy's rule)."""
    mshape = shape_of(mask)
    lead = len(shape) - len(mshape)

    def walk(depth, m):
        if depth == len(shape):
            return bool(m)
        if depth < lead:
            return [walk(depth + 1, m) for _ in range(shape[depth])]
        return [walk(depth + 1, m[i if len(m) > 1 else 0]) for i in range(shape[depth])]

    return walk(0, mask)
