"""What the Keras attention layers share: the call and the mask and score helpers.

`AttentionCall` is the call all four layers make (`keras/src/layers/attention/`,
Keras 3.15): a list `inputs: [query, value]` or `[query, value, key]` (key
defaults to value), `call:` flags `return_attention_scores` (a second output:
the softmax weights) and `use_causal_mask`. The helpers turn Keras's masks
into one (Tq, Tv) keep-mask per sample and take the masked softmax of a row
the way each layer's code path does.
"""

from __future__ import annotations

from math import exp

from lstmcalc.errors import ShapeError
from lstmcalc.layers.base import LayerType
from lstmcalc.shapes import fmt_shape

BIG = 1e9  # Keras's large negative number for masked scores (float32 and float64)


FUSED_NEGATIVE = 3.38953e38 * -0.7  # keras/src/backend/torch/nn.py _get_large_negative (float32 and float64)


def softmax_masked(scores, keep, *, subtract: bool, fused: bool = False):
    """Softmax of one row. Attention subtracts 1e9 at masked places (`_apply_scores`); the multi-head
    layers' Softmax sets them to -1e9 and zeroes them after (`Softmax.call`); the multi-head layers' fused
    path (ops.dot_product_attention, torch backend) adds -2.4e38, so a fully masked row is uniform."""
    if keep is None:
        keep = [True] * len(scores)
    if fused:
        subtract = True
        scores = [s + (0.0 if k else FUSED_NEGATIVE) for s, k in zip(scores, keep)]
        keep = [True] * len(scores)
    z = [s if k else (s - BIG if subtract else -BIG) for s, k in zip(scores, keep)]
    top = max(z)
    e = [exp(v - top) for v in z]
    total = sum(e)
    p = [v / total for v in e]
    return p if subtract else [v if k else 0.0 for v, k in zip(p, keep)]


def causal(tq: int, tv: int):
    """Keras's causal mask (1, Tq, Tv): position i sees j <= i (top-left aligned for Tq != Tv)."""
    return [[j <= i for j in range(tv)] for i in range(tq)]


def and_masks(*masks):
    """Elementwise AND of (Tq, Tv) masks, None where none is given."""
    masks = [m for m in masks if m is not None]
    if not masks:
        return None
    return [[all(m[i][j] for m in masks) for j in range(len(masks[0][0]))] for i in range(len(masks[0]))]


class AttentionCall(LayerType):
    """What the four layers share: a list of 2 or 3 inputs, the call's flags, the scores output."""

    takes_list = True
    supports_masking = True
    mask_arg = False  # Keras passes the inputs' masks without recording mask operations (no not_equal rows)
    call_args = ("return_attention_scores", "use_causal_mask", "mask", "training")

    def with_call(self, a, call: dict):
        """The arguments with the call's flags: they change the outputs."""
        return a.replace(return_attention_scores=bool(call.get("return_attention_scores")),
                         use_causal_mask=bool(call.get("use_causal_mask")))

    def split(self, s):
        if not isinstance(s, list) or not 2 <= len(s) <= 3:
            n = len(s) if isinstance(s, list) else 1
            raise ShapeError(f"{self.name} takes [query, value] or [query, value, key], got {n} tensor(s)",
                             "write inputs: [query, value] (self-attention: inputs: [x, x])")
        return s[0], s[1], s[2] if len(s) == 3 else s[1]

    def output_names(self, a, out):
        return ["attention output", "attention scores"] if isinstance(out, list) else ["attention output"]

    def compute_mask(self, a, x, mask):
        return mask[0] if mask else None

    def symbolic_mask(self, a, k, x, mask):
        """Attention.compute_mask: ops.convert_to_tensor(query's mask), a recorded operation."""
        return k.convert_to_tensor(mask[0]) if mask and mask[0] is not None else None


# -- Keras's masks as tensors, for MultiHeadAttention over any number of step axes ------------------


class KerasMask:
    """A boolean tensor as Keras's mask code handles it: a shape (batch first, None unknown) and, when
    running, `get(index) -> bool`; `expand` and `&` follow ops.expand_dims and numpy broadcasting.
    Without `get` it only checks shapes (lstmcalc refuses up front what Keras refuses when it runs)."""

    def __init__(self, shape: tuple, get=None):
        self.shape, self.get = tuple(shape), get

    @classmethod
    def of(cls, tensor, shape):
        """A nested list (or None when only the shape is known)."""
        if tensor is None:
            return cls(shape)

        def get(idx):
            t = tensor
            for i in idx:
                t = t[i]
            return bool(t)

        return cls(shape, get)

    def expand(self, axis: int) -> KerasMask:
        r = len(self.shape) + 1
        at = axis if axis >= 0 else r + axis
        if not 0 <= at < r:
            raise ShapeError(f"Keras expands a mask of shape {fmt_shape(self.shape)} at axis {axis}, which it does "
                             "not have (Keras fails on data)", "give attention_mask one axis per attention axis "
                             "pair, or attend over one axis")
        get = self.get and (lambda idx: self.get(idx[:at] + idx[at + 1:]))
        return KerasMask(self.shape[:at] + (1,) + self.shape[at:], get)

    def __and__(self, other: KerasMask) -> KerasMask:
        shape = broadcast(self.shape, other.shape)
        if self.get is None or other.get is None:
            return KerasMask(shape)
        return KerasMask(shape, lambda idx: self.value(idx) and other.value(idx))

    def value(self, idx) -> bool:
        """The value at an index of a (broadcast) shape with at least as many axes: numpy's broadcasting."""
        tail = idx[len(idx) - len(self.shape):]
        return self.get(tuple(0 if d == 1 else i for d, i in zip(self.shape, tail)))

    def fits(self, target: tuple, hint: str) -> None:
        """keras.layers.Softmax: the mask has no more axes than the scores, each 1 or the scores' size."""
        ok = len(self.shape) <= len(target) and all(
            m in (1, None) or t is None or m == t for m, t in zip(self.shape[::-1], target[::-1]))
        if not ok:
            raise ShapeError(f"the attention mask {fmt_shape(self.shape)} does not broadcast to the scores "
                             f"{fmt_shape(target)} (Keras fails on data)", hint)


def broadcast(a: tuple, b: tuple) -> tuple:
    """numpy's broadcast of two shapes (None fits anything); ShapeError where they do not fit."""
    r = max(len(a), len(b))
    out = []
    for x, y in zip((1,) * (r - len(a)) + a, (1,) * (r - len(b)) + b):
        if x not in (1, None) and y not in (1, None) and x != y:
            raise ShapeError(f"Keras ANDs masks of shapes {fmt_shape(a)} and {fmt_shape(b)}, which do not "
                             "broadcast (Keras fails on data)", "mask the attention axes only, or drop a mask")
        out.append(y if x in (1, None) and y != 1 else x)
    return tuple(out)
