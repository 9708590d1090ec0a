"""torch's MultiheadAttention and Transformer encoder and decoder modules against real torch.

goldens/torch_attention.json (goldens/gen_torch_attention.py) holds, per case, torch's parameter
count, state_dict names and shapes, output shapes and a float64 eval() forward (batch 2). Each case
is written as a spec (inputs in the module's layout, the call's flags under call:), built, and its
layer's reference forward run on the case's state_dict and masks.
"""

from __future__ import annotations

import pytest

from lstmcalc.errors import SpecError
from lstmcalc.run.forward import forward

from .goldens import build, cases, close

TOL = 1e-6
ALL = cases("torch_attention.json")
OK = [c for c in ALL if "error" not in c]
REFUSED = [c for c in ALL if "error" in c]


def batch_axis(case) -> int:
    args = case["args"].get("encoder_layer", case["args"].get("decoder_layer", case["args"]))
    return 0 if args.get("batch_first") else 1


def spec_of(case, with_masks: bool = False) -> dict:
    axis = batch_axis(case)
    inputs = [{"name": n, "shape": s[:axis] + s[axis + 1:]} for n, s in case["inputs_shape"].items()]
    layer = {"type": case["module"], "name": "m", **case["args"], "inputs": [i["name"] for i in inputs]}
    call = {k: v for k, v in case["call"].items() if not k.endswith("is_causal") or with_masks}
    if with_masks:
        for name, m in case["masks"].items():
            inputs.append({"name": name, "shape": [len(m[0])], "dtype": "bool"})
            call[name] = name
    if call:
        layer["call"] = call
    weights = "weights" in case.get("output_shapes", {"weights": 1})
    outputs = ["m[0]", "m[1]"] if case["module"] == "MultiheadAttention" and weights else ["m[0]"]
    return {"framework": "pytorch", "batch_size": 2, "inputs": inputs, "layers": [layer], "outputs": outputs}




def record(case):
    model = build(spec_of(case))
    return model, model.get("m")


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_params_and_state_dict(case):
    _, r = record(case)
    assert r.params == case["params"]
    assert {w.name: list(w.shape) for w in r.weights} == case["state_dict_shapes"]
    assert r.formula.value == case["params"]


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_output_shapes(case):
    model, r = record(case)
    node = next(n for n in model.nodes if n.layer == "m")
    got = [list(s) for s in node.outputs]
    want = case["output_shapes"]
    assert got == [want["output"]] + ([want["weights"]] if "weights" in want else [])


def run(case):
    _, r = record(case)
    xs = list(case["inputs"].values())
    x = xs[0] if len(xs) == 1 else xs
    kw = {**case["call"], **case["masks"]}
    context: dict = {}
    if case["module"] == "MultiheadAttention":
        kw["context"] = context
    if case["module"] == "TransformerEncoder" and "src_key_padding_mask" not in kw:
        kw.pop("src_mask", None)
    y = r.type.forward(r.args, case["state_dict"], x, **kw)
    return y, context


@pytest.mark.parametrize("case", OK, ids=[c["id"] for c in OK])
def test_forward_matches_torch(case):
    y, context = run(case)
    close(y, case["output"], TOL, relative=False)
    if "weights" in case:
        close(context["attn_weights"], case["weights"], TOL, relative=False)


SLOW_ONLY = ("te-padding", "tdl-hint-over-mask")  # torch's fast path differs: see the tests below


@pytest.mark.parametrize("case", [c for c in OK if c["id"] not in SLOW_ONLY],
                         ids=[c["id"] for c in OK if c["id"] not in SLOW_ONLY])
def test_fast_path_gives_the_same_numbers(case):
    """torch.no_grad() runs the fused path: the same numbers as the maths."""
    close(run(case)[0], case["fast_output"], TOL, relative=False)


def test_encoder_fast_path_zeroes_padded_positions():
    """TransformerEncoder under no_grad with a padding mask runs on nested tensors: 0.0 where padded,
    the slow path's numbers elsewhere (what the notes say)."""
    case = next(c for c in OK if c["id"] == "te-padding")
    y, _ = run(case)
    pad = case["masks"]["src_key_padding_mask"]
    for n, row in enumerate(pad):
        for t, padded in enumerate(row):
            want = [0.0] * len(y[n][t]) if padded else y[n][t]
            close(case["fast_output"][n][t], want, TOL, relative=False)
    assert any(any(row) for row in pad)


def test_decoder_causal_hint_over_a_mask_that_is_not_causal():
    """torch's slow path (and lstmcalc) apply the hint's causal mask; its fast path applies tgt_mask (the notes)."""
    case = next(c for c in OK if c["id"] == "tdl-hint-over-mask")
    _, r = record(case)
    x = list(case["inputs"].values())
    mask = case["masks"]["tgt_mask"]
    assert mask != [[j > i for j in range(len(mask))] for i in range(len(mask))]
    close(run(case)[0], case["output"], TOL, relative=False)
    close(r.type.forward(r.args, case["state_dict"], x, tgt_mask=mask), case["fast_output"], TOL, relative=False)


@pytest.mark.parametrize("case", REFUSED, ids=[c["id"] for c in REFUSED])
def test_refused_as_torch_refuses(case):
    spec = spec_of(case, with_masks=True)
    with pytest.raises(SpecError):
        build(spec)


def test_key_padding_mask_through_the_graph():
    """A bool (N, S) input named in call: reaches the forward pass; the batch stays first for the mask."""
    case = next(c for c in OK if c["id"] == "mha-masks")
    spec = spec_of(case)
    spec["inputs"].append({"name": "pad", "shape": [4], "dtype": "bool"})
    spec["layers"][0]["call"] = {"key_padding_mask": "pad"}
    model = build(spec)
    inputs = {**case["inputs"], "pad": case["masks"]["key_padding_mask"]}
    out, weights = forward(model, {"m": case["state_dict"]}, inputs)
    # no attn_mask here: compare against the case run without it
    _, r = record(case)
    x = list(case["inputs"].values())
    context: dict = {}
    want = r.type.forward(r.args, case["state_dict"], x, context=context,
                          key_padding_mask=case["masks"]["key_padding_mask"])
    close(out, want, TOL, relative=False)
    close(weights, context["attn_weights"], TOL, relative=False)


def test_sequence_first_puts_the_batch_second():
    model = build({"framework": "pytorch", "input": {"shape": [7, 16]}, "layers": [
        {"type": "TransformerEncoder", "num_layers": 2, "encoder_layer": {
            "type": "TransformerEncoderLayer", "d_model": 16, "nhead": 4, "dim_feedforward": 32}}]})
    assert model.layers[0].output_shape == (7, None, 16)


def test_decoder_padding_masks_through_the_graph():
    """tgt_key_padding_mask and memory_key_padding_mask as bool (N, T) inputs named in call: reach the decoder."""
    case = next(c for c in OK if c["id"] == "tdl-masks")
    spec = spec_of(case)
    pads = {k: case["masks"][k] for k in ("tgt_key_padding_mask", "memory_key_padding_mask")}
    for name, m in pads.items():
        spec["inputs"].append({"name": name, "shape": [len(m[0])], "dtype": "bool"})
    spec["layers"][0]["call"] = {name: name for name in pads}
    out = forward(build(spec), {"m": case["state_dict"]}, {**case["inputs"], **pads})
    _, r = record(case)
    want = r.type.forward(r.args, case["state_dict"], list(case["inputs"].values()), **pads)
    close(out, want, TOL, relative=False)
    assert want != r.type.forward(r.args, case["state_dict"], list(case["inputs"].values()))
