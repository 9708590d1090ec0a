"""Recurrent layers: LSTM, GRU and SimpleRNN (Keras 3).

A recurrent layer reads its input one timestep at a time, (batch, timesteps,
features), applying the same weights at every step and carrying a state
from one step to the next. `units` is the size of that state: one unit is
one component of h_t (and of c_t for LSTM). With return_sequences it emits
h_t for every step, (batch, timesteps, units); without, only the last,
(batch, units).
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec, initial_states, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent, added, blocks, transposed, zeros
from lstmcalc.run.tensor import activation, add, affine, hadamard, matvec, weight_rows
from lstmcalc.shapes import fmt_shape


def rnn_args(*, recurrent_activation: bool) -> tuple[Arg, ...]:
    args = [
        Arg("units", "int", doc="size of the state h_t: the number of outputs per timestep",
            minimum=1, structural=True),
        Arg("activation", "activation", "tanh", "activation of the candidate and the output"),
    ]
    if recurrent_activation:
        args.append(Arg("recurrent_activation", "activation", "sigmoid", "activation of the gates"))
    args += [
        Arg("use_bias", "bool", True, "whether the layer has a bias vector", structural=True),
        *weight_args(kernel="glorot_uniform", recurrent="orthogonal", bias="zeros"),
        Arg("dropout", "float", 0.0, "dropout rate on the inputs (training only)", minimum=0, maximum=1),
        Arg("recurrent_dropout", "float", 0.0, "dropout rate on the state (training only)",
            minimum=0, maximum=1),
        Arg("seed", "int", None, "random seed for dropout", nullable=True),
        Arg("return_sequences", "bool", False,
            "true: output h_t for every timestep (batch, timesteps, units); false: only the last",
            structural=True),
        Arg("return_state", "bool", False, "also return the final states (a list of tensors)",
            structural=True),
        Arg("go_backwards", "bool", False, "process the sequence from the last step to the first"),
        Arg("stateful", "bool", False, "carry the state across batches"),
        Arg("unroll", "bool", False, "unroll the loop (speed only)"),
        Arg("zero_output_for_mask", "bool", False,
            "with return_sequences, output zeros at masked steps instead of repeating the last output"),
    ]
    return tuple(args)


# LSTM and GRU take it through **kwargs (Keras 2's argument, kept by Keras 3):
# 1 computes the gates one by one, 2 in one product. Keras accepts any value.
IMPLEMENTATION = Arg("implementation", "int", 2, "1: one product per gate, 2: one product for all (speed only)")


class Recurrent(LayerType):
    """Shared rules of Keras's recurrent layers."""

    supports_masking = True
    call_args = ("initial_state", "mask", "training")
    mask_arg = True
    min_rank = max_rank = 3
    rank_hint = " (batch, timesteps, features)"
    gates: int = 1  # gate blocks side by side in kernel
    gate_names: tuple[str, ...] = ()
    states: int = 1  # h (and c for LSTM)
    extra_states_ignored: bool = True  # Keras 3 (torch backend) runs LSTM/GRU on the first states of a longer list

    def output_shape(self, a, s):
        self.check_rank(s)
        need_known(s, 2, "feature axis (the last)", self.name)
        for key in ("activation", "recurrent_activation"):
            if a.get(key) == "glu":
                raise ShapeError(f"{key} glu halves the last axis, so the state of {a.units} units cannot "
                                 "carry from one step to the next (Keras accepts it and fails when the layer runs)",
                                 f"use another {key}, e.g. {'tanh' if key == 'activation' else 'sigmoid'}")
        if a.stateful and s[0] is None:
            raise ShapeError("stateful: true needs a fixed batch size", "set batch_size: at the top of the spec")
        main = (s[0], s[1], a.units) if a.return_sequences else (s[0], a.units)
        if a.return_state:  # [output, h_T] (+ c_T for LSTM): several outputs
            return [main] + [(s[0], a.units)] * self.states
        return main

    @property
    def family(self) -> str:
        """The Keras 3 class this type counts like (CuDNNLSTM is an LSTM)."""
        return {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}.get(self.name, self.name)

    def state_names(self) -> list[str]:
        return ["h", "c"][: self.states]

    def output_names(self, a, out):
        main = "the output: h_t at every step" if a.return_sequences else "the output: h_T, the last step's state"
        finals = {"h": "h_T, the final hidden state", "c": "c_T, the final cell state"}
        return [main] + ([finals[n] for n in self.state_names()] if a.return_state else [])

    def check_call(self, a, s, out, call):
        """initial_state must be [h] (GRU, SimpleRNN) or [h, c] (LSTM), each (batch, units).

        Keras accepts a wrong width when it builds the model and fails only on
        data; lstmcalc refuses it here.
        """
        states = initial_states(call)
        if states is None:
            return []
        names = self.state_names()
        want = "[" + ", ".join(names) + "]"
        if len(states) < self.states or (len(states) > self.states and not self.extra_states_ignored):
            raise ShapeError(f"{self.name} takes {self.states} initial state tensor{'s' if self.states > 1 else ''} "
                             f"{want}, got {len(states)}",
                             f"write initial_state: with {len(names)} reference{'s' if len(names) > 1 else ''}, "
                             f"each (batch, {a.units})")
        for name, shape in zip(names, states):
            if len(shape) != 2 or shape[-1] != a.units:
                raise ShapeError(f"initial_state {name} has shape {fmt_shape(shape)} but {self.name} with units "
                                 f"{a.units} keeps states of shape (batch, {a.units})",
                                 f"give a state of width {a.units} (the other layer's units must match)")
        if len(states) > self.states:  # Keras 3 runs with the first ones and ignores the rest
            return [f"{self.name} takes {want} as initial_state but is given {len(states)} tensors; Keras uses the "
                    f"first {self.states} and ignores the rest"]
        return []

    def shape_rule(self, a, s, out):
        steps = "each timestep (their number varies: None)" if s[1] is None else f"each of the {s[1]} timesteps"
        kept = "of the timesteps" if s[1] is None else f"of the {s[1]} timesteps"
        main = out[0] if a.return_state else out
        if a.return_sequences:
            rule = (f"return_sequences is true, so the layer emits h_t at {steps}: "
                    f"(batch, timesteps, units) = {fmt_shape(main)}.")
        else:
            rule = (f"return_sequences is false, so {kept} only the last h_t is kept: "
                    f"(batch, units) = {fmt_shape(main)}.")
        if not a.return_state:
            return rule
        names = self.output_names(a, out)
        listed = "; ".join(f"[{k}] {name} {fmt_shape(shape)}" for k, (name, shape) in enumerate(zip(names, out)))
        return (f"{rule} return_state is true, so the layer returns a list of {len(out)} tensors, each "
                f"(batch, ...): {listed}.")

    def recurrent_weights(self, a, s, bias_shape):
        f, g, u = s[2], self.gates, a.units
        names = ", ".join(self.gate_names)
        ws = [
            WeightSpec("kernel", (f, g * u), doc=f"input → gates: W_x for {names} side by side"),
            WeightSpec("recurrent_kernel", (u, g * u),
                       doc=f"h_(t-1) → gates: W_h for {names} side by side"),
        ]
        if a.use_bias:
            ws.append(WeightSpec("bias", bias_shape, doc=f"b for {names}"))
        return ws

    def weights(self, a, s):
        return self.recurrent_weights(a, s, (self.gates * a.units,))

    def formula(self, a, s):
        f, g, u = s[2], self.gates, a.units
        if a.use_bias:
            sym, num = "units × (input_dim + units) + units", f"{u} × ({f} + {u}) + {u}"
            value = g * (u * (f + u) + u)
        else:
            sym, num = "units × (input_dim + units)", f"{u} × ({f} + {u})"
            value = g * u * (f + u)
        if g == 1:
            return Formula(sym, num, value)
        return Formula(f"{g} × ({sym})", f"{g} × ({num})", value)

    def macs(self, a, s, out):
        if s[1] is None:
            return None
        return s[1] * self.gates * a.units * (s[2] + a.units)

    def elementwise_ops(self, a, s, out):
        if s[1] is None:
            return None
        per_step = self.gates * a.units * (2 if a.use_bias else 1) + self.extra_ops_per_unit * a.units
        return s[1] * per_step

    extra_ops_per_unit = 1

    def notes(self, a, s, out):
        t, f, u, g = s[1], s[2], a.units, self.gates
        steps = "timesteps (however many there are: the number varies)" if t is None else f"{t} timesteps"
        gated = (f"every unit of every gate through its own weight, as in a Dense layer: kernel ({f}, {g}×{u})"
                 if g > 1 else f"every unit through its own weight, as in a Dense layer: kernel ({f}, {u})")
        recurrent = f"({u}, {g}×{u})" if g > 1 else f"({u}, {u})"
        first = "the last" if a.go_backwards else "the first"
        h_0 = ("h_0 = the previous batch's final state (stateful: true keeps it from batch to batch, so the batch "
               f"size is fixed at {s[0]})") if a.stateful else "h_0 = 0 (or the initial_state it is given)"
        order = ("Unrolled from the last step back to the first (go_backwards): h_1 = step(x_T, h_0), "
                 "h_2 = step(x_(T-1), h_1), ..., h_T = step(x_1, h_(T-1))" if a.go_backwards else
                 "Unrolled: h_1 = step(x_1, h_0), h_2 = step(x_2, h_1), ..., h_T = step(x_T, h_(T-1))")
        length = "T is the length of each sequence" if t is None else f"T = {t}"
        lines = [
            f"A unit is one component of the state h_t{' and of the cell state c_t' if self.states == 2 else ''}: "
            f"this layer has {u}, so at every timestep it produces a vector of {u} numbers.",
            f"At each timestep the {f} input features x_t enter {gated}. The previous state h_(t-1) enters the "
            f"same way through recurrent_kernel {recurrent}.",
            f"The layer does not see the {steps} at once: it loops over them one by one, starting from {first}, "
            f"applying the same weights at every step; only the state carries information from one step to the "
            "next.",
            f"{order}, with {h_0} and {length}.",
            ("return_sequences: true keeps h_t of every step: (batch, timesteps, units)"
             + (", in the order the steps were processed (reversed: Keras does not flip it back)."
                if a.go_backwards else ".") if a.return_sequences else
             "return_sequences: false keeps only the last step's h_T: (batch, units)."),
        ]
        if a.return_state:
            finals = " and ".join(f"{n}_T" for n in self.state_names())
            same = "" if a.return_sequences else " (without return_sequences the output is h_T itself, twice)"
            lines.append(f"return_state: true also returns the final state{'s' if self.states > 1 else ''} "
                         f"{finals}, each (batch, units){same}: what an encoder hands to a decoder as its "
                         "initial_state.")
        lines.append("A mask (from Masking, or Embedding with mask_zero, upstream) makes the layer skip the padded "
                     "steps: the state is carried over them unchanged"
                     + (", and the output repeats the last h_t there (zeros with zero_output_for_mask)."
                        if a.return_sequences else "."))
        return lines

    # -- the PyTorch equivalent ------------------------------------------------------
    torch_module = ""  # LSTM, GRU, RNN
    torch_gates: tuple[int, ...] = (0,)  # torch's gate block j is Keras's block torch_gates[j] (an involution)

    def torch_module_args(self, a, s) -> dict:
        """nn.LSTM / nn.GRU / nn.RNN doing what this layer does, or NoEquivalent naming what it cannot do."""
        refused = (
            (a.stateful, "stateful: true", f"nn.{self.torch_module} keeps no state between batches; nearest: pass "
             "the returned h_n (and c_n) back as hx yourself, or stateful: false"),
            (a.go_backwards, "go_backwards: true", "nearest: flip the time axis yourself (torch.flip(x, [1])) "
             "and flip the output back"),
            (a.dropout or a.recurrent_dropout, "dropout / recurrent_dropout", f"nn.{self.torch_module}'s dropout "
             "acts between stacked layers, not on the inputs and states of every step; nearest: dropout: 0 "
             "(inference is the same, training is not), or nn.Dropout before the layer"),
            (a.activation != self.torch_activation(a), f"activation {a.activation}",
             "torch's recurrent modules use tanh (nn.RNN also relu)"),
            (a.get("recurrent_activation", "sigmoid") != "sigmoid",
             f"recurrent_activation {a.get('recurrent_activation')}", "torch's gates use sigmoid"),
        )
        for bad, what, hint in refused:
            if bad:
                raise NoEquivalent(f"{what} has no exact equivalent in nn.{self.torch_module}", hint)
        step = {"type": self.torch_module, "hidden_size": a.units, "batch_first": True, "$name": ""}
        if not a.use_bias:
            step["bias"] = False
        return step

    def torch_activation(self, a) -> str:
        return "tanh"

    def to_pytorch(self, a, s) -> Equivalent:
        steps = [self.torch_module_args(a, s)]
        outputs = ["$0"]
        if not a.return_sequences:  # one direction: out[:, -1] is h_n[-1]
            steps.append({"type": "LastTimestep", "batch_first": True, "$name": "last"})
            outputs = ["$1"]
        if a.return_state:  # h_n[0] (and c_n[0]): (N, units), as Keras returns them
            for k, state in enumerate(self.state_names()):
                steps.append({"type": "HiddenState", "index": 0, "inputs": f"$0[{k + 1}]", "$name": state})
                outputs.append(f"${len(steps) - 1}")
        return Equivalent(tuple(steps), tuple(outputs), weights=0)

    def call_to_pytorch(self, a, keyword: str):
        """initial_state [h, c] (each (N, units)) is torch's hx (h_0, c_0), each (1, N, units)."""
        if keyword != "initial_state":
            raise NoEquivalent(f"the call's {keyword} has no nn.{self.torch_module} argument",
                               "remove it from call:")
        return "hx", {"type": "Unsqueeze", "dim": 0}

    def bias_pair(self, a, bias) -> tuple[list, list]:
        """(b_ih, b_hh) in Keras's gate order: Keras's one bias goes to b_ih, zeros to b_hh."""
        return bias, zeros(len(bias))

    def bias_from_pair(self, a, b_ih, b_hh):
        return added(b_ih, b_hh)

    def torch_weights(self, a, s, w, suffix: str = "") -> dict:
        """The state_dict of the equivalent module: kernels transposed, gate blocks in torch's order."""
        g, order = self.gates, self.torch_gates
        sd = {f"weight_ih_l0{suffix}": blocks(transposed(w["kernel"]), g, order),
              f"weight_hh_l0{suffix}": blocks(transposed(w["recurrent_kernel"]), g, order)}
        if a.use_bias:
            b_ih, b_hh = self.bias_pair(a, w["bias"])
            sd[f"bias_ih_l0{suffix}"], sd[f"bias_hh_l0{suffix}"] = blocks(b_ih, g, order), blocks(b_hh, g, order)
        return sd

    def from_torch_weights(self, a, s, sd, suffix: str = "") -> dict:
        g, order = self.gates, self.torch_gates
        w = {"kernel": transposed(blocks(sd[f"weight_ih_l0{suffix}"], g, order)),
             "recurrent_kernel": transposed(blocks(sd[f"weight_hh_l0{suffix}"], g, order))}
        if a.use_bias:
            w["bias"] = self.bias_from_pair(a, blocks(sd[f"bias_ih_l0{suffix}"], g, order),
                                            blocks(sd[f"bias_hh_l0{suffix}"], g, order))
        return w

    def torch_params(self, a, s) -> int:
        f, g, u = s[2], self.gates, a.units
        return g * (u * (f + u) + (2 * u if a.use_bias else 0))

    def pytorch_note(self, a, s):
        f, g, u = s[2], self.gates, a.units
        torch = self.torch_params(a, s)
        module = {"LSTM": "nn.LSTM", "GRU": "nn.GRU", "SimpleRNN": "nn.RNN"}[self.family]
        if torch == self.formula(a, s).value:
            return f"{module}({f}, {u}) has the same count, {torch:,} (one bias pair per gate, as reset_after)."
        gate = f"{g} × " if g > 1 else ""
        return (f"{module}({f}, {u}) counts {gate}(h × (i + h) + 2h) = {torch:,}: PyTorch keeps two bias "
                "vectors per gate (b_ih and b_hh) where Keras keeps one.")

    def published_counts(self, a, s) -> dict | None:
        """What torchinfo, ptflops and thop report for PyTorch's version of this layer."""
        t, f, u = s[1], s[2], a.units
        if t is None:
            return None
        bias = a.use_bias
        matrix = self.gates * u * (f + u)
        ptflops_extra = {"LSTM": 10 * u, "GRU": 7 * u, "SimpleRNN": u}[self.family]
        thop_step = {
            "LSTM": 4 * (u * (f + u) + u + (2 * u if bias else 0)) + 4 * u,
            "GRU": 3 * (u * (f + u) + u + (2 * u if bias else 0)) + 4 * u,
            "SimpleRNN": u * (f + u) + u + (2 * u if bias else 0),
        }[self.family]
        return {
            "torchinfo": self.torch_params(a, s) * t,
            "ptflops": t * (matrix + ptflops_extra + (2 * self.gates * u if bias else 0)),
            "thop": t * thop_step,
        }

    def compute_mask(self, a, x, mask):
        return mask if a.return_sequences else None

    def symbolic_mask(self, a, k, x, mask):
        mask = mask[0] if isinstance(mask, list) else mask
        out = mask if a.return_sequences else None
        return [out] + [None] * self.states if a.return_state else out

    # -- the forward pass -------------------------------------------------------
    def step_bias(self, a, w) -> list | None:
        """The bias vector the step adds (None without one)."""
        return w["bias"] if a.use_bias else None

    def prepare_step(self, a, w):
        """What every step reads, built once per call: (units, [W; U; b] row by row, the product
        that reads them). One inner product per gate unit reads [x_t, h_(t-1)] and gives
        x_t·W + h_(t-1)·U + b: a third of the Python calls of two products and a sum."""
        bias = self.step_bias(a, w)
        rows = weight_rows(w["kernel"] + w["recurrent_kernel"], bias)  # (g·u, features + units [+ 1])
        return a.units, rows, matvec if bias is None else affine

    def out_units(self, a) -> int:
        """The width of the output h_t."""
        return a.units

    def zero_state(self, a) -> list:
        """The states a sequence starts from without initial_state: zeros."""
        return [[0.0] * a.units for _ in range(self.states)]

    def state_count(self, a) -> int:
        return self.states

    def output_state(self, a, state: list) -> list:
        """The state that is the output h_t (what a masked step repeats)."""
        return state[0]

    def forward(self, a, w, x, mask=None, initial_state=None):
        params = self.prepare_step(a, w)
        zero_output = a.get("zero_output_for_mask", False)
        u, n_states = self.out_units(a), self.state_count(a)
        out, finals = [], []
        for n, seq in enumerate(x):  # seq: (timesteps, features)
            steps = list(range(len(seq)))
            if a.go_backwards:
                steps.reverse()
            if initial_state is None:
                state = self.zero_state(a)
            else:  # [h_0] or [h_0, c_0], each (batch, units); Keras ignores any further tensors
                state = [list(s0[n]) for s0 in initial_state[:n_states]]
            h_prev = self.output_state(a, state)
            ys = []
            for t in steps:
                if mask is not None and not mask[n][t]:
                    ys.append([0.0] * u if zero_output else h_prev)
                    continue
                h, state = self.step(a, params, seq[t], state)
                h_prev = h
                ys.append(h)
            out.append(ys if a.return_sequences else (ys[-1] if ys else [0.0] * u))
            finals.append(state)
        if a.return_state:
            return [out] + [[f[k] for f in finals] for k in range(n_states)]
        return out


