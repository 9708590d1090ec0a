"""PyTorch pseudo steps that make a chain of tuple-returning modules:
`LastTimestep` (out[:, -1]), `HiddenState` (h_n[i] / c_n[i]) and `Transpose`.
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import (
    TorchModule,
)
from lstmcalc.run.tensor import flatten, permute, reshape, shape_of
from lstmcalc.shapes import fmt_shape

# -- pseudo steps ---------------------------------------------------------------------


class LastTimestep(TorchModule):
    """The last timestep of a recurrent module's output: output[:, -1] when
    it runs batch_first, output[-1] otherwise (batch_first defaults to the
    preceding recurrent module's; without one, to true). Not a torch module:
    the indexing a forward() method does."""

    name, auto_name = "LastTimestep", "last_timestep"
    factory = False
    args = (Arg("batch_first", "bool", None, "true: out[:, -1]; false: out[-1] (default: as the recurrent "
                "module before)", nullable=True, structural=True),)

    def output_shape(self, a, s):
        if len(s) < 2:
            raise ShapeError(f"LastTimestep needs an input with a time axis but got {fmt_shape(s)}")
        axis = self.axis(a)
        return s[:axis] + s[axis + 1:]

    @staticmethod
    def axis(a) -> int:
        return 0 if a.batch_first is False else 1

    def shape_rule(self, a, s, out):
        expr = "out[:, -1]" if self.axis(a) else "out[-1]"
        return f"{expr} drops the time axis (axis {self.axis(a)}): {fmt_shape(s)} → {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("return_sequences: false", 0, "Keras keeps only the last h_t inside the recurrent layer")

    def forward_code(self, a, xs):
        return f"{xs[0]}[:, -1]" if self.axis(a) else f"{xs[0]}[-1]"

    def keras_fold(self, a, source) -> None:
        """out[:, -1] of a one-direction module is return_sequences: false on its last Keras layer."""
        if not a.batch_first:
            raise NoEquivalent("out[-1] without batch_first", "write batch_first: true on the recurrent module")
        if source.args.bidirectional:
            raise NoEquivalent("out[:, -1] of a bidirectional module: its backward half has seen only the last "
                               "step, which no Keras layer returns",
                               "nearest: h_n, i.e. torch.cat([h_n[-2], h_n[-1]], -1), which is Keras's "
                               "Bidirectional without return_sequences")

    def forward(self, a, w, x, mask=None):
        return [sample[-1] for sample in x] if self.axis(a) else x[-1]


class HiddenState(TorchModule):
    """One entry of the final states of the recurrent module just before:
    h_n[index] (or c_n[index] for an LSTM). h_n is (D·num_layers, N, H_out),
    ordered layer 0 forward, layer 0 reverse, layer 1 forward, ...; h_n[-1]
    is the last layer's last direction (the reverse one when bidirectional)."""

    name, auto_name = "HiddenState", "hidden_state"
    factory = False
    uses_context = True
    args = (
        Arg("state", "choice", "h_n", "h_n (every module) or c_n (LSTM's cell state)", choices=("h_n", "c_n"),
            structural=True),
        Arg("index", "int", -1, "which layer and direction: an index into the first axis of the state",
            structural=True),
    )

    def output_shape(self, a, s):
        src = a.get("source")
        if src == "tensor":  # a graph names the state: inputs: 'lstm[1]' is h_n, (D·num_layers, N, H)
            if len(s) != 3:
                raise ShapeError(f"HiddenState indexes a state (D·num_layers, N, H), but its input is {fmt_shape(s)}",
                                 "name the module's h_n or c_n: inputs: 'lstm[1]' or 'lstm[2]'")
            if not -s[0] <= a.index < s[0]:
                raise ShapeError(f"index {a.index} is out of range for a state of shape {fmt_shape(s)}",
                                 f"use an index from {-s[0]} to {s[0] - 1}")
            return s[1:]
        if src is None:
            raise ShapeError("HiddenState must come right after an LSTM, GRU or RNN",
                             "move it after the recurrent module whose state it takes")
        t, sa = src
        if a.state == "c_n" and t.name != "LSTM":
            raise ShapeError(f"only an LSTM has a cell state c_n, not {t.name}", "use state: h_n")
        n = t.directions(sa) * sa.num_layers
        if not -n <= a.index < n:
            raise ShapeError(f"index {a.index} is out of range for {a.state} of shape ({n}, N, H)",
                             f"use an index from {-n} to {n - 1}")
        batch = s[0] if sa.batch_first else s[1]
        return (batch, sa.hidden_size if a.state == "c_n" else t.out_size(sa))

    def shape_rule(self, a, s, out):
        if a.source == "tensor":
            return f"the state is {fmt_shape(s)}, (D·num_layers, N, H); [{a.index}] picks one: {fmt_shape(out)}."
        t, sa = a.source
        n = t.directions(sa) * sa.num_layers
        which = ""
        if a.index in (-1, n - 1):
            which = " (the last layer's" + (" backward direction)" if t.directions(sa) > 1 else ")")
        elif a.index in (0, -n):
            which = " (the first layer's" + (" forward direction)" if t.directions(sa) > 1 else ")")
        return (f"{a.state} is (D·num_layers, N, H) = {fmt_shape((n,) + tuple(out))}, batch second whatever "
                f"batch_first says; {a.state}[{a.index}]{which} is {fmt_shape(out)}.")

    def keras_equivalent(self, a, s, out):
        return ("return_state / last h_t", 0, "Keras returns the last state of its last layer")

    def forward_code(self, a, xs):
        return f"{xs[0]}[{a.index}]"  # xs[0]: the state itself (h_n or c_n)

    def keras_fold(self, a, source) -> None:
        """h_n[-1] of a one-direction module is return_sequences: false on its last Keras layer."""
        n = source.type.directions(source.args) * source.args.num_layers
        if a.state != "h_n" or source.args.bidirectional or a.index % n != n - 1:
            raise NoEquivalent(f"{a.state}[{a.index}] of this module: Keras returns states per layer "
                               "(return_state), not stacked", "take h_n[-1] of a one-direction module")

    def forward(self, a, w, x, mask=None, context=None):
        if a.source == "tensor":
            return x[a.index]
        return context["states"][a.state][a.index]


class Transpose(TorchModule):
    """x.transpose(dim0, dim1): swaps two axes (batch axis included), e.g.
    (N, L, C) ↔ (N, C, L) between a recurrent module and a Conv1d."""

    name, auto_name = "Transpose", "transpose"
    factory = False
    args = (Arg("dim0", "int", doc="first axis (batch axis included; negative counts from the end)",
                structural=True),
            Arg("dim1", "int", doc="second axis", structural=True))

    def dims(self, a, rank: int) -> tuple[int, int]:
        for d in (a.dim0, a.dim1):
            if not -rank <= d < rank:
                raise ShapeError(f"dimension {d} is out of range for a {rank}-D input",
                                 f"use a dimension from {-rank} to {rank - 1}")
        return a.dim0 % rank, a.dim1 % rank

    def output_shape(self, a, s):
        d0, d1 = self.dims(a, len(s))
        out = list(s)
        out[d0], out[d1] = s[d1], s[d0]
        return tuple(out)

    def shape_rule(self, a, s, out):
        return f"axes {a.dim0} and {a.dim1} swap places: {fmt_shape(s)} → {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("Permute", 0, "no weights")

    def forward_code(self, a, xs):
        return f"{xs[0]}.transpose({a.dim0}, {a.dim1})"

    def to_keras(self, a, s):
        if len(s) != 3 or set(self.dims(a, 3)) != {1, 2}:
            raise NoEquivalent(f"transpose({a.dim0}, {a.dim1}) moves the batch axis or a 4-D axis",
                               "only transpose(1, 2) of a 3-D tensor maps (to Permute((2, 1)))")
        return Equivalent(({"type": "Permute", "dims": [2, 1], "$name": ""},))

    def forward(self, a, w, x, mask=None):
        rank = len(shape_of(x))
        d0, d1 = self.dims(a, rank)
        perm = list(range(rank))
        perm[d0], perm[d1] = d1, d0
        return permute(x, tuple(perm))


class Unsqueeze(TorchModule):
    """x.unsqueeze(dim): a new axis of size 1 (a Keras state (N, H) as torch's (1, N, H) for hx)."""

    name, auto_name = "Unsqueeze", "unsqueeze"
    factory = False
    args = (Arg("dim", "int", doc="where the new axis goes (batch axis included)", structural=True),)

    def output_shape(self, a, s):
        if not -len(s) - 1 <= a.dim <= len(s):
            raise ShapeError(f"dim {a.dim} is out of range for a {len(s)}-D input")
        d = a.dim % (len(s) + 1)
        return s[:d] + (1,) + s[d:]

    def keras_equivalent(self, a, s, out):
        return ("no layer", None, "Keras states carry no layer axis")

    def forward_code(self, a, xs):
        return f"{xs[0]}.unsqueeze({a.dim})"

    def forward(self, a, w, x, mask=None):
        def at(v, depth):
            return [v] if depth == 0 else [at(u, depth - 1) for u in v]

        return at(x, a.dim % (len(shape_of(x)) + 1))


class Unflatten(TorchModule):
    """nn.Unflatten: splits axis `dim` (batch axis included in the numbering) into `unflattened_size`,
    one of which may be −1 (inferred). Unflatten(0, (-1, T)) undoes Flatten(0, 1), which merged the batch
    and time axes so that a 2-D module runs on every frame (Keras's TimeDistributed)."""

    name, auto_name, torch_name = "Unflatten", "unflatten", "nn.Unflatten"
    factory = False
    code_positional = ("dim", "unflattened_size")
    args = (Arg("dim", "int", doc="the axis to split", structural=True),
            Arg("unflattened_size", "intlist", doc="the sizes it splits into (one may be -1)", structural=True))

    def axis(self, a, s) -> int:
        if not -len(s) <= a.dim < len(s):
            raise ShapeError(f"dimension {a.dim} is out of range for a {len(s)}-D input",
                             f"use a dimension from {-len(s)} to {len(s) - 1}")
        return a.dim % len(s)

    def sizes(self, a, n: int | None) -> tuple:
        sizes = tuple(a.unflattened_size)
        if sizes.count(-1) > 1 or any(d < -1 or d == 0 for d in sizes):
            raise ShapeError(f"unflattened_size {list(sizes)} may hold one -1 and otherwise positive sizes")
        known = 1
        for d in sizes:
            known *= d if d != -1 else 1
        if -1 in sizes:
            if n is None:
                return tuple(None if d == -1 else d for d in sizes)
            if n % known:
                raise ShapeError(f"the axis of {n} does not split into {list(sizes)}",
                                 f"use sizes whose product divides {n}")
            return tuple(n // known if d == -1 else d for d in sizes)
        if n is not None and known != n:
            raise ShapeError(f"unflattened_size {list(sizes)} holds {known} values but the axis has {n}",
                             f"use sizes whose product is {n}")
        return sizes

    def output_shape(self, a, s):
        k = self.axis(a, s)
        return s[:k] + self.sizes(a, s[k]) + s[k + 1:]

    def shape_rule(self, a, s, out):
        k = self.axis(a, s)
        return f"axis {k} of {fmt_shape(s)} splits into {fmt_shape(out[k:k + len(a.unflattened_size)])}: " \
               f"{fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("Reshape", 0, "no weights")

    def forward(self, a, w, x, mask=None):
        return reshape(flatten(x), self.output_shape(a, shape_of(x)))
