"""torch.nn Transformer modules: TransformerEncoderLayer and TransformerEncoder.

Each follows `torch/nn/modules/transformer.py` (torch 2.x) with torch's names,
defaults and `state_dict` names (`layers.0.self_attn.in_proj_weight`,
`layers.0.linear1.weight`, `layers.0.norm1.weight`, `norm.weight`). The
attention inside is `attention_torch.MultiheadAttention` and its maths
(`attend`), batch first.

The reference forward is torch's eval() "slow path" (the maths): with
`torch.no_grad()`, torch takes a fused fast path that gives the same numbers,
except that TransformerEncoder given a `src_key_padding_mask` returns zeros at
the padded positions (it runs on nested tensors); see `notes`.

Cost convention (per sample): `macs` counts the attention's projections, score
products and weighted sums (as MultiheadAttention) and the two feed-forward
products.
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, Args
from lstmcalc.layers.attention_torch import MultiheadAttention, attend, fits, linear
from lstmcalc.layers.base import Formula, WeightSpec, mult, need_known
from lstmcalc.layers.torch_base import TorchModule
from lstmcalc.run.tensor import add, transpose
from lstmcalc.shapes import fmt_shape

# -- the pieces of a layer, on batch-first lists ------------------------------------------------


def layer_norm(x, weight, bias, eps):
    out = []
    for v in x:
        mean = sum(v) / len(v)
        var = sum((e - mean) ** 2 for e in v) / len(v)
        y = [(e - mean) / math.sqrt(var + eps) for e in v]
        if weight is not None:
            y = [e * g for e, g in zip(y, weight)]
        if bias is not None:
            y = add(y, bias)
        out.append(y)
    return out


ACTIVATIONS = {
    "relu": lambda v: v if v > 0 else 0.0,
    "gelu": lambda v: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))),
}


class Prefixed:
    """A view of a module's weights under a prefix (`layers.0.`): nested modules read their own names."""

    def __init__(self, w, prefix: str):
        self.w, self.prefix = w, prefix

    def __getitem__(self, name):
        return self.w[self.prefix + name]




