"""torch.nn.Conv2d, channels first (N, C, H, W), with its padding modes.

Each spatial axis follows Conv1d's rule (conv_torch.py).
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec
from lstmcalc.layers.conv_torch import PADDING_MODES, conv_channels, pad
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.layers.torch_base import TorchModule, width_arg
from lstmcalc.run.tensor import dot
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
