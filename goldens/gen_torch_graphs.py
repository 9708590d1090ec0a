"""Reference numbers for lstmcalc's PyTorch-dialect graphs (contract sections 6 and 7), from real torch.

Run from the repository root with a Python that has torch installed (the
project itself and its tests never import torch; they only read the JSON this
script writes)::

    python goldens/gen_torch_graphs.py

It writes ``torch_graphs.json`` next to itself. Each case holds a spec in the
contract's graph form with ``framework: pytorch``:

- ``inputs`` (or ``input``): shapes without the batch axis; the batch axis is
  first (every recurrent module here runs ``batch_first: true``).
- layers are ``torch.nn`` modules (``LSTM``, ``GRU``, ``RNN``, ``Linear``,
  ``Embedding``, ``Conv1d``, ``LayerNorm``, ``BatchNorm1d``, ``Dropout``,
  ``Flatten``, ``ReLU``, ``Tanh``, ``Sigmoid``) with torch's argument names;
  the input width (``input_size``, ``in_features``, ``in_channels``,
  ``num_features``) is not written: it is inferred from the incoming tensor
  (``resolved_args`` in each module record shows what torch was built with);
- ``Cat`` (``dim``) is ``torch.cat(inputs, dim)`` and ``Add`` is the sum of its
  inputs (``+``);
- pseudo steps (see ``pseudo_steps`` in the file): ``LastTimestep``
  (``x[:, -1]``), ``HiddenState`` (``x[index]`` of a state tensor reference
  such as ``lstm[1]``: ``h_n[-1]``) and ``Transpose`` (``dim0``, ``dim1``);
- references: ``NAME`` (the only output), ``NAME[i]`` (output i of the first
  call, as the module returns it, flattened: ``lstm[0]`` output, ``lstm[1]``
  h_n, ``lstm[2]`` c_n), ``NAME[n][i]`` (output i of call n);
- initial states: ``call: {hx: [h0, c0]}`` for LSTM, ``call: {hx: h0}`` for
  GRU and RNN; ``{call: NAME, inputs: ...}`` calls a module again (one set of
  weights, counted once).

For each case: ``modules`` (one record per module, in definition order:
``name``, ``type``, ``resolved_args``, ``params``, ``trainable_params``,
``non_trainable_params``, ``parameters`` and ``buffers`` with their
``state_dict`` names and shapes, and ``calls``: for each call the flattened
list of its output shapes, batch axis included), ``total_params``,
``trainable_params``, ``non_trainable_params`` (each module once) and
``outputs`` (the shapes of the graph's outputs, in the order of ``outputs:``,
default the last entry's outputs); or ``error`` ("<ExceptionClass>: <first
line>") with ``error_stage`` ("construction" or "call") and ``error_layer``.
Shapes are those of a batch of 2 (a null axis of the spec is 5 long).

For a subset, ``forward``: ``input`` (a mapping name -> nested list when there
are several inputs), ``weights`` (``state_dict`` tensors keyed by layer name,
drawn uniform in [-0.5, 0.5], BatchNorm1d ``running_var`` in [0.5, 1.5];
a shared module once) and ``output`` or ``outputs`` (float64, ``eval()``
mode, rounded to 10 significant digits).

Everything is seeded (each case from a CRC of its id; the hash seed fixed).
"""

import copy
import json
import os
import re
import sys
import warnings
import zlib
from pathlib import Path

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "torch_graphs.json"
RECURRENT = ("LSTM", "GRU", "RNN")
MODULES = RECURRENT + ("Linear", "Embedding", "Conv1d", "LayerNorm", "BatchNorm1d", "Dropout", "Flatten",
                       "ReLU", "Tanh", "Sigmoid")
PSEUDO = ("Cat", "Add", "LastTimestep", "HiddenState", "Transpose")
PSEUDO_STEPS = {
    "Cat": "torch.cat(inputs, dim=args.dim)",
    "Add": "inputs[0] + inputs[1] + ... (broadcasting as torch does)",
    "LastTimestep": "x[:, -1] (batch_first: false gives x[-1])",
    "HiddenState": "x[args.index] (default -1) of the state tensor that inputs refers to (h_n or c_n)",
    "Transpose": "x.transpose(args.dim0, args.dim1)",
}
INPUT_WIDTH = {"LSTM": ("input_size", -1), "GRU": ("input_size", -1), "RNN": ("input_size", -1),
               "Linear": ("in_features", -1), "Conv1d": ("in_channels", 1), "BatchNorm1d": ("num_features", 1)}
ENTRY_KEYS = ("type", "name", "inputs", "call", "expect")
BATCH = 2
NULL_FILL = 5
REF_RE = re.compile(r"^(.*?)((?:\[\d+\])*)$")

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)


class SpecError(Exception):
    """A mistake in a spec of this script (not something torch refused)."""


