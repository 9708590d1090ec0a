"""Keras's dot-product and additive attention: Attention and AdditiveAttention.

Each follows `keras/src/layers/attention/attention.py` and
`additive_attention.py` in Keras 3.15. They take `inputs: [query, value]` or
`[query, value, key]` (see `attention_base.AttentionCall`); neither projects
its inputs, so query and key must have one width.

Notation: B batch, Tq the query's steps, Tv the value's (and key's) steps.

Cost convention (per sample, batch excluded): `macs` counts the Tq·Tv score
products and the weighted sum of the values; `elementwise_ops` counts the
scaling, the softmax (3 per score) and, for the concat/additive scores, the
tanh terms.
"""

from __future__ import annotations

from math import tanh

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.attention_base import AttentionCall, and_masks, causal, softmax_masked
from lstmcalc.layers.base import Formula, WeightSpec, mult
from lstmcalc.layers.equivalent import NoEquivalent
from lstmcalc.run.tensor import dot
from lstmcalc.shapes import fmt_shape


class Attention(AttentionCall):
    """Luong-style (dot-product) attention. For each query step, a score against
    every key step, softmax over the Tv steps, then the weighted sum of the
    value steps: query (B, Tq, dim), value (B, Tv, dv), key (B, Tv, dim)
    give (B, Tq, dv); the scores are (B, Tq, Tv)."""

    name, auto_name = "Attention", "attention"
    args = (
        Arg("use_scale", "bool", False, "learn a scalar `scale` that multiplies the scores", structural=True),
        Arg("score_mode", "choice", "dot", "dot: q·k; concat: w·Σ tanh(q + k) (learns concat_score_weight)",
            choices=("dot", "concat"), structural=True),
        Arg("dropout", "float", 0.0, "dropout on the attention weights while training", minimum=0, maximum=1),
        Arg("seed", "int", None, "seed of the dropout"),
    )

    def output_shape(self, a, s):
        q, v, k = self.split(s)
        for what, x in (("query", q), ("value", v), ("key", k)):
            if len(x) != 3:
                raise ShapeError(f"{self.name} needs 3-D tensors (batch, steps, features); {what} is {fmt_shape(x)}",
                                 "feed it sequences, e.g. an LSTM with return_sequences: true")
        if q[-1] != k[-1]:
            raise ShapeError(f"{self.name} compares query and key feature by feature, but the query has {q[-1]} "
                             f"features and the key {k[-1]} (Keras builds this and fails on data)",
                             "give query and key the same width (a Dense before one of them), or use "
                             "MultiHeadAttention, which projects them")
        if None not in (v[1], k[1]) and v[1] != k[1]:
            raise ShapeError(f"value has {v[1]} steps and key {k[1]}: each key step scores one value step "
                             "(Keras builds this and fails on data)", "give value and key the same length")
        out = (q[0], q[1], v[2])
        return [out, (q[0], q[1], k[1])] if self.scores(a) else out

    @staticmethod
    def scores(a):
        return a.get("return_attention_scores", False)

    def shape_rule(self, a, s, out):
        q, v, k = self.split(s)
        text = (f"one output step per query step ({q[1]}), each a weighted sum of value vectors of width {v[2]}: "
                f"{fmt_shape(out[0] if isinstance(out, list) else out)}.")
        return text + (f" The scores are (batch, Tq, Tv) = {fmt_shape(out[1])}." if isinstance(out, list) else "")

    def weights(self, a, s):
        w = []
        if a.use_scale:
            w.append(WeightSpec("scale", (), doc="multiplies the scores"))
        if a.score_mode == "concat":
            w.append(WeightSpec("concat_score_weight", (), doc="multiplies Σ tanh(q + k)"))
        return w

    def formula(self, a, s):
        n = len(self.weights(a, s))
        sym = " + ".join(["use_scale"] * bool(a.use_scale) + ["concat_score_weight"] * (a.score_mode == "concat"))
        return Formula(sym or "0", " + ".join(["1"] * n) or "0", n)

    def macs(self, a, s, out):
        q, v, _ = self.split(s)
        return mult(q[1], (s[2] if len(s) == 3 else v)[1], q[2] + v[2])

    def elementwise_ops(self, a, s, out):
        q, v, _ = self.split(s)
        return mult(q[1], v[1], 3 + (q[2] if a.score_mode == "concat" else 0))

    def notes(self, a, s, out):
        q, v, k = self.split(s)
        score = ("score(i, j) = q_i · k_j" if a.get("score_mode") == "dot" else "score(i, j) = w · Σ tanh(q_i + k_j)")
        return [
            f"{score}{' × scale' if a.use_scale and a.get('score_mode') == 'dot' else ''}; weights = softmax over the "
            f"{v[1]} value steps; output_i = Σ_j weight(i, j) · v_j.",
            f"No projection matrices: query and key are compared as they are, so they need the same width "
            f"({q[2]}). That is why Attention has {len(self.weights(a, s))} parameter(s) while MultiHeadAttention, "
            "which first projects query, key and value per head and projects the result back, has thousands.",
            "Masks: a value mask hides value steps (their scores lose 1e9 before the softmax); a query mask zeroes "
            "the output at masked query steps and is passed on.",
            "use_causal_mask: step i attends to steps j <= i (top-left aligned when Tq != Tv, as Keras does).",
        ]

    def to_pytorch(self, a, s):
        raise NoEquivalent(f"torch.nn has no attention module without projections ({self.name} compares the raw "
                           "query and key)", "write it with torch.softmax(q @ k.transpose(1, 2)) @ v by hand")

    def pair_score(self, a, w, qi, kj):
        if a.score_mode == "dot":
            s = dot(qi, kj)
            return s * w["scale"] if a.use_scale else s
        scale = w["scale"] if a.use_scale else 1.0
        return w["concat_score_weight"] * sum(tanh(scale * (x + y)) for x, y in zip(qi, kj))

    def forward(self, a, w, x, mask=None, return_attention_scores=False, use_causal_mask=False, training=None):
        q, v = x[0], x[1]
        k = x[2] if len(x) == 3 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask and len(mask) > 1 else None
        outs, weights = [], []
        for b in range(len(q)):
            keep = and_masks(causal(len(q[b]), len(k[b])) if use_causal_mask else None,
                             [list(v_mask[b])] * len(q[b]) if v_mask is not None else None)
            rows = []
            for i, qi in enumerate(q[b]):
                row = [self.pair_score(a, w, qi, kj) for kj in k[b]]
                rows.append(softmax_masked(row, keep[i] if keep else None, subtract=True))
            o = [[dot(r, [vj[c] for vj in v[b]]) for c in range(len(v[b][0]))] for r in rows]  # (Tq, dv)
            if q_mask is not None:
                o = [oi if q_mask[b][i] else [0.0] * len(oi) for i, oi in enumerate(o)]
            outs.append(o)
            weights.append(rows)
        return [outs, weights] if return_attention_scores else outs


