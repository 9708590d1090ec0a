"""Pure-Python tensors: nested lists of floats, batch axis first.

The few operations the reference forward pass needs, written for speed
where it matters (`dot` with `map(operator.mul)`) and for reading elsewhere.
Activations follow Keras 3's definitions.
"""

from __future__ import annotations

import math
from itertools import chain, repeat
from math import exp
from operator import mul

from lstmcalc.render.terminal import brief

Vector = list  # list[float]


def shape_of(x) -> tuple:
    """Shape of a nested list (assumes it is rectangular; see `check_shape`)."""
    dims = []
    while isinstance(x, list):
        dims.append(len(x))
        if not x:
            break
        x = x[0]
    return tuple(dims)


def check_shape(x, shape: tuple) -> bool:
    """True if x is a rectangular nested list of numbers with exactly this shape."""
    level = [x]
    for n in shape:  # one axis at a time: every item is a list of n items
        if not all(map(isinstance, level, repeat(list))) or any(len(v) != n for v in level):
            return False
        level = list(chain.from_iterable(level))
    return all(map(isinstance, level, repeat((int, float)))) and not any(map(isinstance, level, repeat(bool)))


def tensor_problem(x) -> str | None:
    """What is wrong with a user-given tensor, or None: ragged, not numbers, not finite."""
    shape = shape_of(x)
    stack = [(x, 0)]
    while stack:
        v, depth = stack.pop()
        if depth == len(shape):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return f"it holds {brief(v)}, which is not a number"
            if isinstance(v, float) and not math.isfinite(v):
                return f"it holds {brief(v)}, which is not a finite number"
            continue
        if not isinstance(v, list) or len(v) != shape[depth]:
            return "it is not rectangular (its lists differ in length or depth)"
        stack.extend((item, depth + 1) for item in v)
    return None


def zeros(shape: tuple):
    if len(shape) == 1:
        return [0.0] * shape[0]
    return [zeros(shape[1:]) for _ in range(shape[0])]


def transpose(m: list) -> list:
    """(a, b) -> (b, a)."""
    return [list(col) for col in zip(*m)] if m else []


def packed(v: Vector) -> Vector:
    """The same numbers as fresh floats, created in order so that they lie in
    order in memory. A row of a transposed matrix otherwise holds floats that
    were created column by column, far apart, and an inner product over it runs
    about a third slower. (Integers become floats, as a framework's tensor has them.)"""
    from array import array  # only the forward pass packs: a summary does not load the module

    return array("d", v).tolist()


def weight_rows(kernel: list, bias: Vector | None = None) -> list:
    """A (in, out) kernel as `out` packed rows of `in` weights, for `matvec`.

    With a bias, each row ends in its bias value, for `affine`.
    """
    stacked = kernel if bias is None else [*kernel, bias]  # [kernel; bias]: (in [+ 1], out)
    return [packed(col) for col in zip(*stacked)]


_sumprod = getattr(math, "sumprod", None)  # Python 3.12+: one C call per inner product


def dot(u: Vector, v: Vector) -> float:
    return _sumprod(u, v) if _sumprod else sum(map(mul, u, v))


if _sumprod:
    def matvec(rows: list, x: Vector) -> Vector:
        """rows @ x, with rows a pre-transposed weight matrix (out, in)."""
        return [_sumprod(row, x) for row in rows]
else:
    def matvec(rows: list, x: Vector) -> Vector:
        """rows @ x, with rows a pre-transposed weight matrix (out, in)."""
        return [sum(map(mul, row, x)) for row in rows]


def affine(rows: list, x: Vector) -> Vector:
    """x·kernel + bias, with rows = weight_rows(kernel, bias): rows @ [x; 1], one inner
    product per row whose last term is the bias (times 1.0). The bias is added last, as
    `add(matvec(...), bias)` would add it: the same float (where `matvec` is
    `sum(map(mul, ...))`; `math.sumprod` rounds once, more closely)."""
    return matvec(rows, x + [1.0])


def mean(values) -> float:
    """The average of a window's values (the average poolings' reduce)."""
    return sum(values) / len(values)


def add(u: Vector, v: Vector) -> Vector:
    return [a + b for a, b in zip(u, v)]


def hadamard(u: Vector, v: Vector) -> Vector:
    return [a * b for a, b in zip(u, v)]


def map_vectors(x, fn, rank: int):
    """Apply fn to every vector along the last axis of a rank-`rank` tensor."""
    if rank == 1:
        return fn(x)
    return [map_vectors(item, fn, rank - 1) for item in x]


def flatten(x) -> list:
    if not isinstance(x, list):
        return [x]
    out = []
    stack = [x]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(reversed(v))
        else:
            out.append(v)
    return out


