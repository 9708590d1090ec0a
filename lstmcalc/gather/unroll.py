"""A recurrent layer unrolled over its timesteps, as a `Scene` for `render/svg.py`.

One column per timestep shown (all of them up to five; otherwise the first
three, an ellipsis and the last): x_t enters from below, the same cell with
the same `kernel` and `recurrent_kernel` runs at every step, the states
(h_t, and c_t for LSTM) go from one step to the next, and the h_t that leave
the layer go up (every one with return_sequences, only the last without;
the final states with return_state). Bidirectional draws a second row
running right to left, and the merge of the two. Under the picture the
output shape is spelt out with the layer's own shape rule.

torch's nn.LSTM, nn.GRU and nn.RNN hold several layers and both directions
in one module: one row per layer and direction (layer 0 next to x_t, each
reverse row above its forward row, running right to left), weight_ih_l{k}
and weight_hh_l{k} (and weight_hr_l{k} with proj_size) with their shapes at
every step, a concat box per step between two bidirectional layers, the last
layer's h_t leaving as output[:, t] (output[t] without batch_first), and
h_n[k·D + d] (c_n) leaving at each row's last step: the right end forwards,
the left end (t=1) in reverse. The layout is read from the layer record's
arguments (num_layers, bidirectional, batch_first, proj_size).
"""

from __future__ import annotations

from lstmcalc.errors import Problem, SpecError
from lstmcalc.gather.scene import LINE_H, PAD, Arrow, Rect, Scene, Text, text_width
from lstmcalc.graph.build import LayerRecord
from lstmcalc.shapes import fmt_shape

MARGIN = 16.0
ROW_GAP = 34.0
LANE = 16.0  # room beside a cell for the lines that pass it (Bidirectional)
SHOWN = 5


def unrollable(r: LayerRecord) -> bool:
    """A Keras recurrent layer, Bidirectional over one, or torch's nn.LSTM, nn.GRU or nn.RNN."""
    if _torch_recurrent(r):
        return True
    if r.children:
        return r.type.name == "Bidirectional" and all(getattr(c.type, "gate_names", ()) for c in r.children)
    return bool(getattr(r.type, "gate_names", ())) and hasattr(r.type, "state_names")


def steps(t: int | None, unknown: str = "T") -> list:
    """The timesteps drawn: every one up to SHOWN, else 1, 2, 3, an ellipsis, the last (`unknown` when the
    length varies: Keras calls it T, torch L)."""
    if t is not None and t <= SHOWN:
        return list(range(1, t + 1))
    return [1, 2, 3, None, unknown if t is None else t]


def _weight(r: LayerRecord, name: str) -> str:
    for w in r.weights:
        if w.name == name:
            return fmt_shape(w.shape)
    return "?"


class _Canvas:
    def __init__(self):
        self.rects, self.arrows, self.texts = [], [], []

    def box(self, rid, x, y, w, lines, kind, title=""):
        h = len(lines) * LINE_H + 2 * PAD
        self.rects.append(Rect(rid, round(x, 1), round(y, 1), round(w, 1), h, kind, title or lines[0]))
        for i, (t, k) in enumerate(lines_kinds(lines)):
            self.texts.append(Text(round(x + w / 2, 1), round(y + PAD + 12 + i * LINE_H, 1), t, k, rid, "middle"))
        return h

    def arrow(self, points, kind):
        self.arrows.append(Arrow(f"a{len(self.arrows)}", tuple((round(x, 1), round(y, 1)) for x, y in points),
                                 kind, curved=False))

    def text(self, x, y, t, kind="note", owner=None):
        self.texts.append(Text(round(x, 1), round(y, 1), t, kind, owner))


def lines_kinds(lines):
    return [(t, "name" if i == 0 else "shape") for i, t in enumerate(lines)]


