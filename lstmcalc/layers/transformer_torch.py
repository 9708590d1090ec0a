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
from dataclasses import dataclass

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, Args
from lstmcalc.layers.attention_torch import MultiheadAttention, attend, fits, linear
from lstmcalc.layers.base import Formula, WeightSpec, mult, need_known, total_or_none
from lstmcalc.layers.equivalent import NoEquivalent
from lstmcalc.layers.normalization_torch import LayerNorm
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




def keras_has_none(self, a, s):
    """to_keras of the Transformer modules: Keras 3 has no such layer."""
    raise NoEquivalent(f"Keras 3 has no {self.name} layer (keras_hub's are another package)",
                       "build it from MultiHeadAttention, Add, LayerNormalization and Dense layers (explain lists "
                       "them), or keep the model in PyTorch")


class TransformerEncoderLayer(TorchModule):
    """nn.TransformerEncoderLayer: self-attention (a MultiheadAttention) then a
    feed-forward network linear2(activation(linear1(x))), each added back to its
    input (a residual) and normalised by a LayerNorm: post-norm x = norm1(x +
    sa(x)); x = norm2(x + ff(x)), or pre-norm with norm_first. Keeps the shape
    (L, N, d_model) (or (N, L, d_model) with batch_first)."""

    to_keras = keras_has_none

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
        return layer_formula(a, ("self_attn",), ("norm1", "norm2"))

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


def layer_formula(a, attentions: tuple[str, ...], norms: tuple[str, ...]) -> Formula:
    """An encoder or decoder layer's count: its attention blocks (4d² + 4d each), linear1 and linear2, its
    LayerNorms (2d each; d without biases)."""
    d, ff, k, n = a.d_model, a.dim_feedforward, len(attentions), len(norms)
    times = "" if k == 1 else f"{k} × "
    if a.bias:
        value = k * (4 * d * d + 4 * d) + 2 * d * ff + ff + d + n * 2 * d
        return Formula(f"{times}(4d² + 4d) + (d·ff + ff) + (ff·d + d) + {n} × 2d   ({' + '.join(attentions)}, "
                       f"linear1, linear2, {' + '.join(norms)}; d = d_model, ff = dim_feedforward)",
                       f"{times}(4×{d}² + 4×{d}) + ({d}×{ff} + {ff}) + ({ff}×{d} + {d}) + {n} × 2×{d}", value)
    value = k * 4 * d * d + 2 * d * ff + n * d
    return Formula(f"{times}4d² + d·ff + ff·d + {n}d   (no biases; d = d_model, ff = dim_feedforward)",
                   f"{times}4×{d}² + {d}×{ff} + {ff}×{d} + {n}×{d}", value)


def replace_name(w: WeightSpec, prefix: str) -> WeightSpec:
    return WeightSpec(prefix + w.name, w.shape, w.trainable, w.doc)


class Sublayers:
    """The parts of one encoder or decoder layer on batch-first lists (N, L, d), reading the layer's weights:
    attention (self_attn, multihead_attn), the feed-forward network, the LayerNorms, and the residual block
    around each of them."""

    def __init__(self, a, w):
        self.a, self.w = a, w
        self.attn = TransformerEncoderLayer().attention_args(a)
        self.act = ACTIVATIONS[a.activation]

    def attention(self, prefix, q, kv, attn_mask, kpm, is_causal):
        """torch's _sa_block / _mha_block: need_weights=False, the causal hint as given."""
        return attend(self.attn, Prefixed(self.w, prefix), q, kv, kv, attn_mask, kpm, False, True, is_causal)[0]

    def ff(self, t):
        """linear2(activation(linear1(x))) at every step."""
        w, bias = self.w, self.a.bias
        b1, b2 = (w["linear1.bias"], w["linear2.bias"]) if bias else (None, None)
        return [linear([[self.act(v) for v in row] for row in linear(seq, w["linear1.weight"], b1)],
                       w["linear2.weight"], b2) for seq in t]

    def norm(self, k, t):
        weight, bias = self.w[f"{k}.weight"], self.w[f"{k}.bias"] if self.a.bias else None
        return [layer_norm(seq, weight, bias, self.a.layer_norm_eps) for seq in t]

    def block(self, k, x, f):
        """Pre-norm x + f(norm(x)) with norm_first, else post-norm norm(x + f(x))."""
        if self.a.norm_first:
            return residual(x, f(self.norm(k, x)))
        return self.norm(k, residual(x, f(x)))


