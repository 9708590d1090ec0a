"""The PyTorch dialect's shapes and parameter counts against real torch.

goldens/torch_modules.json is written by goldens/gen_torch.py, which builds
each module in torch 2.13 and records its parameters, buffers and output
shapes (or its refusal). Each case becomes a one-module `framework: pytorch`
spec; h_n and c_n are checked through HiddenState steps.

A golden input shape has its batch axis where the module sees it (second
for a recurrent module without batch_first). torch also takes unbatched
inputs, which a spec cannot write (input.shape never has the batch axis):
those are checked as the batched model with a batch of UNBATCHED, that axis
then removed, which is what torch does with them.
"""

from __future__ import annotations

import pytest

from lstmcalc import SpecError
from lstmcalc.layers import batch_axis
from lstmcalc.run.forward import forward

from .goldens import build, cases

RECURRENT = ("LSTM", "GRU", "RNN")
UNBATCHED = 97  # a batch size no golden dimension has, so its axis can be found and removed

# Cases a spec cannot express at all, each with the reason:
LEFT_OUT = {
    # a 0-D input (one id and no batch axis): input.shape is a non-empty list without the batch axis
    "embedding_0d",
    # torch refuses it only in train() mode (batch statistics of a single value); lstmcalc computes
    # inference, where torch accepts it too (batchnorm1d_eval_batch1_2d)
    "batchnorm1d_train_batch1_2d",
}
# refusals that torch makes at call time from the input's values: lstmcalc refuses them in its
# forward pass (the values are gen_torch.py's)
VALUE_REFUSALS = {
    "embedding_index_out_of_range": [[0, 1, 20], [3, 4, 5]],
    "embedding_float_input": [[0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]] * 4,
}

ALL = [c for c in cases("torch_modules.json") if c["id"] not in LEFT_OUT]
OK = [c for c in ALL if "error" not in c]
REFUSED = [c for c in ALL if "error" in c and c["id"] not in VALUE_REFUSALS]
VALUES = [c for c in ALL if c["id"] in VALUE_REFUSALS]


def unbatched(module: str, shape: list) -> bool:
    """Does torch read this input as one unbatched sample?"""
    rank = len(shape)
    return (module in (*RECURRENT, "Conv1d") and rank == 2) or (
        module in ("Linear", "Embedding", "LSTMCell", "GRUCell", "RNNCell") and rank == 1)


def module_axis(module: str, args: dict) -> int:
    return 1 if module in RECURRENT and not args.get("batch_first", False) else 0


def torch_spec(layers: list[dict], shape: list, dtype: str = "float64", module: str | None = None,
               args: dict | None = None) -> tuple[dict, int | None]:
    """A pytorch-dialect spec for a golden input shape; also the axis to remove (unbatched)."""
    module = module or layers[0]["type"]
    axis = module_axis(module, args or {})
    if unbatched(module, shape) or len(shape) <= axis:
        inp, batch, squeeze = shape, UNBATCHED, True
    else:
        inp, batch, squeeze = shape[:axis] + shape[axis + 1:], shape[axis], False
    spec = {"framework": "pytorch", "input": {"shape": inp, "dtype": dtype}, "batch_size": batch,
            "layers": layers}
    return spec, squeeze


def without_batch(shape) -> list:
    """Remove the UNBATCHED axis (unbatched cases)."""
    out = list(shape)
    assert out.count(UNBATCHED) == 1, shape
    out.remove(UNBATCHED)
    return out


def case_spec(case, extra: list[dict] = ()) -> tuple[dict, bool]:
    layer = {"type": case["module"], "name": "m", **case["args"]}
    return torch_spec([layer, *extra], case["input_shape"], case["input_dtype"], case["module"], case["args"])


def shape_of_output(record, squeeze: bool) -> list:
    return without_batch(record.output_shape) if squeeze else list(record.output_shape)


def states(case) -> int:
    a = case["args"]
    return a.get("num_layers", 1) * (2 if a.get("bidirectional") else 1)


def test_there_are_many_goldens():
    assert len(OK) >= 190 and len(REFUSED) >= 45


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_params_match_torch(case):
    spec, _ = case_spec(case)
    m = build(spec).get("m")
    assert (m.params, m.trainable_params, m.non_trainable_params) == (
        case["params"], case["trainable_params"], case["non_trainable_params"])
    assert [{"name": w.name, "shape": list(w.shape)} for w in m.weights] == case["parameters"]
    assert m.formula.value == m.params
    from lstmcalc.gather.explain import explain, explain_lines

    data = explain(m)  # explain works for every module, with the formula torch's count
    assert data["formula"]["result"] == case["params"] and data["shape_rule"] and explain_lines(data)
    buffers = m.type.buffers(m.args, m.input_shape)
    assert [{"name": b.name, "shape": list(b.shape)} for b in buffers] == [
        b for b in case["buffers"] if b["name"] != "num_batches_tracked"]


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_output_shape_matches_torch(case):
    spec, squeeze = case_spec(case)
    assert shape_of_output(build(spec).get("m"), squeeze) == case["outputs"]["output"]


STATEFUL = [(c, s) for c in OK if c["module"] in RECURRENT for s in ("h_n", "c_n") if s in c["outputs"]]