def scene(r: LayerRecord, file: str | None = None) -> Scene:
    if not unrollable(r):
        raise SpecError(Problem(f"'{r.name}' ({r.display_type}) is not a recurrent layer", file=file,
                                hint="--layer draws LSTM, GRU, SimpleRNN and Bidirectional layers unrolled "
                                     "(torch: nn.LSTM, nn.GRU, nn.RNN)"))
    if _torch_recurrent(r):
        return _torch_scene(r)
    dirs = list(r.children) if r.children else [r]
    cell0, a = dirs[0], dirs[0].args
    units, t_in, feat = a.units, r.input_shape[1], r.input_shape[2]
    cols = steps(t_in)
    states = cell0.type.state_names()
    bidi = len(dirs) == 2

    def t_of(c):
        return "…" if c is None else c

    cell_lines = [[f"{d.role or d.type.name} t={t_of(c)}" if bidi else f"{d.type.name} t={t_of(c)}",
                   "kernel", _weight(d, "kernel"), "recurrent_kernel", _weight(d, "recurrent_kernel")]
                  for d in dirs for c in cols]
    state_label = [", ".join(f"{s}_{t_of(c)}" for s in states) for c in cols]
    cw = max(text_width(t) for lines in cell_lines for t in lines) + 2 * PAD
    colw = cw + (2 * LANE if bidi else 0)
    gap = max(text_width(t) for t in state_label + [f"({units})"]) + 28
    left = MARGIN + text_width(", ".join(f"{s}_0" for s in states)) + 16
    x_of = [left + k * (colw + gap) for k in range(len(cols))]
    canvas = _Canvas()
    title = [f"{r.name} ({r.display_type}) unrolled over {t_in if t_in is not None else 'T (variable)'} timesteps",
             f"the same weights at every step: {cell0.params:,} parameters" + (" per direction" if bidi else ""),
             _spelt(r, cell0, t_in)]
    y = MARGIN + 12
    for line in title:
        canvas.text(MARGIN, y, line, "title")
        y += LINE_H + 2
    seq, ret_state = a.return_sequences, a.return_state
    out_y = y + 8
    box_h = LINE_H + 2 * PAD
    merge_y = out_y + box_h + ROW_GAP if bidi else None
    rows_y = (merge_y + box_h + ROW_GAP) if bidi else out_y + box_h + ROW_GAP
    cell_h = 5 * LINE_H + 2 * PAD
    row_of = {}  # direction index -> y; forward is the lower row, next to x_t
    for i in range(len(dirs)):
        row_of[len(dirs) - 1 - i] = rows_y + i * (cell_h + ROW_GAP)
    x_y = rows_y + len(dirs) * (cell_h + ROW_GAP)
    shape_out = fmt_shape(r.outputs[0])
    for k, c in enumerate(cols):
        cx = x_of[k] + (LANE if bidi else 0)
        mid = cx + cw / 2
        if c is None:
            canvas.box(f"x{k}", x_of[k], x_y, colw, ["x_… more steps"], "group", "more steps")
        else:
            canvas.box(f"x{k}", x_of[k], x_y, colw, [f"x_{c} ({feat})"], "value", f"x_{c}")
        for d in range(len(dirs)):
            ry = row_of[d]
            canvas.box(f"c{d}_{k}", cx, ry, cw, cell_lines[d * len(cols) + k], "cell" if c is not None else "group")
            if d == 0:
                canvas.arrow([(mid, x_y), (mid, ry + cell_h)], "input")
            else:  # x_t reaches the backward row in the lane beside the forward cell
                lx = x_of[k] + LANE / 2
                canvas.arrow([(lx, x_y), (lx, ry + cell_h + ROW_GAP / 2), (mid, ry + cell_h + ROW_GAP / 2),
                              (mid, ry + cell_h)], "input")
        _states(canvas, dirs, row_of, cols, k, x_of, cx, cw, gap, cell_h, state_label, bidi)
    _outputs(canvas, r, dirs, cols, x_of, colw, cw, bidi, row_of, cell_h, out_y, merge_y, box_h, seq)
    right = x_of[-1] + colw + (text_width("h_0, c_0") + 16 if bidi else 0)
    if ret_state:
        right = _final_states(canvas, dirs, cols, x_of, cw, bidi, row_of, cell_h, right, gap, states, units)
    notes = _notes(r, cell0, t_in, shape_out)
    width = max(right + MARGIN, *(MARGIN + text_width(t) + MARGIN for t in title + notes[:1]))
    foot = x_y + box_h + 24
    for i, line in enumerate(notes[:1]):
        canvas.text(MARGIN, foot + i * LINE_H, line, "params")
    return Scene(f"{r.name} unrolled", round(width, 1), round(foot + LINE_H, 1), tuple(canvas.rects),
                 tuple(canvas.arrows), tuple(canvas.texts), tuple(notes))


