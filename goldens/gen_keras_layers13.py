"""Reference numbers for the layer types of issue 13, from real Keras 3.

Run from the repository root with Keras 3 and torch installed:

    KERAS_BACKEND=torch python goldens/gen_keras_layers13.py

It writes ``keras_layers13.json``: small functional models (contract
sections 7 and 11) over the attention layers (Attention, AdditiveAttention,
MultiHeadAttention, GroupedQueryAttention), argument by argument, with the
call's flags (return_attention_scores, use_causal_mask, key and
attention_mask by keyword), masked inputs (Embedding with mask_zero in
front), and the refusals Keras makes when it builds or only when it runs.
Each case records what ``gen_keras_graphs.run_case`` records (summary rows
with Connected to, or the error and its stage) and a float64 forward pass on
batch 2. It also writes every layer class name that ``keras.layers`` exports
(``keras_layer_classes``), so that lstmcalc tells a typo from a layer it does
not model.

Weights of MultiHeadAttention and GroupedQueryAttention are recorded per
sublayer, as contract section 11 lays them out: {"query": {"kernel",
"bias"}, "key": ..., "value": ..., "attention_output": ...}.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("KERAS_BACKEND", "torch")
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

import gen_keras_graphs as graphs  # noqa: E402
from gen_keras_graphs import G, I, L  # noqa: E402

keras = graphs.keras
OUT = Path(__file__).resolve().parent / "keras_layers13.json"
POSITIONAL = ("multiheadattention", "groupedqueryattention", "groupqueryattention")
_make_layer, _layer_tensors = graphs.make_layer, graphs.layer_tensors


class Positional:
    """A multi-head layer takes query, value (and key) as positional arguments, not a list."""

    def __init__(self, layer):
        self.layer, self.name = layer, layer.name

    def __call__(self, x, **kwargs):
        return self.layer(*x, **kwargs) if isinstance(x, list) else self.layer(x, **kwargs)


def make_layer(spec):
    if spec["type"] == "GroupedQueryAttention":  # the class name; keras.layers exports GroupQueryAttention
        spec = {**spec, "type": "GroupQueryAttention"}
    layer = _make_layer(spec)
    return Positional(layer) if spec["type"].lower() in POSITIONAL else layer


def layer_tensors(layer, rng):
    """Multi-head layers: the weights of each sublayer (query, key, value, gate, attention_output)."""
    if isinstance(layer, (keras.layers.MultiHeadAttention, keras.layers.GroupQueryAttention)):
        out = {}
        for variable in layer.weights:
            part, name = variable.path.split("/")[-2:]
            value = graphs.r10(rng.uniform(-0.5, 0.5, size=tuple(variable.shape)))
            variable.assign(value)
            out.setdefault(part, {})[name] = value.tolist()
        return out
    return _layer_tensors(layer, rng)


_make_inputs = graphs.make_inputs


def make_inputs(case_id, spec):
    """Bool inputs (attention masks) as random flags, about 30% off, the first key of each row kept on
    (a float in [-1, 1] would be True everywhere and test nothing)."""
    data = _make_inputs(case_id, spec)
    rng = graphs.case_rng(case_id + "/mask")
    for inp in graphs.input_specs(spec):
        if inp.get("dtype") == "bool":
            flags = rng.random(data[inp["name"]].shape) > 0.3
            flags[..., 0] = True
            data[inp["name"]] = flags.astype("float64")  # 1.0 / 0.0: Keras casts them to bool, `run` reads numbers
    return data


graphs.make_layer, graphs.layer_tensors, graphs.make_inputs = make_layer, layer_tensors, make_inputs


def attn(type_, shapes, call=None, **args):
    """inputs q, v (, k) of the given shapes into one attention layer named a."""
    names = "qvk"[:len(shapes)]
    args.setdefault("name", "a")
    entry = L(type_, inputs=list(names), **args)
    if call:
        entry["call"] = call
    return G([I(n, s) for n, s in zip(names, shapes)], [entry])


def masked(type_, call=None, **args):
    """Two Embedding(mask_zero) sequences of lengths 6 and 7 as query and value."""
    inputs = [I("tq", [6], "int32"), I("tv", [7], "int32")]
    layers = [L("Embedding", name="eq", input_dim=9, output_dim=4, mask_zero=True, inputs="tq"),
              L("Embedding", name="ev", input_dim=9, output_dim=4, mask_zero=True, inputs="tv"),
              L(type_, name="a", inputs=["eq", "ev"], **({"call": call} if call else {}), **args),
              L("LSTM", name="rnn", units=3, return_sequences=True, zero_output_for_mask=True, inputs="a")]
    return G(inputs, layers, outputs=["a", "rnn"])


def dot_cases(t):
    yield "self", attn(t, [[5, 4], [5, 4]])
    yield "qv", attn(t, [[6, 4], [9, 4]])
    yield "qvk", attn(t, [[6, 4], [9, 3], [9, 4]])
    yield "scores", attn(t, [[6, 4], [9, 3], [9, 4]], {"return_attention_scores": True})
    yield "causal", attn(t, [[5, 4], [5, 4]], {"use_causal_mask": True})
    yield "causal_lengths_differ", attn(t, [[6, 4], [9, 4]], {"use_causal_mask": True})
    yield "causal_scores", attn(t, [[6, 4], [6, 4]], {"use_causal_mask": True, "return_attention_scores": True})
    yield "width_differs", attn(t, [[6, 4], [9, 5]])
    yield "key_length_differs", attn(t, [[6, 4], [9, 3], [7, 4]])
    yield "null_steps", attn(t, [[None, 4], [None, 4]])
    yield "one_input", attn(t, [[5, 4]])
    yield "dropout", attn(t, [[5, 4], [5, 4]], dropout=0.3)
    yield "name_dtype", attn(t, [[5, 4], [5, 4]], name="att", dtype="float64", trainable=False)
    yield "masked", masked(t)
    yield "masked_causal", masked(t, {"use_causal_mask": True})


def attention_cases():
    for tag, spec in dot_cases("Attention"):
        yield f"Attention_{tag}", spec
    for scale in (False, True):
        for mode in ("dot", "concat"):
            yield f"Attention_scale_{scale}_{mode}", attn("Attention", [[6, 4], [8, 3], [8, 4]],
                                                          use_scale=scale, score_mode=mode, seed=1)
    for tag, spec in dot_cases("AdditiveAttention"):
        yield f"AdditiveAttention_{tag}", spec
    yield "AdditiveAttention_no_scale", attn("AdditiveAttention", [[6, 4], [8, 3], [8, 4]], use_scale=False)


def masked4(axes, q_steps, v_steps, call=None):
    """Token grids (B, A1, A2) through Embedding(mask_zero) as query and value: masks of rank 3."""
    inputs = [I("tq", q_steps, "int32"), I("tv", v_steps, "int32")]
    layers = [L("Embedding", name="eq", input_dim=5, output_dim=4, mask_zero=True, inputs="tq"),
              L("Embedding", name="ev", input_dim=5, output_dim=4, mask_zero=True, inputs="tv"),
              L("MultiHeadAttention", name="a", num_heads=2, key_dim=2, attention_axes=axes, inputs=["eq", "ev"],
                **({"call": call} if call else {}))]
    return G(inputs, layers)


def mha_mask_cases():
    """Masks over more than one step axis (rank-4 inputs), as Keras broadcasts them into the scores."""
    t = "MultiHeadAttention"
    scores = {"return_attention_scores": True}
    yield "4d_attention_mask_axes_2", G([I("q", [3, 4, 8]), I("v", [3, 5, 6]), I("m", [3, 4, 5], "bool")],
                                        [L(t, name="a", num_heads=2, key_dim=2, attention_axes=2,
                                           inputs=["q", "v"], call={"attention_mask": "m", **scores})])
    yield "4d_attention_mask_axes_1", G([I("q", [3, 4, 8]), I("v", [5, 4, 6]), I("m", [4, 3, 5], "bool")],
                                        [L(t, name="a", num_heads=2, key_dim=2, attention_axes=[1],
                                           inputs=["q", "v"], call={"attention_mask": "m"})])
    yield "4d_attention_mask_broadcast", G([I("q", [3, 4, 8]), I("v", [3, 5, 6]), I("m", [4, 5], "bool")],
                                           [L(t, name="a", num_heads=2, key_dim=2, attention_axes=2,
                                              inputs=["q", "v"], call={"attention_mask": "m"})])
    yield "4d_attention_mask_wrong", G([I("q", [3, 4, 8]), I("v", [3, 5, 6]), I("m", [3, 5, 4], "bool")],
                                       [L(t, name="a", num_heads=2, key_dim=2, attention_axes=2,
                                          inputs=["q", "v"], call={"attention_mask": "m"})])
    yield "4d_attention_mask_axes_1_2", G([I("q", [2, 3, 4]), I("v", [2, 3, 4]), I("m", [2, 3, 2, 3], "bool")],
                                          [L(t, name="a", num_heads=2, key_dim=2, attention_axes=[1, 2],
                                             inputs=["q", "v"], call={"attention_mask": "m", **scores})])
    yield "4d_causal_axes_1", attn(t, [[3, 4, 8], [3, 4, 8]], {"use_causal_mask": True, **scores}, num_heads=2,
                                   key_dim=2, attention_axes=1)
    yield "4d_causal_axes_1_no_scores", attn(t, [[3, 4, 8], [5, 4, 8]], {"use_causal_mask": True}, num_heads=2,
                                             key_dim=2, attention_axes=1)
    yield "4d_causal_axes_2_square", attn(t, [[4, 4, 8], [4, 4, 8]], {"use_causal_mask": True}, num_heads=1,
                                          key_dim=2, attention_axes=2)
    yield "4d_causal_axes_2", attn(t, [[3, 4, 8], [3, 4, 8]], {"use_causal_mask": True}, num_heads=2, key_dim=2,
                                   attention_axes=2)
    yield "4d_causal_default_axes", attn(t, [[3, 4, 8], [3, 4, 8]], {"use_causal_mask": True}, num_heads=2,
                                         key_dim=2)
    yield "4d_sliding_window_axes_1", attn(t, [[4, 3, 8], [4, 3, 8]], num_heads=2, key_dim=2, attention_axes=1,
                                           sliding_window=2)
    yield "4d_masked_axes_2", masked4(2, [3, 4], [3, 5])
    yield "4d_masked_axes_2_causal", masked4(2, [4, 4], [4, 4], {"use_causal_mask": True, **scores})
    yield "4d_masked_default_axes", masked4(None, [3, 4], [3, 4])
    yield "4d_masked_axes_1", masked4(1, [3, 4], [5, 4])


def mha_cases():
    t = "MultiHeadAttention"
    yield "self", attn(t, [[5, 8], [5, 8]], num_heads=2, key_dim=4)
    yield "contract_example", attn(t, [[6, 8], [9, 5], [9, 3]], {"return_attention_scores": True},
                                   num_heads=2, key_dim=4, value_dim=3, output_shape=[7])
    yield "output_shape_int", attn(t, [[6, 8], [9, 5]], num_heads=3, key_dim=2, output_shape=5)
    yield "output_shape_2d", attn(t, [[6, 8], [9, 5]], num_heads=2, key_dim=2, output_shape=[2, 3])
    yield "no_bias", attn(t, [[6, 8], [9, 5]], num_heads=2, key_dim=3, use_bias=False)
    yield "gate", attn(t, [[6, 8], [9, 5]], num_heads=2, key_dim=3, value_dim=2, use_gate=True)
    yield "scores_lengths_differ", attn(t, [[6, 8], [9, 8]], {"return_attention_scores": True}, num_heads=2,
                                        key_dim=4)
    yield "causal", attn(t, [[5, 8], [5, 8]], {"use_causal_mask": True}, num_heads=2, key_dim=4)
    yield "causal_lengths_differ", attn(t, [[6, 8], [9, 8]], {"use_causal_mask": True, "return_attention_scores":
                                                              True}, num_heads=2, key_dim=4)
    yield "sliding_window", attn(t, [[6, 8], [6, 8]], num_heads=2, key_dim=4, sliding_window=2)
    yield "sliding_causal", attn(t, [[6, 8], [6, 8]], {"use_causal_mask": True}, num_heads=1, key_dim=4,
                                 sliding_window=3)
    yield "key_length_differs", attn(t, [[6, 8], [9, 5], [7, 3]], num_heads=2, key_dim=4)
    yield "4d_axes_default", attn(t, [[3, 4, 8], [3, 4, 8]], {"return_attention_scores": True}, num_heads=2,
                                  key_dim=2)
    yield "4d_axes_2", attn(t, [[3, 4, 8], [3, 5, 6]], {"return_attention_scores": True}, num_heads=2,
                            key_dim=2, attention_axes=2)
    yield "4d_axes_-2", attn(t, [[3, 4, 8], [3, 5, 6]], num_heads=2, key_dim=2, attention_axes=[-2])
    yield "4d_axes_1", attn(t, [[3, 4, 8], [5, 4, 6]], num_heads=2, key_dim=2, attention_axes=[1])
    yield "4d_nonattn_differs", attn(t, [[3, 4, 8], [4, 5, 6]], num_heads=2, key_dim=2, attention_axes=[2])
    yield "4d_axes_1_2", attn(t, [[2, 3, 4], [2, 3, 4]], {"return_attention_scores": True}, num_heads=2,
                              key_dim=2, attention_axes=[1, 2])
    yield "null_steps", attn(t, [[None, 8], [None, 8]], num_heads=2, key_dim=4)
    yield "dropout_args", attn(t, [[5, 8], [5, 8]], num_heads=2, key_dim=4, dropout=0.2, seed=3,
                               kernel_initializer="he_normal", bias_initializer="ones", flash_attention=False,
                               kernel_regularizer="l2", bias_regularizer="l1", kernel_constraint="max_norm",
                               bias_constraint="non_neg", activity_regularizer="l2")
    yield "masked", masked(t, num_heads=2, key_dim=3)
    yield "masked_causal", masked(t, {"use_causal_mask": True}, num_heads=2, key_dim=3)
    yield "key_by_call", G([I("q", [6, 8]), I("v", [9, 5]), I("k", [9, 3])],
                           [L(t, name="a", num_heads=2, key_dim=4, inputs=["q", "v"], call={"key": "k"})])
    yield "attention_mask", G([I("q", [6, 8]), I("v", [9, 8]), I("m", [6, 9], "bool")],
                              [L(t, name="a", num_heads=2, key_dim=4, inputs=["q", "v"],
                                 call={"attention_mask": "m"})])
    yield "then_dropout", G([I("x", [5, 8])], [L(t, num_heads=2, key_dim=4, inputs=["x", "x"]),
                                               L("Dropout", rate=0.1), L("Dense", units=3)])
    yield "one_input", attn(t, [[5, 8]], num_heads=2, key_dim=4)
    yield "2d", attn(t, [[8], [8]], num_heads=2, key_dim=4)


def gqa_cases():
    t = "GroupQueryAttention"
    yield "self", attn(t, [[5, 8], [5, 8]], head_dim=4, num_query_heads=4, num_key_value_heads=2)
    yield "value_width_differs", attn(t, [[6, 8], [9, 5]], head_dim=3, num_query_heads=2, num_key_value_heads=1)
    yield "qvk_scores", attn(t, [[6, 8], [9, 8], [9, 3]], {"return_attention_scores": True}, head_dim=3,
                             num_query_heads=4, num_key_value_heads=1)
    yield "equal_heads", attn(t, [[6, 8], [9, 8]], head_dim=2, num_query_heads=2, num_key_value_heads=2,
                              use_bias=False)
    yield "gate", attn(t, [[6, 8], [9, 8]], head_dim=2, num_query_heads=4, num_key_value_heads=2, use_gate=True)
    yield "causal", attn(t, [[5, 8], [5, 8]], {"use_causal_mask": True, "return_attention_scores": True},
                         head_dim=2, num_query_heads=2, num_key_value_heads=1)
    yield "not_divisible", attn(t, [[5, 8], [5, 8]], head_dim=2, num_query_heads=3, num_key_value_heads=2)
    yield "class_name", attn("GroupedQueryAttention", [[5, 8], [5, 8]], head_dim=2, num_query_heads=2,
                             num_key_value_heads=1, dropout=0.1, sliding_window=2, seed=1,
                             kernel_initializer="he_normal", bias_initializer="ones", flash_attention=False,
                             kernel_regularizer="l2", bias_regularizer="l1", kernel_constraint="max_norm",
                             bias_constraint="non_neg")


def all_cases():
    yield from attention_cases()
    for tag, spec in (*mha_cases(), *mha_mask_cases()):
        yield f"MultiHeadAttention_{tag}", spec
    for tag, spec in gqa_cases():
        yield f"GroupedQueryAttention_{tag}", spec


def layer_classes():
    """Every layer class keras.layers exports: {exported name: class name}."""
    out = {}
    for name in dir(keras.layers):
        obj = getattr(keras.layers, name)
        if isinstance(obj, type) and issubclass(obj, keras.layers.Layer):
            out[name] = obj.__name__
    return out


def main():
    only = sys.argv[1:]
    cases = []
    for case_id, spec in all_cases():
        if only and not any(o in case_id for o in only):
            continue
        case = graphs.run_case(case_id, spec, forward=True)
        case.pop("summary_text", None)
        cases.append(case)
        print(case_id, case.get("error_stage", "ok"), case.get("error", "")[:100], file=sys.stderr)
    data = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "batch": graphs.BATCH,
            "null_axis_length": graphs.NULL_FILL, "keras_layer_classes": layer_classes(), "cases": cases}
    OUT.write_text(graphs.dump_one_case_per_line(data))
    print(f"wrote {len(cases)} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