def residual(t, u):
    return [[add(p, q) for p, q in zip(ts, us)] for ts, us in zip(t, u)]


def encoder_layer(a, w, xs, src_mask, kpm, is_causal):
    """One TransformerEncoderLayer on batch-first lists (N, L, d)."""
    p = Sublayers(a, w)
    xs = p.block("norm1", xs, lambda t: p.attention("self_attn.", t, t, src_mask, kpm, is_causal))
    return p.block("norm2", xs, p.ff)


class TransformerStack(TorchModule):
    """What nn.TransformerEncoder and nn.TransformerDecoder share: num_layers deep copies of one layer
    (`layers.0.` ... `layers.{n-1}.`, each with its own weights), applied in turn, then the optional norm."""

    to_keras = keras_has_none

    factory = False
    layer_arg = ""  # encoder_layer / decoder_layer
    layer_class = None  # the layer type the stack copies
    min_rank = max_rank = 3
    rank_hint = " ((L, N, d_model), or (N, L, d_model) with batch_first)"

    @staticmethod
    def stack_args(layer_arg: str, layer_name: str) -> tuple[Arg, ...]:
        return (
            Arg(layer_arg, "layer", doc=f"the {layer_name} copied num_layers times", structural=True),
            Arg("num_layers", "int", doc="how many copies are stacked", minimum=1, structural=True),
            Arg("norm", "layer", None, "a LayerNorm after the last layer", nullable=True, structural=True),
        )

    def layer_type(self, a):
        inner = a.get(self.layer_arg)
        want = self.layer_class.name
        if inner.type.name != want:
            raise ShapeError(f"{self.layer_arg} must be a {want}, not {inner.type.name}",
                             f"write {self.layer_arg}: {{type: {want}, d_model: ..., nhead: ...}}")
        if a.norm is not None and a.norm.type.name != "LayerNorm":
            raise ShapeError(f"norm must be a LayerNorm here, not {a.norm.type.name}",
                             "write norm: {type: LayerNorm, normalized_shape: d_model}")
        return inner.type, inner.args

    def batch_first_of(self, a) -> bool:
        return a.get(self.layer_arg).args.batch_first

    def output_shape(self, a, s):
        t, la = self.layer_type(a)
        out = t.output_shape(la, s)
        if a.norm is not None:
            out = a.norm.type.output_shape(a.norm.args, out)
        return out

    def shape_rule(self, a, s, out):
        return (f"each of the {a.num_layers} layers keeps the shape, and so does the norm: {fmt_shape(out)}.")

    def weights(self, a, s):
        t, la = self.layer_type(a)
        ws = [replace_name(w, f"layers.{i}.") for i in range(a.num_layers) for w in t.weights(la, s)]
        if a.norm is not None:
            ws += [replace_name(w, "norm.") for w in a.norm.type.weights(a.norm.args, self.norm_shape(s))]
        return ws

    @staticmethod
    def norm_shape(s):
        return s[0] if isinstance(s, list) else s

    def formula(self, a, s):
        t, la = self.layer_type(a)
        one = t.formula(la, s).value
        n = a.num_layers
        norm = a.norm.type.formula(a.norm.args, self.norm_shape(s)).value if a.norm is not None else 0
        sym = f"num_layers × {self.layer_arg}" + (" + norm" if a.norm is not None else "")
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

    def stack_notes(self, a, s, out):
        t, la = self.layer_type(a)
        one = t.formula(la, s).value
        norm = (f" + the norm's {a.norm.type.formula(a.norm.args, self.norm_shape(s)).value}"
                if a.norm is not None else "")
        lines = [f"torch deep-copies {self.layer_arg} {a.num_layers} time(s): the copies share no weights, so the "
                 f"count is {a.num_layers} × {one:,}{norm}.",
                 "state_dict names: layers.0.self_attn.in_proj_weight, layers.0.linear1.weight, "
                 "layers.0.norm1.weight, ... layers.{n-1}..., then norm.weight and norm.bias.",
                 *t.notes(la, s, out)[:2]]
        if la.norm_first and a.norm is None:
            lines.append("norm_first without a final norm: the output is not normalised (the usual pre-norm "
                         "stack adds norm: LayerNorm).")
        return lines

    def final_norm(self, a, w, xs):
        if a.norm is None:
            return xs
        return [a.norm.type.forward(a.norm.args, Prefixed(w, "norm."), seq) for seq in xs]


