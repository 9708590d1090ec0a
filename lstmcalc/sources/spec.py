"""The spec loader: YAML text → a validated `ModelSpec`.

Every key is checked against the contract (top level) or the layer type's
declared arguments (layers); every problem becomes a `SpecError` carrying
the file, line, column, layer and a fix. Unnamed layers get Keras's
automatic names (`lstm`, `lstm_1`, ...; a wrapped layer is named before
its wrapper).
"""

from __future__ import annotations

from lstmcalc.errors import Problem, SpecError
from lstmcalc.graph import cycle_collector_paused
from lstmcalc.graph.refs import Ref, parse_ref
from lstmcalc.layers import KERAS, REGISTRIES, LayerType, lookup
from lstmcalc.layers.args import Arg, ArgError, Args, validate
from lstmcalc.layers.keras_classes import known_names, unmodelled
from lstmcalc.record import Record
from lstmcalc.sources import yaml_text as yamlload

TOP_KEYS = ("name", "framework", "input", "inputs", "batch_size", "layers", "outputs", "expect")
INPUT_KEYS = ("shape", "name", "dtype")
MODEL_EXPECT = ("total_params", "trainable_params", "non_trainable_params", "output_shape", "max_params")
LAYER_EXPECT = ("output_shape", "params")
LAYER_META = ("type", "name", "expect", "inputs", "call")
# call: keyword arguments that hold tensor references (the rest are literals such as use_causal_mask: true)
TENSOR_KWARGS = ("initial_state", "mask", "key", "attention_mask", "hx", "attn_mask", "key_padding_mask", "src_mask",
                 "src_key_padding_mask", "tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask")
_NOT_ARGUMENTS = frozenset(("type", "expect", "inputs", "call"))  # a layer's keys other than its arguments
_NESTED_KINDS = frozenset(("layer", "cell", "cells"))  # arguments that are layers: _Parser.nested reads them
INPUT_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
                "uint8", "bool")


class LayerSpec(Record):
    """One layer as the user wrote it, validated, with its final name.

    `line`/`column` locate it in the file, `index` is its position in
    `layers:` (0-based), `arg_lines` maps the keys written (each argument
    among them) to their (line, column) where known;
    `inputs` are None for the entry above (a chain), `inputs_is_list` is true
    for `inputs: [a, b]` (a list argument) rather than `inputs: a`, `call` maps
    a keyword to a Ref, a tuple of Refs or a literal, and `shared` is true for
    `{call: NAME}` (another call of a layer defined above). Equal by every
    field but `arg_lines`.
    """

    __slots__ = ("type", "name", "args", "line", "column", "index", "expect", "arg_lines", "inputs",
                 "inputs_is_list", "call", "shared")

    def __init__(self, type: LayerType, name: str, args: Args, line: int | None = None, column: int | None = None,
                 index: int | None = None, expect: dict | None = None, arg_lines: dict | None = None,
                 inputs: tuple[Ref, ...] | None = None, inputs_is_list: bool = False, call: dict | None = None,
                 shared: bool = False):
        self.type, self.name, self.args, self.line, self.column, self.index = type, name, args, line, column, index
        self.expect, self.arg_lines, self.inputs, self.inputs_is_list = expect, arg_lines or {}, inputs, inputs_is_list
        self.call, self.shared = {} if call is None else call, shared

    def _values(self) -> tuple:
        return tuple(getattr(self, f) for f in self.__slots__ if f != "arg_lines")

    def __repr__(self) -> str:
        return f"LayerSpec({self.type.name}, {self.name!r}, {self.args!r})"


class InputSpec(Record):
    """One model input: its shape without the batch axis, name, dtype and line in the spec."""

    __slots__ = ("shape", "name", "dtype", "line")

    def __init__(
        self,
        shape: tuple,
        name: str = "input_layer",
        dtype: str = "float32",
        line: int | None = None,
    ):
        self.shape = shape
        self.name = name
        self.dtype = dtype
        self.line = line