class TorchRefused(Exception):
    def __init__(self, exc, stage, layer):
        super().__init__(str(exc))
        self.exc, self.stage, self.layer = exc, stage, layer


def error_text(exc):
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0].strip() if lines else ''}"


def case_rng(case_id):
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def r10(array):
    array = np.asarray(array, dtype=np.float64)
    flat = [float(f"{v:.10g}") for v in array.ravel()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def input_specs(spec):
    if "inputs" in spec:
        return spec["inputs"]
    return [{"name": "input_layer", **spec["input"]}] if "name" not in spec["input"] else [spec["input"]]


def parse_ref(ref):
    match = REF_RE.match(ref)
    return match.group(1), [int(i) for i in re.findall(r"\d+", match.group(2))]


def flatten_out(kind, out):
    if kind == "LSTM":
        output, (h_n, c_n) = out
        return [output, h_n, c_n]
    if kind in ("GRU", "RNN"):
        output, h_n = out
        return [output, h_n]
    return [out]


class Graph:
    """Runs a spec's graph on concrete batch-2 tensors, entry by entry."""

    def __init__(self, spec, data, fill=None):
        self.spec = spec
        self.fill = fill          # rng: fill each new module's state_dict
        self.calls = {}           # name -> list of flattened outputs
        self.modules = {}         # name -> (type, module or None, resolved args)
        self.order = []
        self.first_input = {}     # name -> the tensor its first call read
        self.counters = {}
        self.weights = {}
        for inp in input_specs(spec):
            self.calls[inp["name"]] = [[data[inp["name"]]]]
        names = [i["name"] for i in input_specs(spec)]
        self.prev = [data[names[0]]] if len(names) == 1 else None

    def resolve(self, ref):
        if isinstance(ref, list):
            return [self.resolve(r) for r in ref]
        name, idx = parse_ref(ref)
        if name not in self.calls:
            raise SpecError(f"reference to nothing: {ref}")
        n, i = (0, None) if not idx else (0, idx[0]) if len(idx) == 1 else idx
        outs = self.calls[name][n]
        if i is None:
            if len(outs) != 1:
                raise SpecError(f"bare reference to a module with several outputs: {ref}")
            return outs[0]
        return outs[i]

    def auto_name(self, kind):
        base = snake(kind)
        k = self.counters.get(base, 0)
        self.counters[base] = k + 1
        return base if k == 0 else f"{base}_{k}"

    def add(self, entry):
        shared = isinstance(entry.get("call"), str)
        if "inputs" in entry:
            x = self.resolve(entry["inputs"])
        elif self.prev is None or len(self.prev) != 1:
            raise SpecError("no inputs: and no single output above")
        else:
            x = self.prev[0]
        if shared:
            name = entry["call"]
            kind, module, args = self.modules[name]
            kwargs = {}
        else:
            kind = entry["type"]
            name = entry.get("name") or self.auto_name(kind)
            if name in self.modules:
                raise SpecError(f"two modules named {name}")
            args = {k: v for k, v in entry.items() if k not in ENTRY_KEYS}
            module = None
            if kind in MODULES:
                if kind in INPUT_WIDTH and INPUT_WIDTH[kind][0] not in args:
                    key, axis = INPUT_WIDTH[kind]
                    args = {key: int(x.shape[axis]), **args}
                try:
                    module = getattr(nn, kind)(**copy.deepcopy(args)).eval()
                except Exception as exc:
                    raise TorchRefused(exc, "construction", name) from exc
                if self.fill is not None:
                    self.weights[name] = fill_state(module, self.fill)
            elif kind not in PSEUDO:
                raise SpecError(f"unknown type {kind}")
            self.modules[name] = (kind, module, args)
            self.order.append(name)
            self.calls[name] = []
            kwargs = {}
            for key, value in (entry.get("call") or {}).items():
                kwargs[key] = self.resolve(value)
        try:
            with torch.no_grad():
                outs = self.run(kind, module, args, x, kwargs)
        except SpecError:
            raise
        except Exception as exc:
            raise TorchRefused(exc, "call", name) from exc
        self.calls[name].append(outs)
        self.first_input.setdefault(name, x)
        self.prev = outs
        return name, outs

    @staticmethod
    def run(kind, module, args, x, kwargs):
        if kind == "Cat":
            return [torch.cat(x, dim=args.get("dim", -1))]
        if kind == "Add":
            total = x[0]
            for t in x[1:]:
                total = total + t
            return [total]
        if kind == "LastTimestep":
            return [x[:, -1] if args.get("batch_first", True) else x[-1]]
        if kind == "HiddenState":
            return [x[args.get("index", -1)]]
        if kind == "Transpose":
            return [x.transpose(args["dim0"], args["dim1"])]
        if kind in RECURRENT and "hx" in kwargs:
            hx = kwargs["hx"]
            if kind == "LSTM":
                hx = tuple(hx)
            elif isinstance(hx, list):
                hx = hx[0] if len(hx) == 1 else hx
            return flatten_out(kind, module(x, hx))
        return flatten_out(kind, module(x))

    def outputs(self):
        if "outputs" in self.spec:
            return [self.resolve(r) for r in self.spec["outputs"]]
        return list(self.prev)


def fill_state(m, rng):
    """Overwrite every float tensor of the state_dict with seeded values."""
    state = {}
    with torch.no_grad():
        for name, t in m.state_dict().items():
            if not t.is_floating_point():
                state[name] = t.tolist()
                continue
            low = 0.5 if name.endswith("running_var") else -0.5
            value = torch.tensor(r10(rng.uniform(low, low + 1.0, size=tuple(t.shape))))
            t.copy_(value)
            state[name] = value.tolist()
    return state


def make_inputs(case_id, spec):
    rng = case_rng(case_id + "/input")
    data = {}
    highs = embedding_sizes(spec)
    for inp in input_specs(spec):
        shape = (BATCH,) + tuple(NULL_FILL if d is None else d for d in inp["shape"])
        if inp.get("dtype", "float32").startswith("int"):
            data[inp["name"]] = torch.tensor(rng.integers(0, highs.get(inp["name"], 10), size=shape))
        else:
            data[inp["name"]] = torch.tensor(r10(rng.uniform(-1.0, 1.0, size=shape)))
    return data


def embedding_sizes(spec):
    """input name -> the smallest num_embeddings of an Embedding that reads it directly."""
    names = [i["name"] for i in input_specs(spec)]
    sizes, defs = {}, {}
    prev = names[0] if len(names) == 1 else None
    for entry in spec["layers"]:
        layer = defs.get(entry["call"]) if isinstance(entry.get("call"), str) else entry
        ref = entry.get("inputs", prev)
        if isinstance(ref, str) and layer and layer["type"] == "Embedding":
            name = parse_ref(ref)[0]
            if name in names:
                sizes[name] = min(sizes.get(name, 10 ** 9), layer["num_embeddings"])
        if not isinstance(entry.get("call"), str):
            key = entry.get("name", f"__{id(entry)}")
            defs[key] = entry
            prev = key
    return sizes


def shape_list(t):
    return [int(d) for d in t.shape]


def to_list(t):
    if t.is_floating_point():
        return r10(t.numpy()).tolist()
    return t.tolist()


def run_case(case_id, spec, forward=False):
    case = {"id": case_id, "spec": spec}
    data = make_inputs(case_id, spec)
    graph = Graph(spec, data, fill=case_rng(case_id + "/weights") if forward else None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for entry in spec["layers"]:
                graph.add(entry)
            outs = graph.outputs()
        except TorchRefused as refused:
            case.update(error=error_text(refused.exc), error_stage=refused.stage, error_layer=refused.layer)
            outs = None
    texts = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})
    if texts:
        case["warnings"] = texts
    if outs is None:
        return case
    modules, total, trainable = [], 0, 0
    for name in graph.order:
        kind, module, args = graph.modules[name]
        params = list(module.parameters()) if module is not None else []
        n = sum(p.numel() for p in params)
        t = sum(p.numel() for p in params if p.requires_grad)
        total, trainable = total + n, trainable + t
        modules.append({
            "name": name, "type": kind, "resolved_args": args, "params": n, "trainable_params": t,
            "non_trainable_params": n - t,
            "parameters": [{"name": k, "shape": list(p.shape)} for k, p in module.named_parameters()]
            if module is not None else [],
            "buffers": [{"name": k, "shape": list(b.shape)} for k, b in module.named_buffers()]
            if module is not None else [],
            "calls": [[shape_list(t) for t in call] for call in graph.calls[name]],
        })
    case.update(modules=modules, total_params=total, trainable_params=trainable,
                non_trainable_params=total - trainable, outputs=[shape_list(t) for t in outs])
    if forward:
        names = [i["name"] for i in input_specs(spec)]
        record = {"input": {n: to_list(data[n]) for n in names} if len(names) > 1 else to_list(data[names[0]]),
                  "weights": graph.weights}
        if len(outs) == 1:
            record["output"] = to_list(outs[0])
        else:
            record["outputs"] = [to_list(t) for t in outs]
        case["forward"] = record
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