def _states(canvas, dirs, row_of, cols, k, x_of, cx, cw, gap, cell_h, state_label, bidi):
    """The state arrows into column k (from the left forwards, from the right backwards)."""
    for d, dr in enumerate(dirs):
        sy = row_of[d] + cell_h / 2
        backward = dr.args.go_backwards
        if k == 0 and not backward or k == len(cols) - 1 and backward:
            label = ", ".join(f"{s}_0" for s in dr.type.state_names())
            lw = text_width(label) + 12
            if backward:
                x1 = cx + cw
                x0 = x1 + (LANE if bidi else 0) + lw
                canvas.text(x1 + (LANE if bidi else 0) + 6, sy - 6, label, "note")
            else:
                x1 = cx
                x0 = x1 - (LANE if bidi else 0) - lw
                canvas.text(x0, sy - 6, label, "note")
            canvas.arrow([(x0, sy), (x1, sy)], "state")
        if k > 0:
            a, b = x_of[k - 1] + (LANE if bidi else 0) + cw, cx
            pts = [(b, sy), (a, sy)] if backward else [(a, sy), (b, sy)]
            canvas.arrow(pts, "state")
            t = state_label[k if backward else k - 1]
            canvas.text(a + (b - a - text_width(t)) / 2, sy - 6, t, "edge")
            size = f"({dr.args.units})"
            canvas.text(a + (b - a - text_width(size)) / 2, sy + 16, size, "edge")


def _outputs(canvas, r, dirs, cols, x_of, colw, cw, bidi, row_of, cell_h, out_y, merge_y, box_h, seq):
    units = dirs[0].args.units
    top_row = len(dirs) - 1
    for k, c in enumerate(cols):
        if c is None:
            continue
        cx = x_of[k] + (LANE if bidi else 0)
        mid = cx + cw / 2
        leaves = seq or k == len(cols) - 1
        if not bidi:
            if leaves:
                canvas.box(f"o{k}", cx, out_y, cw, [f"h_{c} ({units})"], "output", f"h_{c}")
                canvas.arrow([(mid, row_of[0]), (mid, out_y + box_h)], "output")
            continue
        merged = r.args.merge_mode or "separate"
        if seq:
            canvas.box(f"m{k}", cx, merge_y, cw, [f"{merged}"], "merge", merged)
            canvas.arrow([(mid, row_of[top_row]), (mid, merge_y + box_h)], "output")
            lx = cx + cw + LANE / 2
            below = merge_y + box_h + ROW_GAP / 2
            canvas.arrow([(lx, row_of[0]), (lx, below), (mid + 12, below), (mid + 12, merge_y + box_h)], "output")
            canvas.box(f"o{k}", cx, out_y, cw, [f"y_{c} ({r.outputs[0][-1]})"], "output", f"y_{c}")
            canvas.arrow([(mid, merge_y), (mid, out_y + box_h)], "output")
    if bidi and not seq:
        k = len(cols) - 1
        cx = x_of[k] + LANE
        mid = cx + cw / 2
        merged = r.args.merge_mode or "separate"
        canvas.box("m", cx, merge_y, cw, [f"{merged}"], "merge", merged)
        lx = cx + cw + LANE / 2  # forward h_T, up the lane beside the backward cell
        canvas.arrow([(lx, row_of[0]), (lx, merge_y + box_h / 2), (cx + cw, merge_y + box_h / 2)], "output")
        bx = x_of[0] + LANE + cw / 2  # backward's last step is at t=1
        canvas.arrow([(bx, row_of[1]), (bx, merge_y + box_h / 2), (cx, merge_y + box_h / 2)], "output")
        canvas.box("o", cx, out_y, cw, [f"output {fmt_shape(r.outputs[0])}"], "output", "output")
        canvas.arrow([(mid, merge_y), (mid, out_y + box_h)], "output")


