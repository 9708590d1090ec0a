"""The model as a graph: a `ModelSpec` becomes a `Model` of layer records and nodes.

A chain is the graph the loader makes when no layer names its inputs. Each
layer call is a `Node` (Keras's `Node`: one per call, numbered per layer),
whose input tensors are `TensorRef`s (Keras's `keras_history`: layer, node,
output index). The graph is walked once in topological order to propagate
shapes and build each layer's record (weights from its first call, as Keras
builds a layer once); rows are then ordered as Keras orders them
(`keras/src/ops/function.py` `map_graph`: by depth from the outputs, ties in
the order of the depth-first walk). Every command reads the records and nodes.
"""

from __future__ import annotations

from functools import cached_property
from math import prod

from lstmcalc.errors import Problem, ShapeError, SpecError
from lstmcalc.graph import cycle_collector_paused
from lstmcalc.graph.refs import TensorRef
from lstmcalc.layers import Formula, LayerType, WeightSpec
from lstmcalc.layers.args import Args
from lstmcalc.record import Record
from lstmcalc.sources.spec import LayerSpec, ModelSpec

FLOAT32_BYTES = 4


class InputLayer(LayerType):
    """The model's input: it has no weights and only declares the shape."""

    name = "InputLayer"


INPUT = InputLayer()


class LayerRecord(Record):
    """One layer of a built model: its type and validated args, input and output shapes (batch axis
    first; a list of shapes for several), weights as Keras declares them, the closed-form count, the
    multiply-adds of one sample, its wrapped children, and the calls (`nodes`) the outputs depend on."""

    __slots__ = ("name", "type", "args", "input_shape", "output_shape", "weights", "formula", "macs", "elementwise",
                 "inbound", "children", "role", "spec", "nodes", "connected_to")

    def __init__(
        self,
        name: str,
        type: LayerType,
        args: Args,
        input_shape: tuple | None,
        output_shape: tuple,
        weights: tuple[WeightSpec, ...],
        formula: Formula,
        macs: int | None = None,
        elementwise: int | None = None,
        inbound: tuple[str, ...] = (),  # the layers (and inputs) its calls read, in order, without repeats
        children: tuple[LayerRecord, ...] = (),
        role: str | None = None,
        spec: LayerSpec | None = None,
        nodes: tuple[Node, ...] = (),  # one per call that the outputs depend on
        connected_to: tuple[str, ...] = (),  # Keras's "Connected to" cells, `NAME[node][tensor]`
    ):
        self.name = name
        self.type = type
        self.args = args
        self.input_shape = input_shape
        self.output_shape = output_shape
        self.weights = weights
        self.formula = formula
        self.macs = macs
        self.elementwise = elementwise
        self.inbound = inbound
        self.children = children
        self.role = role
        self.spec = spec
        self.nodes = nodes
        self.connected_to = connected_to

    def param_counts(self) -> tuple[int, int]:
        """(parameters, trainable parameters), in one pass over the weights."""
        total = trainable = 0
        for w in self.weights:
            size = w.size
            total += size
            if w.trainable:
                trainable += size
        return total, trainable

    @property
    def params(self) -> int:
        return self.param_counts()[0]

    @property
    def trainable_params(self) -> int:
        return self.param_counts()[1]

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


class Node(Record):
    """One call of a layer: its input tensors, keyword tensors and shapes.

    `inputs` are the positional tensors (several for a list argument such as
    a merge layer's), `call` the keyword arguments (TensorRef, tuple of them,
    or a literal). Shapes include the batch axis; `input_shape` is a list of
    shapes for a list argument; `outputs` are the shapes that `NAME[i]` indexes.
    """

    __slots__ = ("layer", "index", "inputs", "is_list", "call", "input_shape", "output_shape", "outputs", "spec",
                 "auto_mask")

    def __init__(
        self,
        layer: str,
        index: int,
        inputs: tuple[TensorRef, ...],
        is_list: bool,
        call: dict,
        input_shape: tuple | list,
        output_shape: tuple | list,
        outputs: tuple,
        spec: LayerSpec | None = None,
        auto_mask: bool = False,  # `mask` in `call` was passed by Keras's functional API, not written
    ):
        self.layer = layer
        self.index = index
        self.inputs = inputs
        self.is_list = is_list
        self.call = call
        self.input_shape = input_shape
        self.output_shape = output_shape
        self.outputs = outputs
        self.spec = spec
        self.auto_mask = auto_mask

    def input_tensors(self) -> list[TensorRef]:
        """Every input tensor in Keras's order: positional first, then keywords sorted by name."""
        out = list(self.inputs)
        if not self.call:
            return out
        for kw in sorted(self.call):
            value = self.call[kw]
            if isinstance(value, TensorRef):
                out.append(value)
            elif isinstance(value, tuple):
                out += list(value)
        return out


