"""Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum and Dot.

Each follows `keras/src/layers/merging/` in Keras 3.15 and takes a list of
tensors (`inputs: [a, b, ...]`). None has weights: a merge only combines
values that other layers computed. Shapes include the batch axis.

Cost convention (per sample, batch excluded): `macs` counts the products of
Dot's contraction (output size × contracted length); every other merge has
no multiply-adds and counts one `elementwise_ops` per output value for each
input after the first (Average one more, its division). Concatenate only
copies. Dot with normalize adds two operations per input value (square and
sum, then scale).
"""

from __future__ import annotations

from functools import reduce
from math import prod
from operator import add, mul

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import LayerType, mult
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.run.tensor import dot, flatten, map_vectors, permute, reshape, rsqrt, shape_of
from lstmcalc.shapes import fmt_shape

EPSILON = 1e-7  # keras.config.epsilon(), the floor of Dot's L2 norm

# -- broadcasting on nested lists (NumPy's rules: align on the right) ------------------------------


def broadcast_shapes(shapes, layer: str = "", shown=None) -> tuple:
    """The shape NumPy broadcasting gives (None: a variable size, as Keras has it); ShapeError on a mismatch
    (naming `layer` and the `shown` shapes, by default `shapes`)."""
    rank = max(len(s) for s in shapes)
    out = [1] * rank
    for s in shapes:
        for k, d in enumerate((1,) * (rank - len(s)) + tuple(s)):
            if d is None or out[k] is None:  # Keras: a variable size with anything is variable
                out[k] = None
            elif out[k] == 1:
                out[k] = d
            elif d not in (1, out[k]):
                raise ShapeError(f"{layer} cannot broadcast {fmt_shape(list(shown or shapes))}: sizes {out[k]} and {d} "
                                 "differ and neither is 1",
                                 "give the inputs the same shape (or size 1 on the axes to repeat)")
    return tuple(out)


def broadcast_to(x, shape: tuple):
    """x repeated along its size-1 axes (and new leading axes) to `shape`."""
    for _ in range(len(shape) - len(shape_of(x))):
        x = [x]

    def grow(v, depth):
        if depth == len(shape):
            return v
        items = v * shape[depth] if len(v) == 1 else v
        return [grow(item, depth + 1) for item in items]

    return grow(x, 0)


def zip_with(f, *xs):
    """f applied value by value to tensors of one shape."""
    if isinstance(xs[0], list):
        return [zip_with(f, *items) for items in zip(*xs)]
    return f(*xs)


def expand_at_1(x, times: int):
    """Keras's reshape for inputs of different ranks: expand_dims(x, axis=1), `times` times."""
    for _ in range(times):
        x = [[sample] for sample in x]
    return x


def concat(xs, axis: int):
    """The tensors joined along `axis` (0 is the batch axis)."""
    if axis == 0:
        return [v for x in xs for v in x]
    return [concat(items, axis - 1) for items in zip(*xs)]


class EagerMaskOps:
    """The functions of graph.mask_ops.MaskOps on nested lists of booleans: one `symbolic_mask`,
    written with Keras's ops as Keras's `compute_mask` is, also computes the mask's values."""

    shape_of = staticmethod(shape_of)

    def logical_or(self, x, y):
        shape = broadcast_shapes([shape_of(x), shape_of(y)])
        return zip_with(lambda p, q: p or q, broadcast_to(x, shape), broadcast_to(y, shape))

    def expand_dims(self, x, axis: int = -1):  # only the last axis is used here
        return [self.expand_dims(v) for v in x] if isinstance(x, list) else [x]

    def zeros_like(self, x):
        return broadcast_to(False, shape_of(x))

    def ones_like(self, x):
        return broadcast_to(True, shape_of(x))

    def concatenate(self, xs, axis: int = -1):
        return concat(xs, axis % len(shape_of(xs[0])))

    def any(self, x, axis: int = -1):  # only the last axis is used here
        return [self.any(v) for v in x] if isinstance(x[0], list) else any(x)


EAGER = EagerMaskOps()


