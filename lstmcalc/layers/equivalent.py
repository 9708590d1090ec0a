"""What a layer is in the other framework: the pieces `export` and `convert-weights` build on.

A Keras layer type's `to_pytorch(a, s)` (and a torch module's `to_keras(a, s)`)
returns an `Equivalent`: the layers of the other dialect that compute the same
function, written as spec mappings, with local references between them
(`$in` the layer's input, `$0` the first step's output, `$0[1]` its output 1).
A step without `inputs` takes the step before it (the first one: `$in`).
`weights` is the step that holds the layer's weights (torch -> Keras: each
Keras step that takes some says which with `$from`, the tag of a stacked
layer, `l0`, `l1`...); the Keras layer type converts them itself (`torch_weights` / `from_torch_weights` on the Keras
type: one place for the transposes, gate orders and bias vectors).

Where the other framework has no exact equivalent the method raises
`NoEquivalent` naming the argument and the nearest honest alternative:
never a silently different model.
"""

from __future__ import annotations

from lstmcalc.record import Record


class Equivalent(Record):
    __slots__ = ("steps", "outputs", "weights", "note")

    def __init__(
        self,
        steps: tuple[dict, ...],  # layer mappings of the other dialect, "$name": suffix of the step's name
        outputs: tuple[str, ...] = ("$last",),  # local reference of each output, in order
        weights: int | None = None,  # Keras -> torch: index of the step holding the weights
        note: str = "",  # where the frameworks count differently
    ):
        self.steps = steps
        self.outputs = outputs
        self.weights = weights
        self.note = note


class NoEquivalent(Exception):
    def __init__(self, message: str, hint: str):
        self.message, self.hint = message, hint
        super().__init__(message)


TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "softmax": "Softmax"}


def activation_steps(activation: str | None, what: str) -> list[dict]:
    """The torch modules after a layer with Keras's `activation:` (none for linear)."""
    if activation in (None, "linear"):
        return []
    module = TORCH_ACTIVATIONS.get(activation)
    if module is None:
        raise NoEquivalent(f"{what}: activation {activation} has no module in lstmcalc's PyTorch dialect",
                           "use relu, tanh, sigmoid or softmax, or apply it by hand in the exported code")
    step = {"type": module, "$name": activation}
    if module == "Softmax":
        step["dim"] = -1
    return [step]


def transposed(m: list) -> list:
    return [list(row) for row in zip(*m)]


def blocks(v: list, n: int, order: tuple[int, ...]) -> list:
    """The gate blocks of a stacked vector or matrix (rows) reordered: block j of the result is block order[j]."""
    size = len(v) // n
    return [row for k in order for row in v[k * size:(k + 1) * size]]


def zeros(n: int) -> list[float]:
    return [0.0] * n


def added(u: list, v: list) -> list:
    return [p + q for p, q in zip(u, v)]
