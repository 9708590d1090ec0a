"""Keras's multi-head attention: MultiHeadAttention and GroupedQueryAttention.

Each follows `keras/src/layers/attention/multi_head_attention.py` and
`grouped_query_attention.py` in Keras 3.15. They take `inputs: [query, value]`
or `[query, value, key]` (see `attention_base.AttentionCall`) and also
`attention_mask` in `call:`.

Notation: B batch, Tq the query's steps, Tv the value's (and key's) steps,
N heads, K key_dim (per head), V value_dim (per head).

Cost convention (per sample, batch excluded): `macs` counts the projections'
multiply-adds, the Tq·Tv score products (per head, K each) and the weighted
sum of the values (Tq·Tv per head and value width); `elementwise_ops` counts
the softmax (3 per score).
"""

from __future__ import annotations

from itertools import product
from math import exp, prod, sqrt

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, weight_args
from lstmcalc.layers.attention_base import AttentionCall, KerasMask, and_masks, causal, softmax_masked
from lstmcalc.layers.base import Formula, WeightSpec, mult
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.run.tensor import dot, flatten, reshape, shape_of
from lstmcalc.shapes import fmt_shape


def project(x, kernel, bias):
    """x (B, ..., D) times kernel (D, N, H) plus bias (N, H): (B, ..., N, H) (Keras's EinsumDense)."""
    if not isinstance(x[0], list):
        return [[dot(x, [row[n][h] for row in kernel]) + (bias[n][h] if bias else 0.0)
                 for h in range(len(kernel[0][0]))] for n in range(len(kernel[0]))]
    return [project(v, kernel, bias) for v in x]


def at(x, idx):
    for i in idx:
        x = x[i]
    return x


