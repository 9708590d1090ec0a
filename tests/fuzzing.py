"""Hypothesis strategies shared by tests/test_fuzz.py and benchmarks/fuzz.py.

Valid-looking specs are drawn from the registry's own argument declarations;
mutations damage the text of real specs.
"""

from __future__ import annotations

import yaml
from hypothesis import strategies as st

from lstmcalc.layers import KERAS
from lstmcalc.layers.args import REQUIRED

RECURRENT = ["LSTM", "GRU", "SimpleRNN"]
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", "softmax", "hard_sigmoid", "gelu", "elu", None]
SKIP = {"name", "dtype", "input_dim", "input_shape", "seed", "weights", "quantization_config", "use_cudnn",
        "synchronized", "renorm_clipping", "input_length", "backward_layer", "stateful", "autocast"}


def arg_value(arg, draw):
    kind = arg.kind
    if kind == "int":
        low = int(arg.minimum) if arg.minimum is not None else 1
        if arg.nullable and draw(st.booleans()):
            return None
        return draw(st.integers(max(low, 1), 4))
    if kind == "float":
        high = 0.5 if arg.maximum is not None else 1.0
        return draw(st.floats(0.0, high, allow_nan=False))
    if kind == "bool":
        if arg.name == "return_state":
            return draw(st.sampled_from([False, False, False, True]))
        return draw(st.booleans())
    if kind == "choice":
        return draw(st.sampled_from(list(arg.choices) + ([None] if arg.nullable else [])))
    if kind == "activation":
        return draw(st.sampled_from(ACTIVATIONS))
    if kind == "ints":
        return draw(st.integers(1, 3))
    if kind == "intlist":
        return draw(st.sampled_from([[-1], [2, -1], [1, 2], [2, 1]]))
    if kind == "axis":
        return -1
    if kind == "layer":
        return draw(layer_specs(types=RECURRENT, nested=False))
    return None  # initializers and the like keep their defaults


@st.composite
def layer_specs(draw, types=None, nested=True):
    names = types or sorted(KERAS)
    if not nested:
        names = [n for n in names if not KERAS[n].wrapper]
    t = KERAS[draw(st.sampled_from(names))]
    layer = {"type": draw(st.sampled_from([t.name, t.name.lower()]))}
    for arg in t.all_args:
        if arg.name in SKIP or (arg.kind == "layer" and not nested):
            continue
        if arg.default is REQUIRED or draw(st.booleans()):
            value = arg_value(arg, draw)
            if value is None and arg.default is REQUIRED:
                continue
            layer[arg.name] = value
    if t.name == "Embedding":
        layer["input_dim"] = draw(st.integers(2, 6))
    if t.name == "TimeDistributed":
        layer["layer"] = {"type": draw(st.sampled_from(["Dense", "Conv1D", "LSTM"])), "units": 2, "filters": 2,
                          "kernel_size": 1}
        layer["layer"] = {k: v for k, v in layer["layer"].items()
                          if k in {a.name for a in KERAS[layer["layer"]["type"]].all_args} or k == "type"}
    return layer


@st.composite
def specs(draw):
    rank = draw(st.sampled_from([1, 2, 2, 2, 3]))
    shape = [draw(st.sampled_from([None, 2, 3, 4])) for _ in range(rank)]
    if draw(st.booleans()):
        shape[-1] = draw(st.integers(1, 4))
    spec = {"input": {"shape": shape}, "layers": draw(st.lists(layer_specs(), min_size=1, max_size=4))}
    if draw(st.booleans()):
        spec["batch_size"] = draw(st.integers(1, 3))
    return spec


def dump(spec: dict) -> str:
    return yaml.safe_dump(spec, sort_keys=False)


GARBAGE = ["\t", ": :", "[", "]", "{", "- ", "&a", "*a", "!!python/object:os.system", "\x00", "\xff", "'", '"',
           "null", "-1", "1e999", "true", "units", "type: LSTM", "\n  - ", "<<: *a"]


@st.composite
def mutated_texts(draw, texts):
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete_line", "swap_lines", "insert", "replace_token", "truncate"]))
        lines = text.splitlines()
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete_line":
            del lines[i]
        elif op == "swap_lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.sampled_from(GARBAGE)) + lines[i][pos:]
        elif op == "replace_token":
            words = lines[i].split(" ")
            k = draw(st.integers(0, len(words) - 1))
            words[k] = draw(st.sampled_from(GARBAGE + ["0", "3.5", "'7'", "[1, 2]", "{}", "LSTM"]))
            lines[i] = " ".join(words)
        else:
            lines = lines[: i + 1]
        text = "\n".join(lines) + "\n"
    return text
