"""Keras's `RNN` layer over cells: LSTMCell, GRUCell, SimpleRNNCell and StackedRNNCells.

A cell is one timestep of a recurrent layer: `RNN(LSTMCell(8))` is
`LSTM(8)`. The cells reuse the step of the matching layer in recurrent.py
(the same gates, weights and equations); `RNN` loops over the timesteps.
A list of cells is stacked (Keras wraps it in StackedRNNCells): at every
timestep cell k reads cell k-1's h_t, and the layer outputs the last cell's.
Cells take no rows and no layer names; with stacked cells the weights for
`run` are a list of mappings, one per cell, in order.
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, LayerType, WeightSpec, initial_states
from lstmcalc.layers.recurrent import GRU, LSTM, Recurrent, SimpleRNN, rnn_args
from lstmcalc.shapes import fmt_shape

# what RNN itself takes (Keras 3: RNN(cell, return_sequences, return_state, go_backwards, stateful, unroll,
# zero_output_for_mask)); the cells take the rest of a recurrent layer's arguments
LAYER_ONLY = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask")


def cell_args(layer: Recurrent) -> tuple[Arg, ...]:
    return tuple(a for a in layer.args if a.name not in LAYER_ONLY + ("use_cudnn", "implementation"))


class Cell(LayerType):
    """A recurrent cell: the step of `layer` (an LSTM, GRU or SimpleRNN), for one timestep."""

    layer: Recurrent
    is_cell = True

    @property
    def states(self) -> int:
        return self.layer.states

    def state_names(self) -> list[str]:
        return self.layer.state_names()

    def cell_weights(self, a, f: int) -> list[WeightSpec]:
        return self.layer.weights(a, (None, None, f))

    def cell_formula(self, a, f: int) -> Formula:
        return self.layer.formula(a, (None, None, f))


class LSTMCell(Cell):
    """One LSTM step: gates i, f, c, o; states [h, c]."""

    name, auto_name, layer = "LSTMCell", "lstm_cell", LSTM()
    args = cell_args(LSTM())


class GRUCell(Cell):
    """One GRU step: gates z, r, h; state [h]; reset_after (the default) keeps two bias vectors."""

    name, auto_name, layer = "GRUCell", "gru_cell", GRU()
    args = cell_args(GRU())


class SimpleRNNCell(Cell):
    """One SimpleRNN step: h_t = tanh(x_t·W + h_(t-1)·U + b); state [h]."""

    name, auto_name, layer = "SimpleRNNCell", "simple_rnn_cell", SimpleRNN()
    args = cell_args(SimpleRNN())


class StackedRNNCells(LayerType):
    """Cells run one after the other within each timestep."""

    name, auto_name = "StackedRNNCells", "stacked_rnn_cells"
    is_cell = True
    args = (Arg("cells", "cells", doc="the cells, first to last (each reads the h_t of the one before)",
                structural=True),)


CELLS: dict[str, LayerType] = {t.name: t for t in (LSTMCell(), GRUCell(), SimpleRNNCell(), StackedRNNCells())}


def cells_of(a) -> tuple:
    """The cell specs of an RNN, first to last, and whether they are stacked (weights as a list)."""
    cell = a.cell
    if isinstance(cell, tuple):  # a plain list: Keras wraps it in StackedRNNCells
        return cell, True
    if cell.type.name == "StackedRNNCells":
        return cell.args.cells, True
    return (cell,), False


class RNN(Recurrent):
    """Keras's generic recurrent layer: loops a cell (or a stack of cells) over
    the timesteps. RNN(LSTMCell(u)) counts and computes exactly what LSTM(u) does."""

    name, auto_name = "RNN", "rnn"
    gates, gate_names = 0, ()
    extra_states_ignored = False
    args = (
        Arg("cell", "cell", doc="a cell mapping ({type: LSTMCell, units: 8}), a list of cells (stacked) or "
            "{type: StackedRNNCells, cells: [...]}", structural=True),
        *(a for a in rnn_args(recurrent_activation=False) if a.name in LAYER_ONLY),
    )

    def keras_groups_of(self, a) -> tuple[tuple[str, str], ...]:
        """Keras 3 saves one cell's variables at `cell/vars`; stacked cells at `cell/cells/<class>/vars`,
        each named by its class in snake case and numbered within the stack (`lstm_cell`, `lstm_cell_1`)."""
        cells, stacked = cells_of(a)
        if not stacked:
            return (("", "cell/vars"),)
        seen: dict[str, int] = {}
        out = []
        for i, c in enumerate(cells):
            n = seen.get(c.type.auto_name, -1) + 1
            seen[c.type.auto_name] = n
            out.append((str(i), f"cell/cells/{c.type.auto_name}{f'_{n}' if n else ''}/vars"))
        return tuple(out)

    # -- the cells ------------------------------------------------------------------
    @staticmethod
    def inputs_of(a, f: int) -> list[int]:
        """The width each cell reads: the input's features, then the previous cell's units."""
        cells, _ = cells_of(a)
        return [f] + [c.args.units for c in cells[:-1]]

    def cell_states(self, a) -> list[tuple[str, int, str]]:
        """(state name, width, cell name) for every state of every cell, in order."""
        cells, _ = cells_of(a)
        return [(n, c.args.units, c.name) for c in cells for n in c.type.state_names()]

    def units_of(self, a) -> int:
        return cells_of(a)[0][-1].args.units

    # -- shapes -----------------------------------------------------------------------
    def output_shape(self, a, s):
        self.check_rank(s)
        if s[2] is None:
            raise ShapeError(f"RNN needs a known feature axis (the last) but the input is {fmt_shape(s)}",
                             "give that axis a size in input.shape")
        if a.stateful and s[0] is None:
            raise ShapeError("stateful: true needs a fixed batch size", "set batch_size: at the top of the spec")
        u = self.units_of(a)
        main = (s[0], s[1], u) if a.return_sequences else (s[0], u)
        if a.return_state:
            return [main] + [(s[0], w) for _, w, _ in self.cell_states(a)]
        return main

    def state_names(self) -> list[str]:
        return ["h"]

    def output_names(self, a, out):
        main = "the output: the last cell's h_t at every step" if a.return_sequences else \
            "the output: the last cell's h_T"
        if not a.return_state:
            return [main]
        return [main] + [f"{cell}'s final {n}" for n, _, cell in self.cell_states(a)]

    def shape_rule(self, a, s, out):
        main = out[0] if a.return_state else out
        cells, _ = cells_of(a)
        last = f"the last cell has {self.units_of(a)} units"
        rule = (f"{last}; return_sequences is true, so h_t of every step: {fmt_shape(main)}." if a.return_sequences
                else f"{last}; return_sequences is false, so only the last step's h_T: {fmt_shape(main)}.")
        if a.return_state:
            listed = "; ".join(f"[{k + 1}] {cell}'s {n} (batch, {w})" for k, (n, w, cell) in
                               enumerate(self.cell_states(a)))
            rule += f" return_state adds every cell's final states, in order: {listed}."
        return rule

    def check_call(self, a, s, out, call):
        """initial_state lists every cell's states in order ([h, c] for an LSTMCell, [h] for the others)."""
        states = initial_states(call)
        if states is None:
            return []
        want = self.cell_states(a)
        listed = ", ".join(f"{cell} {n} (batch, {w})" for n, w, cell in want)
        if len(states) != len(want):
            raise ShapeError(f"RNN takes {len(want)} initial state tensor{'s' if len(want) > 1 else ''} [{listed}], "
                             f"got {len(states)} (Keras accepts it when it builds the model and fails on data)",
                             "list every cell's states, first cell first")
        for (n, w, cell), shape in zip(want, states):
            if len(shape) != 2 or shape[-1] != w:
                raise ShapeError(f"initial_state {n} of {cell} has shape {fmt_shape(shape)} but the cell keeps "
                                 f"(batch, {w})", f"give a state of width {w}")
        return []

    # -- weights ----------------------------------------------------------------------
    def weights(self, a, s):
        cells, stacked = cells_of(a)
        out = []
        for k, (c, f) in enumerate(zip(cells, self.inputs_of(a, s[2]))):
            for w in c.type.cell_weights(c.args, f):
                out.append(WeightSpec(f"{k}/{w.name}", w.shape, doc=f"{c.name}: {w.doc}") if stacked else w)
        return out

    def formula(self, a, s):
        cells, _ = cells_of(a)
        parts = [c.type.cell_formula(c.args, f) for c, f in zip(cells, self.inputs_of(a, s[2]))]
        if len(parts) == 1:
            return parts[0]
        return Formula(" + ".join(f"[{c.name}: {p.symbols}]" for c, p in zip(cells, parts))
                       + "   (input_dim of a cell = the previous cell's units)",
                       " + ".join(p.numbers for p in parts), sum(p.value for p in parts))

    def macs(self, a, s, out):
        if s[1] is None:
            return None
        cells, _ = cells_of(a)
        return s[1] * sum(c.type.layer.gates * c.args.units * (f + c.args.units)
                          for c, f in zip(cells, self.inputs_of(a, s[2])))

    def elementwise_ops(self, a, s, out):
        return None

    def notes(self, a, s, out):
        cells, stacked = cells_of(a)
        names = ", ".join(f"{c.name} ({c.type.name}, {c.args.units} units)" for c in cells)
        lines = [f"RNN loops its cell over the timesteps, as LSTM, GRU and SimpleRNN do (RNN(LSTMCell(u)) is "
                 f"LSTM(u), with the same weights and count). Cells: {names}."]
        if stacked:
            widths = " → ".join(str(w) for w in self.inputs_of(a, s[2]) + [self.units_of(a)])
            lines.append(f"The cells are stacked: at every timestep each cell reads the h_t of the cell before it "
                         f"(widths {widths}), and the layer outputs the last cell's h_t. Unlike stacked LSTM "
                         "layers, one loop runs all the cells step by step. For run, the weights are a list of "
                         "mappings, one per cell, in order.")
        if a.go_backwards:
            lines.append("go_backwards: the loop starts from the last step; with return_sequences the outputs stay "
                         "in the order they were computed (reversed).")
        if a.return_state:
            lines.append("return_state gives the output, then every cell's final states in order (an LSTMCell has "
                         "two, h and c; the others one).")
        return lines

    def pytorch_note(self, a, s):
        return None

    def nested_outputs(self, a) -> bool:
        """Stacked cells with return_state: Keras returns [output, [states of cell 0], ...], nested."""
        return bool(a.return_state and cells_of(a)[1])

    # -- the PyTorch equivalent: nn.LSTM / nn.GRU / nn.RNN, one stacked layer per cell --------------
    def layer_args(self, a, cell):
        """The cell's arguments with RNN's own: what the matching layer (LSTM, GRU, SimpleRNN) takes."""
        return cell.args.replace(**{k: a.get(k) for k in LAYER_ONLY})

    def torch_module_args(self, a, s) -> dict:
        """One torch module doing what the cells do: stacked cells are its num_layers (a cell reads the cell
        before it at the same step, as a stacked layer reads the layer below), so they must be of one type
        with the same arguments."""
        from lstmcalc.layers.equivalent import NoEquivalent

        cells, _ = cells_of(a)
        steps = [c.type.layer.torch_module_args(self.layer_args(a, c), s) for c in cells]
        if any(step != steps[0] for step in steps) or len({c.type.name for c in cells}) > 1:
            raise NoEquivalent("stacked cells of different types, units or arguments: nn.LSTM/nn.GRU/nn.RNN "
                               "stack layers of one kind and one hidden_size",
                               "write one LSTM, GRU or SimpleRNN layer per cell (return_sequences: true on all "
                               "but the last), which map to one torch module each")
        return {**steps[0], **({"num_layers": len(cells)} if len(cells) > 1 else {})}

    def torch_equivalent(self, r) -> tuple[str, int | None, str]:
        """(module, its count, why the counts differ) for `summary --compare`."""
        from lstmcalc.layers.equivalent import NoEquivalent

        a, s = r.args, r.input_shape
        cells, _ = cells_of(a)
        module = {"LSTM": "nn.LSTM", "GRU": "nn.GRU", "SimpleRNN": "nn.RNN"}[cells[0].type.layer.name]
        try:
            step = self.torch_module_args(a, s)
        except NoEquivalent as e:
            return module, None, e.message
        layers = f", num_layers={step['num_layers']}" if "num_layers" in step else ""
        text = f"{module}({s[2]}, {self.units_of(a)}{layers}, batch_first=True)" + \
            ("" if a.return_sequences else " + out[:, -1]")
        torch = sum(c.type.layer.torch_params(self.layer_args(a, c), (None, None, f))
                    for c, f in zip(cells, self.inputs_of(a, s[2])))
        extra = torch - r.params
        reason = ("same count" if not extra else f"double bias: PyTorch keeps b_ih and b_hh where Keras keeps one "
                  f"bias (+{extra:,})") + ("; stacked cells are torch's stacked layers" if layers else "")
        return text, torch, reason

    def to_pytorch(self, a, s):
        """nn.LSTM(num_layers = the cells) and out[:, -1] without return_sequences; with return_state each
        cell's final states are h_n[k] (and c_n[k]) of its stacked layer k."""
        from lstmcalc.layers.equivalent import Equivalent

        cells, _ = cells_of(a)
        steps, outputs = [self.torch_module_args(a, s)], ["$0"]
        if not a.return_sequences:
            steps.append({"type": "LastTimestep", "batch_first": True, "$name": "last"})
            outputs = ["$1"]
        if a.return_state:
            for k, c in enumerate(cells):
                for j, state in enumerate(c.type.state_names()):
                    steps.append({"type": "HiddenState", "index": k, "inputs": f"$0[{j + 1}]",
                                  "$name": f"{state}{k if len(cells) > 1 else ''}"})
                    outputs.append(f"${len(steps) - 1}")
        return Equivalent(tuple(steps), tuple(outputs), weights=0)

    def torch_weights(self, a, s, w, suffix: str = "") -> dict:
        """Cell k's weights as stacked layer k's (`weight_ih_l{k}`), converted as its layer type converts them."""
        cells, stacked = cells_of(a)
        sd = {}
        for k, c in enumerate(cells):
            layer = c.type.layer.torch_weights(c.args, s, w[k] if stacked else w, suffix)
            sd.update({name.replace("_l0", f"_l{k}", 1): v for name, v in layer.items()})
        return sd

    def from_torch_weights(self, a, s, sd, suffix: str = ""):
        """Back from stacked layer k's tensors; a torch cell's own names (`weight_ih`, no layer) are layer 0's."""
        cells, stacked = cells_of(a)
        sd = {(k + "_l0" if k.count("_") == 1 else k): v for k, v in sd.items()}
        out = []
        for k, c in enumerate(cells):
            layer = {name.replace(f"_l{k}", "_l0", 1): v for name, v in sd.items() if name.split("_")[2] == f"l{k}"}
            out.append(c.type.layer.from_torch_weights(c.args, s, layer, suffix))
        return out if stacked else out[0]

    def published_counts(self, a, s):
        return None

    def symbolic_mask(self, a, k, x, mask):
        mask = mask[0] if isinstance(mask, list) else mask
        out = mask if a.return_sequences else None
        return [out] + [None] * len(self.cell_states(a)) if a.return_state else out

    # -- the forward pass: the cells' own steps, one after the other ---------------------------
    def out_units(self, a) -> int:
        return self.units_of(a)

    def zero_state(self, a) -> list:
        return [[0.0] * w for _, w, _ in self.cell_states(a)]

    def state_count(self, a) -> int:
        return len(self.cell_states(a))

    def output_state(self, a, state):
        cells, _ = cells_of(a)
        return state[len(self.cell_states(a)) - cells[-1].type.states]  # the last cell's h

    def prepare_step(self, a, w):
        cells, stacked = cells_of(a)
        return [(c, c.type.layer.prepare_step(c.args, w[k] if stacked else w)) for k, c in enumerate(cells)]

    def step(self, a, params, x_t, state):
        out, k = [], 0
        for c, p in params:
            n = c.type.states
            x_t, new = c.type.layer.step(c.args, p, x_t, state[k:k + n])  # the next cell reads this h_t
            out += new
            k += n
        return x_t, out
