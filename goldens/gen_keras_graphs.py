"""Reference numbers for lstmcalc's graphs (contract section 7), from real Keras 3.

Run from the repository root, in an environment that has Keras 3 and torch
(lstmcalc itself and its tests never import Keras; they only read the JSON
file this script writes):

    KERAS_BACKEND=torch python goldens/gen_keras_graphs.py                 # write keras_graphs.json
    KERAS_BACKEND=torch python goldens/gen_keras_graphs.py --check-specs   # check specs/graph_*.yaml

Writing produces ``keras_graphs.json`` next to this script: for each case a
graph spec in the contract's section-7 form and what Keras made of it:

- ``rows``: the rows of ``model.summary()`` in Keras's order, taken from the
  table Keras itself renders (its cells are captured as Keras adds them, then
  stripped of markup): ``name``, ``type``, ``output_shape`` (parsed from the
  printed cell: a list of shapes for a layer with several outputs, batch axis
  included, null for None; ``output_shape_text`` is the cell as printed),
  ``params`` (the printed "Param #"), ``trainable_params`` and
  ``non_trainable_params`` (per variable), ``connected_to`` (the cell split at
  ", "; ``[]`` where Keras prints "-"; null when Keras shows no "Connected to"
  column for the model) and ``weights`` (name and shape of each variable, the
  last part of its path). ``summary_text`` is the whole printed summary at
  ``line_length=250``.
- ``total_params``, ``trainable_params``, ``non_trainable_params`` and
  ``output_shapes`` (the model's output shapes, batch axis included, in the
  order of its outputs).
- ``run``: ``"ok"`` when ``model.predict`` ran on random data of the right
  shape (batch 2; a null axis filled with 5).
- or ``error`` ("<ExceptionClass>: <message>") with ``error_stage``:
  ``"build"`` (building the graph or the Model) or ``"run"`` (``predict``).
- for some cases a float64 forward pass, at the top level of the case: ``input`` (a mapping
  input name -> nested list when the model has several inputs, else the nested
  list), ``weights`` (contract section 4 layout keyed by layer name, a shared
  layer once) and ``output`` (one output) or ``outputs`` (a list, in the order
  of the model's outputs). Inputs and weights are drawn from a NumPy RNG seeded
  from the case id and rounded to 10 significant digits before use; outputs
  are rounded to 10 significant digits.

``--check-specs [SPEC...]`` builds each graph spec (default
``specs/graph_*.yaml``) in Keras and compares its ``expect:`` blocks with what
Keras reports, printing the real numbers; the exit status is 1 when an
expectation does not hold.

Everything is deterministic (seeded RNGs, fixed hash seed).
"""

import argparse
import copy
import json
import os
import re
import sys
import warnings
import zlib
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["COLUMNS"] = "1000"  # rich sizes its console from this; the summary must not be clipped
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    # Some Keras messages print Python sets; fix their order across runs.
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

import keras  # noqa: E402
import numpy as np  # noqa: E402
import rich.markup  # noqa: E402
import rich.table  # noqa: E402
import yaml  # noqa: E402
from keras.src.utils.naming import to_snake_case  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "keras_graphs.json"
WRAPPED_KEYS = ("layer", "backward_layer")
ENTRY_KEYS = ("type", "inputs", "call", "expect")
LAYER_CLASSES = {
    name.lower(): name
    for name in dir(keras.layers)
    if isinstance(getattr(keras.layers, name), type)
}
BATCH = 2
NULL_FILL = 5  # a null (variable) axis is this long in predict and forward passes
REF_RE = re.compile(r"^(.*?)((?:\[\d+\])*)$")


class SpecError(Exception):
    """A mistake in a spec of this script (not something Keras refused)."""


# ---------------------------------------------------------------------------
# Spec (contract section 7) -> Keras model
# ---------------------------------------------------------------------------

def make_layer(spec):
    """One Keras layer from a contract-format layer mapping."""
    args = {k: v for k, v in spec.items() if k not in ENTRY_KEYS}
    for key in WRAPPED_KEYS:
        if isinstance(args.get(key), dict):
            args[key] = make_layer(args[key])
    cls = getattr(keras.layers, LAYER_CLASSES[spec["type"].lower()])
    return cls(**args)


def input_specs(spec):
    if "inputs" in spec:
        return spec["inputs"]
    return [{"name": "input_layer", **spec["input"]}] if "name" not in spec["input"] else [spec["input"]]


def parse_ref(ref):
    match = REF_RE.match(ref)
    name, idx = match.group(1), match.group(2)
    return name, [int(i) for i in re.findall(r"\d+", idx)]


class Graph:
    """Builds a spec's graph entry by entry, as the functional API would."""

    def __init__(self, spec):
        keras.backend.clear_session()
        self.spec = spec
        self.calls = {}    # name -> list of call outputs (an input has one "call")
        self.layers = {}   # name -> layer object
        self.entry_of = {}  # name -> the layer's defining entry
        self.input_tensors = []
        for inp in input_specs(spec):
            args = {"shape": tuple(inp["shape"]), "batch_size": spec.get("batch_size"), "name": inp["name"]}
            if "dtype" in inp:
                args["dtype"] = inp["dtype"]
            tensor = keras.Input(**args)
            self.input_tensors.append(tensor)
            self.calls[inp["name"]] = [tensor]
        self.prev = self.input_tensors[0] if len(self.input_tensors) == 1 else None
        self.last_entry_outputs = self.prev

    def resolve(self, ref):
        if isinstance(ref, list):
            return [self.resolve(r) for r in ref]
        if not isinstance(ref, str):
            raise SpecError(f"not a reference: {ref!r}")
        name, idx = parse_ref(ref)
        if name not in self.calls:
            raise SpecError(f"reference to nothing: {ref}")
        if len(idx) > 2:
            raise SpecError(f"bad reference {ref}")
        n, i = (0, None) if not idx else (0, idx[0]) if len(idx) == 1 else idx
        if n >= len(self.calls[name]):
            raise SpecError(f"call {n} of {name} does not exist: {ref}")
        out = self.calls[name][n]
        if i is None:
            return out
        if isinstance(out, (list, tuple)):
            return out[i]
        if i != 0:
            raise SpecError(f"{name} has one output: {ref}")
        return out

    def resolve_kwargs(self, kwargs):
        resolved = {}
        for key, value in kwargs.items():
            if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                resolved[key] = self.resolve(value)
            else:
                resolved[key] = value
        return resolved

    def add(self, entry):
        if isinstance(entry.get("call"), str):
            if entry["call"] not in self.layers:
                raise SpecError(f"call of an unknown layer {entry['call']}")
            layer = self.layers[entry["call"]]
            kwargs = {}
        else:
            layer = make_layer(entry)
            kwargs = self.resolve_kwargs(entry.get("call") or {})
        if "inputs" in entry:
            x = self.resolve(entry["inputs"])
        elif self.prev is None:
            raise SpecError("no inputs: and no single entry above")
        else:
            x = self.prev
        if isinstance(layer, (keras.layers.MultiHeadAttention, keras.layers.GroupQueryAttention)):
            out = layer(*x, **kwargs)  # call(query, value, key): the list's tensors are positional
        else:
            out = layer(x, **kwargs)
        if not isinstance(entry.get("call"), str):
            # Two layers of one name: Keras refuses the Model; the later one wins here.
            self.layers[layer.name] = layer
            self.entry_of[layer.name] = entry
            self.calls[layer.name] = []
        self.calls[layer.name].append(out)
        self.prev = out
        self.last_entry_outputs = out
        return layer, out

    def model(self):
        if "outputs" in self.spec:
            outputs = [self.resolve(r) for r in self.spec["outputs"]]
            if len(outputs) == 1:
                outputs = outputs[0]
        else:
            outputs = self.last_entry_outputs
        inputs = self.input_tensors if len(self.input_tensors) > 1 else self.input_tensors[0]
        return keras.Model(inputs, outputs, name=self.spec.get("name"))


def build_model(spec):
    graph = Graph(spec)
    for entry in spec["layers"]:
        graph.add(entry)
    return graph.model()


def strip_expect(spec):
    spec = copy.deepcopy(spec)
    spec.pop("expect", None)
    for layer in spec["layers"]:
        layer.pop("expect", None)
    return spec