class MultiHeadAttention(AttentionCall):
    """Scaled dot-product attention in N heads. Each head projects the query to
    K values per step, the key to K and the value to V (its own kernels), scores
    every query step against every key step (q·k / √K), softmax over the key
    steps, sums the projected values; the heads' results are projected back to
    the query's width (or output_shape). query (B, Tq, dq), value (B, Tv, dv),
    key (B, Tv, dk) give (B, Tq, dq); the scores are (B, N, Tq, Tv)."""

    name, auto_name = "MultiHeadAttention", "multi_head_attention"
    list_positional = True  # call(query, value, key)
    call_args = ("key", "attention_mask", "return_attention_scores", "use_causal_mask", "training")
    creates = ("softmax", "dropout")
    args = (
        Arg("num_heads", "int", doc="number of attention heads", minimum=1, structural=True),
        Arg("key_dim", "int", doc="size of each head's query and key projection", minimum=1, structural=True),
        Arg("value_dim", "int", None, "size of each head's value projection (default key_dim)", minimum=1,
            structural=True),
        Arg("dropout", "float", 0.0, "dropout on the attention weights while training", minimum=0, maximum=1),
        Arg("use_bias", "bool", True, "the projections add biases", structural=True),
        Arg("output_shape", "axis", None, "the output's last axes (default: the query's width)", structural=True),
        Arg("attention_axes", "axis", None, "axes attention runs over (default: all but batch, heads, features)",
            structural=True),
        Arg("sliding_window", "int", None, "attend only within sliding_window - 1 steps either side", minimum=1),
        Arg("flash_attention", "bool", None, "use the backend's fused kernel (same values)"),
        *weight_args(kernel="glorot_uniform", bias="zeros"),
        Arg("use_gate", "bool", False, "gate the heads' result with sigmoid(query projection)", structural=True),
        Arg("seed", "int", None, "seed of the dropout"),
    )

    def heads(self, a):
        return a.num_heads, a.key_dim, a.value_dim or a.key_dim

    def out_dims(self, a, q) -> tuple:
        o = a.output_shape
        return (q[-1],) if not o else ((o,) if isinstance(o, int) else tuple(o))

    def axes(self, a, q) -> tuple:
        """The attention axes, non-negative (Keras counts a negative one on the projected rank, rank + 1)."""
        r = len(q)
        given = a.attention_axes
        if given is None:
            return tuple(range(1, r - 1))
        given = (given,) if isinstance(given, int) else tuple(given)
        out = tuple(ax if ax >= 0 else r + ax for ax in given)
        for ax in out:
            if not 1 <= ax <= r - 2:
                raise ShapeError(f"attention_axes {list(given)} gives axis {ax}, which is not a step axis of "
                                 f"{fmt_shape(q)}", f"use axes from 1 to {r - 2}")
        return out

    def output_shape(self, a, s):
        q, v, k = self.split(s)
        if len(q) < 3:
            raise ShapeError(f"{self.name} needs (batch, steps, features) or more axes; the query is {fmt_shape(q)}",
                             "feed it sequences (return_sequences: true), or Reshape to (1, features)")
        if v[1:-1] != k[1:-1]:
            raise ShapeError(f"value {fmt_shape(v)} and key {fmt_shape(k)} must agree on every axis but the last",
                             "give value and key the same length")
        if len(v) != len(q):
            raise ShapeError(f"query {fmt_shape(q)} and value {fmt_shape(v)} must have the same rank")
        axes = self.axes(a, q)
        rest = [ax for ax in range(1, len(q) - 1) if ax not in axes]
        if any(None not in (q[ax], v[ax]) and q[ax] != v[ax] for ax in rest):
            raise ShapeError(f"query {fmt_shape(q)} and value {fmt_shape(v)} differ on an axis attention does not run "
                             "over (Keras builds this and fails on data)", "add that axis to attention_axes")
        out = q[:-1] + self.out_dims(a, q)
        if not a.get("return_attention_scores"):
            return out
        n = self.heads(a)[0]
        return [out, (q[0], *(q[ax] for ax in rest), n, *(q[ax] for ax in axes), *(k[ax] for ax in axes))]

    def shape_rule(self, a, s, out):
        q = s[0]
        first = out[0] if isinstance(out, list) else out
        text = (f"the output keeps the query's steps {fmt_shape(q[:-1])} and ends in "
                f"{'output_shape' if a.get('output_shape') else 'the query width'} {list(self.out_dims(a, q))}: "
                f"{fmt_shape(first)}.")
        if isinstance(out, list):
            text += (f" The scores are (batch, heads, Tq, Tv) = {fmt_shape(out[1])}; Keras 3.15's summary prints "
                     f"(batch, heads, Tq, Tq) = {fmt_shape(q[:1] + (self.heads(a)[0], q[1], q[1]))}, which is "
                     "wrong whenever Tv != Tq (running returns Tv).")
        return text

    def projections(self, a, s):
        """(name, input width, trailing shape) of each projection, in Keras's order."""
        q, v, k = self.split(s)
        n, kd, vd = self.heads(a)
        out = [("query", q[-1], (n, kd)), ("key", k[-1], (n, kd))]
        if a.use_gate:
            out.append(("gate", q[-1], (n, vd)))
        return out + [("value", v[-1], (n, vd))]

    def weights(self, a, s):
        n, _, vd = self.heads(a)
        w = []
        for name, d, tail in self.projections(a, s):
            w.append(WeightSpec(f"{name}/kernel", (d, *tail), doc=f"{name} projection, per head"))
            if a.use_bias:
                w.append(WeightSpec(f"{name}/bias", tail))
        od = self.out_dims(a, s[0])
        w.append(WeightSpec("attention_output/kernel", (n, vd, *od), doc="the heads' results back to the output"))
        if a.use_bias:
            w.append(WeightSpec("attention_output/bias", od))
        return w

    def formula(self, a, s):
        n, _, vd = self.heads(a)
        od = prod(self.out_dims(a, s[0]))
        b = 1 if a.use_bias else 0
        parts = [(name, d, prod(tail)) for name, d, tail in self.projections(a, s)]
        sym = " + ".join(f"({name} d_{name[0]} + {b}) × N × {'V' if tail_v else 'K'}"
                         for name, _, _ in parts for tail_v in [name in ("value", "gate")])
        sym = (sym + " + N × V × d_out + d_out").replace(" + 0)", ")")
        nums = " + ".join(f"({d} + {b}) × {t}" for _, d, t in parts) + f" + {n} × {vd} × {od}"
        nums += f" + {od}" if b else ""
        value = sum((d + b) * t for _, d, t in parts) + n * vd * od + b * od
        return Formula(sym if b else sym.replace(" + d_out", ""), nums, value)

    def lengths(self, a, s):
        q, v, _ = self.split(s)
        axes = self.axes(a, q)
        rest = [ax for ax in range(1, len(q) - 1) if ax not in axes]
        return mult(*(q[ax] for ax in rest)), mult(*(q[ax] for ax in axes)), mult(*(v[ax] for ax in axes))

    def macs(self, a, s, out):
        q = s[0]
        n, kd, vd = self.heads(a)
        groups, tq, tv = self.lengths(a, s)
        steps = {"query": mult(*q[1:-1]), "gate": mult(*q[1:-1])}
        proj = [mult(steps.get(name, mult(groups, tv)), d, prod(t)) for name, d, t in self.projections(a, s)]
        attend = mult(groups, n, tq, tv, kd + vd)
        back = mult(*q[1:-1], n, vd, prod(self.out_dims(a, q)))
        return None if None in (*proj, attend, back) else sum(proj) + attend + back

    def elementwise_ops(self, a, s, out):
        groups, tq, tv = self.lengths(a, s)
        return mult(groups, self.heads(a)[0], tq, tv, 3)

    def notes(self, a, s, out):
        q, v, k = self.split(s)
        n, kd, vd = self.heads(a)
        return [
            f"A head is one independent attention: its own query/key kernels (d, {kd}) and value kernel (d, {vd}), "
            f"its own scores and softmax. {n} head(s) look at the sequence in {n} different learned ways at once; "
            "their results are joined by the output kernel.",
            f"score(i, j) = (W_q q_i) · (W_k k_j) / √{kd}, softmax over the key steps, then Σ_j weight · W_v v_j. "
            "Attention (no heads, no kernels) compares the raw vectors and so has almost no parameters; "
            "MultiHeadAttention learns the four projections, which is where its parameters are.",
            "Keras keeps the kernels per head, (d, heads, key_dim), and an output kernel (heads, value_dim, "
            "d_out); PyTorch's nn.MultiheadAttention keeps one in_proj (3·E, E) (or q/k/v_proj_weight when "
            "kdim/vdim differ) and out_proj, with E split into heads: key_dim = E / heads.",
            "Masks: the query's, value's and key's masks and attention_mask are ANDed into (B, Tq, Tv); a fully "
            "masked row of weights is all zero. The output keeps the query's mask.",
            *([f"Over more than one step axis Keras broadcasts the masks into the scores "
               f"{fmt_shape(self.scores_shape(a, q, v))} as numpy would: the query's mask gains an axis at -1, the "
               "value's at -2, the causal mask is (1, Tq, Tv) over axis 1 whatever attention_axes say, and the "
               "merged mask gains axes at -2·len(attention_axes) - 1; shapes that do not fit fail in Keras on data "
               "and are refused here."] if len(q) > 3 else []),
            f"Building it creates a Softmax and a Dropout inside: they take the automatic names "
            f"{' and '.join(self.creates)}, so a Dropout written after it is named dropout_1.",
        ]

    # -- the other framework ------------------------------------------------------------------------
    # where each projection's variables sit in a Keras 3 .weights.h5 (the sublayers' attribute names)
    keras_groups = (("query", "query_dense/vars"), ("key", "key_dense/vars"), ("value", "value_dense/vars"),
                    ("gate", "_gate_dense/vars"), ("attention_output", "output_dense/vars"))

    def to_pytorch(self, a, s):
        """nn.MultiheadAttention(E, heads, kdim, vdim, batch_first=True) where Keras's layer is one: 3-D inputs,
        heads · key_dim = E = the query's width, value_dim = key_dim, the output E wide, no gate, no sliding
        window, no causal mask (torch needs an explicit attn_mask tensor). Keras's [query, value, key] becomes
        torch's (query, key, value); return_attention_scores becomes need_weights with average_attn_weights
        false: the same (B, heads, Tq, Tv) weights."""
        q, v, k = self.split(s)
        n, kd, vd = self.heads(a)
        e = q[-1]
        why = None
        if len(q) != 3 or self.axes(a, q) != (1,):
            why = f"attention over {len(q) - 2} step axes: nn.MultiheadAttention attends over one sequence axis"
        elif n * kd != e:
            why = (f"num_heads × key_dim = {n} × {kd} = {n * kd} differs from the query width {e}: torch projects "
                   "the query to embed_dim = its own width, split into heads")
        elif vd != kd:
            why = f"value_dim {vd} differs from key_dim {kd}: torch's heads take E / heads of the value too"
        elif self.out_dims(a, q) != (e,):
            why = f"output_shape {list(self.out_dims(a, q))}: torch's out_proj maps back to embed_dim {e}"
        elif a.use_gate:
            why = "use_gate: torch has no gated attention output"
        elif a.get("sliding_window"):
            why = "sliding_window: nn.MultiheadAttention has no sliding window (it needs an attn_mask tensor)"
        elif a.get("use_causal_mask"):
            why = "use_causal_mask: nn.MultiheadAttention needs the causal mask as an attn_mask tensor"
        if why:
            raise NoEquivalent(why, "nearest: MultiHeadAttention(num_heads=h, key_dim=E // h) on E-wide queries")
        step = {"type": "MultiheadAttention", "embed_dim": e, "num_heads": n, "batch_first": True, "$name": "",
                "inputs": ["$in[0]", "$in[2]" if len(s) == 3 else "$in[1]", "$in[1]"]}
        if k[-1] != e:
            step["kdim"] = k[-1]
        if v[-1] != e:
            step["vdim"] = v[-1]
        if not a.use_bias:
            step["bias"] = False
        if a.dropout:
            step["dropout"] = a.dropout
        scores = a.get("return_attention_scores")
        step["call"] = {"average_attn_weights": False} if scores else {"need_weights": False}
        return Equivalent((step,), outputs=("$0[0]", "$0[1]") if scores else ("$0[0]",), weights=0,
                          note="same count: in_proj holds the heads' query, key and value kernels")

    def call_to_pytorch(self, a, keyword):
        if keyword == "key":
            raise NoEquivalent("the call's key by keyword", "write inputs: [query, value, key] instead")
        raise NoEquivalent(f"the call's {keyword}: torch's masks mean the opposite (True = not allowed) and "
                           "lstmcalc's PyTorch dialect has no step that inverts one", "remove it from call:")

    def torch_weights(self, a, s, w):
        """Keras's per-head kernels (d, heads, K) as torch's rows (E, d): row u·K + j is head u's unit j."""
        q, v, k = self.split(s)
        rows = {name: [[d_row[u][j] for d_row in w[name]["kernel"]] for u in range(a.num_heads)
                       for j in range(len(w[name]["kernel"][0][0]))] for name in ("query", "key", "value")}
        out = ({"in_proj_weight": rows["query"] + rows["key"] + rows["value"]} if q[-1] == k[-1] == v[-1] else
               {"q_proj_weight": rows["query"], "k_proj_weight": rows["key"], "v_proj_weight": rows["value"]})
        if a.use_bias:
            out["in_proj_bias"] = [b for name in ("query", "key", "value") for b in flatten(w[name]["bias"])]
        kernel = w["attention_output"]["kernel"]  # (heads, V, E)
        out["out_proj.weight"] = [[kernel[u][j][o] for u in range(len(kernel)) for j in range(len(kernel[0]))]
                                  for o in range(len(kernel[0][0]))]
        if a.use_bias:
            out["out_proj.bias"] = w["attention_output"]["bias"]
        return out

    def from_torch_weights(self, a, s, sd):
        q, v, k = self.split(s)
        n, kd, vd = self.heads(a)
        e = n * kd
        if "in_proj_weight" in sd:
            rows = sd["in_proj_weight"]
            proj = {"query": rows[:e], "key": rows[e:2 * e], "value": rows[2 * e:]}
        else:
            proj = {"query": sd["q_proj_weight"], "key": sd["k_proj_weight"], "value": sd["v_proj_weight"]}
        out = {}
        for i, name in enumerate(("query", "key", "value")):
            m = proj[name]  # (E, d)
            out[name] = {"kernel": [[[m[u * kd + j][c] for j in range(kd)] for u in range(n)]
                                    for c in range(len(m[0]))]}
            if a.use_bias:
                b = sd["in_proj_bias"][i * e:(i + 1) * e]
                out[name]["bias"] = [b[u * kd:(u + 1) * kd] for u in range(n)]
        wo = sd["out_proj.weight"]  # (E, E): column u·V + j
        out["attention_output"] = {"kernel": [[[wo[o][u * vd + j] for o in range(len(wo))] for j in range(vd)]
                                              for u in range(n)]}
        if a.use_bias:
            out["attention_output"]["bias"] = sd["out_proj.bias"]
        return out

    def torch_equivalent(self, r):
        q, v, k = self.split(r.input_shape)
        n, kd, vd = self.heads(r.args)
        e = q[-1]
        same = kd * n == e and vd == kd and self.out_dims(r.args, q) == (e,) and v[-1] == e and k[-1] == e
        if not same or r.args.use_gate:
            return ("no equivalent", None, "nn.MultiheadAttention needs key_dim = value_dim = E / heads and "
                    "an output of width E")
        b = r.args.use_bias
        count = 4 * e * e + (4 * e if b else 0)
        return (f"nn.MultiheadAttention({e}, {n}, batch_first=True{'' if b else ', bias=False'})", count,
                "same count: in_proj_weight (3E, E) holds the query, key and value kernels of every head")

    def symbolic_mask(self, a, k, x, mask):
        """The output carries the query's mask as it is (backend.set_keras_mask)."""
        return mask[0] if mask else None

    def check_call(self, a, s, out, call):
        """Over more than one step axis, the masks must broadcast as Keras broadcasts them (see keras_mask)."""
        q, v, k = self.split(s)
        if len(q) > 3:
            given = call.get("input_masks") or []
            masks = [KerasMask(m) if m is not None else None for m in given]
            am = call.get("attention_mask")
            self.keras_mask(a, q, v, masks, KerasMask(am) if am is not None else None, a.use_causal_mask)
        return []

    def scores_shape(self, a, q, v):
        axes = self.axes(a, q)
        rest = [ax for ax in range(1, len(q) - 1) if ax not in axes]
        return (q[0], *(q[ax] for ax in rest), self.heads(a)[0], *(q[ax] for ax in axes), *(v[ax] for ax in axes))

    def keras_mask(self, a, q, v, masks, attention_mask, use_causal_mask):
        """The mask over the scores as Keras 3.15 builds it for inputs of any rank (_compute_attention_mask,
        _masked_softmax): the query's mask expanded at -1, the value's and key's at -2, the causal and sliding
        window masks (1, Tq, Tv) over axis 1 of query and value, ANDed with attention_mask; then expanded at
        axis -2·len(attention_axes) - 1 up to the scores' rank. Shapes that do not broadcast raise ShapeError,
        where Keras fails on data. Returns a KerasMask of the scores' rank, or None."""
        parts = []
        for m, axis in zip(masks, (-1, -2, -2)):
            if m is not None:
                parts.append(m.expand(axis))
        t, s = q[1], v[1]
        if use_causal_mask:
            parts.append(KerasMask((1, t, s), lambda idx: idx[2] <= idx[1]))
        window = a.get("sliding_window")
        if window:
            parts.append(KerasMask((1, t, s), lambda idx: abs(idx[1] - idx[2]) < window))
        if attention_mask is not None:
            parts.insert(0, attention_mask)
        if not parts:
            return None
        merged = parts[0]
        for m in parts[1:]:
            merged = merged & m
        target = self.scores_shape(a, q, v)
        for _ in range(len(target) - len(merged.shape)):
            merged = merged.expand(-2 * len(self.axes(a, q)) - 1)
        merged.fits(target, "use_causal_mask and sliding_window mask axis 1 of query and value: attend over "
                    "axis 1, or give attention_mask instead" if use_causal_mask or window else
                    "give attention_mask the shape (batch, other axes..., Tq, Tv) of the attention axes")
        return merged

    # -- forward ------------------------------------------------------------------------------
    def attention_mask(self, a, x, mask, attention_mask, use_causal_mask, b):
        q, v = x[0], x[1]
        tq, tv = len(q[b]), len(v[b])
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask and len(mask) > 1 else None
        k_mask = mask[2] if mask and len(mask) > 2 and len(x) > 2 else None
        window = a.get("sliding_window")
        return and_masks(
            [[bool(q_mask[b][i])] * tv for i in range(tq)] if q_mask is not None else None,
            [list(map(bool, v_mask[b]))] * tq if v_mask is not None else None,
            [list(map(bool, k_mask[b]))] * tq if k_mask is not None else None,
            causal(tq, tv) if use_causal_mask else None,
            [[abs(i - j) < window for j in range(tv)] for i in range(tq)] if window else None,
            [[bool(e) for e in row] for row in attention_mask[b]] if attention_mask is not None else None,
        )

    def forward(self, a, w, x, mask=None, key=None, attention_mask=None, return_attention_scores=False,
                use_causal_mask=False, training=None):
        if key is not None:
            x = [x[0], x[1], key]
        q, v = x[0], x[1]
        k = x[2] if len(x) > 2 else v
        n, kd, vd = self.heads(a)
        bias = (lambda name: w[name]["bias"]) if a.use_bias else (lambda name: None)
        pq, pk, pv = (project(t, w[name]["kernel"], bias(name)) for t, name in ((q, "query"), (k, "key"), (v, "value")))
        gate = project(q, w["gate"]["kernel"], bias("gate")) if a.use_gate else None
        qs, ks = shape_of(q), shape_of(k)
        axes = self.axes(a, qs)
        rest = [ax for ax in range(1, len(qs) - 1) if ax not in axes]
        masked = len(qs) == 3 and (mask or attention_mask is not None or use_causal_mask or a.sliding_window)
        deep = None  # more than one step axis: Keras's masks broadcast over the scores (keras_mask)
        if len(qs) > 3:
            given = [KerasMask.of(m, shape_of(t)[:-1]) if m is not None else None
                     for m, t in zip(list(mask or [])[:len(x)], x)]
            am = KerasMask.of(attention_mask, shape_of(attention_mask)) if attention_mask is not None else None
            deep = self.keras_mask(a, qs, shape_of(v), given, am, use_causal_mask)
        # Keras's fused path (no dropout, no scores asked, 3-D inputs) masks by addition: see softmax_masked
        fused = not a.dropout and not return_attention_scores and len(qs) == 3
        heads_out = []
        scores = []
        for b in range(len(q)):
            keep = self.attention_mask(a, x, mask, attention_mask, use_causal_mask, b) if masked else None
            qb, kb, vb = pq[b], pk[b], pv[b]
            ctx = reshape([0.0] * prod(shape_of(qb)[:-2]) * n * vd, (*shape_of(qb)[:-2], n, vd))
            sb = {}
            for u in product(*(range(qs[ax]) for ax in rest)):
                q_pos = list(product(*(range(qs[ax]) for ax in axes)))
                k_pos = list(product(*(range(ks[ax]) for ax in axes)))

                def full(idx, ux=u):  # the position on axes 1..r-2 from the non-attention and attention indices
                    p = [0] * (len(qs) - 2)
                    for ax, i in zip(rest, ux):
                        p[ax - 1] = i
                    for ax, i in zip(axes, idx):
                        p[ax - 1] = i
                    return p

                for h in range(n):
                    for iq, qi in enumerate(q_pos):
                        qv = at(qb, full(qi))[h]
                        row = [dot(qv, at(kb, full(kj))[h]) / sqrt(kd) for kj in k_pos]
                        if deep is not None:
                            keep_row = [deep.value((b, *u, h, *qi, *kj)) for kj in k_pos]
                        else:
                            keep_row = keep[iq] if keep else None
                        p = softmax_masked(row, keep_row, subtract=False, fused=fused)
                        sb[(u, h, qi)] = p
                        out = at(ctx, full(qi))[h]
                        for c in range(vd):
                            out[c] = dot(p, [at(vb, full(kj))[h][c] for kj in k_pos])
            heads_out.append(ctx)
            scores.append(sb)
        y = self.output_projection(a, w, heads_out, gate)
        if not return_attention_scores:
            return y
        return [y, self.scores_tensor(scores, qs, ks, axes, rest, n)]

    def output_projection(self, a, w, ctx, gate):
        kernel = w["attention_output"]["kernel"]
        bias = w["attention_output"]["bias"] if a.use_bias else None
        od = shape_of(kernel)[2:]
        flat_k = [[flatten(kernel[h][c]) for c in range(len(kernel[0]))] for h in range(len(kernel))]
        flat_b = flatten(bias) if bias is not None else [0.0] * prod(od)

        def one(heads, g):  # (N, V) -> output
            if g is not None:
                heads = [[e * (1 / (1 + exp(-t))) for e, t in zip(hv, gv)] for hv, gv in zip(heads, g)]
            flat_heads = flatten(heads)  # (N·V,)
            vals = [flat_b[o] + dot(flat_heads, [flat_k[h][c][o] for h in range(len(heads))
                                                 for c in range(len(heads[0]))]) for o in range(len(flat_b))]
            return reshape(vals, od) if len(od) > 1 else vals

        def walk(t, g):
            if not isinstance(t[0][0], list):
                return one(t, g)
            return [walk(ti, g[i] if g is not None else None) for i, ti in enumerate(t)]

        return [walk(cb, gate[b] if gate is not None else None) for b, cb in enumerate(ctx)]

    @staticmethod
    def scores_tensor(scores, qs, ks, axes, rest, n):
        """(B, non-attention axes..., N, query attention axes..., key attention axes...)."""
        shape = (*(qs[ax] for ax in rest), n, *(qs[ax] for ax in axes), *(ks[ax] for ax in axes))
        out = []
        for sb in scores:
            flat = []
            for u in product(*(range(qs[ax]) for ax in rest)):
                for h in range(n):
                    for qi in product(*(range(qs[ax]) for ax in axes)):
                        flat += sb[(u, h, qi)]
            out.append(reshape(flat, shape))
        return out


