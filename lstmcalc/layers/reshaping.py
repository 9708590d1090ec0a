"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, UpSampling1D,
ZeroPadding1D and Cropping1D (no weights)."""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import LayerType, mult
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.run.tensor import flatten, permute, reshape, shape_of
from lstmcalc.shapes import fmt_shape

DATA_FORMAT = Arg("data_format", "choice", None, "channels_last (batch, steps, channels) or channels_first",
                  choices=("channels_last", "channels_first"), structural=True,
                  ignore_case=True)  # Keras's standardize_data_format lower-cases it


def pair(v) -> tuple[int, int]:
    """(before, after) from an int or a pair, as Keras's standardize_tuple(v, 2)."""
    return (v, v) if isinstance(v, int) else tuple(v)


def channels_first(a) -> bool:
    return a.data_format == "channels_first"


class Flatten(LayerType):
    """Flattens every axis but the batch axis into one."""

    name, auto_name = "Flatten", "flatten"

    def to_pytorch(self, a, s):
        if a.get("data_format") == "channels_first" and len(s) > 2:
            raise NoEquivalent("data_format: channels_first reorders the values before flattening",
                               "nearest: x.transpose(1, -1) before nn.Flatten, by hand")
        return Equivalent(({"type": "Flatten", "$name": ""},))
    args = (DATA_FORMAT,)

    def output_shape(self, a, s):
        return (s[0], mult(*s[1:]))

    def shape_rule(self, a, s, out):
        dims = " × ".join("None" if d is None else str(d) for d in s[1:]) or "1"
        extra = " (a variable axis makes it variable)" if out[1] is None else ""
        return f"Flatten multiplies the non-batch axes: {dims} = {out[1]}{extra}."

    def forward(self, a, w, x, mask=None):
        rank = len(shape_of(x))
        if channels_first(a) and rank >= 3:
            x = permute(x, (0, *range(2, rank), 1))
        return [flatten(sample) for sample in x]


