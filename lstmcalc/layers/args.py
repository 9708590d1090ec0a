"""Layer arguments declared as data, and their central validation.

Each layer type lists its constructor arguments as `Arg` values (Keras's
name, kind, default, one-line doc). `validate` checks a user's value against
its declaration and returns the normalised value or raises `ArgError` with
a message that says what would be accepted. The JSON Schema is generated
from the same declarations (`schema.py`).
"""

from __future__ import annotations

import functools
from typing import Any

from lstmcalc.record import Record
from lstmcalc.render.terminal import brief

REQUIRED = object()

# Keras 3 looks these identifiers up exactly (case-sensitively): the names its
# `activations.get`, `initializers.get`, `regularizers.get` and
# `constraints.get` resolve, as enumerated from the package into
# goldens/keras_summary.json (`keras_names`); tests/test_keras_names.py holds
# these lists equal to it.
ACTIVATIONS = (
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu",
    "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink",
    "threshold",
)
# Activations a name alone cannot run: Keras accepts the name when it builds the
# model and fails when the layer runs. Why, for the message.
UNRUNNABLE_ACTIVATIONS = {
    "threshold": "threshold needs its threshold and default_value arguments, which a name cannot give",
}
INITIALIZERS = (
    "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "IdentityInitializer",
    "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal", "OrthogonalInitializer",
    "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "Zeros", "glorot_normal",
    "glorot_uniform", "he_normal", "he_uniform", "identity", "initializer", "lecun_normal",
    "lecun_uniform", "normal", "one", "ones", "orthogonal", "random_normal", "random_uniform",
    "truncated_normal", "uniform", "variance_scaling", "zero", "zeros",
)
# Initializers Keras lists but cannot build from a name alone, and what to write instead.
INITIALIZERS_NEEDING_ARGS = {
    "constant": "Constant needs a value: write {class_name: Constant, config: {value: 0.5}}",
    "stft": "STFT needs SciPy and its arguments: write {class_name: STFT, config: {...}}",
    "stftinitializer": "STFT needs SciPy and its arguments: write {class_name: STFT, config: {...}}",
}
REGULARIZERS = (
    "L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "l1", "l1l2", "l2",
    "orthogonal_regularizer", "regularizer",
)
CONSTRAINTS = (
    "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "constraint", "max_norm",
    "min_max_norm", "non_neg", "unit_norm",
)
IDENTIFIERS = {"initializer": INITIALIZERS, "regularizer": REGULARIZERS, "constraint": CONSTRAINTS}
DTYPES = (
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "bool", "mixed_float16", "mixed_bfloat16",
)


class ArgError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)


