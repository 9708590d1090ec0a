"""export and convert-weights without the frameworks: the generated code is valid, ruff-clean Python,
every refusal names its layer, and the translated model with converted weights gives the same output
as the original under lstmcalc's own forward passes (both dialects). goldens/export.json holds the
proof in real Keras 3 and torch (goldens/gen_export.py)."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from lstmcalc.errors import SpecError
from lstmcalc.export.translate import translate
from lstmcalc.export.weights import convert, safetensors_bytes
from lstmcalc.graph.build import build, load
from lstmcalc.layers.equivalent import NoEquivalent
from lstmcalc.run import forward
from lstmcalc.sources.spec import parse

from .conftest import ROOT

GALLERY = sorted((ROOT / "specs").glob("*.yaml"))
# large: run in the goldens only
SLOW = ("char_language_model", "pytorch_sentiment", "pytorch_bigru_tagger", "video_cnn_lstm")

# One spec per layer type and argument that has an equivalent, in both dialects.
SYNTHETIC = {
    "lstm_gru_rnn": """
input: {shape: [4, 3]}
layers:
  - {type: LSTM, units: 3, return_sequences: true}
  - {type: GRU, units: 2, return_sequences: true, use_bias: false}
  - {type: SimpleRNN, units: 3, activation: relu}
  - {type: Dense, units: 2, activation: softmax}
""",
    "bidirectional": """
input: {shape: [4, 3]}
layers:
  - {type: Bidirectional, layer: {type: GRU, units: 2, return_sequences: true}}
  - {type: Bidirectional, layer: {type: LSTM, units: 2}, merge_mode: sum}
  - {type: Dense, units: 1, activation: tanh}
""",
    "bidirectional_last_concat": """
input: {shape: [5, 2]}
layers:
  - {type: Bidirectional, layer: {type: SimpleRNN, units: 3}}
""",
    "bidirectional_states": """
inputs: [{name: x, shape: [4, 3]}]
layers:
  - {type: Bidirectional, name: enc, layer: {type: LSTM, units: 2, return_state: true}, inputs: x}
  - {type: Concatenate, name: states, inputs: ["enc[1]", "enc[2]", "enc[3]", "enc[4]"]}
  - {type: Add, name: both, inputs: ["enc[1]", "enc[3]"]}
outputs: ["enc[0]", states, both]
""",
    "conv_norm": """
input: {shape: [6, 4]}
layers:
  - {type: Conv1D, filters: 4, kernel_size: 3, padding: same, dilation_rate: 2, activation: relu}
  - {type: Conv1D, filters: 4, kernel_size: 2, strides: 2, groups: 2}
  - {type: BatchNormalization, epsilon: 0.01, momentum: 0.9}
  - {type: LayerNormalization, center: false}
  - {type: Permute, dims: [2, 1]}
  - {type: Flatten}
  - {type: Dropout, rate: 0.2}
  - {type: BatchNormalization, center: false, scale: false}
  - {type: Activation, activation: sigmoid}
""",
    "conv_channels_first": """
input: {shape: [3, 7]}
layers:
  - {type: Conv1D, filters: 2, kernel_size: 3, data_format: channels_first}
  - {type: BatchNormalization, axis: 1}
""",
    "embedding_time_distributed": """
input: {shape: [5], dtype: int32}
layers:
  - {type: Embedding, input_dim: 11, output_dim: 4}
  - {type: TimeDistributed, layer: {type: Dense, units: 3, activation: relu}}
  - {type: LSTM, units: 2}
""",
    "torch_stack": """
framework: pytorch
input: {shape: [5, 3]}
layers:
  - {type: LSTM, hidden_size: 3, num_layers: 2, bidirectional: true, batch_first: true, dropout: 0.1}
  - {type: LayerNorm, normalized_shape: 6, bias: false}
  - {type: GRU, hidden_size: 2, num_layers: 2, batch_first: true}
  - {type: HiddenState, index: -1}
  - {type: Linear, out_features: 2}
  - {type: Softmax, dim: -1}
""",
    "torch_conv": """
framework: pytorch
input: {shape: [3, 6]}
layers:
  - {type: Conv1d, out_channels: 4, kernel_size: 3, padding: same}
  - {type: BatchNorm1d, eps: 0.001}
  - {type: ReLU}
  - {type: Transpose, dim0: 1, dim1: 2}
  - {type: RNN, hidden_size: 3, batch_first: true, nonlinearity: relu, bias: false}
  - {type: LastTimestep}
  - {type: Dropout, p: 0.1}
  - {type: Linear, out_features: 2, bias: false}
  - {type: Tanh}
