"""What the PyTorch dialect's modules share: factory arguments, the inferred
input width, elementwise helpers and the `TorchModule` base class.
"""

from __future__ import annotations

import math

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg
from lstmcalc.layers.base import LayerType, WeightSpec

# -- shared pieces -------------------------------------------------------------------

FACTORY_ARGS = (
    Arg("device", "object", None, "torch device of the parameters (no effect on shapes or counts)"),
    Arg("dtype", "dtype", None, "dtype of the parameters (no effect on shapes or counts)", nullable=True),
)


def width_arg(name: str, what: str) -> Arg:
    return Arg(name, "int", None, f"{what}; inferred from the input (if written, it must match)",
               minimum=1, nullable=True, structural=True)


def check_width(a, name: str, got: int, module: str) -> int:
    """The inferred input width, checked against the written one."""
    written = a.get(name)
    if written is not None and written != got:
        raise ShapeError(f"{name} is {written} but the input to {module} has {got}",
                         f"write {name}: {got}, or leave it out (it is inferred)")
    return got


def elementwise(x, f):
    """Apply a scalar function to every value of a nested list."""
    if isinstance(x, list):
        return [elementwise(v, f) for v in x]
    return f(x)


class TorchModule(LayerType):
    """Base of the torch.nn modules: no Keras base arguments, only `name`
    and the factory keywords `device` and `dtype`."""

    trainable_arg = False
    factory = True  # does the constructor take device= and dtype=?
    torch_name = ""  # nn.<Module>, for the notes
    # for export: the constructor's positional arguments, and the inferred width (argument, input axis)
    code_positional: tuple[str, ...] = ()
    width: tuple[str, int] | None = None

    returns: tuple[str, ...] = ()  # a module returning a flat tuple (MultiheadAttention): its parts' names

    def call_code(self, a, xs: list[str]) -> list[str]:
        """The positional arguments of the module's call in exported code (the input tensors' names)."""
        return xs

    def forward_code(self, a, xs: list[str]) -> str | None:
        """The forward expression of a step that is not a module (out[:, -1], x.transpose(1, 2)); None: a module."""
        return None

    @property
    def all_args(self) -> tuple[Arg, ...]:
        name = Arg("name", "str", None, "layer name; default: the module name in snake case", nullable=True)
        return self.args + (FACTORY_ARGS if self.factory else ()) + (name,)

    def buffers(self, a, s) -> list[WeightSpec]:
        """Tensors of the state_dict that are not parameters (not counted)."""
        return []

    def to_keras(self, a, s):
        """The Keras layers computing the same function (an `Equivalent`), or NoEquivalent."""
        from lstmcalc.layers.equivalent import NoEquivalent

        raise NoEquivalent(f"{self.name} has no Keras equivalent in lstmcalc", "write its Keras code by hand")

    def keras_equivalent(self, a, s, out) -> tuple[str, int | None, str]:
        """(Keras layer, its parameter count or None, one-line reason) for `compare`."""
        return (self.name, self.formula(a, s).value, "same weights")


class Elementwise(TorchModule):
    factory = False
    function = "linear"

    def to_keras(self, a, s):
        from lstmcalc.layers.equivalent import Equivalent

        return Equivalent(({"type": "Activation", "activation": self.function, "$name": ""},))

    def forward(self, a, w, x, mask=None):
        return elementwise(x, SCALAR_FN[self.function])


# -- helpers ----------------------------------------------------------------------------

SCALAR_FN = {
    "tanh": math.tanh,
    "relu": lambda v: v if v > 0 else 0.0,
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v)),
}


def map_last(x, fn):
    """fn on every vector along the last axis."""
    if x and isinstance(x[0], list):
        return [map_last(v, fn) for v in x]
    return fn(x)


def map_depth(x, fn, depth: int):
    """fn on every sub-tensor found `depth` axes down."""
    if depth == 0:
        return fn(x)
    return [map_depth(v, fn, depth - 1) for v in x]
