"""Wrappers: Bidirectional and TimeDistributed.

A wrapper holds another layer (`layer:` in the spec). The builder builds its
children first (each a full layer record with its own shapes and weights)
and the wrapper combines them; its weights are its children's.
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, LayerType, initial_states, total_or_none
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.rnn_cells import cells_of
from lstmcalc.run.tensor import add, hadamard
from lstmcalc.shapes import fmt_shape


def recurrent(layer) -> bool:
    """Whether Bidirectional can wrap the layer: LSTM, GRU, SimpleRNN, ConvLSTM, or RNN over cells."""
    return bool(getattr(layer.type, "gates", None)) or layer.type.name == "RNN"


def state_labels(layer) -> list[str]:
    """The names of a recurrent layer's states, in order (RNN: every cell's, `lstm_cell's h`)."""
    t = layer.type
    if hasattr(t, "cell_states"):
        return [f"{cell}'s {n}" for n, _, cell in t.cell_states(layer.args)]
    return t.state_names()


def units(layer) -> int:
    """The width of a recurrent layer's output (RNN: its last cell's units)."""
    return layer.type.out_units(layer.args)


class Wrapper(LayerType):
    wrapper = True
    supports_masking = True

    def children(self, a, s) -> list[tuple[str, object, tuple]]:
        """(role, child layer spec, child input shape) for each wrapped layer."""
        raise NotImplementedError

    def formula_from(self, a, kids) -> Formula:
        if len(kids) == 1:
            return kids[0].formula
        syms = " + ".join(f"{k.role}" for k in kids)
        nums = " + ".join(f"{k.params:,}" for k in kids)
        return Formula(f"{syms}   (each counted as its own layer)", nums, sum(k.params for k in kids))

    def macs_from(self, a, s, kids):
        return total_or_none(k.macs for k in kids)


class Bidirectional(Wrapper):
    """Runs a recurrent layer over the sequence twice, forwards and backwards,
    with two independent sets of weights, and merges the two outputs."""

    call_args = ("initial_state", "mask", "training")
    mask_arg = True

    name, auto_name = "Bidirectional", "bidirectional"
    args = (
        Arg("layer", "layer", doc="the recurrent layer to run in both directions (LSTM, GRU, SimpleRNN, RNN)",
            structural=True),
        Arg("merge_mode", "choice", "concat", "how to merge the two outputs: concat doubles the last "
            "axis; sum, mul, ave keep it", choices=("concat", "sum", "mul", "ave"), nullable=True,
            structural=True),
        Arg("weights", "object", None, "initial weights"),
        Arg("backward_layer", "layer", None, "an explicit layer for the backward direction",
            nullable=True, structural=True),
    )

    def directions(self, a):
        """The forward and backward layer specs, as Keras derives them."""
        inner = a.layer
        if not recurrent(inner):
            raise ShapeError(f"Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN, RNN), not "
                             f"{inner.type.name}", "wrap an LSTM, GRU, SimpleRNN or RNN")
        forward = inner._replace(name="forward_" + inner.name.removeprefix("forward_"))
        if a.backward_layer is None:
            backward = inner._replace(name="backward_" + inner.name.removeprefix("backward_"),
                               args=inner.args.replace(go_backwards=True))
        else:
            backward = a.backward_layer
            if not recurrent(backward):
                raise ShapeError(f"backward_layer must be a recurrent layer, not {backward.type.name}")
        fa, ba = forward.args, backward.args
        if fa.go_backwards == ba.go_backwards:
            raise ShapeError("the forward and backward layers have the same go_backwards value",
                             "set go_backwards: true on backward_layer")
        for attr in ("stateful", "return_sequences", "return_state"):
            if fa.get(attr) != ba.get(attr):
                raise ShapeError(f"the forward and backward layers differ in {attr}",
                                 f"give both the same {attr}")
        # Keras gives the two directions zeros at masked steps when returning sequences
        zero = {"zero_output_for_mask": fa.return_sequences}
        return (forward._replace(args=fa.replace(**zero)), backward._replace(args=ba.replace(**zero)))

    def children(self, a, s):
        f, b = self.directions(a)
        return [("forward", f, s), ("backward", b, s)]

    def combine(self, a, s, kids):
        # Keras 3's compute_output_shape reads the forward layer only: the
        # backward output and states are reported with the forward layer's
        # shapes, even when an explicit backward_layer has another width or type.
        fo = kids[0].output_shape
        states = []
        if isinstance(fo, list):  # return_state: [output, states...]
            fo, *states = fo
        if a.merge_mode is None:
            return [fo, fo, *states, *states]
        if a.merge_mode == "concat":
            out = fo[:-1] + (None if fo[-1] is None else 2 * fo[-1],)
        else:  # unequal widths fail only when run
            out = fo
        return [out, *states, *states] if states else out

    def notes(self, a, s, out):
        f, b = self.directions(a)
        fw, bw = units(f), units(b)
        if a.backward_layer is None or (fw == bw and f.type is b.type):
            return []
        kinds = "" if f.type is b.type else f" ({f.type.name} forward, {b.type.name} backward)"
        shown = {None: "both outputs", "concat": "the concatenated output", "sum": "the merged output",
                 "mul": "the merged output", "ave": "the merged output"}[a.merge_mode]
        states = " and the backward states" if f.args.return_state else ""
        return [f"The backward layer has {bw} units and the forward layer {fw}{kinds}. Keras 3 computes the "
                f"output shape from the forward layer alone, so {shown}{states} are reported with the forward "
                f"layer's width ({fw}); lstmcalc shows what Keras shows. When the model runs, the backward "
                f"tensors have {bw} units" + (", and merging unequal widths fails." if a.merge_mode in
                                                ("sum", "mul", "ave") else ".")]

    def shape_rule(self, a, s, out):
        f = units(a.layer)
        main = out[0] if a.layer.args.return_state or a.merge_mode is None else out
        if a.merge_mode == "concat":
            rule = (f"both directions give {f} units per step; merge_mode concat puts them side by side: "
                    f"last axis {f} + {f} = {main[-1]}, {fmt_shape(main)}.")
        elif a.merge_mode is None:
            rule = ("merge_mode null keeps the two directions apart: the forward output, then the backward "
                    f"output, each {fmt_shape(main)}.")
        else:
            rule = f"merge_mode {a.merge_mode} combines the two directions elementwise: {fmt_shape(main)}."
        if not isinstance(out, list):
            return rule
        names = self.output_names(a, out)
        listed = "; ".join(f"[{k}] {name} {fmt_shape(shape)}" for k, (name, shape) in enumerate(zip(names, out)))
        return f"{rule} The layer returns a list of {len(out)} tensors: {listed}."

    def output_names(self, a, out):
        f, b = self.directions(a)
        steps = "at every step" if f.args.return_sequences else "at its last step"
        if a.merge_mode is None:
            names = [f"the forward layer's output ({steps})", f"the backward layer's output ({steps})"]
        else:
            names = [f"the output: both directions merged by {a.merge_mode} ({steps})"]
        if f.args.return_state:
            names += [f"the forward layer's final {n}" for n in state_labels(f)]
            names += [f"the backward layer's final {n}" for n in state_labels(b)]
        return names

    def check_call(self, a, s, out, call):
        """initial_state: the forward layer's states, then the backward layer's (Keras splits the list in half)."""
        states = initial_states(call)
        if states is None:
            return []
        f, b = self.directions(a)
        half = len(states) // 2  # Keras gives the first half to the forward layer, the rest to the backward
        if half < f.type.state_count(f.args) or len(states) - half < b.type.state_count(b.args):
            names = [f"forward {n}" for n in state_labels(f)] + [f"backward {n}" for n in state_labels(b)]
            raise ShapeError(f"Bidirectional({f.type.name}) takes {len(names)} initial state tensors "
                             f"[{', '.join(names)}], got {len(states)}",
                             "list the forward layer's states, then the backward layer's")
        return (f.type.check_call(f.args, s, out, {"initial_state": states[:half]})
                + b.type.check_call(b.args, s, out, {"initial_state": states[half:]}))

    def forward(self, a, w, x, mask=None, initial_state=None):
        f, b = self.directions(a)
        half = None if initial_state is None else len(initial_state) // 2
        y_f = f.type.forward(f.args, w["forward"], x, mask, None if half is None else initial_state[:half])
        y_b = b.type.forward(b.args, w["backward"], x, mask, None if half is None else initial_state[half:])
        f_states = b_states = []
        if f.args.return_state:
            (y_f, *f_states), (y_b, *b_states) = y_f, y_b
        if f.args.return_sequences:
            y_b = [list(reversed(seq)) for seq in y_b]  # back to forward time order
        if a.merge_mode is None:
            return [y_f, y_b, *f_states, *b_states]
        merge = {
            "concat": lambda u, v: u + v,
            "sum": add,
            "mul": hadamard,
            "ave": lambda u, v: [(p + q) / 2.0 for p, q in zip(u, v)],
        }[a.merge_mode]
        if f.args.return_sequences:
            y = [[merge(u, v) for u, v in zip(sf, sb)] for sf, sb in zip(y_f, y_b)]
        else:
            y = [merge(u, v) for u, v in zip(y_f, y_b)]
        return [y, *f_states, *b_states] if f_states else y

    def compute_mask(self, a, x, mask):
        return mask if a.layer.args.return_sequences else None

    def to_pytorch(self, a, s):
        """One bidirectional module. Without return_sequences the two final states are h_n[-2] (forward,
        the whole sequence) and h_n[-1] (backward, the whole sequence read from the end); out[:, -1]
        would be wrong: its backward half has seen only the last step."""
        inner = a.layer
        if a.backward_layer is not None:
            raise NoEquivalent("an explicit backward_layer has no nn.LSTM(bidirectional=True) equivalent",
                               "nearest: leave backward_layer out (the same layer, run backwards)")
        step = {**inner.type.torch_module_args(inner.args, s), "bidirectional": True}
        if step.get("num_layers", 1) > 1:
            raise NoEquivalent("stacked cells run in each direction on their own, while the second layer of "
                               "nn.LSTM(bidirectional=True, num_layers=2) reads both directions of the first",
                               "nearest: one Bidirectional per cell (return_sequences: true on all but the last), "
                               "which is torch's stacking: a different model that must be trained again")
        merge = {"concat": {"type": "Cat", "dim": -1, "$name": "cat"}, "sum": {"type": "Add", "$name": "sum"}}
        if inner.args.return_sequences:
            if a.merge_mode != "concat":
                raise NoEquivalent(f"merge_mode {a.merge_mode} with return_sequences: torch always concatenates "
                                   "the two directions", "nearest: merge_mode: concat")
            steps, outputs = [step], ["$0"]
        else:
            if a.merge_mode not in merge:
                raise NoEquivalent(f"merge_mode {a.merge_mode} has no module in lstmcalc's PyTorch dialect",
                                   "nearest: merge_mode: concat or sum")
            steps = [step, {"type": "HiddenState", "index": -2, "inputs": "$0[1]", "$name": "last_forward"},
                     {"type": "HiddenState", "index": -1, "inputs": "$0[1]", "$name": "last_backward"},
                     {**merge[a.merge_mode], "inputs": ["$1", "$2"]}]
            outputs = ["$3"]
        if inner.args.return_state:  # forward h (, c), then backward h (, c): h_n[0], c_n[0], h_n[1], c_n[1]
            names = inner.type.state_names() if inner.type.name != "RNN" else \
                cells_of(inner.args)[0][0].type.state_names()  # one cell: stacked cells are refused above
            for d, direction in enumerate(("forward", "backward")):
                for k, state in enumerate(names):
                    steps.append({"type": "HiddenState", "index": d, "inputs": f"$0[{k + 1}]",
                                  "$name": f"{state}_{direction}"})
                    outputs.append(f"${len(steps) - 1}")
        return Equivalent(tuple(steps), tuple(outputs), weights=0)

    def torch_weights(self, a, s, w):
        inner = a.layer
        return {**inner.type.torch_weights(inner.args, s, w["forward"]),
                **inner.type.torch_weights(inner.args, s, w["backward"], "_reverse")}

    def from_torch_weights(self, a, s, sd):
        inner = a.layer
        return {"forward": inner.type.from_torch_weights(inner.args, s, sd),
                "backward": inner.type.from_torch_weights(inner.args, s, sd, "_reverse")}

    def symbolic_mask(self, a, k, x, mask):
        """Keras's Bidirectional.compute_mask: one mask per direction with merge_mode None, None for states."""
        mask = mask[0] if isinstance(mask, list) else mask
        inner = a.layer.args
        out = mask if inner.return_sequences else None
        out = [out, out] if a.merge_mode is None else out
        if inner.return_state:
            states = [None] * (2 * a.layer.type.state_count(a.layer.args))
            return (out if isinstance(out, list) else [out]) + states
        return out