class LSTM(Recurrent):
    """Long Short-Term Memory: four gate blocks (i, f, c, o) that decide what
    the cell state c_t forgets, what it takes in, and what it shows as h_t."""

    name, auto_name = "LSTM", "lstm"
    gates, gate_names, states = 4, ("i", "f", "c", "o"), 2
    torch_module, torch_gates = "LSTM", (0, 1, 2, 3)  # i, f, g, o: the same order
    extra_ops_per_unit = 6
    args = rnn_args(recurrent_activation=True) + (
        Arg("unit_forget_bias", "bool", True, "initialise the forget gate's bias to 1"),
        Arg("use_cudnn", "object", "auto", "use cuDNN when available (speed only)"),
        IMPLEMENTATION,
    )
    equations = (
        "i_t = σ(x_t·W_i + h_(t-1)·U_i + b_i)",
        "f_t = σ(x_t·W_f + h_(t-1)·U_f + b_f)",
        "c̃_t = tanh(x_t·W_c + h_(t-1)·U_c + b_c)",
        "c_t = f_t ⊙ c_(t-1) + i_t ⊙ c̃_t",
        "o_t = σ(x_t·W_o + h_(t-1)·U_o + b_o)",
        "h_t = o_t ⊙ tanh(c_t)",
    )

    def notes(self, a, s, out):
        lines = super().notes(a, s, out)
        if a.use_bias:
            f, u = s[2], a.units
            lines.append(f"Keras 2's CuDNNLSTM kept two bias vectors, as PyTorch does: it counted "
                         f"4 × ({u} × ({f} + {u}) + 2 × {u}) = {4 * (u * (f + u) + 2 * u):,} where LSTM counts "
                         f"{LSTM.formula(self, a, s).value:,}.")
        return lines

    def step(self, a, params, x_t, state):
        u, rows, product = params
        h_tm1, c_tm1 = state
        z = product(rows, x_t + h_tm1)  # (4u,) = x_t·W + h_(t-1)·U + b
        act, rec = activation(a.activation), activation(a.recurrent_activation)
        i, f, o = rec(z[:u]), rec(z[u:2 * u]), rec(z[3 * u:])
        c = [f_k * c_k + i_k * g_k for f_k, c_k, i_k, g_k in zip(f, c_tm1, i, act(z[2 * u:3 * u]))]  # f⊙c + i⊙c̃
        h = hadamard(o, act(c))
        return h, [h, c]