@pytest.mark.parametrize("case,state", STATEFUL, ids=[f"{c['id']}-{s}" for c, s in STATEFUL])
def test_final_states_match_torch(case, state):
    n = states(case)
    got = []
    for index in range(-n, n):
        spec, squeeze = case_spec(case, [{"type": "HiddenState", "state": state, "index": index}])
        got.append([n, *shape_of_output(build(spec).layers[-1], squeeze)])
    assert got == [case["outputs"][state]] * (2 * n)
    for index in (-n - 1, n):
        spec, _ = case_spec(case, [{"type": "HiddenState", "state": state, "index": index}])
        with pytest.raises(SpecError, match="out of range"):
            build(spec)


def test_only_lstm_has_a_cell_state():
    spec, _ = torch_spec([{"type": "GRU", "hidden_size": 3}, {"type": "HiddenState", "state": "c_n"}], [5, 2])
    with pytest.raises(SpecError, match="cell state"):
        build(spec)


def test_hidden_state_needs_a_recurrent_module_before():
    spec, _ = torch_spec([{"type": "Linear", "out_features": 3}, {"type": "HiddenState"}], [4, 5])
    with pytest.raises(SpecError, match="right after"):
        build(spec)


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_refusals_match_torch(case):
    spec, _ = case_spec(case)
    with pytest.raises(SpecError):
        build(spec)


@pytest.mark.parametrize("case", VALUES, ids=[c["id"] for c in VALUES])
def test_value_refusals_happen_in_the_forward_pass(case):
    spec, _ = case_spec(case)
    model = build(spec)
    x = VALUE_REFUSALS[case["id"]]
    with pytest.raises(SpecError):
        forward(model, {"m": {"weight": [[0.0] * 4] * 20}}, x)


WARNS = [c for c in OK if c.get("warnings") and c["module"] in RECURRENT]


@pytest.mark.parametrize("case", WARNS, ids=[c["id"] for c in WARNS])
def test_torch_warnings_are_notes(case):
    spec, _ = case_spec(case)
    m = build(spec).get("m")
    assert any("dropout" in n and "num_layers 1" in n for n in m.type.notes(m.args, m.input_shape, m.output_shape))


def test_input_width_is_inferred_and_checked():
    spec, _ = torch_spec([{"type": "LSTM", "hidden_size": 4}, {"type": "Linear", "out_features": 2}], [3, 5, 6])
    model = build(spec)
    assert model.get("lstm").params == 4 * (4 * (6 + 4) + 8)
    spec["layers"][1]["in_features"] = 5
    with pytest.raises(SpecError, match="in_features is 5 but the input to Linear has 4"):
        build(spec)


def test_seq_first_puts_the_batch_axis_second():
    spec = {"framework": "pytorch", "input": {"shape": [7], "dtype": "int64"}, "batch_size": 2,
            "layers": [{"type": "Embedding", "num_embeddings": 9, "embedding_dim": 3},
                       {"type": "LSTM", "hidden_size": 4}, {"type": "LastTimestep"}]}
    model = build(spec)
    assert [r.output_shape for r in model.layers] == [(7, 2), (7, 2, 3), (7, 2, 4), (2, 4)]
    assert batch_axis("pytorch", model.spec.layers) == 1
    spec["layers"][1]["batch_first"] = True
    assert [r.output_shape for r in build(spec).layers] == [(2, 7), (2, 7, 3), (2, 7, 4), (2, 4)]


def test_auto_names_are_snake_case():
    # the class name in snake case, as Keras makes it (contract sections 1 and 11: ReLU -> re_lu)
    spec, _ = torch_spec([{"type": "Conv1d", "out_channels": 4, "kernel_size": 3},
                          {"type": "BatchNorm1d"}, {"type": "ReLU"}, {"type": "Transpose", "dim0": 1, "dim1": 2},
                          {"type": "LSTM", "hidden_size": 4, "batch_first": True}, {"type": "HiddenState"},
                          {"type": "LayerNorm", "normalized_shape": 4}, {"type": "Dropout"},
                          {"type": "Linear", "out_features": 1}, {"type": "Linear", "out_features": 1}],
                         [2, 3, 10])
    assert build(spec).names[1:] == ["conv1d", "batch_norm1d", "re_lu", "transpose", "lstm", "hidden_state",
                                     "layer_norm", "dropout", "linear", "linear_1"]


def test_a_sequential_in_a_torch_spec_says_how_to_write_it(run):
    """A nested nn.Sequential is written flat, its modules named as named_modules() names them."""
    p = run.tmp / "nested.yaml"
    p.write_text("framework: pytorch\ninput: {shape: [10, 4]}\nlayers:\n  - {type: LSTM, hidden_size: 8, "
                 "batch_first: true}\n  - {type: LastTimestep}\n  - type: Sequential\n    name: head\n"
                 "    layers: [{type: Linear, out_features: 2}]\n")
    result = run("summary", p)
    assert result.exit_code == 2
    assert f"{p}:6:5:" in result.stderr and "head.0" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("pool", ["{type: MaxPool1d, kernel_size: 2, return_indices: true}",
                                  "{type: AdaptiveMaxPool1d, output_size: 2, return_indices: true}"])
def test_return_indices_is_refused_with_the_fix(run, pool):
    """torch returns (values, indices) with return_indices=True: lstmcalc models the values only."""
    p = run.tmp / "pool.yaml"
    p.write_text(f"framework: pytorch\ninput: {{shape: [3, 8]}}\nlayers:\n  - {{type: Conv1d, out_channels: 2, "
                 f"kernel_size: 1}}\n  - {pool}\n")
    result = run("summary", p)
    assert result.exit_code == 2 and "leave return_indices false" in result.stderr
