"""The other 1-D convolutions: SeparableConv1D, DepthwiseConv1D and
Conv1DTranspose. Inputs are (batch, steps, channels), or (batch, channels,
steps) with data_format: channels_first, as for Conv1D (conv.py).

- DepthwiseConv1D convolves each input channel on its own with
  depth_multiplier kernels: output channel c·depth_multiplier + m.
- SeparableConv1D is that depthwise step followed by a pointwise (size-1)
  convolution that mixes the channels: far fewer weights than one Conv1D.
- Conv1DTranspose runs a convolution backwards: each input step spreads
  kernel_size values over the output, strides steps apart, so it lengthens
  the sequence (a decoder's upsampling).
"""

from __future__ import annotations

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, weight_args
from lstmcalc.layers.base import Formula, LayerType, WeightSpec, need_known
from lstmcalc.layers.conv import (
    same_padding,
    steps_channels,
    to_channels_last,
    window_count,
    window_rule,
    with_steps_channels,
)
from lstmcalc.layers.reshaping import DATA_FORMAT, channels_first
from lstmcalc.run.tensor import activation, dot


def common_args(padding_doc: str) -> tuple[Arg, ...]:
    return (
        Arg("kernel_size", "ints", doc="length of the window, an int or a list of one int", minimum=1,
            structural=True),
        Arg("strides", "ints", 1, "step of the window", minimum=1, structural=True),
        Arg("padding", "choice", "valid", padding_doc, choices=("valid", "same"), structural=True,
            ignore_case=True),
    )


FILTERS = Arg("filters", "int", doc="number of output channels", minimum=1, structural=True)
DEPTH_MULTIPLIER = Arg("depth_multiplier", "int", 1, "kernels per input channel in the depthwise step", minimum=1,
                       structural=True)
DILATION = Arg("dilation_rate", "ints", 1, "gap between kernel taps", minimum=1, structural=True)
ACTIVATION = Arg("activation", "activation", None, "activation applied to the output")
USE_BIAS = Arg("use_bias", "bool", True, "whether the layer has a bias vector", structural=True)
SAME = "valid: no padding; same: keep ceil(steps/strides)"


class Conv1DFamily(LayerType):
    """What the three share: rank, channels, the strides/dilation refusal."""

    min_rank = max_rank = 3
    rank_hint = " (batch, steps, channels)"
    strided_dilation = True  # Keras's separable and depthwise layers take strides > 1 with dilation_rate > 1

    def span(self, a) -> int:
        return (a.kernel_size - 1) * a.dilation_rate + 1

    def channels(self, a, s) -> int:
        self.check_rank(s)
        if not self.strided_dilation and a.strides > 1 and a.dilation_rate > 1:
            raise ShapeError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)",
                             "set one of them to 1")
        return need_known(s, 1 if channels_first(a) else 2, "channel axis", self.name)

    def out_steps(self, a, s):
        steps, _ = steps_channels(a, s)
        return window_count(steps, self.span(a), a.strides, a.padding, self.name)

    def shape_rule(self, a, s, out):
        steps, _ = steps_channels(a, s)
        o, c = steps_channels(a, out)
        what = "kernel span" if a.dilation_rate > 1 else "kernel_size"
        return window_rule(steps, self.span(a), a.strides, a.padding, o, what) + f" The channel axis becomes {c}."

    def depthwise(self, a, kernel, seq) -> list:
        """Each channel convolved with its depth_multiplier kernels; kernel (k, c, dm); seq (steps, c)."""
        k, d, st = a.kernel_size, a.dilation_rate, a.strides
        left, right = (0, 0) if a.padding == "valid" else same_padding(len(seq), self.span(a), st)
        c, dm = len(kernel[0]), len(kernel[0][0])
        zero = [0.0] * c

        def padded(i):
            i -= left
            return seq[i] if 0 <= i < len(seq) else zero

        n_out = (left + len(seq) + right - self.span(a)) // st + 1
        rows = []
        for p in range(n_out):
            window = [padded(p * st + t * d) for t in range(k)]
            rows.append([sum(window[t][ch] * kernel[t][ch][m] for t in range(k))
                         for ch in range(c) for m in range(dm)])
        return rows


