"""lstmcalc's shapes and parameter counts against real Keras 3.

goldens/keras_summary.json is written by goldens/gen_keras.py, which builds
each spec in Keras 3 and records what Keras reports. Nothing here comes from
lstmcalc itself.
"""

from __future__ import annotations

import pytest

from lstmcalc import SpecError

from .goldens import build, cases

OK = cases("keras_summary.json", want_error=False)
REFUSED = cases("keras_summary.json", want_error=True)


def _shape(s):
    """Shapes as JSON has them: lists, and a list of lists for several outputs."""
    return [list(x) for x in s] if isinstance(s, list) else list(s)


def test_there_are_many_goldens():
    assert len(OK) >= 150 and len(REFUSED) >= 15


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_layers_match_keras(case):
    model = build(case["spec"])
    got = [
        {
            "name": r.name,
            "type": r.type_name,
            "output_shape": _shape(r.output_shape),
            "params": r.params,
            "trainable_params": r.trainable_params,
            "non_trainable_params": r.non_trainable_params,
        }
        for r in model.layers
    ]
    want = [{k: layer[k] for k in got[0]} for layer in case["layers"]]
    assert got == want
    assert model.total_params == case["total_params"]
    assert model.trainable_params == case["trainable_params"]
    assert model.non_trainable_params == case["non_trainable_params"]


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_weights_match_keras(case):
    model = build(case["spec"])
    for record, layer in zip(model.layers, case["layers"]):
        if layer.get("sublayers"):
            for child, sub in zip(record.children, layer["sublayers"]):
                assert child.name == sub["name"]
                main = child.outputs[0]  # with return_state the golden records the main output
                assert list(main) == sub["output_shape"]
                assert [(w.name.split("/")[-1], list(w.shape), w.trainable) for w in child.weights] == [
                    (w["name"], w["shape"], w["trainable"]) for w in sub["weights"]]
        else:
            assert [(w.name.split("/")[-1], list(w.shape), w.trainable) for w in record.weights] == [
                (w["name"], w["shape"], w["trainable"]) for w in layer.get("weights", [])]


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_refused_like_keras(case):
    with pytest.raises(SpecError):
        build(case["spec"])