def G(inputs, layers, outputs=None, name=None):
    spec = {"framework": "pytorch"}
    if name:
        spec["name"] = name
    if isinstance(inputs, dict):
        spec["input"] = inputs
    else:
        spec["inputs"] = list(inputs)
    spec["layers"] = list(layers)
    if outputs is not None:
        spec["outputs"] = list(outputs)
    return spec


def hand_cases():
    cases = []

    def add(case_id, spec, forward=True):
        cases.append((case_id, spec, forward))

    def seq2seq(rnn, hidden, enc_f, dec_f, vocab, layers=1, bi=False):
        enc = L(rnn, name="encoder", hidden_size=hidden, batch_first=True, inputs="src")
        dec = L(rnn, name="decoder", hidden_size=hidden, batch_first=True, inputs="tgt")
        if layers > 1:
            enc["num_layers"] = dec["num_layers"] = layers
        if bi:
            enc["bidirectional"] = dec["bidirectional"] = True
        dec["call"] = {"hx": ["encoder[1]", "encoder[2]"]} if rnn == "LSTM" else {"hx": "encoder[1]"}
        return G([I("src", [None, enc_f]), I("tgt", [None, dec_f])], [
            enc, dec, L("Linear", name="proj", out_features=vocab, inputs="decoder[0]"),
        ], outputs=["proj"])

    add("seq2seq_lstm_big", seq2seq("LSTM", 256, 71, 93, 93), False)
    add("seq2seq_lstm", seq2seq("LSTM", 4, 3, 5, 5))
    add("seq2seq_lstm_2layers_bi", seq2seq("LSTM", 3, 3, 4, 4, layers=2, bi=True))
    add("seq2seq_gru", seq2seq("GRU", 4, 3, 5, 5))
    add("seq2seq_rnn_2layers", seq2seq("RNN", 3, 2, 2, 3, layers=2))
    add("seq2seq_lstm_all_outputs", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=4, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=4, batch_first=True, inputs="tgt",
          call={"hx": ["encoder[1]", "encoder[2]"]}),
    ], outputs=["decoder[0]", "decoder[1]", "decoder[2]"]))
    add("lstm_proj_hx", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=5, proj_size=2, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=5, proj_size=2, batch_first=True, inputs="tgt",
          call={"hx": ["encoder[1]", "encoder[2]"]}),
    ], outputs=["decoder[0]", "decoder[1]", "decoder[2]"]))
    add("siamese_lstm_hidden", G([I("left", [6, 3]), I("right", [6, 3])], [
        L("LSTM", name="shared", hidden_size=4, batch_first=True, inputs="left"),
        {"call": "shared", "inputs": "right"},
        L("HiddenState", name="h_left", index=-1, inputs="shared[0][1]"),
        L("HiddenState", name="h_right", index=-1, inputs="shared[1][1]"),
        L("Cat", name="pair", dim=1, inputs=["h_left", "h_right"]),
        L("Linear", name="score", out_features=1),
        L("Sigmoid", name="prob"),
    ]))
    add("siamese_gru_last_add", G([I("left", [6, 3]), I("right", [8, 3])], [
        L("GRU", name="shared", hidden_size=4, batch_first=True, inputs="left"),
        {"call": "shared", "inputs": "right"},
        L("LastTimestep", name="last_left", inputs="shared[0][0]"),
        L("LastTimestep", name="last_right", inputs="shared[1][0]"),
        L("Add", name="sum", inputs=["last_left", "last_right"]),
    ]))
    add("text_metadata", G([I("tokens", [7], "int64"), I("meta", [3])], [
        L("Embedding", name="embedding", num_embeddings=20, embedding_dim=4, padding_idx=0, inputs="tokens"),
        L("LSTM", name="lstm", hidden_size=5, batch_first=True),
        L("HiddenState", name="h_last", index=-1, inputs="lstm[1]"),
        L("Linear", name="meta_fc", out_features=4, inputs="meta"),
        L("ReLU", name="meta_relu"),
        L("Cat", name="merged", dim=-1, inputs=["h_last", "meta_relu"]),
        L("Linear", name="head", out_features=1),
    ]))
    add("text_metadata_big", G([I("tokens", [100], "int64"), I("meta", [10])], [
        L("Embedding", name="embedding", num_embeddings=10000, embedding_dim=64, inputs="tokens"),
        L("LSTM", name="lstm", hidden_size=32, batch_first=True),
        L("HiddenState", name="h_last", index=-1, inputs="lstm[1]"),
        L("Linear", name="meta_fc", out_features=16, inputs="meta"),
        L("Cat", name="merged", dim=1, inputs=["h_last", "meta_fc"]),
        L("Linear", name="head", out_features=1),
    ]), False)
    add("two_head", G([I("x", [6, 3])], [
        L("GRU", name="trunk", hidden_size=5, num_layers=2, batch_first=True, inputs="x"),
        L("HiddenState", name="h", inputs="trunk[1]"),
        L("Linear", name="price", out_features=1, inputs="h"),
        L("Linear", name="direction", out_features=3, inputs="h"),
    ], outputs=["price", "direction"]))
    add("bilstm_states_into_decoder", G([I("src", [5, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=3, bidirectional=True, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=3, bidirectional=True, batch_first=True, inputs="tgt",
          call={"hx": ["encoder[1]", "encoder[2]"]}),
        L("Linear", name="out", out_features=2, inputs="decoder[0]"),
    ]))
    add("conv_front_end_transpose", G([I("x", [8, 3])], [
        L("Transpose", name="to_channels", dim0=1, dim1=2, inputs="x"),
        L("Conv1d", name="conv", out_channels=4, kernel_size=3, padding=1),
        L("BatchNorm1d", name="bn"),
        L("ReLU", name="relu"),
        L("Transpose", name="to_time", dim0=1, dim1=2),
        L("LSTM", name="lstm", hidden_size=3, batch_first=True),
        L("LastTimestep", name="last", inputs="lstm[0]"),
        L("Linear", name="fc", out_features=2),
    ]))
    add("residual_add", G([I("x", [6, 4])], [
        L("LSTM", name="lstm", hidden_size=4, batch_first=True, inputs="x"),
        L("Add", name="res", inputs=["x", "lstm[0]"]),
        L("LayerNorm", name="norm", normalized_shape=4),
        L("Dropout", name="drop", p=0.3),
        L("Flatten", name="flat"),
    ]))
    add("shared_linear_three_calls", G([I("a", [4]), I("b", [4]), I("c", [4])], [
        L("Linear", name="proj", out_features=3, inputs="a"),
        {"call": "proj", "inputs": "b"},
        {"call": "proj", "inputs": "c"},
        L("Add", name="sum", inputs=["proj[0][0]", "proj[1][0]", "proj[2][0]"]),
        L("Tanh", name="tanh"),
    ]))
    add("refuse_gru_hx_2d_for_batched_input", G([I("x", [5, 3]), I("meta", [4])], [
        L("Linear", name="init", out_features=4, inputs="meta"),
        L("Tanh", name="h0"),
        L("GRU", name="gru", hidden_size=4, batch_first=True, inputs="x", call={"hx": "h0"}),
    ], outputs=["gru[0]"]), False)
    add("unused_input", G([I("a", [4]), I("b", [3])], [
        L("Linear", name="fc", out_features=2, inputs="a"),
    ]))
    add("dead_end", G([I("x", [5, 3])], [
        L("LSTM", name="lstm", hidden_size=4, batch_first=True, inputs="x"),
        L("Linear", name="dead", out_features=3, inputs="lstm[0]"),
        L("Linear", name="out", out_features=1, inputs="lstm[1]"),
    ], outputs=["out"]))
    add("rnn_hn_3d_into_linear", G([I("x", [5, 3])], [
        L("RNN", name="rnn", hidden_size=4, num_layers=2, bidirectional=True, batch_first=True, inputs="x"),
        L("Linear", name="fc", out_features=2, inputs="rnn[1]"),
    ]))
    add("unnamed_modules", G([I("x", [5, 3]), I("y", [5, 3])], [
        L("LSTM", hidden_size=2, batch_first=True, inputs="x"),
        L("LSTM", hidden_size=2, batch_first=True, inputs="y"),
        L("Cat", dim=2, inputs=["lstm[0]", "lstm_1[0]"]),
        L("Linear", out_features=1),
    ]))
    # refusals
    add("refuse_lstm_hx_wrong_hidden", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=4, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=5, batch_first=True, inputs="tgt",
          call={"hx": ["encoder[1]", "encoder[2]"]}),
    ]), False)
    add("refuse_lstm_hx_single_tensor", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=4, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=4, batch_first=True, inputs="tgt", call={"hx": ["encoder[1]"]}),
    ]), False)
    add("refuse_gru_hx_layers_mismatch", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("GRU", name="encoder", hidden_size=4, num_layers=2, batch_first=True, inputs="src"),
        L("GRU", name="decoder", hidden_size=4, batch_first=True, inputs="tgt", call={"hx": "encoder[1]"}),
    ]), False)
    add("refuse_lstm_bi_hx_into_uni", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=4, bidirectional=True, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=4, batch_first=True, inputs="tgt",
          call={"hx": ["encoder[1]", "encoder[2]"]}),
    ]), False)
    add("refuse_cat_mismatch", G([I("a", [5, 3]), I("b", [4, 2])], [
        L("Cat", name="cat", dim=-1, inputs=["a", "b"]),
    ]), False)
    add("refuse_add_mismatch", G([I("a", [4]), I("b", [3])], [
        L("Add", name="sum", inputs=["a", "b"]),
    ]), False)
    add("add_broadcast", G([I("a", [1, 4]), I("b", [5, 4])], [
        L("Add", name="sum", inputs=["a", "b"]),
    ]))
    add("refuse_linear_in_features_written_wrong", G([I("a", [4])], [
        L("Linear", name="fc", in_features=5, out_features=2, inputs="a"),
    ]), False)
    add("refuse_layernorm_shape", G([I("a", [5, 4])], [
        L("LayerNorm", name="norm", normalized_shape=3, inputs="a"),
    ]), False)
    add("refuse_proj_hx_wrong", G([I("src", [6, 3]), I("tgt", [4, 3])], [
        L("LSTM", name="encoder", hidden_size=5, batch_first=True, inputs="src"),
        L("LSTM", name="decoder", hidden_size=5, proj_size=2, batch_first=True, inputs="tgt",
          call={"hx": ["encoder[1]", "encoder[2]"]}),
    ]), False)
    return cases


