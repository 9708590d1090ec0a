"""torch.nn.MultiheadAttention, and the attention maths the Transformer modules share.

It follows `torch/nn/modules/activation.py` and `F.multi_head_attention_forward`
(torch 2.x) with torch's names, defaults and `state_dict` names
(`in_proj_weight`, `out_proj.weight`); the Transformer modules
(`transformer_torch.py`) call `attend` for their attention blocks.

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

The reference forward is torch's eval() "slow path" (the maths); under
`torch.no_grad()` torch takes a fused fast path that gives the same numbers.

Cost convention (per sample): `macs` counts the four projections, the L·S
score products and the weighted sum (E each, over all heads).
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import Formula, WeightSpec, mult, total_or_none
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
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


def causal_mask(tq: int, ts: int):
    """Bool (L, S), True above the diagonal: step i sees keys j <= i (top-left aligned)."""
    return [[j > i for j in range(ts)] for i in range(tq)]


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
    returns = ("attn_output", "weights")  # torch returns the pair even with need_weights=False (weights None)
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

    def call_code(self, a, xs):
        return xs * 3 if len(xs) == 1 else xs  # self-attention: query, key and value are the same tensor

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

    def to_keras(self, a, s):
        """Keras's MultiHeadAttention(num_heads=h, key_dim=E/h) on (query, value, key): the same function with
        batch_first, no bias_k/bias_v, no zero step, no masks; weights per head (MultiHeadAttention's
        from_torch_weights)."""
        why = None
        if a.add_bias_kv or a.add_zero_attn:
            why = "add_bias_kv / add_zero_attn: Keras's MultiHeadAttention appends no learnt or zero key step"
        elif not a.batch_first:
            why = "batch_first: false reads (L, N, E); Keras reads the batch first"
        if why:
            raise NoEquivalent(why, "write add_bias_kv: false, add_zero_attn: false, batch_first: true")
        step = {"type": "MultiHeadAttention", "num_heads": a.num_heads, "key_dim": a.embed_dim // a.num_heads,
                "$name": "", "$from": "", "inputs": ["$in[0]", "$in[2]", "$in[1]"]}
        if not a.bias:
            step["use_bias"] = False
        if a.dropout:
            step["dropout"] = a.dropout
        # torch's default weights are averaged over the heads: Keras has none (refused where read, see translate)
        per_head = a.get("need_weights", True) and not a.get("average_attn_weights", True)
        if per_head:
            step["call"] = {"return_attention_scores": True}
        return Equivalent((step,), outputs=("$0[0]", "$0[1]") if per_head else ("$0",))

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