class Reshape(LayerType):
    """Reshapes the non-batch axes to target_shape (one -1 is inferred)."""

    name, auto_name = "Reshape", "reshape"
    args = (Arg("target_shape", "intlist", doc="new shape without the batch axis; one entry may be -1",
                structural=True, nullable=True),)

    def output_shape(self, a, s):
        target = a.target_shape
        if target is None:
            raise ShapeError("target_shape must be a list of sizes, not null")
        if sum(d in (None, -1) for d in target) > 1:  # a null is inferred as -1 is, when the model runs
            raise ShapeError(f"target_shape {list(target)} has more than one -1 (or null)", "infer at most one axis")
        if None in target:  # Keras keeps unknown entries unknown
            return (s[0],) + tuple(None if d in (None, -1) else d for d in target)
        if any(d < -1 or d == 0 for d in target):
            raise ShapeError(f"target_shape {list(target)} has a size that is not positive",
                             "use positive sizes and at most one -1")
        src = s[1:]
        if None in src:
            return (s[0],) + tuple(None if d == -1 else d for d in target)
        size = mult(*src)
        known = mult(*(d for d in target if d != -1))
        if -1 not in target:
            if size != known:
                raise ShapeError(
                    f"cannot reshape {fmt_shape(src)} ({size} values) to {fmt_shape(target)} ({known} values)",
                    "the product of target_shape must equal the product of the input's non-batch axes",
                )
            return (s[0],) + target
        if size % known:
            raise ShapeError(f"cannot reshape {fmt_shape(src)} ({size} values) to {fmt_shape(target)}",
                             f"{size} is not divisible by {known}")
        return (s[0],) + tuple(size // known if d == -1 else d for d in target)

    def shape_rule(self, a, s, out):
        return f"Reshape rearranges the non-batch values {fmt_shape(s[1:])} as {fmt_shape(out[1:])}."

    def to_pytorch(self, a, s):
        """Both frameworks keep values in row-major order: nn.Flatten() then nn.Unflatten(1, target_shape)."""
        target = [-1 if d is None else d for d in a.target_shape]
        steps = [{"type": "Flatten", "$name": "" if len(target) == 1 else "flat"}]
        if len(target) > 1:
            steps.append({"type": "Unflatten", "dim": 1, "unflattened_size": target, "$name": ""})
        return Equivalent(tuple(steps))

    def forward(self, a, w, x, mask=None):
        per_sample = len(flatten(x[0])) if x else 0
        target = tuple(-1 if d is None else d for d in a.target_shape)
        if -1 in target:
            known = mult(*(d for d in target if d != -1))
            target = tuple(per_sample // known if d == -1 else d for d in target)
        return [reshape(flatten(sample), target) for sample in x]


class Permute(LayerType):
    """Reorders the non-batch axes; dims are 1-based (1 is the first non-batch axis)."""

    name, auto_name = "Permute", "permute"
    args = (Arg("dims", "intlist", doc="a permutation of 1..rank-1, e.g. [2, 1]", structural=True),)

    def to_pytorch(self, a, s):
        if tuple(a.dims) != (2, 1):
            raise NoEquivalent(f"Permute {list(a.dims)} has no step in lstmcalc's PyTorch dialect",
                               "only [2, 1] maps (to x.transpose(1, 2))")
        return Equivalent(({"type": "Transpose", "dim0": 1, "dim1": 2, "$name": ""},))

    def output_shape(self, a, s):
        dims = a.dims
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ShapeError(f"dims {list(dims)} is not a permutation of 1..{len(dims)}",
                             "list each non-batch axis once, counting from 1")
        if len(dims) != len(s) - 1:
            raise ShapeError(f"dims {list(dims)} permutes {len(dims)} axes but the input "
                             f"{fmt_shape(s)} has {len(s) - 1} non-batch axes")
        return (s[0],) + tuple(s[d] for d in dims)

    def shape_rule(self, a, s, out):
        return f"Permute puts input axes {list(a.dims)} in that order: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        return permute(x, (0, *a.dims))


class RepeatVector(LayerType):
    """Repeats a (batch, features) vector n times: (batch, n, features). The
    usual bridge from an encoder's last state to a decoder's timesteps."""

    name, auto_name = "RepeatVector", "repeat_vector"
    min_rank = max_rank = 2
    rank_hint = " (batch, features)"
    args = (Arg("n", "int", doc="number of repetitions (the new timestep axis)", minimum=1, structural=True),)

    def output_shape(self, a, s):
        self.check_rank(s)
        return (s[0], a.n, s[1])

    def shape_rule(self, a, s, out):
        return f"RepeatVector copies the {s[1]}-vector {a.n} times along a new timestep axis: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        return [[list(v) for _ in range(a.n)] for v in x]


class UpSampling1D(LayerType):
    """Repeats each timestep `size` times: (batch, steps, features) becomes
    (batch, steps × size, features). No weights."""

    name, auto_name = "UpSampling1D", "up_sampling1d"
    min_rank = max_rank = 3
    rank_hint = " (batch, steps, features)"
    args = (Arg("size", "int", 2, "how many times each step is repeated", minimum=1, structural=True),)

    def output_shape(self, a, s):
        self.check_rank(s)
        return (s[0], mult(s[1], a.size), s[2])

    def shape_rule(self, a, s, out):
        return f"each of the {s[1]} steps is repeated {a.size} times: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        return [[list(v) for v in seq for _ in range(a.size)] for seq in x]


class ZeroPadding1D(LayerType):
    """Adds rows of zeros before and after the steps axis."""

    name, auto_name = "ZeroPadding1D", "zero_padding1d"
    min_rank = max_rank = 3
    rank_hint = " (batch, steps, features)"
    args = (
        Arg("padding", "pair", 1, "zero steps added on each side: an int, or [before, after]", minimum=0,
            structural=True),
        DATA_FORMAT,
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        ax = 2 if channels_first(a) else 1
        length = None if s[ax] is None else s[ax] + sum(pair(a.padding))
        return s[:ax] + (length,) + s[ax + 1:]

    def shape_rule(self, a, s, out):
        before, after = pair(a.padding)
        ax = 2 if channels_first(a) else 1
        return f"{before} zero steps before and {after} after the {s[ax]} steps: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        before, after = pair(a.padding)
        if channels_first(a):
            return [[[0.0] * before + list(row) + [0.0] * after for row in sample] for sample in x]
        return [[[0.0] * len(seq[0])] * before + [list(v) for v in seq] + [[0.0] * len(seq[0])] * after
                for seq in x]


class Cropping1D(LayerType):
    """Removes steps from the start and the end of the steps axis."""

    name, auto_name = "Cropping1D", "cropping1d"
    min_rank = max_rank = 3
    rank_hint = " (batch, steps, features)"
    args = (Arg("cropping", "pair", (1, 1), "steps removed at the start and the end: an int, or [start, end]",
                minimum=0, structural=True),)

    def output_shape(self, a, s):
        self.check_rank(s)
        if s[1] is None:
            return s
        length = s[1] - sum(a.cropping)
        if length <= 0:
            raise ShapeError(f"cropping {list(a.cropping)} removes {sum(a.cropping)} of the {s[1]} steps, "
                             "leaving none", f"crop fewer than {s[1]} steps in all")
        return (s[0], length, s[2])

    def shape_rule(self, a, s, out):
        start, end = a.cropping
        return f"{start} steps removed at the start and {end} at the end of {s[1]}: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        start, end = a.cropping
        if sum(a.cropping) >= len(x[0]):
            raise ShapeError(f"cropping {list(a.cropping)} leaves none of the {len(x[0])} steps",
                             f"crop fewer than {len(x[0])} steps in all")
        return [[list(v) for v in seq[start:len(seq) - end]] for seq in x]
