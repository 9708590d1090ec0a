"""Keras model configs (JSON) → the spec document.

Reads what `model.to_json()` writes and what a `.keras` file keeps in
`config.json` (Keras 3), the Keras 2 / tf.keras JSON (Sequential and
Functional, the pre-2.2 form whose `config` is a list of layers, configs
without `module` keys, `batch_input_shape`, `inbound_nodes` as lists), and a
TensorFlow.js `model.json` (its `modelTopology`). The result is a plain
mapping in the spec's form; `spec.from_document` validates it, so errors,
defaults and names are the YAML loader's.

Keras 2 files are read as Keras 2 built them: `batch_input_shape` sets the
batch, a first Embedding's `input_length` sets the sequence length,
`CuDNNLSTM` keeps two bias vectors, `CuDNNGRU` is a GRU with
`reset_after: true`, and a GRU that does not name `reset_after` has Keras
2's `reset_after: false`. Each such difference from Keras 3 becomes a note.
"""

from __future__ import annotations

import json
import re

from lstmcalc.errors import Problem, SpecError
from lstmcalc.layers import KERAS, lookup
from lstmcalc.layers.args import IDENTIFIERS
from lstmcalc.layers.rnn_cells import CELLS

# config keys that say nothing about shapes, counts or the forward pass, or that the importer reads itself
DROPPED = {"trainable", "build_config", "registered_name", "module", "sparse", "ragged", "optional",
           "batch_input_shape", "batch_shape", "input_shape", "batch_size", "time_major", "input_dtype",
           "compile_config", "shared_object_id"}
# Keras 1/2 argument spellings → Keras 3's
RENAMED = {"output_dim": "units", "nb_filter": "filters", "filter_length": "kernel_size",
           "subsample_length": "strides", "border_mode": "padding", "pool_length": "pool_size",
           "init": "kernel_initializer", "inner_init": "recurrent_initializer",
           "inner_activation": "recurrent_activation", "dropout_W": "dropout", "dropout_U": "recurrent_dropout"}
# Keras 2 class names → Keras 3's (the registry holds the rest, aliases included)
CLASS_RENAMED = {"CuDNNGRU": "GRU", "Merge": None}
WRAPPERS = ("Bidirectional", "TimeDistributed")
MODELS = ("Sequential", "Functional", "Model")


def _is_mask_op(raw: dict, cls: str) -> bool:
    """A keras.ops operation recorded in the graph to compute a mask (Embedding's mask_zero, Masking)."""
    from lstmcalc.graph.mask_ops import OP_NAMES

    return cls in OP_NAMES and cls != "Concatenate" and str(raw.get("module", "")).startswith("keras.src.ops")


def _history_layer(value):
    """The layer that made a saved tensor (its keras_history), or None."""
    if _is_tensor(value):
        history = (value.get("config") or {}).get("keras_history")
        if isinstance(history, list) and history:
            return history[0]
    return None


