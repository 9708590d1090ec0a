"""Real public Keras source files (tests/data/sources/keras/, origin in each file's first line) read with `ast`:
`lstmcalc summary FILE --format json` against what Keras 3 reports for the same model
(goldens/gen_keras_sources.py → goldens/keras_sources.json), or a refusal at the line that cannot be followed."""

import json
import os
import re

import pytest
from click.testing import CliRunner

from lstmcalc.cli import main

HERE = os.path.dirname(__file__)
SOURCES = os.path.join(HERE, "data", "sources", "keras")
GOLDEN = json.load(open(os.path.join(HERE, "..", "goldens", "keras_sources.json")))
# a model whose layers were also called for another model of the same file: Keras numbers their calls among
# all calls ("lstm_1[1][0]"), lstmcalc among the calls of the model it reads ("lstm_1[0][0]")
SHARED_WITH_OTHER_MODELS = {"keras2_lstm_seq2seq.py"}


def summary(file, *args, fmt="json"):
    return CliRunner().invoke(main, ["summary", os.path.join(SOURCES, file), "--format", fmt, *args])


def test_at_least_twelve_real_files_all_covered():
    files = sorted(f for f in os.listdir(SOURCES) if f.endswith(".py"))
    covered = {m["file"] for m in GOLDEN["models"].values()} | set(GOLDEN["refusals"])
    assert len(files) >= 12
    assert set(files) == covered
    for f in files:
        assert open(os.path.join(SOURCES, f)).readline().startswith("# Origin: https://")


@pytest.mark.parametrize("key", sorted(GOLDEN["models"]))
def test_rows_and_totals_match_keras(key):
    gold = GOLDEN["models"][key]
    args = ["--model", gold["model"]] if gold["model"] else []
    result = summary(gold["file"], *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_params"] == gold["total_params"]
    assert data["trainable_params"] == gold["trainable_params"]
    assert data["non_trainable_params"] == gold["non_trainable_params"]
    rows = data["layers"]
    # a Sequential's summary in Keras has no input row; lstmcalc's first row is always the input
    if all(r["connected_to"] is None for r in gold["rows"]) and gold["rows"][0]["type"] != "InputLayer":
        assert rows[0]["type"] == "InputLayer"
        rows = rows[1:]
    assert [r["name"] for r in rows] == [g["name"] for g in gold["rows"]]
    for row, g in zip(rows, gold["rows"]):
        assert (row["type"], row["output_shape"], row["params"]) == (g["type"], g["output_shape"], g["params"]), \
            row["name"]
        if g["connected_to"] is not None and gold["model"] is None and gold["file"] in SHARED_WITH_OTHER_MODELS:
            assert [c.split("[")[0] for c in row["connected_to"]] == [c.split("[")[0] for c in g["connected_to"]]
        elif g["connected_to"] is not None:
            assert row["connected_to"] == g["connected_to"], row["name"]


@pytest.mark.parametrize("file", sorted(GOLDEN["refusals"]))
def test_refusal_names_file_line_and_column(file):
    want = GOLDEN["refusals"][file]
    result = summary(file, fmt="plain")
    assert result.exit_code == 2, result.output
    assert f"{file}:{want['line']}:{want['column']}:" in result.output
    assert want["construct"] in result.output
    assert "Traceback" not in result.output


def test_keras2_notes_say_what_keras3_would_do():
    out = json.loads(summary("keras2_imdb_cnn_lstm.py").output)
    assert any("input_length=100" in n and "Keras 3" in n for n in out["notes"])
    out = json.loads(summary("litpuvn_td_conv1d_lstm.py").output)
    assert any("batch_input_shape" in n and "Keras 3" in n for n in out["notes"])
    # Keras 1's LSTM(32, input_dim=9): Keras 3 as written refuses it (goldens), lstmcalc reads it as Keras 2 did
    assert GOLDEN["models"]["so_lstm_input_dim_keras1.py"]["keras3_as_written"] != "built"
    out = json.loads(summary("so_lstm_input_dim_keras1.py").output)
    assert any("input_dim=9" in n and "Keras 3" in n for n in out["notes"])


def test_several_models_noted_and_picked_by_name():
    out = json.loads(summary("keras2_lstm_seq2seq.py").output)
    assert any("encoder_model" in n and "--model" in n for n in out["notes"])
    result = summary("keras2_lstm_seq2seq.py", "--model", "no_such_model")
    assert result.exit_code == 2 and "decoder_model" in result.output


@pytest.mark.parametrize("layer, keras2, keras3", [
    ("gru_1", "gru_reset_after_false", "gru_reset_after_true"),
    ("cu_dnnlstm_1", "cudnnlstm_as_torch_lstm", "lstm_keras3"),
])
def test_explain_on_a_keras2_file_gives_both_numbers(layer, keras2, keras3):
    """A Keras 2 config (GRU without reset_after, CuDNNLSTM): explain shows the count Keras 2 built and the one
    Keras 3 would (numbers from Keras 3 and torch, goldens/gen_keras_sources.py)."""
    counts = GOLDEN["explain_keras2"]
    assert counts[keras2] != counts[keras3]
    path = os.path.join(HERE, "data", "models", "keras2_sequential.json")
    result = CliRunner().invoke(main, ["explain", path, layer, "--format", "plain"])
    assert result.exit_code == 0, result.output
    notes = [" ".join(b.split()) for b in re.split(r"\n\s*- ", result.output)]
    assert any(f"{counts[keras2]:,}" in n and f"{counts[keras3]:,}" in n and "Keras 2" in n for n in notes), \
        result.output
    summary_row = next(r for r in json.loads(CliRunner().invoke(main, ["summary", path, "--format", "json"]).output)
                       ["layers"] if r["name"] == layer)
    assert summary_row["params"] == counts[keras2]  # the table is Keras 2's


@pytest.mark.parametrize("file", sorted(GOLDEN["json_files"]))
def test_real_keras2_and_tfjs_json_files_match_keras(file):
    """Keras 2 to_json() files (one in the pre-2.2 list form) and a TensorFlow.js model.json (modelTopology with
    model_config), from public repositories (origins in goldens/keras_sources.json)."""
    gold = GOLDEN["json_files"][file]
    result = CliRunner().invoke(main, ["summary", os.path.join(HERE, "data", "sources", "keras_json", file),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_params"] == gold["total_params"]
    if "manifest_params" in gold:  # the TF.js file's own weight shapes agree too
        assert data["total_params"] == gold["manifest_params"]
    rows = [r for r in data["layers"] if r["type"] != "InputLayer"]
    assert [(r["name"], r["type"], r["output_shape"], r["params"]) for r in rows] == \
        [(g["name"], g["type"], g["output_shape"], g["params"]) for g in gold["rows"]]


@pytest.mark.parametrize("key", sorted(GOLDEN["models"]))
def test_import_gives_a_spec_with_the_same_numbers(key, tmp_path):
    """`lstmcalc import FILE` → YAML spec → summary: Keras's rows and totals again."""
    gold = GOLDEN["models"][key]
    args = ["--model", gold["model"]] if gold["model"] else []
    result = CliRunner().invoke(main, ["import", os.path.join(SOURCES, gold["file"]), *args])
    assert result.exit_code == 0, result.output
    spec = tmp_path / "spec.yaml"
    spec.write_text(result.output)
    data = json.loads(CliRunner().invoke(main, ["summary", str(spec), "--format", "json"]).output)
    assert data["total_params"] == gold["total_params"]
    shapes = {r["name"]: r["output_shape"] for r in data["layers"]}
    assert all(shapes[g["name"]] == g["output_shape"] for g in gold["rows"])
