"""Weights from files the frameworks save: state_dict names with nested module paths, and Keras 2 `.h5` models
saved by real Keras 3 in the legacy format (goldens/gen_import.py → tests/data/models/goldens.json)."""

import json
import os

import pytest
from click.testing import CliRunner

from lstmcalc.cli import main

DATA = os.path.join(os.path.dirname(__file__), "data", "models")
GOLDENS = json.load(open(os.path.join(DATA, "goldens.json")))


def flat(v):
    return [x for item in v for x in flat(item)] if isinstance(v, list) else [v]


def close(got, want, tol=1e-4):
    got, want = flat(got), flat(want)
    assert len(got) == len(want)
    assert max(abs(a - b) for a, b in zip(got, want)) < tol


def test_nested_state_dict_names_run_as_torch_ran_them():
    """seq.0.weight belongs to layer seq_0, encoder.layers.0.self_attn.in_proj_weight to encoder,
    lstm.weight_ih_l0_reverse to lstm (torch 2 saved the file; its output is the golden)."""
    result = CliRunner().invoke(main, ["run", os.path.join(DATA, "torch_nested.yaml"),
                                       "--weights", os.path.join(DATA, "torch_nested.safetensors"),
                                       "--input", os.path.join(DATA, "torch_nested.input.json"), "--format", "json"])
    assert result.exit_code == 0, result.output
    close(json.loads(result.output)["output"], GOLDENS["torch_nested"]["output"])


def test_grouping_follows_the_model_layer_names():
    import lstmcalc
    from lstmcalc.sources import weight_files

    model = lstmcalc.load(os.path.join(DATA, "torch_nested.yaml"))
    weights = weight_files.read(os.path.join(DATA, "torch_nested.safetensors"), model)
    assert sorted(weights) == ["encoder", "fc", "lstm", "seq_0"]
    assert "layers.0.self_attn.in_proj_weight" in weights["encoder"]
    assert "weight_hh_l0_reverse" in weights["lstm"]
    assert sorted(weights["seq_0"]) == ["bias", "weight"]
    # every tensor of the state_dict lands somewhere, once
    assert sum(len(v) for v in weights.values()) == len(GOLDENS["torch_nested"]["state_dict"])


LEGACY = ["legacy_conv_bigru", "legacy_gru_reset_before", "legacy_seq2seq"]


def test_legacy_h5_models_summarise_as_keras_did():
    import lstmcalc
    from lstmcalc.gather.summary import summary_dict

    pytest.importorskip("h5py")
    for name in LEGACY:
        gold = GOLDENS[name]
        data = json.loads(json.dumps(summary_dict(lstmcalc.load(os.path.join(DATA, name + ".h5")))))
        assert data["total_params"] == gold["total_params"], name
        rows = {r["name"]: r for r in data["layers"]}
        for g in gold["rows"]:
            assert (rows[g["name"]]["type"], rows[g["name"]]["output_shape"], rows[g["name"]]["params"]) == \
                (g["type"], g["output_shape"], g["params"]), (name, g["name"])


def test_run_legacy_h5_reproduces_keras_output():
    """`model.save("x.h5")` in Keras 3 writes Keras 2's format; `run x.h5` needs no --weights."""
    pytest.importorskip("h5py")
    for name in LEGACY:
        result = CliRunner().invoke(main, ["run", os.path.join(DATA, name + ".h5"), "--input",
                                           os.path.join(DATA, name + ".input.json"), "--format", "json"])
        assert result.exit_code == 0, result.output
        close(json.loads(result.output)["output"], GOLDENS[name]["output"])


def test_legacy_h5_as_weights_for_the_same_model_as_json(tmp_path):
    """The model's JSON config and its Keras 2 .h5 given as --weights: the same output."""
    h5py = pytest.importorskip("h5py")
    name = "legacy_conv_bigru"
    with h5py.File(os.path.join(DATA, name + ".h5")) as f:
        config = f.attrs["model_config"]
    spec = tmp_path / "model.json"
    spec.write_text(config if isinstance(config, str) else config.decode())
    result = CliRunner().invoke(main, ["run", str(spec), "--weights", os.path.join(DATA, name + ".h5"), "--input",
                                       os.path.join(DATA, name + ".input.json"), "--format", "json"])
    assert result.exit_code == 0, result.output
    close(json.loads(result.output)["output"], GOLDENS[name]["output"])


def test_legacy_h5_whose_weight_names_lie_is_refused(tmp_path):
    """A Keras 2 .h5 whose weight_names attribute names an array the file does not hold: exit 2, named."""
    h5py = pytest.importorskip("h5py")
    bad = tmp_path / "bad.h5"
    with h5py.File(os.path.join(DATA, "legacy_gru_reset_before.h5")) as src, h5py.File(bad, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        src.copy("model_weights", dst)
        group = dst["model_weights"]["dense_6"]
        group.attrs["weight_names"] = [n + b"_missing" if isinstance(n, bytes) else n + "_missing"
                                       for n in group.attrs["weight_names"]]
    result = CliRunner().invoke(main, ["run", str(bad), "--input",
                                       os.path.join(DATA, "legacy_gru_reset_before.input.json")])
    assert result.exit_code == 2, result.output
    assert "dense_6" in result.output and "bad.h5" in result.output
