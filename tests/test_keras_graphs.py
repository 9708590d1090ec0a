"""Graphs (contract section 7) against real Keras 3: rows in Keras's order, "Connected to" cells,
shapes, parameter splits, refusals and forward passes.

goldens/keras_graphs.json is written by goldens/gen_keras_graphs.py, which builds each
spec with Keras's functional API and records what Keras's own summary shows. Nothing
here comes from lstmcalc itself.
"""

from __future__ import annotations

import pytest

from lstmcalc import SpecError
from lstmcalc.run import forward

from .goldens import build, cases, close

# Where lstmcalc knowingly differs from Keras (each is named in the README's known differences):
KNOWN = {
    # contract section 1: two layers with one name are an error, even where Keras accepts it (both dead ends)
    "refuse_duplicate_names_dead_end": "duplicate names are refused by contract",
    # Keras numbers an automatic Concatenate name after the `concatenate` ops its masks created before it;
    # lstmcalc names layers when it reads the spec, before any mask exists
    "random_0130": "automatic names interleaved with mask ops",
    # Keras fails only when run on data: two variable lengths that differ (ceil(L/2) against L); lstmcalc
    # does not reason about relations between variable sizes
    "random_0073": "relations between variable lengths",
    "random_0272": "relations between variable lengths",
}


def _known(cs):
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN[c["id"]])) if c["id"] in KNOWN
            else c for c in cs]


OK = cases("keras_graphs.json", want_error=False)
REFUSED = cases("keras_graphs.json", want_error=True)
RUN = [c for c in OK if "weights" in c]


def _shape(s):
    return [list(x) for x in s] if isinstance(s, list) else list(s)



def test_there_are_many_graph_goldens():
    assert len(OK) >= 50 and len(REFUSED) >= 3 and len(RUN) >= 20


@pytest.mark.parametrize("case", _known(OK), ids=[c["id"] for c in OK])
def test_rows_match_keras(case):
    model = build(case["spec"])
    got = [{"name": r.name, "type": r.type_name, "output_shape": _shape(r.output_shape), "params": r.params,
            "trainable_params": r.trainable_params, "non_trainable_params": r.non_trainable_params}
           for r in model.layers]
    want = [{k: row[k] for k in got[0]} for row in case["rows"]]
    assert got == want
    assert (model.total_params, model.trainable_params, model.non_trainable_params) == (
        case["total_params"], case["trainable_params"], case["non_trainable_params"])


@pytest.mark.parametrize("case", _known(OK), ids=[c["id"] for c in OK])
def test_connected_to_matches_keras(case):
    model = build(case["spec"])
    shown = case["rows"][0]["connected_to"] is not None
    assert model.show_connections == shown
    if shown:
        assert [list(r.connected_to) for r in model.layers] == [row["connected_to"] for row in case["rows"]]


@pytest.mark.parametrize("case", _known(REFUSED), ids=[c["id"] for c in REFUSED])
def test_refused_like_keras(case):
    with pytest.raises(SpecError):
        build(case["spec"])


@pytest.mark.parametrize("case", RUN, ids=[c["id"] for c in RUN])
def test_forward_matches_keras(case):
    run = case
    model = build(case["spec"])
    model, inputs = forward.check_inputs(model, run["input"], "<golden>")
    forward.check_weights(model, run["weights"], "<golden>")
    got = forward.forward(model, run["weights"], inputs)
    want = run["output"] if "output" in run else run["outputs"]
    close(got, want, 1e-5)
