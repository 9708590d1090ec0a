"""Every class of bad input: a clear one-line message, exit status 2, no traceback."""

from __future__ import annotations

import json
import os

import pytest

GOOD = """\
input: {shape: [50, 10]}
layers:
  - {type: LSTM, name: lstm1, units: 128, return_sequences: true}
  - {type: Dense, units: 1}
"""


def bad(run, text, *fragments, line=None, name="spec.yaml", raw=False):
    path = run.tmp / name
    if raw:
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = run("summary", path, "--format", "plain")
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert "Traceback" not in err and result.stdout == ""
    assert err.startswith(f"lstmcalc: {path}"), err
    if line is not None:
        assert err.startswith(f"lstmcalc: {path}:{line}:"), err
    for f in fragments:
        assert f in err, (f, err)
    assert len(err.strip().splitlines()) <= 2
    return err


def test_not_yaml(run):
    bad(run, "input: [1, 2\nlayers: {", "not valid YAML", line=2)


def test_yaml_not_a_mapping(run):
    bad(run, "- 1\n- 2\n", "must be a mapping")


def test_empty_file(run):
    bad(run, "", "the spec is empty")
    bad(run, "# only a comment\n", "the spec is empty")


def test_non_utf8(run):
    bad(run, b"input: {shape: [3, 4]}\nname: \xff\xfe\n", "not UTF-8", "0xff", line=2, raw=True)


def test_tabs(run):
    bad(run, "input:\n\tshape: [3, 4]\n", "not valid YAML", "tabs", line=2)


def test_duplicate_key(run):
    bad(run, GOOD.replace("units: 128,", "units: 128, units: 64,"), "duplicate key 'units'", "line 3", line=3)


def test_unknown_top_level_key(run):
    bad(run, "inptu: {shape: [3]}\n" + GOOD.split("\n", 1)[1], "unknown key 'inptu'", "did you mean 'input'",
        line=1)
    bad(run, "inputs: {shape: [3]}\n" + GOOD.split("\n", 1)[1], "inputs: takes a list", "for one input write input:",
        line=1)


def test_unknown_layer_type(run):
    bad(run, GOOD.replace("type: LSTM", "type: LSMT"), "unknown layer type 'LSMT'", "did you mean 'LSTM'", line=3)


def test_pytorch_name_in_keras_spec(run):
    err = bad(run, GOOD.replace("type: Dense, units: 1", "type: Linear, out_features: 1"),
              "unknown layer type 'Linear'")
    assert "pytorch" in err or "did you mean" in err


def test_misspelt_argument(run):
    err = bad(run, GOOD.replace("return_sequences", "return_sequence"), "unknown argument 'return_sequence'",
              "did you mean 'return_sequences'", "layer 'lstm1' (LSTM)", line=3)
    assert ":3:" in err


@pytest.mark.parametrize("value, fragment", [
    ('"128"', "units must be an integer"),
    ("12.5", "units must be an integer"),
    ("128.0", "write 128"),
    ("true", "units must be an integer"),
    ("-3", "at least 1"),
    ("0", "at least 1"),
    ("null", "not null"),
])
def test_wrong_argument_type(run, value, fragment):
    bad(run, GOOD.replace("units: 128", f"units: {value}"), fragment, "layer 'lstm1' (LSTM)", line=3)


def test_missing_required_argument(run):
    bad(run, GOOD.replace("units: 128, ", ""), "missing required argument 'units'", line=3)


def test_rank_error_names_the_producer_and_the_fix(run):
    text = """\
input: {shape: [50, 10]}
layers:
  - {type: LSTM, name: lstm1, units: 128, return_sequences: true}
  - {type: LSTM, name: lstm2, units: 64}
  - {type: LSTM, name: lstm3, units: 32}
"""
    bad(run, text, "layer 'lstm3' (LSTM)", "3-D input", "(None, 64)", "from 'lstm2'",
        "set return_sequences: true on 'lstm2'", line=5)


@pytest.mark.parametrize("layer, fragment", [
    ("{type: Dense, units: 4}", None),
    ("{type: Conv1D, filters: 4, kernel_size: 60}", "does not fit"),
    ("{type: Conv1D, filters: 4, kernel_size: 3, strides: 2, dilation_rate: 2}", "strides > 1"),
    ("{type: Conv1D, filters: 5, kernel_size: 3, groups: 2}", "divisible by groups"),
    ("{type: MaxPooling1D, pool_size: 60}", "does not fit"),
    ("{type: RepeatVector, n: 3}", "2-D input"),
    ("{type: Reshape, target_shape: [7, 7]}", "cannot reshape"),
    ("{type: Reshape, target_shape: [-1, -1]}", "more than one -1"),
    ("{type: Permute, dims: [1, 3]}", "not a permutation"),
    ("{type: Permute, dims: [1, 2, 3]}", "permutes 3 axes"),
    ("{type: BatchNormalization, axis: 5}", "out of range"),
    ("{type: LayerNormalization, axis: 0}", "batch axis"),
    ("{type: Bidirectional, layer: {type: Dense, units: 3}}", "wraps a recurrent layer"),
    ("{type: TimeDistributed, layer: {type: LSTM, units: 3}}", "3-D input"),
    ("{type: LSTM, units: 3, stateful: true}", "batch size"),
])
def test_shapes_that_do_not_fit(run, layer, fragment):
    text = f"input: {{shape: [50, 10]}}\nlayers:\n  - {layer}\n"
    if fragment is None:  # a control: this one fits
        assert run("summary", run.spec(text), "--format", "plain").exit_code == 0
        return
    bad(run, text, fragment, line=3)