def _is_tensor(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def fail(file: str, message: str, hint: str | None = None):
    raise SpecError(Problem(message, file=file, hint=hint))


def is_model_config(data) -> bool:
    """Does this parsed JSON look like a Keras model config (rather than a YAML-style spec in JSON)?"""
    if not isinstance(data, dict):
        return False
    if "modelTopology" in data or "model_config" in data:
        return True
    return data.get("class_name") in MODELS or ("config" in data and "class_name" in data)


def unwrap(data, file: str):
    """The model config inside a TF.js model.json, a saved-model wrapper or the config itself."""
    if isinstance(data, dict) and "modelTopology" in data:  # TensorFlow.js
        data = data["modelTopology"]
        if isinstance(data, dict) and "model_config" in data:
            data = data["model_config"]
    elif isinstance(data, dict) and "model_config" in data:
        data = data["model_config"]
        if isinstance(data, str):
            data = json.loads(data)
    if not isinstance(data, dict) or "class_name" not in data:
        fail(file, "JSON that is not a Keras model config (no class_name)",
             "give the output of model.to_json(), a .keras file's config.json or a TF.js model.json")
    return data


def to_document(data, file: str, keras_version: str | None = None) -> tuple[dict, list[str]]:
    """The spec document and its notes for a parsed Keras model config."""
    return _Importer(file, keras_version).model(unwrap(data, file))


def dtype_name(value):
    if isinstance(value, dict):  # Keras 3's DTypePolicy
        value = (value.get("config") or {}).get("name")
    return value


def simple_identifier(value):
    """An initializer/regularizer/constraint config as short as Keras would accept it."""
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    config = {k: v for k, v in (value.get("config") or {}).items() if v is not None}
    name = value["class_name"]
    if not config or config == {"gain": 1.0}:
        return snake(name) if snake(name) in sum(IDENTIFIERS.values(), ()) else name
    return {"class_name": name, "config": config}


def snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


class _Importer:
    def __init__(self, file: str, keras_version: str | None):
        self.file = file
        self.version = keras_version
        self.keras2 = keras_version is not None and not keras_version.startswith("3")
        self.notes: list[str] = []
        self.batch: int | None = None
        self.names: dict = {}  # layer or input name -> "input" / "layer"
        self.multi: set = set()  # layers with several outputs (return_state)
        self.mask_ops: set = set()  # the keras.ops that compute a mask (not_equal ...): made again by the wiring

    # -- the model ------------------------------------------------------------
    def model(self, data: dict) -> tuple[dict, list[str]]:
        kind = data.get("class_name")
        config = data.get("config")
        if "module" not in data and self.version is None:
            self.keras2 = True  # Keras 2 and tf.keras write no module keys
        if kind not in MODELS:
            fail(self.file, f"the JSON describes a {kind!r}, not a Keras model",
                 "give a Sequential or Functional model's config")
        if isinstance(config, list):  # pre-2.2 Sequential: the config is the layer list
            config = {"layers": config}
            self.keras2 = True
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list) or not config["layers"]:
            fail(self.file, f"the {kind} config has no layers", "give a model with at least one layer")
        layers = config["layers"]
        if any(isinstance(item, dict) and "module" in item for item in layers):
            self.keras2 = self.keras2 and self.version is not None
        functional = kind != "Sequential" or any(
            isinstance(item, dict) and item.get("inbound_nodes") for item in layers)
        doc = self.functional(config) if functional else self.sequential(layers)
        name = config.get("name")
        if isinstance(name, str) and not re.fullmatch(r"(sequential|functional|model)(_\d+)?", name):
            doc = {"name": name, **doc}
        if self.batch is not None:
            doc["batch_size"] = self.batch
        return doc, self.notes

    def sequential(self, layers: list) -> dict:
        items = [self.item(raw) for raw in layers]
        shape, dtype, in_name = None, None, None
        if items[0][0] == "InputLayer":
            _, cfg = items.pop(0)
            shape, dtype = self.input_shape(cfg), dtype_name(cfg.get("dtype"))
            in_name = cfg.get("name")
        if not items:
            fail(self.file, "the Sequential model has no layers after its input")
        if shape is None:
            shape, dtype = self.first_layer_shape(*items[0])
        entries = [self.layer(cls, cfg, first=(i == 0)) for i, (cls, cfg) in enumerate(items)]
        return {"input": self.input_entry(shape, dtype, in_name), "layers": entries}

    def functional(self, config: dict) -> dict:
        inputs, calls = [], []  # calls: (layer index, node index, entry)
        names = self.names
        for raw in config["layers"]:
            cls, cfg = self.item(raw)
            name = raw.get("name") or cfg.get("name")
            inner = cfg.get("layer") if isinstance(cfg.get("layer"), dict) else {}
            nodes = raw.get("inbound_nodes") if isinstance(raw.get("inbound_nodes"), list) else []
            if cfg.get("return_state") or (inner.get("config") or {}).get("return_state") or (
                    cls == "Bidirectional" and "merge_mode" in cfg and cfg["merge_mode"] is None) or any(
                    isinstance(n, dict) and (n.get("kwargs") or {}).get("return_attention_scores") is True
                    for n in nodes):
                self.multi.add(name)  # several outputs: referenced as NAME[i]
            if _is_mask_op(raw, cls):
                self.mask_ops.add(name)
        for raw in config["layers"]:
            cls, cfg = self.item(raw)
            name = raw.get("name") or cfg.get("name")
            if name in self.mask_ops:
                continue  # lstmcalc makes the mask ops itself, with Keras's names, from mask_zero and Masking
            if cls == "InputLayer":
                entry = self.input_entry(self.input_shape(cfg), dtype_name(cfg.get("dtype")), name)
                inputs.append(entry)
                names[name] = "input"
                continue
            if cls in MODELS:
                fail(self.file, f"layer '{name}' is a nested model ({cls}); lstmcalc reads flat models",
                     "flatten the inner model's layers into the outer one")
            entry = self.layer(cls, cfg)
            entry["name"] = name
            names[name] = "layer"
            nodes = raw.get("inbound_nodes") or []
            if not nodes:
                fail(self.file, f"layer '{name}' has no inbound_nodes in a functional model",
                     "save the model after it has been built (called on its inputs)")
            for n, node in enumerate(nodes):
                args, kwargs = self.node(node, name, cls)
                call = dict(entry) if n == 0 else {"call": name}
                call["inputs"] = args
                if kwargs:
                    call["call" if n == 0 else "kwargs"] = kwargs
                calls.append((name, n, call))
        doc: dict = {"inputs": inputs, "layers": self.ordered(calls, names)}
        outputs = config.get("output_layers")
        if outputs:
            if isinstance(outputs[0], str):  # a single output written flat: [name, node, index]
                outputs = [outputs]
            refs = [self.ref(o, names) for o in outputs]
            last = doc["layers"][-1]
            if refs != [last.get("name")] or "call" in last and isinstance(last["call"], str):
                doc["outputs"] = refs
        return doc

    def ordered(self, calls: list, names: dict) -> list:
        """Calls in an order where each comes after what it reads (the config's order where it can)."""
        done = {n for n, kind in names.items() if kind == "input"}
        made: set = set()
        out, pending = [], list(calls)
        while pending:
            for i, (name, n, entry) in enumerate(pending):
                needs = self.refs_in(entry)
                if all(r in made or r[0] in done for r in needs):
                    out.append(entry)
                    made.add((name, n))
                    pending.pop(i)
                    break
            else:
                name = pending[0][0]
                fail(self.file, f"layer '{name}' reads a tensor no layer of the model makes",
                     "check its inbound_nodes")
        return out

    @staticmethod
    def refs_in(entry: dict) -> list[tuple[str, int]]:
        found = []

        def walk(v):
            if isinstance(v, list):
                for item in v:
                    walk(item)
            elif isinstance(v, str):
                name, _, rest = v.partition("[")
                node = int(rest.split("]")[0]) if rest else 0
                found.append((name, node))

        walk(entry.get("inputs"))
        for kw in ("call", "kwargs"):
            if isinstance(entry.get(kw), dict):
                for value in entry[kw].values():
                    if not isinstance(value, bool):
                        walk(value)
        return found

    def ref(self, history, names) -> str:
        if not isinstance(history, (list, tuple)) or len(history) < 3:
            fail(self.file, f"a tensor reference {history!r:.60} is not [layer, node, index]")
        layer, node, index = history[0], history[1], history[2]
        if layer not in names:
            fail(self.file, f"a tensor reference names '{layer}', which is no layer of the model")
        return self.cell(layer, node, index)

    def node(self, node, name: str, cls: str):
        """One call of a layer: (inputs, keyword tensors), Keras 3's {args, kwargs} or Keras 2's list."""
        kwargs: dict = {}
        if isinstance(node, dict):  # Keras 3
            args = list(node.get("args") or [])
            given = node.get("kwargs") or {}
            # MultiHeadAttention and GroupedQueryAttention are called as (query, value, key):
            # positionally or by keyword, where the other layers take one tensor or a list
            args += [given[kw] for kw in ("query", "value")[len(args):] if given.get(kw) is not None]
            if len(args) > 1 and all(_is_tensor(a) for a in args):
                inputs = [self.tensors(a, name) for a in args]
            else:
                inputs = self.tensors(args[0] if args else None, name)
            for kw, value in given.items():
                if kw == "mask" and _history_layer(value) in self.mask_ops:
                    continue  # the mask Keras derived from mask_zero or Masking: the wiring derives it again
                if kw in ("initial_state", "mask", "key", "attention_mask") and value is not None:
                    kwargs[kw] = self.tensors(value, name)
                elif kw in ("use_causal_mask", "return_attention_scores") and isinstance(value, bool) and value:
                    kwargs[kw] = value
            return inputs, kwargs
        if not isinstance(node, list) or not node:
            fail(self.file, f"layer '{name}' has an inbound node that is not a list of tensors")
        refs = [self.history(t) for t in node]
        layer_type = lookup(KERAS, cls)
        if layer_type is not None and "initial_state" in layer_type.call_args and len(refs) > 1:
            return refs[0], {"initial_state": refs[1:]}  # Keras 2 flattened initial_state into the inputs
        return (refs if len(refs) > 1 or (layer_type is not None and layer_type.takes_list) else refs[0]), kwargs

    def history(self, t) -> str:
        if not isinstance(t, list) or len(t) < 3:
            fail(self.file, f"an inbound tensor {t!r:.60} is not [layer, node, index, kwargs]")
        return self.cell(*t[:3])

    def cell(self, layer, node, index) -> str:
        """A reference as short as it can be written: an input by name, `NAME` for a single-output layer."""
        if self.names.get(layer) == "input":
            return str(layer)
        if layer in self.multi:
            return f"{layer}[{node}][{index}]"
        if node == 0:
            return str(layer) if index == 0 else f"{layer}[{index}]"
        return f"{layer}[{node}][{index}]"

    def tensors(self, value, name: str):
        if isinstance(value, list):
            return [self.tensors(v, name) for v in value]
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if isinstance(history, list) and len(history) >= 3:
                return self.cell(*history[:3])
        fail(self.file, f"layer '{name}' is called on something that is not a tensor ({str(value)[:60]})",
             "lstmcalc reads calls on tensors only")

    # -- inputs ---------------------------------------------------------------
    def input_shape(self, cfg: dict):
        shape = cfg.get("batch_shape", cfg.get("batch_input_shape"))
        if shape is None:
            shape = cfg.get("shape")
            return list(shape) if isinstance(shape, list) else None
        if not isinstance(shape, list) or not shape:
            fail(self.file, f"input '{cfg.get('name')}' has no shape")
        if shape[0] is not None:
            self.batch = shape[0]
        return list(shape[1:])

    def first_layer_shape(self, cls: str, cfg: dict):
        """A Sequential without InputLayer: the first layer's batch_input_shape / input_shape / input_dim."""
        dtype = dtype_name(cfg.get("dtype")) if cfg.get("batch_input_shape") else None
        if cfg.get("batch_input_shape"):
            shape = cfg["batch_input_shape"]
            if shape[0] is not None:
                self.batch = shape[0]
            shape = list(shape[1:])
        elif cfg.get("input_shape"):
            shape = list(cfg["input_shape"])
        elif cls == "Embedding":
            shape = [cfg.get("input_length")]
        elif cfg.get("input_dim") is not None:
            shape = [cfg["input_dim"]]
        else:
            fail(self.file, "the Sequential model gives no input shape (no InputLayer, no batch_input_shape)",
                 "lstmcalc needs the input shape to count parameters; add an Input or input_shape")
        if cls == "Embedding":
            dtype = "int32"
            length = cfg.get("input_length")
            if length is not None and shape[-1:] != [length]:
                shape = [length]
        if dtype == "float32":
            dtype = None
        return shape, dtype

    def input_entry(self, shape, dtype, name) -> dict:
        entry: dict = {"shape": shape}
        if name and name != "input_layer":
            entry["name"] = name
        if dtype and dtype != "float32":
            entry["dtype"] = dtype
        return entry

    # -- layers -----------------------------------------------------------------
    def item(self, raw) -> tuple[str, dict]:
        if not isinstance(raw, dict) or not isinstance(raw.get("class_name"), str):
            fail(self.file, f"a layer config is not a mapping with a class_name ({str(raw)[:60]})")
        cfg = raw.get("config")
        if not isinstance(cfg, dict):
            fail(self.file, f"layer {raw['class_name']} has no config mapping")
        return raw["class_name"], cfg

    def layer(self, cls: str, cfg: dict, first: bool = False) -> dict:
        name = cfg.get("name")
        if cls == "CuDNNGRU":
            self.notes.append(f"layer '{name}': CuDNNGRU is Keras 2's; it counts like a GRU with reset_after: "
                              "true, which is how it is read (Keras 3 has no CuDNNGRU)")
        target = CLASS_RENAMED.get(cls, cls)
        t = (lookup(KERAS, target) or CELLS.get(target)) if target else None
        if t is None:
            return {"type": cls, **({"name": name} if name else {})}  # the validator names the unknown class
        entry: dict = {"type": t.name}
        declared = {a.name: a for a in t.all_args}
        for key, value in cfg.items():
            if key not in declared:
                key = RENAMED.get(key, key)
            if key in DROPPED or key not in declared:
                continue
            if key == "dtype":
                value = dtype_name(value)
                if value in (None, "float32"):
                    continue
            if declared[key].kind in ("cell", "cells"):  # RNN's cell (or list of cells), StackedRNNCells' cells
                entry[key] = self.cells(value) if isinstance(value, list) else self.cells([value])[0]
                continue
            if declared[key].kind == "layer" and isinstance(value, dict):
                inner_cls, inner_cfg = self.item(value)
                inner = self.layer(inner_cls, inner_cfg)
                inner.pop("name", None)  # Keras names the wrapped layers itself (forward_lstm ...)
                entry[key] = inner
                continue
            arg = declared[key]
            if arg.kind in IDENTIFIERS:
                value = simple_identifier(value)
            if arg.kind in ("ints", "intlist", "shape") and isinstance(value, list) and len(value) == 1 \
                    and arg.kind == "ints":
                value = value[0]
            if key in ("input_dim", "input_shape") and t.name != "Embedding":
                continue  # the Sequential input, read elsewhere
            if key == "input_length":
                continue
            if self.same_as_default(arg, value):
                continue
            entry[key] = value
        backward = entry.get("backward_layer")
        if isinstance(backward, dict) and {**backward, "go_backwards": False} == {**entry.get("layer", {}),
                                                                                   "go_backwards": False}:
            del entry["backward_layer"]  # the forward layer run backwards: what Keras makes by itself
        if cls == "CuDNNGRU":
            entry["reset_after"] = True
        if t.name == "GRU" and cls == "GRU" and self.keras2 and "reset_after" not in cfg:
            entry["reset_after"] = False
            self.notes.append(f"layer '{name}': a Keras 2 GRU without reset_after is reset_after: false (one bias); "
                              "Keras 3's default reset_after: true adds 3 × units parameters")
        if cls == "CuDNNLSTM":
            self.notes.append(f"layer '{name}': CuDNNLSTM is Keras 2's and counts two bias vectors; "
                              "Keras 3 has no CuDNNLSTM, and its LSTM counts 4 × units fewer")
        if cls == "Embedding" and first and cfg.get("input_length") is None and self.keras2:
            pass
        return entry

    def cells(self, configs: list) -> list[dict]:
        """RNN cells (LSTMCell ...) as spec mappings; Keras names cells itself, so their names are dropped."""
        out = []
        for raw in configs:
            entry = self.layer(*self.item(raw))
            entry.pop("name", None)
            out.append(entry)
        return out

    @staticmethod
    def same_as_default(arg, value) -> bool:
        return same_as_default(arg, value)


def same_as_default(arg, value) -> bool:
    """Is this value Keras's default for the argument (left out of an imported spec)?"""
    if arg.required:
        return False
    default = arg.default
    if value == default and type(value) is type(default):
        return True
    if arg.kind in IDENTIFIERS and isinstance(value, str) and isinstance(default, str):
        return snake(value) == snake(default) or value.lower() == default.replace("_", "")
    return False


def loads(text: str, file: str, keras_version: str | None = None) -> tuple[dict, list[str]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        fail(file, f"not valid JSON: {e}")
    return to_document(data, file, keras_version)