""",
    "torch_graph": """
framework: pytorch
inputs: [{name: tokens, shape: [4], dtype: int64}, {name: extra, shape: [3]}]
layers:
  - {type: Embedding, num_embeddings: 9, embedding_dim: 3, inputs: tokens}
  - {type: GRU, hidden_size: 3, batch_first: true}
  - {type: LastTimestep}
  - {type: Add, name: mixed, inputs: [last_timestep, extra]}
  - {type: Cat, dim: -1, inputs: [mixed, extra]}
  - {type: Flatten}
  - {type: Sigmoid}
""",
    "rnn_cells": """
inputs: [{name: x, shape: [5, 3]}]
layers:
  - {type: RNN, name: one, cell: {type: LSTMCell, units: 3}, return_sequences: true, inputs: x}
  - {type: RNN, name: stack, cell: {type: StackedRNNCells, cells: [{type: GRUCell, units: 2},
     {type: GRUCell, units: 2}]}, return_state: true}
  - {type: Bidirectional, name: bi, layer: {type: RNN, cell: {type: SimpleRNNCell, units: 2, activation: relu},
     return_state: true}, inputs: one}
outputs: ["stack[0]", "stack[1]", "stack[2]", "bi[0]", "bi[1]", "bi[2]"]
""",
    "torch_cells": """
framework: pytorch
inputs: [{name: x, shape: [3]}]
layers:
  - {type: LSTMCell, name: lstm, hidden_size: 4, inputs: x}
  - {type: GRUCell, name: gru, hidden_size: 2, bias: false, inputs: "lstm[1]"}
  - {type: RNNCell, name: rnn, hidden_size: 2, nonlinearity: relu, inputs: gru}
outputs: ["lstm[0]", rnn]
""",
    "pooling2d": """
input: {shape: [7, 6, 2]}
layers:
  - {type: MaxPooling2D, pool_size: 3, strides: 1, padding: same}
  - {type: AveragePooling2D, pool_size: [2, 1], strides: 1}
  - {type: Conv2D, filters: 2, kernel_size: 1, data_format: channels_first}
  - {type: AveragePooling2D, pool_size: 2, data_format: channels_first}
  - {type: GlobalMaxPooling2D, keepdims: true}
  - {type: GlobalAveragePooling2D}
""",
    "torch_pool2d": """
framework: pytorch
input: {shape: [2, 8, 6]}
layers:
  - {type: MaxPool2d, kernel_size: 2}
  - {type: AvgPool2d, kernel_size: [2, 1], stride: 1}
  - {type: AdaptiveMaxPool2d, output_size: [3, 1]}
  - {type: AdaptiveAvgPool2d, output_size: 1}
  - {type: Flatten}
""",
    "time_distributed_2d": """
input: {shape: [3, 6, 5, 2]}
layers:
  - {type: TimeDistributed, layer: {type: Conv2D, filters: 3, kernel_size: 2, activation: relu}}
  - {type: TimeDistributed, layer: {type: MaxPooling2D}}
  - {type: TimeDistributed, layer: {type: GlobalAveragePooling2D}}
  - {type: LSTM, units: 2}
""",
    "crnn_reshape": """
input: {shape: [8, 4, 1]}
layers:
  - {type: Conv2D, filters: 2, kernel_size: 3, padding: same}
  - {type: MaxPooling2D}
  - {type: Reshape, target_shape: [4, 4]}
  - {type: GRU, units: 2, return_sequences: true}
  - {type: Reshape, target_shape: [-1]}
""",
    "conv2d": """
input: {shape: [6, 5, 2]}
layers:
  - {type: Conv2D, filters: 4, kernel_size: [3, 2], padding: same, groups: 2, activation: relu}
  - {type: Conv2D, filters: 2, kernel_size: 2, strides: [2, 1], use_bias: false}
  - {type: Conv2D, filters: 2, kernel_size: 2, data_format: channels_first}
