"""What a layer type declares, in one place.

A `LayerType` subclass is the single home of one layer type: its arguments
(with Keras's names and defaults), its output-shape rule, its weight tensors,
its closed-form parameter formula, its multiply-add count and its reference
forward function. Everything else in lstmcalc is generic over these.

Shapes are tuples that include the batch axis; `None` is a variable size.
"""

from __future__ import annotations

from functools import cached_property
from math import prod

from lstmcalc.errors import ShapeError
from lstmcalc.layers.args import Arg, Args, base_args
from lstmcalc.record import Record
from lstmcalc.shapes import fmt_shape


class WeightSpec(Record):
    """One weight tensor as Keras declares it in `build`."""

    __slots__ = ("name", "shape", "trainable", "doc", "training_only")

    def __init__(
        self,
        name: str,
        shape: tuple[int, ...],
        trainable: bool = True,
        doc: str = "",
        training_only: bool = False,  # updated while training, never read at inference
    ):
        self.name = name
        self.shape = shape
        self.trainable = trainable
        self.doc = doc
        self.training_only = training_only

    @property
    def size(self) -> int:
        return prod(self.shape)


class Formula(Record):
    """A closed-form parameter count: in symbols, with numbers, and its value."""

    __slots__ = ("symbols", "numbers", "value")

    def __init__(
        self,
        symbols: str,
        numbers: str,
        value: int,
    ):
        self.symbols = symbols
        self.numbers = numbers
        self.value = value


class LayerType:
    """Base class: a layer type with no weights that keeps its input shape."""

    name: str = ""  # the Keras class name
    auto_name: str = ""  # Keras's automatic layer name (snake case)
    aliases: tuple[str, ...] = ()  # other names the framework exports for the same class
    args: tuple[Arg, ...] = ()
    wrapper: bool = False
    supports_masking: bool = False
    trainable_arg: bool = True  # does the constructor accept trainable=?
    ignored_tensors: tuple[str, ...] = ()  # accepted in `run` weights and not used (e.g. training counters)
    call_args: tuple[str, ...] = ()  # keyword arguments of the call (`call:` in a spec), e.g. initial_state
    takes_list: bool = False  # the call's first argument is a list of tensors (merge layers)
    list_positional: bool = False  # the list's tensors are the call's positional arguments (query, value, key)
    accepts_list: bool = False  # a list of tensors or one (torch's MultiheadAttention: [q, k, v] or self-attention)
    mask_arg: bool = False  # Keras's `call` takes `mask=`: a functional model passes the input's mask to it
    is_op: bool = False  # a keras.ops operation recorded in a functional graph (a mask's not_equal, any...)
    # where Keras 3's weights file keeps each weight-name prefix, for a layer built from sub-layers:
    # (("query", "query_dense/vars"), ...); empty: the layer's own `vars` (sources/keras_h5.py)
    keras_groups: tuple[tuple[str, str], ...] = ()
    creates: tuple[str, ...] = ()  # automatic names of the layers Keras creates inside this one when it builds

    # rank limits of the input, batch axis included (None: no limit)
    min_rank: int | None = None
    max_rank: int | None = None
    rank_hint: str = ""

    def keras_groups_of(self, a) -> tuple[tuple[str, str], ...]:
        """`keras_groups` for these arguments (a layer whose sub-layers depend on them overrides this)."""
        return self.keras_groups

    @cached_property
    def all_args(self) -> tuple[Arg, ...]:
        """The layer's own arguments, then those of keras.Layer it does not redefine
        (Embedding's input_dim is the vocabulary size, not the Sequential-style one)."""
        own = {a.name for a in self.args}
        return self.args + tuple(a for a in base_args(trainable=self.trainable_arg) if a.name not in own)

    @cached_property
    def declared(self) -> dict[str, Arg]:
        """`all_args` by name, for the spec loader (built once per type, not once per layer)."""
        return {a.name: a for a in self.all_args}

    @cached_property
    def required_args(self) -> tuple[Arg, ...]:
        """The arguments a spec must give, in the declared order."""
        return tuple(a for a in self.all_args if a.required)

    @cached_property
    def defaults(self) -> dict:
        """The other arguments' defaults, in the declared order."""
        return {a.name: a.default for a in self.all_args if not a.required}

    @cached_property
    def args_class(self) -> type[Args]:
        """`Args` for this type's layers: its defaults are the class's attributes (see Args)."""
        defaults = self.defaults
        return type(f"{type(self).__name__}Args", (Args,), {"__slots__": (), **defaults, "defaults": defaults})

    @property
    def doc(self) -> str:
        return (self.__doc__ or "").strip()

    # -- shapes -------------------------------------------------------------
    def check_rank(self, s) -> None:
        if self.min_rank is not None and len(s) < self.min_rank or (
            self.max_rank is not None and len(s) > self.max_rank
        ):
            if self.min_rank == self.max_rank:
                want = f"a {self.min_rank}-D input"
            elif self.max_rank is None:
                want = f"an input of rank {self.min_rank} or more"
            else:
                want = f"a {self.min_rank}-D to {self.max_rank}-D input"
            err = ShapeError(f"{self.name} needs {want}{self.rank_hint} but got {fmt_shape(s)}")
            err.rank_too_low = len(s) < (self.min_rank or 0)
            raise err

    def output_shape(self, a: Args, s: tuple) -> tuple:
        return s

    def with_call(self, a: Args, call: dict) -> Args:
        """The arguments with the call's flags that change the outputs (return_attention_scores)."""
        return a

    def check_call(self, a: Args, s, out, call: dict) -> list[str]:
        """Check the shapes of the call's keyword tensors (`call` maps keyword -> shape or list of shapes).

        Raises ShapeError; returns warnings (what Keras accepts but ignores). Keras finds some of
        these mistakes only when it runs the model; lstmcalc refuses them up front.
        """
        return []

    def reference_outputs(self, a: Args, s, out) -> list:
        """The outputs a reference `NAME[i]` indexes (torch modules return more than the row shows)."""
        return out if isinstance(out, list) else [out]

    def output_names(self, a: Args, out) -> list[str]:
        """What each output is, for explain (one name per output that a reference can index)."""
        n = len(out) if isinstance(out, list) else 1
        return ["output"] if n == 1 else [f"output {i}" for i in range(n)]

    def reference_values(self, a: Args, y, context: dict, out) -> list:
        """The values `NAME[i]` indexes, from the forward pass's result (and what it left in `context`)."""
        return y if isinstance(out, list) else [y]

    def shape_rule(self, a: Args, s: tuple, out: tuple) -> str:
        """Why the output has this shape (one or two sentences, for explain)."""
        return f"{self.name} keeps the shape of its input."

    # -- weights and parameters ---------------------------------------------
    def weights(self, a: Args, s: tuple) -> list[WeightSpec]:
        return []

    def formula(self, a: Args, s: tuple) -> Formula:
        return Formula("0", "0", 0)

    # -- cost -----------------------------------------------------------------
    def macs(self, a: Args, s: tuple, out: tuple) -> int:
        """Multiply-adds of the matrix products for one sample (batch axis excluded)."""
        return 0

    def elementwise_ops(self, a: Args, s: tuple, out: tuple) -> int:
        """Bias additions and elementwise operations for one sample."""
        return 0

    # -- explain --------------------------------------------------------------
    def notes(self, a: Args, s: tuple, out: tuple) -> list[str]:
        """Extra lines for explain: how the layer works, step by step."""
        return glu_notes(a, out)

    def pytorch_note(self, a: Args, s: tuple) -> str | None:
        """One line on how PyTorch's equivalent module counts differently (or None)."""
        return None

    # -- the other framework (export, convert-weights) ---------------------------
    def to_pytorch(self, a: Args, s: tuple):
        """The torch modules computing the same function (an `Equivalent`), or NoEquivalent."""
        from lstmcalc.layers.equivalent import NoEquivalent

        raise NoEquivalent(f"{self.name} has no equivalent in lstmcalc's PyTorch dialect",
                           "remove the layer, or write its PyTorch code by hand")

    def call_to_pytorch(self, a: Args, keyword: str):
        """(torch keyword, step applied to each tensor or None) for a keyword tensor of the call."""
        from lstmcalc.layers.equivalent import NoEquivalent

        raise NoEquivalent(f"the call's {keyword} has no PyTorch equivalent", "remove it from call:")

    def torch_weights(self, a: Args, s: tuple, w: dict) -> dict:
        """The equivalent module's state_dict tensors from this layer's Keras weights."""
        return {}

    def from_torch_weights(self, a: Args, s: tuple, sd: dict) -> dict:
        """This layer's Keras weights from the equivalent module's state_dict tensors."""
        return {}

    # -- forward --------------------------------------------------------------
    def forward(self, a: Args, w, x, mask=None):
        """Reference forward pass on nested lists (batch first); identity here."""
        return x

    def compute_mask(self, a: Args, x, mask):
        return mask if self.supports_masking else None

    def symbolic_mask(self, a: Args, k, x, mask):
        """The output mask in a functional graph, built with `k` (graph.mask_ops.MaskOps) as Keras's
        `compute_mask` builds it with `keras.ops`: x and mask are tensor references (a list for a list
        input); returns a reference, a list (one per output) or None."""
        return mask if self.supports_masking else None


