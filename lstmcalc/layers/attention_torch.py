"""torch.nn attention modules: MultiheadAttention, TransformerEncoderLayer and TransformerEncoder.

Each follows `torch/nn/modules/activation.py` and `transformer.py` (torch 2.x)
with torch's names, defaults and `state_dict` names (`in_proj_weight`,
`out_proj.weight`, `layers.0.self_attn.in_proj_weight`, `layers.0.linear1.weight`).

MultiheadAttention takes torch's order, `inputs: [query, key, value]`; one
tensor (or none, in a chain) is self-attention. It returns (output, weights):
`mha[0]` is the row's shape, `mha[1]` the attention weights (with
`need_weights`, torch's default). With `batch_first: false` (the default)
tensors are (L, N, E): sequence first.

Notation: N batch, L the query's steps, S the key's (and value's) steps, E
embed_dim, h heads, E/h the head size.

Masks as torch reads them: a bool mask is True where attention is NOT
allowed (−inf added to the score); a float mask is added to the score.
`key_padding_mask` (N, S) hides key steps; `attn_mask` (L, S) or (N·h, L, S)
hides (query, key) pairs. A row with every key masked gives NaN, as in torch.

The reference forward is torch's eval() "slow path" (the maths): with
`torch.no_grad()`, torch takes a fused fast path that gives the same numbers,
except that TransformerEncoder given a `src_key_padding_mask` returns zeros at
the padded positions (it runs on nested tensors); see `notes`.

Cost convention (per sample): `macs` counts the four projections, the L·S
score products and the weighted sum (E each, over all heads) and, for the
encoder layer, the two feed-forward products.
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, mult, need_known, total_or_none
from lstmcalc.layers.torch_base import TorchModule
from lstmcalc.run.tensor import add, dot, matvec, transpose
from lstmcalc.shapes import fmt_shape

NEG_INF = float("-inf")


# -- the maths, on one batch-first sample -----------------------------------------------------


def linear(x, weight, bias):
    """x (T, in) → (T, out), weight (out, in)."""
    return [add(matvec(weight, v), bias) if bias is not None else matvec(weight, v) for v in x]


def additive(mask, rows: int, cols: int):
    """A torch mask as numbers added to the scores: bool True → −inf, float as it is, None → zeros."""
    if mask is None:
        return [[0.0] * cols for _ in range(rows)]
    return [[(NEG_INF if e else 0.0) if isinstance(e, bool) else float(e) for e in row] for row in mask]


def softmax_row(z):
    top = max(z)
    if top == NEG_INF:  # every key masked: torch's softmax gives NaN
        return [math.nan] * len(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


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


def causal_mask(tq: int, ts: int):
    """Bool (L, S), True above the diagonal: step i sees keys j <= i (top-left aligned)."""
    return [[j > i for j in range(ts)] for i in range(tq)]


class Prefixed:
    """A view of a module's weights under a prefix (`layers.0.`): nested modules read their own names."""

    def __init__(self, w, prefix: str):
        self.w, self.prefix = w, prefix

    def __getitem__(self, name):
        return self.w[self.prefix + name]


# -- MultiheadAttention ------------------------------------------------------------------------


def mha_args() -> tuple[Arg, ...]:
    return (
        Arg("embed_dim", "int", doc="E: width of the query and of the output (written, not inferred)", minimum=1,
            structural=True),
        Arg("num_heads", "int", doc="h: heads; E is split into h heads of E/h", minimum=1, structural=True),
        Arg("dropout", "float", 0.0, "dropout on the attention weights (training only)", minimum=0, maximum=1),
        Arg("bias", "bool", True, "in_proj_bias (3E) and out_proj.bias (E)", structural=True),
        Arg("add_bias_kv", "bool", False, "learn bias_k and bias_v (1, 1, E), appended as one more key step",
            structural=True),
        Arg("add_zero_attn", "bool", False, "append a step of zeros to the keys and values", structural=True),
        Arg("kdim", "int", None, "key width (default E)", minimum=1, nullable=True, structural=True),
        Arg("vdim", "int", None, "value width (default E)", minimum=1, nullable=True, structural=True),
        Arg("batch_first", "bool", False, "true: (N, L, E); false: (L, N, E)", structural=True),
    )


