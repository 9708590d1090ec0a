"""torch.nn recurrent modules: LSTM, GRU and RNN, with torch's two bias vectors,
`proj_size`, stacked layers and directions (`state_dict` names `weight_ih_l0`...).
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import (
    SCALAR_FN,
    TorchModule,
    check_width,
    width_arg,
)
from lstmcalc.run.tensor import add, hadamard, matvec, transpose
from lstmcalc.shapes import fmt_shape

# -- recurrent modules ----------------------------------------------------------------


def recurrent_args(*, lstm: bool = False, rnn: bool = False) -> tuple[Arg, ...]:
    args = [
        width_arg("input_size", "features of each timestep (H_in)"),
        Arg("hidden_size", "int", doc="size of the state h_t (H_cell; H_out unless proj_size)", minimum=1,
            structural=True),
        Arg("num_layers", "int", 1, "recurrent layers stacked inside the module", minimum=1, structural=True),
    ]
    if rnn:
        args.append(Arg("nonlinearity", "choice", "tanh", "activation of the state", choices=("tanh", "relu")))
    args += [
        Arg("bias", "bool", True, "whether the module has the bias vectors b_ih and b_hh", structural=True),
        Arg("batch_first", "bool", False, "true: (N, L, H) in and out; false: (L, N, H)", structural=True),
        Arg("dropout", "float", 0.0, "dropout on the outputs of every layer but the last (training only)",
            minimum=0, maximum=1),
        Arg("bidirectional", "bool", False, "run every layer forwards and backwards (D = 2)", structural=True),
    ]
    if lstm:
        args.append(Arg("proj_size", "int", 0, "project h_t to this size with weight_hr (0: no projection)",
                        minimum=0, structural=True))
    return tuple(args)


class TorchRecurrent(TorchModule):
    """Shared rules of nn.LSTM, nn.GRU and nn.RNN."""

    min_rank = max_rank = 3
    rank_hint = " ((N, L, H_in) with batch_first, else (L, N, H_in))"
    gates = 1
    gate_order: tuple[str, ...] = ()
    keras_name = ""
    keras_gate_order: tuple[str, ...] = ()
    uses_context = True  # the forward pass leaves h_n (and c_n) for HiddenState
    code_positional, width = ("input_size", "hidden_size"), ("input_size", -1)
    call_args = ("hx",)  # (h_0, c_0) for LSTM, h_0 for GRU and RNN, each (D·num_layers, N, H)

    # -- the outputs a reference indexes: output, h_n (, c_n) ---------------------------------
    def state_shapes(self, a, s) -> list[tuple]:
        """h_n (and c_n): (D·num_layers, N, H_out) and (D·num_layers, N, H_cell), whatever batch_first says."""
        n, batch = self.directions(a) * a.num_layers, s[0] if a.batch_first else s[1]
        shapes = [(n, batch, self.out_size(a))]
        return shapes + [(n, batch, a.hidden_size)] if self.gates == 4 else shapes

    def reference_outputs(self, a, s, out):
        return [out, *self.state_shapes(a, s)]

    def reference_values(self, a, y, context, out):
        states = context["states"]
        return [y, states["h_n"]] + ([states["c_n"]] if self.gates == 4 else [])

    def output_names(self, a, out):
        names = ["output: the last layer's h_t at every step", "h_n: every layer's and direction's last h_t"]
        return names + (["c_n: every layer's and direction's last c_t"] if self.gates == 4 else [])

    def check_call(self, a, s, out, call):
        hx = call.get("hx")
        if hx is None:
            return []
        given = hx if isinstance(hx, list) else [hx]
        want = self.state_shapes(a, s)
        what = "(h_0, c_0)" if self.gates == 4 else "h_0"
        if len(given) != len(want):
            raise ShapeError(f"{self.torch_name} takes hx = {what}, got {len(given)} tensor(s)",
                             "write hx: [h0, c0]" if self.gates == 4 else "write hx: h0")
        for name, g, w in zip(("h_0", "c_0"), given, want):
            if len(g) != 3 or g[0] != w[0] or g[2] != w[2] or None not in (g[1], w[1]) and g[1] != w[1]:
                raise ShapeError(f"{name} has shape {fmt_shape(g)} but {self.torch_name} expects {fmt_shape(w)} "
                                 "(D·num_layers, N, H)", f"give {name} of shape {fmt_shape(w)}")
        return []

    # -- sizes ----------------------------------------------------------------------
    @staticmethod
    def directions(a) -> int:
        return 2 if a.bidirectional else 1

    @staticmethod
    def out_size(a) -> int:
        """H_out: the size of h_t as it leaves a layer."""
        return a.get("proj_size") or a.hidden_size

    def features(self, a, s) -> int:
        self.check_rank(s)
        need_known(s, 2, "feature axis (the last)", self.name)
        return check_width(a, "input_size", s[2], self.name)

    def layer_inputs(self, a, s) -> list[int]:
        """Input width of each stacked layer: H_in, then D·H_out."""
        return [self.features(a, s)] + [self.directions(a) * self.out_size(a)] * (a.num_layers - 1)

    def output_shape(self, a, s):
        self.features(a, s)
        if a.get("proj_size", 0) >= a.hidden_size:
            raise ShapeError(f"proj_size ({a.proj_size}) has to be smaller than hidden_size ({a.hidden_size})",
                             "use a smaller proj_size, or 0 for no projection")
        return (s[0], s[1], self.directions(a) * self.out_size(a))

    def shape_rule(self, a, s, out):
        d, h = self.directions(a), self.out_size(a)
        layout = "(N, L, D·H_out)" if a.batch_first else "(L, N, D·H_out)"
        last = f"D·H_out = {d}×{h}" if d > 1 else f"H_out = {h}"
        why = f" (proj_size {a.proj_size})" if a.get("proj_size") else ""
        states = self.state_shapes(a, s)
        listed = f"h_n is (D·num_layers, N, H_out) = {fmt_shape(states[0])}"
        if self.gates == 4:
            listed += f" and c_n (D·num_layers, N, H_cell) = {fmt_shape(states[1])}"
        return (f"output holds the last layer's h_t at every timestep, {layout} = {fmt_shape(out)}: "
                f"{last}{why}. {listed}, batch second whatever batch_first says; in a chain take "
                f"{'them' if self.gates == 4 else 'it'} with a HiddenState step.")

    # -- weights ------------------------------------------------------------------------
    def weights(self, a, s):
        g, h, p = self.gates, a.hidden_size, a.get("proj_size", 0)
        gates = ", ".join(self.gate_order)
        ws = []
        for k, i in enumerate(self.layer_inputs(a, s)):
            for sfx in ("", "_reverse")[:self.directions(a)]:
                src = "the input" if k == 0 else f"layer {k - 1}'s output"
                ws += [WeightSpec(f"weight_ih_l{k}{sfx}", (g * h, i), doc=f"{src} → gates {gates}, stacked"),
                       WeightSpec(f"weight_hh_l{k}{sfx}", (g * h, p or h), doc=f"h_(t-1) → gates {gates}")]
                if a.bias:
                    ws += [WeightSpec(f"bias_ih_l{k}{sfx}", (g * h,), doc="input-side bias"),
                           WeightSpec(f"bias_hh_l{k}{sfx}", (g * h,), doc="recurrent-side bias")]
                if p:
                    ws.append(WeightSpec(f"weight_hr_l{k}{sfx}", (p, h), doc="projection h_t → H_out"))
        return ws

    def per_direction(self, a, i) -> int:
        g, h, p = self.gates, a.hidden_size, a.get("proj_size", 0)
        return g * (h * (i + (p or h)) + (2 * h if a.bias else 0)) + p * h

    def formula(self, a, s):
        g, h, p, d, n = self.gates, a.hidden_size, a.get("proj_size", 0), self.directions(a), a.num_layers
        ins = self.layer_inputs(a, s)
        hh = "p" if p else "h"

        def part(i_sym, i_num):
            g_sym, g_num = (f"{g} × ", f"{g} × ") if g > 1 else ("", "")
            b_sym, b_num = (" + 2h", f" + 2×{h}") if a.bias else ("", "")
            sym = f"{g_sym}(h × ({i_sym} + {hh}){b_sym})" + (" + p × h" if p else "")
            num = f"{g_num}({h} × ({i_num} + {p or h}){b_num})" + (f" + {p} × {h}" if p else "")
            return sym, num

        d_sym, d_num = ("2 × ", "2 × ") if d > 1 else ("", "")
        sym0, num0 = part("i", ins[0])
        sym, num = f"{d_sym}[{sym0}]", f"{d_num}[{num0}]"
        if n > 1:
            sym1, num1 = part(f"{'D·' if d > 1 else ''}{hh}", ins[1])
            sym += f" + {d_sym}(num_layers − 1) × [{sym1}]"
            num += f" + {d_num}{n - 1} × [{num1}]"
        sym += "   (per layer and direction; i = input_size, h = hidden_size" + (", p = proj_size)" if p else ")")
        value = d * sum(self.per_direction(a, i) for i in ins)
        return Formula(sym, num, value)

    def macs(self, a, s, out):
        t = s[1] if a.batch_first else s[0]
        if t is None:
            return None
        g, h, p = self.gates, a.hidden_size, a.get("proj_size", 0)
        per_step = sum(g * h * (i + (p or h)) + p * h for i in self.layer_inputs(a, s))
        return t * self.directions(a) * per_step

    def elementwise_ops(self, a, s, out):
        t = s[1] if a.batch_first else s[0]
        if t is None:
            return None
        return t * self.directions(a) * a.num_layers * self.gates * a.hidden_size * (2 if a.bias else 0)

    # -- explain ----------------------------------------------------------------------
    def notes(self, a, s, out):
        g, h, d, n = self.gates, a.hidden_size, self.directions(a), a.num_layers
        i = self.layer_inputs(a, s)
        both = ", each run in both directions (D = 2)" if d > 1 else ""
        if n * d == 1:
            stack = "num_layers 1: one recurrent layer, one weight set, named _l0."
        else:
            names = f"_l0 ... _l{n - 1}" if n > 1 else "_l0"
            stack = (f"num_layers {n}: {n} recurrent layer{'s' if n > 1 else ''} stacked inside this one module"
                     f"{both}: {n * d} weight sets, named {names}{' and _reverse' if d > 1 else ''}.")
        lstm = g == 4
        bias_values = f"2 × {g} × {h}" if g > 1 else f"2 × {h}"
        lines = [
            f"hidden_size {h} is Keras's units: the size of h_t{' and c_t' if lstm else ''}. {stack}",
            f"Layer 0 reads the {i[0]} input features; layers 1+ read the previous layer's output, D·H_out = "
            f"{d * self.out_size(a)} wide." if n > 1 else
            f"The layer reads the {i[0]} input features at every timestep.",
            f"PyTorch keeps two bias vectors per gate set, bias_ih and bias_hh: {bias_values} = {2 * g * h:,} bias "
            "values per layer and direction where Keras keeps one. "
            + ("Keras's GRU with reset_after keeps both too: b_hh sits inside r ⊙ (...), so the two are really "
               "used." if self.name == "GRU" else "They only ever appear summed (b_ih + b_hh)."),
            ("The module returns (output, (h_n, c_n)); in a chain the next step receives output. LastTimestep "
             "takes output[:, -1] (or output[-1] without batch_first); HiddenState takes h_n[index] (or "
             "c_n[index] with state: c_n)." if lstm else
             "The module returns (output, h_n); in a chain the next step receives output. LastTimestep takes "
             "output[:, -1] (or output[-1] without batch_first); HiddenState takes h_n[index]."),
        ]
        if a.dropout and n == 1:
            lines.append("dropout only acts between stacked layers, so with num_layers 1 it does nothing "
                         "(torch warns about it).")
        elif a.dropout:
            which = "layer 0" if n == 2 else f"layers 0 to {n - 2}"
            lines.append(f"dropout {a.dropout} acts on the output of {which} while training (what the next layer "
                         "reads), not on the last layer's output.")
        lines += self.keras_mapping(a, s)
        return lines

    def keras_mapping(self, a, s) -> list[str]:
        """How the state_dict tensors map onto Keras's kernel / recurrent_kernel / bias."""
        torch_order, keras_order = ",".join(self.gate_order), ",".join(self.keras_gate_order)
        same = self.gate_order == self.keras_gate_order
        gh = f"{self.gates}h" if self.gates > 1 else "h"
        lines = [
            f"To Keras ({self.keras_name}): kernel = weight_ih_l0ᵀ ({gh}, in) → (in, {gh}); "
            f"recurrent_kernel = weight_hh_l0ᵀ; "
            + ("bias = bias_ih_l0 + bias_hh_l0." if self.name != "GRU" else
               "bias (2, 3h) = [bias_ih_l0, bias_hh_l0], both kept, as Keras's default reset_after=True keeps them "
               "(the recurrent bias of the candidate sits inside r ⊙ (...) in both; a sum of the two would not "
               "be the same layer)."),
            ("No gates: one block, the same in both." if self.gates == 1 else
             "The gate blocks are in the same order in both (" + torch_order + ")." if same else
             f"Gate blocks: torch stacks {torch_order}, Keras {keras_order}: "
             + ("the same order (torch's g is Keras's c, the candidate), so the blocks map as they are."
                if self.name == "LSTM" else
                "swap the first two blocks (r ↔ z; torch's n is Keras's h, the candidate).")),
        ]
        if a.bidirectional or a.num_layers > 1:
            lines.append("In Keras each layer and direction is its own layer: num_layers > 1 is a stack of "
                         "return_sequences layers, bidirectional a Bidirectional wrapper (forward = _l*, "
                         "backward = _l*_reverse).")
        if a.get("proj_size"):
            lines.append("Keras has no projection: weight_hr_l0 (p, h) has no Keras counterpart.")
        return lines

    def pytorch_note(self, a, s):
        name, keras, reason = self.keras_equivalent(a, s, None)
        if keras is None:
            return f"these are PyTorch's counts; Keras: {reason}."
        return f"these are PyTorch's counts; Keras's {name} counts {keras:,}: {reason}."

    def keras_equivalent(self, a, s, out):
        if a.get("proj_size"):
            return (f"{self.keras_name} (no proj_size)", None, "Keras has no projection (weight_hr)")
        keras = self.directions(a) * sum(self.keras_per_direction(a, i) for i in self.layer_inputs(a, s))
        layers = f"{a.num_layers} × " if a.num_layers > 1 else ""
        name = f"{layers}{'Bidirectional(' + self.keras_name + ')' if a.bidirectional else self.keras_name}"
        return (name, keras, self.keras_reason(a))

    def keras_layer_args(self, a) -> dict:
        return {} if a.bias else {"use_bias": False}

    def to_keras(self, a, s):
        """One Keras layer per stacked layer (a Bidirectional wrapper per layer with bidirectional), with
        Dropout between them where torch drops the outputs of every layer but the last."""
        if not a.batch_first:
            raise NoEquivalent("batch_first: false: the exported Keras model reads the batch first",
                               "write batch_first: true (and give input.shape as (L, H_in))")
        if a.get("proj_size"):
            raise NoEquivalent("proj_size: Keras's recurrent layers have no projection (weight_hr)",
                               "nearest: proj_size: 0, a different model (a Dense on every step is not the same "
                               "recurrence: torch feeds the projected h_t back)")
        steps = []
        for k in range(a.num_layers):
            if k and a.dropout:
                steps.append({"type": "Dropout", "rate": a.dropout, "$name": f"dropout{k}"})
            name = "" if a.num_layers == 1 else f"l{k}"
            layer = {"type": self.keras_name, "units": a.hidden_size, "return_sequences": True,
                     **self.keras_layer_args(a)}
            if a.bidirectional:
                layer = {"type": "Bidirectional", "layer": {**layer, "$name": "layer"}}
            steps.append({**layer, "$name": name, "$from": f"l{k}"})
        return Equivalent(tuple(steps))

    def keras_per_direction(self, a, i) -> int:
        g, h = self.gates, a.hidden_size
        return g * (h * (i + h) + (h if a.bias else 0))

    def keras_reason(self, a) -> str:
        if not a.bias:
            return "same count without biases"
        g, h = self.gates, a.hidden_size
        n = self.directions(a) * a.num_layers
        more = f"{g}×{h}" if g > 1 else f"{h}"
        return (f"double bias: PyTorch keeps b_ih and b_hh ({more} more per layer and direction"
                f"{', × ' + str(n) if n > 1 else ''}), Keras one bias")

    # -- forward ----------------------------------------------------------------------
    def forward(self, a, w, x, mask=None, context=None, hx=None):
        seqs = x if a.batch_first else transpose(x)  # (N, L, H_in)
        d = self.directions(a)
        h_n, c_n = [], []
        hx = None if hx is None else (hx if self.gates == 4 else [hx])  # [h_0 (, c_0)], each (D·layers, N, H)
        for k in range(a.num_layers):
            runs = []
            for j, sfx in enumerate(("", "_reverse")[:d]):
                params = self.layer_params(a, w, f"l{k}{sfx}")
                ys, last_h, last_c = [], [], []
                for n, seq in enumerate(seqs):
                    steps = seq[::-1] if sfx else seq
                    start = None if hx is None else [list(s0[k * d + j][n]) for s0 in hx]
                    out, state = self.run(a, params, steps, start)
                    ys.append(out[::-1] if sfx else out)
                    last_h.append(state[0])
                    last_c.append(state[-1])
                runs.append(ys)
                h_n.append(last_h)
                c_n.append(last_c)
            seqs = [[sum(parts, []) for parts in zip(*steps)] for steps in zip(*runs)]  # (N, L, D·H_out)
        if context is not None:
            context["states"] = {"h_n": h_n, "c_n": c_n} if self.gates == 4 else {"h_n": h_n}
            context["recurrent"] = self.name
        return seqs if a.batch_first else transpose(seqs)

    def layer_params(self, a, w, tag: str) -> dict:
        """One layer-direction's tensors, torch layouts (out, in): no transposes needed."""
        p = {"w_ih": w[f"weight_ih_{tag}"], "w_hh": w[f"weight_hh_{tag}"]}
        if a.bias:
            p["b"] = add(w[f"bias_ih_{tag}"], w[f"bias_hh_{tag}"])
            p["b_ih"], p["b_hh"] = w[f"bias_ih_{tag}"], w[f"bias_hh_{tag}"]
        if a.get("proj_size"):
            p["w_hr"] = w[f"weight_hr_{tag}"]
        return p

    def run(self, a, params, steps, state=None):
        """One direction of one layer over one sequence, from `state` (zeros by default): (outputs, final state)."""
        if state is None:
            h = [0.0] * (a.get("proj_size") or a.hidden_size)
            state = [h] + ([[0.0] * a.hidden_size] if self.gates == 4 else [])
        out = []
        for x_t in steps:
            state = self.step(a, params, x_t, state)
            out.append(state[0])
        return out, state