class TransformerEncoder(TransformerStack):
    """nn.TransformerEncoder: num_layers copies of encoder_layer (deep copies:
    each has its own weights, layers.0 ... layers.{n-1}), applied in turn, then
    the optional norm. Keeps the shape of its input."""

    name, auto_name, torch_name = "TransformerEncoder", "transformer_encoder", "nn.TransformerEncoder"
    layer_arg, layer_class = "encoder_layer", TransformerEncoderLayer
    call_args = ("mask", "src_key_padding_mask", "is_causal")
    args = (
        *TransformerStack.stack_args("encoder_layer", "TransformerEncoderLayer"),
        Arg("enable_nested_tensor", "bool", True, "use nested tensors for padded batches in the fast path"),
        Arg("mask_check", "bool", True, "check the mask's layout for the fast path"),
    )

    def with_call(self, a, call):
        return a.replace(is_causal=call.get("is_causal", False))

    def check_call(self, a, s, out, call):
        t, la = self.layer_type(a)
        return t.check_call(la.replace(is_causal=a.get("is_causal")), s, out, call)

    def notes(self, a, s, out):
        lines = self.stack_notes(a, s, out)
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
        xs = self.final_norm(a, w, xs)
        return xs if la.batch_first else transpose(xs)


# -- TransformerDecoderLayer / TransformerDecoder ------------------------------------------------------

DECODER_CALL = ("tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask", "tgt_is_causal",
                "memory_is_causal")


def check_mask(name: str, m, rows, cols, n, nhead, what: str) -> None:
    """An attention mask (rows, cols) or (N·nhead, rows, cols), as torch's MultiheadAttention checks it."""
    if m is not None and not (fits(m, (rows, cols)) or fits(m, (mult(n, nhead), rows, cols))):
        raise ShapeError(f"{name} is {fmt_shape(m)} but it must be ({what}) = {fmt_shape((rows, cols))} or "
                         f"(N·nhead, {what}) = {fmt_shape((mult(n, nhead), rows, cols))}",
                         "give one flag per (query step, key step); True = not allowed")


def check_padding(name: str, m, n, t, what: str) -> None:
    if m is not None and not fits(m, (n, t)):
        raise ShapeError(f"{name} is {fmt_shape(m)} but it must be (N, {what}) = {fmt_shape((n, t))}",
                         "one flag per batch item and step, True = padding")