class TransformerEncoderLayer(TorchModule):
    """nn.TransformerEncoderLayer: self-attention (a MultiheadAttention) then a
    feed-forward network linear2(activation(linear1(x))), each added back to its
    input (a residual) and normalised by a LayerNorm: post-norm x = norm1(x +
    sa(x)); x = norm2(x + ff(x)), or pre-norm with norm_first. Keeps the shape
    (L, N, d_model) (or (N, L, d_model) with batch_first)."""

    name, auto_name, torch_name = "TransformerEncoderLayer", "transformer_encoder_layer", "nn.TransformerEncoderLayer"
    code_positional = ("d_model", "nhead")
    call_args = ("src_mask", "src_key_padding_mask", "is_causal")
    args = (
        Arg("d_model", "int", doc="width of every step (the attention's embed_dim)", minimum=1, structural=True),
        Arg("nhead", "int", doc="attention heads; divides d_model", minimum=1, structural=True),
        Arg("dim_feedforward", "int", 2048, "width of the feed-forward network's hidden layer", minimum=1,
            structural=True),
        Arg("dropout", "float", 0.1, "dropout in attention, feed-forward and residuals (training only)",
            minimum=0, maximum=1),
        Arg("activation", "choice", "relu", "the feed-forward network's activation", choices=("relu", "gelu")),
        Arg("layer_norm_eps", "float", 1e-5, "eps of norm1 and norm2"),
        Arg("batch_first", "bool", False, "true: (N, L, d_model); false: (L, N, d_model)", structural=True),
        Arg("norm_first", "bool", False, "pre-norm: normalise before attention and feed-forward", structural=True),
        Arg("bias", "bool", True, "biases in the attention, linear1/linear2 and the LayerNorms", structural=True),
    )
    min_rank = max_rank = 3
    rank_hint = " ((L, N, d_model), or (N, L, d_model) with batch_first)"

    def batch_first_of(self, a) -> bool:
        return a.batch_first

    def attention_args(self, a):
        return Args({"embed_dim": a.d_model, "num_heads": a.nhead, "bias": a.bias, "add_bias_kv": False,
                     "add_zero_attn": False, "kdim": None, "vdim": None, "batch_first": True, "dropout": 0.0})

    def output_shape(self, a, s):
        self.check_rank(s)
        d = need_known(s, 2, "feature axis (the last)", self.name)
        if d != a.d_model:
            raise ShapeError(f"the input has {d} features but d_model is {a.d_model}", f"write d_model: {d}")
        if a.d_model % a.nhead:
            raise ShapeError(f"d_model {a.d_model} is not divisible by nhead {a.nhead}: each head takes "
                             "d_model/nhead", "pick nhead that divides d_model")
        return s

    def shape_rule(self, a, s, out):
        return (f"every step stays d_model = {a.d_model} wide (attention and feed-forward both map back to "
                f"d_model, so the residuals add): {fmt_shape(out)}.")

    def with_call(self, a, call):
        return a.replace(is_causal=call.get("is_causal", False))

    def check_call(self, a, s, out, call):
        n, t = (s[0], s[1]) if a.batch_first else (s[1], s[0])
        if a.get("is_causal") and call.get("src_mask", call.get("mask")) is None:
            raise ShapeError("is_causal is only a hint: torch's attention needs the causal mask itself with it",
                             "add the mask (True above the diagonal), or drop is_causal")
        kpm = call.get("src_key_padding_mask")
        if kpm is not None and not fits(kpm, (n, t)):
            raise ShapeError(f"src_key_padding_mask is {fmt_shape(kpm)} but {self.name} expects (N, S) = "
                             f"{fmt_shape((n, t))}", "one flag per batch item and step, True = padding")
        m = call.get("src_mask", call.get("mask"))
        if m is not None and not (fits(m, (t, t)) or fits(m, (mult(n, a.nhead), t, t))):
            raise ShapeError(f"the mask is {fmt_shape(m)} but {self.name} expects (S, S) = {fmt_shape((t, t))} or "
                             f"(N·nhead, S, S)", "give one flag per (step, step); True = not allowed")
        return []

    def weights(self, a, s):
        d, ff = a.d_model, a.dim_feedforward
        ws = [replace_name(w, "self_attn.") for w in MultiheadAttention().weights(self.attention_args(a), s)]
        ws += [WeightSpec("linear1.weight", (ff, d), doc="d_model → dim_feedforward")]
        ws += [WeightSpec("linear1.bias", (ff,), doc="the hidden layer's bias")] if a.bias else []
        ws += [WeightSpec("linear2.weight", (d, ff), doc="dim_feedforward → d_model")]
        ws += [WeightSpec("linear2.bias", (d,), doc="the feed-forward output's bias")] if a.bias else []
        for k in ("norm1", "norm2"):
            ws += [WeightSpec(f"{k}.weight", (d,), doc="LayerNorm scale")]
            ws += [WeightSpec(f"{k}.bias", (d,), doc="LayerNorm offset")] if a.bias else []
        return ws

    def formula(self, a, s):
        d, ff = a.d_model, a.dim_feedforward
        if a.bias:
            value = 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d
            return Formula("(4d² + 4d) + (d·ff + ff) + (ff·d + d) + 2 × 2d   (self_attn, linear1, linear2, "
                           "norm1 + norm2; d = d_model, ff = dim_feedforward)",
                           f"(4×{d}² + 4×{d}) + ({d}×{ff} + {ff}) + ({ff}×{d} + {d}) + 2 × 2×{d}", value)
        value = 4 * d * d + 2 * d * ff + 2 * d
        return Formula("4d² + d·ff + ff·d + 2d   (no biases; d = d_model, ff = dim_feedforward)",
                       f"4×{d}² + {d}×{ff} + {ff}×{d} + 2×{d}", value)

    def macs(self, a, s, out):
        t = s[1] if a.batch_first else s[0]
        attention = MultiheadAttention().macs(self.attention_args(a), s if a.batch_first else
                                              (s[1], s[0], s[2]), out)
        return None if attention is None else attention + mult(t, 2 * a.d_model * a.dim_feedforward)

    def elementwise_ops(self, a, s, out):
        t = s[1] if a.batch_first else s[0]
        return mult(a.nhead, t, t, 3)

    def notes(self, a, s, out):
        d, ff = a.d_model, a.dim_feedforward
        order = ("pre-norm (norm_first): x = x + sa(norm1(x)); x = x + ff(norm2(x)); no norm at the end, so "
                 "TransformerEncoder usually takes a final norm." if a.norm_first else
                 "post-norm (torch's default, the original Transformer): x = norm1(x + sa(x)); "
                 "x = norm2(x + ff(x)).")
        return [
            order,
            f"sa is a MultiheadAttention({d}, {a.nhead}) over the sequence itself (query = key = value); "
            f"ff(x) = linear2({a.activation}(linear1(x))), {d} → {ff} → {d} at every step independently.",
            "The state_dict names: self_attn.in_proj_weight (3d, d), self_attn.out_proj.weight, linear1.weight "
            f"({ff}, {d}), linear2.weight ({d}, {ff}), norm1.weight, norm2.weight (and their biases).",
            f"To Keras: MultiHeadAttention(num_heads={a.nhead}, key_dim={d // a.nhead}) + Add + "
            f"LayerNormalization(epsilon={a.layer_norm_eps:g}) + Dense({ff}, {a.activation}) + Dense({d}) + Add + "
            "LayerNormalization: the same count (Keras has no TransformerEncoderLayer of its own).",
            "Masks: src_mask (S, S) and src_key_padding_mask (N, S), bool True = not allowed. In eval() under "
            "torch.no_grad() torch runs a fused fast path with the same numbers; lstmcalc computes the maths of "
            "the slow path.",
        ]

    def keras_equivalent(self, a, s, out):
        return ("MultiHeadAttention + Add + LayerNormalization + Dense × 2 + Add + LayerNormalization",
                self.formula(a, s).value, "same count, built from Keras layers (Keras has no encoder layer module)")

    def forward(self, a, w, x, mask=None, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_mask = src_mask if src_mask is not None else mask
        xs = x if a.batch_first else transpose(x)  # (N, L, d)
        ys = encoder_layer(a, w, xs, src_mask, src_key_padding_mask, is_causal)
        return ys if a.batch_first else transpose(ys)


def replace_name(w: WeightSpec, prefix: str) -> WeightSpec:
    return WeightSpec(prefix + w.name, w.shape, w.trainable, w.doc)


def encoder_layer(a, w, xs, src_mask, kpm, is_causal):
    """One TransformerEncoderLayer on batch-first lists (N, L, d)."""
    norm = {k: (w[f"{k}.weight"], w[f"{k}.bias"] if a.bias else None) for k in ("norm1", "norm2")}
    attn = TransformerEncoderLayer().attention_args(a)
    b1 = w["linear1.bias"] if a.bias else None
    b2 = w["linear2.bias"] if a.bias else None
    w1, w2 = w["linear1.weight"], w["linear2.weight"]
    act = ACTIVATIONS[a.activation]
    sa_w = Prefixed(w, "self_attn.")

    def sa(t):
        return attend(attn, sa_w, t, t, t, src_mask, kpm, False, True, is_causal)[0]

    def ff(t):
        return [linear([[act(v) for v in row] for row in linear(seq, w1, b1)], w2, b2) for seq in t]

    def ln(k, t):
        return [layer_norm(seq, *norm[k], a.layer_norm_eps) for seq in t]

    def residual(t, u):
        return [[add(p, q) for p, q in zip(ts, us)] for ts, us in zip(t, u)]

    if a.norm_first:
        xs = residual(xs, sa(ln("norm1", xs)))
        return residual(xs, ff(ln("norm2", xs)))
    xs = ln("norm1", residual(xs, sa(xs)))
    return ln("norm2", residual(xs, ff(xs)))


class TransformerEncoder(TorchModule):
    """nn.TransformerEncoder: num_layers copies of encoder_layer (deep copies:
    each has its own weights, layers.0 ... layers.{n-1}), applied in turn, then
    the optional norm. Keeps the shape of its input."""

    name, auto_name, torch_name = "TransformerEncoder", "transformer_encoder", "nn.TransformerEncoder"
    factory = False
    call_args = ("mask", "src_key_padding_mask", "is_causal")
    args = (
        Arg("encoder_layer", "layer", doc="the TransformerEncoderLayer copied num_layers times", structural=True),
        Arg("num_layers", "int", doc="how many copies are stacked", minimum=1, structural=True),
        Arg("norm", "layer", None, "a LayerNorm after the last layer", nullable=True, structural=True),
        Arg("enable_nested_tensor", "bool", True, "use nested tensors for padded batches in the fast path"),
        Arg("mask_check", "bool", True, "check the mask's layout for the fast path"),
    )
    min_rank = max_rank = 3
    rank_hint = " ((L, N, d_model), or (N, L, d_model) with batch_first)"

    def layer_type(self, a):
        inner = a.encoder_layer
        if inner.type.name != "TransformerEncoderLayer":
            raise ShapeError(f"encoder_layer must be a TransformerEncoderLayer, not {inner.type.name}",
                             "write encoder_layer: {type: TransformerEncoderLayer, d_model: ..., nhead: ...}")
        if a.norm is not None and a.norm.type.name != "LayerNorm":
            raise ShapeError(f"norm must be a LayerNorm here, not {a.norm.type.name}",
                             "write norm: {type: LayerNorm, normalized_shape: d_model}")
        return inner.type, inner.args

    def batch_first_of(self, a) -> bool:
        return a.encoder_layer.args.batch_first

    def output_shape(self, a, s):
        t, la = self.layer_type(a)
        out = t.output_shape(la, s)
        if a.norm is not None:
            out = a.norm.type.output_shape(a.norm.args, out)
        return out

    def shape_rule(self, a, s, out):
        return (f"each of the {a.num_layers} layers keeps the shape, and so does the norm: {fmt_shape(out)}.")

    def with_call(self, a, call):
        return a.replace(is_causal=call.get("is_causal", False))

    def check_call(self, a, s, out, call):
        t, la = self.layer_type(a)
        return t.check_call(la.replace(is_causal=a.get("is_causal")), s, out, call)

    def weights(self, a, s):
        t, la = self.layer_type(a)
        ws = [replace_name(w, f"layers.{i}.") for i in range(a.num_layers) for w in t.weights(la, s)]
        if a.norm is not None:
            ws += [replace_name(w, "norm.") for w in a.norm.type.weights(a.norm.args, s)]
        return ws

    def formula(self, a, s):
        t, la = self.layer_type(a)
        one = t.formula(la, s).value
        n = a.num_layers
        norm = a.norm.type.formula(a.norm.args, s).value if a.norm is not None else 0
        sym = "num_layers × encoder_layer" + (" + norm" if a.norm is not None else "")
        nums = f"{n} × {one:,}" + (f" + {norm}" if a.norm is not None else "")
        return Formula(sym, nums, n * one + norm)

    def macs(self, a, s, out):
        t, la = self.layer_type(a)
        m = t.macs(la, s, out)
        return None if m is None else a.num_layers * m

    def elementwise_ops(self, a, s, out):
        t, la = self.layer_type(a)
        m = t.elementwise_ops(la, s, out)
        return None if m is None else a.num_layers * m

    def notes(self, a, s, out):
        t, la = self.layer_type(a)
        one = t.formula(la, s).value
        lines = [f"torch deep-copies encoder_layer {a.num_layers} time(s): the copies share no weights, so the "
                 f"count is {a.num_layers} × {one:,}" + (f" + the norm's {a.norm.type.formula(a.norm.args, s).value}"
                                                        if a.norm is not None else "") + ".",
                 "state_dict names: layers.0.self_attn.in_proj_weight, layers.0.linear1.weight, "
                 "layers.0.norm1.weight, ... layers.{n-1}..., then norm.weight and norm.bias.",
                 *t.notes(la, s, out)[:2]]
        if la.norm_first and a.norm is None:
            lines.append("norm_first without a final norm: the output is not normalised (the usual pre-norm "
                         "stack adds norm: LayerNorm).")
        lines.append("With a src_key_padding_mask that pads at the end, in eval() under torch.no_grad() (and "
                     "batch_first, post-norm, an even nhead, biases), torch runs the layers on nested tensors and "
                     "returns 0.0 at the padded positions; lstmcalc gives the slow path's values there (the other "
                     "positions agree).")
        return lines

    def keras_equivalent(self, a, s, out):
        return (f"{a.num_layers} × (MultiHeadAttention + LayerNormalization + Dense × 2 + LayerNormalization)"
                + (" + LayerNormalization" if a.norm is not None else ""),
                self.formula(a, s).value, "same count, built from Keras layers (Keras has no TransformerEncoder)")

    def forward(self, a, w, x, mask=None, src_key_padding_mask=None, is_causal=None):
        t, la = self.layer_type(a)
        xs = x if la.batch_first else transpose(x)
        for i in range(a.num_layers):
            xs = encoder_layer(la, Prefixed(w, f"layers.{i}."), xs, mask, src_key_padding_mask, bool(is_causal))
        if a.norm is not None:
            xs = [a.norm.type.forward(a.norm.args, Prefixed(w, "norm."), seq) for seq in xs]
        return xs if la.batch_first else transpose(xs)