class Model:
    """A built model: layer records in Keras's summary order, nodes in execution order.

    `layers` are in summary order (for a chain: the input first); `nodes` in
    execution order, only those the outputs depend on; `inputs` names the
    input layers in the order written; `outputs` are the output tensors;
    `show_connections` is true where Keras's summary shows the "Connected to"
    column (a functional model that is not a plain chain). Built once, then only read.
    """

    def __init__(self, spec: ModelSpec, layers: tuple[LayerRecord, ...], nodes: tuple[Node, ...] = (),
                 inputs: tuple[str, ...] = (), outputs: tuple[TensorRef, ...] = (), show_connections: bool = False,
                 warnings: tuple[str, ...] = ()):
        self.spec, self.layers, self.nodes, self.inputs, self.outputs = spec, layers, nodes, inputs, outputs
        self.show_connections, self.warnings = show_connections, warnings

    def __repr__(self) -> str:
        return f"<Model {self.name!r}: {len(self.layers)} layers, {self.total_params:,} parameters>"

    @property
    def name(self) -> str | None:
        return self.spec.name

    @property
    def framework(self) -> str:
        return self.spec.framework

    @property
    def title(self) -> str:
        """The name the summary prints: the spec's `name`, else the one Keras 3 gives a model built
        without one (`sequential` for a chain, `functional` for a graph); `model` for PyTorch."""
        if self.spec.name:
            return self.spec.name
        if self.framework == "pytorch":
            return "model"
        return "functional" if self.spec.functional else "sequential"

    @cached_property
    def total_params(self) -> int:
        return sum(r.params for r in self.layers)

    @cached_property
    def trainable_params(self) -> int:
        return sum(r.trainable_params for r in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def output_shape(self) -> tuple | list:
        """The output's shape, or a list of shapes for several outputs."""
        shapes = [self.tensor_shape(t) for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def tensor_shape(self, t: TensorRef) -> tuple:
        for node in self.nodes_of(t.layer):
            if node.index == t.node:
                return node.outputs[t.index]
        raise KeyError(t)

    def nodes_of(self, name: str) -> tuple[Node, ...]:
        return self.get(name).nodes

    @cached_property
    def _by_name(self) -> dict[str, LayerRecord]:
        return {r.name: r for r in self.layers}

    def get(self, name: str) -> LayerRecord | None:
        return self._by_name.get(name)

    @property
    def input_records(self) -> list[LayerRecord]:
        """The input layers, in the order the spec writes them."""
        return [self.get(n) for n in self.inputs]

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.layers]

    # Jupyter shows the last value of a cell with these (the render modules load only when asked)
    def _repr_html_(self) -> str:
        from lstmcalc.gather.report import report
        from lstmcalc.render.report import notebook

        return notebook(report(self))

    def _repr_svg_(self) -> str:
        from lstmcalc.gather import diagram
        from lstmcalc.render.svg import svg

        return svg(diagram.scene(diagram.graph(self)))

    def _repr_markdown_(self) -> str:
        from lstmcalc.gather.summary import summary_rows, totals
        from lstmcalc.render.text import summary_markdown

        text = summary_markdown(self.title, summary_rows(self), totals(self),
                                ("shape", "params", "connected") if self.show_connections else ("shape", "params"),
                                False)
        # names from the spec stay text: no raw HTML reaches the notebook (the table's own <br> stays)
        return text.replace("<", "&lt;").replace(">", "&gt;").replace("&lt;br&gt;", "<br>")


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
                w._replace(name=f"{k.role}/{w.name}") if len(kids) > 1 else w
                for k in kids for w in k.weights
            )
            formula, macs = t.formula_from(a, kids), t.macs_from(a, s, kids)
            elementwise = None
        else:
            a = t.with_call(a, spec.call)
            out = t.output_shape(a, s)
            weights = tuple(t.weights(a, s))
            formula, macs = t.formula(a, s), t.macs(a, s, out)
            elementwise = t.elementwise_ops(a, s, out)
    except ShapeError as err:
        raise _located(err, spec, file, s, prev) from None
    if not a.get("trainable", True) and not t.wrapper:
        # Keras 3 quirk: a wrapper's trainable=False does not reach the wrapped
        # layers, whose variables stay trainable
        weights = tuple(w._replace(trainable=False) for w in weights)
    # name, type, args, input_shape, output_shape, weights, formula, macs, elementwise, inbound, children,
    # role, spec (positional: this runs once per layer, and keywords cost more to match than the work)
    return LayerRecord(spec.name, t, a, s, out, weights, formula, macs, elementwise,
                       (prev.name,) if prev is not None and role is None else (), kids if t.wrapper else (), role,
                       spec)


def build(spec: ModelSpec, batch_size: int | None = None, only_used: bool = False) -> Model:
    """Propagate shapes through the graph and gather every layer's record.

    Raises SpecError (file, line, layer, reference and fix) for a reference to
    nothing, an index past a layer's outputs, a cycle, shapes that do not fit
    or keyword tensors (initial_state) that do not fit the layer. `only_used` walks only the calls the
    outputs depend on (a forward pass on concrete shapes runs nothing else, as Keras runs nothing else).
    """
    from lstmcalc.graph.wiring import Wiring

    with cycle_collector_paused():
        wiring = Wiring(spec, batch_size, only_used)
        try:
            return wiring.model()
        finally:
            # its mask operations call back into it: without this cycle, reference counting frees the
            # wiring's tables here, instead of the collector scanning the whole graph to find them
            wiring.k = None


def load(path: str, batch_size: int | None = None) -> Model:
    from lstmcalc.sources import spec as spec_module

    return build(spec_module.load(path), batch_size)


__all__ = ["INPUT", "LayerRecord", "Model", "Node", "build", "build_record", "load"]
