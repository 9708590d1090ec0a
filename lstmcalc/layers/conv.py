"""1-D convolution and pooling: Conv1D, MaxPooling1D, AveragePooling1D and
the global poolings. Inputs are (batch, steps, channels), or (batch,
channels, steps) with data_format: channels_first.
"""

from __future__ import annotations

import math
from itertools import chain

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import REQUIRED, Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec, need_known
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent, activation_steps
from lstmcalc.layers.reshaping import DATA_FORMAT, channels_first
from lstmcalc.run.tensor import activation, affine, matvec, mean, transpose, weight_rows
from lstmcalc.shapes import fmt_shape


def steps_channels(a, s) -> tuple[int | None, int | None]:
    """(steps, channels) of a 3-D input in the layer's data_format."""
    return (s[2], s[1]) if channels_first(a) else (s[1], s[2])


def with_steps_channels(a, s, steps, channels) -> tuple:
    return (s[0], channels, steps) if channels_first(a) else (s[0], steps, channels)


def to_channels_last(a, x):
    return [transpose(sample) for sample in x] if channels_first(a) else x


def window_count(length, window: int, stride: int, padding: str, layer: str) -> int | None:
    """Output length of a sliding window (window already dilated), as Keras computes it."""
    if length is None:
        return None
    if padding == "valid":
        n = (length - window) // stride + 1
        if n <= 0:
            raise ShapeError(
                f"{layer}'s window of {window} steps does not fit the {length} input steps "
                "(output size would be negative)",
                "use padding: same, a smaller window, or a longer input",
            )
        return n
    return (length - 1) // stride + 1


def window_rule(length, window, stride, padding, out, what="window") -> str:
    if length is None:
        return "the steps axis is variable, so the output steps are variable too."
    if padding == "valid":
        return (f"padding valid: floor(({length} − {what} {window}) / stride {stride}) + 1 = {out} steps.")
    return f"padding {padding}: ceil({length} / stride {stride}) = {out} steps."