class Arg(Record):
    """One constructor argument.

    kind is one of: int, float, bool, str, choice, activation, initializer,
    regularizer, constraint, object, dtype, ints (an int or a list of one
    int, as Keras's 1-D kernel_size), pair (an int or a list of two ints, as
    Keras's 2-D kernel_size: normalised to a tuple of two), ntuple (an int, or one
    int per spatial axis), intlist, axis (int or list of ints), shape (list of ints
    or nulls), layer (a nested layer spec), cell (a nested cell spec or a list of
    them: RNN's cell), cells (a list of cell specs).

    An argument whose default is None accepts null, as Keras's does. Choices
    are matched exactly, as Keras and torch look them up, unless
    `ignore_case` (Keras lower-cases `padding` of convolutions and every
    `data_format` itself).
    """

    __slots__ = ("name", "kind", "default", "doc", "choices", "minimum", "maximum", "nullable", "structural",
                 "ignore_case")

    def __init__(
        self,
        name: str,
        kind: str,
        default: Any = REQUIRED,
        doc: str = "",
        choices: tuple = (),
        minimum: float | None = None,
        maximum: float | None = None,
        nullable: bool = False,
        structural: bool = False,  # changes an output shape or a parameter count
        ignore_case: bool = False,
    ):
        self.name = name
        self.kind = kind
        self.default = default
        self.doc = doc
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.nullable = nullable
        self.structural = structural
        self.ignore_case = ignore_case

    @property
    def accepts_null(self) -> bool:
        """`nullable`, or a default of None (which accepts null, as Keras's does)."""
        return self.nullable or self.default is None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class Args:
    """Validated arguments of one layer, defaults filled in; attribute access (`args.units`).

    A layer type's own subclass (`LayerType.args_class`) holds the type's defaults as class
    attributes, so each layer keeps only what its spec gives: a 20,000-layer spec does not copy
    an LSTM's twenty defaults twenty thousand times. `values` is every argument, given or default.
    """

    __slots__ = ("__dict__",)
    defaults: dict = {}  # the layer type's defaults (LayerType.args_class); none for a plain Args

    def __init__(self, values: dict | None = None):
        # the given values are the instance's attributes: `args.units` is a plain attribute lookup, and a
        # default is found on the class (the layer types read a few arguments per layer, a 20,000-layer
        # spec 200,000 times)
        self.__dict__ = {} if values is None else values

    @property
    def values(self) -> dict:
        """Every argument by name: the defaults, then what was given over them."""
        return {**self.defaults, **self.__dict__}

    def __reduce__(self):  # copy and pickle: the given values, under the same type
        return type(self), (self.__dict__,)

    def __eq__(self, other) -> bool:
        return isinstance(other, Args) and self.values == other.values

    __hash__ = None  # holds a dict

    def __repr__(self) -> str:
        return f"Args({self.values!r})"

    def get(self, name, default=None):
        given = self.__dict__
        return given[name] if name in given else self.defaults.get(name, default)

    def replace(self, **changes) -> Args:
        return type(self)({**self.__dict__, **changes})


def _describe(arg: Arg) -> str:
    return {
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "str": "a string",
        "choice": "one of " + ", ".join(map(str, arg.choices)),
        "activation": "an activation name such as relu, tanh or sigmoid",
        "initializer": "an initializer name such as glorot_uniform, a {class_name, config} mapping or null",
        "regularizer": "a regularizer name such as l2, a {class_name, config} mapping or null",
        "constraint": "a constraint name such as max_norm, a {class_name, config} mapping or null",
        "object": "a name, a mapping or null",
        "dtype": "a dtype such as float32 or int32",
        "ints": "an integer or a list of one integer" + "".join(f" or {c}" for c in arg.choices),
        "pair": "an integer or a list of two integers" + "".join(f" or {c}" for c in arg.choices),
        "intlist": "a list of integers",
        "ntuple": "an integer or a list of integers (one per spatial axis)",
        "axis": "an integer or a list of integers",
        "shape": "a list of integers or nulls",
        "layer": "a nested layer mapping with a type",
        "cell": "a cell mapping with a type (LSTMCell, GRUCell, SimpleRNNCell, StackedRNNCells) or a list of them",
        "cells": "a list of cell mappings",
    }[arg.kind]


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bounds(arg: Arg, v):
    lo, hi = arg.minimum, arg.maximum
    if (lo is None or lo <= v) and (hi is None or v <= hi):  # in range (NaN is not: it fails both)
        return v
    if v != v and (arg.minimum is not None or arg.maximum is not None):  # NaN is in no range
        raise ArgError(f"{arg.name} must be a number in its range, got nan", "write a number such as 0.5")
    if arg.minimum is not None and v < arg.minimum:
        raise ArgError(f"{arg.name} must be at least {arg.minimum:g}, got {v}")
    if arg.maximum is not None and v > arg.maximum:
        raise ArgError(f"{arg.name} must be at most {arg.maximum:g}, got {v}")
    return v


def _wrong(arg: Arg, given) -> ArgError:
    """The error for a value of the wrong kind (made only for a bad value: the message costs more than every check)."""
    return ArgError(f"{arg.name} must be {_describe(arg)}, got {brief(given)}", None)