class CuDNNLSTM(LSTM):
    """Keras 2's CuDNNLSTM: an LSTM (tanh, sigmoid) that keeps two bias vectors,
    one on the input and one on the state, as cuDNN and PyTorch do. Keras 3 has
    no such class: its LSTM keeps one bias and counts 4·units fewer parameters."""

    name, auto_name = "CuDNNLSTM", "cu_dnnlstm"

    def weights(self, a, s):
        return self.recurrent_weights(a, s, (2 * self.gates * a.units,))

    def formula(self, a, s):
        f, u = s[2], a.units
        if not a.use_bias:  # no bias vector at all: LSTM's count
            return super().formula(a, s)
        return Formula("4 × (units × (input_dim + units) + 2 × units)", f"4 × ({u} × ({f} + {u}) + 2 × {u})",
                       4 * (u * (f + u) + 2 * u))

    def keras3_note(self, a, s) -> str:
        f, u = s[2], a.units
        return (f"CuDNNLSTM is Keras 2's: it counts two bias vectors, 4 × ({u} × ({f} + {u}) + 2 × {u}) = "
                f"{4 * (u * (f + u) + 2 * u):,}; Keras 3 has no CuDNNLSTM, and its LSTM counts "
                f"{LSTM.formula(self, a, s).value:,}")

    def step_bias(self, a, w):
        bias = super().step_bias(a, w)
        if bias is None:
            return None
        n = self.gates * a.units  # cuDNN adds the input bias and the state bias: one sum
        return [b_x + b_h for b_x, b_h in zip(bias[:n], bias[n:])]