def same_padding(length: int, window: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding: the extra step goes on the right."""
    out = (length - 1) // stride + 1
    total = max((out - 1) * stride + window - length, 0)
    return total // 2, total - total // 2


class Conv1D(LayerType):
    """A 1-D convolution: `filters` kernels, each spanning kernel_size steps
    and all (in_channels / groups) channels of its group, slide along the
    steps axis."""

    name, auto_name = "Conv1D", "conv1d"
    aliases = ("Convolution1D",)
    min_rank = max_rank = 3
    rank_hint = " (batch, steps, channels)"
    args = (
        Arg("filters", "int", doc="number of output channels", minimum=1, structural=True),
        Arg("kernel_size", "ints", doc="length of the window, an int or a list of one int",
            minimum=1, structural=True),
        Arg("strides", "ints", 1, "step of the window", minimum=1, structural=True),
        Arg("padding", "choice", "valid", "valid: no padding; same: keep ceil(steps/strides); "
            "causal: pad only on the left", choices=("valid", "same", "causal"), structural=True,
            ignore_case=True),  # Keras lower-cases a convolution's padding (not a pooling's)
        DATA_FORMAT,
        Arg("dilation_rate", "ints", 1, "gap between kernel taps", minimum=1, structural=True),
        Arg("groups", "int", 1, "split channels into groups convolved separately", minimum=1,
            structural=True),
        Arg("activation", "activation", None, "activation applied to the output"),
        Arg("use_bias", "bool", True, "whether the layer has a bias vector", structural=True),
        *weight_args(kernel="glorot_uniform", bias="zeros"),
    )

    def span(self, a) -> int:
        return (a.kernel_size - 1) * a.dilation_rate + 1

    def output_shape(self, a, s):
        self.check_rank(s)
        if a.strides > 1 and a.dilation_rate > 1:
            raise ShapeError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)",
                             "set one of them to 1")
        if a.filters % a.groups:
            raise ShapeError(f"filters ({a.filters}) must be divisible by groups ({a.groups})")
        steps, channels = steps_channels(a, s)
        if channels is None:
            need_known(s, 1 if channels_first(a) else 2, "channel axis", self.name)
        if channels % a.groups:
            raise ShapeError(f"input channels ({channels}) must be divisible by groups ({a.groups})")
        out = window_count(steps, self.span(a), a.strides, a.padding, self.name)
        return with_steps_channels(a, s, out, a.filters)

    def shape_rule(self, a, s, out):
        steps, _ = steps_channels(a, s)
        o, _ = steps_channels(a, out)
        what = "kernel span" if a.dilation_rate > 1 else "kernel_size"
        return (window_rule(steps, self.span(a), a.strides, a.padding, o, what)
                + f" The channel axis becomes filters = {a.filters}.")

    def notes(self, a, s, out):
        lines = []
        if a.dilation_rate > 1:
            lines.append(f"dilation_rate {a.dilation_rate}: the {a.kernel_size} taps of each kernel are "
                         f"{a.dilation_rate} steps apart, so one window spans (kernel_size − 1) × dilation_rate "
                         f"+ 1 = {self.span(a)} steps with no more weights.")
        if a.padding == "causal":
            lines.append(f"padding causal: {self.span(a) - 1} zero steps are added on the left only, so output "
                         "step t sees input steps t and earlier, never later ones (as a recurrent layer does).")
        return lines + super().notes(a, s, out)

    def weights(self, a, s):
        _, c = steps_channels(a, s)
        ws = [WeightSpec("kernel", (a.kernel_size, c // a.groups, a.filters),
                         doc="(kernel_size, in_channels / groups, filters)")]
        if a.use_bias:
            ws.append(WeightSpec("bias", (a.filters,), doc="one per filter"))
        return ws

    def formula(self, a, s):
        _, c = steps_channels(a, s)
        k, f, g = a.kernel_size, a.filters, a.groups
        cin = "in_channels / groups" if g > 1 else "in_channels"
        cnum = f"{c} / {g}" if g > 1 else f"{c}"
        sym, num, val = f"kernel_size × {cin} × filters", f"{k} × {cnum} × {f}", k * (c // g) * f
        if a.use_bias:
            return Formula(sym + " + filters", num + f" + {f}", val + f)
        return Formula(sym, num, val)

    def macs(self, a, s, out):
        o, _ = steps_channels(a, out)
        _, c = steps_channels(a, s)
        return None if o is None else o * a.kernel_size * (c // a.groups) * a.filters

    def elementwise_ops(self, a, s, out):
        o, _ = steps_channels(a, out)
        return None if o is None else o * a.filters * (1 if a.use_bias else 0)

    def to_pytorch(self, a, s):
        """nn.Conv1d reads channels first: transpose around it unless the layer is channels_first already."""
        if a.padding == "causal":
            raise NoEquivalent("padding: causal has no nn.Conv1d padding (it pads both sides)",
                               f"nearest: F.pad(x, ({(a.kernel_size - 1) * a.dilation_rate}, 0)) before a "
                               "padding-0 nn.Conv1d, by hand")
        if a.padding == "same" and a.strides > 1:
            raise NoEquivalent("padding: same with strides > 1: nn.Conv1d refuses padding='same' with a stride",
                               "nearest: pad by hand and use padding 0")
        conv = {"type": "Conv1d", "out_channels": a.filters, "kernel_size": a.kernel_size, "$name": ""}
        extra = {"stride": (a.strides, 1), "padding": (a.padding, "valid"), "dilation": (a.dilation_rate, 1),
                 "groups": (a.groups, 1), "bias": (a.use_bias, True)}
        conv.update({k: v for k, (v, default) in extra.items() if v != default})
        if channels_first(a):
            return Equivalent((conv, *activation_steps(a.activation, "Conv1D")), weights=0)
        swap = {"type": "Transpose", "dim0": 1, "dim1": 2}
        steps = ({**swap, "$name": "channels_first"}, conv, {**swap, "$name": "channels_last"},
                 *activation_steps(a.activation, "Conv1D"))
        return Equivalent(steps, weights=1)

    def torch_weights(self, a, s, w):
        kernel = w["kernel"]  # (k, in/groups, filters) -> (filters, in/groups, k)
        weight = [[[kernel[t][c][o] for t in range(len(kernel))] for c in range(len(kernel[0]))]
                  for o in range(len(kernel[0][0]))]
        return {"weight": weight, **({"bias": w["bias"]} if a.use_bias else {})}

    def from_torch_weights(self, a, s, sd):
        weight = sd["weight"]
        kernel = [[[weight[o][c][t] for o in range(len(weight))] for c in range(len(weight[0]))]
                  for t in range(len(weight[0][0]))]
        return {"kernel": kernel, **({"bias": sd["bias"]} if a.use_bias else {})}

    def forward(self, a, w, x, mask=None):
        k, d, st, g, f = a.kernel_size, a.dilation_rate, a.strides, a.groups, a.filters
        kernel = w["kernel"]  # (k, c/g, filters)
        bias = w["bias"] if a.use_bias else None
        act = activation(a.activation)
        x = to_channels_last(a, x)
        cg, fg = len(kernel[0]), f // g
        # im2col: filter j's row holds its weights tap by tap (k·c/g of them), then its bias; one inner
        # product with a window's column (its k taps' c/g channels of j's group) is j's output
        rows = weight_rows([kernel[t][c] for t in range(k) for c in range(cg)], bias)  # (filters, k·c/g [+ 1])
        groups = [rows[i * fg:(i + 1) * fg] for i in range(g)]
        product = matvec if bias is None else affine
        out = []
        for seq in x:  # (steps, channels)
            length = len(seq)
            if a.padding == "valid":
                left = right = 0
            elif a.padding == "causal":
                left, right = (k - 1) * d, 0
            else:
                left, right = same_padding(length, self.span(a), st)
            zero = [0.0] * len(seq[0]) if seq else []

            def padded(i, seq=seq, left=left, zero=zero):  # the padding is never built: it can be huge
                i -= left
                return seq[i] if 0 <= i < len(seq) else zero

            n_out = (left + length + right - self.span(a)) // st + 1
            steps = []
            for p in range(n_out):
                window = [padded(p * st + t * d) for t in range(k)]
                if g == 1:
                    steps.append(act(product(rows, list(chain.from_iterable(window)))))
                    continue
                cols = [list(chain.from_iterable(tap[lo:lo + cg] for tap in window)) for lo in range(0, g * cg, cg)]
                steps.append(act([y for block, col in zip(groups, cols) for y in product(block, col)]))
            out.append(steps)
        return to_channels_last(a, out)


class Pooling1D(LayerType):
    """Shared rule of MaxPooling1D and AveragePooling1D."""

    min_rank = max_rank = 3
    rank_hint = " (batch, steps, channels)"
    default_pool: int | None = 2

    @property
    def args(self):
        pool = REQUIRED if self.default_pool is None else self.default_pool
        return (
            Arg("pool_size", "ints", pool, "length of the pooling window", minimum=1, structural=True),
            Arg("strides", "ints", None, "step of the window (default: pool_size)", minimum=1,
                nullable=True, structural=True),
            Arg("padding", "choice", "valid", "valid or same", choices=("valid", "same"), structural=True),
            DATA_FORMAT,
        )

    def stride(self, a) -> int:
        return a.strides if a.strides is not None else a.pool_size

    def output_shape(self, a, s):
        self.check_rank(s)
        steps, channels = steps_channels(a, s)
        out = window_count(steps, a.pool_size, self.stride(a), a.padding, self.name)
        return with_steps_channels(a, s, out, channels)

    def shape_rule(self, a, s, out):
        steps, _ = steps_channels(a, s)
        o, _ = steps_channels(a, out)
        rule = window_rule(steps, a.pool_size, self.stride(a), a.padding, o, "pool_size")
        if a.strides is None:
            rule = rule[:-1] + f" (strides defaults to pool_size, {a.pool_size})."
        return rule + " Channels are kept."

    def forward(self, a, w, x, mask=None):
        p, st = a.pool_size, self.stride(a)
        out = []
        for seq in to_channels_last(a, x):
            left = right = 0
            if a.padding == "same":
                left, right = same_padding(len(seq), p, st)
            if left != right:
                # Keras's torch backend pads an uneven split by repeating the
                # edge steps, and those copies count in an average
                seq, left, right = [seq[0]] * left + list(seq) + [seq[-1]] * right, 0, 0
            length = len(seq)
            n_out = (length + left + right - p) // st + 1
            rows = []
            for i in range(n_out):
                lo = max(i * st - left, 0)
                hi = min(i * st - left + p, length)
                window = seq[lo:hi]  # an even padding is never part of the window
                rows.append([self.reduce(col) for col in zip(*window)])
            out.append(rows)
        return to_channels_last(a, out)


class MaxPooling1D(Pooling1D):
    """Keeps the largest value of each window of pool_size steps, per channel."""

    name, auto_name = "MaxPooling1D", "max_pooling1d"
    aliases = ("MaxPool1D",)
    default_pool = 2
    reduce = staticmethod(max)


class AveragePooling1D(Pooling1D):
    """Averages each window of pool_size steps, per channel (padding excluded)."""

    name, auto_name = "AveragePooling1D", "average_pooling1d"
    aliases = ("AvgPool1D",)
    default_pool = None  # Keras 3 gives AveragePooling1D's pool_size no default

    reduce = staticmethod(mean)


class GlobalPooling1D(LayerType):
    """Shared rule of the global poolings: the steps axis is reduced away."""

    min_rank = max_rank = 3
    rank_hint = " (batch, steps, channels)"
    args = (
        DATA_FORMAT,
        Arg("keepdims", "bool", False, "keep the reduced steps axis with length 1", structural=True),
    )

    def output_shape(self, a, s):
        self.check_rank(s)
        _, channels = steps_channels(a, s)
        if a.keepdims:
            return with_steps_channels(a, s, 1, channels)
        return (s[0], channels)

    def shape_rule(self, a, s, out):
        steps, _ = steps_channels(a, s)
        keep = " kept with length 1 (keepdims)" if a.keepdims else " removed"
        steps = "variable number of" if steps is None else steps
        return f"the {steps} steps are reduced to one value per channel; the steps axis is{keep}: {fmt_shape(out)}."

    def forward(self, a, w, x, mask=None):
        out = []
        for n, seq in enumerate(to_channels_last(a, x)):
            rows = self.pool(seq, mask[n] if mask is not None else None)
            out.append([rows] if a.keepdims else rows)
        return to_channels_last(a, out) if a.keepdims else out


class GlobalMaxPooling1D(GlobalPooling1D):
    """The largest value of each channel over all steps."""

    name, auto_name = "GlobalMaxPooling1D", "global_max_pooling1d"
    aliases = ("GlobalMaxPool1D",)

    def pool(self, seq, mask):
        return [max(col) for col in zip(*seq)]


class GlobalAveragePooling1D(GlobalPooling1D):
    """The mean of each channel over all steps (masked steps excluded)."""

    name, auto_name = "GlobalAveragePooling1D", "global_average_pooling1d"
    aliases = ("GlobalAvgPool1D",)
    supports_masking = True
    mask_arg = True

    def compute_mask(self, a, x, mask):
        return None

    def symbolic_mask(self, a, k, x, mask):
        return None

    def pool(self, seq, mask):
        if mask is None:
            return [sum(col) / len(col) for col in zip(*seq)]
        kept = [v for v, m in zip(seq, mask) if m]
        if not kept:  # Keras divides 0 by 0 here
            return [math.nan] * len(seq[0])
        return [sum(col) / len(kept) for col in zip(*kept)]
