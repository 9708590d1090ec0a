"""The PyTorch dialect's reference forward pass against real torch (float64, eval()).

goldens/torch_forward.json holds, per case, the input, the module's
state_dict and torch's outputs (output, h_n, c_n), plus chains of modules
with the pseudo steps LastTimestep, HiddenState and Transpose. Weights are
given to lstmcalc as they are: the state_dict keyed by layer name.
"""

from __future__ import annotations

import copy

import pytest

from lstmcalc.run.forward import forward, verify
from lstmcalc.run.tensor import shape_of

from .goldens import build, cases, close
from .test_pytorch_summary import RECURRENT, module_axis, unbatched

TOL = 1e-5
ALL = cases("torch_forward.json")
SINGLE = [c for c in ALL if "chain" not in c and "hx" not in c]
WITH_HX = [c for c in ALL if "hx" in c]  # cells given an initial state
CHAINS = [c for c in ALL if "chain" in c]




def unsqueeze(x, axis: int):
    return [x] if axis == 0 else [unsqueeze(v, axis - 1) for v in x]


def squeeze(x, axis: int):
    return x[0] if axis == 0 else [squeeze(v, axis - 1) for v in x]


def run_single(case, extra=()):
    """Run the case's module (and extra steps); unbatched inputs get a batch of 1, removed after."""
    module, args, x = case["module"], case["args"], case["input"]
    shape = list(shape_of(x))
    axis = module_axis(module, args)
    if unbatched(module, shape):
        x = unsqueeze(x, axis)
    inp = list(shape_of(x))
    spec = {"framework": "pytorch", "input": {"shape": inp[:axis] + inp[axis + 1:], "dtype": case["input_dtype"]},
            "layers": [{"type": module, "name": "m", **args}, *extra]}
    y = forward(build(spec), {"m": case["state_dict"]}, x)
    if unbatched(module, shape):
        y = squeeze(y, 0 if extra else axis)
    return y


@pytest.mark.parametrize("case", SINGLE, ids=[c["id"] for c in SINGLE])
def test_output_matches_torch(case):
    close(run_single(case), case["output"], TOL, relative=False)


STATES = [(c, s) for c in SINGLE if c["module"] in RECURRENT for s in ("h_n", "c_n") if s in c]


@pytest.mark.parametrize("case,state", STATES, ids=[f"{c['id']}-{s}" for c, s in STATES])
def test_final_states_match_torch(case, state):
    want = case[state]
    got = [run_single(case, [{"type": "HiddenState", "state": state, "index": i}]) for i in range(len(want))]
    close(got, want, TOL, relative=False)


def chain_spec(case) -> dict:
    layers = [{"type": step["module"], **step.get("args", {})} for step in case["chain"]]
    first = case["chain"][0]
    axis = module_axis(first["module"], first.get("args", {}))
    if first["module"] == "Embedding" and len(case["chain"]) > 1:
        nxt = case["chain"][1]
        axis = module_axis(nxt["module"], nxt.get("args", {}))
    shape = list(shape_of(case["input"]))
    return {"framework": "pytorch", "input": {"shape": shape[:axis] + shape[axis + 1:],
                                              "dtype": case["input_dtype"]}, "layers": layers}


@pytest.mark.parametrize("case", CHAINS, ids=[c["id"] for c in CHAINS])
def test_chain_matches_torch(case):
    model = build(chain_spec(case))
    weights = {model.layers[int(i) + 1].name: sd for i, sd in case["state_dicts"].items()}
    close(forward(model, weights, case["input"]), case["output"], TOL, relative=False)


@pytest.mark.parametrize("case", CHAINS, ids=[c["id"] for c in CHAINS])
def test_verify_agrees_on_chains(case):
    assert all(c.ok for c in verify(build(chain_spec(case))))


@pytest.mark.parametrize("case", SINGLE, ids=[c["id"] for c in SINGLE])
def test_verify_agrees_on_single_modules(case):
    x = case["input"]
    if unbatched(case["module"], list(shape_of(x))):
        return  # the batched form is verified through the other cases
    spec = {"framework": "pytorch", "layers": [{"type": case["module"], **case["args"]}],
            "input": {"shape": [], "dtype": case["input_dtype"]}}
    axis = module_axis(case["module"], case["args"])
    shape = list(shape_of(x))
    spec["input"]["shape"] = shape[:axis] + shape[axis + 1:]
    assert all(c.ok for c in verify(build(spec)))


def test_embedding_max_norm_leaves_the_weights_as_given():
    case = next(c for c in SINGLE if c["id"] == "embedding_max_norm")
    before = copy.deepcopy(case["state_dict"])
    close(run_single(case), case["output"], TOL, relative=False)
    assert case["state_dict"] == before != case["state_dict_after"]


@pytest.mark.parametrize("case", WITH_HX, ids=[c["id"] for c in WITH_HX])
def test_cell_with_hx_matches_torch(case):
    """call: {hx: h0} or {hx: [h0, c0]}; an LSTMCell's cell[1] is c'."""
    names = [f"s{k}" for k in range(len(case["hx"]))]
    width = len(case["input"][0])
    spec = {"framework": "pytorch", "inputs": [{"name": "x", "shape": [width]}]
            + [{"name": n, "shape": [len(h[0])]} for n, h in zip(names, case["hx"])],
            "layers": [{"type": case["module"], "name": "m", **case["args"], "inputs": "x",
                        "call": {"hx": names if len(names) > 1 else names[0]}}],
            "outputs": ["m[0]", "m[1]"] if "c" in case else ["m"]}
    got = forward(build(spec), {"m": case["state_dict"]}, {"x": case["input"], **dict(zip(names, case["hx"]))})
    close(got, [case["output"], case["c"]] if "c" in case else case["output"], TOL, relative=False)


CELL_STATES = [c for c in SINGLE if "c" in c]


@pytest.mark.parametrize("case", CELL_STATES, ids=[c["id"] for c in CELL_STATES])
def test_lstm_cell_c_matches_torch(case):
    batched = len(shape_of(case["input"])) == 2
    x = case["input"] if batched else [case["input"]]
    spec = {"framework": "pytorch", "inputs": [{"name": "x", "shape": [len(x[0])]}],
            "layers": [{"type": "LSTMCell", "name": "m", **case["args"], "inputs": "x"}], "outputs": ["m[1]"]}
    got = forward(build(spec), {"m": case["state_dict"]}, {"x": x})
    close(got if batched else got[0], case["c"], TOL, relative=False)
