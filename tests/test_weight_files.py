"""Weights from files the frameworks save: state_dict names with nested module paths, and Keras 2 `.h5` models
saved by real Keras 3 in the legacy format (goldens/gen_import.py → tests/data/models/goldens.json)."""

import json
import os

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
