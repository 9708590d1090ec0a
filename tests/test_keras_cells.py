"""Bidirectional over RNN(cell) and Softmax's mask in plain chains, against real Keras 3.

goldens/keras_cells.json is written by goldens/gen_keras_cells.py: summaries (rows, sublayers,
weights) or Keras's refusal, float64 forward passes on Keras's own weights, and Softmax after a mask
on the batch each case names (the output, or the error Keras raises when the model runs).
"""

from __future__ import annotations

import pytest

from lstmcalc.errors import SpecError
from lstmcalc.run import forward

from .goldens import build, close, load

GOLDEN = load("keras_cells.json")
OK = [c for c in GOLDEN["cases"] if "error" not in c]
REFUSED = [c for c in GOLDEN["cases"] if "error" in c]
FORWARD = GOLDEN["forward"]
SOFTMAX_OK = [c for c in GOLDEN["softmax"] if "output" in c]
SOFTMAX_REFUSED = [c for c in GOLDEN["softmax"] if "output" not in c]


def _shape(s):
    return [list(x) for x in s] if isinstance(s, list) else list(s)


def test_the_goldens_cover_every_case_kind():
    assert len(OK) >= 15 and REFUSED and len(FORWARD) >= 8 and len(SOFTMAX_OK) >= 5 and SOFTMAX_REFUSED


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_summary_matches_keras(case):
    model = build(case["spec"])
    got = [{"name": r.name, "type": r.type_name, "output_shape": _shape(r.output_shape), "params": r.params,
            "trainable_params": r.trainable_params} for r in model.layers]
    assert got == [{k: layer[k] for k in got[0]} for layer in case["layers"]]
    assert model.total_params == case["total_params"]
    for record, layer in zip(model.layers, case["layers"]):
        for child, sub in zip(record.children, layer.get("sublayers", [])):
            assert (child.name, child.type.name, list(child.outputs[0]), child.params) == (
                sub["name"], sub["type"], sub["output_shape"], sub["params"])
            assert [(w.name.split("/")[-1], list(w.shape)) for w in child.weights] == [
                (w["name"], w["shape"]) for w in sub["weights"]]


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_refused_like_keras(case):
    with pytest.raises(SpecError):
        build(case["spec"])


@pytest.mark.parametrize("case", FORWARD, ids=[c["id"] for c in FORWARD])
def test_forward_matches_keras(case):
    model = build(case["spec"])
    model, _ = forward.check_inputs(model, case["input"], "<golden>")
    forward.check_weights(model, case["weights"], "<golden>")
    outputs = {r.name: y for _, r, y, _, _ in forward.run_nodes(model, case["weights"], case["input"])}
    for name, want in case["outputs"].items():
        close(outputs[name], want, 1e-5, path=name)
    close(forward.forward(model, case["weights"], case["input"]), case["output"], 1e-5)


@pytest.mark.parametrize("case", SOFTMAX_OK, ids=[c["id"] for c in SOFTMAX_OK])
def test_softmax_uses_the_mask_as_keras_does(case):
    model = build(case["spec"])
    model, _ = forward.check_inputs(model, case["input"], "<golden>")
    forward.check_weights(model, case["weights"], "<golden>")
    close(forward.forward(model, case["weights"], case["input"]), case["output"], 1e-5)


@pytest.mark.parametrize("case", SOFTMAX_REFUSED, ids=[c["id"] for c in SOFTMAX_REFUSED])
def test_softmax_mask_that_does_not_line_up_is_refused(case):
    """Keras fails when it runs (or builds); lstmcalc refuses with an error value, never a crash."""
    rows = [case["batch"]] + [5 if d is None else d for d in case["spec"]["input"]["shape"]]

    def tensor(shape):
        return [tensor(shape[1:]) for _ in range(shape[0])] if shape else 1

    with pytest.raises(SpecError) as e:
        model = build(case["spec"])
        model, x = forward.check_inputs(model, tensor(rows), "<golden>")
        forward.forward(model, forward.random_weights(model, __import__("random").Random(0)), x)
    assert e.value.problem.layer == "softmax"