class GRU(Recurrent):
    """Gated Recurrent Unit: an update gate z and a reset gate r blend the
    previous state with a candidate h̃_t. reset_after (Keras's default) applies
    r after the recurrent product and so keeps two bias vectors."""

    name, auto_name = "GRU", "gru"
    gates, gate_names = 3, ("z", "r", "h")
    torch_module, torch_gates = "GRU", (1, 0, 2)  # torch stacks r, z, n
    extra_ops_per_unit = 5
    args = rnn_args(recurrent_activation=True) + (
        Arg("reset_after", "bool", True,
            "apply the reset gate after the recurrent product (two bias vectors)", structural=True),
        Arg("use_cudnn", "object", "auto", "use cuDNN when available (speed only)"),
        IMPLEMENTATION,
    )

    @property
    def equations(self):
        return (
            "z_t = σ(x_t·W_z + h_(t-1)·U_z + b_z)",
            "r_t = σ(x_t·W_r + h_(t-1)·U_r + b_r)",
            "h̃_t = tanh(x_t·W_h + r_t ⊙ (h_(t-1)·U_h + b'_h))   (reset_after: true)",
            "h̃_t = tanh(x_t·W_h + (r_t ⊙ h_(t-1))·U_h + b_h)   (reset_after: false)",
            "h_t = z_t ⊙ h_(t-1) + (1 − z_t) ⊙ h̃_t",
        )

    def notes(self, a, s, out):
        lines = super().notes(a, s, out)
        if a.reset_after and a.use_bias:
            f, u = s[2], a.units
            lines.append(f"Keras 2 defaulted reset_after to false (one bias vector): GRU({u}) on {f} features "
                         f"counted 3 × ({u} × ({f} + {u}) + {u}) = {3 * (u * (f + u) + u):,} there, "
                         f"{self.formula(a, s).value:,} in Keras 3; an older tutorial's number may be the first.")
        elif a.use_bias:
            f, u = s[2], a.units
            lines.append(f"Keras 3's default, reset_after: true (which Keras 3 also applies to a Keras 2 file "
                         f"that does not name reset_after), keeps two bias vectors: GRU({u}) on {f} features "
                         f"counts 3 × ({u} × ({f} + {u}) + 2 × {u}) = {3 * (u * (f + u) + 2 * u):,} there, "
                         f"{self.formula(a, s).value:,} here.")
        return lines

    def torch_module_args(self, a, s):
        if not a.reset_after:
            raise NoEquivalent("reset_after: false has no nn.GRU equivalent: torch applies the reset gate after "
                               "the recurrent product, with two bias vectors",
                               "nearest: reset_after: true (Keras 3's default, nn.GRU's structure), a different "
                               "model that must be trained again")
        return super().torch_module_args(a, s)

    def bias_pair(self, a, bias):
        return bias[0], bias[1]  # reset_after: input bias and recurrent bias, as b_ih and b_hh

    def bias_from_pair(self, a, b_ih, b_hh):
        return [b_ih, b_hh]

    def weights(self, a, s):
        bias = (2, 3 * a.units) if a.reset_after else (3 * a.units,)
        ws = self.recurrent_weights(a, s, bias)
        if a.use_bias and a.reset_after:
            ws[-1] = WeightSpec("bias", bias, doc="row 0: input bias for z, r, h; row 1: recurrent bias")
        return ws

    def formula(self, a, s):
        if not (a.use_bias and a.reset_after):
            return super().formula(a, s)
        f, u = s[2], a.units
        return Formula("3 × (units × (input_dim + units) + 2 × units)",
                       f"3 × ({u} × ({f} + {u}) + 2 × {u})", 3 * (u * (f + u) + 2 * u))

    def elementwise_ops(self, a, s, out):
        ops = super().elementwise_ops(a, s, out)
        if ops is not None and a.use_bias and a.reset_after:
            ops += s[1] * 3 * a.units
        return ops

    def prepare_step(self, a, w):
        """(units, [W; b_in] and [U; b_rec] row by row), each read by `affine`."""
        u, bias = a.units, self.step_bias(a, w)
        if bias is None:
            b_in = b_rec = [0.0] * (3 * u)
        elif a.reset_after:
            b_in, b_rec = bias
        else:
            b_in, b_rec = bias, [0.0] * (3 * u)
        return u, weight_rows(w["kernel"], b_in), weight_rows(w["recurrent_kernel"], b_rec)

    def step(self, a, params, x_t, state):
        u, kb, rkb = params
        (h_tm1,) = state
        act, rec = activation(a.activation), activation(a.recurrent_activation)
        x_all = affine(kb, x_t)  # (3u,): x_z, x_r, x_h, each x_t·W + b_in
        if a.reset_after:
            h_all = affine(rkb, h_tm1)  # (3u,): h_(t-1)·U + b_rec
            z = rec(add(x_all[:u], h_all[:u]))
            r = rec(add(x_all[u:2 * u], h_all[u:2 * u]))
            recurrent_h = hadamard(r, h_all[2 * u:])
        else:  # b_rec is zeros
            h_zr = affine(rkb[:2 * u], h_tm1)  # (2u,)
            z = rec(add(x_all[:u], h_zr[:u]))
            r = rec(add(x_all[u:2 * u], h_zr[u:]))
            recurrent_h = affine(rkb[2 * u:], hadamard(r, h_tm1))
        hh = act(add(x_all[2 * u:], recurrent_h))
        h = [zi * hp + (1.0 - zi) * hi for zi, hp, hi in zip(z, h_tm1, hh)]
        return h, [h]


