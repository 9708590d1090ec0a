"""Export and convert-weights for the attention layers.

Keras's MultiHeadAttention and torch's MultiheadAttention are the same function where Keras's heads
split the query's width (heads · key_dim = E, value_dim = key_dim, output E wide): the weights convert
both ways and lstmcalc's two forward passes agree. goldens/export.json (goldens/gen_export.py,
`attention:` rows) proves the same in real Keras and torch. Where there is no exact equivalent the
export is refused naming the layer and why.
"""

from __future__ import annotations

import json

import pytest

from lstmcalc.errors import SpecError
from lstmcalc.export.translate import translate
from lstmcalc.export.weights import convert
from lstmcalc.graph.build import build
from lstmcalc.run import forward
from lstmcalc.sources.keras_h5 import keras3_weights, write_keras3_weights
from lstmcalc.sources.spec import parse

from .conftest import ROOT
from .test_export import max_diff, random_case

KERAS_CROSS = """
inputs: [{name: q, shape: [4, 8]}, {name: v, shape: [6, 5]}, {name: k, shape: [6, 3]}]
layers:
  - {type: MultiHeadAttention, name: mha, num_heads: 2, key_dim: 4, inputs: [q, v, k],
     call: {return_attention_scores: true}}
  - {type: Dense, name: d, units: 3, inputs: "mha[0]"}
outputs: [d, "mha[1]"]
"""
KERAS_SELF_NO_BIAS = """
input: {shape: [5, 6]}
layers:
  - {type: MultiHeadAttention, name: mha, num_heads: 3, key_dim: 2, use_bias: false, inputs: [input_layer, input_layer]}
"""
TORCH_KDIM = """
framework: pytorch
inputs: [{name: q, shape: [4, 6]}, {name: k, shape: [7, 3]}, {name: v, shape: [7, 5]}]
layers:
  - {type: MultiheadAttention, name: mha, embed_dim: 6, num_heads: 3, kdim: 3, vdim: 5, batch_first: true,
     inputs: [q, k, v], call: {average_attn_weights: false}}
  - {type: Linear, name: fc, out_features: 2, inputs: "mha[0]"}
outputs: [fc, "mha[1]"]
"""
TORCH_SELF = """
framework: pytorch
input: {shape: [5, 8]}
layers:
  - {type: MultiheadAttention, name: mha, embed_dim: 8, num_heads: 2, batch_first: true}
  - {type: Linear, out_features: 3, inputs: "mha[0]"}
"""


def model_of(text):
    return build(parse(text, "<attention>"))


@pytest.mark.parametrize("text", [KERAS_CROSS, KERAS_SELF_NO_BIAS, TORCH_KDIM, TORCH_SELF],
                         ids=["keras_cross", "keras_self_no_bias", "torch_kdim", "torch_self"])
def test_converted_weights_run_the_same(text):
    model = model_of(text)
    t = translate(model)
    assert t.model.total_params == model.total_params
    model, weights, x = random_case(model)
    other = forward.concrete_for_verify(t.model, 2)
    converted = convert(t, weights)
    forward.check_weights(other, converted, "<converted>")
    assert max_diff(forward.forward(model, weights, x), forward.forward(other, converted, x)) < 1e-9


@pytest.mark.parametrize("text", [KERAS_CROSS, KERAS_SELF_NO_BIAS], ids=["cross", "self_no_bias"])
def test_keras_to_torch_to_keras_weights_are_identical(text):
    model = model_of(text)
    _, weights, _ = random_case(model)
    there = translate(model)
    again = convert(translate(there.model), convert(there, weights))
    assert again["mha"] == weights["mha"]


def test_scores_are_torch_per_head_weights():
    t = translate(model_of(KERAS_CROSS))
    r = t.model.get("mha")
    assert (r.args.batch_first, r.args.kdim, r.args.vdim) == (True, 3, 5)
    node = next(n for n in t.model.nodes if n.layer == "mha")
    assert node.call == {"average_attn_weights": False}
    assert [list(s) for s in node.outputs] == [[None, 4, 8], [None, 2, 4, 6]]


