"""The PyTorch dialect (`framework: pytorch`): torch.nn modules as layer types.

Arguments have torch's names and defaults; weights are the `state_dict`
tensors with their names and layouts (`weight_ih_l0` (4h, in), `bias_hh_l0`,
`weight_hr_l0`, `..._reverse`); parameter counts are torch's
(`sum(p.numel() for p in m.parameters())`, buffers excluded).

Shapes follow torch's conventions: a recurrent module with `batch_first:
false` (torch's default) reads (L, N, H_in), so the model's input puts the
batch axis second when the first module that cares is such a module
(`batch_axis`); Conv1d reads channels first, (N, C, L). The input width of
a module (`input_size`, `in_features`, `in_channels`, `num_features`) is
inferred from the incoming shape; if written it must match.

Three pseudo steps turn the tuple-returning recurrent modules into a chain:
`LastTimestep` (out[:, -1] or out[-1]), `HiddenState` (h_n[i] or c_n[i]) and
`Transpose` (x.transpose(d0, d1)). `resolve` fills in what they take from
the recurrent module before them.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..args import Arg
from ..errors import ShapeError, SpecError
from ..tensor import add, dot, flatten, hadamard, matvec, permute, reshape, rsqrt, shape_of, transpose
from .base import Formula, LayerType, WeightSpec, fmt_shape, mult, need_known

# -- shared pieces -------------------------------------------------------------------

FACTORY_ARGS = (
    Arg("device", "object", None, "torch device of the parameters (no effect on shapes or counts)"),
    Arg("dtype", "dtype", None, "dtype of the parameters (no effect on shapes or counts)", nullable=True),
)


def width_arg(name: str, what: str) -> Arg:
    return Arg(name, "int", None, f"{what}; inferred from the input (if written, it must match)",
               minimum=1, nullable=True, structural=True)


def check_width(a, name: str, got: int, module: str) -> int:
    """The inferred input width, checked against the written one."""
    written = a.get(name)
    if written is not None and written != got:
        raise ShapeError(f"{name} is {written} but the input to {module} has {got}",
                         f"write {name}: {got}, or leave it out (it is inferred)")
    return got


def elementwise(x, f):
    """Apply a scalar function to every value of a nested list."""
    if isinstance(x, list):
        return [elementwise(v, f) for v in x]
    return f(x)


class TorchModule(LayerType):
    """Base of the torch.nn modules: no Keras base arguments, only `name`
    and the factory keywords `device` and `dtype`."""

    trainable_arg = False
    factory = True  # does the constructor take device= and dtype=?
    torch_name = ""  # nn.<Module>, for the notes

    @property
    def all_args(self) -> tuple[Arg, ...]:
        name = Arg("name", "str", None, "layer name; default: the module name in snake case", nullable=True)
        return self.args + (FACTORY_ARGS if self.factory else ()) + (name,)

    def buffers(self, a, s) -> list[WeightSpec]:
        """Tensors of the state_dict that are not parameters (not counted)."""
        return []

    def keras_equivalent(self, a, s, out) -> tuple[str, int | None, str]:
        """(Keras layer, its parameter count or None, one-line reason) for `compare`."""
        return (self.name, self.formula(a, s).value, "same weights")


class Elementwise(TorchModule):
    factory = False
    function = "linear"

    def forward(self, a, w, x, mask=None):
        return elementwise(x, _SCALAR_FN[self.function])


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
        return (f"output holds the last layer's h_t at every timestep, {layout} = {fmt_shape(out)}: "
                f"{last}{why}. h_n is (D·num_layers, N, H_out) = ({d * a.num_layers}, N, {h}) whatever "
                "batch_first says; take it with a HiddenState step.")

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
        sets = (f"{n * d} weight sets, named _l0 ... _l{n - 1}{' and _reverse' if d > 1 else ''}"
                if n * d > 1 else "one weight set, named _l0")
        lines = [
            f"hidden_size {h} is Keras's units: the size of h_t{' and c_t' if g == 4 else ''}. "
            f"num_layers {n} stacks {n} recurrent layer{'s' if n > 1 else ''} inside this one module"
            f"{', each run in both directions (D = 2)' if d > 1 else ''}: {sets}.",
            f"Layer 0 reads the {i[0]} input features; layers 1+ read the previous layer's output, D·H_out = "
            f"{d * self.out_size(a)} wide." if n > 1 else
            f"The layer reads the {i[0]} input features at every timestep.",
            f"PyTorch keeps two bias vectors per gate set, bias_ih and bias_hh, that only ever appear summed "
            f"(b_ih + b_hh): {'2 × ' + str(g) + ' × ' if g > 1 else '2 × '}{h} = {2 * g * h} bias values per "
            "layer and direction where Keras keeps one (GRU with reset_after: the two are really used).",
            "The module returns (output, h_n) (LSTM: (output, (h_n, c_n))); in a chain the next step receives "
            "output. LastTimestep takes output[:, -1] (or output[-1] without batch_first); HiddenState takes "
            "h_n[index] (or c_n[index]).",
        ]
        if a.dropout and n == 1:
            lines.append("dropout only acts between stacked layers, so with num_layers 1 it does nothing "
                         "(torch warns about it).")
        lines += self.keras_mapping(a, s)
        return lines

    def keras_mapping(self, a, s) -> list[str]:
        """How the state_dict tensors map onto Keras's kernel / recurrent_kernel / bias."""
        torch_order, keras_order = ",".join(self.gate_order), ",".join(self.keras_gate_order)
        same = self.gate_order == self.keras_gate_order
        lines = [
            f"To Keras ({self.keras_name}): kernel = weight_ih_l0ᵀ ({self.gates}h, in) → (in, {self.gates}h); "
            f"recurrent_kernel = weight_hh_l0ᵀ; bias = bias_ih_l0 + bias_hh_l0"
            + ("." if self.name != "GRU" else "; or, keeping both, Keras GRU(reset_after=True)'s bias (2, 3h) "
               "= [bias_ih_l0, bias_hh_l0]: the same structure, n's recurrent bias inside r ⊙ (...)."),
            ("The gate blocks are in the same order in both (" + torch_order + ")." if same else
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

    def keras_per_direction(self, a, i) -> int:
        g, h = self.gates, a.hidden_size
        return g * (h * (i + h) + (h if a.bias else 0))

    def keras_reason(self, a) -> str:
        if not a.bias:
            return "same count without biases"
        g, h = self.gates, a.hidden_size
        n = self.directions(a) * a.num_layers
        return (f"double bias: PyTorch keeps b_ih and b_hh ({g}×{h} more per layer and direction"
                f"{', × ' + str(n) if n > 1 else ''}), Keras one bias")

    # -- forward ----------------------------------------------------------------------
    def forward(self, a, w, x, mask=None, context=None):
        seqs = x if a.batch_first else transpose(x)  # (N, L, H_in)
        d = self.directions(a)
        h_n, c_n = [], []
        for k in range(a.num_layers):
            runs = []
            for sfx in ("", "_reverse")[:d]:
                params = self.layer_params(a, w, f"l{k}{sfx}")
                ys, last_h, last_c = [], [], []
                for seq in seqs:
                    steps = seq[::-1] if sfx else seq
                    out, state = self.run(a, params, steps)
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

    def run(self, a, params, steps):
        """One direction of one layer over one sequence: (outputs, final state)."""
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
        sig, tanh = _SCALAR_FN["sigmoid"], math.tanh
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
        sig = _SCALAR_FN["sigmoid"]
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
        return [[_SCALAR_FN[a.nonlinearity](v) for v in z]]


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
        t, sa = a.source
        n = t.directions(sa) * sa.num_layers
        return (f"{a.state} is ({n}, N, {out[1]}) whatever batch_first says; {a.state}[{a.index}] "
                f"is {fmt_shape(out)}.")

    def keras_equivalent(self, a, s, out):
        return ("return_state / last h_t", 0, "Keras returns the last state of its last layer")

    def forward(self, a, w, x, mask=None, context=None):
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

    def forward(self, a, w, x, mask=None):
        rank = len(shape_of(x))
        d0, d1 = self.dims(a, rank)
        perm = list(range(rank))
        perm[d0], perm[d1] = d1, d0
        return permute(x, tuple(perm))


# -- dense, embedding, convolution --------------------------------------------------


class Linear(TorchModule):
    """nn.Linear: y = x Wᵀ + b on the last axis, with weight (out_features,
    in_features): Keras's Dense kernel transposed."""

    name, auto_name, torch_name = "Linear", "linear", "nn.Linear"
    min_rank = 1
    args = (
        width_arg("in_features", "size of the last input axis"),
        Arg("out_features", "int", doc="size of the last output axis", minimum=1, structural=True),
        Arg("bias", "bool", True, "whether the module has a bias vector", structural=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        check_width(a, "in_features", need_known(s, -1, "last axis (the one Linear acts on)", self.name),
                    self.name)
        return s[:-1] + (a.out_features,)

    def shape_rule(self, a, s, out):
        return (f"Linear maps the last axis {s[-1]} → {a.out_features} and keeps the others: "
                f"{fmt_shape(out)}.")

    def weights(self, a, s):
        ws = [WeightSpec("weight", (a.out_features, s[-1]), doc="(out_features, in_features): Dense's kernelᵀ")]
        if a.bias:
            ws.append(WeightSpec("bias", (a.out_features,), doc="one per output"))
        return ws

    def formula(self, a, s):
        i, o = s[-1], a.out_features
        if a.bias:
            return Formula("out_features × in_features + out_features", f"{o} × {i} + {o}", o * i + o)
        return Formula("out_features × in_features", f"{o} × {i}", o * i)

    def macs(self, a, s, out):
        positions = mult(*s[1:-1])
        return None if positions is None else positions * s[-1] * a.out_features

    def notes(self, a, s, out):
        return ["To Keras: Dense(units=out_features) with kernel = weightᵀ (in, out) and the same bias."]

    def keras_equivalent(self, a, s, out):
        return ("Dense", self.formula(a, s).value, "same count (kernel = weightᵀ)")

    def forward(self, a, w, x, mask=None):
        rows, bias = w["weight"], (w["bias"] if a.bias else None)

        def unit(v):
            y = matvec(rows, v)
            return add(y, bias) if bias is not None else y

        return _map_last(x, unit)


class Embedding(TorchModule):
    """nn.Embedding: each integer id in [0, num_embeddings) selects one row
    of weight (num_embeddings, embedding_dim). padding_idx only zeroes its
    row at initialisation and blocks its gradient; max_norm renormalises the
    looked-up rows whose norm exceeds it."""

    name, auto_name, torch_name = "Embedding", "embedding", "nn.Embedding"
    min_rank = 1
    args = (
        Arg("num_embeddings", "int", doc="vocabulary size: ids run from 0 to num_embeddings - 1", minimum=1,
            structural=True),
        Arg("embedding_dim", "int", doc="length of each embedding vector", minimum=1, structural=True),
        Arg("padding_idx", "int", None, "id whose row starts at zero and gets no gradient", nullable=True),
        Arg("max_norm", "float", None, "renormalise looked-up rows to at most this norm", nullable=True),
        Arg("norm_type", "float", 2.0, "p of the p-norm for max_norm"),
        Arg("scale_grad_by_freq", "bool", False, "scale gradients by inverse id frequency (training only)"),
        Arg("sparse", "bool", False, "sparse gradients (training only)"),
        Arg("_weight", "object", None, "initial weight tensor (not supported here: leave null)"),
        Arg("_freeze", "bool", False, "weight does not require grad (as from_pretrained(freeze=True))",
            structural=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        n, p = a.num_embeddings, a.padding_idx
        if p is not None and not -n <= p < n:
            raise ShapeError(f"padding_idx {p} is not within num_embeddings ({n})",
                             f"use an id from {-n} to {n - 1}")
        if a._weight is not None:
            raise ShapeError("_weight is not supported", "remove it; give weights to `run` instead")
        return s + (a.embedding_dim,)

    def shape_rule(self, a, s, out):
        return f"every id of {fmt_shape(s)} becomes a vector of {a.embedding_dim}: {fmt_shape(out)}."

    def weights(self, a, s):
        return [WeightSpec("weight", (a.num_embeddings, a.embedding_dim), trainable=not a._freeze,
                           doc="one row per id")]

    def formula(self, a, s):
        n, d = a.num_embeddings, a.embedding_dim
        return Formula("num_embeddings × embedding_dim", f"{n} × {d}", n * d)

    def notes(self, a, s, out):
        return ["To Keras: Embedding(input_dim=num_embeddings, output_dim=embedding_dim), embeddings = weight. "
                "padding_idx is not Keras's mask_zero: torch does not mask later steps."]

    def keras_equivalent(self, a, s, out):
        return ("Embedding", self.formula(a, s).value, "same table")

    def forward(self, a, w, x, mask=None):
        table = w["weight"]

        def look(v):
            if isinstance(v, list):
                return [look(t) for t in v]
            if isinstance(v, bool) or not isinstance(v, int):
                raise SpecError(f"Embedding takes integer ids (torch.long), got {v!r}",
                                hint="feed token ids as integers")
            if not 0 <= v < a.num_embeddings:
                raise SpecError(f"id {v} is out of range [0, {a.num_embeddings})", hint="index out of range")
            return self.renorm(a, table[v])

        return look(x)

    @staticmethod
    def renorm(a, row):
        if a.max_norm is None:
            return list(row)
        norm = sum(abs(v) ** a.norm_type for v in row) ** (1.0 / a.norm_type)
        if norm <= a.max_norm:
            return list(row)
        scale = a.max_norm / (norm + 1e-7)
        return [v * scale for v in row]


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv1d(TorchModule):
    """nn.Conv1d: out_channels kernels, each spanning kernel_size steps and
    in_channels / groups channels, slide along the last axis of a
    channels-first (N, C_in, L) input."""

    name, auto_name, torch_name = "Conv1d", "conv1d", "nn.Conv1d"
    min_rank = max_rank = 3
    rank_hint = " (N, C_in, L): channels first"
    args = (
        width_arg("in_channels", "channels of the input (axis 1)"),
        Arg("out_channels", "int", doc="number of output channels", minimum=1, structural=True),
        Arg("kernel_size", "ints", doc="length of the window, an int or a list of one int", minimum=1,
            structural=True),
        Arg("stride", "ints", 1, "step of the window", minimum=1, structural=True),
        Arg("padding", "object", 0, "zeros added on both sides: an int (or list of one), 'same' or 'valid'",
            structural=True),
        Arg("dilation", "ints", 1, "gap between kernel taps", minimum=1, structural=True),
        Arg("groups", "int", 1, "split channels into groups convolved separately", minimum=1, structural=True),
        Arg("bias", "bool", True, "whether the module has a bias vector", structural=True),
        Arg("padding_mode", "choice", "zeros", "how padding is filled", choices=PADDING_MODES),
    )

    def span(self, a) -> int:
        return a.dilation * (a.kernel_size - 1) + 1

    def pads(self, a) -> tuple[int, int]:
        """(left, right) padding; 'same' puts the odd step on the right."""
        p = a.padding
        if isinstance(p, list) and len(p) == 1:
            p = p[0]
        if p == "valid":
            return 0, 0
        if p == "same":
            if a.stride != 1:
                raise ShapeError("padding='same' is not supported for strided convolutions", "use stride 1")
            total = self.span(a) - 1
            return total // 2, total - total // 2
        if isinstance(p, bool) or not isinstance(p, int) or p < 0:
            raise ShapeError(f"padding must be a non-negative integer, 'same' or 'valid', got {p!r}")
        return p, p

    def channels(self, a, s) -> int:
        self.check_rank(s)
        c = check_width(a, "in_channels", need_known(s, 1, "channel axis (axis 1)", self.name), self.name)
        if c % a.groups:
            raise ShapeError(f"in_channels ({c}) must be divisible by groups ({a.groups})")
        if a.out_channels % a.groups:
            raise ShapeError(f"out_channels ({a.out_channels}) must be divisible by groups ({a.groups})")
        return c

    def output_shape(self, a, s):
        self.channels(a, s)
        left, right = self.pads(a)
        length = s[2]
        if length is None:
            return (s[0], a.out_channels, None)
        if a.padding_mode == "reflect" and max(left, right) >= length:
            raise ShapeError(f"reflect padding ({max(left, right)}) must be smaller than the length ({length})")
        if a.padding_mode == "circular" and max(left, right) > length:
            raise ShapeError(f"circular padding ({max(left, right)}) wraps around more than once "
                             f"(length {length})")
        padded = length + left + right
        if padded < self.span(a):
            raise ShapeError(f"the padded input has {padded} steps but the kernel spans {self.span(a)}",
                             "use more padding, a smaller kernel or a longer input")
        return (s[0], a.out_channels, (padded - self.span(a)) // a.stride + 1)

    def shape_rule(self, a, s, out):
        left, right = self.pads(a)
        if s[2] is None:
            return "the length is variable, so the output length is too; channels → out_channels."
        return (f"L_out = floor((L + pad_left + pad_right − dilation·(k − 1) − 1) / stride) + 1 = "
                f"floor(({s[2]} + {left} + {right} − {self.span(a) - 1} − 1) / {a.stride}) + 1 = {out[2]}; "
                f"channels {s[1]} → {a.out_channels}, still first: {fmt_shape(out)}.")

    def weights(self, a, s):
        c = self.channels(a, s)
        ws = [WeightSpec("weight", (a.out_channels, c // a.groups, a.kernel_size),
                         doc="(out_channels, in_channels / groups, kernel_size)")]
        if a.bias:
            ws.append(WeightSpec("bias", (a.out_channels,), doc="one per output channel"))
        return ws

    def formula(self, a, s):
        c, o, k, g = self.channels(a, s), a.out_channels, a.kernel_size, a.groups
        sym = "out_channels × (in_channels / groups) × kernel_size"
        num = f"{o} × ({c} / {g}) × {k}" if g > 1 else f"{o} × {c} × {k}"
        value = o * (c // g) * k
        if a.bias:
            return Formula(sym + " + out_channels", num + f" + {o}", value + o)
        return Formula(sym, num, value)

    def macs(self, a, s, out):
        if out[2] is None:
            return None
        return out[2] * a.out_channels * (self.channels(a, s) // a.groups) * a.kernel_size

    def notes(self, a, s, out):
        return [
            "Channels first: torch's Conv1d reads (N, C, L) where Keras's Conv1D reads (N, L, C) "
            "(data_format channels_last). A spec moves between them by swapping the last two axes of "
            "input.shape ([C, L] ↔ [L, C]), or with a Transpose step (dim0: 1, dim1: 2) before and after "
            "the convolution in a chain that is otherwise (N, L, C), as after an Embedding or an LSTM.",
            f"To Keras: Conv1D(filters=out_channels, kernel_size, strides=stride, dilation_rate=dilation, "
            f"groups) with kernel = weight permuted (k, in/groups, out) = weight.permute(2, 1, 0); "
            f"same bias. Padding: 'valid' and 'same' map directly (for 'same' with an even window both put "
            f"the extra step on the right); an integer padding p has no Keras argument: "
            f"add ZeroPadding1D(p) first. padding_mode {a.padding_mode!r}"
            + (" is Keras's only mode." if a.padding_mode == "zeros" else " has no Keras equivalent."),
        ]

    def keras_equivalent(self, a, s, out):
        return ("Conv1D (channels_last)", self.formula(a, s).value, "same count; kernel = weight.permute(2, 1, 0)")

    def forward(self, a, w, x, mask=None):
        weight, bias = w["weight"], (w["bias"] if a.bias else None)
        left, right = self.pads(a)
        c_out, c_in = a.out_channels, len(weight[0])
        per_group = c_out // a.groups
        out = []
        for sample in x:  # (C_in, L)
            padded = [pad(row, left, right, a.padding_mode) for row in sample]
            n = (len(padded[0]) - self.span(a)) // a.stride + 1
            ys = []
            for o in range(c_out):
                first = (o // per_group) * c_in
                taps = [(padded[first + c], kernel) for c, kernel in enumerate(weight[o])]
                b = bias[o] if bias is not None else 0.0
                ys.append([b + sum(dot(kernel, row[t * a.stride:t * a.stride + self.span(a):a.dilation])
                                   for row, kernel in taps) for t in range(n)])
            out.append(ys)
        return out


def pad(row: list, left: int, right: int, mode: str) -> list:
    """Pad one channel as torch's padding_mode does."""
    n = len(row)
    if mode == "zeros":
        return [0.0] * left + row + [0.0] * right
    if mode == "reflect":
        return [row[left - i] for i in range(left)] + row + [row[n - 2 - i] for i in range(right)]
    if mode == "replicate":
        return [row[0]] * left + row + [row[-1]] * right
    return [row[(i - left) % n] for i in range(left)] + row + [row[i % n] for i in range(right)]


# -- normalisation --------------------------------------------------------------------


class LayerNorm(TorchModule):
    """nn.LayerNorm: normalises each sample over its last len(normalized_shape)
    axes jointly (biased variance), then scales by weight and shifts by bias,
    both of shape normalized_shape."""

    name, auto_name, torch_name = "LayerNorm", "layer_norm", "nn.LayerNorm"
    args = (
        Arg("normalized_shape", "axis", doc="the trailing axes normalised together: an int or a list",
            structural=True),
        Arg("eps", "float", 1e-5, "added to the variance"),
        Arg("elementwise_affine", "bool", True, "learn weight (and bias)", structural=True),
        Arg("bias", "bool", True, "learn bias (with elementwise_affine)", structural=True),
    )

    @staticmethod
    def normalized(a) -> tuple[int, ...]:
        ns = a.normalized_shape
        return ns if isinstance(ns, tuple) else (ns,)

    def output_shape(self, a, s):
        ns = self.normalized(a)
        if len(s) <= len(ns) or tuple(s[-len(ns):]) != ns:
            raise ShapeError(f"normalized_shape {list(ns)} must match the last axes of the input "
                             f"{fmt_shape(s)}", f"write normalized_shape: {list(s[-len(ns):])}")
        return s

    def shape_rule(self, a, s, out):
        return f"LayerNorm keeps the shape; it normalises over the last axes {list(self.normalized(a))}."

    def weights(self, a, s):
        ns = self.normalized(a)
        ws = []
        if a.elementwise_affine:
            ws.append(WeightSpec("weight", ns, doc="scale (Keras's gamma)"))
            if a.bias:
                ws.append(WeightSpec("bias", ns, doc="offset (Keras's beta)"))
        return ws

    def formula(self, a, s):
        n, k = math.prod(self.normalized(a)), len(self.weights(a, s))
        parts = " + ".join(w.name for w in self.weights(a, s)) or "none"
        return Formula(f"{k} × prod(normalized_shape)   ({parts})", f"{k} × {n}", k * n)

    def notes(self, a, s, out):
        k = len(self.normalized(a))
        axis = -1 if k == 1 else list(range(-k, 0))
        return [f"To Keras: LayerNormalization(axis={axis}, epsilon={a.eps:g}) with gamma = weight, "
                "beta = bias (Keras's default epsilon is 1e-3)."]

    def keras_equivalent(self, a, s, out):
        return ("LayerNormalization", self.formula(a, s).value, "same count (gamma, beta)")

    def forward(self, a, w, x, mask=None):
        k = len(self.normalized(a))
        rank = len(shape_of(x))
        gamma = flatten(w["weight"]) if a.elementwise_affine else None
        beta = flatten(w["bias"]) if a.elementwise_affine and a.bias else None

        def normalise(block):
            v = flatten(block)
            mean = sum(v) / len(v)
            inv = rsqrt(sum((e - mean) ** 2 for e in v) / len(v) + a.eps)
            y = [(e - mean) * inv for e in v]
            if gamma is not None:
                y = hadamard(y, gamma)
            if beta is not None:
                y = add(y, beta)
            return reshape(y, shape_of(block)) if k > 1 else y

        return _map_depth(x, normalise, rank - k)


class BatchNorm1d(TorchModule):
    """nn.BatchNorm1d: normalises each channel (axis 1 of (N, C) or (N, C, L))
    with its running mean and variance at inference: y = (x − μ)/√(σ² + ε)·w + b."""

    name, auto_name, torch_name = "BatchNorm1d", "batch_norm1d", "nn.BatchNorm1d"
    ignored_tensors = ("num_batches_tracked",)  # in every state_dict; only training reads it
    min_rank, max_rank = 2, 3
    rank_hint = " ((N, C) or (N, C, L))"
    args = (
        width_arg("num_features", "channels (axis 1)"),
        Arg("eps", "float", 1e-5, "added to the variance"),
        Arg("momentum", "float", 0.1, "weight of the new batch in the running statistics (null: average)",
            nullable=True),
        Arg("affine", "bool", True, "learn weight and bias", structural=True),
        Arg("track_running_stats", "bool", True, "keep running_mean and running_var buffers", structural=True),
    )

    def channels(self, a, s) -> int:
        self.check_rank(s)
        return check_width(a, "num_features", need_known(s, 1, "channel axis (axis 1)", self.name), self.name)

    def output_shape(self, a, s):
        self.channels(a, s)
        return s

    def shape_rule(self, a, s, out):
        return f"BatchNorm1d keeps the shape; channel axis 1 (size {s[1]}) gets its own statistics."

    def weights(self, a, s):
        c = (self.channels(a, s),)
        if not a.affine:
            return []
        return [WeightSpec("weight", c, doc="scale per channel (Keras's gamma)"),
                WeightSpec("bias", c, doc="offset per channel (Keras's beta)")]

    def buffers(self, a, s):
        c = (self.channels(a, s),)
        if not a.track_running_stats:
            return []
        return [WeightSpec("running_mean", c, trainable=False, doc="running mean (a buffer, not a parameter)"),
                WeightSpec("running_var", c, trainable=False, doc="running variance (a buffer)")]

    def formula(self, a, s):
        c = self.channels(a, s)
        if not a.affine:
            return Formula("0   (affine: false; running statistics are buffers)", "0", 0)
        return Formula("2 × num_features   (weight + bias; running statistics are buffers)", f"2 × {c}", 2 * c)

    def notes(self, a, s, out):
        c = self.channels(a, s)
        lines = []
        if a.track_running_stats:
            lines.append(f"running_mean and running_var ({c} each) and num_batches_tracked are buffers: in the "
                         "state_dict but not in parameters(), so torch (and this count) leaves them out. `run` "
                         "takes weight, bias, running_mean and running_var, and accepts and ignores "
                         "num_batches_tracked (only training reads it).")
        else:
            lines.append("track_running_stats: false: no running statistics; even at inference it normalises "
                         "with the batch's own mean and (biased) variance over N and L.")
        lines += [
            "Training needs more than one value per channel (N × L > 1); inference does not.",
            f"To Keras: BatchNormalization(axis=1, epsilon={a.eps:g}, momentum={1 - (a.momentum or 0.1):g}) "
            "(Keras's momentum is 1 − torch's) with gamma = weight, beta = bias, moving_mean = running_mean, "
            "moving_variance = running_var; Keras counts the moving statistics as non-trainable parameters.",
        ]
        return lines

    def keras_equivalent(self, a, s, out):
        c = self.channels(a, s)
        keras = (2 * c if a.affine else 0) + 2 * c
        return ("BatchNormalization(axis=1)", keras,
                "Keras counts moving_mean/moving_variance as non-trainable params; torch keeps them as buffers")

    def forward(self, a, w, x, mask=None):
        gamma = w["weight"] if a.affine else None
        beta = w["bias"] if a.affine else None
        rank = len(shape_of(x))
        if a.track_running_stats:
            mean, var = w["running_mean"], w["running_var"]
        else:
            per_channel = [[v for sample in x for v in flatten(sample[c])] for c in range(len(x[0]))]
            mean = [sum(v) / len(v) for v in per_channel]
            var = [sum((e - m) ** 2 for e in v) / len(v) for v, m in zip(per_channel, mean)]
        inv = [rsqrt(v + a.eps) * (gamma[c] if gamma else 1.0) for c, v in enumerate(var)]
        shift = [(beta[c] if beta else 0.0) - m * inv[c] for c, m in enumerate(mean)]

        def channel(c, v):
            return v * inv[c] + shift[c]

        if rank == 2:
            return [[channel(c, v) for c, v in enumerate(sample)] for sample in x]
        return [[[channel(c, v) for v in row] for c, row in enumerate(sample)] for sample in x]


# -- shape-only modules ---------------------------------------------------------------


class Dropout(TorchModule):
    """nn.Dropout: zeroes a fraction p of the values while training (scaling
    the rest by 1/(1 − p)); the identity at inference. No weights."""

    name, auto_name, torch_name = "Dropout", "dropout", "nn.Dropout"
    factory = False
    args = (Arg("p", "float", 0.5, "probability of an element being zeroed", minimum=0, maximum=1),
            Arg("inplace", "bool", False, "overwrite the input (memory only)"))

    def keras_equivalent(self, a, s, out):
        return ("Dropout", 0, "no weights")


class Flatten(TorchModule):
    """nn.Flatten: merges the axes start_dim..end_dim (batch axis included in
    the numbering; default 1..-1, everything but the batch)."""

    name, auto_name, torch_name = "Flatten", "flatten", "nn.Flatten"
    factory = False
    args = (Arg("start_dim", "int", 1, "first axis merged", structural=True),
            Arg("end_dim", "int", -1, "last axis merged", structural=True))

    def dims(self, a, rank: int) -> tuple[int, int]:
        for d in (a.start_dim, a.end_dim):
            if not -rank <= d < rank:
                raise ShapeError(f"dimension {d} is out of range for a {rank}-D input",
                                 f"use a dimension from {-rank} to {rank - 1}")
        start, end = a.start_dim % rank, a.end_dim % rank
        if start > end:
            raise ShapeError(f"start_dim ({a.start_dim}) cannot come after end_dim ({a.end_dim})")
        return start, end

    def output_shape(self, a, s):
        start, end = self.dims(a, len(s))
        return s[:start] + (mult(*s[start:end + 1]),) + s[end + 1:]

    def shape_rule(self, a, s, out):
        start, end = self.dims(a, len(s))
        return f"axes {start}..{end} of {fmt_shape(s)} merge into one: {fmt_shape(out)}."

    def keras_equivalent(self, a, s, out):
        return ("Flatten" if (a.start_dim, a.end_dim) == (1, -1) else "Reshape", 0, "no weights")

    def forward(self, a, w, x, mask=None):
        shape = shape_of(x)
        return reshape(flatten(x), self.output_shape(a, shape))


class ReLU(Elementwise):
    """nn.ReLU: max(0, x), elementwise."""

    name, auto_name, torch_name, function = "ReLU", "relu", "nn.ReLU", "relu"
    args = (Arg("inplace", "bool", False, "overwrite the input (memory only)"),)

    def keras_equivalent(self, a, s, out):
        return ("Activation('relu')", 0, "no weights")


class Tanh(Elementwise):
    """nn.Tanh: tanh(x), elementwise."""

    name, auto_name, torch_name, function = "Tanh", "tanh", "nn.Tanh", "tanh"

    def keras_equivalent(self, a, s, out):
        return ("Activation('tanh')", 0, "no weights")


class Sigmoid(Elementwise):
    """nn.Sigmoid: 1 / (1 + e^(−x)), elementwise."""

    name, auto_name, torch_name, function = "Sigmoid", "sigmoid", "nn.Sigmoid", "sigmoid"

    def keras_equivalent(self, a, s, out):
        return ("Activation('sigmoid')", 0, "no weights")


# -- helpers ----------------------------------------------------------------------------

_SCALAR_FN = {
    "tanh": math.tanh,
    "relu": lambda v: v if v > 0 else 0.0,
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v)),
}


def _map_last(x, fn):
    """fn on every vector along the last axis."""
    if x and isinstance(x[0], list):
        return [_map_last(v, fn) for v in x]
    return fn(x)


def _map_depth(x, fn, depth: int):
    """fn on every sub-tensor found `depth` axes down."""
    if depth == 0:
        return fn(x)
    return [_map_depth(v, fn, depth - 1) for v in x]


MODULES = (LSTM(), GRU(), RNN(), Linear(), Embedding(), Conv1d(), LayerNorm(), BatchNorm1d(), Dropout(),
           Flatten(), ReLU(), Tanh(), Sigmoid(), LastTimestep(), HiddenState(), Transpose())
PYTORCH: dict[str, LayerType] = {t.name: t for t in MODULES}

# modules that act on the last axes or elementwise: they do not decide where the batch axis is
LAYOUT_NEUTRAL = ("Embedding", "Linear", "Dropout", "ReLU", "Tanh", "Sigmoid", "LayerNorm")


def batch_axis(layers) -> int:
    """Where the batch axis goes in the model's input: second when the first
    module that cares is a recurrent one without batch_first, else first."""
    for spec in layers:
        if isinstance(spec.type, TorchRecurrent):
            return 0 if spec.args.batch_first else 1
        if spec.type.name not in LAYOUT_NEUTRAL:
            return 0
    return 0


def resolve(layers) -> tuple:
    """Fill in what the pseudo steps take from the recurrent module before them."""
    out, last = [], None
    for spec in layers:
        if spec.type.name == "LastTimestep" and spec.args.batch_first is None:
            first = last.args.batch_first if last is not None else True
            spec = replace(spec, args=spec.args.replace(batch_first=first))
        elif spec.type.name == "HiddenState":
            prev = out[-1] if out else None
            source = (prev.type, prev.args) if prev is not None and isinstance(prev.type, TorchRecurrent) else None
            spec = replace(spec, args=spec.args.replace(source=source))
        if isinstance(spec.type, TorchRecurrent):
            last = spec
        out.append(spec)
    return tuple(out)