def _final_states(canvas, dirs, cols, x_of, cw, bidi, row_of, cell_h, right, gap, states, units):
    """return_state: the last step's states leave to the right (the backward row's at t=1, drawn at its end)."""
    fx = right + gap * 0.5
    w = max(text_width(f"final {s} ({units})") for s in states) + 2 * PAD + (text_width("backward ") if bidi else 0)
    for d, dr in enumerate(dirs):
        sy = row_of[d] + cell_h / 2
        lines = [f"{dr.role + ' ' if bidi else ''}final {s} ({units})" for s in dr.type.state_names()]
        h = len(lines) * LINE_H + 2 * PAD
        canvas.box(f"s{d}", fx, sy - h / 2, w, lines, "output", "final states")
        if dr.args.go_backwards:
            y2 = row_of[d] - ROW_GAP / 2
            x0 = x_of[0] + (LANE if bidi else 0)
            lane = x0 - LANE / 2
            canvas.arrow([(x0, sy), (lane, sy), (lane, y2), (fx + w / 2, y2), (fx + w / 2, sy - h / 2)], "state")
        else:
            canvas.arrow([(x_of[-1] + (LANE if bidi else 0) + cw, sy), (fx, sy)], "state")
    return fx + w


def _spelt(r: LayerRecord, cell: LayerRecord, t_in) -> str:
    """The output shape in words: which h_t it holds."""
    a, shape = cell.args, fmt_shape(r.outputs[0])
    last = "T" if t_in is None else t_in
    merged = f", both directions merged by {r.args.merge_mode}" if r.children else ""
    if a.return_sequences:
        what = f"h_1 … h_{last} stacked: {last} timesteps × {r.outputs[0][-1]} values{merged}"
    else:
        what = f"only the last step's h ({a.units} units{merged})"
    extra = f", plus the final states ({len(r.outputs) - 1} more outputs)" if a.return_state else ""
    return f"output {shape} = {what}{extra}"


def _notes(r: LayerRecord, cell: LayerRecord, t_in, shape_out: str) -> list[str]:
    a = cell.args
    steps_text = f"{t_in}" if t_in is not None else "T (variable)"
    notes = [f"output {shape_out}: " + r.type.shape_rule(r.args, r.input_shape, r.output_shape)]
    notes.append(f"The layer does not see the {steps_text} timesteps at once: it runs one step after the other, "
                 f"each reading x_t ({r.input_shape[2]} features) and the previous state, with the same kernel "
                 f"{_weight(cell, 'kernel')} and recurrent_kernel {_weight(cell, 'recurrent_kernel')} at every step, "
                 "so the parameters do not grow with the sequence.")
    if a.return_sequences:
        notes.append(f"return_sequences: true, so every h_t leaves the layer: {steps_text} vectors of {a.units}.")
    else:
        notes.append(f"return_sequences: false, so only the last step's h leaves the layer: one vector of {a.units}.")
    if a.return_state:
        notes.append("return_state: true, so the final states leave too, as extra outputs.")
    if r.children:
        notes.append(f"Bidirectional runs a second copy backwards (right to left); merge_mode {r.args.merge_mode} "
                     "joins the two directions.")
    return notes


# -- torch.nn.LSTM, GRU, RNN: stacked layers and both directions in one module ----------------------


def _torch_recurrent(r: LayerRecord) -> bool:
    from lstmcalc.layers.recurrent_torch import TorchRecurrent

    return isinstance(r.type, TorchRecurrent)


