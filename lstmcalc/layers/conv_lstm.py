"""Convolutional LSTM layers: ConvLSTM1D and ConvLSTM2D (Keras 3).

An LSTM whose products are convolutions: at every timestep (frame) the
input x_t, an image of C channels, and the previous state h_(t-1), an image
of `filters` channels, are convolved into the four gate images i, f, c, o.
The state keeps the spatial layout, so a ConvLSTM2D reads video
(batch, frames, rows, cols, channels) and outputs (batch, [frames,] rows',
cols', filters). The input convolution has the layer's strides, padding and
dilation; the recurrent one is always stride 1, padding same (h keeps its size).
"""

from __future__ import annotations

from itertools import product
from math import prod

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, initial_states
from lstmcalc.layers.conv import same_padding, window_count
from lstmcalc.layers.recurrent import Recurrent, rnn_args
from lstmcalc.run.tensor import activation, add, hadamard, matvec, permute, reshape, transpose
from lstmcalc.shapes import fmt_shape


def conv_lstm_args() -> tuple[Arg, ...]:
    keep = [a for a in rnn_args(recurrent_activation=True) if a.name not in ("units", "unroll", "zero_output_for_mask")]
    return (
        Arg("filters", "int", doc="channels of the state h_t (and of the output): the convolution's filters",
            minimum=1, structural=True),
        Arg("kernel_size", "ntuple", doc="window of both convolutions: an int or one int per spatial axis",
            minimum=1, structural=True),
        Arg("strides", "ntuple", 1, "step of the input convolution's window", minimum=1, structural=True),
        Arg("padding", "choice", "valid", "valid: no padding; same: pad so that stride 1 keeps the size",
            choices=("valid", "same"), ignore_case=True, structural=True),
        Arg("data_format", "choice", None, "channels_last (frames, ..., channels) or channels_first "
            "(frames, channels, ...); default channels_last", choices=("channels_last", "channels_first"),
            ignore_case=True, nullable=True, structural=True),
        Arg("dilation_rate", "ntuple", 1, "gap between the input kernel's taps", minimum=1, structural=True),
        *keep,
        Arg("unit_forget_bias", "bool", True, "initialise the forget gate's bias to 1"),
    )


def per_axis(value, rank: int, what: str) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * rank
    if len(value) != rank:
        raise ShapeError(f"{what} has {len(value)} values but the layer has {rank} spatial axes",
                         f"give one int, or a list of {rank}")
    return tuple(value)