def glu_notes(a: Args, out) -> list[str]:
    """Keras's summary does not halve the last axis for activation glu; running does."""
    if a.get("activation") != "glu" or not isinstance(out, tuple) or out[-1] is None:
        return []
    n = out[-1]
    runs = (f"returns {fmt_shape(out[:-1] + (n // 2,))} when it runs" if n % 2 == 0 else
            f"fails when it runs, because glu needs an even width (here {n})")
    return [f"activation glu is a ⊙ σ(b) over the two halves [a, b] of the last axis, so it halves that axis. "
            f"Keras 3 reports {fmt_shape(out)} (its compute_output_shape ignores the activation) and lstmcalc "
            f"shows the same, but the layer {runs}; verify reports the difference."]


def initial_states(call: dict) -> list | None:
    """The shapes given as `initial_state` in `call:` as a list (one state may be written alone), or None."""
    states = call.get("initial_state")
    if states is None:
        return None
    return states if isinstance(states, list) else [states]


def need_known(s, axis: int, what: str, layer: str) -> int:
    d = s[axis]
    if d is None:
        raise ShapeError(
            f"{layer} needs a known {what} but the input is {fmt_shape(s)}",
            "give that axis a size in input.shape",
        )
    return d


def total_or_none(values):
    """Sum of costs, or None if any is unknown (a variable size)."""
    values = list(values)
    return None if None in values else sum(values)


def mult(*dims):
    """Product that propagates None (a variable size)."""
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out