class _Torch:
    """The geometry of a torch recurrent module unrolled: one row per layer and direction (layer 0 at the
    bottom, next to x_t; a reverse row above its forward row), one column per timestep shown; with two
    directions a concat box per step between stacked layers, as torch concatenates them."""

    def __init__(self, r: LayerRecord):
        a, ty = r.args, r.type
        self.r, self.a, self.ty = r, a, ty
        s = r.input_shape
        self.t_in, self.feat = (s[1] if a.batch_first else s[0]), s[2]
        self.d, self.n = ty.directions(a), a.num_layers
        self.h_out, self.h_cell = ty.out_size(a), a.hidden_size
        self.states = ("h", "c") if ty.gates == 4 else ("h",)
        self.cols = steps(self.t_in, "L")
        self.bidi = self.d == 2
        self.lane = LANE if self.bidi else 0.0

    def weight(self, kind: str, k: int, d: int) -> tuple[str, str]:
        name = f"weight_{kind}_l{k}{'_reverse' if d else ''}"
        return name, _weight(self.r, name)

    def cell_lines(self, k: int, d: int, c) -> list[str]:
        kinds = ("ih", "hh", "hr") if self.a.get("proj_size") else ("ih", "hh")
        return [f"{self.ty.name} t={_t(c)}", *(x for kind in kinds for x in self.weight(kind, k, d))]

    def size_label(self) -> str:
        return f"({self.h_out})" if self.h_out == self.h_cell or len(self.states) == 1 else \
            f"({self.h_out}), ({self.h_cell})"

    def out_label(self, c) -> str:
        i = -1 if c == "L" else c - 1
        return f"output[:, {i}] ({self.d * self.h_out})" if self.a.batch_first else \
            f"output[{i}] ({self.d * self.h_out})"

    def final_lines(self, k: int, d: int) -> list[str]:
        i = k * self.d + d
        sizes = {"h": self.h_out, "c": self.h_cell}
        return [f"{s}_n[{i}] ({sizes[s]})" for s in self.states]


def _t(c) -> str:
    return "…" if c is None else str(c)