class ModelSpec(Record):
    """A validated spec: inputs, layer entries in the order written, outputs.

    `functional` is true when the spec is written as a graph (`inputs:`,
    `outputs:`, references or `call:`), as Keras's functional API; a chain is a
    Sequential model.
    """

    __slots__ = ("file", "name", "framework", "inputs", "batch_size", "layers", "expect", "line", "outputs",
                 "functional", "notes")

    def __init__(
        self,
        file: str,
        name: str | None,
        framework: str,
        inputs: tuple[InputSpec, ...],
        batch_size: int | None,
        layers: tuple[LayerSpec, ...],
        expect: dict | None = None,
        line: int | None = None,
        outputs: tuple[Ref, ...] | None = None,
        functional: bool = False,
        notes: tuple[str, ...] = (),  # from an importer: what Keras 3 would do differently, other models in the file
    ):
        self.file = file
        self.name = name
        self.framework = framework
        self.inputs = inputs
        self.batch_size = batch_size
        self.layers = layers
        self.expect = expect
        self.line = line
        self.outputs = outputs
        self.functional = functional
        self.notes = notes

    @property
    def input(self) -> InputSpec:
        """The first (in a chain, the only) input."""
        return self.inputs[0]


def batch_input_fix(value) -> str:
    """The spec's own words for Keras 2's batch_input_shape: [batch, *shape]."""
    if isinstance(value, list) and len(value) >= 2:
        shape = "[" + ", ".join("null" if d is None else str(d) for d in value[1:]) + "]"
        batch = "null" if value[0] is None else value[0]
        return f"write input: {{shape: {shape}}} and the top-level batch_size: {batch}, and remove it here"
    return "write the shape under input: (without the batch axis) and the batch under the top-level batch_size"


def suggest(word, choices) -> str | None:
    if not isinstance(word, str):
        return None
    import difflib  # only for a mistake: not at start-up

    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean '{lowered[match[0]]}'?" if match else None