""",
}


def synthetic(name: str):
    return build(parse(SYNTHETIC[name], f"<{name}>"))


def models():
    out = [pytest.param(lambda p=p: load(str(p)), id=p.stem) for p in GALLERY if p.stem not in SLOW]
    return out + [pytest.param(lambda n=n: synthetic(n), id=n) for n in SYNTHETIC]


def max_diff(a, b) -> float:
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        return max((max_diff(x, y) for x, y in zip(a, b)), default=0.0)
    return abs(a - b)


def random_case(model, seed=0):
    model = forward.concrete_for_verify(model, 2)
    rng = random.Random(seed)
    return model, forward.random_weights(model, rng), forward.random_inputs(model, rng)


@pytest.mark.parametrize("make", models())
def test_run_is_the_same_before_and_after_conversion(make):
    model = make()
    try:
        t = translate(model)
    except SpecError as e:
        assert e.problem.layer and "equivalent" in e.problem.message  # a refusal names the layer
        return
    model, weights, x = random_case(model)
    converted = convert(t, weights)
    other = forward.concrete_for_verify(t.model, 2)
    forward.check_weights(other, converted, "<converted>")
    assert max_diff(forward.forward(model, weights, x), forward.forward(other, converted, x)) < 1e-9


@pytest.mark.parametrize("make", models())
def test_every_layer_type_round_trips_its_weights(make):
    """Keras → torch → Keras, layer type by layer type: identical tensors (LSTM's b_hh is zeros)."""
    model = make()
    if model.framework != "keras":
        return
    _, weights, _ = random_case(model)
    for r in model.layers:
        if r.name in weights:
            try:
                r.type.to_pytorch(r.args, r.input_shape)
            except NoEquivalent:  # refused by export
                continue
            sd = r.type.torch_weights(r.args, r.input_shape, weights[r.name])
            assert r.type.from_torch_weights(r.args, r.input_shape, sd) == weights[r.name], r.name


@pytest.mark.parametrize("name", ["lstm_gru_rnn", "conv_norm", "embedding_time_distributed",
                                  "conv_channels_first", "seed"])
def test_keras_to_torch_to_keras_weights_are_identical(name):
    model = load(str(ROOT / "specs" / "seed.yaml")) if name == "seed" else synthetic(name)
    _, weights, _ = random_case(model)
    there = translate(model)
    back = translate(there.model)
    again = convert(back, convert(there, weights))
    for layer, tensors in weights.items():
        assert again[layer] == tensors, layer


def test_torch_to_keras_to_torch_runs_the_same():
    model = synthetic("torch_conv")
    there = translate(model)
    back = translate(there.model)
    m, weights, x = random_case(model)
    twice = convert(back, convert(there, weights))
    other = forward.concrete_for_verify(back.model, 2)
    assert max_diff(forward.forward(m, weights, x), forward.forward(other, twice, x)) < 1e-9


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
@pytest.mark.parametrize("target", ["keras", "pytorch"])
def test_export_writes_python_or_names_the_layer(run, path, target):
    result = run("export", path, "--to", target)
    if result.exit_code == 2:
        assert "layer '" in result.output and "equivalent" in result.output, result.output
        return
    assert result.exit_code == 0, result.output
    compile(result.output, f"{path.stem}_{target}.py", "exec")
    assert ("def build_model() -> keras.Model:" if target == "keras" else "(nn.Module):") in result.output


def test_generated_code_is_ruff_clean(run, tmp_path):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    for path in [*GALLERY]:
        for target in ("keras", "pytorch"):
            result = run("export", path, "--to", target)
            if result.exit_code == 0:
                (tmp_path / f"{path.stem}_{target}.py").write_text(result.output)
    checked = subprocess.run([ruff, "check", "--isolated", "--no-cache", "--line-length", "120", "--select",
                              "E,F,W,I,B,UP", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize("spec, words", [
    ("input: {shape: [4, 3]}\nlayers: [{type: GRU, name: g, units: 2, reset_after: false}]", ["'g'", "reset_after"]),
    ("input: {shape: [4, 3]}\nbatch_size: 2\nlayers: [{type: LSTM, name: s, units: 2, stateful: true}]",
     ["'s'", "stateful"]),
    ("input: {shape: [4], dtype: int32}\nlayers: [{type: Embedding, name: e, input_dim: 5, output_dim: 2, "
     "mask_zero: true}, {type: LSTM, units: 2}]", ["'e'", "mask_zero", "pack_padded_sequence"]),
    ("input: {shape: [4, 3]}\nlayers: [{type: LSTM, name: b, units: 2, go_backwards: true}]", ["'b'", "flip"]),
    ("input: {shape: [4, 3]}\nlayers: [{type: Bidirectional, name: bi, layer: {type: LSTM, units: 2, "
     "return_sequences: true}, merge_mode: ave}]", ["'bi'", "merge_mode ave"]),
    ("framework: pytorch\ninput: {shape: [4, 3]}\nlayers: [{type: LSTM, name: p, hidden_size: 4, proj_size: 2, "
     "batch_first: true}]", ["'p'", "proj_size"]),
    ("framework: pytorch\ninput: {shape: [4, 3]}\nlayers: [{type: LSTM, hidden_size: 4, bidirectional: true, "
     "batch_first: true}, {type: LastTimestep, name: last}]", ["'last'", "h_n[-2]"]),
    ("input: {shape: [4, 3]}\nlayers: [{type: Bidirectional, name: bs, layer: {type: RNN, cell: [{type: LSTMCell, "
     "units: 2}, {type: LSTMCell, units: 2}]}}]", ["'bs'", "both directions", "one Bidirectional per cell"]),
    ("input: {shape: [4, 3]}\nlayers: [{type: RNN, name: mix, cell: [{type: LSTMCell, units: 2}, {type: GRUCell, "
     "units: 2}]}]", ["'mix'", "different types", "one LSTM, GRU or SimpleRNN layer per cell"]),
    ("input: {shape: [3, 5, 5, 2]}\nlayers: [{type: ConvLSTM2D, name: cl, filters: 2, kernel_size: 3}]",
     ["'cl'", "ConvLSTM2D"]),
    ("input: {shape: [6, 6, 2]}\nlayers: [{type: MaxPooling2D, name: mp, pool_size: 3, strides: 2, padding: same}]",
     ["'mp'", "bottom or right", "padding valid"]),
    ("framework: pytorch\ninput: {shape: [2, 8, 6]}\nlayers: [{type: AvgPool2d, name: ap, kernel_size: 3, "
     "padding: 1}]", ["'ap'", "padding"]),
    ("framework: pytorch\ninput: {shape: [2, 8, 6]}\nlayers: [{type: AdaptiveAvgPool2d, name: ad, output_size: 3}]",
     ["'ad'", "does not divide"]),
    ("input: {shape: [6, 6, 2]}\nlayers: [{type: Conv2D, name: c, filters: 2, kernel_size: 3, padding: same, "
     "strides: 2}]", ["'c'", "padding: same with strides"]),
])
def test_refusal_names_the_layer_and_the_alternative(run, spec, words):
    path = run.spec(spec)
    target = "keras" if "pytorch" in spec else "pytorch"
    result = run("export", path, "--to", target)
    assert result.exit_code == 2
    for word in words:
        assert word in result.output, result.output


def test_bidirectional_last_state_is_h_n_not_the_last_timestep(run):
    """--compare and the export both take h_n[-2], h_n[-1] (the backward state of the whole sequence)."""
    path = run.spec("input: {shape: [4, 3]}\nlayers: [{type: Bidirectional, layer: {type: LSTM, units: 2}}]")
    compared = run("summary", path, "--compare", "--format", "plain").output
    assert "torch.cat([h_n[-2], h_n[-1]], -1)" in compared and "out[:, -1]" not in compared
    code = run("export", path, "--to", "pytorch").output
    assert "bidirectional_h_n[-2]" in code and "[:, -1]" not in code


def test_safetensors_layout():
    data = safetensors_bytes({"a.weight": [[1.0, 2.0], [3.0, 4.5]], "b.num_batches_tracked": 0})
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    assert n % 8 == 0
    body = data[8 + n:]
    start, end = header["a.weight"]["data_offsets"]
    assert header["a.weight"]["shape"] == [2, 2] and header["a.weight"]["dtype"] == "F32"
    assert struct.unpack("<4f", body[start:end]) == (1.0, 2.0, 3.0, 4.5)
    start, end = header["b.num_batches_tracked"]["data_offsets"]
    assert header["b.num_batches_tracked"] == {"dtype": "I64", "shape": [], "data_offsets": [start, end]}
    assert struct.unpack("<q", body[start:end]) == (0,)


def test_convert_weights_then_run_the_exported_spec(run, tmp_path):
    seed = ROOT / "specs" / "seed.yaml"
    model, weights, x = random_case(load(str(seed)))
    (tmp_path / "w.json").write_text(json.dumps(weights))
    (tmp_path / "x.json").write_text(json.dumps(x["input_layer"]))
    exported = run("export", seed, "--to", "pytorch", "--spec", "-o", tmp_path / "torch.yaml")
    assert exported.exit_code == 0, exported.output
    converted = run("convert-weights", seed, "--weights", tmp_path / "w.json", "--to", "pytorch",
                    "-o", tmp_path / "torch.json")
    assert converted.exit_code == 0, converted.output
    before = json.loads(run("run", seed, "--weights", tmp_path / "w.json", "--input", tmp_path / "x.json",
                            "--format", "json").output)["output"]
    after = json.loads(run("run", tmp_path / "torch.yaml", "--weights", tmp_path / "torch.json", "--input",
                           tmp_path / "x.json", "--format", "json").output)["output"]
    assert max_diff(before, after) < 1e-9
    assert run("convert-weights", seed, "--weights", tmp_path / "w.json", "--to", "pytorch",
               "-o", tmp_path / "w.safetensors").exit_code == 0
    assert (tmp_path / "w.safetensors").read_bytes()[8:9] == b"{"


def test_goldens_every_row_passed():
    """goldens/export.json: the generated code run in Keras 3 and torch (goldens/gen_export.py)."""
    golden = json.loads((ROOT / "goldens" / "export.json").read_text())
    rows = golden["rows"]
    failed = [r for r in rows if r["status"] not in ("ok", "refused")]
    assert not failed, failed
    assert {p.as_posix().split("/")[-1] for p in GALLERY} <= {r["spec"].split("/")[-1] for r in rows}
    pairs = {(r["source"], r["target"]) for r in rows if r["status"] == "ok" and "max_abs_diff" in r}
    assert pairs == {("keras", "pytorch"), ("pytorch", "keras")}
    assert all(r["max_abs_diff"] <= 1e-5 for r in rows if "max_abs_diff" in r)
    assert all(r["lstmcalc_params"] == r["framework_params"] for r in rows if r["status"] == "ok")


@pytest.mark.parametrize("name", ["torch_conv", "seed"])
def test_keras_weights_h5_is_what_the_reader_reads(name, tmp_path):
    """convert-weights' .weights.h5 (Keras 3's layout; real Keras loads it: goldens/export.json) read back
    by lstmcalc's .weights.h5 reader gives the same tensors and the same forward pass."""
    pytest.importorskip("h5py")
    from lstmcalc.sources.keras_h5 import keras3_weights, write_keras3_weights

    model = load(str(ROOT / "specs" / "seed.yaml")) if name == "seed" else synthetic(name)
    if model.framework == "pytorch":
        t = translate(model)
        m, weights, x = random_case(model)
        keras_model, keras_weights = forward.concrete_for_verify(t.model, 2), convert(t, weights)
    else:
        keras_model, keras_weights, x = random_case(model)
        m, weights = keras_model, keras_weights
    path = tmp_path / "model.weights.h5"
    write_keras3_weights(keras_model, keras_weights, str(path))
    back = keras3_weights(path.read_bytes(), str(path), keras_model)
    assert max_diff(forward.forward(m, weights, x), forward.forward(keras_model, back, x)) < 1e-6  # float32 file


@pytest.mark.parametrize("name", ["seq2seq", "seq_gru_bilstm"])
def test_convert_weights_reads_a_saved_keras_model(name, tmp_path):
    """A real Keras 3 .keras file (tests/data/models, saved by goldens/gen_import.py) converted to
    safetensors runs in the exported PyTorch spec as the .keras file runs in Keras's dialect."""
    pytest.importorskip("h5py")
    models = ROOT / "tests" / "data" / "models"
    saved, x = str(models / f"{name}.keras"), str(models / f"{name}.input.json")
    exe = [sys.executable, "-m", "lstmcalc"]
    torch_spec, weights = tmp_path / "t.yaml", tmp_path / "w.safetensors"
    for args in (["export", saved, "--to", "pytorch", "--spec", "-o", str(torch_spec)],
                 ["convert-weights", saved, "--weights", saved, "--to", "pytorch", "-o", str(weights)]):
        subprocess.run(exe + args, check=True, capture_output=True)

    def output(*args):
        done = subprocess.run(exe + ["run", *args, "--input", x, "--format", "json"], check=True,
                              capture_output=True, text=True)
        return next(iter(json.loads(done.stdout).values()))

    assert max_diff(output(saved), output(str(torch_spec), "--weights", str(weights))) < 1e-9