# -- the elementwise merges -----------------------------------------------------------------


class Merge(LayerType):
    """Base of the elementwise merges (`keras/src/layers/merging/base_merge.py`):
    inputs of shapes (batch, ...) broadcast as NumPy does, after Keras
    expands a lower-rank input at axis 1 until the ranks agree."""

    supports_masking = True
    takes_list = True
    exact_inputs: int | None = None  # Subtract and Dot take exactly 2
    symbol = ""
    ops_per_value = -1  # elementwise operations per output value: inputs - 1, and this

    def check_count(self, s) -> None:  # (Keras's check of equal batch sizes always holds: one batch_size)
        if self.exact_inputs is not None and len(s) != self.exact_inputs:
            raise ShapeError(f"{self.name} takes exactly {self.exact_inputs} inputs, got {len(s)}",
                             f"write inputs: [a, b] with {self.exact_inputs} tensors")

    def output_shape(self, a, s):
        self.check_count(s)
        return (s[0][0],) + broadcast_shapes([shape[1:] for shape in s], self.name, s)

    def shape_rule(self, a, s, out):
        shapes = ", ".join(fmt_shape(x) for x in s)
        if len({x for x in s}) == 1:
            return f"{self.name} combines {len(s)} tensors of shape {fmt_shape(out)} value by value: {fmt_shape(out)}."
        return (f"{self.name} broadcasts {shapes} as NumPy does (sizes of 1 repeat; a lower rank gains axes "
                f"after the batch axis): {fmt_shape(out)}.")

    def elementwise_ops(self, a, s, out):
        return mult(*out[1:], len(s) + self.ops_per_value)

    def notes(self, a, s, out):
        return [
            f"No parameters: {self.name} only combines values other layers computed, position by position "
            f"({self.symbol}).",
            "Broadcasting: an axis of size 1 is repeated to match the other inputs, e.g. (None, 1, 8) with "
            "(None, 5, 8) gives (None, 5, 8); an input of lower rank gains size-1 axes after the batch axis.",
            "Masks: the output keeps a mask only when every input has one (their OR); an input without a mask "
            "drops it.",
            self.mask_note,
        ]

    mask_note = "The mask does not change the values."

    # -- forward --------------------------------------------------------------------------------
    def prepared(self, x, mask):
        """The inputs brought to one shape, and their masks spread over the features (None where absent).

        Keras hands the masks to its merge function only when no input needed expanding: an input of
        lower rank is expanded into a new tensor, which carries no mask.
        """
        ranks = [len(shape_of(v)) for v in x]
        top = max(ranks)
        x = [expand_at_1(v, top - r) for v, r in zip(x, ranks)]
        shape = broadcast_shapes([shape_of(v) for v in x])
        masks = mask if mask is not None and len(set(ranks)) == 1 else [None] * len(x)
        spread = [None if m is None else broadcast_to(EAGER.expand_dims(m), shape) for m in masks]
        return [broadcast_to(v, shape) for v in x], spread

    def forward(self, a, w, x, mask=None):
        x, masks = self.prepared(x, mask)
        return self.combine(x, masks)

    def combine(self, x, masks):
        raise NotImplementedError

    def compute_mask(self, a, x, mask):
        return self.symbolic_mask(a, EAGER, x, mask)

    def symbolic_mask(self, a, k, x, mask):
        """Merge.compute_mask: the OR of the masks, None unless every input has one."""
        if mask is None or any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = k.logical_or(out, m)
        return out


class Add(Merge):
    """Elementwise sum of 2 or more tensors (`merging/add.py`): (batch, ...) each, broadcast."""

    name, auto_name, symbol = "Add", "add", "x₁ + x₂ + …"

    def to_pytorch(self, a, s):
        if len(set(s)) > 1:  # Keras and torch broadcast differently (torch aligns on the right)
            raise NoEquivalent("Add of different shapes: Keras and torch broadcast differently",
                               "give the inputs the same shape")
        return Equivalent(({"type": "Add", "$name": ""},))

    def combine(self, x, masks):
        return zip_with(lambda *v: reduce(add, v), *x)


