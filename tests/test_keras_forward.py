"""The reference forward pass against real Keras 3 outputs (float64).

goldens/keras_forward.json holds, per case, a spec, Keras-generated weights in
the contract's layout, an input, and every layer's output as Keras computed it.
"""

from __future__ import annotations

import math

import pytest

from lstmcalc.run import forward

from .goldens import build, cases

CASES = cases("keras_forward.json")
TOL = 1e-5


def close(got, want, path="output"):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            close(g, w, f"{path}[{i}]")
    elif want is None or (isinstance(want, float) and math.isnan(want)):
        assert got is None or math.isnan(got), path
    else:
        assert abs(got - want) <= TOL * max(1.0, abs(want)), f"{path}: {got} != {want}"


def test_there_are_forward_goldens_for_every_layer_type():
    from lstmcalc.layers import KERAS

    seen = set()
    graphs = [c for c in cases("keras_graphs.json") if "weights" in c]
    graphs += [c for c in cases("keras_merge.json") if "forward" in c]
    graphs += [c for c in cases("keras_layers13.json") if "weights" in c]
    for case in CASES + graphs:
        for layer in case["spec"]["layers"]:
            if "type" not in layer:  # another call of a layer defined above
                continue
            seen.add(layer["type"].lower())
            if "layer" in layer:
                seen.add(layer["layer"]["type"].lower())
    # no Keras 3 class to take goldens from: test_import holds CuDNNLSTM to LSTM's forward; CuDNNGRU is GRU's
    keras2_only = {"cudnnlstm", "cudnngru"}
    assert {t.lower() for t in KERAS} - keras2_only <= seen


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_forward_matches_keras(case):
    model = build(case["spec"])
    model, _ = forward.check_inputs(model, case["input"], "<golden>")
    forward.check_weights(model, case["weights"], "<golden>")
    outputs = {r.name: y for _, r, y, _, _ in forward.run_nodes(model, case["weights"], case["input"])}
    for name, want in case.get("outputs", {}).items():
        close(outputs[name], want, name)
    close(forward.forward(model, case["weights"], case["input"]), case["output"])
