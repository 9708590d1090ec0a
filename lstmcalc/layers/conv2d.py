"""2-D convolution and pooling: Conv2D, MaxPooling2D, AveragePooling2D and
the global poolings. Inputs are images (batch, rows, cols, channels), or
(batch, channels, rows, cols) with data_format: channels_first. In sequence
models they are the front end of a CRNN (before a Reshape to (steps,
features)) or run on every frame of a video inside TimeDistributed.

Each axis follows the 1-D rule of conv.py: window_count, TensorFlow's
'same' padding with the extra row or column at the bottom / right.
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import REQUIRED, Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec, need_known
from lstmcalc.layers.conv import same_padding, window_count
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent, activation_steps
from lstmcalc.layers.reshaping import channels_first
from lstmcalc.run.tensor import activation, dot, mean, permute
from lstmcalc.shapes import fmt_shape

DATA_FORMAT_2D = Arg("data_format", "choice", None,
                     "channels_last (batch, rows, cols, channels) or channels_first (batch, channels, rows, cols)",
                     choices=("channels_last", "channels_first"), structural=True, ignore_case=True)


def hw_channels(a, s) -> tuple:
    """((rows, cols), channels) of a 4-D input in the layer's data_format."""
    return ((s[2], s[3]), s[1]) if channels_first(a) else ((s[1], s[2]), s[3])


def with_hw_channels(a, s, hw, channels) -> tuple:
    return (s[0], channels, *hw) if channels_first(a) else (s[0], *hw, channels)


def to_channels_last(a, x):
    return permute(x, (0, 2, 3, 1)) if channels_first(a) else x


def from_channels_last(a, x):
    return permute(x, (0, 3, 1, 2)) if channels_first(a) else x


def axis_rule(name, length, window, stride, padding, out, what) -> str:
    if length is None:
        return f"{name}: variable, so variable."
    if padding == "valid":
        return f"{name}: floor(({length} − {what} {window}) / {stride}) + 1 = {out}"
    return f"{name}: ceil({length} / {stride}) = {out}"


def pads(padding, hw, windows, strides) -> list[tuple[int, int]]:
    """(before, after) zeros of each spatial axis."""
    if padding == "valid":
        return [(0, 0), (0, 0)]
    return [same_padding(n, k, st) for n, k, st in zip(hw, windows, strides)]


def torch_channels_first(a, modules: list[dict], back: bool = True) -> tuple[tuple[dict, ...], int]:
    """torch's 2-D modules read (N, C, H, W): around them, (N, H, W, C) -> (N, C, W, H) -> (N, C, H, W) and
    back (unless the layer is channels_first already, or `back` is false). Returns the steps and the
    index of the first module."""
    if channels_first(a):
        return tuple(modules), 0
    into = ({"type": "Transpose", "dim0": 1, "dim1": 3, "$name": "channels_first_a"},
            {"type": "Transpose", "dim0": 2, "dim1": 3, "$name": "channels_first_b"})
    out = ({"type": "Transpose", "dim0": 2, "dim1": 3, "$name": "channels_last_a"},
           {"type": "Transpose", "dim0": 1, "dim1": 3, "$name": "channels_last_b"}) if back else ()
    return (*into, *modules, *out), 2