@pytest.mark.parametrize("text, words", [
    ("input: {shape: [5, 8]}\nlayers: [{type: MultiHeadAttention, name: m, num_heads: 2, key_dim: 3, "
     "inputs: [input_layer, input_layer]}]", ["'m'", "2 × 3 = 6", "query width 8"]),
    ("input: {shape: [5, 8]}\nlayers: [{type: MultiHeadAttention, name: m, num_heads: 2, key_dim: 4, value_dim: 2, "
     "inputs: [input_layer, input_layer]}]", ["'m'", "value_dim 2"]),
    ("input: {shape: [5, 8]}\nlayers: [{type: MultiHeadAttention, name: m, num_heads: 2, key_dim: 4, "
     "inputs: [input_layer, input_layer], call: {use_causal_mask: true}}]", ["'m'", "use_causal_mask"]),
    ("input: {shape: [5, 8]}\nlayers: [{type: MultiHeadAttention, name: m, num_heads: 2, key_dim: 4, use_gate: "
     "true, inputs: [input_layer, input_layer]}]", ["'m'", "use_gate"]),
    ("input: {shape: [3, 5, 8]}\nlayers: [{type: MultiHeadAttention, name: m, num_heads: 2, key_dim: 4, "
     "inputs: [input_layer, input_layer]}]", ["'m'", "2 step axes"]),
    ("input: {shape: [5, 8]}\nlayers: [{type: Attention, name: m, inputs: [input_layer, input_layer]}]",
     ["'m'", "without projections"]),
    ("input: {shape: [5, 8]}\nlayers: [{type: GroupedQueryAttention, name: m, head_dim: 2, num_query_heads: 4, "
     "num_key_value_heads: 2, inputs: [input_layer, input_layer]}]", ["'m'", "grouped-query"]),
    ("framework: pytorch\ninput: {shape: [5, 8]}\nlayers: [{type: MultiheadAttention, name: m, embed_dim: 8, "
     "num_heads: 2, batch_first: true, add_bias_kv: true}]", ["'m'", "add_bias_kv"]),
    ("framework: pytorch\ninput: {shape: [5, 8]}\nlayers: [{type: MultiheadAttention, name: m, embed_dim: 8, "
     "num_heads: 2, batch_first: true}]\noutputs: ['m[0]', 'm[1]']", ["'m'", "averaged over the heads"]),
    ("framework: pytorch\ninputs: [{name: x, shape: [5, 8]}, {name: p, shape: [5], dtype: bool}]\nlayers: "
     "[{type: MultiheadAttention, name: m, embed_dim: 8, num_heads: 2, batch_first: true, inputs: x, "
     "call: {key_padding_mask: p}}]", ["'m'", "key_padding_mask"]),
])
def test_refusals_name_the_layer_and_why(text, words):
    with pytest.raises(SpecError) as info:
        translate(model_of(text))
    message = str(info.value)
    for word in words:
        assert word in message, message


def test_keras_weights_file_keeps_the_projections_apart(tmp_path):
    """.weights.h5 holds MultiHeadAttention's projections under query_dense/, key_dense/... (what Keras 3 writes)."""
    pytest.importorskip("h5py")
    model = model_of(KERAS_CROSS)
    _, weights, _ = random_case(model)
    path = str(tmp_path / "m.weights.h5")
    write_keras3_weights(model, weights, path)
    import h5py

    with h5py.File(path) as f:
        groups = sorted(f["layers/multi_head_attention"].keys())
    assert groups == ["key_dense", "output_dense", "query_dense", "value_dense"]
    with open(path, "rb") as f:
        back = keras3_weights(f.read(), path, model)
    for part in ("query", "key", "value", "attention_output"):
        for name in ("kernel", "bias"):
            assert max_diff(back["mha"][part][name], weights["mha"][part][name]) < 1e-6, (part, name)


def test_export_golden_rows_agree_in_real_frameworks():
    rows = [r for r in json.loads((ROOT / "goldens" / "export.json").read_text())["rows"]
            if r["spec"].startswith("attention:")]
    across = [r for r in rows if r["source"] != r["target"] and r["status"] == "ok"]
    assert {(r["spec"], r["target"]) for r in across} >= {
        ("attention:attention_keras_mha_self", "pytorch"), ("attention:attention_keras_mha_cross_scores", "pytorch"),
        ("attention:attention_torch_mha_self", "keras"), ("attention:attention_torch_mha_kdim_per_head", "keras")}
    for r in across:
        assert r["framework_params"] == r["lstmcalc_params"] and r["max_abs_diff"] <= 1e-5, r["spec"]
    assert all(r["status"] in ("ok", "refused") for r in rows)
