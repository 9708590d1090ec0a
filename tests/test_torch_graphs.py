"""PyTorch-dialect graphs (contract sections 6 and 7) against real torch 2.13: each module's parameter
count and the shapes of every output of every call (output, h_n, c_n), refusals, and forward passes.

goldens/torch_graphs.json is written by goldens/gen_torch_graphs.py, which builds each spec as an
nn.Module and runs it; nothing here comes from lstmcalc itself. Goldens are taken with batch 2 and
every null axis of an input set to the file's `null_axis_length`.
"""

from __future__ import annotations

import pytest

from lstmcalc import SpecError
from lstmcalc.run import forward

from .goldens import build, close, load

DATA = load("torch_graphs.json")
CASES = DATA["cases"]
OK = [c for c in CASES if "error" not in c]
REFUSED = [c for c in CASES if "error" in c]
RUN = [c for c in OK if "forward" in c]


def concrete(spec: dict) -> dict:
    """The spec on the shapes the goldens were taken with."""
    fixed = dict(spec, batch_size=DATA["batch"])
    key = "inputs" if "inputs" in spec else "input"
    items = spec[key] if key == "inputs" else [spec[key]]
    items = [dict(i, shape=[DATA["null_axis_length"] if d is None else d for d in i["shape"]]) for i in items]
    fixed[key] = items if key == "inputs" else items[0]
    return fixed


def _shapes(outputs) -> list:
    return [list(s) for s in outputs]



def test_there_are_many_torch_graph_goldens():
    assert len(OK) >= 60 and len(REFUSED) >= 10 and len(RUN) >= 30


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_modules_match_torch(case):
    model = build(concrete(case["spec"]))
    for module in case["modules"]:
        r = model.get(module["name"])
        assert r is not None, module["name"]
        assert (r.params, r.trainable_params) == (module["params"], module["trainable_params"]), module["name"]
        assert [_shapes(n.outputs) for n in r.nodes] == module["calls"], module["name"]
    assert model.total_params == case["total_params"]


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_refused_like_torch(case):
    with pytest.raises(SpecError):
        build(concrete(case["spec"]))


@pytest.mark.parametrize("case", RUN, ids=[c["id"] for c in RUN])
def test_forward_matches_torch(case):
    run = case["forward"]
    model = build(concrete(case["spec"]))
    model, inputs = forward.check_inputs(model, run["input"], "<golden>")
    forward.check_weights(model, run["weights"], "<golden>")
    got = forward.forward(model, run["weights"], inputs)
    want = run["output"] if "output" in run else run["outputs"]
    close(got, want, 1e-6)
