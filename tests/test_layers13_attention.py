"""The attention layers against real Keras 3 (goldens/keras_layers13.json).

A refusal in Keras (when it builds the model, or only when it runs it) must
be a refusal in lstmcalc, up front; otherwise the rows' shapes, parameter
splits and "Connected to" cells and the float64 forward pass (masks, causal
masks, attention scores included) must agree within 1e-6. Keras's message
wording is never compared.
"""

from __future__ import annotations

import pytest

from lstmcalc.graph.build import INPUT
from lstmcalc.layers import KERAS as REGISTRY

from .goldens import build, cases
from .test_merge import check_forward, refuses

KERAS = cases("keras_layers13.json")
ATTENTION = ("Attention", "AdditiveAttention", "MultiHeadAttention", "GroupedQueryAttention")


def misprinted(row, record) -> bool:
    """Keras 3.15 prints MultiHeadAttention's scores as (B, heads, Tq, Tq); lstmcalc shows the true Tv."""
    return (record.type.name in ("MultiHeadAttention", "GroupedQueryAttention")
            and isinstance(record.output_shape, list) and row["output_shape"][0] == list(record.output_shape[0]))


@pytest.mark.parametrize("case", KERAS, ids=[c["id"] for c in KERAS])
def test_keras_attention(case):
    if "error" in case:
        assert refuses(case["spec"]), f"Keras refuses it ({case['error_stage']}): {case['error']}"
        return
    model = build(case["spec"])
    for row in case["rows"]:
        record = model.get(row["name"])
        if record is None:  # Keras's operation rows for masks
            assert row["params"] == 0
            continue
        shape = [list(s) for s in record.output_shape] if isinstance(record.output_shape, list) else list(
            record.output_shape)
        if not misprinted(row, record):
            assert shape == row["output_shape"], row["name"]
        assert (record.params, record.trainable_params) == (row["params"], row["trainable_params"]), row["name"]
        if row.get("connected_to") is not None and model.show_connections:
            assert list(record.connected_to) == row["connected_to"], row["name"]
    assert model.total_params == case["total_params"]
    check_forward(case["spec"], case)


def test_every_attention_argument_has_goldens():
    seen: dict = {}
    for case in KERAS:
        for layer in case["spec"]["layers"]:
            seen.setdefault(REGISTRY_NAME.get(layer["type"], layer["type"]), set()).update(layer)
    for name in ATTENTION:
        declared = {a.name for a in REGISTRY[name].all_args} - {"autocast", "input_dim", "input_shape", "name",
                                                                 "dtype", "trainable", "activity_regularizer"}
        assert declared <= seen[name], f"{name}: no golden for {declared - seen[name]}"


REGISTRY_NAME = {"GroupQueryAttention": "GroupedQueryAttention"}


def test_explain_says_why_with_numbers():
    ok = [c for c in KERAS if "error" not in c]
    for name in ATTENTION:
        case = next(c for c in ok if c["id"].startswith(name + "_") and "scores" in c["id"])
        model = build(case["spec"])
        r = model.get("a")
        notes = " ".join(r.type.notes(r.args, r.input_shape, r.output_shape))
        assert "parameter" in notes or "head" in notes
        assert any(ch.isdigit() for ch in r.type.shape_rule(r.args, r.input_shape, r.output_shape))
        assert r.formula.value == r.params


def test_mha_scores_misprint_is_explained():
    case = next(c for c in KERAS if c["id"] == "MultiHeadAttention_contract_example")
    r = build(case["spec"]).get("a")
    assert r.output_shape[1] == (None, 2, 6, 9)
    assert "(batch, heads, Tq, Tq)" in r.type.shape_rule(r.args, r.input_shape, r.output_shape)


def test_inner_layers_take_automatic_names():
    case = next(c for c in KERAS if c["id"] == "MultiHeadAttention_then_dropout")
    names = [r.name for r in build(case["spec"]).layers if r.type is not INPUT]
    assert names == [row["name"] for row in case["rows"] if row["name"] != "x"]
    assert names[1] == "dropout_1"