def error_text(exc):
    """'<class>: <first line>'; for Keras's call wrapper, also the cause."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = lines[0] if lines else ""
    if message.startswith("Exception encountered when calling") and len(lines) > 1:
        message += " " + lines[1]
    return f"{type(exc).__name__}: {message}"


# ---------------------------------------------------------------------------
# Model -> summary records (Keras's own cells)
# ---------------------------------------------------------------------------

def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def count(weights):
    return int(sum(np.prod(w.shape, dtype=np.int64) for w in weights))


def weight_records(layer):
    return [
        {"name": w.path.split("/")[-1], "shape": shape_list(w.shape), "trainable": bool(w.trainable)}
        for w in getattr(layer, "weights", [])
    ]


def parse_shape_text(text):
    """'(None, 5)' -> [None, 5]; '[(None, 5), (None, 3)]' -> [[None, 5], [None, 3]]."""
    if text == "?":
        return None
    return json.loads(text.replace("(", "[").replace(")", "]").replace("None", "null"))


def capture_summary(model, line_length):
    """(printed text, rows as the plain cells Keras put in its table)."""
    cells = []
    original = rich.table.Table.add_row

    def add_row(table, *renderables, **kwargs):
        cells.append([rich.markup.render(c).plain if isinstance(c, str) else str(c) for c in renderables])
        return original(table, *renderables, **kwargs)

    lines = []
    rich.table.Table.add_row = add_row
    try:
        model.summary(print_fn=lines.append, line_length=line_length)
    finally:
        rich.table.Table.add_row = original
    return "".join(lines), cells


def summarize(model):
    text, cells = capture_summary(model, 250)
    _, cells = capture_summary(model, 400)
    operations = model._operations
    if len(cells) != len(operations):
        raise AssertionError("summary rows do not match model._operations")
    rows = []
    for op, row in zip(operations, cells):
        label = f"{op.name} ({type(op).__name__})"
        if row[0] != label:
            raise AssertionError(f"summary row {row[0]!r} is not {label!r}")
        weights = getattr(op, "weights", [])
        record = {
            "name": op.name,
            "type": type(op).__name__,
            "output_shape": parse_shape_text(row[1]),
            "output_shape_text": row[1],
            "params": int(row[2].replace(",", "").split()[0]),
            "trainable_params": count([w for w in weights if w.trainable]),
            "non_trainable_params": count([w for w in weights if not w.trainable]),
            "connected_to": None if len(row) < 4 else ([] if row[3] == "-" else row[3].split(", ")),
            "weights": weight_records(op),
        }
        rows.append(record)
    return {
        "rows": rows,
        "total_params": count(model.weights),
        "trainable_params": count(model.trainable_weights),
        "non_trainable_params": count(model.non_trainable_weights),
        "output_shapes": [shape_list(t.shape) for t in model.outputs],
        "summary_text": text,
    }


# ---------------------------------------------------------------------------
# Data and weights
# ---------------------------------------------------------------------------

def case_rng(case_id):
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def r10(array):
    """Round every float to 10 significant digits (nested lists out)."""
    array = np.asarray(array, dtype=np.float64)
    flat = [float(f"{v:.10g}") for v in array.ravel()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)


def direct_consumers(spec):
    """input name -> the layer specs that read that input directly."""
    names = [i["name"] for i in input_specs(spec)]
    consumers = {n: [] for n in names}
    defs = {}
    prev = names[0] if len(names) == 1 else None
    for entry in spec["layers"]:
        layer_spec = defs.get(entry["call"]) if isinstance(entry.get("call"), str) else entry
        if "inputs" in entry:
            refs = entry["inputs"] if isinstance(entry["inputs"], list) else [entry["inputs"]]
        else:
            refs = [prev] if prev else []
        for ref in refs:
            name = parse_ref(ref)[0]
            if name in consumers and layer_spec is not None:
                consumers[name].append(layer_spec)
        if not isinstance(entry.get("call"), str):
            name = entry.get("name", f"__{id(entry)}")
            defs[name] = entry
            prev = name
        else:
            prev = entry["call"]
    return consumers


def make_inputs(case_id, spec):
    """Batch-2 inputs: floats in [-1, 1] (masked steps set), or token ids."""
    rng = case_rng(case_id + "/input")
    consumers = direct_consumers(spec)
    data = {}
    for inp in input_specs(spec):
        shape = (BATCH,) + tuple(NULL_FILL if d is None else d for d in inp["shape"])
        users = consumers[inp["name"]]
        if inp.get("dtype", "float32").startswith("int"):
            embeddings = [u for u in users if u["type"].lower() == "embedding"]
            high = min([e["input_dim"] for e in embeddings] or [10])
            mask_zero = any(e.get("mask_zero") for e in embeddings)
            x = rng.integers(1 if mask_zero else 0, high, size=shape)
            if mask_zero and len(shape) >= 2:
                x[0, -2:] = 0
                x[1, 1] = 0
            data[inp["name"]] = x.astype(inp["dtype"])
            continue
        x = r10(rng.uniform(-1.0, 1.0, size=shape))
        masking = [u for u in users if u["type"].lower() == "masking"]
        if masking and len(shape) >= 3:
            value = masking[0].get("mask_value", 0.0)
            x[0, -2:] = value
            x[1, 1] = value
        data[inp["name"]] = x
    return data


def model_inputs(spec, data):
    arrays = [data[i["name"]] for i in input_specs(spec)]
    return arrays if len(arrays) > 1 else arrays[0]


def set_random_weights(layer, rng):
    tensors = {}
    for variable in layer.weights:
        name = variable.path.split("/")[-1]
        if name in tensors:
            raise ValueError(f"{layer.name}: two weights named {name}")
        low, high = (0.5, 1.5) if name in ("moving_variance", "moving_stddev", "renorm_stddev") else (-0.5, 0.5)
        value = r10(rng.uniform(low, high, size=tuple(variable.shape)))
        variable.assign(value)
        tensors[name] = value.tolist()
    return tensors


def layer_tensors(layer, rng):
    """Contract section 4: Bidirectional by direction, wrappers see through."""
    if isinstance(layer, keras.layers.Bidirectional):
        return {"forward": layer_tensors(layer.forward_layer, rng),
                "backward": layer_tensors(layer.backward_layer, rng)}
    if isinstance(layer, keras.layers.TimeDistributed):
        return layer_tensors(layer.layer, rng)
    return set_random_weights(layer, rng)


def to_list(value):
    array = keras.ops.convert_to_numpy(value)
    if np.issubdtype(array.dtype, np.floating):
        return r10(array).tolist()
    return array.tolist()


def forward_pass(case_id, spec):
    keras.config.set_floatx("float64")
    try:
        model = build_model(spec)
        rng = case_rng(case_id + "/weights")
        weights = {}
        for layer in model.layers:
            if layer.weights:
                weights[layer.name] = layer_tensors(layer, rng)
        data = make_inputs(case_id, spec)
        result = model(model_inputs(spec, data), training=False)
    finally:
        keras.config.set_floatx("float32")
    names = [i["name"] for i in input_specs(spec)]
    record = {"input": {n: data[n].tolist() for n in names} if len(names) > 1 else data[names[0]].tolist(),
              "weights": weights}
    if isinstance(result, (list, tuple)):
        record["outputs"] = [to_list(v) for v in result]
    else:
        record["output"] = to_list(result)
    return record


# ---------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------

def run_case(case_id, spec, forward=False):
    spec = strip_expect(spec)
    case = {"id": case_id, "spec": spec}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = build_model(spec)
        except SpecError:
            raise
        except Exception as exc:  # Keras refuses the graph: that is the golden
            case.update(error=error_text(exc), error_stage="build")
            model = None
        if model is not None:
            case.update(summarize(model))
            try:
                model.predict(model_inputs(spec, make_inputs(case_id, spec)), verbose=0, batch_size=BATCH)
                case["run"] = "ok"
            except Exception as exc:
                case.update(error=error_text(exc), error_stage="run")
    texts = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
                    if not issubclass(w.category, DeprecationWarning)})
    if texts:
        case["warnings"] = texts
    if forward and "error" not in case:
        case.update(forward_pass(case_id, spec))
    return case


# ---------------------------------------------------------------------------
# Hand-written cases
# ---------------------------------------------------------------------------

def L(type_, **args):
    return {"type": type_, **args}


def I(name, shape, dtype=None):  # noqa: E741,E743
    inp = {"name": name, "shape": list(shape)}
    if dtype:
        inp["dtype"] = dtype
    return inp


def G(inputs, layers, outputs=None, name=None, batch_size=None):
    spec = {}
    if name:
        spec["name"] = name
    if isinstance(inputs, dict):
        spec["input"] = inputs
    else:
        spec["inputs"] = list(inputs)
    if batch_size is not None:
        spec["batch_size"] = batch_size
    spec["layers"] = list(layers)
    if outputs is not None:
        spec["outputs"] = list(outputs)
    return spec


def seq2seq_training(latent=256, enc_tokens=71, dec_tokens=93):
    return G([I("encoder_inputs", [None, enc_tokens]), I("decoder_inputs", [None, dec_tokens])], [
        L("LSTM", name="encoder", units=latent, return_state=True, inputs="encoder_inputs"),
        L("LSTM", name="decoder", units=latent, return_sequences=True, return_state=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[1]", "encoder[2]"]}),
        L("Dense", name="decoder_dense", units=dec_tokens, activation="softmax", inputs="decoder[0]"),
    ], outputs=["decoder_dense"], name="seq2seq_training")


def seq2seq_encoder(latent=256, enc_tokens=71):
    return G([I("encoder_inputs", [None, enc_tokens])], [
        L("LSTM", name="encoder", units=latent, return_state=True, inputs="encoder_inputs"),
    ], outputs=["encoder[1]", "encoder[2]"], name="seq2seq_encoder")


def seq2seq_decoder(latent=256, dec_tokens=93):
    return G([I("decoder_inputs", [None, dec_tokens]), I("decoder_state_input_h", [latent]),
              I("decoder_state_input_c", [latent])], [
        L("LSTM", name="decoder", units=latent, return_sequences=True, return_state=True, inputs="decoder_inputs",
          call={"initial_state": ["decoder_state_input_h", "decoder_state_input_c"]}),
        L("Dense", name="decoder_dense", units=dec_tokens, activation="softmax", inputs="decoder[0]"),
    ], outputs=["decoder_dense", "decoder[1]", "decoder[2]"], name="seq2seq_decoder")


def siamese(units=16, steps=20, feats=8, head="subtract", rnn="LSTM"):
    merge = {"subtract": L("Subtract", name="diff", inputs=["shared[0][0]", "shared[1][0]"]),
             "dot": L("Dot", name="cosine", axes=1, normalize=True, inputs=["shared[0][0]", "shared[1][0]"]),
             "concat": L("Concatenate", name="pair", inputs=["shared[0][0]", "shared[1][0]"])}[head]
    return G([I("left", [steps, feats]), I("right", [steps, feats])], [
        L(rnn, name="shared", units=units, inputs="left"),
        {"call": "shared", "inputs": "right"},
        merge,
        L("Dense", name="similarity", units=1, activation="sigmoid"),
    ], name=f"siamese_{head}")


def text_meta(vocab=10000, length=100, meta=10):
    return G([I("tokens", [length], "int32"), I("metadata", [meta])], [
        L("Embedding", name="embedding", input_dim=vocab, output_dim=64, inputs="tokens"),
        L("LSTM", name="text_lstm", units=32),
        L("Dense", name="meta_dense", units=16, activation="relu", inputs="metadata"),
        L("Concatenate", name="merged", inputs=["text_lstm", "meta_dense"]),
        L("Dense", name="hidden", units=32, activation="relu"),
        L("Dense", name="label", units=1, activation="sigmoid"),
    ], name="text_metadata_classifier")


def luong(enc_len=12, dec_len=10, feats=16, units=32, vocab=40):
    return G([I("encoder_inputs", [enc_len, feats]), I("decoder_inputs", [dec_len, feats])], [
        L("LSTM", name="encoder", units=units, return_sequences=True, return_state=True, inputs="encoder_inputs"),
        L("LSTM", name="decoder", units=units, return_sequences=True, return_state=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[1]", "encoder[2]"]}),
        L("Dot", name="scores", axes=[2, 2], inputs=["decoder[0]", "encoder[0]"]),
        L("Activation", name="attention", activation="softmax"),
        L("Dot", name="context", axes=[2, 1], inputs=["attention", "encoder[0]"]),
        L("Concatenate", name="combined", inputs=["context", "decoder[0]"]),
        L("TimeDistributed", name="attn_hidden", layer=L("Dense", units=units, activation="tanh")),
        L("Dense", name="probs", units=vocab, activation="softmax"),
    ], name="luong_attention")


def two_head(steps=20, feats=8):
    return G([I("series", [steps, feats])], [
        L("LSTM", name="trunk", units=32, inputs="series"),
        L("Dense", name="price", units=1, inputs="trunk"),
        L("Dense", name="direction", units=3, activation="softmax", inputs="trunk"),
    ], outputs=["price", "direction"], name="two_head")


def bi_encoder_decoder(units=32, feats=16, dec_feats=20, rnn="LSTM", vocab=20):
    if rnn == "LSTM":
        states = [L("Concatenate", name="state_h", inputs=["encoder[1]", "encoder[3]"]),
                  L("Concatenate", name="state_c", inputs=["encoder[2]", "encoder[4]"])]
        initial = ["state_h", "state_c"]
    else:
        states = [L("Concatenate", name="state_h", inputs=["encoder[1]", "encoder[2]"])]
        initial = ["state_h"]
    return G([I("encoder_inputs", [None, feats]), I("decoder_inputs", [None, dec_feats])], [
        L("Bidirectional", name="encoder", layer=L(rnn, units=units, return_state=True), inputs="encoder_inputs"),
        *states,
        L(rnn, name="decoder", units=2 * units, return_sequences=True, inputs="decoder_inputs",
          call={"initial_state": initial}),
        L("Dense", name="probs", units=vocab, activation="softmax"),
    ], name=f"bi{rnn.lower()}_encoder_decoder")


def hand_cases():
    """(id, spec, forward?) triples."""
    cases = []

    def add(case_id, spec, forward=False):
        cases.append((case_id, spec, forward))

    # -- a) architectures ---------------------------------------------------
    add("seq2seq_training", seq2seq_training())
    add("seq2seq_encoder", seq2seq_encoder())
    add("seq2seq_decoder", seq2seq_decoder())
    add("seq2seq_training_small", seq2seq_training(4, 3, 5), True)
    add("seq2seq_encoder_small", seq2seq_encoder(4, 3), True)
    add("seq2seq_decoder_small", seq2seq_decoder(4, 5), True)
    add("seq2seq_training_default_outputs", G([I("encoder_inputs", [None, 3]), I("decoder_inputs", [None, 5])], [
        L("LSTM", name="encoder", units=4, return_state=True, inputs="encoder_inputs"),
        L("LSTM", name="decoder", units=4, return_sequences=True, return_state=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[1]", "encoder[2]"]}),
    ]), True)
    add("seq2seq_gru", G([I("encoder_inputs", [None, 6]), I("decoder_inputs", [None, 7])], [
        L("GRU", name="encoder", units=8, return_state=True, inputs="encoder_inputs"),
        L("GRU", name="decoder", units=8, return_sequences=True, return_state=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[1]"]}),
        L("Dense", name="probs", units=7, activation="softmax", inputs="decoder[0]"),
    ], outputs=["probs"]), True)
    add("seq2seq_gru_state_not_list", G([I("encoder_inputs", [None, 6]), I("decoder_inputs", [None, 7])], [
        L("GRU", name="encoder", units=8, return_state=True, inputs="encoder_inputs"),
        L("GRU", name="decoder", units=8, return_sequences=True, inputs="decoder_inputs",
          call={"initial_state": "encoder[1]"}),
    ]), True)
    add("seq2seq_simple_rnn", G([I("encoder_inputs", [5, 3]), I("decoder_inputs", [4, 3])], [
        L("SimpleRNN", name="encoder", units=4, return_state=True, inputs="encoder_inputs"),
        L("SimpleRNN", name="decoder", units=4, return_sequences=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[1]"]}),
        L("TimeDistributed", name="out", layer=L("Dense", units=3)),
    ]), True)
    add("gru_inference_decoder", G([I("decoder_inputs", [None, 7]), I("state_h", [8])], [
        L("GRU", name="decoder", units=8, return_sequences=True, return_state=True, inputs="decoder_inputs",
          call={"initial_state": ["state_h"]}),
        L("Dense", name="probs", units=7, activation="softmax", inputs="decoder[0]"),
    ], outputs=["probs", "decoder[1]"]), True)
    add("siamese_lstm_subtract", siamese())
    add("siamese_lstm_dot_cosine", siamese(head="dot"))
    add("siamese_gru_concat", siamese(head="concat", rnn="GRU"))
    add("siamese_small_subtract", siamese(3, 5, 2), True)
    add("siamese_small_dot", siamese(3, 5, 2, head="dot"), True)
    add("siamese_three_calls", G([I("a", [6, 3]), I("b", [6, 3]), I("c", [4, 3])], [
        L("GRU", name="shared", units=4, return_sequences=True, inputs="a"),
        {"call": "shared", "inputs": "b"},
        {"call": "shared", "inputs": "c"},
        L("Add", name="ab", inputs=["shared[0][0]", "shared[1][0]"]),
        L("GlobalAveragePooling1D", name="pool_ab", inputs="ab"),
        L("GlobalAveragePooling1D", name="pool_c", inputs="shared[2][0]"),
        L("Concatenate", name="cat", inputs=["pool_ab", "pool_c"]),
    ]), True)
    add("shared_dense_implicit_prev", G([I("a", [4]), I("b", [4])], [
        L("Dense", name="proj", units=4, inputs="a"),
        {"call": "proj"},
        {"call": "proj", "inputs": "b"},
        L("Add", name="sum", inputs=["proj[1][0]", "proj[2][0]"]),
    ]), True)
    add("shared_lstm_return_state", G([I("a", [5, 3]), I("b", [7, 3])], [
        L("LSTM", name="shared", units=4, return_state=True, inputs="a"),
        {"call": "shared", "inputs": "b"},
        L("Concatenate", name="states", inputs=["shared[0][1]", "shared[1][2]"]),
    ]), True)
    add("shared_last_call_shape_shown", G([I("a", [5, 3]), I("b", [9, 3])], [
        L("LSTM", name="shared", units=4, return_sequences=True, inputs="a"),
        {"call": "shared", "inputs": "b"},
        L("GlobalMaxPooling1D", name="pa", inputs="shared[0][0]"),
        L("GlobalMaxPooling1D", name="pb", inputs="shared[1][0]"),
        L("Multiply", name="prod", inputs=["pa", "pb"]),
    ]), True)
    add("shared_call_dead_end", G([I("a", [5, 3]), I("b", [9, 3])], [
        L("LSTM", name="shared", units=4, return_sequences=True, inputs="a"),
        {"call": "shared", "inputs": "b"},
        L("GlobalMaxPooling1D", name="pa", inputs="shared[0][0]"),
    ], outputs=["pa"]))
    add("shared_bidirectional", G([I("a", [5, 3]), I("b", [5, 3])], [
        L("Bidirectional", name="bi", layer=L("LSTM", units=2), inputs="a"),
        {"call": "bi", "inputs": "b"},
        L("Average", name="avg", inputs=["bi[0][0]", "bi[1][0]"]),
    ]), True)
    add("text_metadata", text_meta())
    add("text_metadata_small", text_meta(20, 6, 3), True)
    add("luong_attention", luong(), True)
    add("luong_attention_variable_length", luong(None, None, 8, 16, 30))
    add("two_head", two_head(), True)
    add("two_head_dict_like_three_outputs", G([I("x", [6, 4])], [
        L("LSTM", name="trunk", units=5, return_sequences=True, inputs="x"),
        L("GlobalAveragePooling1D", name="pool"),
        L("Dense", name="reg", units=1, inputs="pool"),
        L("Dense", name="cls", units=3, activation="softmax", inputs="pool"),
        L("TimeDistributed", name="tags", layer=L("Dense", units=2), inputs="trunk"),
    ], outputs=["tags", "cls", "reg"]), True)
    add("bilstm_encoder_decoder", bi_encoder_decoder())
    add("bilstm_encoder_decoder_small", bi_encoder_decoder(3, 4, 5, vocab=5), True)
    add("bigru_encoder_decoder_small", bi_encoder_decoder(3, 4, 5, rnn="GRU", vocab=5), True)
    for rnn in ("LSTM", "GRU", "SimpleRNN"):
        for mode in ("concat", "sum", "mul", "ave", None):
            add(f"bidirectional_{rnn.lower()}_return_state_{mode}", G([I("x", [5, 3])], [
                L("Bidirectional", name="bi", layer=L(rnn, units=2, return_state=True), merge_mode=mode,
                  inputs="x"),
            ]), True)
            add(f"bidirectional_{rnn.lower()}_return_state_sequences_{mode}", G([I("x", [5, 3])], [
                L("Bidirectional", name="bi", layer=L(rnn, units=2, return_state=True, return_sequences=True),
                  merge_mode=mode, inputs="x"),
            ]), mode in ("concat", None))
    add("bidirectional_initial_state_lstm", G([I("x", [5, 3]), I("y", [6, 3])], [
        L("Bidirectional", name="enc", layer=L("LSTM", units=2, return_state=True), inputs="x"),
        L("Bidirectional", name="dec", layer=L("LSTM", units=2, return_sequences=True), inputs="y",
          call={"initial_state": ["enc[1]", "enc[2]", "enc[3]", "enc[4]"]}),
    ]), True)
    add("bidirectional_initial_state_gru", G([I("x", [5, 3]), I("y", [6, 3])], [
        L("Bidirectional", name="enc", layer=L("GRU", units=2, return_state=True), inputs="x"),
        L("Bidirectional", name="dec", layer=L("GRU", units=2), inputs="y",
          call={"initial_state": ["enc[1]", "enc[2]"]}),
    ]), True)
    add("lstm_initial_state_from_dense", G([I("x", [5, 3]), I("meta", [4])], [
        L("Dense", name="h0", units=6, activation="tanh", inputs="meta"),
        L("Dense", name="c0", units=6, inputs="meta"),
        L("LSTM", name="lstm", units=6, inputs="x", call={"initial_state": ["h0", "c0"]}),
    ]), True)
    add("embedding_mask_zero_graph", G([I("tokens", [6], "int32")], [
        L("Embedding", name="embed", input_dim=9, output_dim=3, mask_zero=True, inputs="tokens"),
        L("LSTM", name="lstm", units=3, inputs="embed"),
        L("Dense", name="out", units=1, activation="sigmoid", inputs="lstm"),
    ]), True)
    add("embedding_mask_zero_graph_unnamed", G([I("tokens", [6], "int32")], [
        L("Embedding", input_dim=9, output_dim=3, mask_zero=True, inputs="tokens"),
        L("LSTM", units=3, return_sequences=True, inputs="embedding"),
        L("LSTM", units=2, inputs="lstm"),
    ]), True)
    add("embedding_mask_zero_two_consumers", G([I("tokens", [6], "int32")], [
        L("Embedding", name="embed", input_dim=9, output_dim=3, mask_zero=True, inputs="tokens"),
        L("LSTM", name="fw", units=2, inputs="embed"),
        L("GRU", name="gw", units=2, inputs="embed"),
        L("Concatenate", name="cat", inputs=["fw", "gw"]),
    ]), True)
    add("embedding_mask_zero_dense_between", G([I("tokens", [6], "int32")], [
        L("Embedding", name="embed", input_dim=9, output_dim=3, mask_zero=True, inputs="tokens"),
        L("Dense", name="proj", units=4, inputs="embed"),
        L("LSTM", name="lstm", units=2, inputs="proj"),
    ]), True)
    add("embedding_mask_zero_into_dense_only", G([I("tokens", [6], "int32")], [
        L("Embedding", name="embed", input_dim=9, output_dim=3, mask_zero=True, inputs="tokens"),
        L("Dense", name="proj", units=4, inputs="embed"),
    ]), True)
    add("embedding_mask_zero_bidirectional", G([I("tokens", [6], "int32")], [
        L("Embedding", name="embed", input_dim=9, output_dim=3, mask_zero=True, inputs="tokens"),
        L("Bidirectional", name="bi", layer=L("LSTM", units=2, return_sequences=True), inputs="embed"),
        L("GlobalAveragePooling1D", name="pool"),
    ]), True)
    add("embedding_mask_zero_concat_two", G([I("a", [6], "int32"), I("b", [6], "int32")], [
        L("Embedding", name="ea", input_dim=9, output_dim=3, mask_zero=True, inputs="a"),
        L("Embedding", name="eb", input_dim=9, output_dim=3, inputs="b"),
        L("Concatenate", name="cat", inputs=["ea", "eb"]),
        L("LSTM", name="lstm", units=2),
    ]), True)
    add("masking_graph", G([I("x", [6, 3])], [
        L("Masking", name="mask", mask_value=0.0, inputs="x"),
        L("LSTM", name="lstm", units=3, return_sequences=True, inputs="mask"),
        L("Dense", name="out", units=2, inputs="lstm"),
    ]), True)
    add("masking_graph_two_rnns", G([I("x", [6, 3])], [
        L("Masking", name="mask", mask_value=0.5, inputs="x"),
        L("GRU", name="g1", units=2, inputs="mask"),
        L("SimpleRNN", name="s1", units=2, inputs="mask"),
        L("Add", name="sum", inputs=["g1", "s1"]),
    ]), True)
    add("mask_call_kwarg", G([I("x", [6, 3]), I("m", [6], "bool")], [
        L("LSTM", name="lstm", units=3, inputs="x", call={"mask": "m"}),
    ]))
    add("unused_input", G([I("a", [5]), I("b", [3])], [
        L("Dense", name="dense", units=4, inputs="a"),
    ]), True)
    add("unused_input_middle", G([I("a", [5]), I("unused", [7]), I("c", [5])], [
        L("Add", name="sum", inputs=["a", "c"]),
        L("Dense", name="out", units=2),
    ]), True)
    add("dead_end_layer", G([I("x", [5, 3])], [
        L("LSTM", name="lstm", units=4, inputs="x"),
        L("Dense", name="dead_end", units=3, inputs="lstm"),
        L("Dense", name="out", units=1, inputs="lstm"),
    ], outputs=["out"]), True)
    add("dead_end_chain_unnamed", G([I("x", [5, 3])], [
        L("LSTM", units=4, inputs="x"),
        L("Dense", units=3),
        L("Dense", units=2),
        L("Dense", units=1, inputs="lstm"),
    ], outputs=["dense_2"]), True)
    add("dead_end_branch_of_input", G([I("x", [5, 3]), I("y", [4])], [
        L("Dense", name="only_from_y", units=2, inputs="y"),
        L("LSTM", name="lstm", units=4, inputs="x"),
    ], outputs=["lstm"]), True)
    add("plain_chain_functional", G({"shape": [10, 8]}, [
        L("LSTM", name="lstm1", units=16, return_sequences=True, inputs="input_layer"),
        L("LSTM", name="lstm2", units=8, inputs="lstm1"),
        L("Dense", name="dense", units=1, inputs="lstm2"),
    ]), True)
    add("plain_chain_functional_implicit", G([I("x", [10, 8])], [
        L("Conv1D", filters=4, kernel_size=3, padding="same"),
        L("MaxPooling1D", pool_size=2),
        L("GRU", units=4),
        L("Dense", units=2, activation="softmax"),
    ]), True)
    add("plain_chain_input_named", G({"name": "seq", "shape": [6, 2]}, [
        L("SimpleRNN", name="rnn", units=3, inputs="seq"),
    ]), True)
    add("plain_chain_single_output_of_multi", G([I("x", [5, 3])], [
        L("LSTM", name="lstm", units=4, return_state=True, inputs="x"),
        L("Dense", name="out", units=2, inputs="lstm[1]"),
    ], outputs=["out"]), True)
    add("chain_with_rejoining_branches", G([I("x", [8])], [
        L("Dense", name="a", units=4, inputs="x"),
        L("Dense", name="b", units=4, inputs="x"),
        L("Add", name="sum", inputs=["a", "b"]),
        L("Dense", name="out", units=1),
    ]), True)
    add("chain_with_residual", G([I("x", [6, 4])], [
        L("LSTM", name="l1", units=4, return_sequences=True, inputs="x"),
        L("Add", name="residual", inputs=["x", "l1"]),
        L("LayerNormalization", name="norm"),
        L("LSTM", name="l2", units=3),
    ]), True)
    add("diamond_nested", G([I("x", [6, 4])], [
        L("Conv1D", name="c1", filters=3, kernel_size=1, inputs="x"),
        L("Conv1D", name="c3", filters=3, kernel_size=3, padding="same", inputs="x"),
        L("Conv1D", name="c5", filters=3, kernel_size=5, padding="causal", inputs="x"),
        L("Concatenate", name="inception", inputs=["c1", "c3", "c5"]),
        L("BatchNormalization", name="bn"),
        L("Bidirectional", name="bi", layer=L("GRU", units=2)),
    ]), True)
    add("input_as_output", G([I("x", [4])], [
        L("Dense", name="d", units=2, inputs="x"),
    ], outputs=["d", "x"]))
    add("same_tensor_twice_output", G([I("x", [4])], [
        L("Dense", name="d", units=2, inputs="x"),
    ], outputs=["d", "d"]))
    add("refuse_duplicate_layer_names", G([I("x", [4])], [
        L("Dense", name="d", units=2, inputs="x"),
        L("Dense", name="d", units=2),
    ]))
    add("refuse_explicit_name_then_auto_same", G([I("x", [4])], [
        L("Dense", name="dense", units=2, inputs="x"),
        L("Dense", units=2),
    ]))
    add("refuse_duplicate_names_dead_end", G([I("x", [4])], [
        L("Dense", name="d", units=2, inputs="x"),
        L("Dense", name="d", units=3, inputs="x"),
        L("Dense", name="out", units=1, inputs="x"),
    ], outputs=["out"]))
    add("refuse_layer_named_like_input", G([I("x", [4])], [
        L("Dense", name="x", units=2, inputs="x"),
    ]))
    add("batch_size_graph", G([I("a", [5, 3]), I("b", [5, 3])], [
        L("LSTM", name="l", units=2, inputs="a"),
        L("GRU", name="g", units=2, inputs="b"),
        L("Concatenate", name="cat", inputs=["l", "g"]),
    ], batch_size=2), True)

    # -- b) merge layers --------------------------------------------------------
    def merge(case_id, shapes, layer, forward=True, **extra):
        names = ["a", "b", "c", "d"][:len(shapes)]
        as_list = layer.pop("_list", True)
        add(case_id, G([I(n, s) for n, s in zip(names, shapes)], [
            {**layer, "inputs": names if as_list else names[0], **extra},
        ]), forward)

    for axis in (-1, 1, 2, -2):
        merge(f"concatenate_3d_axis_{axis}".replace("-", "m"), [[5, 4], [5, 4]], L("Concatenate", axis=axis))
    merge("concatenate_default_2d", [[4], [6]], L("Concatenate"))
    merge("concatenate_axis_1_2d", [[4], [6]], L("Concatenate", axis=1))
    merge("concatenate_axis_m1_different_widths", [[5, 4], [5, 6]], L("Concatenate", axis=-1))
    merge("concatenate_axis_1_different_lengths", [[5, 4], [3, 4]], L("Concatenate", axis=1))
    merge("concatenate_axis_m2_different_lengths", [[5, 4], [3, 4]], L("Concatenate", axis=-2))
    merge("concatenate_three", [[5, 4], [5, 2], [5, 1]], L("Concatenate"))
    merge("concatenate_four", [[3], [3], [3], [3]], L("Concatenate"))
    merge("concatenate_null_length_axis", [[None, 4], [5, 4]], L("Concatenate", axis=1), False)
    merge("concatenate_null_length_other_axis", [[None, 4], [5, 6]], L("Concatenate"), False)
    merge("concatenate_null_both", [[None, 4], [None, 6]], L("Concatenate"))
    merge("concatenate_axis_0", [[4], [4]], L("Concatenate", axis=0))
    merge("concatenate_single_input_list", [[4]], L("Concatenate"))
    merge("concatenate_refuse_mismatch_other_axis", [[5, 4], [6, 6]], L("Concatenate"))
    merge("concatenate_refuse_mismatch_axis_1", [[5, 4], [5, 6]], L("Concatenate", axis=1))
    merge("concatenate_refuse_rank_mismatch", [[5, 4], [4]], L("Concatenate"))
    merge("concatenate_refuse_axis_out_of_range", [[5, 4], [5, 4]], L("Concatenate", axis=3))
    merge("concatenate_refuse_axis_m4", [[5, 4], [5, 4]], L("Concatenate", axis=-4))
    merge("concatenate_refuse_not_list", [[5, 4]], {**L("Concatenate"), "_list": False})
    for kind in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        k = kind.lower()
        merge(f"{k}_2d", [[4], [4]], L(kind))
        merge(f"{k}_3d", [[5, 4], [5, 4]], L(kind))
        merge(f"{k}_three", [[5, 4], [5, 4], [5, 4]], L(kind))
        merge(f"{k}_broadcast_time_1", [[1, 8], [5, 8]], L(kind))
        merge(f"{k}_broadcast_feature_1", [[5, 1], [5, 8]], L(kind))
        merge(f"{k}_broadcast_width_1_2d", [[1], [4]], L(kind))
        merge(f"{k}_rank_mismatch", [[8], [5, 8]], L(kind))
        merge(f"{k}_null_and_fixed", [[None, 4], [5, 4]], L(kind))
        merge(f"{k}_null_both", [[None, 4], [None, 4]], L(kind))
        merge(f"{k}_refuse_widths", [[4], [6]], L(kind))
        merge(f"{k}_refuse_lengths", [[5, 4], [3, 4]], L(kind))
        merge(f"{k}_single_input_list", [[4]], L(kind))
        merge(f"{k}_refuse_not_list", [[4]], {**L(kind), "_list": False})
    merge("add_four", [[3], [3], [3], [3]], L("Add"))
    merge("add_broadcast_both_ways", [[1, 8], [5, 1]], L("Add"))
    merge("multiply_broadcast_three", [[1, 4], [5, 4], [5, 1]], L("Multiply"))
    merge("add_rank_mismatch_1d_vs_3d_width_1", [[1], [5, 4]], L("Add"))
    for axes in (1, -1, [1, 1], [-1, -1], [1, -1]):
        for norm in (False, True):
            tag = str(axes).replace("[", "").replace("]", "").replace(", ", "_").replace("-", "m")
            merge(f"dot_2d_axes_{tag}_normalize_{str(norm).lower()}", [[4], [4]], L("Dot", axes=axes, normalize=norm))
    merge("dot_2d_default_normalize", [[4], [4]], L("Dot", axes=1))
    for axes, shapes in ((2, [[5, 4], [6, 4]]), ([2, 2], [[5, 4], [6, 4]]), (-1, [[5, 4], [6, 4]]),
                         ([1, 1], [[5, 4], [5, 3]]), ([2, 1], [[5, 4], [4, 3]]), ([1, 2], [[4, 5], [3, 4]]),
                         ([-1, -2], [[5, 4], [4, 3]]), ([-2, -2], [[5, 4], [5, 3]])):
        for norm in (False, True):
            tag = str(axes).replace("[", "").replace("]", "").replace(", ", "_").replace("-", "m")
            merge(f"dot_3d_axes_{tag}_normalize_{str(norm).lower()}", shapes, L("Dot", axes=axes, normalize=norm))
    merge("dot_2d_with_3d_axes_1_2", [[4], [5, 4]], L("Dot", axes=[1, 2]))
    merge("dot_3d_with_2d_axes_2_1", [[5, 4], [4]], L("Dot", axes=[2, 1]))
    merge("dot_null_length", [[None, 4], [None, 4]], L("Dot", axes=2))
    merge("dot_null_contracted", [[None, 4], [None, 3]], L("Dot", axes=1), False)
    merge("dot_refuse_widths", [[4], [5]], L("Dot", axes=1))
    merge("dot_refuse_3d_axes_mismatch", [[5, 4], [6, 3]], L("Dot", axes=2))
    merge("dot_refuse_3d_pair_mismatch", [[5, 4], [6, 4]], L("Dot", axes=[1, 1]))
    merge("dot_refuse_three_inputs", [[4], [4], [4]], L("Dot", axes=1))
    merge("dot_refuse_single", [[4]], L("Dot", axes=1))
    merge("dot_refuse_axes_3_items", [[4], [4]], L("Dot", axes=[1, 1, 1]))
    merge("dot_refuse_axes_str", [[4], [4]], L("Dot", axes="1"))
    merge("dot_axes_0", [[4], [4]], L("Dot", axes=0))
    merge("dot_axes_out_of_range", [[4], [4]], L("Dot", axes=3))
    merge("dot_refuse_missing_axes", [[4], [4]], L("Dot"))
    add("merge_after_rnns", G([I("a", [6, 3]), I("b", [6, 5])], [
        L("LSTM", name="la", units=4, return_sequences=True, inputs="a"),
        L("GRU", name="gb", units=4, return_sequences=True, inputs="b"),
        L("Maximum", name="mx", inputs=["la", "gb"]),
        L("Minimum", name="mn", inputs=["la", "gb"]),
        L("Subtract", name="spread", inputs=["mx", "mn"]),
        L("Dot", name="gram", axes=[1, 1], inputs=["spread", "la"]),
    ]), True)

    # -- c) mistakes Keras may only find at run time ----------------------------
    def state_case(case_id, rnn, units, states, bidirectional=False, forward=False):
        inputs = [I("x", [5, 3])] + [I(f"s{i}", [w]) for i, w in enumerate(states)]
        layer = L(rnn, units=units)
        if bidirectional:
            layer = L("Bidirectional", layer=layer)
        refs = [f"s{i}" for i in range(len(states))]
        add(case_id, G(inputs, [{**layer, "name": "rnn", "inputs": "x", "call": {"initial_state": refs}}]), forward)

    state_case("lstm_initial_state_ok", "LSTM", 4, [4, 4], forward=True)
    state_case("lstm_initial_state_wrong_width_h", "LSTM", 4, [3, 4])
    state_case("lstm_initial_state_wrong_width_c", "LSTM", 4, [4, 6])
    state_case("lstm_initial_state_wrong_width_both", "LSTM", 4, [8, 8])
    state_case("lstm_initial_state_one_state", "LSTM", 4, [4])
    state_case("lstm_initial_state_three_states", "LSTM", 4, [4, 4, 4])
    state_case("gru_initial_state_ok", "GRU", 4, [4], forward=True)
    state_case("gru_initial_state_wrong_width", "GRU", 4, [5])
    state_case("gru_initial_state_two_states", "GRU", 4, [4, 4])
    state_case("simplernn_initial_state_ok", "SimpleRNN", 4, [4], forward=True)
    state_case("simplernn_initial_state_wrong_width", "SimpleRNN", 4, [2])
    state_case("simplernn_initial_state_two_states", "SimpleRNN", 4, [4, 4])
    state_case("bidirectional_lstm_initial_state_ok", "LSTM", 2, [2, 2, 2, 2], True, True)
    state_case("bidirectional_lstm_initial_state_two", "LSTM", 2, [2, 2], True)
    state_case("bidirectional_lstm_initial_state_wrong_width", "LSTM", 2, [2, 2, 3, 2], True)
    state_case("bidirectional_lstm_initial_state_three", "LSTM", 2, [2, 2, 2], True)
    state_case("bidirectional_gru_initial_state_ok", "GRU", 2, [2, 2], True, True)
    state_case("bidirectional_gru_initial_state_one", "GRU", 2, [2], True)
    state_case("bidirectional_gru_initial_state_wrong_width", "GRU", 2, [2, 4], True)
    state_case("bidirectional_gru_initial_state_four", "GRU", 2, [2, 2, 2, 2], True)
    add("lstm_initial_state_from_sequence", G([I("x", [5, 3]), I("h", [5, 4]), I("c", [5, 4])], [
        L("LSTM", name="rnn", units=4, inputs="x", call={"initial_state": ["h", "c"]}),
    ]))
    add("decoder_state_width_mismatch_graph", G([I("encoder_inputs", [None, 3]), I("decoder_inputs", [None, 5])], [
        L("LSTM", name="encoder", units=4, return_state=True, inputs="encoder_inputs"),
        L("LSTM", name="decoder", units=6, return_sequences=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[1]", "encoder[2]"]}),
    ]))
    add("decoder_states_swapped_order_ok", G([I("encoder_inputs", [None, 3]), I("decoder_inputs", [None, 5])], [
        L("LSTM", name="encoder", units=4, return_state=True, inputs="encoder_inputs"),
        L("LSTM", name="decoder", units=4, return_sequences=True, inputs="decoder_inputs",
          call={"initial_state": ["encoder[2]", "encoder[1]"]}),
    ]), True)
    add("variable_lengths_merge_run", G([I("a", [None, 3]), I("b", [None, 3])], [
        L("Add", name="sum", inputs=["a", "b"]),
    ]), True)
    return cases


# ---------------------------------------------------------------------------
# d) Random functional graphs
# ---------------------------------------------------------------------------

RNNS = ("LSTM", "GRU", "SimpleRNN")
ELEMWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


class RandomGraph:
    """Grows a random graph in a live Keras session; shapes come from Keras."""

    def __init__(self, case_id):
        self.case_id = case_id
        self.rng = np.random.default_rng(zlib.crc32(case_id.encode()))
        self.named = 0

    def choice(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def coin(self, p):
        return bool(self.rng.random() < p)

    # -- live graph ------------------------------------------------------------
    def rebuild(self):
        self.graph = Graph(self.spec)
        names = [i["name"] for i in input_specs(self.spec)]
        self.last_ref = names[0] if len(names) == 1 else None
        self.pool = []       # dicts: ref, shape, dtype, source, consumed
        self.states = []     # (rnn type, units, [refs]) from RNNs with return_state
        for inp in input_specs(self.spec):
            self.register(inp["name"], self.graph.calls[inp["name"]][0], None)
        self.layer_inputs = {}
        for entry in self.spec["layers"]:
            self.apply(entry)

    def register(self, ref, tensor, source):
        self.pool.append({"ref": ref, "shape": tuple(tensor.shape[1:]), "dtype": str(tensor.dtype),
                          "source": source, "uses": 0})

    def mark_used(self, refs):
        refs = refs if isinstance(refs, list) else [refs]
        for t in self.pool:
            if t["ref"] in refs:
                t["uses"] += 1

    def apply(self, entry):
        layer, out = self.graph.add(entry)
        name = layer.name
        n = len(self.graph.calls[name]) - 1
        if "inputs" in entry:
            self.mark_used(entry["inputs"])
        elif self.pool:
            self.mark_used(self.last_ref)
        outs = out if isinstance(out, (list, tuple)) else [out]
        refs = []
        for i, tensor in enumerate(outs):
            if n == 0 and len(outs) == 1:
                ref = self.choice([name, name, name, f"{name}[0]", f"{name}[0][0]"])
            elif n == 0:
                ref = self.choice([f"{name}[{i}]", f"{name}[{i}]", f"{name}[0][{i}]"])
            else:
                ref = f"{name}[{n}][{i}]"
            refs.append(ref)
            self.register(ref, tensor, name)
        self.last_ref = refs[0] if len(refs) == 1 else None
        if n == 0:
            self.layer_inputs[name] = (entry, entry.get("inputs", None))
        self.record_states(entry, name, refs, outs)
        return refs

    def record_states(self, entry, name, refs, outs):
        if isinstance(entry.get("call"), str):
            entry = self.graph.entry_of[entry["call"]]
        inner = entry.get("layer") if entry["type"] == "Bidirectional" else entry
        if not isinstance(inner, dict) or not inner.get("return_state"):
            return
        if inner["type"] not in RNNS:
            return
        rnn, units = inner["type"], inner["units"]
        per = 2 if rnn == "LSTM" else 1
        if entry["type"] == "Bidirectional":
            if entry.get("merge_mode", "concat") is None:
                first = 2
            else:
                first = 1
            self.states.append((rnn, units, refs[first:first + per], True, refs[first:first + 2 * per]))
        else:
            self.states.append((rnn, units, refs[1:1 + per], False, None))

    # -- proposals ---------------------------------------------------------------
    def name_for(self, type_):
        if self.coin(0.5):
            return {}
        self.named += 1
        base = to_snake_case(type_)
        return {"name": f"{base}_{'abcdefghijklmnopqrstuvwxyz'[self.named % 26]}{self.named // 26 or ''}"}

    def pick_tensor(self, pred):
        cands = [t for t in self.pool if pred(t)]
        if not cands:
            return None
        unused = [t for t in cands if t["uses"] == 0]
        if unused and self.coin(0.7):
            cands = unused
        weights = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return cands[int(self.rng.choice(len(cands), p=weights / weights.sum()))]

    def with_input(self, entry, t):
        if t["ref"] == getattr(self, "last_ref", None) and self.coin(0.6):
            return entry
        return {**entry, "inputs": t["ref"]}

    def small(self):
        return int(self.rng.integers(2, 7))

    def propose_single(self):
        is_float = lambda t: t["dtype"].startswith("float")  # noqa: E731
        t = self.pick_tensor(lambda t: True)
        shape = t["shape"]
        if not is_float(t):
            if len(shape) == 1:
                e = L("Embedding", input_dim=self.vocab[t["ref"]] if t["ref"] in self.vocab else 20,
                      output_dim=self.small(), **({"mask_zero": True} if self.coin(0.25) else {}))
                return self.with_input({**e, **self.name_for("Embedding")}, t)
            return None
        rank = len(shape)
        kinds = []
        if rank == 2:
            kinds = ["rnn"] * 6 + ["bi"] * 3 + ["td", "dense", "conv", "pool", "gpool", "flatten", "reshape",
                                                "ln", "bn", "dropout", "act", "rnn_state"]
        elif rank == 1:
            kinds = ["dense"] * 4 + ["repeat"] * 3 + ["dropout", "act", "ln", "bn", "reshape"]
        else:
            kinds = ["dense", "flatten", "act"]
        kind = self.choice(kinds)
        s = self.small()
        if kind in ("rnn", "rnn_state"):
            rnn = self.choice(RNNS)
            e = L(rnn, units=s)
            if self.coin(0.5):
                e["return_sequences"] = True
            if self.coin(0.3):
                e["return_state"] = True
            if kind == "rnn_state" and self.states:
                st_rnn, units, refs, _, _ = self.choice(self.states)
                e["units"] = units
                per = 2 if rnn == "LSTM" else 1
                cands = [r for _, u, rs, _, _ in self.states for r in rs if u == units]
                initial = (refs + cands)[:per] if len(refs) >= per else [self.choice(cands) for _ in range(per)]
                if len(initial) < per:
                    initial = initial + [initial[0]] * (per - len(initial))
                e["call"] = {"initial_state": initial}
                self.mark_used(initial)
            return self.with_input({**e, **self.name_for(rnn)}, t)
        if kind == "bi":
            rnn = self.choice(RNNS)
            inner = L(rnn, units=s)
            if self.coin(0.5):
                inner["return_sequences"] = True
            if self.coin(0.3):
                inner["return_state"] = True
            e = L("Bidirectional", layer=inner)
            mode = self.choice(["concat", "concat", "sum", "mul", "ave", None, "omit"])
            if mode != "omit":
                e["merge_mode"] = mode
            return self.with_input({**e, **self.name_for("Bidirectional")}, t)
        if kind == "td":
            return self.with_input({**L("TimeDistributed", layer=L("Dense", units=s)),
                                    **self.name_for("TimeDistributed")}, t)
        if kind == "dense":
            e = L("Dense", units=s, **({"activation": "relu"} if self.coin(0.3) else {}))
            return self.with_input({**e, **self.name_for("Dense")}, t)
        if kind == "conv":
            e = L("Conv1D", filters=s, kernel_size=int(self.rng.integers(1, 4)),
                  padding=self.choice(["valid", "same", "causal"]))
            if self.coin(0.2):
                e["dilation_rate"] = 2
            return self.with_input({**e, **self.name_for("Conv1D")}, t)
        if kind == "pool":
            p = self.choice(["MaxPooling1D", "AveragePooling1D"])
            e = L(p, pool_size=2, padding=self.choice(["valid", "same"]))
            return self.with_input({**e, **self.name_for(p)}, t)
        if kind == "gpool":
            p = self.choice(["GlobalMaxPooling1D", "GlobalAveragePooling1D"])
            return self.with_input({**L(p), **self.name_for(p)}, t)
        if kind == "flatten":
            return self.with_input({**L("Flatten"), **self.name_for("Flatten")}, t)
        if kind == "reshape":
            if None in shape:
                target = [-1, shape[-1]] if rank == 2 else None
            elif rank == 2:
                target = self.choice([[shape[0] * shape[1]], [shape[1], shape[0]], [-1, 1]])
            else:
                n = shape[0]
                divs = [d for d in range(2, n) if n % d == 0]
                target = [self.choice(divs), -1] if divs else [n, 1]
            if target is None:
                return None
            return self.with_input({**L("Reshape", target_shape=target), **self.name_for("Reshape")}, t)
        if kind == "repeat":
            return self.with_input({**L("RepeatVector", n=int(self.rng.integers(2, 5))),
                                    **self.name_for("RepeatVector")}, t)
        if kind == "ln":
            return self.with_input({**L("LayerNormalization"), **self.name_for("LayerNormalization")}, t)
        if kind == "bn":
            return self.with_input({**L("BatchNormalization"), **self.name_for("BatchNormalization")}, t)
        if kind == "dropout":
            return self.with_input({**L("Dropout", rate=0.3), **self.name_for("Dropout")}, t)
        if kind == "act":
            return self.with_input({**L("Activation", activation=self.choice(["relu", "tanh", "softmax"])),
                                    **self.name_for("Activation")}, t)
        return None

    def propose_merge(self):
        floats = [t for t in self.pool if t["dtype"].startswith("float")]
        if len(floats) < 2:
            return None
        t = self.pick_tensor(lambda u: u["dtype"].startswith("float"))
        shape = t["shape"]
        others = [u for u in floats if u is not t]
        same = [u for u in others if u["shape"] == shape]
        kind = self.choice(["elem"] * 4 + ["concat"] * 3 + ["dot"] * 2)
        if kind == "elem":
            op = self.choice(ELEMWISE)
            if not same:
                return ("bridge", t, shape)
            count_ = 2 if op == "Subtract" or len(same) == 1 else self.choice([2, 2, 3])
            picks = [t] + [same[i] for i in self.rng.choice(len(same), size=count_ - 1, replace=False)]
            return {**L(op), **self.name_for(op), "inputs": [u["ref"] for u in picks]}
        if kind == "concat":
            rank = len(shape)
            axis = self.choice([-1, -1, rank] if rank >= 1 else [-1])
            if rank == 2 and self.coin(0.3):
                axis = self.choice([1, -2])
            ax = axis % (rank + 1) - 1  # index into shape (no batch)
            cands = [u for u in others if len(u["shape"]) == rank
                     and all(a == b for i, (a, b) in enumerate(zip(u["shape"], shape)) if i != ax)]
            if not cands:
                return ("bridge", t, shape)
            count_ = min(len(cands), self.choice([1, 1, 2]))
            picks = [t] + [cands[i] for i in self.rng.choice(len(cands), size=count_, replace=False)]
            e = L("Concatenate")
            if axis != -1 or self.coin(0.2):
                e["axis"] = axis
            return {**e, **self.name_for("Concatenate"), "inputs": [u["ref"] for u in picks]}
        rank = len(shape)
        if rank == 1:
            cands = [u for u in others if u["shape"] == shape]
            if not cands:
                return ("bridge", t, shape)
            e = L("Dot", axes=self.choice([1, -1, [1, 1]]), normalize=self.coin(0.4))
            return {**e, **self.name_for("Dot"), "inputs": [t["ref"], self.choice(cands)["ref"]]}
        if rank == 2:
            cands = [u for u in others if len(u["shape"]) == 2 and u["shape"][1] == shape[1]]
            if cands:
                e = L("Dot", axes=self.choice([2, -1, [2, 2]]), normalize=self.coin(0.3))
                return {**e, **self.name_for("Dot"), "inputs": [t["ref"], self.choice(cands)["ref"]]}
            cands = [u for u in others if len(u["shape"]) == 2 and u["shape"][0] == shape[0]]
            if cands:
                e = L("Dot", axes=self.choice([1, [1, 1]]), normalize=self.coin(0.3))
                return {**e, **self.name_for("Dot"), "inputs": [t["ref"], self.choice(cands)["ref"]]}
            return ("bridge", t, shape)
        return None

    def bridge(self, t, shape):
        """A Dense on another tensor of the same leading axes, as wide as t."""
        cands = [u for u in self.pool if u is not t and u["dtype"].startswith("float")
                 and len(u["shape"]) == len(shape) and u["shape"][:-1] == shape[:-1]]
        if not cands or shape[-1] is None:
            return None
        u = self.choice(cands)
        return {**L("Dense", units=int(shape[-1])), **self.name_for("Dense"), "inputs": u["ref"]}

    def propose_shared(self):
        cands = []
        for name, (entry, _) in self.layer_inputs.items():
            if entry["type"] in ELEMWISE + ("Concatenate", "Dot") or isinstance(entry.get("call"), str):
                continue
            if "call" in entry:
                continue
            first = self.graph.layers[name]._inbound_nodes[0].input_tensors[0]
            shape = tuple(first.shape[1:])
            for t in self.pool:
                if t["source"] == name:
                    continue
                ok = t["shape"] == shape
                if not ok and len(shape) == 2 and entry["type"] in RNNS + ("Bidirectional", "Conv1D"):
                    ok = len(t["shape"]) == 2 and t["shape"][1] == shape[1]
                if ok and t["dtype"] == str(first.dtype):
                    cands.append((name, t))
        if not cands:
            return None
        name, t = cands[int(self.rng.integers(len(cands)))]
        return {"call": name, "inputs": t["ref"]}

    def propose_error(self):
        """A deliberate mistake: a merge of shapes that do not fit, or bad initial_state."""
        floats = [t for t in self.pool if t["dtype"].startswith("float")]
        kind = self.choice(["merge", "state", "state", "subtract3"])
        if kind == "merge" and len(floats) >= 2:
            a, b = self.choice(floats), self.choice(floats)
            if a["shape"] != b["shape"]:
                op = self.choice(ELEMWISE + ("Concatenate", "Dot"))
                e = L(op, axes=1) if op == "Dot" else L(op)
                return {**e, "inputs": [a["ref"], b["ref"]]}
        if kind == "subtract3" and len(floats) >= 3:
            same = [u for u in floats if u["shape"] == floats[-1]["shape"]]
            picks = (same * 3)[:3]
            return {**L("Subtract"), "inputs": [u["ref"] for u in picks]}
        seqs = [t for t in floats if len(t["shape"]) == 2]
        vecs = [t for t in floats if len(t["shape"]) == 1 and t["shape"][0] is not None]
        if seqs and vecs:
            t, v = self.choice(seqs), self.choice(vecs)
            rnn = self.choice(RNNS)
            width = int(v["shape"][0])
            units = width + self.choice([0, 1, 2]) if self.coin(0.5) else width
            count_ = self.choice([1, 2, 3])
            e = L(rnn, units=units, call={"initial_state": [v["ref"]] * count_})
            if self.coin(0.3):
                e = L("Bidirectional", layer=L(rnn, units=units), call={"initial_state": [v["ref"]] * count_})
            return {**e, "inputs": t["ref"]}
        return None

    # -- the whole graph -------------------------------------------------------------
    def generate(self):
        n_inputs = self.choice([1, 1, 2, 2, 2, 3])
        inputs, self.vocab = [], {}
        names = ["x", "y", "z"] if self.coin(0.5) else ["in_a", "in_b", "in_c"]
        for i in range(n_inputs):
            kind = self.choice(["seq", "seq", "seq", "vec", "tok"])
            T = self.choice([None, 3, 4, 5, 6, 8])
            if kind == "seq":
                inputs.append(I(names[i], [T, self.small()]))
            elif kind == "vec":
                inputs.append(I(names[i], [self.small()]))
            else:
                inputs.append(I(names[i], [T or 6], self.choice(["int32", "int64"])))
                self.vocab[names[i]] = int(self.rng.integers(8, 30))
        self.spec = {"inputs": inputs, "layers": []}
        if n_inputs == 1 and self.coin(0.3):
            self.spec = {"input": inputs[0], "layers": []}
        self.last_ref = inputs[0]["name"] if n_inputs == 1 else None
        self.rebuild()
        target = int(self.rng.integers(3, 13))
        want_error = self.coin(0.12)
        error_at = int(self.rng.integers(1, target + 1)) if want_error else -1
        failures = 0
        kept_failure = None
        while len(self.spec["layers"]) < target and failures < 40:
            if len(self.spec["layers"]) == error_at:
                entry = self.propose_error()
                error_at = -1
                if entry is not None:
                    self.spec["layers"].append(entry)
                    try:
                        self.apply(entry)
                    except SpecError:
                        raise
                    except Exception:
                        kept_failure = "build"
                        break
                    self.spec["outputs"] = [self.pool[-1]["ref"]]
                    return self.spec
                continue
            r = self.rng.random()
            if r < 0.6:
                entry = self.propose_single()
            elif r < 0.9:
                entry = self.propose_merge()
                if isinstance(entry, tuple):
                    entry = self.bridge(entry[1], entry[2])
            else:
                entry = self.propose_shared()
            if entry is None:
                failures += 1
                continue
            self.spec["layers"].append(entry)
            try:
                self.apply(entry)
            except SpecError:
                raise
            except Exception:
                failures += 1
                if self.coin(0.1):
                    kept_failure = "natural"
                    break
                self.spec["layers"].pop()
                self.rebuild()
        if kept_failure:
            return self.spec
        if not self.spec["layers"]:
            return None
        self.choose_outputs()
        return self.spec

    def choose_outputs(self):
        produced = [t for t in self.pool if t["source"] is not None]
        last = produced[-1]
        leaves = [t for t in produced if t["uses"] == 0 and t is not last]
        k = self.choice([0, 1, 1, 2, 2])
        picks = [last]
        if leaves and k:
            weights = np.arange(1, len(leaves) + 1, dtype=float) ** 2
            idx = self.rng.choice(len(leaves), size=min(k, len(leaves)), replace=False, p=weights / weights.sum())
            picks += [leaves[i] for i in sorted(idx)]
        if self.coin(0.3) and len(picks) > 1:
            picks = picks[::-1]
        if len(picks) == 1 and self.coin(0.3) and last["ref"] == self.spec["layers"][-1].get("name"):
            return  # default: the last entry's output
        self.spec["outputs"] = [t["ref"] for t in picks]


def random_cases(count_, forward_every=3):
    cases = []
    i = 0
    seed = 0
    while len(cases) < count_:
        case_id = f"random_{seed:04d}"
        seed += 1
        spec = RandomGraph(case_id).generate()
        if spec is None:
            continue
        cases.append((case_id, spec, i % forward_every == 0))
        i += 1
    return cases


# ---------------------------------------------------------------------------
# Main, writing and checking
# ---------------------------------------------------------------------------

def dump_one_case_per_line(data):
    head = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items() if k != "cases")
    cases = ",\n".join(f"  {json.dumps(c)}" for c in data["cases"])
    return f"{{\n{head},\n \"cases\": [\n{cases}\n ]\n}}\n"


def write_json(cases):
    data = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
            "floatx_summary": "float32", "floatx_forward": "float64", "batch": BATCH,
            "null_axis_length": NULL_FILL, "cases": cases}
    OUT.write_text(dump_one_case_per_line(data))


def generate(n_random):
    keras.config.set_floatx("float32")
    # Keras 3.15's torch backend hands LayerNormalization over contiguous axes to
    # F.layer_norm (see gen_keras.py); take Keras's generic path in all cases.
    keras.src.ops.nn.is_continuous_axis = lambda axis: False
    specs = hand_cases() + random_cases(n_random)
    ids = [c[0] for c in specs]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    cases = []
    for n, (case_id, spec, forward) in enumerate(specs, 1):
        cases.append(run_case(case_id, spec, forward))
        if n % 50 == 0:
            write_json(cases)
            print(f"{n}/{len(specs)} cases", flush=True)
    write_json(cases)
    errors = [c for c in cases if "error" in c]
    print(f"wrote {OUT.relative_to(ROOT)}: {len(cases)} cases, {len(errors)} errors "
          f"({sum(c['error_stage'] == 'run' for c in errors)} at run time), "
          f"{sum('input' in c for c in cases)} forward passes")


def check_specs(paths):
    """Build each graph spec in Keras; compare and print its expectations."""
    keras.config.set_floatx("float32")
    failures = 0
    paths = paths or sorted(str(p) for p in (ROOT / "specs").glob("graph_*.yaml"))
    for path in paths:
        spec = yaml.safe_load(Path(path).read_text())
        model = build_model(strip_expect(spec))
        summary = summarize(model)
        rows = {row["name"]: row for row in summary["rows"]}
        print(path)
        for entry in spec["layers"]:
            if isinstance(entry.get("call"), str):
                continue
            name = entry.get("name")
            row = rows.get(name)
            if row is None:
                print(f"  {name}: no such row (named automatically, or dropped by Keras)")
                failures += bool(entry.get("expect"))
                continue
            shape = row["output_shape"]
            shape = [s[1:] for s in shape] if shape and isinstance(shape[0], list) else shape[1:]
            failures += compare(f"  {name}", entry.get("expect", {}), {"output_shape": shape, "params": row["params"]})
        actual = {key: summary[key] for key in ("total_params", "trainable_params", "non_trainable_params")}
        outs = [s[1:] for s in summary["output_shapes"]]
        actual["output_shape"] = outs[0] if len(outs) == 1 else outs
        failures += compare("  model", spec.get("expect", {}), actual)
        print("  rows: " + "; ".join(f"{r['name']} ({r['type']}) <- {', '.join(r['connected_to'] or [])}"
                                     for r in summary["rows"]))
    print("all expectations hold" if not failures else f"{failures} expectation(s) fail")
    return 1 if failures else 0


def compare(label, expect, actual):
    """Print the real numbers; count the expectations that do not hold."""
    bad = [key for key, value in expect.items() if key in actual and actual[key] != value]
    missing = [key for key in actual if key not in expect]
    print(f"{label}: {json.dumps(actual)}"
          + "".join(f"  MISMATCH {key}: expected {expect[key]}" for key in bad)
          + (f"  (no expect for {', '.join(missing)})" if missing else ""))
    return len(bad)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-specs", nargs="*", metavar="SPEC", default=None,
                        help="check the expect: blocks of graph specs (default specs/graph_*.yaml)")
    parser.add_argument("--random", type=int, default=320, help="how many random graphs (default 320)")
    opts = parser.parse_args()
    if opts.check_specs is not None:
        sys.exit(check_specs(opts.check_specs))
    generate(opts.random)


if __name__ == "__main__":
    main()
