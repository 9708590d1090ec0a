"""Layer arguments declared as data, and their central validation.

Each layer type lists its constructor arguments as `Arg` values (Keras's
name, kind, default, one-line doc). `validate` checks a user's value against
its declaration and returns the normalised value or raises `ArgError` with
a message that says what would be accepted. The JSON Schema is generated
from the same declarations (`schema.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lstmcalc.render.terminal import brief

REQUIRED = object()

ACTIVATIONS = (
    "linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "elu", "selu",
    "softplus", "softsign", "swish", "silu", "gelu", "hard_sigmoid", "hard_silu",
    "hard_swish", "exponential", "leaky_relu", "relu6", "mish", "log_sigmoid",
    "hard_tanh", "tanh_shrink", "soft_shrink", "hard_shrink", "celu", "squareplus",
    "sparse_plus",
)
DTYPES = (
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "bool", "mixed_float16", "mixed_bfloat16",
)


class ArgError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)


@dataclass(frozen=True)
class Arg:
    """One constructor argument.

    kind is one of: int, float, bool, str, choice, activation, object, dtype,
    ints (an int or a list of one int, as Keras's 1-D kernel_size), intlist,
    axis (int or list of ints), shape (list of ints or nulls), layer (a
    nested layer spec).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    doc: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    structural: bool = False  # changes an output shape or a parameter count

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Args:
    """Validated arguments of one layer, defaults filled in; attribute access."""

    values: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name, default=None):
        return self.values.get(name, default)

    def replace(self, **changes) -> Args:
        return Args({**self.values, **changes})


def _describe(arg: Arg) -> str:
    return {
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "str": "a string",
        "choice": "one of " + ", ".join(map(str, arg.choices)),
        "activation": "an activation name such as relu, tanh or sigmoid",
        "object": "a name, a mapping or null",
        "dtype": "a dtype such as float32 or int32",
        "ints": "an integer or a list of one integer",
        "intlist": "a list of integers",
        "axis": "an integer or a list of integers",
        "shape": "a list of integers or nulls",
        "layer": "a nested layer mapping with a type",
    }[arg.kind]


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bounds(arg: Arg, v):
    if v != v and (arg.minimum is not None or arg.maximum is not None):  # NaN is in no range
        raise ArgError(f"{arg.name} must be a number in its range, got nan", "write a number such as 0.5")
    if arg.minimum is not None and v < arg.minimum:
        raise ArgError(f"{arg.name} must be at least {arg.minimum:g}, got {v}")
    if arg.maximum is not None and v > arg.maximum:
        raise ArgError(f"{arg.name} must be at most {arg.maximum:g}, got {v}")
    return v


def validate(arg: Arg, value):
    """Return the normalised value or raise ArgError."""
    if value is None:
        if arg.nullable or arg.kind in ("object", "activation"):
            return None
        raise ArgError(f"{arg.name} must be {_describe(arg)}, not null")
    wrong = ArgError(
        f"{arg.name} must be {_describe(arg)}, got {brief(value)}",
        None,
    )
    kind = arg.kind
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            raise ArgError(f"{arg.name} must be an integer, got {value!r}", f"write {int(value)}")
        if not _is_int(value):
            raise wrong
        return _bounds(arg, value)
    if kind == "float":
        if not _is_number(value):
            raise wrong
        try:
            value = float(value)
        except OverflowError:
            raise ArgError(f"{arg.name} is too large for a floating-point number", "write a smaller number") from None
        return _bounds(arg, value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise wrong
        return value
    if kind == "choice":
        if isinstance(value, str) and value.lower() in arg.choices:
            return value.lower()
        raise wrong
    if kind == "activation":
        if isinstance(value, str) and value.lower() in ACTIVATIONS:
            return value.lower()
        raise ArgError(f"{arg.name}: unknown activation {brief(value)}",
                       "use one of " + ", ".join(ACTIVATIONS[:6]) + ", ...")
    if kind == "object":
        if isinstance(value, (str, dict, int, float)):
            return value
        raise wrong
    if kind == "dtype":
        if isinstance(value, str) and value in DTYPES:
            return value
        raise wrong
    if kind == "ints":
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not _is_int(value):
            raise wrong
        return _bounds(arg, value)
    if kind == "intlist":
        if not isinstance(value, list) or not all(_is_int(v) or (arg.nullable and v is None) for v in value):
            raise wrong
        return tuple(value)
    if kind == "axis":
        if _is_int(value):
            return value
        if isinstance(value, list) and value and all(_is_int(v) for v in value):
            return tuple(value)
        raise wrong
    if kind == "shape":
        if not isinstance(value, list) or not all(v is None or _is_int(v) for v in value):
            raise wrong
        return tuple(value)
    if kind == "layer":
        if not isinstance(value, dict):
            raise wrong
        return value
    raise AssertionError(f"unknown arg kind {kind}")


def weight_args(**initializers) -> tuple[Arg, ...]:
    """The initializer, regularizer and constraint arguments of each named weight,
    e.g. weight_args(kernel="glorot_uniform", bias="zeros")."""
    names = list(initializers)
    return (
        *(Arg(f"{n}_initializer", "object", init, f"initializer of {n}") for n, init in initializers.items()),
        *(Arg(f"{n}_regularizer", "object", None, f"regularizer of {n}") for n in names),
        *(Arg(f"{n}_constraint", "object", None, f"constraint on {n}") for n in names),
    )


def base_args(*, trainable: bool = True) -> tuple[Arg, ...]:
    """The keyword arguments every Keras layer accepts (keras.Layer.__init__)."""
    args = [
        Arg("name", "str", None, "layer name; default: Keras's automatic name", nullable=True),
        Arg("dtype", "dtype", None, "dtype policy of the layer's weights and computation", nullable=True),
    ]
    if trainable:
        args += [
            Arg("trainable", "bool", True, "false makes every weight non-trainable", structural=True),
            Arg("activity_regularizer", "object", None, "regularizer on the layer's output"),
            Arg("autocast", "bool", True, "cast inputs to the layer's compute dtype"),
            Arg("input_dim", "int", None, "Sequential-style input size (Keras warns and ignores it here)",
                minimum=1, nullable=True),
            Arg("input_shape", "shape", None, "Sequential-style input shape (Keras warns and ignores it here)",
                nullable=True),
        ]
    return tuple(args)