class Subtract(Merge):
    """x₁ − x₂ of exactly 2 tensors (`merging/subtract.py`): (batch, ...) each, broadcast."""

    name, auto_name, symbol = "Subtract", "subtract", "x₁ − x₂"
    exact_inputs = 2

    def combine(self, x, masks):
        return zip_with(lambda u, v: u - v, *x)


class Average(Merge):
    """Elementwise mean of 2 or more tensors (`merging/average.py`): (batch, ...) each, broadcast."""

    name, auto_name, symbol = "Average", "average", "(x₁ + x₂ + …) / n"
    ops_per_value = 0  # the additions and one division

    def combine(self, x, masks):
        return zip_with(lambda *v: reduce(add, v) / len(v), *x)


class Multiply(Merge):
    """Elementwise product of 2 or more tensors (`merging/multiply.py`): (batch, ...) each, broadcast."""

    name, auto_name, symbol = "Multiply", "multiply", "x₁ · x₂ · …"

    mask_note = ("Masks change the values: a masked position counts as 1 in the product; when every input "
                 "has a mask, positions masked in all of them come out 0.")

    def combine(self, x, masks):
        ones = [v if m is None else zip_with(lambda b, e: e if b else 1.0, m, v) for v, m in zip(x, masks)]
        y = zip_with(lambda *v: reduce(mul, v), *ones)
        if all(m is not None for m in masks):
            kept = zip_with(lambda *bs: any(bs), *masks)
            y = zip_with(lambda b, e: e if b else 0.0, kept, y)
        return y


class Maximum(Merge):
    """Elementwise maximum of 2 or more tensors (`merging/maximum.py`): (batch, ...) each, broadcast."""

    name, auto_name, symbol = "Maximum", "maximum", "max(x₁, x₂, …)"
    op = staticmethod(max)

    mask_note = ("Masks change the values: a masked value takes no part in the comparison (Keras's "
                 "_apply_merge_op_and_or_mask); where every input is masked, the first input's value is kept.")

    def combine(self, x, masks):
        """Keras's `_apply_merge_op_and_or_mask`, step by step."""
        y, y_mask = x[0], masks[0]
        for v, m in zip(x[1:], masks[1:]):
            if m is not None:
                v = zip_with(lambda b, e, o: e if b else o, m, v, y)
            if y_mask is not None:
                y = zip_with(lambda b, o, e: o if b else e, y_mask, y, v)
            y_mask = zip_with(lambda p, q: p or q, y_mask, m) if m is not None and y_mask is not None else None
            y = zip_with(self.op, y, v)
        return y


class Minimum(Maximum):
    """Elementwise minimum of 2 or more tensors (`merging/minimum.py`): (batch, ...) each, broadcast."""

    name, auto_name, symbol = "Minimum", "minimum", "min(x₁, x₂, …)"
    op = staticmethod(min)


# -- Concatenate and Dot ------------------------------------------------------------------------


def join_axis(axis: int, shapes, what: str, word: str) -> int:
    """The axis (0 to rank - 1) that `what` (Concatenate, torch.cat) joins shapes of one rank along."""
    ranks = {len(shape) for shape in shapes}
    if len(ranks) > 1:
        raise ShapeError(f"{what} needs inputs of one rank, got {fmt_shape(list(shapes))}",
                         "reshape the inputs to the same number of axes")
    rank = ranks.pop()
    if not -rank <= axis < rank:
        raise ShapeError(f"{word} {axis} is out of range for {rank}-D inputs",
                         f"use {word} from {-rank} to {rank - 1} (-1: the last)")
    return axis % rank