# ---------------------------------------------------------------------------
# Random graphs
# ---------------------------------------------------------------------------

class RandomGraph:
    def __init__(self, case_id):
        self.case_id = case_id
        self.rng = np.random.default_rng(zlib.crc32(case_id.encode()))
        self.named = 0

    def choice(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def coin(self, p):
        return bool(self.rng.random() < p)

    def name_for(self, kind):
        if self.coin(0.5):
            return {}
        self.named += 1
        return {"name": f"{snake(kind)}_{'abcdefghijklmnopqrstuvwxyz'[self.named % 26]}"}

    def rebuild(self):
        self.graph = Graph(self.spec, self.data)
        self.pool = []
        self.states = []  # (kind, hidden, layers*dirs, proj, refs)
        for inp in input_specs(self.spec):
            self.pool.append({"ref": inp["name"], "t": self.data[inp["name"]], "uses": 0, "source": None})
        names = [i["name"] for i in input_specs(self.spec)]
        self.last_ref = names[0] if len(names) == 1 else None
        for entry in self.spec["layers"]:
            self.apply(entry)

    def apply(self, entry):
        name, outs = self.graph.add(entry)
        n = len(self.graph.calls[name]) - 1
        if "inputs" in entry:
            refs = entry["inputs"] if isinstance(entry["inputs"], list) else [entry["inputs"]]
        else:
            refs = [self.last_ref]
        for t in self.pool:
            if t["ref"] in refs:
                t["uses"] += 1
        new = []
        for i, t in enumerate(outs):
            if n == 0 and len(outs) == 1:
                ref = self.choice([name, name, f"{name}[0]"])
            elif n == 0:
                ref = f"{name}[{i}]"
            else:
                ref = f"{name}[{n}][{i}]"
            new.append(ref)
            self.pool.append({"ref": ref, "t": t, "uses": 0, "source": name})
        self.last_ref = new[0] if len(new) == 1 else None
        kind, module, args = self.graph.modules[name]
        if kind in RECURRENT and n == 0:
            self.states.append((kind, args, new[1:]))
        return new

    def pick(self, pred):
        cands = [t for t in self.pool if pred(t)]
        if not cands:
            return None
        unused = [t for t in cands if t["uses"] == 0]
        if unused and self.coin(0.7):
            cands = unused
        w = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return cands[int(self.rng.choice(len(cands), p=w / w.sum()))]

    def with_input(self, entry, t):
        if t["ref"] == self.last_ref and self.coin(0.6):
            return entry
        return {**entry, "inputs": t["ref"]}

    def propose(self):
        r = self.rng.random()
        floats = lambda t: t["t"].is_floating_point()  # noqa: E731
        if r < 0.55:
            t = self.pick(lambda t: True)
            x = t["t"]
            if not x.is_floating_point():
                e = L("Embedding", num_embeddings=self.vocab.get(t["ref"], 20), embedding_dim=int(self.rng.integers(2, 6)))
                if self.coin(0.3):
                    e["padding_idx"] = 0
                return self.with_input({**e, **self.name_for("Embedding")}, t)
            rank = x.dim()
            s = int(self.rng.integers(2, 6))
            if rank == 3:
                kind = self.choice(["rec"] * 5 + ["hx", "lin", "last", "conv", "ln", "drop", "act", "flat"])
            elif rank == 2:
                kind = self.choice(["lin"] * 4 + ["ln", "drop", "act", "bn"])
            else:
                kind = self.choice(["lin", "act", "flat"])
            if kind in ("rec", "hx"):
                rnn = self.choice(RECURRENT)
                e = L(rnn, hidden_size=s, batch_first=True)
                if self.coin(0.3):
                    e["num_layers"] = 2
                if self.coin(0.3):
                    e["bidirectional"] = True
                if rnn == "LSTM" and self.coin(0.15):
                    e["proj_size"] = max(1, s - 1)
                if rnn == "RNN" and self.coin(0.3):
                    e["nonlinearity"] = "relu"
                if kind == "hx" and self.states:
                    src_kind, a, refs = self.choice(self.states)
                    for key in ("hidden_size", "num_layers", "bidirectional", "proj_size"):
                        e.pop(key, None)
                        if key in a:
                            e[key] = a[key]
                    if rnn == "LSTM" and src_kind == "LSTM":
                        e["call"] = {"hx": refs[:2]}
                    elif rnn == "LSTM":
                        e.pop("proj_size", None)
                        e["call"] = {"hx": [refs[0], refs[0]]}
                    else:
                        e.pop("proj_size", None)
                        if src_kind == "LSTM" and a.get("proj_size"):
                            return None
                        e["call"] = {"hx": refs[0]}
                    for ref in (e["call"]["hx"] if isinstance(e["call"]["hx"], list) else [e["call"]["hx"]]):
                        for u in self.pool:
                            if u["ref"] == ref:
                                u["uses"] += 1
                return self.with_input({**e, **self.name_for(rnn)}, t)
            if kind == "lin":
                return self.with_input({**L("Linear", out_features=s), **self.name_for("Linear")}, t)
            if kind == "last":
                return self.with_input({**L("LastTimestep"), **self.name_for("LastTimestep")}, t)
            if kind == "conv":
                tr = {**L("Transpose", dim0=1, dim1=2), **self.name_for("Transpose")}
                return self.with_input(tr, t)
            if kind == "ln":
                return self.with_input({**L("LayerNorm", normalized_shape=int(x.shape[-1])),
                                        **self.name_for("LayerNorm")}, t)
            if kind == "bn":
                return self.with_input({**L("BatchNorm1d"), **self.name_for("BatchNorm1d")}, t)
            if kind == "drop":
                return self.with_input({**L("Dropout", p=0.2), **self.name_for("Dropout")}, t)
            if kind == "act":
                act = self.choice(["ReLU", "Tanh", "Sigmoid"])
                return self.with_input({**L(act), **self.name_for(act)}, t)
            if kind == "flat":
                return self.with_input({**L("Flatten"), **self.name_for("Flatten")}, t)
        if r < 0.7:
            # a channels-first tensor: Conv1d on it, or state tensors: HiddenState
            t = self.pick(lambda t: floats(t) and t["t"].dim() == 3)
            if t is None:
                return None
            if t["source"] and self.graph.modules[t["source"]][0] == "Transpose":
                e = L("Conv1d", out_channels=int(self.rng.integers(2, 6)), kernel_size=int(self.rng.integers(1, 4)),
                      padding=self.choice([0, 1, "same"]))
                return self.with_input({**e, **self.name_for("Conv1d")}, t)
            states = [u for u in self.pool if u["source"] and self.graph.modules[u["source"]][0] in RECURRENT
                      and not u["ref"].endswith("[0]")]
            if states:
                u = self.choice(states)
                return {**L("HiddenState", index=self.choice([-1, 0])), **self.name_for("HiddenState"),
                        "inputs": u["ref"]}
            return None
        if r < 0.92:
            t = self.pick(floats)
            if t is None:
                return None
            x = t["t"]
            same = [u for u in self.pool if u is not t and floats(u) and u["t"].shape == x.shape]
            if self.coin(0.5):
                if not same:
                    return self.bridge(t)
                picks = [t] + [same[i] for i in self.rng.choice(len(same), size=min(len(same), self.choice([1, 1, 2])),
                                                              replace=False)]
                return {**L("Add"), **self.name_for("Add"), "inputs": [u["ref"] for u in picks]}
            dim = self.choice([-1, -1, 1])
            d = dim % x.dim()
            cands = [u for u in self.pool if u is not t and floats(u) and u["t"].dim() == x.dim()
                     and all(a == b for i, (a, b) in enumerate(zip(u["t"].shape, x.shape)) if i != d)]
            if not cands:
                return self.bridge(t)
            picks = [t] + [cands[i] for i in self.rng.choice(len(cands), size=min(len(cands), self.choice([1, 1, 2])),
                                                            replace=False)]
            return {**L("Cat", dim=dim), **self.name_for("Cat"), "inputs": [u["ref"] for u in picks]}
        # shared call
        cands = []
        for name in self.graph.order:
            kind, module, args = self.graph.modules[name]
            if kind not in MODULES or kind in ("BatchNorm1d",):
                continue
            first_in = self.graph.first_input.get(name)
            if not torch.is_tensor(first_in):
                continue
            axis = 1 if kind == "Conv1d" else -1
            for u in self.pool:
                if u["source"] != name and u["t"].dtype == first_in.dtype and u["t"].dim() == first_in.dim() \
                        and u["t"].shape[axis] == first_in.shape[axis]:
                    cands.append((name, u))
        if not cands:
            return None
        name, u = cands[int(self.rng.integers(len(cands)))]
        return {"call": name, "inputs": u["ref"]}

    def bridge(self, t):
        x = t["t"]
        cands = [u for u in self.pool if u is not t and u["t"].is_floating_point() and u["t"].dim() == x.dim()
                 and u["t"].shape[:-1] == x.shape[:-1]]
        if not cands:
            return None
        return {**L("Linear", out_features=int(x.shape[-1])), **self.name_for("Linear"),
                "inputs": self.choice(cands)["ref"]}

    def propose_error(self):
        floats = [u for u in self.pool if u["t"].is_floating_point()]
        if len(floats) >= 2 and self.coin(0.5):
            a, b = self.choice(floats), self.choice(floats)
            if a["t"].shape != b["t"].shape:
                return self.choice([L("Add"), L("Cat", dim=-1)]) | {"inputs": [a["ref"], b["ref"]]}
        seqs = [u for u in floats if u["t"].dim() == 3]
        if seqs and self.states:
            kind, args, refs = self.choice(self.states)
            t = self.choice(seqs)
            wrong = args["hidden_size"] + 1
            if kind == "LSTM":
                return L("LSTM", hidden_size=wrong, batch_first=True, inputs=t["ref"], call={"hx": refs[:2]})
            return L(kind, hidden_size=wrong, batch_first=True, inputs=t["ref"], call={"hx": refs[0]})
        return None

    def generate(self):
        n_inputs = self.choice([1, 2, 2, 3])
        inputs, self.vocab = [], {}
        for i in range(n_inputs):
            kind = self.choice(["seq", "seq", "seq", "vec", "tok"])
            name = ["x", "y", "z"][i]
            T = self.choice([None, 3, 4, 6])
            if kind == "seq":
                inputs.append(I(name, [T, int(self.rng.integers(2, 6))]))
            elif kind == "vec":
                inputs.append(I(name, [int(self.rng.integers(2, 6))]))
            else:
                inputs.append(I(name, [T or 5], "int64"))
                self.vocab[name] = int(self.rng.integers(8, 25))
        self.spec = {"framework": "pytorch", "inputs": inputs, "layers": []}
        self.data = make_inputs(self.case_id, self.spec)
        self.rebuild()
        target = int(self.rng.integers(3, 11))
        error_at = int(self.rng.integers(1, target + 1)) if self.coin(0.12) else -1
        failures = 0
        while len(self.spec["layers"]) < target and failures < 40:
            if len(self.spec["layers"]) == error_at:
                error_at = -1
                entry = self.propose_error()
                if entry is not None:
                    self.spec["layers"].append(entry)
                    return self.spec
                continue
            entry = self.propose()
            if entry is None:
                failures += 1
                continue
            self.spec["layers"].append(entry)
            try:
                self.apply(entry)
            except TorchRefused:
                failures += 1
                self.spec["layers"].pop()
                self.rebuild()
        if not self.spec["layers"]:
            return None
        produced = [u for u in self.pool if u["source"]]
        last = produced[-1]
        leaves = [u for u in produced if u["uses"] == 0 and u is not last]
        picks = [last]
        k = self.choice([0, 1, 1, 2])
        if leaves and k:
            w = np.arange(1, len(leaves) + 1, dtype=float) ** 2
            idx = self.rng.choice(len(leaves), size=min(k, len(leaves)), replace=False, p=w / w.sum())
            picks += [leaves[i] for i in sorted(idx)]
        self.spec["outputs"] = [u["ref"] for u in picks]
        return self.spec


def random_cases(count, forward_every=2):
    cases, seed, i = [], 0, 0
    while len(cases) < count:
        case_id = f"random_{seed:04d}"
        seed += 1
        spec = RandomGraph(case_id).generate()
        if spec is None:
            continue
        cases.append((case_id, spec, i % forward_every == 0))
        i += 1
    return cases


def dump_one_case_per_line(data):
    head = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items() if k != "cases")
    cases = ",\n".join(f"  {json.dumps(c)}" for c in data["cases"])
    return f"{{\n{head},\n \"cases\": [\n{cases}\n ]\n}}\n"


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    specs = hand_cases() + random_cases(count)
    ids = [c[0] for c in specs]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    cases = [run_case(*c) for c in specs]
    data = {"torch_version": torch.__version__, "dtype": "float64", "mode": "eval", "batch": BATCH,
            "null_axis_length": NULL_FILL,
            "weights": "uniform [-0.5, 0.5]; BatchNorm1d running_var uniform [0.5, 1.5]; 10 significant digits",
            "pseudo_steps": PSEUDO_STEPS, "cases": cases}
    OUT.write_text(dump_one_case_per_line(data))
    errors = [c for c in cases if "error" in c]
    print(f"wrote {OUT.name}: {len(cases)} cases, {len(errors)} errors, {sum('forward' in c for c in cases)} forward")


if __name__ == "__main__":
    main()