class LSTM(TorchRecurrent):
    """nn.LSTM: four gate blocks stacked in the order i, f, g, o; the cell
    state c_t forgets (f), takes in (i ⊙ g) and shows o ⊙ tanh(c_t). With
    proj_size, h_t is projected to p values by weight_hr."""

    name, auto_name, torch_name = "LSTM", "lstm", "nn.LSTM"
    gates, gate_order = 4, ("i", "f", "g", "o")
    keras_name, keras_gate_order = "LSTM", ("i", "f", "c", "o")
    args = recurrent_args(lstm=True)
    equations = (
        "i_t = σ(W_ii x_t + b_ii + W_hi h_(t-1) + b_hi)",
        "f_t = σ(W_if x_t + b_if + W_hf h_(t-1) + b_hf)",
        "g_t = tanh(W_ig x_t + b_ig + W_hg h_(t-1) + b_hg)",
        "o_t = σ(W_io x_t + b_io + W_ho h_(t-1) + b_ho)",
        "c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t",
        "h_t = o_t ⊙ tanh(c_t)   (with proj_size: h_t = W_hr (o_t ⊙ tanh(c_t)))",
    )

    def step(self, a, params, x_t, state):
        h_tm1, c_tm1 = state
        n = a.hidden_size
        z = add(matvec(params["w_ih"], x_t), matvec(params["w_hh"], h_tm1))  # (4h,)
        if "b" in params:
            z = add(z, params["b"])
        sig, tanh = SCALAR_FN["sigmoid"], math.tanh
        i = [sig(v) for v in z[:n]]
        f = [sig(v) for v in z[n:2 * n]]
        g = [tanh(v) for v in z[2 * n:3 * n]]
        o = [sig(v) for v in z[3 * n:]]
        c = add(hadamard(f, c_tm1), hadamard(i, g))
        h = hadamard(o, [tanh(v) for v in c])
        if "w_hr" in params:
            h = matvec(params["w_hr"], h)  # (p,)
        return [h, c]