class Conv2D(LayerType):
    """A 2-D convolution: `filters` kernels, each spanning kh × kw pixels and
    all (in_channels / groups) channels of its group, slide over the rows and
    columns of an image."""

    name, auto_name = "Conv2D", "conv2d"
    aliases = ("Convolution2D",)
    min_rank = max_rank = 4
    rank_hint = " (batch, rows, cols, channels)"
    args = (
        Arg("filters", "int", doc="number of output channels", minimum=1, structural=True),
        Arg("kernel_size", "pair", doc="height and width of the window: an int or [kh, kw]",
            minimum=1, structural=True),
        Arg("strides", "pair", (1, 1), "step of the window along rows and columns", minimum=1, structural=True),
        Arg("padding", "choice", "valid", "valid: no padding; same: keep ceil(size/strides) on each axis",
            choices=("valid", "same"), structural=True, ignore_case=True),
        DATA_FORMAT_2D,
        Arg("dilation_rate", "pair", (1, 1), "gap between kernel taps along rows and columns", minimum=1,
            structural=True),
        Arg("groups", "int", 1, "split channels into groups convolved separately", minimum=1, structural=True),
        Arg("activation", "activation", None, "activation applied to the output"),
        Arg("use_bias", "bool", True, "whether the layer has a bias vector", structural=True),
        *weight_args(kernel="glorot_uniform", bias="zeros"),
    )

    def spans(self, a) -> tuple[int, int]:
        return tuple((k - 1) * d + 1 for k, d in zip(a.kernel_size, a.dilation_rate))

    def output_shape(self, a, s):
        self.check_rank(s)
        if max(a.strides) > 1 and max(a.dilation_rate) > 1:
            raise ShapeError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)",
                             "set one of them to 1 on both axes")
        if a.filters % a.groups:
            raise ShapeError(f"filters ({a.filters}) must be divisible by groups ({a.groups})")
        hw, c = hw_channels(a, s)
        if c is None:
            need_known(s, 1 if channels_first(a) else 3, "channel axis", self.name)
        if c % a.groups:
            raise ShapeError(f"input channels ({c}) must be divisible by groups ({a.groups})")
        out = tuple(window_count(n, k, st, a.padding, self.name)
                    for n, k, st in zip(hw, self.spans(a), a.strides))
        return with_hw_channels(a, s, out, a.filters)

    def shape_rule(self, a, s, out):
        hw, _ = hw_channels(a, s)
        o, _ = hw_channels(a, out)
        what = "kernel span" if max(a.dilation_rate) > 1 else "kernel"
        rules = [axis_rule(name, n, k, st, a.padding, m, what)
                 for name, n, k, st, m in zip(("rows", "cols"), hw, self.spans(a), a.strides, o)]
        return (f"padding {a.padding}, each axis on its own: " + "; ".join(rules)
                + f". The channel axis becomes filters = {a.filters}: {fmt_shape(out)}.")

    def notes(self, a, s, out):
        (h, w), c = hw_channels(a, s)
        kh, kw = a.kernel_size
        cin = f"the {c // a.groups} input channels of its group" if a.groups > 1 else (
            "the one input channel" if c == 1 else f"all {c} input channels")
        lines = [f"Each output pixel is one dot product per filter over a {kh} × {kw} patch of "
                 f"{cin}: {kh} × {kw} × {c // a.groups} = "
                 f"{kh * kw * (c // a.groups)} weights per filter, shared by every position of the image."]
        if max(a.dilation_rate) > 1:
            sh, sw = self.spans(a)
            lines.append(f"dilation_rate {list(a.dilation_rate)}: the taps are spaced out, so one window covers "
                         f"{sh} × {sw} pixels with no more weights.")
        return lines + super().notes(a, s, out)

    def weights(self, a, s):
        _, c = hw_channels(a, s)
        ws = [WeightSpec("kernel", (*a.kernel_size, c // a.groups, a.filters),
                         doc="(kernel_rows, kernel_cols, in_channels / groups, filters)")]
        if a.use_bias:
            ws.append(WeightSpec("bias", (a.filters,), doc="one per filter"))
        return ws

    def formula(self, a, s):
        _, c = hw_channels(a, s)
        (kh, kw), f, g = a.kernel_size, a.filters, a.groups
        cin, cnum = ("in_channels / groups", f"{c} / {g}") if g > 1 else ("in_channels", f"{c}")
        sym, num, val = f"kh × kw × {cin} × filters", f"{kh} × {kw} × {cnum} × {f}", kh * kw * (c // g) * f
        if a.use_bias:
            return Formula(sym + " + filters", num + f" + {f}", val + f)
        return Formula(sym, num, val)

    def macs(self, a, s, out):
        """One multiply-add per weight of the kernel per output pixel (padding counted as zeros)."""
        (oh, ow), _ = hw_channels(a, out)
        _, c = hw_channels(a, s)
        if oh is None or ow is None:
            return None
        return oh * ow * a.kernel_size[0] * a.kernel_size[1] * (c // a.groups) * a.filters

    def elementwise_ops(self, a, s, out):
        (oh, ow), _ = hw_channels(a, out)
        return None if oh is None or ow is None else oh * ow * a.filters * (1 if a.use_bias else 0)

    def to_pytorch(self, a, s):
        """nn.Conv2d reads channels first: permute around it unless the layer is channels_first already."""
        if a.padding == "same" and max(a.strides) > 1:
            raise NoEquivalent("padding: same with strides > 1: nn.Conv2d refuses padding='same' with a stride",
                               "nearest: pad by hand and use padding 0")
        conv = {"type": "Conv2d", "out_channels": a.filters, "kernel_size": list(a.kernel_size), "$name": ""}
        extra = {"stride": (list(a.strides), [1, 1]), "padding": (a.padding, "valid"),
                 "dilation": (list(a.dilation_rate), [1, 1]), "groups": (a.groups, 1), "bias": (a.use_bias, True)}
        conv.update({k: v for k, (v, default) in extra.items() if v != default})
        act = activation_steps(a.activation, "Conv2D")
        steps, at = torch_channels_first(a, [conv])
        return Equivalent((*steps, *act), weights=at)

    def torch_weights(self, a, s, w):
        kernel = w["kernel"]  # (kh, kw, in/groups, filters) -> (filters, in/groups, kh, kw)
        return {"weight": permute(kernel, (3, 2, 0, 1)), **({"bias": w["bias"]} if a.use_bias else {})}

    def from_torch_weights(self, a, s, sd):
        return {"kernel": permute(sd["weight"], (2, 3, 1, 0)), **({"bias": sd["bias"]} if a.use_bias else {})}

    def forward(self, a, w, x, mask=None):
        (kh, kw), (sh, sw), (dh, dw) = a.kernel_size, a.strides, a.dilation_rate
        kernel, f, g = w["kernel"], a.filters, a.groups  # kernel (kh, kw, c/g, filters)
        bias = w["bias"] if a.use_bias else [0.0] * f
        act = activation(a.activation)
        cg, fg = len(kernel[0][0]), f // g
        # taps[j][r][q] = the (c/g) weights of filter j at kernel row r, column q
        taps = [[[[kernel[r][q][c][j] for c in range(cg)] for q in range(kw)] for r in range(kh)] for j in range(f)]
        out = []
        for image in to_channels_last(a, x):  # (H, W, C)
            hw = (len(image), len(image[0]))
            (top, bottom), (left, right) = pads(a.padding, hw, self.spans(a), a.strides)
            zero = [0.0] * len(image[0][0])

            def pixel(i, k, image=image, top=top, left=left, zero=zero):
                i, k = i - top, k - left
                return image[i][k] if 0 <= i < len(image) and 0 <= k < len(image[0]) else zero

            oh = (top + hw[0] + bottom - self.spans(a)[0]) // sh + 1
            ow = (left + hw[1] + right - self.spans(a)[1]) // sw + 1
            rows = []
            for p in range(oh):
                cols = []
                for q in range(ow):
                    patch = [[pixel(p * sh + r * dh, q * sw + t * dw) for t in range(kw)] for r in range(kh)]
                    y = []
                    for j in range(f):
                        lo = (j // fg) * cg
                        y.append(bias[j] + sum(dot(taps[j][r][t], patch[r][t][lo:lo + cg])
                                               for r in range(kh) for t in range(kw)))
                    cols.append(act(y))
                rows.append(cols)
            out.append(rows)
        return from_channels_last(a, out)


class Pooling2D(LayerType):
    """Shared rule of MaxPooling2D and AveragePooling2D."""

    min_rank = max_rank = 4
    rank_hint = " (batch, rows, cols, channels)"
    default_pool: tuple | None = (2, 2)

    @property
    def args(self):
        pool = REQUIRED if self.default_pool is None else self.default_pool
        return (
            Arg("pool_size", "pair", pool, "height and width of the pooling window: an int or [ph, pw]",
                minimum=1, structural=True),
            Arg("strides", "pair", None, "step of the window (default: pool_size)", minimum=1,
                nullable=True, structural=True),
            Arg("padding", "choice", "valid", "valid or same", choices=("valid", "same"), structural=True),
            DATA_FORMAT_2D,
        )

    def stride(self, a) -> tuple[int, int]:
        return a.strides if a.strides is not None else a.pool_size

    def output_shape(self, a, s):
        self.check_rank(s)
        hw, c = hw_channels(a, s)
        out = tuple(window_count(n, p, st, a.padding, self.name) for n, p, st in zip(hw, a.pool_size, self.stride(a)))
        return with_hw_channels(a, s, out, c)

    def shape_rule(self, a, s, out):
        hw, _ = hw_channels(a, s)
        o, _ = hw_channels(a, out)
        rules = [axis_rule(name, n, p, st, a.padding, m, "pool")
                 for name, n, p, st, m in zip(("rows", "cols"), hw, a.pool_size, self.stride(a), o)]
        default = f" (strides defaults to pool_size, {list(a.pool_size)})" if a.strides is None else ""
        return f"padding {a.padding}, each axis on its own{default}: " + "; ".join(rules) + ". Channels are kept."

    def notes(self, a, s, out):
        if a.padding != "same":
            return []
        return ["padding same: where the padding is uneven on an axis (one more row or column at the bottom or "
                "right), Keras's torch backend pads every axis by repeating the edge pixels, and in an average "
                "those copies count; where it is even on both axes the padding is left out of the window."]

    def forward(self, a, w, x, mask=None):
        (ph, pw), (sh, sw) = a.pool_size, self.stride(a)
        out = []
        for image in to_channels_last(a, x):  # (H, W, C)
            hw = (len(image), len(image[0]))
            (top, bottom), (left, right) = pads(a.padding, hw, a.pool_size, (sh, sw))
            if top != bottom or left != right:
                # Keras's torch backend pads an uneven split by repeating the edges (rows, then columns)
                image = [image[0]] * top + list(image) + [image[-1]] * bottom
                image = [[row[0]] * left + list(row) + [row[-1]] * right for row in image]
                top = bottom = left = right = 0
            h, wd = len(image), len(image[0])
            oh, ow = (h + top + bottom - ph) // sh + 1, (wd + left + right - pw) // sw + 1
            rows = []
            for p in range(oh):
                r0, r1 = max(p * sh - top, 0), min(p * sh - top + ph, h)
                cols = []
                for q in range(ow):
                    c0, c1 = max(q * sw - left, 0), min(q * sw - left + pw, wd)
                    window = [px for row in image[r0:r1] for px in row[c0:c1]]  # even padding is never part of it
                    cols.append([self.reduce(ch) for ch in zip(*window)])
                rows.append(cols)
            out.append(rows)
        return from_channels_last(a, out)


    def to_pytorch(self, a, s):
        """nn.MaxPool2d / nn.AvgPool2d; padding same maps where it pads both sides of each axis alike (then
        the padding is left out of the window on both sides), not where the extra row or column falls
        at the bottom or right."""
        hw, _ = hw_channels(a, s)
        pool = {"type": self.torch_name, "kernel_size": list(a.pool_size), "$name": ""}
        if self.stride(a) != a.pool_size:
            pool["stride"] = list(self.stride(a))
        if a.padding == "same":
            if None in hw:
                raise NoEquivalent("padding same on a variable size: how much it pads depends on the size",
                                   "give the rows and cols sizes, or use padding valid")
            sides = pads("same", hw, a.pool_size, self.stride(a))
            if any(before != after for before, after in sides):
                raise NoEquivalent(f"padding same pads {' and '.join(f'({b}, {e})' for b, e in sides)} here: "
                                   "an extra row or column at the bottom or right, which nn."
                                   f"{self.torch_name}'s symmetric padding cannot do", "nearest: padding valid, or "
                                   "sizes that divide by strides with odd pool_size − strides")
            if any(b for b, _ in sides):
                pool["padding"] = [b for b, _ in sides]
                if self.torch_name == "AvgPool2d":
                    pool["count_include_pad"] = False
        steps, _ = torch_channels_first(a, [pool])
        return Equivalent(steps)


class MaxPooling2D(Pooling2D):
    """Keeps the largest value of each pool_size window of pixels, per channel."""

    name, auto_name = "MaxPooling2D", "max_pooling2d"
    aliases = ("MaxPool2D",)
    torch_name = "MaxPool2d"
    reduce = staticmethod(max)


class AveragePooling2D(Pooling2D):
    """Averages each pool_size window of pixels, per channel (padding excluded)."""

    name, auto_name = "AveragePooling2D", "average_pooling2d"
    aliases = ("AvgPool2D",)
    torch_name = "AvgPool2d"
    default_pool = None  # Keras 3 gives AveragePooling2D's pool_size no default

    reduce = staticmethod(mean)


class GlobalPooling2D(LayerType):
    """Shared rule of the 2-D global poolings: rows and columns are reduced away."""

    min_rank = max_rank = 4
    rank_hint = " (batch, rows, cols, channels)"
    args = (
        DATA_FORMAT_2D,
        Arg("keepdims", "bool", False, "keep the reduced rows and cols axes with length 1", structural=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        _, c = hw_channels(a, s)
        return with_hw_channels(a, s, (1, 1), c) if a.keepdims else (s[0], c)

    def shape_rule(self, a, s, out):
        (h, w), _ = hw_channels(a, s)
        size = "all" if h is None or w is None else f"the {h} × {w} = {h * w}"
        keep = "kept with length 1 (keepdims)" if a.keepdims else "removed"
        return f"{size} pixels are reduced to one value per channel; rows and cols are {keep}: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        out = []
        for image in to_channels_last(a, x):
            y = [self.reduce(ch) for ch in zip(*(px for row in image for px in row))]
            out.append([[y]] if a.keepdims else y)
        return from_channels_last(a, out) if a.keepdims else out


    def to_pytorch(self, a, s):
        """nn.AdaptiveAvgPool2d(1) / nn.AdaptiveMaxPool2d(1) on (N, C, H, W), then Flatten to (N, C), or with
        keepdims the axes put back where Keras keeps them."""
        pool = {"type": self.torch_name, "output_size": 1, "$name": ""}
        if not a.keepdims:
            steps, _ = torch_channels_first(a, [pool, {"type": "Flatten", "$name": "flatten"}], back=False)
        else:
            steps, _ = torch_channels_first(a, [pool])
        return Equivalent(steps)


class GlobalMaxPooling2D(GlobalPooling2D):
    """The largest value of each channel over the whole image."""

    name, auto_name = "GlobalMaxPooling2D", "global_max_pooling2d"
    aliases = ("GlobalMaxPool2D",)
    torch_name = "AdaptiveMaxPool2d"
    reduce = staticmethod(max)


class GlobalAveragePooling2D(GlobalPooling2D):
    """The mean of each channel over the whole image."""

    name, auto_name = "GlobalAveragePooling2D", "global_average_pooling2d"
    aliases = ("GlobalAvgPool2D",)
    torch_name = "AdaptiveAvgPool2d"

    reduce = staticmethod(mean)
