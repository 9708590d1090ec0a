"""verify catches a wrong formula, a wrong shape rule and a weight declared but
unused (or used but undeclared): each is broken on purpose here."""

from __future__ import annotations

import json

import pytest

from lstmcalc.layers import Formula, WeightSpec
from lstmcalc.layers.core import Dense
from lstmcalc.layers.recurrent import LSTM

from .conftest import SEED


def verify_json(run, *args):
    result = run("verify", SEED, "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def failing(data):
    return {layer["name"]: layer for layer in data["layers"] if not layer["ok"]}


def test_all_agree(run):
    code, data = verify_json(run)
    assert code == 0 and not failing(data)


def test_wrong_formula_is_caught(run, monkeypatch):
    real = LSTM.formula
    monkeypatch.setattr(LSTM, "formula", lambda self, a, s: Formula("4·u·(i+u)", "?", real(self, a, s).value - 512))
    code, data = verify_json(run)
    bad = failing(data)
    assert code == 1 and set(bad) == {"lstm1", "lstm2"}
    assert bad["lstm1"]["expected_params"] == 71168 - 512 and bad["lstm1"]["actual_params"] == 71168


def test_wrong_shape_rule_is_caught(run, monkeypatch):
    real = Dense.output_shape
    monkeypatch.setattr(Dense, "output_shape", lambda self, a, s: real(self, a, s)[:-1] + (a.units + 1,))
    code, data = verify_json(run)
    bad = failing(data)
    assert code == 1 and "dense1" in bad
    assert bad["dense1"]["expected_shape"] == [2, 129] and bad["dense1"]["actual_shape"] == [2, 128]


def test_declared_but_unused_weight_is_caught(run, monkeypatch):
    real = Dense.weights
    monkeypatch.setattr(Dense, "weights", lambda self, a, s: real(self, a, s) + [WeightSpec("extra", (3,))])
    code, data = verify_json(run)
    assert code == 1
    assert any("extra" in p for p in failing(data)["dense1"]["problems"])


def test_used_but_undeclared_weight_is_caught(run, monkeypatch):
    real = LSTM.weights
    monkeypatch.setattr(LSTM, "weights", lambda self, a, s: [w for w in real(self, a, s) if w.name != "bias"])
    code, data = verify_json(run)
    assert code == 1
    assert any("does not declare" in p for p in failing(data)["lstm1"]["problems"])


def test_plain_report(run, monkeypatch):
    out = run("verify", SEED, "--format", "plain").stdout
    assert "all layers agree" in out and "71,168" in out


def seed_weights(units=(128, 64, 128, 64, 1)):
    import random

    from lstmcalc import load
    from lstmcalc.run import forward

    return forward.random_weights(load(str(SEED)), random.Random(1))


def write(tmp, name, data):
    p = tmp / name
    p.write_text(json.dumps(data))
    return p


def test_run_prints_the_output(run):
    w = write(run.tmp, "w.json", seed_weights())
    x = write(run.tmp, "x.json", [[[0.1] * 10] * 50])
    result = run("run", SEED, "--weights", w, "--input", x, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)["output"]
    assert len(out) == 1 and len(out[0]) == 1 and 0.0 < out[0][0] < 1.0  # sigmoid
    mid = json.loads(run("run", SEED, "--weights", w, "--input", x, "--layer", "lstm2", "--format", "json").stdout)
    assert len(mid["output"][0]) == 64


@pytest.mark.parametrize("mutate, fragment", [
    (lambda w: w["lstm1"].pop("bias"), "tensor 'bias' is missing"),
    (lambda w: w["dense1"].__setitem__("kernel", [[0.0] * 128] * 63), "has shape (63, 128), expected (64, 128)"),
    (lambda w: w["dense1"].__setitem__("kernal", [0.0]), "unknown tensor 'kernal'"),
    (lambda w: w.__setitem__("dense9", {}), "not a layer of the model"),
    (lambda w: w.pop("output"), "no weights given"),
])
def test_bad_weights(run, mutate, fragment):
    w = seed_weights()
    mutate(w)
    result = run("run", SEED, "--weights", write(run.tmp, "w.json", w),
                 "--input", write(run.tmp, "x.json", [[[0.1] * 10] * 50]))
    assert result.exit_code == 2 and fragment in result.stderr, result.stderr


@pytest.mark.parametrize("x, fragment", [
    ([[[0.1] * 9] * 50], "input has shape (1, 50, 9)"),
    ([[[0.1] * 10] * 49 + [[0.1] * 9]], "not rectangular"),
    ([[["a"] * 10] * 50], "'a', which is not a number"),
    ([[[float("inf")] * 10] * 50], "not a finite number"),
])
def test_bad_input(run, x, fragment):
    result = run("run", SEED, "--weights", write(run.tmp, "w.json", seed_weights()),
                 "--input", write(run.tmp, "x.json", x))
    assert result.exit_code == 2 and fragment in result.stderr, result.stderr


def test_non_numeric_weight(run):
    w = seed_weights()
    w["dense1"]["bias"][3] = True
    result = run("run", SEED, "--weights", write(run.tmp, "w.json", w),
                 "--input", write(run.tmp, "x.json", [[[0.1] * 10] * 50]))
    assert result.exit_code == 2 and "tensor 'bias' is not a tensor of numbers" in result.stderr


def test_run_json_has_no_nan(run):
    # Keras divides 0 by 0 when every step is masked: the output is NaN, printed as null
    spec = run.spec("input: {shape: [3], dtype: int32}\nlayers:\n"
                    "  - {type: Embedding, input_dim: 4, output_dim: 2, mask_zero: true}\n"
                    "  - {type: GlobalAveragePooling1D}\n")
    w = write(run.tmp, "w.json", {"embedding": {"embeddings": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]}})
    x = write(run.tmp, "x.json", [[0, 0, 0], [1, 2, 0]])
    result = run("run", spec, "--weights", w, "--input", x, "--format", "json")
    assert result.exit_code == 0 and "NaN" not in result.stdout
    assert json.loads(result.stdout) == {"output": [[None, None], [4.0, 5.0]]}


def test_malformed_json(run):
    p = run.tmp / "w.json"
    p.write_text("{not json")
    result = run("run", SEED, "--weights", p, "--input", write(run.tmp, "x.json", [[[0.1] * 10] * 50]))
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_package_never_imports_numpy():
    import subprocess
    import sys

    code = ("import sys, lstmcalc, lstmcalc.cli, lstmcalc.run.forward, lstmcalc.gather.explain, lstmcalc.gather.check, "
            "lstmcalc.sources.schema, lstmcalc.render.text, lstmcalc.render.rich_console; "
            "from lstmcalc import load; from lstmcalc.run import forward; import random; m = load(sys.argv[1]); "
            "forward.verify(m); assert 'numpy' not in sys.modules, 'numpy imported'")
    subprocess.run([sys.executable, "-c", code, str(SEED)], check=True)
