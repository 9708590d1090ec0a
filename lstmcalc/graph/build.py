"""Gather: a `ModelSpec` becomes a `Model`, a tuple of frozen layer records.

Each record knows its inbound layers, input and output shapes, its weights
(as the layer type declares them), its parameter formula and its cost. The
renderers only turn these finished values into text. Every spec is a chain
today; `inbound` is already a tuple so that graphs need no new record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod

from lstmcalc.errors import Problem, ShapeError, SpecError
from lstmcalc.layers import Formula, LayerType, WeightSpec, batch_axis, resolve
from lstmcalc.layers.args import Args
from lstmcalc.shapes import fmt_shape
from lstmcalc.sources.spec import LayerSpec, ModelSpec

FLOAT32_BYTES = 4


class InputLayer(LayerType):
    """The model's input: it has no weights and only declares the shape."""

    name = "InputLayer"


INPUT = InputLayer()


@dataclass(frozen=True)
class LayerRecord:
    name: str
    type: LayerType
    args: Args
    input_shape: tuple | None
    output_shape: tuple
    weights: tuple[WeightSpec, ...]
    formula: Formula
    macs: int | None = None
    elementwise: int | None = None
    inbound: tuple[str, ...] = ()
    children: tuple[LayerRecord, ...] = ()
    role: str | None = None
    spec: LayerSpec | None = None

    @property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def trainable_params(self) -> int:
        return sum(w.size for w in self.weights if w.trainable)

    @property
    def non_trainable_params(self) -> int:
        return self.params - self.trainable_params

    @property
    def type_name(self) -> str:
        return self.type.name

    @property
    def display_type(self) -> str:
        """`Bidirectional(LSTM)` for wrappers, the class name otherwise."""
        if self.children:
            return f"{self.type.name}({self.children[0].display_type})"
        return self.type.name

    @property
    def outputs(self) -> list[tuple]:
        """Every output shape (several with return_state or merge_mode null)."""
        return self.output_shape if isinstance(self.output_shape, list) else [self.output_shape]

    def output_size(self) -> int | None:
        """Values in one sample's outputs (None if a size is variable)."""
        total = 0
        for shape in self.outputs:
            if None in shape[1:]:
                return None
            total += prod(shape[1:])
        return total


@dataclass(frozen=True)
class Model:
    spec: ModelSpec
    layers: tuple[LayerRecord, ...]  # the input first

    @property
    def name(self) -> str | None:
        return self.spec.name

    @property
    def framework(self) -> str:
        return self.spec.framework

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(r.trainable_params for r in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def output_shape(self) -> tuple:
        return self.layers[-1].output_shape

    def get(self, name: str) -> LayerRecord | None:
        for r in self.layers:
            if r.name == name:
                return r
        return None

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.layers]


def _located(err: ShapeError, spec: LayerSpec, file: str, s, prev: LayerRecord | None) -> SpecError:
    message, hint = err.message, err.hint
    if prev is not None and prev.type is not INPUT:
        message += f" (from '{prev.name}')"
        if getattr(err, "rank_too_low", False) and prev.args.get("return_sequences") is False:
            hint = f"set return_sequences: true on '{prev.name}'"
    return SpecError(Problem(message, file=file, line=spec.line, column=spec.column, layer=spec.name,
                             layer_type=spec.type.name, index=spec.index, hint=hint))


def build_record(spec: LayerSpec, s: tuple, file: str, prev: LayerRecord | None = None,
                 role: str | None = None) -> LayerRecord:
    t, a = spec.type, spec.args
    try:
        if t.wrapper:
            kids = tuple(build_record(child, cs, file, prev, r) for r, child, cs in t.children(a, s))
            out = t.combine(a, s, kids)
            weights = tuple(
                replace(w, name=f"{k.role}/{w.name}") if len(kids) > 1 else w
                for k in kids for w in k.weights
            )
            formula, macs = t.formula_from(a, kids), t.macs_from(a, s, kids)
            elementwise = None
        else:
            out = t.output_shape(a, s)
            weights = tuple(t.weights(a, s))
            formula, macs = t.formula(a, s), t.macs(a, s, out)
            elementwise = t.elementwise_ops(a, s, out)
    except ShapeError as err:
        raise _located(err, spec, file, s, prev) from None
    if not a.get("trainable", True) and not t.wrapper:
        # Keras 3 quirk: a wrapper's trainable=False does not reach the wrapped
        # layers, whose variables stay trainable
        weights = tuple(replace(w, trainable=False) for w in weights)
    return LayerRecord(
        name=spec.name, type=t, args=a, input_shape=s, output_shape=out, weights=weights,
        formula=formula, macs=macs, elementwise=elementwise,
        inbound=(prev.name,) if prev is not None and role is None else (),
        children=kids if t.wrapper else (), role=role, spec=spec,
    )


def build(spec: ModelSpec, batch_size: int | None = None) -> Model:
    """Propagate shapes through the chain and gather every layer's record."""
    batch = batch_size if batch_size is not None else spec.batch_size
    axis = batch_axis(spec.framework, spec.layers)
    shape = spec.input.shape[:axis] + (batch,) + spec.input.shape[axis:]
    first = LayerRecord(spec.input.name, INPUT, Args({"dtype": spec.input.dtype}), None, shape, (),
                        Formula("0", "0", 0), 0, 0)
    records = [first]
    for layer in resolve(spec.framework, spec.layers):
        prev = records[-1]
        if len(prev.outputs) > 1:
            raise SpecError(Problem(
                f"'{prev.name}' returns {len(prev.outputs)} tensors {fmt_shape(prev.output_shape)}, "
                "but a chain passes one tensor to the next layer",
                file=spec.file, line=layer.line, column=layer.column, layer=layer.name,
                layer_type=layer.type.name, index=layer.index,
                hint=f"on '{prev.name}' remove return_state or set merge_mode (a graph is needed to use states)",
            ))
        rec = build_record(layer, prev.output_shape, spec.file, prev)
        records.append(rec)
    return Model(spec, tuple(records))


def load(path: str, batch_size: int | None = None) -> Model:
    from lstmcalc.sources import spec as spec_module

    return build(spec_module.load(path), batch_size)


__all__ = ["INPUT", "LayerRecord", "Model", "build", "build_record", "fmt_shape", "load"]