class Concatenate(Merge):
    """Joins tensors along `axis` (`merging/concatenate.py`): inputs of one rank
    (batch, ...) whose other axes agree; the output's `axis` is the sum of theirs."""

    name, auto_name = "Concatenate", "concatenate"
    args = (Arg("axis", "int", -1, "axis to join along (negative counts from the end; 0 is the batch axis)",
                structural=True),)

    def to_pytorch(self, a, s):
        return Equivalent(({"type": "Cat", "dim": a.axis, "$name": ""},))

    def joined_axis(self, a, s) -> int:
        return join_axis(a.axis, s, "Concatenate", "axis")

    def output_shape(self, a, s):
        self.check_count(s)
        axis = self.joined_axis(a, s)
        for k in range(len(s[0])):
            sizes = {shape[k] for shape in s} - {None}
            if k != axis and len(sizes) > 1:
                raise ShapeError(f"Concatenate on axis {a.axis} needs the other axes to match, but axis {k} has "
                                 f"sizes {', '.join(map(str, sorted(sizes)))} in {fmt_shape(list(s))}",
                                 "concatenate along the axis that differs, or reshape the inputs")
        out = list(s[0])  # Keras takes the other sizes from the first input
        out[axis] = None if any(shape[axis] is None for shape in s) else sum(shape[axis] for shape in s)
        return tuple(out)

    def shape_rule(self, a, s, out):
        axis = self.joined_axis(a, s)
        sizes = " + ".join(str(shape[axis]) for shape in s)
        return f"Concatenate joins {len(s)} tensors along axis {axis}: {sizes} = {out[axis]}, so {fmt_shape(out)}."

    def elementwise_ops(self, a, s, out):
        return 0

    def notes(self, a, s, out):
        return [
            "No parameters: Concatenate only places its inputs side by side.",
            "Every axis but the joined one must match; a variable (None) size matches any size.",
            "Masks: when any input has a mask the output has one; an input without a mask counts as "
            "kept everywhere, and along the last axis a step is kept if any input keeps it.",
        ]

    def forward(self, a, w, x, mask=None):
        return concat(x, self.joined_axis(a, [shape_of(v) for v in x]))

    def symbolic_mask(self, a, k, x, mask):
        """Concatenate.compute_mask: full-shape masks (True where absent), joined, any() over the last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        full = []
        for v, m in zip(x, mask):
            if m is None:
                full.append(k.ones_like(v))
            elif len(k.shape_of(m)) < len(k.shape_of(v)):
                full.append(k.logical_or(k.expand_dims(m, -1), k.zeros_like(v)))
            else:
                full.append(m)
        return k.any(k.concatenate(full, axis=a.axis), axis=-1)


class Dot(Merge):
    """Batchwise dot product of 2 tensors (`merging/dot.py`, `batch_dot`): for
    each sample, the sum over one axis of each input. x₁ (batch, m..., k) and
    x₂ (batch, k, n...) contracted over k give (batch, m..., n...); (batch, 1)
    when nothing else is left."""

    name, auto_name = "Dot", "dot"
    exact_inputs = 2
    args = (
        Arg("axes", "axis", doc="the contracted axis: an int for both inputs, or [axis of x₁, axis of x₂]; "
            "negative counts from the end; never 0 (the batch axis)", structural=True),
        Arg("normalize", "bool", False, "L2-normalise both inputs along the contracted axis first: the output "
            "is the cosine similarity"),
    )

    def pair(self, a, s) -> tuple[int, int]:
        """The contracted axes, non-negative, checked as Keras checks them when it builds and runs."""
        axes = a.axes
        if isinstance(axes, tuple) and len(axes) != 2:
            raise ShapeError(f"axes must be one int or a pair, got {list(axes)}", "write axes: [1, 2]")
        if isinstance(axes, int):  # Keras wraps a negative int modulo the rank, so it is never out of range
            axes = (axes % len(s[0]), axes % len(s[1])) if axes < 0 else (axes, axes)
        for k, (ax, shape) in enumerate(zip(axes, s)):
            if not -len(shape) <= ax < len(shape) or ax % len(shape) == 0:
                raise ShapeError(f"axes {a.axes if isinstance(a.axes, int) else list(a.axes)} give axis {ax} of "
                                 f"input {k + 1} {fmt_shape(shape)}, which Dot cannot contract (0 is the batch axis)",
                                 f"use an axis from 1 to {len(shape) - 1} (or -1 for the last)")
        return axes[0] % len(s[0]), axes[1] % len(s[1])

    def output_shape(self, a, s):
        self.check_count(s)
        for k, shape in enumerate(s):
            if len(shape) < 2:
                raise ShapeError(f"Dot needs inputs of rank 2 or more, input {k + 1} is {fmt_shape(shape)}")
        a0, a1 = self.pair(a, s)
        if s[0][a0] != s[1][a1]:
            raise ShapeError(f"Dot contracts axis {a0} of {fmt_shape(s[0])} with axis {a1} of {fmt_shape(s[1])}, "
                             f"but their sizes differ ({s[0][a0]} != {s[1][a1]})",
                             "pick axes of equal size (e.g. the feature axis of both: axes: -1)")
        out = s[0][:a0] + s[0][a0 + 1:] + s[1][1:a1] + s[1][a1 + 1:]
        return out if len(out) > 1 else out + (1,)

    def shape_rule(self, a, s, out):
        a0, a1 = self.pair(a, s)
        return (f"Dot sums the {s[0][a0]} products along axis {a0} of {fmt_shape(s[0])} and axis {a1} of "
                f"{fmt_shape(s[1])}; the other axes of the first, then of the second (without its batch axis), "
                f"remain: {fmt_shape(out)}.")

    def macs(self, a, s, out):
        a0, _ = self.pair(a, s)
        return mult(*out[1:], s[0][a0])

    def elementwise_ops(self, a, s, out):
        if not a.normalize:
            return 0
        return mult(2, sum(prod(x[1:]) for x in s)) if all(None not in x[1:] for x in s) else None

    def notes(self, a, s, out):
        a0, a1 = self.pair(a, s)
        lines = [
            "No parameters: Dot multiplies its two inputs with each other, not with weights.",
            f"It contracts axis {a0} of the first input with axis {a1} of the second: for each sample, "
            f"out[i…, j…] = Σ_k x₁[i…, k] · x₂[j…, k] over the {s[0][a0]} values of k.",
            "axes: -1 on (None, 8) and (None, 8) is a dot product per sample, (None, 1); on (None, 5, 8) and "
            "(None, 7, 8) it is every step of one against every step of the other, (None, 5, 7) — "
            "attention scores.",
        ]
        if a.normalize:
            lines.append(f"normalize: each vector along the contracted axis is divided by its L2 norm (at most "
                         f"1/{EPSILON:g} as a factor), so the output is the cosine similarity, in [-1, 1].")
        return lines + ["Dot drops any mask: its output has none."]

    def forward(self, a, w, x, mask=None):
        x1, x2 = x
        s1, s2 = shape_of(x1), shape_of(x2)
        a0, a1 = self.pair(a, [s1, s2])
        if a.normalize:
            x1, x2 = l2_normalize(x1, a0), l2_normalize(x2, a1)
        x1 = permute(x1, tuple(k for k in range(len(s1)) if k != a0) + (a0,))  # (B, m…, K)
        x2 = permute(x2, (0, a1) + tuple(k for k in range(1, len(s2)) if k != a1))  # (B, K, n…)
        k = s1[a0]
        per_sample = self.output_shape(a, [s1, s2])[1:]
        out = []
        for u, v in zip(x1, x2):
            rows = reshape(flatten(u), (len(flatten(u)) // k, k))  # (M, K)
            cols = list(zip(*reshape(flatten(v), (k, len(flatten(v)) // k))))  # (N, K)
            out.append(reshape([dot(r, c) for r in rows for c in cols], per_sample))
        return out

    def symbolic_mask(self, a, k, x, mask):
        return None


def l2_normalize(x, axis: int):
    """x · min(1/‖x‖, 1/ε) along `axis` (Keras's ops.normalize, order 2)."""
    rank = len(shape_of(x))
    to_last = tuple(k for k in range(rank) if k != axis) + (axis,)
    back = tuple(to_last.index(k) for k in range(rank))

    def scale(v):
        inv = min(rsqrt(sum(e * e for e in v)), 1.0 / EPSILON)
        return [e * inv for e in v]

    return permute(map_vectors(permute(x, to_last), scale, rank), back)