class MultiheadAttention(TorchModule):
    """nn.MultiheadAttention: scaled dot-product attention in h heads. The query
    (L, N, E), key (S, N, kdim) and value (S, N, vdim) are projected to E
    (in_proj), split into h heads of E/h, each head scores every query step
    against every key step (q·k / √(E/h)), softmax over the keys, sums the
    values; the heads are joined and projected by out_proj: (L, N, E). It
    returns (output, weights), the weights (N, L, S) averaged over the heads,
    or (N, h, L, S) with average_attn_weights: false."""

    name, auto_name, torch_name = "MultiheadAttention", "multihead_attention", "nn.MultiheadAttention"
    code_positional = ("embed_dim", "num_heads")
    accepts_list = True  # inputs: [query, key, value], or one tensor for self-attention
    call_args = ("need_weights", "average_attn_weights", "is_causal", "attn_mask", "key_padding_mask")
    uses_context = True  # the forward pass leaves the weights (mha[1]) in the context
    args = mha_args()

    # -- sizes ------------------------------------------------------------------------------------
    @staticmethod
    def dims(a) -> tuple[int, int, int]:
        e = a.embed_dim
        return e, a.kdim or e, a.vdim or e

    @staticmethod
    def same_dims(a) -> bool:
        """torch's _qkv_same_embed_dim: one in_proj_weight, else q/k/v_proj_weight."""
        e = a.embed_dim
        return (a.kdim or e) == e and (a.vdim or e) == e

    def batch_first_of(self, a) -> bool:
        return a.batch_first

    def split(self, s):
        if isinstance(s, list):
            if len(s) != 3:
                raise ShapeError(f"{self.name} takes inputs [query, key, value], got {len(s)} tensor(s)",
                                 "write inputs: [q, k, v], or one tensor for self-attention")
            return s
        return [s, s, s]

    def with_call(self, a, call):
        return a.replace(need_weights=call.get("need_weights", True),
                         average_attn_weights=call.get("average_attn_weights", True),
                         is_causal=call.get("is_causal", False))

    def output_shape(self, a, s):
        q, k, v = self.split(s)
        e, kd, vd = self.dims(a)
        if e % a.num_heads:
            raise ShapeError(f"embed_dim {e} is not divisible by num_heads {a.num_heads}: each head takes E/h",
                             "pick num_heads that divides embed_dim")
        for what, x, want in (("query", q, e), ("key", k, kd), ("value", v, vd)):
            if len(x) != 3:
                raise ShapeError(f"{self.name} reads 3-D tensors ((L, N, E), or (N, L, E) with batch_first); "
                                 f"the {what} is {fmt_shape(x)}", "give it a batch and a sequence axis")
            if x[2] is not None and x[2] != want:
                arg = {"query": "embed_dim", "key": "kdim", "value": "vdim"}[what]
                raise ShapeError(f"the {what} has {x[2]} features but {arg} is {want}",
                                 f"write {arg}: {x[2]}")
        n_ax = 0 if a.batch_first else 1
        t_ax = 1 - n_ax
        if k[t_ax] is not None and v[t_ax] is not None and k[t_ax] != v[t_ax]:
            raise ShapeError(f"key has {k[t_ax]} steps and value {v[t_ax]}: each key step weighs one value step",
                             "give key and value the same length")
        if len({d for d in (q[n_ax], k[n_ax], v[n_ax]) if d is not None}) > 1:
            raise ShapeError(f"query, key and value have different batch sizes: {fmt_shape(q)}, {fmt_shape(k)}, "
                             f"{fmt_shape(v)}", "batch_first decides which axis is the batch")
        return q

    def lengths(self, a, s):
        """(N, L, S) where S counts bias_k and the zero step."""
        q, k, _ = self.split(s)
        n_ax = 0 if a.batch_first else 1
        steps = k[1 - n_ax]
        extra = int(a.add_bias_kv) + int(a.add_zero_attn)
        return q[n_ax], q[1 - n_ax], None if steps is None else steps + extra

    def weights_shape(self, a, s):
        n, tq, ts = self.lengths(a, s)
        return (n, tq, ts) if a.get("average_attn_weights", True) else (n, a.num_heads, tq, ts)

    def reference_outputs(self, a, s, out):
        return [out, self.weights_shape(a, s)] if a.get("need_weights", True) else [out]

    def reference_values(self, a, y, context, out):
        return [y, context["attn_weights"]] if a.get("need_weights", True) else [y]

    def output_names(self, a, out):
        names = ["attn_output: (L, N, E), or (N, L, E) with batch_first"]
        if a.get("need_weights", True):
            per = ("averaged over the heads (N, L, S)" if a.get("average_attn_weights", True) else
                   "per head (N, h, L, S)")
            names.append(f"attn_output_weights: the softmax weights, {per}")
        return names

    def shape_rule(self, a, s, out):
        layout = "(N, L, E)" if a.batch_first else "(L, N, E)"
        text = (f"one output step per query step, E = embed_dim {a.embed_dim} wide whatever kdim and vdim are "
                f"(out_proj maps back to E): {layout} = {fmt_shape(out)}.")
        if a.get("need_weights", True):
            extra = " (S counts the bias_k / zero step)" if a.add_bias_kv or a.add_zero_attn else ""
            text += (f" The weights are {fmt_shape(self.weights_shape(a, s))}{extra}, batch first whatever "
                     "batch_first says.")
        return text

    def check_call(self, a, s, out, call):
        n, tq, ts = self.lengths(a, s)
        raw_s = None if ts is None else ts - int(a.add_bias_kv) - int(a.add_zero_attn)
        kpm = call.get("key_padding_mask")
        if kpm is not None and (len(kpm) != 2 or not fits(kpm, (n, raw_s))):
            raise ShapeError(f"key_padding_mask is {fmt_shape(kpm)} but {self.name} expects (N, S) = "
                             f"{fmt_shape((n, raw_s))}", "one flag per batch item and key step, True = ignore")
        m = call.get("attn_mask")
        if m is not None:
            want2, want3 = (tq, raw_s), (mult(n, a.num_heads), tq, raw_s)
            if not (len(m) == 2 and fits(m, want2) or len(m) == 3 and fits(m, want3)):
                raise ShapeError(f"attn_mask is {fmt_shape(m)} but {self.name} expects (L, S) = {fmt_shape(want2)} "
                                 f"or (N·num_heads, L, S) = {fmt_shape(want3)}",
                                 "give one flag per (query step, key step); True = not allowed")
        if a.get("is_causal") and m is None:
            raise ShapeError("is_causal is only a hint in nn.MultiheadAttention: torch needs attn_mask with it",
                             "add attn_mask (a causal (L, S) mask), or drop is_causal")
        return []

    # -- weights -----------------------------------------------------------------------------------
    def weights(self, a, s):
        e, kd, vd = self.dims(a)
        if self.same_dims(a):
            ws = [WeightSpec("in_proj_weight", (3 * e, e), doc="W_q, W_k, W_v stacked: (3E, E)")]
        else:
            ws = [WeightSpec("q_proj_weight", (e, e), doc="query → E"),
                  WeightSpec("k_proj_weight", (e, kd), doc="key (kdim) → E"),
                  WeightSpec("v_proj_weight", (e, vd), doc="value (vdim) → E")]
        if a.bias:
            ws.append(WeightSpec("in_proj_bias", (3 * e,), doc="b_q, b_k, b_v stacked (one vector)"))
        if a.add_bias_kv:
            ws += [WeightSpec("bias_k", (1, 1, e), doc="one more key step, learnt"),
                   WeightSpec("bias_v", (1, 1, e), doc="one more value step, learnt")]
        ws.append(WeightSpec("out_proj.weight", (e, e), doc="the joined heads → E"))
        if a.bias:
            ws.append(WeightSpec("out_proj.bias", (e,), doc="added after out_proj"))
        return ws

    def formula(self, a, s):
        e, kd, vd = self.dims(a)
        b = 4 * e if a.bias else 0
        kv = 2 * e if a.add_bias_kv else 0
        value = e * (e + kd + vd) + e * e + b + kv
        if self.same_dims(a):
            sym, nums = "3E × E + E × E", f"3×{e} × {e} + {e} × {e}"
        else:
            sym, nums = "E × (E + kdim + vdim) + E × E", f"{e} × ({e} + {kd} + {vd}) + {e} × {e}"
        if a.bias:
            sym, nums = sym + " + 3E + E", nums + f" + 3×{e} + {e}"
        if a.add_bias_kv:
            sym, nums = sym + " + 2E (bias_k, bias_v)", nums + f" + 2×{e}"
        return Formula(f"{sym}   (in_proj, out_proj)", nums, value)

    def macs(self, a, s, out):
        _, tq, ts = self.lengths(a, s)
        e, kd, vd = self.dims(a)
        # query and out projections, key and value projections, scores and weighted sums over all heads
        return total_or_none((mult(tq, e, 2 * e), mult(self.key_steps(a, s), e, kd + vd), mult(tq, ts, 2 * e)))

    def key_steps(self, a, s):
        k = self.split(s)[1]
        return k[1] if a.batch_first else k[0]

    def elementwise_ops(self, a, s, out):
        _, tq, ts = self.lengths(a, s)
        return mult(a.num_heads, tq, ts, 3)

    # -- explain -----------------------------------------------------------------------------------
    def notes(self, a, s, out):
        e, kd, vd = self.dims(a)
        h = a.num_heads
        hd = e // h if e % h == 0 else e / h
        lines = [
            f"A head is one independent attention over E/h = {hd} of the E = {e} projected features: its own "
            f"scores and softmax. The {h} heads share in_proj (their rows are consecutive E/h-row blocks of it); "
            "out_proj joins them.",
            f"score(i, j) = (W_q q_i)·(W_k k_j) / √{hd} per head; weights = softmax over the key steps; "
            "output_i = W_o [Σ_j weight(i, j) · W_v v_j for each head].",
            ("in_proj_weight (3E, E) holds W_q, W_k, W_v stacked, because query, key and value are all E wide." if
             self.same_dims(a) else
             f"kdim {kd} / vdim {vd} differ from E: torch keeps q_proj_weight (E, E), k_proj_weight (E, kdim) and "
             "v_proj_weight (E, vdim) instead of one in_proj_weight, and in_proj_bias (3E) stays one vector."),
            "Keras's MultiHeadAttention(num_heads=h, key_dim=E/h) has the same count but keeps kernels per head: "
            "query/key/value kernels (d, h, E/h) and an output kernel (h, E/h, E); torch keeps one in_proj "
            "(3E, E) and out_proj (E, E). Keras takes [query, value, key]; torch (query, key, value).",
        ]
        if a.add_bias_kv:
            lines.append("add_bias_kv: bias_k and bias_v (1, 1, E) are appended as one more key/value step (S + 1) "
                         "that every query can attend to; they add 2E parameters Keras has no counterpart for.")
        if a.add_zero_attn:
            lines.append("add_zero_attn: a step of zeros is appended to the keys and values after the projection "
                         "(S + 1): a query can put weight on 'nothing'. No parameters.")
        lines.append("Masks: bool True means 'not allowed' (the opposite of Keras's attention_mask, where True "
                     "means attend); a float mask is added to the scores. is_causal is only a hint: torch needs "
                     "attn_mask with it, and when it can use the hint (no key_padding_mask, need_weights false) "
                     "it applies its own causal mask instead of the one given.")
        lines.append("need_weights (default true) makes torch return the weights (mha[1]); false returns None "
                     "there and lets torch use its fused kernel (same numbers).")
        return lines

    def keras_equivalent(self, a, s, out):
        e, kd, vd = self.dims(a)
        if a.add_bias_kv or a.add_zero_attn:
            return ("MultiHeadAttention", None, "Keras has no bias_k/bias_v or zero attention step")
        return (f"MultiHeadAttention(num_heads={a.num_heads}, key_dim={e // a.num_heads})", self.formula(a, s).value,
                "same count, other layout: Keras keeps per-head kernels (d, h, E/h) for query, key and value and "
                "an output kernel (h, E/h, E); torch one in_proj (3E, E) (or q/k/v_proj_weight) and out_proj (E, E)")

    # -- forward -----------------------------------------------------------------------------------
    def forward(self, a, w, x, mask=None, context=None, need_weights=True, average_attn_weights=True,
                is_causal=False, attn_mask=None, key_padding_mask=None):
        q, k, v = x if isinstance(x[0][0][0], list) else (x, x, x)
        if not a.batch_first:
            q, k, v = transpose(q), transpose(k), transpose(v)  # (N, T, E)
        out, weights = attend(a, w, q, k, v, attn_mask, key_padding_mask, need_weights, average_attn_weights,
                              is_causal)
        if context is not None:
            context["attn_weights"] = weights  # mha[1], batch first whatever batch_first says
        return out if a.batch_first else transpose(out)


