"""The merge layers against real Keras 3 and torch (goldens/keras_merge.json, goldens/torch_merge.json).

Keras cases: a refusal in Keras (when it builds the model, or only when it
runs it) must be a refusal in lstmcalc (up front: when the spec is built, or
at the latest when it is built on the concrete input shapes); otherwise the
rows' shapes and parameters and the float64 forward pass (masks included)
must agree. Keras's message wording is never compared.
"""

from __future__ import annotations

import pytest

from lstmcalc.errors import SpecError
from lstmcalc.graph.build import INPUT
from lstmcalc.run import forward
from lstmcalc.run.tensor import flatten, shape_of

from .goldens import build, cases

KERAS = cases("keras_merge.json")
TORCH = cases("torch_merge.json")
BATCH, NULL_FILL = 2, 5
TOL = 1e-6


def concrete_shapes(model, spec) -> dict:
    """The shapes the generator ran the model on: batch 2, a null axis 5 long."""
    return {r.name: tuple(BATCH if d is None and k == 0 else NULL_FILL if d is None else d
                          for k, d in enumerate(r.output_shape))
            for r in model.input_records}


def refuses(spec) -> bool:
    try:
        model = build(spec)
        forward.concrete(model, concrete_shapes(model, spec))
    except SpecError:
        return True
    return False


def check_forward(spec, record):
    """The model's output(s) on the golden's weights and input, within TOL of the framework's."""
    model = build(spec)
    model, given = forward.check_inputs(model, record["input"], "<golden>")
    forward.check_weights(model, record["weights"], "<golden>")
    got = forward.forward(model, record["weights"], given)
    wanted = [record["output"]] if "output" in record else record["outputs"]
    for k, (y, want) in enumerate(zip(got if len(wanted) > 1 else [got], wanted)):
        assert shape_of(y) == shape_of(want), f"output {k}: shape {shape_of(y)} != {shape_of(want)}"
        worst = max(abs(g - w) for g, w in zip(flatten(y), flatten(want)))
        assert worst <= TOL, f"output {k} differs by {worst:.3g}"


@pytest.mark.parametrize("case", KERAS, ids=[c["id"] for c in KERAS])
def test_keras_merge(case):
    if "error" in case:
        assert refuses(case["spec"]), f"Keras refuses it ({case['error_stage']}): {case['error']}"
        return
    model = build(case["spec"])
    for row in case["rows"]:
        record = model.get(row["name"])
        if record is None:  # Keras's operation rows for masks (not_equal, logical_or...)
            assert row["params"] == 0
            continue
        assert list(record.output_shape) == row["output_shape"], row["name"]
        assert (record.params, record.trainable_params) == (row["params"], row["trainable_params"]), row["name"]
    assert model.total_params == case["total_params"]
    check_forward(case["spec"], case["forward"])


@pytest.mark.parametrize("case", TORCH, ids=[c["id"] for c in TORCH])
def test_torch_merge(case):
    spec = case["spec"]
    if "error" in case:
        assert refuses(spec), f"torch refuses it ({case['error_stage']}): {case['error']}"
        return
    model = build(spec)
    shapes = concrete_shapes(model, spec)
    model = forward.concrete(model, shapes)
    for module in case["modules"]:
        record = model.get(module["name"])
        assert [list(node.output_shape) for node in record.nodes] == [c[0] for c in module["calls"]]
        assert record.params == module["params"]
    if "forward" in case:
        check_forward(spec, case["forward"])


def test_every_merge_layer_and_argument_has_goldens():
    from lstmcalc.layers import KERAS as REGISTRY

    merges = {"Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"}
    seen: dict = {}
    for case in KERAS:
        for layer in case["spec"]["layers"]:
            seen.setdefault(layer["type"], set()).update(layer)
    for name in merges:
        written = seen[name] - {"type", "inputs"}
        declared = {a.name for a in REGISTRY[name].all_args} - {"autocast", "activity_regularizer", "input_dim",
                                                                 "input_shape"}
        assert declared <= written, f"{name}: no golden for {declared - written}"


def test_masked_merges_change_what_the_lstm_sees():
    """The propagated mask reaches the LSTM: with zero_output_for_mask its masked steps are exactly 0."""
    masked = [c for c in KERAS if "_mask_" in c["id"] and "forward" in c]
    assert len(masked) >= 30
    zero_steps = sum(step == [0.0] * len(step) for c in masked for sample in c["forward"]["outputs"][1]
                     for step in sample)
    assert zero_steps > 0


def test_merge_rows_have_no_weights_and_say_why():

    first_ok = {c["id"].split("_")[0]: c for c in reversed(KERAS) if "error" not in c}
    assert len(first_ok) == 8
    for case in first_ok.values():
        model = build(case["spec"])
        for r in model.layers:
            if r.type is INPUT or not r.type.takes_list:
                continue
            assert r.params == 0 and r.formula.value == 0
            s, out = r.input_shape, r.output_shape
            assert r.type.notes(r.args, s, out)
            assert any(ch.isdigit() for ch in r.type.shape_rule(r.args, s, out))