class DepthwiseConv1D(Conv1DFamily):
    """A depthwise 1-D convolution: every input channel is convolved on its
    own with depth_multiplier kernels; channels are never mixed."""

    name, auto_name = "DepthwiseConv1D", "depthwise_conv1d"
    args = (*common_args(SAME), DEPTH_MULTIPLIER, DATA_FORMAT, DILATION, ACTIVATION, USE_BIAS,
            *weight_args(depthwise="glorot_uniform", bias="zeros"))

    def output_shape(self, a, s):
        c = self.channels(a, s)
        return with_steps_channels(a, s, self.out_steps(a, s), c * a.depth_multiplier)

    def notes(self, a, s, out):
        c = self.channels(a, s)
        return [f"Output channel c × depth_multiplier + m is input channel c convolved with its kernel m: "
                f"{c} channels × {a.depth_multiplier} = {c * a.depth_multiplier}. Unlike Conv1D no kernel reads "
                "two channels, so the kernel has kernel_size × in_channels × depth_multiplier weights. "
                "The weight is named kernel; its initializer argument is depthwise_initializer."]

    def weights(self, a, s):
        c = self.channels(a, s)
        ws = [WeightSpec("kernel", (a.kernel_size, c, a.depth_multiplier),
                         doc="(kernel_size, in_channels, depth_multiplier)")]
        if a.use_bias:
            ws.append(WeightSpec("bias", (c * a.depth_multiplier,), doc="one per output channel"))
        return ws

    def formula(self, a, s):
        c, k, dm = self.channels(a, s), a.kernel_size, a.depth_multiplier
        sym, num, val = "kernel_size × in_channels × depth_multiplier", f"{k} × {c} × {dm}", k * c * dm
        if a.use_bias:
            return Formula(sym + " + in_channels × depth_multiplier", num + f" + {c} × {dm}", val + c * dm)
        return Formula(sym, num, val)

    def macs(self, a, s, out):
        o, _ = steps_channels(a, out)
        return None if o is None else o * a.kernel_size * self.channels(a, s) * a.depth_multiplier

    def elementwise_ops(self, a, s, out):
        o, c = steps_channels(a, out)
        return None if o is None else o * c * (1 if a.use_bias else 0)

    def forward(self, a, w, x, mask=None):
        act = activation(a.activation)
        out = []
        for seq in to_channels_last(a, x):
            rows = self.depthwise(a, w["kernel"], seq)
            bias = w["bias"] if a.use_bias else [0.0] * len(rows[0] if rows else [])
            out.append([act([v + b for v, b in zip(row, bias)]) for row in rows])
        return to_channels_last(a, out)


class SeparableConv1D(Conv1DFamily):
    """A depthwise-separable 1-D convolution: a depthwise step (each channel
    on its own, depth_multiplier kernels) then a pointwise step (a size-1
    convolution to `filters` channels that mixes them)."""

    name, auto_name = "SeparableConv1D", "separable_conv1d"
    aliases = ("SeparableConvolution1D",)
    args = (FILTERS, *common_args(SAME), DATA_FORMAT, DILATION, DEPTH_MULTIPLIER, ACTIVATION, USE_BIAS,
            *weight_args(depthwise="glorot_uniform", pointwise="glorot_uniform", bias="zeros"))

    def output_shape(self, a, s):
        self.channels(a, s)
        return with_steps_channels(a, s, self.out_steps(a, s), a.filters)

    def notes(self, a, s, out):
        c, k, dm, f = self.channels(a, s), a.kernel_size, a.depth_multiplier, a.filters
        full = k * c * f + (f if a.use_bias else 0)
        return [f"Two steps: the depthwise kernel ({k}, {c}, {dm}) slides over each channel on its own, giving "
                f"{c} × {dm} = {c * dm} channels; the pointwise kernel (1, {c * dm}, {f}) then mixes them at each "
                f"step. A Conv1D with the same window and filters would have {full:,} parameters, this layer "
                f"{self.formula(a, s).value:,}."]

    def weights(self, a, s):
        c = self.channels(a, s)
        ws = [WeightSpec("depthwise_kernel", (a.kernel_size, c, a.depth_multiplier),
                         doc="(kernel_size, in_channels, depth_multiplier)"),
              WeightSpec("pointwise_kernel", (1, c * a.depth_multiplier, a.filters),
                         doc="(1, in_channels × depth_multiplier, filters)")]
        if a.use_bias:
            ws.append(WeightSpec("bias", (a.filters,), doc="one per filter"))
        return ws

    def formula(self, a, s):
        c, k, dm, f = self.channels(a, s), a.kernel_size, a.depth_multiplier, a.filters
        sym = "kernel_size × in_channels × depth_multiplier + in_channels × depth_multiplier × filters"
        num, val = f"{k} × {c} × {dm} + {c} × {dm} × {f}", k * c * dm + c * dm * f
        if a.use_bias:
            return Formula(sym + " + filters", num + f" + {f}", val + f)
        return Formula(sym, num, val)

    def macs(self, a, s, out):
        """The depthwise products, then the pointwise ones, per output step."""
        o, _ = steps_channels(a, out)
        c, dm = self.channels(a, s), a.depth_multiplier
        return None if o is None else o * (a.kernel_size * c * dm + c * dm * a.filters)

    def elementwise_ops(self, a, s, out):
        o, _ = steps_channels(a, out)
        return None if o is None else o * a.filters * (1 if a.use_bias else 0)

    def forward(self, a, w, x, mask=None):
        act = activation(a.activation)
        pointwise = w["pointwise_kernel"][0]  # (c·dm, filters)
        columns = [list(col) for col in zip(*pointwise)]
        bias = w["bias"] if a.use_bias else [0.0] * a.filters
        out = []
        for seq in to_channels_last(a, x):
            rows = self.depthwise(a, w["depthwise_kernel"], seq)  # (steps, c·dm)
            out.append([act([b + dot(col, row) for col, b in zip(columns, bias)]) for row in rows])
        return to_channels_last(a, out)


