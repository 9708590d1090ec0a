"""torch.nn.Conv1d, channels first (N, C, L), with its padding modes, and the 1-D
poolings MaxPool1d, AvgPool1d, AdaptiveAvgPool1d and AdaptiveMaxPool1d.
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import (
    TorchModule,
    check_width,
    width_arg,
)
from lstmcalc.run.tensor import dot, mean
from lstmcalc.shapes import fmt_shape


def no_indices(a) -> None:
    """The poolings' return_indices: true returns a second tensor (the argmax positions): refused."""
    if a.get("return_indices"):
        raise ShapeError("return_indices: true returns a second tensor, which lstmcalc does not model",
                         "leave return_indices false")


def conv_channels(t, a, s) -> int:
    """in_channels of a torch convolution (axis 1, checked against the written value), divisible by groups."""
    t.check_rank(s)
    c = check_width(a, "in_channels", need_known(s, 1, "channel axis (axis 1)", t.name), t.name)
    if c % a.groups:
        raise ShapeError(f"in_channels ({c}) must be divisible by groups ({a.groups})")
    if a.out_channels % a.groups:
        raise ShapeError(f"out_channels ({a.out_channels}) must be divisible by groups ({a.groups})")
    return c


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv1d(TorchModule):
    """nn.Conv1d: out_channels kernels, each spanning kernel_size steps and
    in_channels / groups channels, slide along the last axis of a
    channels-first (N, C_in, L) input."""

    name, auto_name, torch_name = "Conv1d", "conv1d", "nn.Conv1d"
    code_positional, width = ("in_channels", "out_channels", "kernel_size"), ("in_channels", 1)
    min_rank = max_rank = 3
    rank_hint = " (N, C_in, L): channels first"
    args = (
        width_arg("in_channels", "channels of the input (axis 1)"),
        Arg("out_channels", "int", doc="number of output channels", minimum=1, structural=True),
        Arg("kernel_size", "ints", doc="length of the window, an int or a list of one int", minimum=1,
            structural=True),
        Arg("stride", "ints", 1, "step of the window", minimum=1, structural=True),
        Arg("padding", "ints", 0, "zeros added on both sides: an int (or list of one), 'same' or 'valid'",
            choices=("same", "valid"), minimum=0, structural=True),
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
        return conv_channels(self, a, s)

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

    def to_keras(self, a, s):
        """Keras's Conv1D reads channels first too with data_format: channels_first."""
        if a.padding_mode != "zeros" or not (a.padding in ("valid", "same") or a.padding == 0):
            raise NoEquivalent(f"padding {a.padding!r} (padding_mode {a.padding_mode}) has no Conv1D padding",
                               "nearest: padding 'valid' (0) or 'same' with zeros")
        conv = {"type": "Conv1D", "filters": a.out_channels, "kernel_size": a.kernel_size,
                "data_format": "channels_first", "$name": "", "$from": ""}
        extra = {"strides": (a.stride, 1), "padding": ("valid" if a.padding == 0 else a.padding, "valid"),
                 "dilation_rate": (a.dilation, 1), "groups": (a.groups, 1), "use_bias": (a.bias, True)}
        conv.update({k: v for k, (v, default) in extra.items() if v != default})
        return Equivalent((conv,))

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


# -- 1-D pooling, channels first (issue 13) -------------------------------------------------


class Pool1d(TorchModule):
    """Shared rule of nn.MaxPool1d and nn.AvgPool1d on (N, C, L)."""

    factory = False
    min_rank = max_rank = 3
    rank_hint = " (N, C, L): channels first"
    code_positional = ("kernel_size",)

    def stride(self, a) -> int:
        return a.stride if a.stride is not None else a.kernel_size

    def span(self, a) -> int:
        return (a.kernel_size - 1) * a.get("dilation", 1) + 1

    def length(self, a, s) -> int | None:
        self.check_rank(s)
        if 2 * a.padding > a.kernel_size:  # torch compares with kernel_size, even when dilated
            raise ShapeError(f"padding {a.padding} is more than half of kernel_size ({a.kernel_size})",
                             f"use padding ≤ {a.kernel_size // 2}")
        if s[2] is None:
            return None
        st, p = self.stride(a), a.padding
        room = s[2] + 2 * p - self.span(a)
        n = (-(-room // st) if a.ceil_mode else room // st) + 1
        if a.ceil_mode and (n - 1) * st >= s[2] + p:  # the last window must start inside the input or left padding
            n -= 1
        if n < 1:
            raise ShapeError(f"the window spans {self.span(a)} steps but the padded input has {s[2] + 2 * p}",
                             "use a smaller kernel_size or a longer input")
        return n

    def output_shape(self, a, s):
        return (s[0], s[1], self.length(a, s))

    def shape_rule(self, a, s, out):
        if s[2] is None:
            return "the length is variable, so the output length is too; channels are kept."
        rnd = "ceil" if a.ceil_mode else "floor"
        span = "kernel_size" if self.span(a) == a.kernel_size else "dilation·(kernel_size − 1) + 1"
        default = " (stride defaults to kernel_size)" if a.stride is None else ""
        return (f"L_out = {rnd}((L + 2·padding − {span}) / stride) + 1 = {rnd}(({s[2]} + {2 * a.padding} − "
                f"{self.span(a)}) / {self.stride(a)}) + 1 = {out[2]}{default}; the {s[1]} channels are kept: "
                f"{fmt_shape(out)}.")

    def notes(self, a, s, out):
        lines = ["Channels first, as Conv1d: the window slides along the last axis, each channel on its own. "
                 f"Keras's {self.keras_name} reads (N, L, C) unless data_format is channels_first."]
        if a.ceil_mode:
            lines.append("ceil_mode: true keeps a last, partial window that would otherwise be dropped (as long "
                         "as it starts inside the input or the left padding).")
        return lines

    def windows(self, a, length: int):
        """(first, last + 1) of each window in padded coordinates, from −padding."""
        st, p = self.stride(a), a.padding
        return [(i * st - p, i * st - p + self.span(a)) for i in range(self.length(a, (None, None, length)))]

    def keras_pool(self, a, s):
        if a.padding or a.ceil_mode or self.span(a) != a.kernel_size:
            raise NoEquivalent("padding, ceil_mode or dilation has no Keras pooling argument",
                               "nearest: padding 0, ceil_mode false, dilation 1 (Keras's padding 'valid')")
        step = {"type": self.keras_name, "pool_size": a.kernel_size, "data_format": "channels_first", "$name": ""}
        if self.stride(a) != a.kernel_size:
            step["strides"] = self.stride(a)
        return step

    def to_keras(self, a, s):
        return Equivalent((self.keras_pool(a, s),))

    def keras_equivalent(self, a, s, out):
        return (f"{self.keras_name} (channels_first)", 0, "no weights")


class MaxPool1d(Pool1d):
    """nn.MaxPool1d: the largest value of each window of kernel_size steps (taps dilation apart), per channel;
    padding counts as −∞."""

    name, auto_name, torch_name, keras_name = "MaxPool1d", "max_pool1d", "nn.MaxPool1d", "MaxPooling1D"
    args = (
        Arg("kernel_size", "ints", doc="window length", minimum=1, structural=True),
        Arg("stride", "ints", None, "step of the window (default: kernel_size)", minimum=1, nullable=True,
            structural=True),
        Arg("padding", "ints", 0, "−∞ steps added on both sides (at most half the window)", minimum=0,
            structural=True),
        Arg("dilation", "ints", 1, "gap between the window's taps", minimum=1, structural=True),
        Arg("return_indices", "bool", False, "also return the argmax positions (not supported: leave false)"),
        Arg("ceil_mode", "bool", False, "round the output length up", structural=True),
    )

    def output_shape(self, a, s):
        no_indices(a)
        return super().output_shape(a, s)

    def forward(self, a, w, x, mask=None):
        d = a.dilation

        def pool(row):
            return [max(row[t] for t in range(lo, hi, d) if 0 <= t < len(row)) for lo, hi in self.windows(a, len(row))]

        return [[pool(row) for row in sample] for sample in x]


class AvgPool1d(Pool1d):
    """nn.AvgPool1d: the mean of each window of kernel_size steps, per channel; zero padding counts in the
    mean unless count_include_pad is false."""

    name, auto_name, torch_name, keras_name = "AvgPool1d", "avg_pool1d", "nn.AvgPool1d", "AveragePooling1D"
    args = (
        Arg("kernel_size", "ints", doc="window length", minimum=1, structural=True),
        Arg("stride", "ints", None, "step of the window (default: kernel_size)", minimum=1, nullable=True,
            structural=True),
        Arg("padding", "ints", 0, "zero steps added on both sides (at most half the window)", minimum=0,
            structural=True),
        Arg("ceil_mode", "bool", False, "round the output length up", structural=True),
        Arg("count_include_pad", "bool", True, "count the zero padding in the mean's divisor"),
    )

    def forward(self, a, w, x, mask=None):
        p = a.padding

        def pool(row):
            out = []
            for lo, hi in self.windows(a, len(row)):
                size = min(hi, len(row) + p) - lo  # torch: the window clipped to the padded input
                lo_c, hi_c = max(lo, 0), min(hi, len(row))
                out.append(sum(row[lo_c:hi_c]) / (size if a.count_include_pad else hi_c - lo_c))
            return out

        return [[pool(row) for row in sample] for sample in x]


class AdaptivePool1d(TorchModule):
    """Shared rule of the adaptive poolings: output_size windows that cover the length."""

    factory = False
    min_rank = max_rank = 3
    rank_hint = " (N, C, L): channels first"
    code_positional = ("output_size",)

    def output_shape(self, a, s):
        self.check_rank(s)
        no_indices(a)
        return (s[0], s[1], a.output_size)

    def shape_rule(self, a, s, out):
        return (f"the length {s[2]} is cut into output_size = {a.output_size} windows of nearly equal size "
                f"(window i spans floor(i·L/{a.output_size}) to ceil((i+1)·L/{a.output_size})); channels are "
                f"kept: {fmt_shape(out)}.")

    def forward(self, a, w, x, mask=None):
        o = a.output_size

        def pool(row):
            n = len(row)
            return [self.reduce(row[i * n // o:-(-(i + 1) * n // o)]) for i in range(o)]

        return [[pool(row) for row in sample] for sample in x]

    def to_keras(self, a, s):
        if a.output_size == 1:
            return Equivalent(({"type": self.keras_global, "data_format": "channels_first", "keepdims": True,
                                "$name": ""},))
        if s[2] is not None and s[2] % a.output_size == 0:
            k = s[2] // a.output_size
            return Equivalent(({"type": self.keras_pool, "pool_size": k, "data_format": "channels_first",
                                "$name": ""},))
        raise NoEquivalent(f"output_size {a.output_size} does not divide the length {s[2]}: the windows overlap "
                           "or differ in size, which no Keras pooling does", "nearest: an output_size that "
                           "divides the length")

    def keras_equivalent(self, a, s, out):
        return (self.keras_global if a.output_size == 1 else self.keras_pool, 0, "no weights")


class AdaptiveAvgPool1d(AdaptivePool1d):
    """nn.AdaptiveAvgPool1d: the mean of each of output_size windows that together cover the length."""

    name, auto_name, torch_name = "AdaptiveAvgPool1d", "adaptive_avg_pool1d", "nn.AdaptiveAvgPool1d"
    keras_global, keras_pool = "GlobalAveragePooling1D", "AveragePooling1D"
    args = (Arg("output_size", "ints", doc="output length", minimum=1, structural=True),)

    reduce = staticmethod(mean)


class AdaptiveMaxPool1d(AdaptivePool1d):
    """nn.AdaptiveMaxPool1d: the largest value of each of output_size windows that together cover the length."""

    name, auto_name, torch_name = "AdaptiveMaxPool1d", "adaptive_max_pool1d", "nn.AdaptiveMaxPool1d"
    keras_global, keras_pool = "GlobalMaxPooling1D", "MaxPooling1D"
    args = (Arg("output_size", "ints", doc="output length", minimum=1, structural=True),
            Arg("return_indices", "bool", False, "also return the argmax positions (not supported: leave false)"))
    reduce = staticmethod(max)
