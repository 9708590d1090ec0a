"""Saved `.keras` files whose layers keep their variables in sub-groups (MultiHeadAttention's
`query_dense/vars`, RNN's `cell/vars` and `cell/cells/<class>/vars`) or are called with
positional tensors (`mha(query, value, key)`): summary and `run` against real Keras 3
(goldens/gen_keras_files.py → goldens/keras_files.json)."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT
from .goldens import cases, close

CASES = cases("keras_files.json")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_summary_rows_equal_keras(run, case):
    result = run("summary", ROOT / case["file"], "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    rows = {r["name"]: r for r in got["layers"]}
    for want in case["rows"]:
        row = rows[want["name"]]
        assert row["params"] == want["params"], want["name"]
        assert row["output_shape"] == want["output_shape"], want["name"]
    assert got["total_params"] == case["total_params"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_run_reproduces_keras_output(run, case):
    x = run.tmp / "x.json"
    x.write_text(json.dumps(case["input"]))
    result = run("run", ROOT / case["file"], "--input", x, "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    close(got["outputs"] if "outputs" in got else got["output"], case["output"], 1e-4)  # several outputs: a list



@pytest.mark.parametrize("case", [c for c in CASES if c["id"] in ("mha_query_value_key", "rnn_stacked_cells")],
                         ids=lambda c: c["id"])
def test_weights_written_as_keras3_h5_read_back_the_same(run, case):
    """The `.weights.h5` writer (used by convert-weights --to keras) puts sub-group variables where
    the reader, checked against Keras above, finds them: written and read back, `run` gives Keras's
    output again."""
    pytest.importorskip("h5py")
    import lstmcalc
    from lstmcalc.sources import keras_h5
    from lstmcalc.sources.weight_files import read

    path = str(ROOT / case["file"])
    model = lstmcalc.load(path)
    out = run.tmp / "w.weights.h5"
    keras_h5.write_keras3_weights(model, read(path, model), str(out))
    x = run.tmp / "x.json"
    x.write_text(json.dumps(case["input"]))
    result = run("run", path, "--weights", out, "--input", x, "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    close(got["outputs"] if "outputs" in got else got["output"], case["output"], 1e-4)  # several outputs: a list


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_import_gives_a_spec_with_the_same_numbers(run, case):
    result = run("import", ROOT / case["file"])
    assert result.exit_code == 0, result.output
    spec = run.tmp / "imported.yaml"
    spec.write_text(result.stdout)
    result = run("summary", spec, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_params"] == case["total_params"]