class Conv1DTranspose(Conv1DFamily):
    """A transposed 1-D convolution: each input step adds kernel_size × filters
    values to the output, placed strides steps apart, so the output is about
    strides times longer (the reverse of a strided Conv1D's shape)."""

    name, auto_name = "Conv1DTranspose", "conv1d_transpose"
    aliases = ("Convolution1DTranspose",)
    strided_dilation = False
    args = (FILTERS, *common_args("valid: the full output; same: steps × strides"),
            Arg("output_padding", "ints", None, "extra steps at the end (less than strides)", minimum=0,
                nullable=True, structural=True),
            DATA_FORMAT, DILATION, ACTIVATION, USE_BIAS, *weight_args(kernel="glorot_uniform", bias="zeros"))

    def pads(self, a) -> tuple[int, int]:
        """(left, right) padding of the stride-dilated input, as Keras computes it (its JAX rule)."""
        span, st, op = self.span(a), a.strides, a.output_padding
        if a.padding == "valid":
            op = max(span, st) - span if op is None else op
            return span - 1, span - 1 + op
        total = st + span - 2 if op is None else span + span % 2 - 2 + op
        left = min(total // 2 + total % 2, span - 1)
        return left, total - left

    def output_shape(self, a, s):
        self.channels(a, s)
        if a.output_padding is not None and a.output_padding >= a.strides:
            raise ShapeError(f"output_padding ({a.output_padding}) must be smaller than strides ({a.strides})",
                             "use output_padding < strides, or leave it null")
        steps, _ = steps_channels(a, s)
        left, right = self.pads(a)
        out = None if steps is None else (steps - 1) * a.strides + left + right - self.span(a) + 2
        if out is not None and out <= 0:
            raise ShapeError(f"{self.name} would give {out} output steps", "use padding valid or a longer input")
        return with_steps_channels(a, s, out, a.filters)

    def shape_rule(self, a, s, out):
        steps, _ = steps_channels(a, s)
        o, _ = steps_channels(a, out)
        if steps is None:
            return "the steps axis is variable, so the output steps are variable too."
        span, st, op = self.span(a), a.strides, a.output_padding
        if op is None and a.padding == "same":
            rule = f"padding same: steps × strides = {steps} × {st} = {o}"
        elif op is None:
            rule = (f"padding valid: (steps − 1) × strides + max(kernel span, strides) = "
                    f"({steps} − 1) × {st} + {max(span, st)} = {o}")
        elif a.padding == "valid":
            rule = f"(steps − 1) × strides + kernel span + output_padding = ({steps} − 1) × {st} + {span} + {op} = {o}"
        else:
            rule = (f"padding same with output_padding: (steps − 1) × strides + (kernel span mod 2) + output_padding "
                    f"= ({steps} − 1) × {st} + {span % 2} + {op} = {o}")
        return rule + f" steps. The channel axis becomes filters = {a.filters}."

    def notes(self, a, s, out):
        return ["The kernel is (kernel_size, filters, in_channels): filters before in_channels, the reverse of "
                "Conv1D's, because the layer is the transpose (gradient) of a Conv1D from filters to in_channels. "
                "It does not undo a Conv1D's values, only its shape."]

    def weights(self, a, s):
        c = self.channels(a, s)
        ws = [WeightSpec("kernel", (a.kernel_size, a.filters, c), doc="(kernel_size, filters, in_channels)")]
        if a.use_bias:
            ws.append(WeightSpec("bias", (a.filters,), doc="one per filter"))
        return ws

    def formula(self, a, s):
        c, k, f = self.channels(a, s), a.kernel_size, a.filters
        sym, num, val = "kernel_size × filters × in_channels", f"{k} × {f} × {c}", k * f * c
        if a.use_bias:
            return Formula(sym + " + filters", num + f" + {f}", val + f)
        return Formula(sym, num, val)

    def macs(self, a, s, out):
        """Every input step times every kernel weight (what lands in the cropped edges counted too)."""
        steps, _ = steps_channels(a, s)
        return None if steps is None else steps * a.kernel_size * a.filters * self.channels(a, s)

    def elementwise_ops(self, a, s, out):
        o, _ = steps_channels(a, out)
        return None if o is None else o * a.filters * (1 if a.use_bias else 0)

    def forward(self, a, w, x, mask=None):
        kernel, f = w["kernel"], a.filters  # (k, filters, c)
        bias = w["bias"] if a.use_bias else [0.0] * f
        act = activation(a.activation)
        left, right = self.pads(a)
        crop = self.span(a) - 1 - left  # steps cut from the front of the full output
        out = []
        for seq in to_channels_last(a, x):  # (steps, c)
            n_out = (len(seq) - 1) * a.strides + left + right - self.span(a) + 2
            y = [list(bias) for _ in range(n_out)]
            for i, xi in enumerate(seq):
                for t in range(a.kernel_size):
                    j = i * a.strides + t * a.dilation_rate - crop
                    if 0 <= j < n_out:
                        for o in range(f):
                            y[j][o] += dot(kernel[t][o], xi)
            out.append([act(row) for row in y])
        return to_channels_last(a, out)