class GRU(TorchRecurrent):
    """nn.GRU: a reset gate r and an update gate z (stacked r, z, n) blend
    the previous state with a candidate n_t; r is applied after the
    recurrent product, inside which b_hn stays, so both biases are used."""

    name, auto_name, torch_name = "GRU", "gru", "nn.GRU"
    gates, gate_order = 3, ("r", "z", "n")
    keras_name, keras_gate_order = "GRU", ("z", "r", "h")
    args = recurrent_args()
    equations = (
        "r_t = σ(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr)",
        "z_t = σ(W_iz x_t + b_iz + W_hz h_(t-1) + b_hz)",
        "n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_(t-1) + b_hn))",
        "h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_(t-1)",
    )

    def keras_per_direction(self, a, i) -> int:
        h = a.hidden_size
        return 3 * (h * (i + h) + (2 * h if a.bias else 0))

    def keras_reason(self, a):
        if not a.bias:
            return "same count without biases"
        return "same count: Keras GRU's reset_after=True (its default) also keeps two bias vectors"

    def step(self, a, params, x_t, state):
        (h_tm1,) = state
        n = a.hidden_size
        zero = [0.0] * (3 * n)
        gi = add(matvec(params["w_ih"], x_t), params.get("b_ih", zero))  # (3h,)
        gh = add(matvec(params["w_hh"], h_tm1), params.get("b_hh", zero))  # (3h,)
        sig = SCALAR_FN["sigmoid"]
        r = [sig(u + v) for u, v in zip(gi[:n], gh[:n])]
        z = [sig(u + v) for u, v in zip(gi[n:2 * n], gh[n:2 * n])]
        cand = [math.tanh(u + ri * v) for u, ri, v in zip(gi[2 * n:], r, gh[2 * n:])]
        return [[(1.0 - zi) * ni + zi * hp for zi, ni, hp in zip(z, cand, h_tm1)]]