def fits(shape, want) -> bool:
    return len(shape) == len(want) and all(g is None or w is None or g == w for g, w in zip(shape, want))


def attend(a, w, q, k, v, attn_mask, key_padding_mask, need_weights, average, is_causal):
    """torch's F.multi_head_attention_forward on batch-first lists: (output (N, L, E), weights or None)."""
    e, h = a.embed_dim, a.num_heads
    hd = e // h
    if MultiheadAttention.same_dims(a):
        rows = w["in_proj_weight"]
        wq, wk, wv = rows[:e], rows[e:2 * e], rows[2 * e:]
    else:
        wq, wk, wv = w["q_proj_weight"], w["k_proj_weight"], w["v_proj_weight"]
    bq = bk = bv = None
    if a.bias:
        b = w["in_proj_bias"]
        bq, bk, bv = b[:e], b[e:2 * e], b[2 * e:]
    bias_k = w["bias_k"][0][0] if a.add_bias_kv else None
    bias_v = w["bias_v"][0][0] if a.add_bias_kv else None
    wo = w["out_proj.weight"]
    bo = w["out_proj.bias"] if a.bias else None
    # the is_causal hint replaces attn_mask where torch can use it (F.multi_head_attention_forward)
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = "causal"
    outs, all_weights = [], []
    for n in range(len(q)):
        pq, pk, pv = linear(q[n], wq, bq), linear(k[n], wk, bk), linear(v[n], wv, bv)  # (L, E), (S, E), (S, E)
        tq, ts = len(pq), len(pk)
        if bias_k is not None:
            pk, pv = pk + [list(bias_k)], pv + [list(bias_v)]
        if a.add_zero_attn:
            pk, pv = pk + [[0.0] * e], pv + [[0.0] * e]
        extra = len(pk) - ts
        kpm = additive([key_padding_mask[n]] if key_padding_mask is not None else None, 1, ts)[0] + [0.0] * extra
        head_weights, ctx = [], [[0.0] * e for _ in range(tq)]
        for u in range(h):
            if attn_mask == "causal":
                m = additive(causal_mask(tq, ts), tq, ts)
            elif attn_mask is not None and len(attn_mask) == tq and not isinstance(attn_mask[0][0], list):
                m = additive(attn_mask, tq, ts)
            else:
                m = additive(attn_mask[n * h + u] if attn_mask is not None else None, tq, ts)
            sl = slice(u * hd, (u + 1) * hd)
            p_rows = []
            for i in range(tq):
                qi = pq[i][sl]
                z = [dot(qi, kj[sl]) / math.sqrt(hd) + mv + pm for kj, mv, pm in zip(pk, m[i] + [0.0] * extra, kpm)]
                p = softmax_row(z)
                p_rows.append(p)
                for c in range(hd):
                    ctx[i][u * hd + c] = dot(p, [vj[u * hd + c] for vj in pv])
            head_weights.append(p_rows)
        outs.append(linear(ctx, wo, bo))
        if average:
            all_weights.append([[sum(hw[i][j] for hw in head_weights) / h for j in range(len(pk))]
                                for i in range(tq)])
        else:
            all_weights.append(head_weights)
    return outs, (all_weights if need_weights else None)


# -- TransformerEncoderLayer / TransformerEncoder ------------------------------------------------------


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
        from lstmcalc.layers.args import Args

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
