"""The commands through click's runner: exact output, JSON keys, exit statuses."""

from __future__ import annotations

import json

from .conftest import ROOT, SEED

# The seed's published Keras table (../shared/seed-question.md)
SEED_TABLE = [
    ("input_layer", "InputLayer", [None, 50, 10], 0),
    ("lstm1", "LSTM", [None, 50, 128], 71168),
    ("lstm2", "LSTM", [None, 64], 49408),
    ("dense1", "Dense", [None, 128], 8320),
    ("dense2", "Dense", [None, 64], 8256),
    ("output", "Dense", [None, 1], 65),
]


def test_seed_json_is_the_published_table(run):
    result = run("summary", SEED, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(r["name"], r["type"], r["output_shape"], r["params"]) for r in data["layers"]] == SEED_TABLE
    assert (data["total_params"], data["trainable_params"], data["non_trainable_params"]) == (137217, 137217, 0)
    for key in ("name", "framework", "layers", "total_params", "trainable_params", "non_trainable_params"):
        assert key in data
    for row in data["layers"]:
        assert {"name", "type", "output_shape", "params", "trainable_params", "non_trainable_params"} <= set(row)
        assert row["trainable_params"] + row["non_trainable_params"] == row["params"]
    assert sum(r["params"] for r in data["layers"]) == data["total_params"]
    assert data["name"] == "seed_model" and data["framework"] == "keras"


def test_seed_plain_table(run, regen):
    result = run("summary", SEED, "--format", "plain")
    assert result.exit_code == 0
    golden = ROOT / "tests" / "data" / "seed_summary.txt"
    if regen:
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()
    for number in ("71,168", "49,408", "8,320", "8,256", "65", "137,217", "(None, 50, 128)", "536.00 KB"):
        assert number in result.stdout
    assert all(ord(c) < 128 for c in result.stdout)  # no box drawing in plain


def test_markdown_and_rich(run):
    md = run("summary", SEED, "--format", "markdown").stdout
    assert "| lstm1 (LSTM) | (None, 50, 128) | 71,168 |" in md
    rich = run("summary", SEED, "--format", "rich").stdout
    assert "71,168" in rich and "lstm1" in rich


def test_batch_size_override(run):
    data = json.loads(run("summary", SEED, "--format", "json", "--batch-size", "32").stdout)
    assert data["layers"][1]["output_shape"] == [32, 50, 128]


def test_stdin(run):
    result = run("summary", "-", "--format", "json", input=SEED.read_text())
    assert result.exit_code == 0 and json.loads(result.stdout)["total_params"] == 137217


def test_expand_shows_wrapped_layers(run):
    spec = run.spec("input: {shape: [20, 8]}\nlayers:\n"
                    "  - {type: Bidirectional, layer: {type: LSTM, units: 16}}\n")
    out = run("summary", spec, "--format", "plain", "--expand").stdout
    assert "bidirectional (Bidirectional(LSTM))" in out
    assert "  forward_lstm (LSTM)" in out and "  backward_lstm (LSTM)" in out
    plain = run("summary", spec, "--format", "plain").stdout
    assert "forward_lstm" not in plain


def test_cost_columns(run):
    out = run("summary", SEED, "--format", "plain", "--columns", "shape,params,macs,memory").stdout
    assert "3,532,800" in out  # lstm1: 4·128·(10+128)·50
    assert "Total mult-adds" in out
    result = run("summary", SEED, "--columns", "shape,flops")
    assert result.exit_code == 2 and "unknown column" in result.stderr


def test_explain_answers_the_seed(run):
    result = run("explain", SEED, "lstm1", "--format", "plain")
    assert result.exit_code == 0
    out = result.stdout
    for fragment in ("4 × (units × (input_dim + units) + units)", "4 × (128 × (10 + 128) + 128)", "71,168",
                     "(None, 50, 128)", "return_sequences", "A unit is one component", "kernel", "(10, 512)",
                     "recurrent_kernel", "(128, 512)", "71,680", "does not see the 50 timesteps at once",
                     "3,532,800", "3,584,000", "3,648,000", "3,635,200"):
        assert fragment in out, fragment
    lstm2 = run("explain", SEED, "lstm2", "--format", "plain").stdout
    assert "49,408" in lstm2 and "(None, 64)" in lstm2 and "only the last" in lstm2


def test_explain_json(run):
    data = json.loads(run("explain", SEED, "lstm1", "--format", "json").stdout)
    assert data["formula"] == {"symbols": "4 × (units × (input_dim + units) + units)",
                               "substituted": "4 × (128 × (10 + 128) + 128)", "result": 71168}
    assert [(w["name"], w["shape"]) for w in data["weights"]] == [
        ("kernel", [10, 512]), ("recurrent_kernel", [128, 512]), ("bias", [512])]
    assert data["macs"] == 3532800 and data["shape_rule"]


def test_explain_adhoc(run):
    result = run("explain", "lstm", "--units", "128", "--input-shape", "50,10", "--return-sequences",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["params"] == 71168 and data["output_shape"] == [None, 50, 128]


def test_explain_unknown_layer(run):
    result = run("explain", SEED, "lstm3")
    assert result.exit_code == 2 and "no layer named 'lstm3'" in result.stderr


def test_verify_seed(run):
    result = run("verify", SEED, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    first = data["layers"][0]
    assert first == {**first, "name": "lstm1", "expected_shape": [2, 50, 128], "actual_shape": [2, 50, 128],
                     "expected_params": 71168, "actual_params": 71168, "ok": True}


def test_version_and_help(run):
    assert run("--version").exit_code == 0
    out = run("--help").stdout
    for command in ("summary", "explain", "verify", "run", "check", "schema"):
        assert command in out