def test_null_where_keras_needs_a_size(run):
    bad(run, "input: {shape: [50, null]}\nlayers:\n  - {type: Dense, units: 3}\n", "known last axis", line=3)
    bad(run, "input: {shape: [50, null]}\nlayers:\n  - {type: LSTM, units: 3}\n", "known feature axis", line=3)


def test_wrapper_without_layer(run):
    bad(run, "input: {shape: [5, 4]}\nlayers:\n  - {type: Bidirectional}\n", "missing required argument 'layer'")


def test_wrapper_layer_not_a_mapping(run):
    bad(run, "input: {shape: [5, 4]}\nlayers:\n  - {type: TimeDistributed, layer: Dense}\n", "nested layer mapping")


def test_two_outputs_cannot_feed_a_chain(run):
    text = ("input: {shape: [5, 4]}\nlayers:\n  - {type: LSTM, units: 3, return_state: true}\n"
            "  - {type: Dense, units: 1}\n")
    bad(run, text, "returns 3 tensors", "write inputs: 'lstm[0]'", line=4)


def test_duplicate_layer_names(run):
    bad(run, GOOD.replace("type: Dense, units: 1", "type: Dense, name: lstm1, units: 1"),
        "two layers are named 'lstm1'", line=4)


@pytest.mark.parametrize("expect, fragment", [
    ("expect: 5", "must be a mapping"),
    ("expect: {total: 5}", "unknown key 'total'"),
    ("expect: {total_params: -1}", "non-negative integer"),
    ("expect: {output_shape: 7}", "output_shape must be a list"),
])
def test_expect_of_the_wrong_form(run, expect, fragment):
    bad(run, GOOD + expect + "\n", fragment)


def test_missing_and_directory_paths(run):
    result = run("summary", run.tmp / "nope.yaml")
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = run("summary", run.tmp)
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_json_errors_are_json(run):
    result = run("summary", run.spec(GOOD.replace("units: 128", "units: '128'")), "--format", "json")
    assert result.exit_code == 2
    err = json.loads(result.stdout)["error"]
    assert err["line"] == 3 and err["layer"] == "lstm1" and "units" in err["message"]


def test_alias_bomb_is_refused_quickly(run):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 10) + "]")
    bad(run, "\n".join(lines) + "\n", "alias")


def test_huge_file_is_refused(run):
    bad(run, "# " + "x" * (6 * 1024 * 1024) + "\n", "larger than")


def test_deep_nesting(run):
    # lstmcalc's own message, measured by lstmcalc, whatever PyYAML's parser says
    bad(run, "input: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 200 levels", line=1)
    bad(run, "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)), "nested more than 200 levels")


def test_python_tags_are_refused(run):
    bad(run, "input: !!python/object/apply:os.system ['echo hi']\n", "tag")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_does_not_hang(run):
    result = run("summary", "/dev/zero")
    assert result.exit_code == 2


def test_enormous_sizes_are_exact(run):
    text = "input: {shape: [5, 4]}\nlayers:\n  - {type: LSTM, units: 1000000000000}\n"
    result = run("summary", run.spec(text), "--format", "json")
    assert result.exit_code == 0
    u = 10**12
    assert json.loads(result.stdout)["total_params"] == 4 * (u * (4 + u) + u)
    result = run("verify", run.spec(text))
    assert result.exit_code == 2 and "--force" in result.stderr


def test_internal_error_exit_3(run, monkeypatch):
    import lstmcalc.gather.summary

    def boom(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(lstmcalc.gather.summary, "summary_rows", boom)
    result = run("summary", run.spec(GOOD), "--format", "plain")
    assert result.exit_code == 3
    assert "a bug in lstmcalc" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.stderr


def test_layer_names_with_a_slash(run):
    bad(run, GOOD.replace("name: lstm1", "name: a/b"), "not a valid layer name", line=3)


def test_adhoc_explain_bad_values(run):
    result = run("explain", "dense", "--units", "3", "--input-shape", "5,abc")
    assert result.exit_code == 2 and "--input-shape" in result.stderr
    result = run("explain", "dense", "--units", "[", "--input-shape", "5")
    assert result.exit_code == 2 and "--units" in result.stderr


def test_zero_output_for_mask_is_a_keras_argument(run):
    text = "input: {shape: [5, 4]}\nlayers:\n  - {type: LSTM, units: 3, zero_output_for_mask: true}\n"
    assert run("summary", run.spec(text), "--format", "json").exit_code == 0