class TimeDistributed(Wrapper):
    """Applies the same layer, with the same weights, to every timestep of a
    (batch, timesteps, ...) input: the child sees (batch, ...)."""

    name, auto_name = "TimeDistributed", "time_distributed"
    mask_arg = True  # its call takes the mask for the wrapped layer; the output keeps it (Keras 3 graphs show it)
    min_rank = 3
    rank_hint = " (batch, timesteps, ...)"
    args = (Arg("layer", "layer", doc="the layer applied at each timestep", structural=True),)

    def children(self, a, s):
        self.check_rank(s)
        return [("layer", a.layer, (s[0],) + s[2:])]

    def combine(self, a, s, kids):
        out = kids[0].output_shape
        if isinstance(out, list):
            inner = a.layer
            raise ShapeError(f"TimeDistributed wraps a layer with one output, but {inner.type.name} "
                             f"'{inner.name}' returns {len(out)} tensors {fmt_shape(out)} "
                             "(Keras refuses it when it builds the model)",
                             "remove return_state from the wrapped layer"
                             if inner.args.get("return_state") else "set merge_mode on the wrapped layer")
        return (out[0], s[1]) + out[1:]

    def macs_from(self, a, s, kids):
        per_step = super().macs_from(a, s, kids)
        return None if per_step is None or s[1] is None else s[1] * per_step

    def shape_rule(self, a, s, out):
        steps = "timestep axis (variable: None) is" if s[1] is None else f"{s[1]} timesteps are"
        return (f"the wrapped {a.layer.type.name} maps each timestep's {fmt_shape(s[2:])} to "
                f"{fmt_shape(out[2:])}, with the same weights at every step; the {steps} kept: {fmt_shape(out)}.")

    def to_pytorch(self, a, s):
        """torch's Linear, Dropout and activations act on the last axis: no wrapper needed. Any other layer
        runs on every frame as torch does it: Flatten(0, 1) merges the batch and time axes, the layer's
        modules run on (N·T, ...), and Unflatten(0, (-1, T)) splits them again."""
        inner = a.layer
        if inner.type.name in ("Dense", "Dropout", "Activation"):
            return inner.type.to_pytorch(inner.args, s)
        if s[1] is None:
            raise NoEquivalent(f"TimeDistributed({inner.type.name}) over a variable number of steps: "
                               "Unflatten(0, (-1, T)) needs T", "give the time axis a size in input.shape")
        eq = inner.type.to_pytorch(inner.args, (s[0],) + s[2:])
        if len(eq.outputs) > 1 or any("inputs" in step for step in eq.steps):
            raise NoEquivalent(f"TimeDistributed({inner.type.name}): its PyTorch equivalent is not a chain",
                               "write the per-frame module by hand")
        steps = ({"type": "Flatten", "start_dim": 0, "end_dim": 1, "$name": "frames"}, *eq.steps,
                 {"type": "Unflatten", "dim": 0, "unflattened_size": [-1, s[1]], "$name": "steps"})
        return Equivalent(steps, weights=None if eq.weights is None else eq.weights + 1, note=eq.note)

    def torch_weights(self, a, s, w):
        return a.layer.type.torch_weights(a.layer.args, s, w)

    def from_torch_weights(self, a, s, sd):
        return a.layer.type.from_torch_weights(a.layer.args, s, sd)

    def forward(self, a, w, x, mask=None):
        inner = a.layer
        # move time to the front, run the child on each (batch, ...) slice, move it back
        steps = len(x[0]) if x else 0
        per_step = []
        for t in range(steps):
            xt = [sample[t] for sample in x]
            mt = [m[t] for m in mask] if mask is not None and inner.type.supports_masking else None
            per_step.append(inner.type.forward(inner.args, w, xt, mt))
        return [[per_step[t][n] for t in range(steps)] for n in range(len(x))]