class RNN(TorchRecurrent):
    """nn.RNN: the plain recurrent module, h_t = tanh(W_ih x_t + b_ih + W_hh
    h_(t-1) + b_hh) (or relu with nonlinearity: relu)."""

    name, auto_name, torch_name = "RNN", "rnn", "nn.RNN"
    gates, gate_order = 1, ("h",)
    keras_name, keras_gate_order = "SimpleRNN", ("h",)
    args = recurrent_args(rnn=True)

    def keras_layer_args(self, a):
        return {**super().keras_layer_args(a), **({"activation": "relu"} if a.nonlinearity == "relu" else {})}
    equations = ("h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)   (relu with nonlinearity: relu)",)

    def keras_mapping(self, a, s):
        lines = super().keras_mapping(a, s)
        if a.nonlinearity == "relu":
            lines.append("nonlinearity relu is Keras's activation: relu.")
        return lines

    def step(self, a, params, x_t, state):
        (h_tm1,) = state
        z = add(matvec(params["w_ih"], x_t), matvec(params["w_hh"], h_tm1))
        if "b" in params:
            z = add(z, params["b"])
        return [[SCALAR_FN[a.nonlinearity](v) for v in z]]


# -- cells: one timestep ---------------------------------------------------------------


class TorchCell(TorchModule):
    """Shared rules of nn.LSTMCell, nn.GRUCell and nn.RNNCell: one step of the
    matching module (the same gates and step function), on (N, H_in) in, h' out."""

    module: TorchRecurrent
    min_rank = max_rank = 2
    rank_hint = " (N, H_in): one timestep; loop over the sequence in forward"
    uses_context = True  # the forward pass leaves c' for cell[1]
    code_positional, width = ("input_size", "hidden_size"), ("input_size", -1)
    call_args = ("hx",)  # h_0, or [h_0, c_0] for LSTMCell, each (N, H)

    @property
    def gates(self) -> int:
        return self.module.gates

    @property
    def args(self):
        keep = ("input_size", "hidden_size", "bias", "nonlinearity")
        # torch builds and runs a cell of hidden_size 0 (an empty state), where nn.LSTM refuses it
        return tuple(a._replace(minimum=0) if a.name == "hidden_size" else a
                     for a in self.module.args if a.name in keep)

    def output_shape(self, a, s):
        self.check_rank(s)
        need_known(s, 1, "feature axis (the last)", self.name)
        check_width(a, "input_size", s[1], self.name)
        return (s[0], a.hidden_size)

    def reference_outputs(self, a, s, out):
        return [out, out] if self.gates == 4 else [out]

    def reference_values(self, a, y, context, out):
        return [y, context["cell_c"]] if self.gates == 4 else [y]

    def output_names(self, a, out):
        return ["h': the next hidden state", "c': the next cell state"] if self.gates == 4 else \
            ["h': the next hidden state"]

    def shape_rule(self, a, s, out):
        both = (f"; it returns the tuple (h', c'), each {fmt_shape(out)}: in a chain the next step receives h', "
                "and cell[1] is c'") if self.gates == 4 else ""
        return (f"one timestep: (N, H_in) = {fmt_shape(s)} in, h' (N, hidden_size) = {fmt_shape(out)} out{both}.")

    def check_call(self, a, s, out, call):
        hx = call.get("hx")
        if hx is None:
            return []
        given = hx if isinstance(hx, list) else [hx]
        n = 2 if self.gates == 4 else 1
        what = "(h_0, c_0)" if n == 2 else "h_0"
        if len(given) != n:
            raise ShapeError(f"{self.torch_name} takes hx = {what}, got {len(given)} tensor(s)",
                             "write hx: [h0, c0]" if n == 2 else "write hx: h0")
        for name, g in zip(("h_0", "c_0"), given):
            if len(g) != 2 or g[1] != a.hidden_size or None not in (g[0], s[0]) and g[0] != s[0]:
                raise ShapeError(f"{name} has shape {fmt_shape(g)} but {self.torch_name} expects "
                                 f"{fmt_shape((s[0], a.hidden_size))} (N, hidden_size)",
                                 f"give {name} of shape (N, {a.hidden_size})")
        return []

    def weights(self, a, s):
        g, h, f = self.gates, a.hidden_size, s[1]
        gates = ", ".join(self.module.gate_order)
        ws = [WeightSpec("weight_ih", (g * h, f), doc=f"the input → gates {gates}, stacked"),
              WeightSpec("weight_hh", (g * h, h), doc=f"h → gates {gates}")]
        if a.bias:
            ws += [WeightSpec("bias_ih", (g * h,), doc="input-side bias"),
                   WeightSpec("bias_hh", (g * h,), doc="recurrent-side bias")]
        return ws

    def formula(self, a, s):
        g, h, f = self.gates, a.hidden_size, s[1]
        g_sym = f"{g} × " if g > 1 else ""
        b_sym, b_num = (" + 2h", f" + 2 × {h}") if a.bias else ("", "")
        return Formula(f"{g_sym}(h × (i + h){b_sym})   (i = input_size, h = hidden_size)",
                       f"{g_sym}({h} × ({f} + {h}){b_num})", g * (h * (f + h) + (2 * h if a.bias else 0)))

    def macs(self, a, s, out):
        return self.gates * a.hidden_size * (s[1] + a.hidden_size)

    def elementwise_ops(self, a, s, out):
        return self.gates * a.hidden_size * (2 if a.bias else 0)

    def notes(self, a, s, out):
        g, h = self.gates, a.hidden_size
        name = self.module.torch_name
        return [
            f"A cell is one timestep of {name}: the same weights and gates, without the loop. Looping over the "
            "sequence (h = cell(x[:, t], h) for each t) is written in forward, so a spec describes one step; "
            f"{name}(input_size, {h}) holds the same weights as weight_ih_l0, weight_hh_l0, ...",
            f"It keeps two bias vectors, bias_ih and bias_hh ({g} × {h} each), as {name} does." if a.bias else
            "bias: false: no bias_ih and bias_hh, only the two weight matrices.",
            "Without hx the state starts at zeros; " + ("call: {hx: [h0, c0]} gives h and c, each (N, hidden_size)."
                                                        if g == 4 else "call: {hx: h0} gives it, (N, hidden_size)."),
        ]

    def to_keras(self, a, s):
        """Keras runs a cell only inside RNN, over a sequence: the step (N, H_in) becomes a sequence of one,
        (N, 1, H_in), and RNN(cell) returns h' (and, with return_state, [h', h', c'] for LSTMCell's c')."""
        cell = {"type": self.keras_cell, "units": a.hidden_size, **self.module.keras_layer_args(a)}
        rnn = {"type": "RNN", "cell": cell, "$name": "", "$from": ""}
        if self.gates == 4:
            rnn["return_state"] = True
        steps = ({"type": "Reshape", "target_shape": [1, s[1]], "$name": "steps"}, rnn)
        return Equivalent(steps, ("$1[0]", "$1[2]") if self.gates == 4 else ("$1",))

    @property
    def keras_cell(self) -> str:
        return {"LSTMCell": "LSTMCell", "GRUCell": "GRUCell", "RNNCell": "SimpleRNNCell"}[self.name]

    def keras_equivalent(self, a, s, out):
        """Keras's RNN(cell) over a sequence of one step (Reshape to (N, 1, H_in)): the cell's own count."""
        h, g = a.hidden_size, self.gates
        count = self.module.keras_per_direction(a, s[1])
        if not a.bias or self.name == "GRUCell":
            reason = "same count" + ("" if a.bias else " without biases") + \
                ("; Keras GRUCell's reset_after=True keeps two bias vectors" if a.bias else "")
        else:
            reason = f"double bias: PyTorch keeps bias_ih and bias_hh ({f'{g}×' if g > 1 else ''}{h} more), " \
                "Keras one bias"
        return (f"RNN({self.keras_cell}) on a sequence of one step", count, reason)

    def forward(self, a, w, x, mask=None, context=None, hx=None):
        params = {"w_ih": w["weight_ih"], "w_hh": w["weight_hh"]}
        if a.bias:
            params["b_ih"], params["b_hh"] = w["bias_ih"], w["bias_hh"]
            params["b"] = add(params["b_ih"], params["b_hh"])
        h = a.hidden_size
        hx = None if hx is None else (hx if self.gates == 4 else [hx])
        hs, cs = [], []
        for n, x_t in enumerate(x):  # (H_in,)
            state = ([[0.0] * h] * (2 if self.gates == 4 else 1)) if hx is None else [list(s0[n]) for s0 in hx]
            state = self.module.step(a, params, x_t, state)
            hs.append(state[0])
            cs.append(state[-1])
        if context is not None:
            context["cell_c"] = cs
        return hs


class LSTMCell(TorchCell):
    """nn.LSTMCell: one step of nn.LSTM, (h', c') = cell(x_t, (h, c))."""

    name, auto_name, torch_name, module = "LSTMCell", "lstm_cell", "nn.LSTMCell", LSTM()


class GRUCell(TorchCell):
    """nn.GRUCell: one step of nn.GRU, h' = cell(x_t, h)."""

    name, auto_name, torch_name, module = "GRUCell", "gru_cell", "nn.GRUCell", GRU()


class RNNCell(TorchCell):
    """nn.RNNCell: one step of nn.RNN, h' = tanh(W_ih x_t + b_ih + W_hh h + b_hh)."""

    name, auto_name, torch_name, module = "RNNCell", "rnn_cell", "nn.RNNCell", RNN()