def validate(arg: Arg, value):
    """Return the normalised value or raise ArgError."""
    if value is None:
        if arg.accepts_null or arg.kind in ("object", "activation", *IDENTIFIERS):
            return None
        raise ArgError(f"{arg.name} must be {_describe(arg)}, not null")
    given = value  # for the message: `value` may be normalised on the way
    kind = arg.kind
    if kind == "int":
        if value.__class__ is not int and not _is_int(value):  # int itself first: the usual value
            if isinstance(value, float) and value.is_integer():
                raise ArgError(f"{arg.name} must be an integer, got {value!r}", f"write {int(value)}")
            raise _wrong(arg, given)
        return _bounds(arg, value)
    if kind == "float":
        if value.__class__ is not float:
            if not _is_number(value):
                raise _wrong(arg, given)
            try:
                value = float(value)
            except OverflowError:
                raise ArgError(f"{arg.name} is too large for a floating-point number",
                               "write a smaller number") from None
        return _bounds(arg, value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _wrong(arg, given)
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _wrong(arg, given)
        return value
    if kind == "choice":
        return _choice(arg, value)
    if kind == "activation":
        return _activation(arg, value)
    if kind in IDENTIFIERS:
        return _identifier(arg, value)
    if kind == "object":
        if isinstance(value, (str, dict, int, float)):
            return value
        raise _wrong(arg, given)
    if kind == "dtype":
        if isinstance(value, str) and value in DTYPES:
            return value
        raise _wrong(arg, given)
    if kind == "ints":
        if isinstance(value, str) and arg.choices:  # torch's padding: a size or 'same' / 'valid'
            return _choice(arg, value)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not _is_int(value):
            raise _wrong(arg, given)
        return _bounds(arg, value)
    if kind == "pair":
        if isinstance(value, str) and arg.choices:  # torch's padding: sizes or 'same' / 'valid'
            return _choice(arg, value)
        if _is_int(value):
            value = [value, value]
        if not isinstance(value, list) or len(value) != 2 or not all(_is_int(v) for v in value):
            raise _wrong(arg, given)
        return tuple(_bounds(arg, v) for v in value)
    if kind == "ntuple":  # an int, or one int per spatial axis (ConvLSTM2D's kernel_size)
        if isinstance(value, list) and value and all(_is_int(v) for v in value):
            return tuple(_bounds(arg, v) for v in value)
        if not _is_int(value):
            raise _wrong(arg, given)
        return _bounds(arg, value)
    if kind == "intlist":
        if not isinstance(value, list) or not all(_is_int(v) or (arg.accepts_null and v is None) for v in value):
            raise _wrong(arg, given)
        return tuple(value)
    if kind == "axis":
        if _is_int(value):
            return value
        if isinstance(value, list) and value and all(_is_int(v) for v in value):
            return tuple(value)
        raise _wrong(arg, given)
    if kind == "shape":
        if not isinstance(value, list) or not all(v is None or _is_int(v) for v in value):
            raise _wrong(arg, given)
        for i, v in enumerate(value):
            if v is not None and arg.minimum is not None and v < arg.minimum:
                raise ArgError(f"{arg.name}[{i}] must be at least {arg.minimum:g} or null, got {v}",
                               "write null for an axis that takes the input's size, 1 to share the mask along it")
        return tuple(value)
    if kind == "layer":
        if not isinstance(value, dict):
            raise _wrong(arg, given)
        return value
    raise AssertionError(f"unknown arg kind {kind}")


def _case_hint(what: str, value, names) -> str | None:
    """'... are case-sensitive, as in Keras: MaxNorm or max_norm' when the case
    (or only an underscore) is wrong."""
    same = [n for n in names if n.lower() == value.lower()]
    snake = [n for n in names if n.islower() and n.replace("_", "") == value.lower().replace("_", "")]
    found = same + [n for n in snake if n not in same]
    if not found:
        return None
    return f"{what} are case-sensitive, as in Keras: " + " or ".join(found)


def _choice(arg: Arg, value):
    if value in arg.choices:
        return value
    if isinstance(value, str) and value.lower() in arg.choices:
        if arg.ignore_case:
            return value.lower()
        raise ArgError(f"{arg.name} must be {_describe(arg)}, got {value!r}",
                       f"{arg.name} values are lower case: {value.lower()}")
    raise _wrong(arg, value)


def _activation(arg: Arg, value):
    if not isinstance(value, str):
        raise ArgError(f"{arg.name} must be {_describe(arg)} or null, got {value!r}")
    if value in UNRUNNABLE_ACTIVATIONS:
        raise ArgError(f"{arg.name}: {value!r} cannot run from its name",
                       UNRUNNABLE_ACTIVATIONS[value] + " (Keras accepts the name and fails when the layer runs); "
                       "choose another activation")
    if value in ACTIVATIONS:
        return value
    if value.lower() in ACTIVATIONS:
        raise ArgError(f"{arg.name}: unknown activation {value!r}",
                       f"activation names are lower case: {value.lower()}")

    from difflib import get_close_matches  # only for a mistake: not at start-up

    close = get_close_matches(value.lower(), ACTIVATIONS, n=1, cutoff=0.6)
    raise ArgError(f"{arg.name}: unknown activation {value!r}",
                   f"did you mean '{close[0]}'?" if close else
                   "use one of " + ", ".join(ACTIVATIONS[:6]) + ", ... (lstmcalc schema lists them all)")


def _identifier(arg: Arg, value):
    """An initializer, regularizer or constraint: a name Keras knows, or a config mapping."""
    kind = arg.kind
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise ArgError(f"{arg.name} must be {_describe(arg)}, got {value!r}")
    names = IDENTIFIERS[kind]
    if value in names:
        return value
    if kind == "initializer" and value.lower() in INITIALIZERS_NEEDING_ARGS:
        raise ArgError(f"{arg.name}: initializer {value!r} cannot be built from its name",
                       INITIALIZERS_NEEDING_ARGS[value.lower()])

    hint = _case_hint(f"{kind} names", value, names)
    if hint is None:
        from difflib import get_close_matches  # only for a mistake: not at start-up

        close = get_close_matches(value, names, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"Keras's {kind}s: " + ", ".join(
            n for n in names if n.islower())
    raise ArgError(f"{arg.name}: unknown {kind} {value!r}", hint)


def weight_args(**initializers) -> tuple[Arg, ...]:
    """The initializer, regularizer and constraint arguments of each named weight,
    e.g. weight_args(kernel="glorot_uniform", bias="zeros")."""
    names = list(initializers)
    return (
        *(Arg(f"{n}_initializer", "initializer", init, f"initializer of {n}") for n, init in initializers.items()),
        *(Arg(f"{n}_regularizer", "regularizer", None, f"regularizer of {n}") for n in names),
        *(Arg(f"{n}_constraint", "constraint", None, f"constraint on {n}") for n in names),
    )


@functools.cache
def base_args(*, trainable: bool = True) -> tuple[Arg, ...]:
    """The keyword arguments every Keras layer accepts (keras.Layer.__init__)."""
    args = [
        Arg("name", "str", None, "layer name; default: Keras's automatic name", nullable=True),
        Arg("dtype", "dtype", None, "dtype policy of the layer's weights and computation", nullable=True),
    ]
    if trainable:
        args += [
            Arg("trainable", "bool", True, "false makes every weight non-trainable", structural=True),
            Arg("activity_regularizer", "regularizer", None, "regularizer on the layer's output"),
            Arg("autocast", "bool", True, "cast inputs to the layer's compute dtype"),
            Arg("input_dim", "int", None, "Sequential-style input size (Keras warns and ignores it here)",
                minimum=1, nullable=True),
            Arg("input_shape", "shape", None, "Sequential-style input shape (Keras warns and ignores it here)",
                nullable=True),
        ]
    return tuple(args)