class SimpleRNN(Recurrent):
    """The plain recurrent layer: h_t = tanh(x_t·W + h_(t-1)·U + b)."""

    name, auto_name = "SimpleRNN", "simple_rnn"
    torch_module = "RNN"
    gates, gate_names = 1, ("h",)
    extra_states_ignored = False  # Keras 3 fails when it runs a SimpleRNN given more than [h]
    extra_ops_per_unit = 1
    args = rnn_args(recurrent_activation=False)
    equations = ("h_t = tanh(x_t·W + h_(t-1)·U + b)",)

    def step(self, a, params, x_t, state):
        u, rows, product = params
        (h_tm1,) = state
        h = activation(a.activation)(product(rows, x_t + h_tm1))  # act(x_t·W + h_(t-1)·U + b)
        return h, [h]

    def torch_activation(self, a):
        return "relu" if a.activation == "relu" else "tanh"

    def torch_module_args(self, a, s):
        step = super().torch_module_args(a, s)
        if a.activation == "relu":
            step["nonlinearity"] = "relu"
        return step


class CuDNNGRU(GRU):
    """Keras 2's CuDNNGRU: a GRU (tanh, sigmoid) that applies the reset gate
    after the recurrent product and keeps two bias vectors, as cuDNN does:
    Keras 3's GRU with reset_after: true (its default), which counts the same."""

    name, auto_name = "CuDNNGRU", "cu_dnngru"

    def output_shape(self, a, s):
        if not a.reset_after:
            raise ShapeError("CuDNNGRU always applies the reset gate after the recurrent product",
                             "remove reset_after: false, or write type: GRU for a GRU without it")
        return super().output_shape(a, s)

    def notes(self, a, s, out):
        f, u = s[2], a.units
        keras2_default = "Keras 2 defaulted reset_after"  # GRU's line: not about this class
        return [n for n in super().notes(a, s, out) if not n.startswith(keras2_default)] + [
            f"CuDNNGRU is Keras 2's: it kept two bias vectors, 3 × ({u} × ({f} + {u}) + 2 × {u}) = "
            f"{self.formula(a, s).value:,}, the count of Keras 3's GRU with reset_after: true (its default). "
            "Keras 3 has no CuDNNGRU: write type: GRU."]