def _torch_scene(r: LayerRecord) -> Scene:
    g = _Torch(r)
    cols, lane, bidi = g.cols, g.lane, g.bidi
    rows = [(k, d) for k in range(g.n) for d in range(g.d)]
    lines = {(k, d, j): g.cell_lines(k, d, c) for k, d in rows for j, c in enumerate(cols)}
    cw = max(text_width(t) for ls in lines.values() for t in ls) + 2 * PAD
    boxed = [g.out_label(c) for c in cols if c is not None] + [f"x_{c} ({g.feat})" for c in cols] + ["x_… more steps"]
    cw = max(cw, max(text_width(t) for t in boxed) + 2 * PAD - 2 * lane)
    cell_h = max(len(ls) for ls in lines.values()) * LINE_H + 2 * PAD
    colw = cw + 2 * lane
    state_label = [", ".join(f"{s}_{_t(c)}" for s in g.states) for c in cols]
    gap = max(text_width(t) for t in state_label + [g.size_label()]) + 28
    init = ", ".join(f"{s}_0" for s in g.states)
    init_w = text_width(init) + 16
    final_w = max(text_width(t) for k, d in rows for t in g.final_lines(k, d)) + 2 * PAD
    left = MARGIN + max(init_w + lane, final_w + 24 + lane if bidi else 0)
    x_of = [left + j * (colw + gap) for j in range(len(cols))]
    canvas = _Canvas()
    title = _torch_title(g)
    y = MARGIN + 12
    for line in title:
        canvas.text(MARGIN, y, line, "title")
        y += LINE_H + 2
    box_h = LINE_H + 2 * PAD
    out_y = y + 8
    y = out_y + box_h + ROW_GAP
    row_y, cat_y = {}, {}
    for k in reversed(range(g.n)):
        for d in reversed(range(g.d)):
            row_y[(k, d)] = y
            y += cell_h + ROW_GAP
        if bidi and k > 0:
            cat_y[k] = y  # layer k-1's two directions, concatenated: what layer k reads
            y += box_h + ROW_GAP
    x_y = y
    for j, c in enumerate(cols):
        cx = x_of[j] + lane
        mid = cx + cw / 2
        canvas.box(f"x{j}", x_of[j], x_y, colw, ["x_… more steps"] if c is None else [f"x_{c} ({g.feat})"],
                   "group" if c is None else "value", "more steps" if c is None else f"x_{c}")
        for k, d in rows:
            canvas.box(f"c{k}_{d}_{j}", cx, row_y[(k, d)], cw, lines[(k, d, j)], "cell" if c is not None else "group")
        for k in range(g.n):
            src = x_y if k == 0 else cat_y[k] if bidi else None
            if src is None:  # one direction: layer k reads layer k-1's h_t straight from below
                canvas.arrow([(mid, row_y[(k - 1, 0)]), (mid, row_y[(k, 0)] + cell_h)], "input")
            else:
                _feed(canvas, g, k, j, src, x_of, cw, cell_h, row_y)
            if bidi and k > 0:
                text = "…" if c is None else f"concat ({2 * g.h_out})"
                canvas.box(f"cat{k}_{j}", x_of[j], cat_y[k], colw, [text], "group" if c is None else "merge", text)
                _collect(canvas, g, k - 1, j, cat_y[k] + box_h, x_of, cw, row_y)
        if c is not None:
            canvas.box(f"o{j}", x_of[j], out_y, colw, [g.out_label(c)], "output", g.out_label(c))
            _collect(canvas, g, g.n - 1, j, out_y + box_h, x_of, cw, row_y)
        _torch_states(canvas, g, rows, j, x_of, cw, cell_h, row_y, state_label, init, init_w)
    right = x_of[-1] + colw
    for k, d in rows:
        sy = row_y[(k, d)] + cell_h / 2
        fl = g.final_lines(k, d)
        h = len(fl) * LINE_H + 2 * PAD
        if d == 0:
            fx = right + 24
            canvas.arrow([(x_of[-1] + lane + cw, sy), (fx, sy)], "state")
        else:  # the reverse direction's last step is t=1, at the left
            fx = x_of[0] - 24 - final_w
            canvas.arrow([(x_of[0] + lane, sy), (fx + final_w, sy)], "state")
        canvas.box(f"s{k}_{d}", fx, sy - h / 2, final_w, fl, "output", "h_n" if len(fl) == 1 else "h_n, c_n")
    right += max(24 + final_w, init_w + lane if bidi else 0)
    width = max(right + MARGIN, *(MARGIN + text_width(t) + MARGIN for t in title))
    return Scene(f"{r.name} unrolled", round(width, 1), round(x_y + box_h + MARGIN, 1), tuple(canvas.rects),
                 tuple(canvas.arrows), tuple(canvas.texts), tuple(_torch_notes(g)))


def _feed(canvas, g, k, j, src_y, x_of, cw, cell_h, row_y):
    """What layer k reads at step j, from the box whose top is at src_y: straight up into the forward cell,
    and up the lane left of it into the reverse cell."""
    cx = x_of[j] + g.lane
    mid = cx + cw / 2
    canvas.arrow([(mid, src_y), (mid, row_y[(k, 0)] + cell_h)], "input")
    if g.bidi:
        lx, below = x_of[j] + LANE / 2, row_y[(k, 1)] + cell_h + ROW_GAP / 2
        canvas.arrow([(lx, src_y), (lx, below), (mid - 12, below), (mid - 12, row_y[(k, 1)] + cell_h)], "input")


def _collect(canvas, g, k, j, dest_y, x_of, cw, row_y):
    """Layer k's h_t at step j into the box whose bottom is at dest_y: from the top row straight up, from
    the forward row (under the reverse one) up the lane right of it."""
    cx = x_of[j] + g.lane
    mid = cx + cw / 2
    top = row_y[(k, g.d - 1)]
    canvas.arrow([(mid, top), (mid, dest_y)], "output")
    if g.bidi:
        lx, above = cx + cw + LANE / 2, dest_y + ROW_GAP / 2
        fy = row_y[(k, 0)] + 10
        canvas.arrow([(cx + cw, fy), (lx, fy), (lx, above), (mid + 12, above), (mid + 12, dest_y)], "output")