def reshape(flat: list, shape: tuple):
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [reshape(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def permute(x, perm: tuple):
    """Move axes: output axis k is input axis perm[k] (all 0-based, full rank)."""
    src_shape = shape_of(x)
    out_shape = tuple(src_shape[p] for p in perm)
    flat = flatten(x)
    strides = [1] * len(src_shape)
    for k in range(len(src_shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * src_shape[k + 1]
    out = []
    idx = [0] * len(out_shape)
    total = len(flat)
    for _ in range(total):
        out.append(flat[sum(idx[k] * strides[perm[k]] for k in range(len(perm)))])
        for k in range(len(idx) - 1, -1, -1):
            idx[k] += 1
            if idx[k] < out_shape[k]:
                break
            idx[k] = 0
    return reshape(out, out_shape) if out_shape else out


# -- activations (Keras 3 definitions) ------------------------------------------


def rsqrt(v: float) -> float:
    """1/√v as IEEE arithmetic has it: inf at 0, NaN below (no exception)."""
    if v > 0:
        return 1.0 / math.sqrt(v)
    return math.inf if v == 0 else math.nan


def _exp(v: float) -> float:
    return exp(v) if v < 709.0 else math.inf


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + exp(-v)) if v > -700.0 else exp(v)  # past -700, 1 + e^v is 1.0 (and e^-v overflows)


def _sigmoids(x: Vector) -> Vector:
    """`_sigmoid` over a vector, its formula inline: no Python call per value (the LSTM's three gates)."""
    return [1.0 / (1.0 + exp(-v)) if v > -700.0 else exp(v) for v in x]


def _softplus(v: float) -> float:
    return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))


def _hard_sigmoid(v: float) -> float:
    return min(1.0, max(0.0, v / 6.0 + 0.5))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _softmax(x: Vector) -> Vector:
    m = max(x)
    e = [math.exp(v - m) for v in x]
    s = sum(e)
    return [v / s for v in e]


def _log_softmax(x: Vector) -> Vector:
    m = max(x)
    lse = m + math.log(sum(math.exp(v - m) for v in x))
    return [v - lse for v in x]


_SCALAR = {
    "linear": lambda v: v,
    "relu": lambda v: v if v > 0 else 0.0,
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
    "elu": lambda v: v if v > 0 else math.expm1(v),
    "selu": lambda v: _SELU_SCALE * (v if v > 0 else _SELU_ALPHA * math.expm1(v)),
    "softplus": _softplus,
    "softsign": lambda v: v / (1.0 + abs(v)),
    "swish": lambda v: v * _sigmoid(v),
    "silu": lambda v: v * _sigmoid(v),
    "gelu": lambda v: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))),
    "hard_sigmoid": _hard_sigmoid,
    "hard_silu": lambda v: v * _hard_sigmoid(v),
    "hard_swish": lambda v: v * _hard_sigmoid(v),
    "exponential": _exp,
    "leaky_relu": lambda v: v if v > 0 else 0.2 * v,
    "relu6": lambda v: min(6.0, max(0.0, v)),
    "mish": lambda v: v * math.tanh(_softplus(v)),
    "log_sigmoid": lambda v: -_softplus(-v),
    "hard_tanh": lambda v: min(1.0, max(-1.0, v)),
    "tanh_shrink": lambda v: v - math.tanh(v),
    "soft_shrink": lambda v: v - 0.5 if v > 0.5 else (v + 0.5 if v < -0.5 else 0.0),
    "hard_shrink": lambda v: v if abs(v) > 0.5 else 0.0,
    "celu": lambda v: max(0.0, v) + math.expm1(min(0.0, v)),  # IEEE for any v (expm1 overflows past 709)
    "squareplus": lambda v: (v + math.sqrt(v * v + 4.0)) / 2.0,
    "sparse_plus": lambda v: 0.0 if v <= -1 else (v if v >= 1 else (v + 1.0) ** 2 / 4.0),
    "sparse_sigmoid": lambda v: 0.0 if v <= -1 else (1.0 if v >= 1 else 0.5 * (v + 1.0)),
}
def _sparsemax(x: Vector) -> Vector:
    """Keras 3's sparsemax: max(x − τ, 0) over the support of the k largest
    values. Keras (every backend) takes τ = (Σ_{i≤k} cumsum_i − 1) / k, the sum
    of the running sums, where the paper (Martins & Astudillo, 2016) takes
    (cumsum_k − 1) / k; so for k > 1 its outputs do not sum to 1. Keras wins."""
    z = sorted(x, reverse=True)
    running, k, sum_of_running = 0.0, 0, 0.0
    for i, v in enumerate(z, 1):
        running += v
        if v - (running - 1.0) / i > 0:
            k, sum_of_running = k + 1, sum_of_running + running
    tau = (sum_of_running - 1.0) / k
    return [max(v - tau, 0.0) for v in x]


def _glu(x: Vector) -> Vector:
    """a ⊙ σ(b) for the two halves [a, b] of the last axis: half the width."""
    half = len(x) // 2
    return [a * _sigmoid(b) for a, b in zip(x[:half], x[half:])]


_VECTOR = {"softmax": _softmax, "log_softmax": _log_softmax, "sparsemax": _sparsemax, "glu": _glu}


def activation(name: str | None):
    """Return a function vector -> vector for a Keras activation name."""
    name = name or "linear"
    if name in _VECTOR:
        return _VECTOR[name]
    if name == "linear":
        return lambda x: x
    if name == "sigmoid":
        return _sigmoids
    f = _SCALAR[name]
    return lambda x: list(map(f, x))


def scalar_activation(name: str | None):
    """A function float -> float (not for softmax-like activations)."""
    return _SCALAR[name or "linear"]


def finite_or_null(x):
    """The tensor with NaN and infinities as None (JSON has no such numbers)."""
    if isinstance(x, list):
        return [finite_or_null(v) for v in x]
    return x if not isinstance(x, float) or math.isfinite(x) else None