class AdditiveAttention(Attention):
    """Bahdanau-style attention: score(i, j) = Σ_d scale_d · tanh(q_id + k_jd),
    then softmax over the Tv steps and the weighted sum of the values, as
    Attention: (B, Tq, dim) and (B, Tv, dv) give (B, Tq, dv)."""

    name, auto_name = "AdditiveAttention", "additive_attention"
    args = (
        Arg("use_scale", "bool", True, "learn a vector `scale` (dim) that weighs the tanh terms", structural=True),
        Arg("dropout", "float", 0.0, "dropout on the attention weights while training", minimum=0, maximum=1),
    )

    def weights(self, a, s):
        return [WeightSpec("scale", (s[0][-1],), doc="weighs each feature's tanh(q + k)")] if a.use_scale else []

    def formula(self, a, s):
        d = s[0][-1]
        return Formula("dim (use_scale)", str(d), d) if a.use_scale else Formula("0", "0", 0)

    def elementwise_ops(self, a, s, out):
        q, v, _ = self.split(s)
        return mult(q[1], v[1], 3 + 2 * q[2])

    def notes(self, a, s, out):
        d = s[0][-1]
        return [f"score(i, j) = Σ_d scale_d · tanh(q_i,d + k_j,d) over the {d} features (Bahdanau's additive "
                "score without its projection matrices: Keras leaves those to Dense layers before it).",
                *super().notes(a, s, out)[1:]]

    def pair_score(self, a, w, qi, kj):
        scale = w["scale"] if a.use_scale else [1.0] * len(qi)
        return dot(scale, [tanh(x + y) for x, y in zip(qi, kj)])
