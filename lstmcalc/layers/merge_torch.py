"""The PyTorch dialect's merges: `Cat` stands for torch.cat(inputs, dim) and
`Add` for inputs[0] + inputs[1] + ... (torch's broadcasting). Neither is an
nn.Module and neither has parameters.

Unlike Keras, torch has no batch axis of its own: every axis, the batch axis
included, obeys the same rules. A variable (None) size against a known size
k > 1 is taken to be k (the only size torch would run with); the concrete
shapes of `run` and `verify` are checked exactly.
"""

from __future__ import annotations

from functools import reduce
from operator import add

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import mult
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.merge import broadcast_to, concat, join_axis, zip_with
from lstmcalc.layers.torch_base import TorchModule
from lstmcalc.run.tensor import shape_of
from lstmcalc.shapes import fmt_shape


class TorchMerge(TorchModule):
    takes_list = True
    factory = False

    def keras_equivalent(self, a, s, out):
        return (self.keras_name, 0, "no weights")

    def keras_args(self, a, s) -> dict:
        return {}

    def to_keras(self, a, s):
        return Equivalent(({"type": self.keras_name, **self.keras_args(a, s), "$name": ""},))


class Cat(TorchMerge):
    """torch.cat(inputs, dim): tensors of one rank whose sizes agree on every
    axis but `dim` (counted with the batch axis, negative from the end) are
    joined along it; e.g. (N, 5, 3) and (N, 5, 4) with dim=-1 give (N, 5, 7)."""

    name, auto_name, torch_name, keras_name = "Cat", "cat", "torch.cat", "Concatenate"
    args = (Arg("dim", "int", 0, "axis to join along, batch axis included (torch's default 0)", structural=True),)

    def forward_code(self, a, xs):
        return f"torch.cat([{', '.join(xs)}], dim={a.dim})"

    def keras_args(self, a, s):
        if self.dim(a, s) == 0:
            raise NoEquivalent("torch.cat along the batch axis has no Keras layer", "cat along another dim")
        return {"axis": a.dim}

    def dim(self, a, s) -> int:
        return join_axis(a.dim, s, "torch.cat", "dim")

    def output_shape(self, a, s):
        d = self.dim(a, s)
        out = list(s[0])
        for k in range(len(out)):
            sizes = {shape[k] for shape in s}
            if k == d:
                out[k] = None if None in sizes else sum(shape[k] for shape in s)
            elif len(sizes - {None}) > 1:
                raise ShapeError(f"torch.cat on dim {a.dim}: sizes of axis {k} differ in {fmt_shape(list(s))}",
                                 "cat along the axis that differs, or reshape the inputs")
            else:
                out[k] = max(sizes - {None}, default=None)
        return tuple(out)

    def shape_rule(self, a, s, out):
        d = self.dim(a, s)
        sizes = " + ".join(str(shape[d]) for shape in s)
        return f"torch.cat joins {len(s)} tensors along dim {d}: {sizes} = {out[d]}, so {fmt_shape(out)}."

    def notes(self, a, s, out):
        return ["No parameters: torch.cat only places tensors side by side.",
                "To Keras: Concatenate(axis=dim); Keras's axis counts the batch axis the same way, but its "
                "default is -1 where torch.cat's is 0 (the batch axis)."]

    def forward(self, a, w, x, mask=None):
        return concat(x, self.dim(a, [shape_of(v) for v in x]))


class Add(TorchMerge):
    """inputs[0] + inputs[1] + ...: torch's broadcasting, shapes aligned on the
    right with every axis alike; (N, 1, 4) + (N, 5, 4) gives (N, 5, 4)."""

    name, auto_name, torch_name, keras_name = "Add", "add", "+", "Add"

    def output_shape(self, a, s):
        rank = max(len(shape) for shape in s)
        out = [1] * rank
        for shape in s:
            for k, d in enumerate((1,) * (rank - len(shape)) + tuple(shape)):
                if d in (out[k], 1, None) and not (d is None and out[k] == 1):
                    continue
                if out[k] in (1, None):
                    out[k] = d
                    continue
                raise ShapeError(f"the shapes {fmt_shape(list(s))} do not broadcast: sizes {out[k]} and {d} meet "
                                 f"at axis {k - rank} (torch aligns shapes on the right, batch axis included)",
                                 "give the inputs the same shape, or size 1 on the axes to repeat")
        return tuple(out)

    def forward_code(self, a, xs):
        return " + ".join(xs)

    def keras_args(self, a, s):
        if len(set(s)) > 1:
            raise NoEquivalent("+ of different shapes: Keras and torch broadcast differently",
                               "give the inputs the same shape")
        return {}

    def shape_rule(self, a, s, out):
        if len(set(s)) == 1:
            return f"torch's + adds {len(s)} tensors of shape {fmt_shape(out)} value by value: {fmt_shape(out)}."
        return (f"torch's + broadcasts {', '.join(fmt_shape(x) for x in s)} (aligned on the right; sizes of 1 repeat): "
                f"{fmt_shape(out)}.")

    def elementwise_ops(self, a, s, out):
        size = mult(*out[1:])
        return None if size is None else size * (len(s) - 1)

    def notes(self, a, s, out):
        return ["No parameters: + adds values position by position (a residual connection, for example).",
                "To Keras: Add(); Keras's broadcasting keeps the batch axes together (a lower-rank input gains "
                "axes after the batch axis), torch's aligns every axis on the right."]

    def forward(self, a, w, x, mask=None):
        shape = self.output_shape(a, [shape_of(v) for v in x])
        return zip_with(lambda *v: reduce(add, v), *(broadcast_to(v, shape) for v in x))