class _Parser:
    def __init__(self, file: str, registry: dict[str, LayerType]):
        self.file = file
        self.registry = registry
        self.counters: dict[str, int] = {}
        self.defined: dict[str, LayerSpec] = {}  # layers defined so far, for {call: NAME}
        self.types: dict[str, LayerType] = {}  # type name as written -> its type (layer_type)
        self.complete: set[tuple] = set()  # (type, given names ...) that give every required argument
        self.functional = False

    def fail(self, message, where=None, key=None, hint=None, layer: LayerSpec | dict | None = None):
        line = col = None
        if where is not None:
            line, col = where.mark_of(key) if key is not None else (where.line, where.column)
        info = {}
        if layer is not None:
            info = {"layer": layer.get("name"), "layer_type": layer.get("type"), "index": layer.get("index")}
        raise SpecError(Problem(message, file=self.file, line=line, column=col, hint=hint, **info))

    def check_keys(self, mapping, allowed, what, layer=None):
        for key in mapping:
            if key not in allowed:
                hint = suggest(key, allowed) or "allowed: " + ", ".join(allowed)
                self.fail(f"unknown key '{key}' in {what}", mapping, key, hint, layer)

    # -- names ---------------------------------------------------------------
    def auto_name(self, base: str) -> str:
        n = self.counters.get(base, 0)
        self.counters[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    # -- layers --------------------------------------------------------------
    def layer(self, raw, index: int | None, where, where_key, outer: int | None = None,
              registry: dict[str, LayerType] | None = None) -> LayerSpec:
        """Validate one layer; index is its place in layers: (None when wrapped in layer `outer`).

        `registry` other than the dialect's is that of RNN's cells, which take no layer names."""
        cell = registry is not None
        registry = self.registry if registry is None else registry
        if not isinstance(raw, dict):
            self.fail(f"a layer must be a mapping with a 'type', got {type(raw).__name__}", where, where_key)
        at = index if index is not None else outer  # the index a message gives
        if index is not None and "call" in raw and isinstance(raw["call"], str):
            return self.shared_call(raw, index, self.ident(raw, at))
        if "type" not in raw:
            self.fail("layer has no 'type'", raw, None, "add e.g. type: LSTM", self.ident(raw, at))
        type_name = raw["type"]
        t = self.types.get(type_name) if isinstance(type_name, str) and not cell else None
        if t is None:
            t = self.layer_type(raw, type_name, registry, at, cell)
        declared = t.declared
        values: dict = {}
        for key, value in raw.items():
            if key in _NOT_ARGUMENTS:
                if key != "type" and key != "expect" and index is None:
                    self.fail(f"'{key}' belongs on the outer layer, not on a wrapped one", raw, key, None,
                              self.ident(raw, at, t))
                continue
            arg = declared.get(key)
            if arg is None:
                self.unknown_argument(raw, key, value, t, at)
            if arg.kind in _NESTED_KINDS:
                values[key] = self.nested(arg, value, raw, key, self.ident(raw, at, t))
                continue
            try:
                values[key] = validate(arg, value)
            except ArgError as e:
                self.fail(e.message, raw, key, e.hint, self.ident(raw, at, t))
        # the required arguments checked once per type and list of given names (a spec repeats a few);
        # the defaults stay on the type's Args class (LayerType.args_class)
        given = (t, *values)
        if given not in self.complete:
            for arg in t.required_args:
                if arg.name not in values:
                    self.fail(f"missing required argument '{arg.name}'", raw, None, f"add {arg.name}: ({arg.doc})",
                              self.ident(raw, at, t))
            self.complete.add(given)
        explicit = values.get("name")
        if explicit is not None and ("/" in explicit or not explicit):
            self.fail(f"name {explicit!r} is not a valid layer name", raw, "name",
                      "use a non-empty name without '/' (Keras refuses it)", self.ident(raw, at, t))
        name = explicit if explicit is not None else t.auto_name if cell else self.auto_name(t.auto_name)
        for inner in t.creates:  # Keras names the layers it creates inside this one (MHA's softmax, dropout)
            self.auto_name(inner)
        values["name"] = name
        expect = raw["expect"] if "expect" in raw else None
        if expect is not None:
            if index is None:
                self.fail("expect: belongs on the outer layer, not on a wrapped one", raw, "expect")
            self.expect_block(expect, LAYER_EXPECT, "expect", raw, {**self.ident(raw, at, t), "name": name})
        inputs, is_list = self.input_refs(raw, self.ident(raw, at, t)) if "inputs" in raw else (None, False)
        call = self.call_block(raw, t, self.ident(raw, at, t)) if "call" in raw else {}
        # arg_lines: the marks of the keys written, the arguments' among them
        return LayerSpec(t, name, t.args_class(values), raw.line, raw.column, index, expect, raw.key_marks, inputs,
                         is_list, call)

    def ident(self, raw, at: int | None, t: LayerType | None = None) -> dict:
        """The layer a message is about: its name and type as written (the type's own name once known)
        and `at`, its index in layers: (the outer layer's for a wrapped one). Made only for a message
        or a nested reader: a spec's thousands of layers need none."""
        name, type_name = raw.get("name"), raw.get("type")
        return {"name": name if isinstance(name, str) else None,
                "type": t.name if t is not None else type_name if isinstance(type_name, str) else None,
                "index": at}

    def unknown_argument(self, raw, key, value, t: LayerType, at):
        """Raise: `key` is no argument of `t` (Keras 2's batch_input_shape has a message of its own)."""
        if key == "batch_input_shape":
            self.fail("batch_input_shape is Keras 2's way to give the input on a layer; Keras 3 refuses it",
                      raw, key, batch_input_fix(value), self.ident(raw, at, t))
        hint = suggest(key, t.declared) or f"{t.name} takes: " + ", ".join(a.name for a in t.args)
        self.fail(f"unknown argument '{key}' for {t.name}", raw, key, hint, self.ident(raw, at, t))

    def layer_type(self, raw, type_name, registry, at, cell: bool) -> LayerType:
        """The type `type:` names, or the message saying why none; the dialect's types are remembered
        by name as written (a spec names a few types thousands of times), RNN's cells are not."""
        t = lookup(registry, type_name) if isinstance(type_name, str) else None
        if t is None and cell:
            self.fail(f"unknown cell type '{type_name}'", raw, "type",
                      suggest(type_name, registry) or "cells: " + ", ".join(registry), self.ident(raw, at))
        if t is None and registry is KERAS and isinstance(type_name, str) and unmodelled(type_name):
            message, fix = unmodelled(type_name)
            self.fail(message, raw, "type", fix, self.ident(raw, at))
        if t is None:
            self.fail(f"unknown layer type '{type_name}'", raw, "type", self.type_hint(type_name), self.ident(raw, at))
        if not cell:
            self.types[type_name] = t
        return t

    # -- graph entries -------------------------------------------------------
    def shared_call(self, raw, index, ident) -> LayerSpec:
        """`{call: NAME, inputs: ...}`: the layer NAME defined above, called once more."""
        self.check_keys(raw, ("call", "inputs", "kwargs", "expect"), "a shared-layer call", ident)
        target = self.defined.get(raw["call"])
        if target is None:
            hint = suggest(raw["call"], self.defined) or "define the layer (with type:) before calling it again"
            self.fail(f"call: '{raw['call']}' names no layer defined above", raw, "call", hint, ident)
        if "expect" in raw:
            self.fail("expect: belongs on the layer's definition, not on a later call", raw, "expect", None, ident)
        ident = {**ident, "name": target.name, "type": target.type.name}
        inputs, is_list = self.input_refs(raw, ident)
        self.functional = True
        call = self.call_block(raw, target.type, ident, key="kwargs")
        return LayerSpec(target.type, target.name, target.args, raw.line, raw.column, index, None, {}, inputs,
                         is_list, call, shared=True)

    def refs(self, value, where, key, ident, what: str) -> tuple[Ref, ...]:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            line, col = where.mark_of(key) if not isinstance(value, list) else value.mark_of(i)
            ref = parse_ref(item, line, col)
            if ref is None:
                hint = ("quote references with brackets inside a [...] list: ['encoder[1]', 'encoder[2]']"
                        if isinstance(item, list) else "write a layer or input name, NAME[i] or NAME[n][i]")
                self.fail(f"{what} must be tensor references, got {item!r:.60}", where, key, hint, ident)
            out.append(ref)
        return tuple(out)

    def input_refs(self, raw, ident) -> tuple[tuple[Ref, ...] | None, bool]:
        if "inputs" not in raw:
            return None, False
        value = raw["inputs"]
        if isinstance(value, list) and not value:
            self.fail("inputs: is an empty list", raw, "inputs", "name at least one tensor", ident)
        self.functional = True
        return self.refs(value, raw, "inputs", ident, "inputs:"), isinstance(value, list)

    def call_block(self, raw, t: LayerType, ident, key: str = "call") -> dict:
        block = raw.get(key)
        if block is None:
            return {}
        if not isinstance(block, dict):
            self.fail(f"{key}: must be a mapping of keyword arguments", raw, key,
                      "write call: {initial_state: ['encoder[1]', 'encoder[2]']}", ident)
        allowed = t.call_args
        out: dict = {}
        for kw, value in block.items():
            if kw not in allowed:
                hint = (f"{t.name} takes: " + ", ".join(allowed)) if allowed else f"{t.name} takes no call arguments"
                self.fail(f"unknown call argument '{kw}' for {t.name}", block, kw, suggest(kw, allowed) or hint,
                          ident)
            if kw in TENSOR_KWARGS:
                refs = self.refs(value, block, kw, ident, f"call: {kw}")
                out[kw] = refs if isinstance(value, list) else refs[0]
            elif not isinstance(value, bool):
                self.fail(f"call: {kw} must be true or false, got {value!r:.40}", block, kw, None, ident)
            else:
                out[kw] = value
        self.functional = True
        return out

    def cells(self, arg: Arg, value, raw, key, ident):
        """RNN's cell (a mapping, or a list: stacked) or StackedRNNCells' cells (a list)."""
        from lstmcalc.layers.rnn_cells import CELLS

        example = f"write {key}: {{type: LSTMCell, units: 8}}" if arg.kind == "cell" else \
            f"write {key}: [{{type: LSTMCell, units: 8}}, {{type: GRUCell, units: 4}}]"
        if isinstance(value, list) and value:
            return tuple(self.layer(v, None, value, i, ident["index"], CELLS) for i, v in enumerate(value))
        if isinstance(value, dict) and arg.kind == "cell":
            return self.layer(value, None, raw, key, ident["index"], CELLS)
        what = "a cell mapping with a type, or a non-empty list of them" if arg.kind == "cell" else \
            "a non-empty list of cell mappings"
        self.fail(f"'{key}' must be {what}", raw, key, example, ident)

    def nested(self, arg: Arg, value, raw, key, ident):
        """The value of an argument of a kind in _NESTED_KINDS: a layer (a wrapper's), a cell or cells."""
        if arg.kind in ("cell", "cells"):
            return self.cells(arg, value, raw, key, ident)
        if value is None and not arg.required:
            return None
        if not isinstance(value, dict):
            self.fail(f"'{key}' must be a nested layer mapping with a type", raw, key,
                      f"write {key}: {{type: LSTM, units: 64}}", ident)
        return self.layer(value, None, raw, key, ident["index"])

    def type_hint(self, type_name) -> str:
        from lstmcalc.layers.rnn_cells import CELLS

        if isinstance(type_name, str) and self.registry is REGISTRIES["keras"] and lookup(CELLS, type_name):
            return (f"{type_name} is a cell, one timestep of a recurrent layer: wrap it in RNN, "
                    f"{{type: RNN, cell: {{type: {lookup(CELLS, type_name).name}, ...}}}}")
        for framework, registry in REGISTRIES.items():
            if registry is not self.registry and isinstance(type_name, str) and lookup(registry, type_name):
                return f"{type_name} is a {framework} layer; set framework: {framework} at the top"
        if self.registry is REGISTRIES["pytorch"] and isinstance(type_name, str) and type_name.lower() in (
                "sequential", "modulelist"):
            return ("write its modules in order as layers of their own, named as named_modules() names them "
                    "(head.0, head.1 ...: the state_dict's keys), as `lstmcalc import model.py` writes them")
        if self.registry is KERAS:  # the closest Keras class, modelled or not: never an unrelated type
            close = suggest(type_name, (*self.registry, *known_names()))
            target = close and close.split("'")[1]
            if close and lookup(self.registry, target) is None:
                return f"{close} (Keras has it; lstmcalc does not model it yet)"
            if close:
                return close
        return suggest(type_name, self.registry) or "known types: " + ", ".join(sorted(self.registry))

    # -- expectations ----------------------------------------------------------
    def expect_block(self, expect, allowed, what, parent, layer=None):
        if not isinstance(expect, dict):
            self.fail(f"{what} must be a mapping", parent, "expect", None, layer)
        self.check_keys(expect, allowed, what, layer)
        for key, value in expect.items():
            if key == "output_shape":
                def sizes(v):
                    return isinstance(v, list) and all(
                        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in v)
                # one shape, or one per output for a layer with several outputs
                ok = sizes(value) or (isinstance(value, list) and value and all(sizes(v) for v in value))
                if not ok:
                    self.fail(f"{what}: output_shape must be a list of sizes (null for variable)",
                              expect, key, "write it without the batch axis, e.g. [50, 128]", layer)
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.fail(f"{what}: {key} must be a non-negative integer, got {value!r}", expect, key,
                          None, layer)

    # -- the document ----------------------------------------------------------
    def document(self, doc) -> ModelSpec:
        if doc is None:
            self.fail("the spec is empty", hint="write at least input: and layers:")
        if not isinstance(doc, dict):
            kind = "a list" if isinstance(doc, list) else f"a single value ({doc!r:.40})"
            self.fail(f"the spec must be a mapping (input:, layers:, ...), got {kind}",
                      doc if hasattr(doc, "line") else None)
        self.check_keys(doc, TOP_KEYS, "the spec")
        name = doc.get("name")
        if name is not None and not isinstance(name, str):
            self.fail("name must be a string", doc, "name")
        framework = doc.get("framework", "keras")
        if not isinstance(framework, str) or framework not in REGISTRIES:
            self.fail(f"unknown framework '{framework}'", doc, "framework",
                      suggest(framework, REGISTRIES) or "use keras or pytorch")
        batch = doc.get("batch_size")
        if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
            self.fail(f"batch_size must be a positive integer or null, got {batch!r}", doc, "batch_size")
        inputs = self.inputs(doc)
        layers_raw = doc.get("layers")
        if not isinstance(layers_raw, list) or not layers_raw:
            self.fail("'layers' must be a non-empty list of layers", doc, "layers" if "layers" in doc else None,
                      "add layers: with at least one layer")
        layers = []
        input_names = {i.name for i in inputs}
        defined = self.defined
        for i, raw in enumerate(layers_raw):
            spec = self.layer(raw, i, layers_raw, i)
            if not spec.shared:
                if spec.name in defined or spec.name in input_names:
                    self.duplicate_name(input_names, spec, raw)
                defined[spec.name] = spec
            layers.append(spec)
        outputs = None
        if "outputs" in doc:
            value = doc["outputs"]
            if isinstance(value, list) and not value:
                self.fail("outputs: is an empty list", doc, "outputs", "name at least one tensor")
            outputs = self.refs(value, doc, "outputs", None, "outputs:")
            self.functional = True
        expect = doc.get("expect")
        if expect is not None:
            self.expect_block(expect, MODEL_EXPECT, "expect", doc)
        functional = self.functional or len(inputs) > 1
        return ModelSpec(self.file, name, framework, inputs, batch, tuple(layers), expect, doc.line, outputs,
                         functional)

    def inputs(self, doc) -> tuple[InputSpec, ...]:
        if "inputs" in doc and "input" in doc:
            self.fail("write either input: (one input) or inputs: (a list), not both", doc, "inputs")
        if "inputs" not in doc:
            return (self.input(doc, doc.get("input"), "input"),)
        raw = doc["inputs"]
        if isinstance(raw, dict):
            self.fail("inputs: takes a list of input mappings", doc, "inputs",
                      "for one input write input: {shape: [...]}; for several, inputs: [{name: a, shape: [...]}, ...]")
        if not isinstance(raw, list) or not raw:
            self.fail("inputs: must be a non-empty list of input mappings", doc, "inputs",
                      "write inputs: [{name: encoder_inputs, shape: [null, 71]}, ...]")
        self.functional = True
        out = tuple(self.input(doc, item, "inputs", auto=True) for item in raw)
        seen: set = set()
        for i, item in enumerate(out):
            if item.name in seen:
                self.fail(f"two inputs are named '{item.name}'", raw[i], "name", "give each input a unique name")
            seen.add(item.name)
        return out

    def input(self, doc, raw, key: str, auto: bool = False) -> InputSpec:
        if not isinstance(raw, dict):
            self.fail(f"'{key}' must be a mapping with a shape" if key == "input"
                      else "each entry of inputs: must be a mapping with a shape", doc, key if key in doc else None,
                      "add input: {shape: [50, 10]}")
        self.check_keys(raw, INPUT_KEYS, "input")
        shape = raw.get("shape")
        ok = isinstance(shape, list) and all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 1) for d in shape)
        if not ok:
            self.fail(f"input.shape must be a list of positive sizes or nulls, got {shape!r}",
                      raw, "shape" if "shape" in raw else None, "write it without the batch axis, e.g. [50, 10]")
        name = raw.get("name")
        if name is None:
            name = self.auto_name("input_layer") if auto else "input_layer"
        if not isinstance(name, str) or not name or "/" in name:
            self.fail("input.name must be a non-empty string without '/'", raw, "name")
        dtype = raw.get("dtype", "float32")
        if dtype not in INPUT_DTYPES:
            self.fail(f"unknown input dtype {dtype!r}", raw, "dtype", suggest(dtype, INPUT_DTYPES))
        return InputSpec(tuple(shape), name, dtype, raw.line)

    def duplicate_name(self, input_names: set[str], spec: LayerSpec, raw):
        """Raise: `spec` has the name of a layer above or of an input."""
        key = "name" if "name" in raw else None
        hint = ("to call the same layer again write {call: " + spec.name + ", inputs: ...}"
                if spec.name in self.defined else "give each layer a unique name")
        self.fail(f"two layers are named '{spec.name}'", raw, key, hint,
                  {"name": spec.name, "type": spec.type.name, "index": spec.index})


