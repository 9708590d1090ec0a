"""torch.nn.Conv2d, channels first (N, C, H, W), with its padding modes.

Each spatial axis follows Conv1d's rule (conv_torch.py).
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec
from lstmcalc.layers.conv_torch import PADDING_MODES, conv_channels, no_indices, pad
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import TorchModule, width_arg
from lstmcalc.run.tensor import dot, mean
from lstmcalc.shapes import fmt_shape


class Conv2d(TorchModule):
    """nn.Conv2d: out_channels kernels, each spanning kh × kw pixels and
    in_channels / groups channels, slide over the last two axes of a
    channels-first (N, C_in, H, W) input."""

    name, auto_name, torch_name = "Conv2d", "conv2d", "nn.Conv2d"
    code_positional, width = ("in_channels", "out_channels", "kernel_size"), ("in_channels", 1)
    min_rank = max_rank = 4
    rank_hint = " (N, C_in, H, W): channels first"
    args = (
        width_arg("in_channels", "channels of the input (axis 1)"),
        Arg("out_channels", "int", doc="number of output channels", minimum=1, structural=True),
        Arg("kernel_size", "pair", doc="height and width of the window: an int or [kh, kw]", minimum=1,
            structural=True),
        Arg("stride", "pair", (1, 1), "step of the window along H and W", minimum=1, structural=True),
        Arg("padding", "pair", (0, 0), "zeros added on both sides of H and W: an int, [ph, pw], 'same' or 'valid'",
            choices=("same", "valid"), minimum=0, structural=True),
        Arg("dilation", "pair", (1, 1), "gap between kernel taps along H and W", minimum=1, structural=True),
        Arg("groups", "int", 1, "split channels into groups convolved separately", minimum=1, structural=True),
        Arg("bias", "bool", True, "whether the module has a bias vector", structural=True),
        Arg("padding_mode", "choice", "zeros", "how padding is filled", choices=PADDING_MODES),
    )

    def spans(self, a) -> tuple[int, int]:
        return tuple(d * (k - 1) + 1 for k, d in zip(a.kernel_size, a.dilation))

    def pads(self, a) -> list[tuple[int, int]]:
        """(before, after) padding of H and W; 'same' puts the odd pixel after."""
        if a.padding == "valid":
            return [(0, 0), (0, 0)]
        if a.padding == "same":
            if a.stride != (1, 1):
                raise ShapeError("padding='same' is not supported for strided convolutions", "use stride 1")
            return [((k - 1) // 2, (k - 1) - (k - 1) // 2) for k in self.spans(a)]
        return [(p, p) for p in a.padding]

    def channels(self, a, s) -> int:
        return conv_channels(self, a, s)

    def output_shape(self, a, s):
        self.channels(a, s)
        out = []
        for n, (before, after), span, st in zip(s[2:], self.pads(a), self.spans(a), a.stride):
            if n is None:
                out.append(None)
                continue
            if a.padding_mode == "reflect" and max(before, after) >= n:
                raise ShapeError(f"reflect padding ({max(before, after)}) must be smaller than the size ({n})")
            if a.padding_mode == "circular" and max(before, after) > n:
                raise ShapeError(f"circular padding ({max(before, after)}) wraps around more than once (size {n})")
            if n + before + after < span:
                raise ShapeError(f"the padded input has {n + before + after} pixels on an axis but the kernel "
                                 f"spans {span}", "use more padding, a smaller kernel or a larger input")
            out.append((n + before + after - span) // st + 1)
        return (s[0], a.out_channels, *out)

    def shape_rule(self, a, s, out):
        rules = []
        for name, n, (before, after), span, st, o in zip("HW", s[2:], self.pads(a), self.spans(a), a.stride, out[2:]):
            rules.append(f"{name}: variable" if n is None else
                         f"{name}_out = floor(({n} + {before} + {after} − {span - 1} − 1) / {st}) + 1 = {o}")
        return ("each axis: floor((size + pad_before + pad_after − dilation·(k − 1) − 1) / stride) + 1; "
                + "; ".join(rules) + f"; channels {s[1]} → {a.out_channels}, still first: {fmt_shape(out)}.")

    def weights(self, a, s):
        c = self.channels(a, s)
        ws = [WeightSpec("weight", (a.out_channels, c // a.groups, *a.kernel_size),
                         doc="(out_channels, in_channels / groups, kh, kw)")]
        if a.bias:
            ws.append(WeightSpec("bias", (a.out_channels,), doc="one per output channel"))
        return ws

    def formula(self, a, s):
        c, o, (kh, kw), g = self.channels(a, s), a.out_channels, a.kernel_size, a.groups
        sym = "out_channels × (in_channels / groups) × kh × kw"
        num = f"{o} × ({c} / {g}) × {kh} × {kw}" if g > 1 else f"{o} × {c} × {kh} × {kw}"
        value = o * (c // g) * kh * kw
        if a.bias:
            return Formula(sym + " + out_channels", num + f" + {o}", value + o)
        return Formula(sym, num, value)

    def macs(self, a, s, out):
        if None in out[2:]:
            return None
        (kh, kw), cg = a.kernel_size, self.channels(a, s) // a.groups
        return out[2] * out[3] * a.out_channels * cg * kh * kw

    def notes(self, a, s, out):
        return [
            "Channels first: torch's Conv2d reads (N, C, H, W) where Keras's Conv2D reads (N, H, W, C) by default. "
            "To Keras: Conv2D(filters=out_channels, kernel_size, strides=stride, dilation_rate=dilation, groups) with "
            "kernel = weight.permute(2, 3, 1, 0), (kh, kw, in/groups, out); same bias. 'valid' and 'same' map "
            "directly; an integer padding has no Keras argument (add ZeroPadding2D first). padding_mode "
            f"{a.padding_mode!r}"
            + (" is Keras's only mode." if a.padding_mode == "zeros" else " has no Keras equivalent."),
        ]

    def to_keras(self, a, s):
        """Keras's Conv2D reads channels first too with data_format: channels_first."""
        if a.padding_mode != "zeros" or not (a.padding in ("valid", "same") or a.padding == (0, 0)):
            raise NoEquivalent(f"padding {a.padding!r} (padding_mode {a.padding_mode}) has no Conv2D padding",
                               "nearest: padding 'valid' (0) or 'same' with zeros")
        conv = {"type": "Conv2D", "filters": a.out_channels, "kernel_size": list(a.kernel_size),
                "data_format": "channels_first", "$name": "", "$from": ""}
        padding = "valid" if a.padding == (0, 0) else a.padding
        extra = {"strides": (list(a.stride), [1, 1]), "padding": (padding, "valid"),
                 "dilation_rate": (list(a.dilation), [1, 1]), "groups": (a.groups, 1), "use_bias": (a.bias, True)}
        conv.update({k: v for k, (v, default) in extra.items() if v != default})
        return Equivalent((conv,))

    def keras_equivalent(self, a, s, out):
        return ("Conv2D (channels_first)", self.formula(a, s).value, "same count; kernel = weight.permute(2, 3, 1, 0)")

    def forward(self, a, w, x, mask=None):
        weight, bias = w["weight"], (w["bias"] if a.bias else None)  # weight (out, in/g, kh, kw)
        ((top, bottom), (left, right)), (sh, sw), (dh, dw) = self.pads(a), a.stride, a.dilation
        kh, (span_h, span_w) = a.kernel_size[0], self.spans(a)
        c_in, per_group = len(weight[0]), a.out_channels // a.groups
        out = []
        for sample in x:  # (C_in, H, W)
            padded = []
            for plane in sample:  # pad the rows, then every column
                rows = [pad(list(row), left, right, a.padding_mode) for row in plane]
                cols = [pad(list(col), top, bottom, a.padding_mode) for col in zip(*rows)]
                padded.append([list(r) for r in zip(*cols)])
            oh = (len(padded[0]) - span_h) // sh + 1
            ow = (len(padded[0][0]) - span_w) // sw + 1
            ys = []
            for o in range(a.out_channels):
                first = (o // per_group) * c_in
                b = bias[o] if bias is not None else 0.0
                ys.append([[b + sum(dot(weight[o][c][r], padded[first + c][p * sh + r * dh][q * sw:q * sw + span_w:dw])
                                    for c in range(c_in) for r in range(kh))
                            for q in range(ow)] for p in range(oh)])
            out.append(ys)
        return out


# -- 2-D pooling, channels first ----------------------------------------------------------------


def pooled_length(n: int | None, k: int, st: int, p: int, span: int, ceil_mode: bool) -> int | None:
    """torch's pooling length rule on one axis: floor (or ceil) of (n + 2p − span) / stride, plus one;
    with ceil_mode the last window must start inside the input or the left padding."""
    if n is None:
        return None
    room = n + 2 * p - span
    out = (-(-room // st) if ceil_mode else room // st) + 1
    if ceil_mode and (out - 1) * st >= n + p:
        out -= 1
    if out < 1:
        raise ShapeError(f"the window spans {span} pixels but the padded axis has {n + 2 * p}",
                         "use a smaller kernel_size or a larger input")
    return out


def window_args(fill: str) -> tuple[Arg, ...]:
    """kernel_size, stride and padding of the 2-D poolings (`fill`: what the padding holds)."""
    return (
        Arg("kernel_size", "pair", doc="height and width of the window: an int or [kh, kw]", minimum=1,
            structural=True),
        Arg("stride", "pair", None, "step of the window (default: kernel_size)", minimum=1, nullable=True,
            structural=True),
        Arg("padding", "pair", (0, 0), f"{fill} pixels added on both sides of H and W (at most half the window)",
            minimum=0, structural=True),
    )


class Pool2d(TorchModule):
    """Shared rule of nn.MaxPool2d and nn.AvgPool2d on (N, C, H, W): each axis as the 1-D pools."""

    factory = False
    min_rank = max_rank = 4
    rank_hint = " (N, C, H, W): channels first"
    code_positional = ("kernel_size",)
    keras_name = ""

    def stride(self, a) -> tuple[int, int]:
        return a.stride if a.stride is not None else a.kernel_size

    def spans(self, a) -> tuple[int, int]:
        return tuple((k - 1) * d + 1 for k, d in zip(a.kernel_size, a.get("dilation", (1, 1))))

    def output_shape(self, a, s):
        self.check_rank(s)
        no_indices(a)
        for k, p in zip(a.kernel_size, a.padding):
            if 2 * p > k:  # torch compares with kernel_size, even when dilated
                raise ShapeError(f"padding {p} is more than half of kernel_size ({k})", f"use padding ≤ {k // 2}")
        hw = tuple(pooled_length(n, k, st, p, span, a.ceil_mode) for n, k, st, p, span in
                   zip(s[2:], a.kernel_size, self.stride(a), a.padding, self.spans(a)))
        return (s[0], s[1], *hw)

    def shape_rule(self, a, s, out):
        rnd = "ceil" if a.ceil_mode else "floor"
        rules = [f"{name}: variable" if n is None else
                 f"{name}_out = {rnd}(({n} + 2·{p} − {span}) / {st}) + 1 = {o}"
                 for name, n, p, span, st, o in zip("HW", s[2:], a.padding, self.spans(a), self.stride(a), out[2:])]
        default = " (stride defaults to kernel_size)" if a.stride is None else ""
        return "; ".join(rules) + f"{default}; the {s[1]} channels are kept: {fmt_shape(out)}."

    def notes(self, a, s, out):
        return [f"Channels first, as Conv2d: the window slides over H and W, each channel on its own. Keras's "
                f"{self.keras_name} reads (N, H, W, C) unless data_format is channels_first."]

    def windows(self, a, axis: int, n: int) -> list[tuple[int, int]]:
        """(first, last + 1) of each window along one axis, in input coordinates (from −padding)."""
        st, p, span = self.stride(a)[axis], a.padding[axis], self.spans(a)[axis]
        count = pooled_length(n, a.kernel_size[axis], st, p, span, a.ceil_mode)
        return [(i * st - p, i * st - p + span) for i in range(count)]

    def to_keras(self, a, s):
        if a.padding != (0, 0) or a.ceil_mode or self.spans(a) != a.kernel_size or a.get("divisor_override"):
            raise NoEquivalent("padding, ceil_mode, dilation or divisor_override has no Keras pooling argument",
                               "nearest: padding 0, ceil_mode false, dilation 1 (Keras's padding 'valid')")
        step = {"type": self.keras_name, "pool_size": list(a.kernel_size), "data_format": "channels_first",
                "$name": ""}
        if self.stride(a) != a.kernel_size:
            step["strides"] = list(self.stride(a))
        return Equivalent((step,))

    def keras_equivalent(self, a, s, out):
        return (f"{self.keras_name} (channels_first)", 0, "no weights")

    def forward(self, a, w, x, mask=None):
        out = []
        for sample in x:
            planes = []
            for plane in sample:  # (H, W)
                rows, cols = self.windows(a, 0, len(plane)), self.windows(a, 1, len(plane[0]))
                planes.append([[self.pool(a, plane, r, c) for c in cols] for r in rows])
            out.append(planes)
        return out


class MaxPool2d(Pool2d):
    """nn.MaxPool2d: the largest value of each kernel_size window (taps dilation apart), per channel;
    padding counts as −∞."""

    name, auto_name, torch_name, keras_name = "MaxPool2d", "max_pool2d", "nn.MaxPool2d", "MaxPooling2D"
    args = (
        *window_args("−∞"),
        Arg("dilation", "pair", (1, 1), "gap between the window's taps", minimum=1, structural=True),
        Arg("return_indices", "bool", False, "also return the argmax positions (not supported: leave false)"),
        Arg("ceil_mode", "bool", False, "round the output size up", structural=True),
    )

    def pool(self, a, plane, rows, cols):
        (r0, r1), (c0, c1), (dh, dw) = rows, cols, a.dilation
        return max(plane[i][j] for i in range(r0, r1, dh) if 0 <= i < len(plane)
                   for j in range(c0, c1, dw) if 0 <= j < len(plane[0]))


class AvgPool2d(Pool2d):
    """nn.AvgPool2d: the mean of each kernel_size window, per channel; zero padding counts in the mean
    unless count_include_pad is false; divisor_override replaces the divisor."""

    name, auto_name, torch_name, keras_name = "AvgPool2d", "avg_pool2d", "nn.AvgPool2d", "AveragePooling2D"
    args = (
        *window_args("zero"),
        Arg("ceil_mode", "bool", False, "round the output size up", structural=True),
        Arg("count_include_pad", "bool", True, "count the zero padding in the mean's divisor"),
        Arg("divisor_override", "int", None, "divide every window's sum by this instead", minimum=1,
            nullable=True),
    )

    def pool(self, a, plane, rows, cols):
        (r0, r1), (c0, c1) = rows, cols
        h, w = len(plane), len(plane[0])
        ph, pw = a.padding
        size = (min(r1, h + ph) - r0) * (min(c1, w + pw) - c0)  # torch: the window clipped to the padded input
        r0, r1, c0, c1 = max(r0, 0), min(r1, h), max(c0, 0), min(c1, w)
        total = sum(plane[i][j] for i in range(r0, r1) for j in range(c0, c1))
        if a.divisor_override:
            return total / a.divisor_override
        return total / (size if a.count_include_pad else (r1 - r0) * (c1 - c0))


class AdaptivePool2d(TorchModule):
    """Shared rule of the 2-D adaptive poolings: output_size windows on each axis that cover it."""

    factory = False
    min_rank = max_rank = 4
    rank_hint = " (N, C, H, W): channels first"
    code_positional = ("output_size",)

    def output_shape(self, a, s):
        self.check_rank(s)
        no_indices(a)
        return (s[0], s[1], *a.output_size)

    def shape_rule(self, a, s, out):
        return (f"H and W are each cut into output_size = {list(a.output_size)} windows of nearly equal size "
                f"(window i of an axis of n spans floor(i·n/o) to ceil((i+1)·n/o)); channels are kept: "
                f"{fmt_shape(out)}.")

    def forward(self, a, w, x, mask=None):
        oh, ow = a.output_size

        def cuts(n, o):
            return [(i * n // o, -(-(i + 1) * n // o)) for i in range(o)]

        out = []
        for sample in x:
            planes = []
            for plane in sample:
                rows, cols = cuts(len(plane), oh), cuts(len(plane[0]), ow)
                planes.append([[self.reduce([plane[i][j] for i in range(r0, r1) for j in range(c0, c1)])
                                for c0, c1 in cols] for r0, r1 in rows])
            out.append(planes)
        return out

    def to_keras(self, a, s):
        if a.output_size == (1, 1):
            return Equivalent(({"type": self.keras_global, "data_format": "channels_first", "keepdims": True,
                                "$name": ""},))
        if None not in s[2:] and all(n % o == 0 for n, o in zip(s[2:], a.output_size)):
            pool = [n // o for n, o in zip(s[2:], a.output_size)]
            return Equivalent(({"type": self.keras_pool, "pool_size": pool, "data_format": "channels_first",
                                "$name": ""},))
        raise NoEquivalent(f"output_size {list(a.output_size)} does not divide the input's {fmt_shape(s[2:])}: "
                           "the windows overlap or differ in size, which no Keras pooling does",
                           "nearest: an output_size that divides H and W")

    def keras_equivalent(self, a, s, out):
        return (self.keras_global if a.output_size == (1, 1) else self.keras_pool, 0, "no weights")


class AdaptiveAvgPool2d(AdaptivePool2d):
    """nn.AdaptiveAvgPool2d: the mean of each of output_size windows; output_size 1 is the global average."""

    name, auto_name, torch_name = "AdaptiveAvgPool2d", "adaptive_avg_pool2d", "nn.AdaptiveAvgPool2d"
    keras_global, keras_pool = "GlobalAveragePooling2D", "AveragePooling2D"
    args = (Arg("output_size", "pair", doc="output height and width: an int or [oh, ow]", minimum=1,
                structural=True),)

    reduce = staticmethod(mean)


class AdaptiveMaxPool2d(AdaptivePool2d):
    """nn.AdaptiveMaxPool2d: the largest value of each of output_size windows; output_size 1 is the global max."""

    name, auto_name, torch_name = "AdaptiveMaxPool2d", "adaptive_max_pool2d", "nn.AdaptiveMaxPool2d"
    keras_global, keras_pool = "GlobalMaxPooling2D", "MaxPooling2D"
    args = (Arg("output_size", "pair", doc="output height and width: an int or [oh, ow]", minimum=1,
                structural=True),
            Arg("return_indices", "bool", False, "also return the argmax positions (not supported: leave false)"))
    reduce = staticmethod(max)