class TransformerDecoderLayer(TransformerEncoderLayer):
    """nn.TransformerDecoderLayer: self-attention over the target, then
    cross-attention (multihead_attn) whose queries are the target's steps and
    whose keys and values are the memory's (the encoder's output), then the
    feed-forward network; each added back to its input and normalised (norm1,
    norm2, norm3), post-norm by default or pre-norm with norm_first. Takes
    `inputs: [tgt, memory]`: tgt (T, N, d_model) and memory (S, N, d_model)
    (batch first with batch_first; S may differ from T) give (T, N, d_model)."""

    name, auto_name, torch_name = "TransformerDecoderLayer", "transformer_decoder_layer", "nn.TransformerDecoderLayer"
    takes_list = True  # forward(tgt, memory)
    call_args = DECODER_CALL
    min_rank = max_rank = None

    def split(self, s):
        if not isinstance(s, list) or len(s) != 2:
            n = len(s) if isinstance(s, list) else 1
            raise ShapeError(f"{self.name} takes inputs [tgt, memory], got {n} tensor(s)",
                             "write inputs: [tgt, memory] (memory: the encoder's output)")
        return s

    def steps(self, a, x):
        """(N, steps) of one input in the layer's layout."""
        return (x[0], x[1]) if a.batch_first else (x[1], x[0])

    def output_shape(self, a, s):
        tgt, memory = self.split(s)
        for what, x in (("tgt", tgt), ("memory", memory)):
            if len(x) != 3:
                raise ShapeError(f"{self.name} reads 3-D tensors ((T, N, d_model), or (N, T, d_model) with "
                                 f"batch_first); {what} is {fmt_shape(x)}", "give it a batch and a sequence axis")
            d = need_known(x, 2, f"feature axis (the last) of {what}", self.name)
            if d != a.d_model:
                raise ShapeError(f"{what} has {d} features but d_model is {a.d_model}",
                                 f"write d_model: {d}" if what == "tgt" else
                                 "give the memory d_model features (the encoder's d_model)")
        (n_t, _), (n_m, _) = self.steps(a, tgt), self.steps(a, memory)
        if None not in (n_t, n_m) and n_t != n_m:
            raise ShapeError(f"tgt {fmt_shape(tgt)} and memory {fmt_shape(memory)} have different batch sizes",
                             "batch_first decides which axis is the batch")
        if a.d_model % a.nhead:
            raise ShapeError(f"d_model {a.d_model} is not divisible by nhead {a.nhead}: each head takes "
                             "d_model/nhead", "pick nhead that divides d_model")
        return tgt

    def shape_rule(self, a, s, out):
        _, memory = self.split(s)
        return (f"one output step per target step, d_model = {a.d_model} wide: {fmt_shape(out)}; the memory "
                f"{fmt_shape(memory)} only supplies keys and values, so its length does not appear.")

    def with_call(self, a, call):
        return a.replace(tgt_is_causal=call.get("tgt_is_causal"), memory_is_causal=call.get("memory_is_causal", False))

    def check_call(self, a, s, out, call):
        tgt, memory = self.split(s)
        (n, t), (_, m) = self.steps(a, tgt), self.steps(a, memory)
        for flag, mask in (("tgt_is_causal", "tgt_mask"), ("memory_is_causal", "memory_mask")):
            if a.get(flag) and call.get(mask) is None:
                raise ShapeError(f"{flag} is only a hint: torch's attention needs {mask} with it",
                                 f"add {mask} (True above the diagonal), or drop {flag}")
        check_mask("tgt_mask", call.get("tgt_mask"), t, t, n, a.nhead, "T, T")
        check_mask("memory_mask", call.get("memory_mask"), t, m, n, a.nhead, "T, S")
        check_padding("tgt_key_padding_mask", call.get("tgt_key_padding_mask"), n, t, "T")
        check_padding("memory_key_padding_mask", call.get("memory_key_padding_mask"), n, m, "S")
        return []

    def weights(self, a, s):
        mha = MultiheadAttention().weights(self.attention_args(a), self.split(s)[0])
        ws = super().weights(a, self.split(s)[0])
        cross = [replace_name(w, "multihead_attn.") for w in mha]
        at = next(i for i, w in enumerate(ws) if w.name.startswith("linear1."))
        ws = ws[:at] + cross + ws[at:]
        d = a.d_model
        return ws + [WeightSpec("norm3.weight", (d,), doc="LayerNorm scale")] + (
            [WeightSpec("norm3.bias", (d,), doc="LayerNorm offset")] if a.bias else [])

    def formula(self, a, s):
        return layer_formula(a, ("self_attn", "multihead_attn"), ("norm1", "norm2", "norm3"))

    def macs(self, a, s, out):
        tgt, memory = self.split(s)
        bf = (lambda x: x) if a.batch_first else (lambda x: (x[1], x[0], x[2]))
        mha, args = MultiheadAttention(), self.attention_args(a)
        t = self.steps(a, tgt)[1]
        parts = (mha.macs(args, bf(tgt), out), mha.macs(args, [bf(tgt), bf(memory), bf(memory)], out),
                 mult(t, 2 * a.d_model * a.dim_feedforward))
        return total_or_none(parts)

    def elementwise_ops(self, a, s, out):
        tgt, memory = self.split(s)
        t, m = self.steps(a, tgt)[1], self.steps(a, memory)[1]
        return total_or_none((mult(a.nhead, t, t, 3), mult(a.nhead, t, m, 3)))

    def notes(self, a, s, out):
        d, ff = a.d_model, a.dim_feedforward
        order = ("pre-norm (norm_first): x = x + sa(norm1(x)); x = x + mha(norm2(x), memory); "
                 "x = x + ff(norm3(x)); TransformerDecoder usually adds a final norm." if a.norm_first else
                 "post-norm (torch's default, the original Transformer): x = norm1(x + sa(x)); "
                 "x = norm2(x + mha(x, memory)); x = norm3(x + ff(x)).")
        return [
            order,
            f"sa is a MultiheadAttention({d}, {a.nhead}) over the target itself; mha (multihead_attn) is a second "
            f"one, its queries from the target and its keys and values from the memory (cross-attention); "
            f"ff(x) = linear2({a.activation}(linear1(x))), {d} → {ff} → {d} at every step.",
            "The state_dict names: self_attn.in_proj_weight (3d, d), self_attn.out_proj.weight, "
            f"multihead_attn.in_proj_weight, multihead_attn.out_proj.weight, linear1.weight ({ff}, {d}), "
            f"linear2.weight ({d}, {ff}), norm1/norm2/norm3.weight (and their biases).",
            f"To Keras: MultiHeadAttention(num_heads={a.nhead}, key_dim={d // a.nhead}) twice (the second called "
            f"on [x, memory]) + Dense({ff}, {a.activation}) + Dense({d}), with three Add + "
            f"LayerNormalization(epsilon={a.layer_norm_eps:g}): the same count (Keras has no decoder layer).",
            "Masks: tgt_mask (T, T) (a causal mask keeps step i from seeing later target steps), memory_mask "
            "(T, S), tgt_key_padding_mask (N, T), memory_key_padding_mask (N, S); bool True = not allowed. "
            "tgt_is_causal / memory_is_causal are hints that need the mask too; where torch can use the hint "
            "(no key padding mask) its slow path applies its own causal mask instead of the mask given, and so "
            "does lstmcalc, while under torch.no_grad() it uses the mask: a hint with a mask that is not causal "
            "gives two answers.",
        ]

    def keras_equivalent(self, a, s, out):
        return ("MultiHeadAttention × 2 + Dense × 2 + Add × 3 + LayerNormalization × 3", self.formula(a, s).value,
                "same count, built from Keras layers (Keras has no decoder layer module)")

    def forward(self, a, w, x, mask=None, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        tgt, memory = (x[0], x[1]) if a.batch_first else (transpose(x[0]), transpose(x[1]))  # (N, T, d), (N, S, d)
        ys = decoder_layer(a, w, tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                           bool(tgt_is_causal), bool(memory_is_causal))
        return ys if a.batch_first else transpose(ys)


def decoder_layer(a, w, xs, memory, tgt_mask, memory_mask, tgt_kpm, memory_kpm, tgt_is_causal, memory_is_causal):
    """One TransformerDecoderLayer on batch-first lists: tgt (N, T, d), memory (N, S, d) -> (N, T, d)."""
    p = Sublayers(a, w)
    xs = p.block("norm1", xs, lambda t: p.attention("self_attn.", t, t, tgt_mask, tgt_kpm, tgt_is_causal))
    xs = p.block("norm2", xs, lambda t: p.attention("multihead_attn.", t, memory, memory_mask, memory_kpm,
                                                    memory_is_causal))
    return p.block("norm3", xs, p.ff)


class TransformerDecoder(TransformerStack):
    """nn.TransformerDecoder: num_layers copies of decoder_layer (deep copies,
    layers.0 ... layers.{n-1}), each reading the same memory, then the optional
    norm. `inputs: [tgt, memory]`; the output has the target's shape."""

    name, auto_name, torch_name = "TransformerDecoder", "transformer_decoder", "nn.TransformerDecoder"
    layer_arg, layer_class = "decoder_layer", TransformerDecoderLayer
    takes_list = True
    call_args = DECODER_CALL
    min_rank = max_rank = None
    args = TransformerStack.stack_args("decoder_layer", "TransformerDecoderLayer")

    def output_shape(self, a, s):
        t, la = self.layer_type(a)
        out = t.output_shape(la, s)
        if a.norm is not None:
            out = a.norm.type.output_shape(a.norm.args, out)
        return out

    def with_call(self, a, call):
        return a.replace(tgt_is_causal=call.get("tgt_is_causal"), memory_is_causal=call.get("memory_is_causal", False))

    def check_call(self, a, s, out, call):
        t, la = self.layer_type(a)
        return t.check_call(la.replace(tgt_is_causal=a.get("tgt_is_causal"),
                                       memory_is_causal=a.get("memory_is_causal")), s, out, call)

    def notes(self, a, s, out):
        lines = self.stack_notes(a, s, out)
        lines.append("Every layer attends to the same memory (the encoder's output); only the target flows from "
                     "layer to layer. tgt_is_causal left out (None) makes torch test whether tgt_mask is the causal "
                     "mask, which gives the same numbers as the mask itself.")
        return lines

    def keras_equivalent(self, a, s, out):
        return (f"{a.num_layers} × (MultiHeadAttention × 2 + Dense × 2 + 3 × LayerNormalization)"
                + (" + LayerNormalization" if a.norm is not None else ""),
                self.formula(a, s).value, "same count, built from Keras layers (Keras has no TransformerDecoder)")

    def forward(self, a, w, x, mask=None, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        t, la = self.layer_type(a)
        xs, memory = (x[0], x[1]) if la.batch_first else (transpose(x[0]), transpose(x[1]))
        for i in range(a.num_layers):
            xs = decoder_layer(la, Prefixed(w, f"layers.{i}."), xs, memory, tgt_mask, memory_mask,
                               tgt_key_padding_mask, memory_key_padding_mask, bool(tgt_is_causal),
                               bool(memory_is_causal))
        xs = self.final_norm(a, w, xs)
        return xs if la.batch_first else transpose(xs)


# -- Transformer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A module nn.Transformer builds inside itself, as a nested layer argument is written (type, args)."""

    type: object
    args: Args


def defaults(t, **given) -> Args:
    return Args({**{arg.name: arg.default for arg in t.all_args}, **given})


class Transformer(TorchModule):
    """nn.Transformer: a TransformerEncoder (num_encoder_layers layers and a
    final LayerNorm) over the source, and a TransformerDecoder
    (num_decoder_layers layers and a final LayerNorm) over the target that
    attends to the encoder's output. `inputs: [src, tgt]`: src (S, N, d_model)
    and tgt (T, N, d_model) (batch first with batch_first) give (T, N, d_model)."""

    to_keras = keras_has_none

    name, auto_name, torch_name = "Transformer", "transformer", "nn.Transformer"
    takes_list = True  # forward(src, tgt)
    call_args = ("src_mask", "src_key_padding_mask", "src_is_causal", *DECODER_CALL)
    args = (
        Arg("d_model", "int", 512, "width of every step", minimum=1, structural=True),
        Arg("nhead", "int", 8, "attention heads; divides d_model", minimum=1, structural=True),
        Arg("num_encoder_layers", "int", 6, "encoder layers", minimum=1, structural=True),
        Arg("num_decoder_layers", "int", 6, "decoder layers", minimum=1, structural=True),
        *(x for x in TransformerEncoderLayer.args if x.name not in ("d_model", "nhead")),
        Arg("custom_encoder", "layer", None, "an encoder module in place of the built one (not modelled)",
            nullable=True),
        Arg("custom_decoder", "layer", None, "a decoder module in place of the built one (not modelled)",
            nullable=True),
    )

    def batch_first_of(self, a) -> bool:
        return a.batch_first

    def parts(self, a) -> tuple[Args, Args]:
        """The encoder's and decoder's arguments, as nn.Transformer builds them (final norms included)."""
        if a.custom_encoder is not None or a.custom_decoder is not None:
            raise ShapeError("custom_encoder / custom_decoder replace the modules nn.Transformer builds",
                             "write the encoder and decoder as their own layers (TransformerEncoder, "
                             "TransformerDecoder) instead of nn.Transformer")
        layer = {k: a.get(k) for k in ("d_model", "nhead", "dim_feedforward", "dropout", "activation",
                                       "layer_norm_eps", "batch_first", "norm_first", "bias")}
        norm = Part(LayerNorm(), defaults(LayerNorm(), normalized_shape=a.d_model, eps=a.layer_norm_eps,
                                          bias=a.bias))
        enc, dec = TransformerEncoder(), TransformerDecoder()
        enc_layer = Part(TransformerEncoderLayer(), defaults(TransformerEncoderLayer(), **layer))
        dec_layer = Part(TransformerDecoderLayer(), defaults(TransformerDecoderLayer(), **layer))
        return (defaults(enc, encoder_layer=enc_layer, num_layers=a.num_encoder_layers, norm=norm),
                defaults(dec, decoder_layer=dec_layer, num_layers=a.num_decoder_layers, norm=norm))

    def split(self, s):
        if not isinstance(s, list) or len(s) != 2:
            n = len(s) if isinstance(s, list) else 1
            raise ShapeError(f"{self.name} takes inputs [src, tgt], got {n} tensor(s)",
                             "write inputs: [src, tgt] (the source and the target sequences)")
        return s

    def output_shape(self, a, s):
        src, tgt = self.split(s)
        enc, dec = self.parts(a)
        memory = TransformerEncoder().output_shape(enc, src)
        return TransformerDecoder().output_shape(dec, [tgt, memory])

    def shape_rule(self, a, s, out):
        src, tgt = self.split(s)
        return (f"the encoder keeps the source's shape {fmt_shape(src)} (the memory); the decoder keeps the "
                f"target's, so the output is the target's shape: {fmt_shape(out)}.")

    def with_call(self, a, call):
        return a.replace(**{k: call.get(k) for k in ("src_is_causal", "tgt_is_causal", "memory_is_causal")})

    def check_call(self, a, s, out, call):
        src, tgt = self.split(s)
        enc, dec = self.parts(a)
        if a.get("src_is_causal") and call.get("src_mask") is None:
            raise ShapeError("src_is_causal is only a hint: torch's attention needs src_mask with it",
                             "add src_mask (True above the diagonal), or drop src_is_causal")
        (n, t) = (src[0], src[1]) if a.batch_first else (src[1], src[0])
        check_mask("src_mask", call.get("src_mask"), t, t, n, a.nhead, "S, S")
        check_padding("src_key_padding_mask", call.get("src_key_padding_mask"), n, t, "S")
        flags = {k: a.get(k) for k in ("tgt_is_causal", "memory_is_causal")}
        return TransformerDecoderLayer().check_call(dec.decoder_layer.args.replace(**flags), [tgt, src], out, call)

    def weights(self, a, s):
        src, tgt = self.split(s)
        enc, dec = self.parts(a)
        return ([replace_name(w, "encoder.") for w in TransformerEncoder().weights(enc, src)] +
                [replace_name(w, "decoder.") for w in TransformerDecoder().weights(dec, [tgt, src])])

    def formula(self, a, s):
        src, tgt = self.split(s)
        enc, dec = self.parts(a)
        e, d = TransformerEncoder().formula(enc, src), TransformerDecoder().formula(dec, [tgt, src])
        return Formula("encoder (num_encoder_layers × encoder layer + norm) + decoder (num_decoder_layers × "
                       "decoder layer + norm)", f"({e.numbers}) + ({d.numbers})", e.value + d.value)

    def macs(self, a, s, out):
        src, tgt = self.split(s)
        enc, dec = self.parts(a)
        return total_or_none((TransformerEncoder().macs(enc, src, src),
                              TransformerDecoder().macs(dec, [tgt, src], out)))

    def elementwise_ops(self, a, s, out):
        src, tgt = self.split(s)
        enc, dec = self.parts(a)
        return total_or_none((TransformerEncoder().elementwise_ops(enc, src, src),
                              TransformerDecoder().elementwise_ops(dec, [tgt, src], out)))

    def notes(self, a, s, out):
        d = a.d_model
        return [
            f"nn.Transformer builds TransformerEncoder(TransformerEncoderLayer(d_model={d}, nhead={a.nhead}, ...), "
            f"{a.num_encoder_layers}, norm=LayerNorm({d})) and TransformerDecoder(TransformerDecoderLayer(...), "
            f"{a.num_decoder_layers}, norm=LayerNorm({d})): both stacks end in a LayerNorm, whatever norm_first.",
            "forward(src, tgt): memory = encoder(src, src_mask, src_key_padding_mask); output = decoder(tgt, memory, "
            "tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask). It has no embedding and no "
            "positional encoding: those come before it, as does the Linear after it.",
            "state_dict names: encoder.layers.0.self_attn.in_proj_weight ... encoder.norm.weight, "
            "decoder.layers.0.multihead_attn.in_proj_weight ... decoder.norm.weight.",
            "Masks: bool True = not allowed; tgt_mask is usually the causal mask "
            "(nn.Transformer.generate_square_subsequent_mask(T)).",
        ]

    def keras_equivalent(self, a, s, out):
        return ("MultiHeadAttention, Dense and LayerNormalization layers", self.formula(a, s).value,
                "same count, built from Keras layers (Keras has no Transformer)")

    def forward(self, a, w, x, mask=None, src_mask=None, src_key_padding_mask=None, src_is_causal=None,
                tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                tgt_is_causal=None, memory_is_causal=False):
        enc, dec = self.parts(a)
        memory = TransformerEncoder().forward(enc, Prefixed(w, "encoder."), x[0], src_mask, src_key_padding_mask,
                                              src_is_causal)
        return TransformerDecoder().forward(dec, Prefixed(w, "decoder."), [x[1], memory], None, tgt_mask,
                                            memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                                            tgt_is_causal, memory_is_causal)
