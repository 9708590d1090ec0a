"""`lstmcalc check`, `--update`, the JSON Schema and the gallery."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
import yaml

from lstmcalc.sources.schema import spec_schema

from .conftest import ROOT, SEED

SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def copy_seed(run, name="seed.yaml"):
    p = run.tmp / name
    shutil.copy(SEED, p)
    return p


def test_gallery_holds(run):
    assert len(SPECS) >= 9
    result = run("check", ROOT / "specs")
    assert result.exit_code == 0, result.output
    assert f"checked {len(SPECS)} specs: {len(SPECS)} ok" in result.stdout


def test_a_changed_number_fails_with_one_line(run):
    p = copy_seed(run)
    text = p.read_text()
    p.write_text(text.replace("params: 49408", "params: 49000"))
    result = run("check", p, "--format", "text")
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    line_no = next(i for i, t in enumerate(text.splitlines(), 1) if "params: 49408" in t)
    assert lines[0].startswith(f"{p}:{line_no}:")
    assert lines[0].endswith("layer 'lstm2': params expected 49,000, got 49,408")
    assert "1 with failing expectations" in lines[-1]


def test_every_file_is_checked_and_invalid_wins(run):
    good = copy_seed(run, "a.yaml")
    failing = copy_seed(run, "b.yaml")
    failing.write_text(failing.read_text().replace("total_params: 137217", "total_params: 1"))
    broken = run.spec("input: {shape: [3]}\nlayers: [{type: Nope}]\n", "c.yaml")
    result = run("check", good, failing, broken)
    assert result.exit_code == 2
    assert "total_params expected 1, got 137,217" in result.stdout
    assert "unknown layer type 'Nope'" in result.stdout
    assert "checked 3 specs: 1 ok, 1 with failing expectations, 1 invalid" in result.stdout


def test_json_and_github_formats(run):
    p = copy_seed(run)
    p.write_text(p.read_text().replace("output_shape: [50, 128]", "output_shape: [50, 64]"))
    data = json.loads(run("check", p, "--format", "json").stdout)
    assert data == [{**data[0], "layer": "lstm1", "field": "output_shape", "expected": [50, 64],
                     "actual": [50, 128], "severity": "failure", "file": str(p)}]
    gh = run("check", p, "--format", "github").stdout.splitlines()[0]
    assert gh.startswith(f"::error file={p},line=") and "output_shape expected [50, 64], got [50, 128]" in gh


def test_max_params(run):
    p = copy_seed(run)
    p.write_text(p.read_text().replace("  total_params: 137217", "  max_params: 100000"))
    result = run("check", p)
    assert result.exit_code == 1 and "exceed max_params 100,000" in result.stdout


def test_update_restores_numbers_and_keeps_comments(run):
    p = copy_seed(run)
    original = p.read_text()
    p.write_text(original.replace("params: 49408", "params: 1").replace("output_shape: [1]", "output_shape: [9, 9]"))
    result = run("check", p, "--update")
    assert result.exit_code == 0, result.output
    assert p.read_text() == original
    assert run("check", p).exit_code == 0


def test_update_refuses_an_unparsable_file(run):
    p = run.spec("input: [1, 2\n")
    before = p.read_text()
    assert run("check", p, "--update").exit_code == 2
    assert p.read_text() == before


def test_glob_and_stdin(run):
    copy_seed(run, "x.yaml")
    assert run("check", str(run.tmp / "*.yaml")).exit_code == 0
    assert run("check", "-", input=SEED.read_text()).exit_code == 0


@pytest.fixture(scope="module")
def validator():
    schema = spec_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_schema_accepts_every_spec(validator, path):
    assert not list(validator.iter_errors(yaml.safe_load(path.read_text())))


def test_schema_rejects_a_misspelt_argument(validator):
    doc = yaml.safe_load(SEED.read_text())
    doc["layers"][0]["return_sequence"] = True
    errors = [e.message for e in validator.iter_errors(doc)]
    assert any("return_sequence" in m for m in errors)


def test_schema_command(run):
    data = json.loads(run("schema").stdout)
    assert data["$schema"] == "http://json-schema.org/draft-07/schema#"
    lstm = data["definitions"]["keras.LSTM"]
    assert lstm["properties"]["units"]["type"] == "integer" and "units" in lstm["required"]
    assert lstm["properties"]["return_sequences"]["default"] is False


MULTI = """\
input: {shape: [3, 2]}
layers:
  - {type: LSTM, units: 3, return_state: true, expect: {output_shape: [3]}}
expect: {output_shape: [3], total_params: 1, max_params: 2}
"""


def test_several_outputs_summary_and_update(run):
    p = run.spec(MULTI)
    summary = json.loads(run("summary", p, "--format", "json").stdout)
    assert summary["layers"][1]["output_shape"] == [[None, 3], [None, 3], [None, 3]]  # as Keras reports it
    assert run("summary", p, "--format", "plain").exit_code == 0
    result = run("check", p)
    assert "output_shape expected [3], got [[3], [3], [3]]" in result.stdout
    # --update rewrites what it can, and the bound max_params still fails
    result = run("check", p, "--update")
    assert result.exit_code == 1 and "exceed max_params 2" in result.stdout
    text = p.read_text()
    # 72: Keras 3's count for LSTM(3) on 2 features
    assert "output_shape: [[3], [3], [3]]" in text and "total_params: 72" in text and "max_params: 2" in text
    assert run("check", p).exit_code == 1


def test_check_plain_is_text(run):
    assert run("check", SEED, "--format", "plain").stdout == run("check", SEED, "--format", "text").stdout


def _seq_first_cases():
    from .goldens import cases

    return [c for c in cases("torch_modules.json") if c["module"] in ("LSTM", "GRU", "RNN")
            and not c["args"].get("batch_first") and len(c["input_shape"]) == 3 and "outputs" in c]


@pytest.mark.parametrize("case", _seq_first_cases(), ids=lambda c: c["id"])
def test_expect_shapes_drop_the_batch_axis_where_torch_puts_it(run, case):
    """`batch_first: false` puts the batch at axis 1 (torch's documented layout); shapes in
    `expect:` are written without it, so the golden output (L, N, H) is written [L, H]."""
    def without_batch(shape):
        return shape[:1] + shape[2:]

    layer = {"type": case["module"], "name": "rnn", **case["args"],
             "expect": {"output_shape": without_batch(case["outputs"]["output"]), "params": case["params"]}}
    spec = {"framework": "pytorch", "input": {"shape": without_batch(case["input_shape"])}, "layers": [layer],
            "expect": {"output_shape": without_batch(case["outputs"]["output"])}}
    p = run.tmp / "seq_first.yaml"
    p.write_text(yaml.safe_dump(spec))
    assert run("check", p).exit_code == 0
    spec["expect"]["output_shape"] = case["outputs"]["output"][1:]  # axis 0 dropped: wrong here
    p.write_text(yaml.safe_dump(spec))
    result = run("check", p, "--format", "text")
    assert result.exit_code == 1 and "output_shape expected" in result.stdout


def test_check_takes_saved_models_and_source_files(run):
    """Every command that takes a spec takes a saved model or source file (contract section 8):
    check validates and builds it (it has no expect: to compare)."""
    files = [ROOT / "tests" / "data" / "keras_files" / "rnn_cell_list.keras", ROOT / "examples" / "seed_question.py"]
    result = run("check", *files)
    assert result.exit_code == 0, result.output
    assert "checked 2 specs: 2 ok" in result.stdout