def _torch_states(canvas, g, rows, j, x_of, cw, cell_h, row_y, state_label, init, init_w):
    """The states into column j: from the left in forward rows, from the right in reverse rows."""
    cols, lane = g.cols, g.lane
    cx = x_of[j] + lane
    for k, d in rows:
        sy = row_y[(k, d)] + cell_h / 2
        if j == 0 and d == 0:
            canvas.text(cx - lane - init_w, sy - 6, init, "note")
            canvas.arrow([(cx - lane - init_w, sy), (cx, sy)], "state")
        if j == len(cols) - 1 and d == 1:
            x1 = cx + cw
            canvas.text(x1 + lane + 6, sy - 6, init, "note")
            canvas.arrow([(x1 + lane + init_w, sy), (x1, sy)], "state")
        if j > 0:
            a, b = x_of[j - 1] + lane + cw, cx
            canvas.arrow([(b, sy), (a, sy)] if d else [(a, sy), (b, sy)], "state")
            t = state_label[j if d else j - 1]
            canvas.text(a + (b - a - text_width(t)) / 2, sy - 6, t, "edge")
            size = g.size_label()
            canvas.text(a + (b - a - text_width(size)) / 2, sy + 16, size, "edge")


def _torch_title(g: _Torch) -> list[str]:
    r, last = g.r, "L" if g.t_in is None else g.t_in
    steps_text = f"{g.t_in} timesteps" if g.t_in is not None else "L timesteps (variable)"
    sets = g.n * g.d
    stack = []
    if g.n > 1:
        stack.append(f"{g.n} layers stacked")
    if g.bidi:
        stack.append("both directions")
    lines = [f"{r.name} ({r.display_type}) unrolled over {steps_text}" + (f": {', '.join(stack)}" if stack else ""),
             f"{r.params:,} parameters in {sets} weight set{'s' if sets > 1 else ''}, the same at every step"]
    both = ", both directions concatenated" if g.bidi else ""
    lines.append(f"output {fmt_shape(r.output_shape)} = the last layer's h_1 … h_{last}{both}: "
                 f"{last} timesteps × {g.d * g.h_out} values" + ("" if g.a.batch_first else " (time first)"))
    shapes = g.ty.state_shapes(g.a, r.input_shape)
    names = " and ".join(f"{s}_n {fmt_shape(sh)}" for s, sh in zip(g.states, shapes))
    lines.append(f"{names} = the last step's state of each layer and direction (D·num_layers = {g.d * g.n})")
    return lines


def _torch_notes(g: _Torch) -> list[str]:
    r, a = g.r, g.a
    steps_text = f"{g.t_in}" if g.t_in is not None else "L (variable)"
    ih, hh = g.weight("ih", 0, 0), g.weight("hh", 0, 0)
    notes = [f"output {fmt_shape(r.output_shape)}: " + r.type.shape_rule(a, r.input_shape, r.output_shape),
             f"The module does not see the {steps_text} timesteps at once: each layer runs one step after the "
             f"other, reading its input at step t and its previous state, with the same {ih[0]} {ih[1]} and "
             f"{hh[0]} {hh[1]} at every step, so the parameters do not grow with the sequence."]
    if g.n > 1:
        notes.append(f"num_layers {g.n}: layer k reads layer k-1's h_t at the same step"
                     + (" (both directions concatenated, " + f"{2 * g.h_out} wide)" if g.bidi else "")
                     + "; only the last layer's h_t make up output.")
    if g.bidi:
        notes.append("bidirectional: the _reverse weights run a second pass from the last step to the first "
                     "(right to left here); its last step is t=1, so its h_n entry holds the state after reading "
                     "the whole sequence backwards.")
    notes.append(f"h_n[k·{g.d} + d] is layer k's last state in direction d"
                 + (" (0 forward, 1 reverse)" if g.bidi else "") + "; hx = (h_0, c_0) default to zeros."
                 if len(g.states) == 2 else
                 f"h_n[k·{g.d} + d] is layer k's last state in direction d"
                 + (" (0 forward, 1 reverse)" if g.bidi else "") + "; hx = h_0 defaults to zeros.")
    return notes
