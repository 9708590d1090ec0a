"""PyTorch tensor methods that `forward()` code calls between modules, as
pseudo steps (no parameters): `View` (x.view / x.reshape), `Permute`
(x.permute), `Select` (x[i] on one axis, x.select(dim, i)), `Mean`
(x.mean(dim)) and `Scale` (x * number, x / number). The PyTorch source reader (lstmcalc/sources/python_torch.py)
writes them; a spec may write them too.

Every axis counts the batch axis, as torch counts it.
"""

from __future__ import annotations

from functools import reduce
from operator import mul

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.torch_base import TorchModule
from lstmcalc.run.tensor import permute, shape_of
from lstmcalc.shapes import fmt_shape


def _flat(x) -> list:
    return [v for u in x for v in _flat(u)] if isinstance(x, list) else [x]


def _nest(values: list, shape: tuple):
    if not shape:
        return values[0]
    step = len(values) // shape[0] if shape[0] else 0
    return [_nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _axis(d: int, rank: int, what: str) -> int:
    if not -rank <= d < rank:
        raise ShapeError(f"{what} {d} is out of range for a {rank}-D input", f"use a dim from {-rank} to {rank - 1}")
    return d % rank


class View(TorchModule):
    """x.view(*shape) or x.reshape(*shape): the same values in a new shape,
    batch axis included. One entry may be -1 (the size that makes the count
    fit); null stands for the batch size N (torch code writes x.size(0)),
    the size of input axis `batch_axis`. (N, 50, 64).view(N, -1) is
    (N, 3200)."""

    name, auto_name = "View", "view"
    factory = False
    args = (Arg("shape", "intlist", doc="the new shape, batch axis included; -1 once at most; null: the batch "
                "size N", nullable=True, structural=True),
            Arg("batch_axis", "int", 0, "which axis of the input is the batch axis (what null stands for)",
                minimum=0, structural=True))

    def output_shape(self, a, s):
        shape = list(a.shape)
        if shape.count(-1) > 1 or any(d is not None and d < -1 for d in shape):
            raise ShapeError(f"view: {shape} has more than one -1 or a negative size", "write the sizes out")
        k = shape.count(None)
        if k and a.batch_axis >= len(s):
            raise ShapeError(f"view: batch_axis {a.batch_axis} is past the input's {len(s)} axes")
        n = s[a.batch_axis] if k else 1
        rest = [d for i, d in enumerate(s) if not (k and i == a.batch_axis)]
        known = None if None in rest else reduce(mul, rest, 1)
        fixed = reduce(mul, [d for d in shape if d is not None and d != -1], 1)
        # values in: n · known; values out: n^k · fixed · m, where m is the -1 entry (1 without one)
        if known is None or (k > 1 and n is None):
            m = None
        else:
            have, want = (known, fixed) if k <= 1 else (n * known, n ** k * fixed)
            m = have // want if want else 0
            if have != want * (m if -1 in shape else 1):
                raise ShapeError(f"shape {list(a.shape)} is invalid for an input of shape {fmt_shape(s)}: the "
                                 "number of values differs", "make the sizes multiply to the input's size, or use -1")
        return tuple(n if d is None else m if d == -1 else d for d in shape)

    def shape_rule(self, a, s, out):
        return f"view keeps the values and their order: {fmt_shape(s)} → {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("Reshape", 0, "no weights")

    def forward_code(self, a, xs):
        dims = ", ".join(f"{xs[0]}.size({a.batch_axis})" if d is None else str(d) for d in a.shape)
        return f"{xs[0]}.reshape({dims})"

    def forward(self, a, w, x, mask=None):
        shape = self.output_shape(a, shape_of(x))
        return _nest(_flat(x), shape)


class Permute(TorchModule):
    """x.permute(*dims): axis i of the output is axis dims[i] of the input,
    batch axis included; (N, 50, 10).permute(0, 2, 1) is (N, 10, 50)."""

    name, auto_name = "Permute", "permute"
    factory = False
    args = (Arg("dims", "intlist", doc="a permutation of the input's axes, batch axis included (negative from "
                "the end)", structural=True),)

    def perm(self, a, rank: int) -> tuple:
        if len(a.dims) != rank:
            raise ShapeError(f"permute needs {rank} dims for a {rank}-D input, got {list(a.dims)}")
        perm = tuple(_axis(d, rank, "dim") for d in a.dims)
        if sorted(perm) != list(range(rank)):
            raise ShapeError(f"{list(a.dims)} is not a permutation of the {rank} axes", "name every axis once")
        return perm

    def output_shape(self, a, s):
        return tuple(s[d] for d in self.perm(a, len(s)))

    def shape_rule(self, a, s, out):
        return f"the axes are put in the order {list(a.dims)}: {fmt_shape(s)} → {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("Permute", 0, "no weights")

    def forward_code(self, a, xs):
        return f"{xs[0]}.permute({', '.join(str(d) for d in a.dims)})"

    def forward(self, a, w, x, mask=None):
        return permute(x, self.perm(a, len(shape_of(x))))


class Select(TorchModule):
    """x.select(dim, index), i.e. x[index] on axis `dim` (x[:, 0] is dim 1,
    index 0): that axis goes away; (N, 50, 64) with dim 1 gives (N, 64)."""

    name, auto_name = "Select", "select"
    factory = False
    args = (Arg("dim", "int", 0, "the axis indexed, batch axis included", structural=True),
            Arg("index", "int", -1, "the position taken on that axis (negative from the end)", structural=True))

    def output_shape(self, a, s):
        d = _axis(a.dim, len(s), "dim")
        if s[d] is not None and not -s[d] <= a.index < s[d]:
            raise ShapeError(f"index {a.index} is out of range for axis {d} of size {s[d]}",
                             f"use an index from {-s[d]} to {s[d] - 1}")
        return s[:d] + s[d + 1:]

    def shape_rule(self, a, s, out):
        return f"[{a.index}] on axis {a.dim} drops that axis: {fmt_shape(s)} → {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("no layer", 0, "Keras indexes tensors with ops, not layers")

    def forward_code(self, a, xs):
        return f"{xs[0]}.select({a.dim}, {a.index})"

    def forward(self, a, w, x, mask=None):
        d = a.dim % len(shape_of(x))

        def at(v, depth):
            return v[a.index] if depth == 0 else [at(u, depth - 1) for u in v]

        return at(x, d)


class Mean(TorchModule):
    """x.mean(dim, keepdim): the average along one axis (a pooling over
    time: (N, 50, 64).mean(dim=1) is (N, 64)); keepdim keeps it as size 1."""

    name, auto_name = "Mean", "mean"
    factory = False
    args = (Arg("dim", "int", doc="the axis averaged, batch axis included", structural=True),
            Arg("keepdim", "bool", False, "keep the axis with size 1", structural=True))

    def output_shape(self, a, s):
        d = _axis(a.dim, len(s), "dim")
        return s[:d] + ((1,) if a.keepdim else ()) + s[d + 1:]

    def shape_rule(self, a, s, out):
        return f"averaging along axis {a.dim} {'keeps it as 1' if a.keepdim else 'drops it'}: {fmt_shape(s)} → " \
               f"{fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("GlobalAveragePooling1D", 0, "no weights")

    def forward_code(self, a, xs):
        return f"{xs[0]}.mean(dim={a.dim}, keepdim={a.keepdim})"

    def forward(self, a, w, x, mask=None):
        rank = len(shape_of(x))
        d = a.dim % rank

        def mean(v, depth):
            if depth > 0:
                return [mean(u, depth - 1) for u in v]
            n = len(v)
            total = v[0]
            for u in v[1:]:
                total = _add(total, u)
            avg = _scale(total, 1.0 / n)
            return [avg] if a.keepdim else avg

        return mean(x, d)


class Scale(TorchModule):
    """x * factor (or x / number): every value multiplied by a constant, as the Transformer tutorials
    scale an embedding by sqrt(d_model). The shape is kept; no weights."""

    name, auto_name = "Scale", "scale"
    factory = False
    args = (Arg("factor", "float", doc="the constant every value is multiplied by (1 / d for x / d)",
                structural=True),)

    def output_shape(self, a, s):
        return s

    def shape_rule(self, a, s, out):
        return f"multiplying every value by {a.factor:g} keeps the shape: {fmt_shape(s)} → {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return (f"Rescaling(scale={a.factor:g})", 0, "no weights")

    def forward_code(self, a, xs):
        return f"{xs[0]} * {a.factor!r}"

    def forward(self, a, w, x, mask=None):
        return _scale(x, a.factor)


def _add(x, y):
    return [_add(u, v) for u, v in zip(x, y)] if isinstance(x, list) else x + y


def _scale(x, k):
    return [_scale(u, k) for u in x] if isinstance(x, list) else x * k