class ConvLSTM(Recurrent):
    """Shared rules of ConvLSTM1D and ConvLSTM2D."""

    rank = 1
    gates, gate_names, states = 4, (), 2
    extra_states_ignored = False

    rank_hint = " (batch, frames, ..., channels)"

    def sizes(self, a):
        r = self.rank
        return (per_axis(a.kernel_size, r, "kernel_size"), per_axis(a.strides, r, "strides"),
                per_axis(a.dilation_rate, r, "dilation_rate"))

    def layout(self, a, s):
        """(spatial sizes, channels) of the input's frames."""
        return (s[3:], s[2]) if a.data_format == "channels_first" else (s[2:-1], s[-1])

    def frame(self, a, spatial, channels) -> tuple:
        return (channels, *spatial) if a.data_format == "channels_first" else (*spatial, channels)

    def out_spatial(self, a, s) -> tuple:
        k, st, d = self.sizes(a)
        if any(x > 1 for x in st) and any(x > 1 for x in d):
            raise ShapeError("strides > 1 together with dilation_rate > 1 is not supported (Keras refuses it)",
                             "use strides 1 or dilation_rate 1")
        spatial, _ = self.layout(a, s)
        return tuple(window_count(n, (kk - 1) * dd + 1, ss, a.padding, self.name)
                     for n, kk, ss, dd in zip(spatial, k, st, d))

    def output_shape(self, a, s):
        self.check_rank(s)
        spatial, c = self.layout(a, s)
        if c is None:
            raise ShapeError(f"{self.name} needs a known channel axis but the input is {fmt_shape(s)}",
                             "give the channels a size in input.shape")
        if None in spatial:
            raise ShapeError(f"{self.name} needs known spatial sizes but the input is {fmt_shape(s)} (Keras's "
                             "ConvLSTM layers only take static spatial shapes)", "give every spatial axis a size")
        if a.stateful and s[0] is None:
            raise ShapeError("stateful: true needs a fixed batch size", "set batch_size: at the top of the spec")
        state = (s[0], *self.frame(a, self.out_spatial(a, s), a.filters))
        main = (s[0], s[1], *state[1:]) if a.return_sequences else state
        return [main, state, state] if a.return_state else main

    def output_names(self, a, out):
        main = "the output: h_t of every frame" if a.return_sequences else "the output: h_T, the last frame's state"
        return [main] + (["h_T, the final hidden state", "c_T, the final cell state"] if a.return_state else [])

    def shape_rule(self, a, s, out):
        spatial, _ = self.layout(a, s)
        o = self.out_spatial(a, s)
        main = out[0] if a.return_state else out
        size = (f"the input convolution (padding {a.padding}, strides {a.strides}, dilation {a.dilation_rate}) "
                f"maps each frame's {fmt_shape(spatial)} to {fmt_shape(o)}, with {a.filters} filters")
        seq = ("return_sequences keeps every frame" if a.return_sequences else
               "without return_sequences only the last frame's h_T is kept")
        rule = f"{size}; {seq}: {fmt_shape(main)}."
        if a.return_state:
            rule += f" return_state adds h_T and c_T, each {fmt_shape(out[1])}."
        return rule

    def check_call(self, a, s, out, call):
        states = initial_states(call)
        if states is None:
            return []
        want = self.output_shape(a.replace(return_state=True), s)[1]
        if len(states) != 2 or any(tuple(x[1:]) != want[1:] for x in states):
            raise ShapeError(f"{self.name} takes initial_state [h, c], each {fmt_shape(want)}",
                             "give two states of that shape")
        return []

    def weights(self, a, s):
        k, _, _ = self.sizes(a)
        _, c = self.layout(a, s)
        f = a.filters
        ws = [WeightSpec("kernel", (*k, c, 4 * f), doc="input → gates i, f, c, o: one kernel per filter and gate"),
              WeightSpec("recurrent_kernel", (*k, f, 4 * f), doc="h_(t-1) → gates i, f, c, o")]
        if a.use_bias:
            ws.append(WeightSpec("bias", (4 * f,), doc="b for i, f, c, o"))
        return ws

    def formula(self, a, s):
        k, _, _ = self.sizes(a)
        _, c = self.layout(a, s)
        f, kk = a.filters, prod(k)
        window = " × ".join(map(str, k))
        bias_sym, bias_num = (" + filters", f" + {f}") if a.use_bias else ("", "")
        return Formula(f"4 × (kernel × channels × filters + kernel × filters × filters{bias_sym})",
                       f"4 × ({window} × {c} × {f} + {window} × {f} × {f}{bias_num})",
                       4 * (kk * c * f + kk * f * f + (f if a.use_bias else 0)))

    def macs(self, a, s, out):
        if s[1] is None:
            return None
        k, _, _ = self.sizes(a)
        _, c = self.layout(a, s)
        o = self.out_spatial(a, s)
        if None in o:
            return None
        return s[1] * prod(o) * 4 * a.filters * prod(k) * (c + a.filters)

    def elementwise_ops(self, a, s, out):
        return None

    def notes(self, a, s, out):
        k, _, _ = self.sizes(a)
        _, c = self.layout(a, s)
        f = a.filters
        return [
            f"An LSTM whose matrix products are convolutions: at every frame the input ({plural(c, 'channel')}) and "
            f"the previous state h_(t-1) ({plural(f, 'channel')}) are each convolved with a {'×'.join(map(str, k))} "
            "window into the four "
            "gate images i, f, c, o; c_t = f ⊙ c_(t-1) + i ⊙ tanh(c̃), h_t = o ⊙ tanh(c_t), pixel by pixel.",
            f"filters ({f}) plays the part of LSTM's units, one state channel each; the weights are shared over "
            "all positions, so the count does not depend on the image size.",
            "The recurrent convolution always has stride 1 and padding same, so h keeps the output's spatial size "
            "from frame to frame; strides, padding and dilation_rate act on the input convolution only.",
        ]

    def pytorch_note(self, a, s):
        return None

    def to_pytorch(self, a, s):
        from lstmcalc.layers.equivalent import NoEquivalent

        raise NoEquivalent(f"{self.name} has no module in torch.nn", "write the cell by hand in the exported code")

    def published_counts(self, a, s):
        return None

    def symbolic_mask(self, a, k, x, mask):
        return [None] * 3 if a.return_state else None

    def compute_mask(self, a, x, mask):
        return None

    # -- forward: LSTM's gates, convolutions for the products -----------------------
    def forward(self, a, w, x, mask=None, initial_state=None):
        first = a.data_format == "channels_first"
        r = self.rank
        to_last, to_first = (0, *range(2, r + 2), 1), (0, r + 1, *range(1, r + 1))
        k, st, d = self.sizes(a)
        f = a.filters
        kernel, rk = taps(w["kernel"], r), taps(w["recurrent_kernel"], r)
        bias = w["bias"] if a.use_bias else [0.0] * 4 * f
        act, rec = activation(a.activation), activation(a.recurrent_activation)
        outs, hs, cs = [], [], []
        for n, seq in enumerate(x):
            seq = permute(seq, to_last) if first else seq  # (T, *spatial, C)
            spatial = shape3(seq[0], r)
            o = tuple(window_count(m, (kk - 1) * dd + 1, ss, a.padding, self.name)
                      for m, kk, ss, dd in zip(spatial, k, st, d))
            if initial_state is None:
                h, c = [[0.0] * f for _ in range(prod(o))], [[0.0] * f for _ in range(prod(o))]
            else:
                h, c = (flat_positions(permute(s0[n], (*range(1, r + 1), 0)) if first else s0[n], r)
                        for s0 in initial_state[:2])
            order = range(len(seq) - 1, -1, -1) if a.go_backwards else range(len(seq))
            ys = []
            for t in order:
                zx = conv(seq[t], kernel, spatial, k, st, d, a.padding)  # (positions, 4f)
                zh = conv(reshape(h, o), rk, o, k, (1,) * r, (1,) * r, "same")
                h, c = zip(*(lstm_gates(add(add(p, q), bias), c_p, f, act, rec) for p, q, c_p in zip(zx, zh, c)))
                h, c = list(h), list(c)
                ys.append(reshape(h, o))
            outs.append(ys if a.return_sequences else ys[-1])
            hs.append(reshape(h, o))
            cs.append(reshape(c, o))
        if first:
            channels = (r, *range(r))  # (*spatial, F) -> (F, *spatial)
            outs = [permute(y, to_first if a.return_sequences else channels) for y in outs]
            hs, cs = ([permute(v, channels) for v in vs] for vs in (hs, cs))
        return [outs, hs, cs] if a.return_state else outs


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def lstm_gates(z, c_tm1, f, act, rec):
    """LSTM's gate equations on one position: z (4f,) = conv(x) + conv(h) + b in the order i, f, c, o."""
    i, fg, o = rec(z[:f]), rec(z[f:2 * f]), rec(z[3 * f:])
    c = add(hadamard(fg, c_tm1), hadamard(i, act(z[2 * f:3 * f])))
    return hadamard(o, act(c)), c