def parse(text: str, file: str = "<spec>", exact_offsets: bool = False) -> ModelSpec:
    with cycle_collector_paused():
        doc = yamlload.load(text, file, exact_offsets)
        framework = doc.get("framework", "keras") if isinstance(doc, dict) else "keras"
        registry = REGISTRIES.get(framework if isinstance(framework, str) else "keras", REGISTRIES["keras"])
        return _Parser(file, registry).document(doc)


def load(path: str) -> ModelSpec:
    """Read and validate a spec file ('-' for standard input)."""
    name, text = yamlload.read_text(path)
    return parse(text, name)


def marked(value, line: int | None = None, column: int | None = None):
    """A plain document (dicts, lists, scalars) as the marked values the parser reads.

    Importers that know where a value came from (a Python source's line) set
    `line`/`column` on the MarkedDict themselves; plain dicts take the given mark.
    """
    if isinstance(value, dict):
        out = yamlload.MarkedDict()
        out.line = getattr(value, "line", None) or line
        out.column = getattr(value, "column", None) or column
        for k, v in value.items():
            out[k] = marked(v, out.line, out.column)
            marks = getattr(value, "key_marks", {})
            if k in marks:
                out.key_marks[k] = marks[k]
        return out
    if isinstance(value, (list, tuple)):
        out = yamlload.MarkedList()
        out.line = getattr(value, "line", None) or line
        out.column = getattr(value, "column", None) or column
        out.extend(marked(v, out.line, out.column) for v in value)
        return out
    return value


def from_document(doc: dict, file: str, notes: tuple[str, ...] = ()) -> ModelSpec:
    """Validate a document an importer produced (a plain mapping in the spec's form)."""
    framework = doc.get("framework", "keras")
    registry = REGISTRIES.get(framework if isinstance(framework, str) else "keras", REGISTRIES["keras"])
    spec = _Parser(file, registry).document(marked(doc))
    return spec._replace(notes=tuple(notes))