class GroupedQueryAttention(MultiHeadAttention):
    """Multi-head attention where groups of query heads share one key and value
    head: num_query_heads query projections, num_key_value_heads key and value
    projections (fewer parameters and a smaller key/value cache). query
    (B, Tq, d), value (B, Tv, dv) give (B, Tq, d); scores (B, Nq, Tq, Tv)."""

    name, auto_name = "GroupedQueryAttention", "grouped_query_attention"
    aliases = ("GroupQueryAttention",)
    exported_as = "GroupQueryAttention"  # the name keras.layers exports the class under
    args = (
        Arg("head_dim", "int", doc="size of each head", minimum=1, structural=True),
        Arg("num_query_heads", "int", doc="number of query heads", minimum=1, structural=True),
        Arg("num_key_value_heads", "int", doc="number of key/value heads; divides num_query_heads", minimum=1,
            structural=True),
        *(x for x in MultiHeadAttention.args if x.name in (
            "dropout", "use_bias", "sliding_window", "flash_attention", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "kernel_constraint",
            "bias_constraint", "use_gate", "seed")),
    )

    def heads(self, a):
        return a.num_query_heads, a.head_dim, a.head_dim

    def out_dims(self, a, q):
        return (q[-1],)

    def axes(self, a, q):
        return (1,)

    def output_shape(self, a, s):
        if a.num_query_heads % a.num_key_value_heads:
            raise ShapeError(f"num_query_heads {a.num_query_heads} is not divisible by num_key_value_heads "
                             f"{a.num_key_value_heads}", "make num_query_heads a multiple of num_key_value_heads")
        q, v, k = self.split(s)
        if len(q) != 3 or len(v) != 3 or len(k) != 3:
            raise ShapeError(f"{self.name} needs 3-D tensors (batch, steps, features), got {fmt_shape(list(s))}")
        if q[-1] != v[-1]:
            raise ShapeError(f"{self.name} needs query and value of one width, got {q[-1]} and {v[-1]}",
                             "project the value to the query's width (a Dense), or use MultiHeadAttention")
        return super().output_shape(a, s)

    def projections(self, a, s):
        q, v, k = self.split(s)
        nq, nkv, h = a.num_query_heads, a.num_key_value_heads, a.head_dim
        out = [("query", q[-1], (nq, h)), ("key", k[-1], (nkv, h))]
        if a.use_gate:
            out.append(("gate", q[-1], (nq, h)))
        return out + [("value", v[-1], (nkv, h))]

    def notes(self, a, s, out):
        rep = a.num_query_heads // max(1, a.num_key_value_heads)
        return [f"Grouped-query attention: {a.num_query_heads} query heads share {a.num_key_value_heads} key/value "
                f"head(s), {rep} query heads per group (query head u uses key/value head u // {rep}). With as many "
                "key/value heads as query heads it is MultiHeadAttention; with one it is multi-query attention.",
                *super().notes(a, s, out)[1:]]

    keras_groups = (("query", "_query_dense/vars"), ("key", "_key_dense/vars"), ("value", "_value_dense/vars"),
                    ("gate", "_gate_dense/vars"), ("attention_output", "_output_dense/vars"))

    def to_pytorch(self, a, s):
        raise NoEquivalent("torch.nn has no grouped-query attention module (key/value heads shared by groups of "
                           "query heads)", "write it with F.scaled_dot_product_attention(enable_gqa=True) by hand, "
                           "or use MultiHeadAttention (num_key_value_heads = num_query_heads)")

    def torch_equivalent(self, r):
        return ("no equivalent", None, "torch has no grouped-query module (F.scaled_dot_product_attention with "
                "enable_gqa=True in a custom module)")

    def forward(self, a, w, x, mask=None, key=None, attention_mask=None, return_attention_scores=False,
                use_causal_mask=False, training=None):
        rep = a.num_query_heads // a.num_key_value_heads
        widened = {}
        for name in ("query", "key", "value", "gate", "attention_output"):
            if name in w.declared:
                t = w[name]
                kernel = t["kernel"]
                bias = t["bias"] if a.use_bias else None
                if name in ("key", "value"):  # Keras's ops.repeat(axis=2): head u reads head u // rep
                    kernel = [[row[u // rep] for u in range(a.num_query_heads)] for row in kernel]
                    bias = [bias[u // rep] for u in range(a.num_query_heads)] if bias is not None else None
                widened[name] = {"kernel": kernel, **({"bias": bias} if bias is not None else {})}
        return MultiHeadAttention.forward(self, a, widened, x, mask, key, attention_mask, return_attention_scores,
                                          use_causal_mask)