def shape3(frame, rank: int) -> tuple:
    return (len(frame),) if rank == 1 else (len(frame), len(frame[0]))


def flat_positions(img, rank: int) -> list:
    return list(img) if rank == 1 else [v for row in img for v in row]


def taps(kernel, rank: int) -> dict:
    """{tap offset: (out, in) matrix} from a (*k, in, out) kernel."""
    if rank == 1:
        return {(t,): transpose(m) for t, m in enumerate(kernel)}
    return {(p, q): transpose(m) for p, row in enumerate(kernel) for q, m in enumerate(row)}


def conv(img, kernel: dict, spatial, k, st, d, padding) -> list:
    """A stride/dilation/padding convolution of a channels-last image: one vector per output position."""
    rank = len(spatial)
    pads = [same_padding(m, (kk - 1) * dd + 1, ss)[0] if padding == "same" else 0
            for m, kk, ss, dd in zip(spatial, k, st, d)]
    outs = [window_count(m, (kk - 1) * dd + 1, ss, padding, "conv") for m, kk, ss, dd in zip(spatial, k, st, d)]
    width = len(next(iter(kernel.values())))
    out = []
    for pos in product(*(range(n) for n in outs)):
        acc = [0.0] * width
        for tap, m in kernel.items():
            idx = [p * ss + t * dd - pad for p, t, ss, dd, pad in zip(pos, tap, st, d, pads)]
            if all(0 <= i < n for i, n in zip(idx, spatial)):
                v = img[idx[0]] if rank == 1 else img[idx[0]][idx[1]]
            else:  # a padded position: zeros, multiplied as the MACs count them (as Conv1D does)
                v = [0.0] * len(m[0])
            acc = add(acc, matvec(m, v))
        out.append(acc)
    return out


class ConvLSTM1D(ConvLSTM):
    """ConvLSTM over sequences of 1-D signals: (batch, frames, steps, channels)."""

    name, auto_name, rank = "ConvLSTM1D", "conv_lstm1d", 1
    min_rank = max_rank = 4
    args = conv_lstm_args()


class ConvLSTM2D(ConvLSTM):
    """ConvLSTM over video: (batch, frames, rows, cols, channels); a next-frame
    predictor stacks a few with padding same and return_sequences."""

    name, auto_name, rank = "ConvLSTM2D", "conv_lstm2d", 2
    min_rank = max_rank = 5
    args = conv_lstm_args()
