"""Reference numbers for lstmcalc, taken from real Keras 3.

Run from the repository root, in an environment that has Keras 3 and torch
(lstmcalc itself and its tests never import Keras; they only read the JSON
files this script writes):

    KERAS_BACKEND=torch python goldens/gen_keras.py               # write goldens
    KERAS_BACKEND=torch python goldens/gen_keras.py --check-specs # check specs/
    KERAS_BACKEND=torch python goldens/gen_keras.py --only '^s13_'  # regenerate matching cases only

Writing produces two files next to this script:

- ``keras_summary.json``: for each case, a spec in lstmcalc's contract format
  and what Keras built from it (per-layer name, class, output shape with the
  batch axis, parameter counts, weight names and shapes; sublayers of
  Bidirectional and TimeDistributed), or the error Keras raised for it.
  It also records ``keras_names``: the identifiers Keras 3 looks up by name
  (activations, initializers, regularizers, constraints), the aliases
  ``keras.layers`` exports for each supported layer type, every
  constructor argument of those types with its default, and every layer
  class ``keras.layers`` exports with its module (``layer_classes``).
- ``keras_forward.json``: float64 forward passes: a spec, an input, weights
  drawn from a seeded RNG (contract section 4 layout), every layer's output
  and the final output.

``--check-specs`` builds every ``specs/*.yaml`` of ``framework: keras`` in
Keras and compares its ``expect:`` blocks with what Keras reports, printing
the real numbers; the exit status is 1 when an expectation does not hold.

Trainable counts are per variable, like the model totals Keras prints
(``layer_trainable`` records the layer's own flag, which a wrapper built with
``trainable=False`` does not pass on to its wrapped layer).

Everything is deterministic: weights and inputs come from a NumPy RNG seeded
from the case id.
"""

import argparse
import copy
import json
import os
import re
import sys
import zlib
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    # Some Keras messages print Python sets; fix their order across runs.
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

import keras  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WRAPPED_KEYS = ("layer", "backward_layer")
CELL_KEYS = ("cell", "cells")
LAYER_CLASSES = {
    name.lower(): name
    for name in dir(keras.layers)
    if isinstance(getattr(keras.layers, name), type)
}


# ---------------------------------------------------------------------------
# Spec (contract format) -> Keras model
# ---------------------------------------------------------------------------

def make_layer(spec):
    """One Keras layer from a contract-format layer mapping."""
    args = {k: v for k, v in spec.items() if k not in ("type", "expect")}
    for key in WRAPPED_KEYS:
        if isinstance(args.get(key), dict):
            args[key] = make_layer(args[key])
    for key in CELL_KEYS:  # RNN's cell (a mapping or a list) and StackedRNNCells' cells
        if isinstance(args.get(key), dict):
            args[key] = make_layer(args[key])
        elif isinstance(args.get(key), list):
            args[key] = [make_layer(c) if isinstance(c, dict) else c for c in args[key]]
    cls = getattr(keras.layers, LAYER_CLASSES[spec["type"].lower()])
    return cls(**args)


def build_model(spec):
    """A functional Keras model from a contract-format spec (fresh names)."""
    keras.backend.clear_session()
    inp = spec["input"]
    input_args = {"shape": tuple(inp["shape"]), "batch_size": spec.get("batch_size")}
    for key in ("dtype", "name"):
        if key in inp:
            input_args[key] = inp[key]
    x = inputs = keras.Input(**input_args)
    for layer_spec in spec["layers"]:
        x = make_layer(layer_spec)(x)
    return keras.Model(inputs, x, name=spec.get("name"))


def strip_expect(spec):
    spec = copy.deepcopy(spec)
    spec.pop("expect", None)
    for layer in spec["layers"]:
        layer.pop("expect", None)
    return spec


def error_text(exc):
    """'<class>: <first line>'; for Keras's call wrapper, also the cause."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = lines[0] if lines else ""
    if message.startswith("Exception encountered when calling") and len(lines) > 1:
        message += " " + lines[1]
    return f"{type(exc).__name__}: {message}"


# ---------------------------------------------------------------------------
# Names Keras looks up, enumerated from the package
# ---------------------------------------------------------------------------

# The contract's layer types (section 1), by Keras class name.
SUPPORTED = (
    "LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "Dense", "Embedding", "Dropout",
    "SpatialDropout1D", "GaussianNoise", "Activation", "Masking", "Flatten", "Reshape", "Permute",
    "RepeatVector", "Conv1D", "MaxPooling1D", "AveragePooling1D", "GlobalMaxPooling1D",
    "GlobalAveragePooling1D", "BatchNormalization", "LayerNormalization",
    # issue 13: 2-D front ends and the other 1-D convolutions
    "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "SeparableConv1D", "DepthwiseConv1D", "Conv1DTranspose",
    "RNN", "ConvLSTM1D", "ConvLSTM2D",
    # issue 13 (activations, noise, normalisation, 1-D reshaping)
    "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Identity", "GaussianDropout", "AlphaDropout",
    "ActivityRegularization", "UnitNormalization", "GroupNormalization", "RMSNormalization", "SpatialDropout2D",
    "UpSampling1D", "ZeroPadding1D", "Cropping1D",
)


def lookup_names(module):
    """The string identifiers `module.get` resolves, and those it lists but refuses."""
    accepted, refused = [], {}
    for name in sorted(module.ALL_OBJECTS_DICT):
        try:
            module.get(name)
        except Exception as exc:  # e.g. Constant needs a value
            refused[name] = error_text(exc)
        else:
            accepted.append(name)
    return {"accepted": accepted, "refused": refused}


def layer_aliases():
    """{class name: [other names keras.layers exports for the same class]}."""
    out = {}
    for name in SUPPORTED:
        cls = getattr(keras.layers, name)
        out[name] = sorted(n for n in dir(keras.layers) if n != name and getattr(keras.layers, n) is cls)
    return out


def signatures():
    """{class name: {argument: default}}; a required argument maps to "<required>"."""
    import inspect

    out = {}
    for name in SUPPORTED:
        params = inspect.signature(getattr(keras.layers, name).__init__).parameters.values()
        out[name] = {
            p.name: "<required>" if p.default is inspect.Parameter.empty else p.default
            for p in params if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
        }
    return out


def keras_names():
    from keras.src import activations, constraints, initializers, regularizers

    return {
        "activations": lookup_names(activations),
        "initializers": lookup_names(initializers),
        "regularizers": lookup_names(regularizers),
        "constraints": lookup_names(constraints),
        "layer_aliases": layer_aliases(),
        "signatures": signatures(),
        "layer_classes": layer_classes(),
    }


def layer_classes():
    """Every layer class keras.layers exports: {exported name: [class name, module]}."""
    return {name: [obj.__name__, obj.__module__] for name in dir(keras.layers)
            if isinstance(obj := getattr(keras.layers, name), type) and issubclass(obj, keras.layers.Layer)}


# ---------------------------------------------------------------------------
# Model -> summary records
# ---------------------------------------------------------------------------

def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def output_shape_of(tensor):
    if isinstance(tensor, list) and len(tensor) == 1:  # InputLayer.output
        tensor = tensor[0]
    if isinstance(tensor, (list, tuple)):
        return [shape_list(t.shape) for t in tensor]
    return shape_list(tensor.shape)


def weight_records(layer):
    return [
        {"name": w.path.split("/")[-1], "shape": shape_list(w.shape),
         "trainable": bool(w.trainable)}
        for w in layer.weights
    ]


def count(weights):
    return int(sum(np.prod(w.shape, dtype=np.int64) for w in weights))


def sublayer_record(role, layer, output_shape):
    return {
        "role": role,
        "name": layer.name,
        "type": type(layer).__name__,
        "output_shape": shape_list(output_shape),
        "params": count(layer.weights),
        "weights": weight_records(layer),
    }


def input_shape_of(layer):
    tensor = layer.input
    if isinstance(tensor, list):  # a masked call also lists the mask
        tensor = tensor[0]
    return tuple(tensor.shape)


def sublayers(layer):
    if isinstance(layer, keras.layers.Bidirectional):
        input_shape = input_shape_of(layer)
        records = []
        for role, sub in (("forward", layer.forward_layer),
                          ("backward", layer.backward_layer)):
            shape = sub.compute_output_shape(input_shape)
            if sub.return_state:
                shape = shape[0]
            records.append(sublayer_record(role, sub, shape))
        return records
    if isinstance(layer, keras.layers.TimeDistributed):
        # The wrapped layer sees one time slice: batch axis, then axes 2...
        input_shape = input_shape_of(layer)
        slice_shape = (input_shape[0],) + input_shape[2:]
        shape = layer.layer.compute_output_shape(slice_shape)
        return [sublayer_record("layer", layer.layer, shape)]
    return None


def layer_record(layer):
    record = {
        "name": layer.name,
        "type": type(layer).__name__,
        "output_shape": output_shape_of(layer.output),
        "params": count(layer.weights),
        # Counted per variable, as the model totals are: a wrapper built with
        # trainable=False leaves its wrapped layer's variables trainable.
        "trainable_params": count([w for w in layer.weights if w.trainable]),
        "non_trainable_params": count([w for w in layer.weights if not w.trainable]),
        "layer_trainable": bool(layer.trainable),
        "weights": weight_records(layer),
    }
    subs = sublayers(layer)
    if subs is not None:
        record["sublayers"] = subs
    return record


def summarize(model):
    layers = [layer_record(layer) for layer in model.layers]
    return {
        "layers": layers,
        "total_params": count(model.weights),
        "trainable_params": count(model.trainable_weights),
        "non_trainable_params": count(model.non_trainable_weights),
    }


def summary_case(case_id, spec):
    spec = strip_expect(spec)
    try:
        model = build_model(spec)
    except Exception as exc:  # Keras refuses the spec: that is the golden
        return {"id": case_id, "spec": spec, "error": error_text(exc)}
    record = {"id": case_id, "spec": spec, **summarize(model)}
    if case_id in CALL_ON_DATA:
        record.update(call_on_data(model, spec))
    return record


def call_on_data(model, spec):
    """Run the built model on a batch of two: the real output shape, or the error."""
    shape = (2,) + tuple(8 if d is None else d for d in spec["input"]["shape"])
    x = np.ones(shape, dtype=spec["input"].get("dtype", "float32"))
    try:
        y = model(x)
    except Exception as exc:
        return {"call_error": error_text(exc)}
    return {"call_output_shape": [None] + list(keras.ops.shape(y))[1:]}


# ---------------------------------------------------------------------------
# Case builders
# ---------------------------------------------------------------------------

def L(type_, **args):
    return {"type": type_, **args}


def spec_of(shape, layers, dtype=None, batch_size=None, input_name=None, name=None):
    spec = {}
    if name is not None:
        spec["name"] = name
    spec["input"] = {"shape": list(shape)}
    if input_name is not None:
        spec["input"]["name"] = input_name
    if dtype is not None:
        spec["input"]["dtype"] = dtype
    if batch_size is not None:
        spec["batch_size"] = batch_size
    spec["layers"] = list(layers)
    return spec


def summary_specs():
    """(id, spec) pairs: every constructor argument, edge cases, refusals."""
    cases = []

    def add(case_id, shape, *layers, **top):
        cases.append((case_id, spec_of(shape, layers, **top)))

    # -- recurrent layers: LSTM, GRU, SimpleRNN share most arguments --------
    for rnn in ("LSTM", "GRU", "SimpleRNN"):
        r = rnn.lower()
        add(f"{r}_units_last", [10, 8], L(rnn, units=16))
        add(f"{r}_units_return_sequences", [10, 8], L(rnn, units=16, return_sequences=True))
        add(f"{r}_units_1", [5, 1], L(rnn, units=1))
        add(f"{r}_no_bias", [10, 8], L(rnn, units=16, use_bias=False))
        add(f"{r}_no_bias_return_sequences", [7, 3], L(rnn, units=4, use_bias=False, return_sequences=True))
        add(f"{r}_null_timesteps", [None, 8], L(rnn, units=16, return_sequences=True))
        add(f"{r}_null_timesteps_last", [None, 8], L(rnn, units=16))
        add(f"{r}_batch_size", [10, 8], L(rnn, units=16, return_sequences=True), batch_size=4)
        add(f"{r}_go_backwards", [10, 8], L(rnn, units=6, go_backwards=True, return_sequences=True))
        add(f"{r}_all_shape_free_args", [12, 5], L(
            rnn, units=7, activation="relu", kernel_initializer="he_normal",
            recurrent_initializer="glorot_uniform", bias_initializer="ones",
            kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l1",
            activity_regularizer="l2", kernel_constraint="max_norm",
            recurrent_constraint="non_neg", bias_constraint="unit_norm",
            dropout=0.2, recurrent_dropout=0.1, seed=3, unroll=True,
            **({} if rnn == "SimpleRNN" else {"recurrent_activation": "hard_sigmoid"})))
        add(f"{r}_stateful_with_batch", [10, 8], L(rnn, units=5, stateful=True), batch_size=2)
        add(f"{r}_stateful_without_batch", [10, 8], L(rnn, units=5, stateful=True))
        add(f"{r}_unroll_null_timesteps", [None, 8], L(rnn, units=5, unroll=True))
        add(f"{r}_trainable_false", [10, 8], L(rnn, units=16, trainable=False))
        add(f"{r}_named_dtype", [10, 8], L(rnn, units=3, name="my_rnn", dtype="float64"))
        add(f"{r}_stacked", [20, 4], L(rnn, units=8, return_sequences=True), L(rnn, units=8, return_sequences=True), L(rnn, units=2))
        add(f"{r}_refuse_2d_input", [8], L(rnn, units=4))
        add(f"{r}_refuse_4d_input", [3, 4, 5], L(rnn, units=4))
        add(f"{r}_refuse_null_features", [10, None], L(rnn, units=4))
        add(f"{r}_refuse_units_0", [10, 8], L(rnn, units=0))
        add(f"{r}_refuse_after_last_step", [10, 8], L(rnn, units=4), L(rnn, units=4))
        add(f"{r}_return_state_then_dense", [10, 8], L(rnn, units=4, return_state=True), L("Dense", units=2))
    for rnn in ("LSTM", "GRU"):
        add(f"{rnn.lower()}_use_cudnn_true", [10, 8], L(rnn, units=4, use_cudnn=True))
    add("lstm_unit_forget_bias_false", [10, 8], L("LSTM", units=16, unit_forget_bias=False))
    add("lstm_use_cudnn_false", [10, 8], L("LSTM", units=16, use_cudnn=False))
    add("lstm_seed_question", [50, 10],
        L("LSTM", name="lstm1", units=128, return_sequences=True),
        L("LSTM", name="lstm2", units=64),
        L("Dense", name="dense1", units=128, activation="relu"),
        L("Dense", name="dense2", units=64, activation="relu"),
        L("Dense", name="output", units=1, activation="sigmoid"),
        input_name="input_layer", name="seed_model")
    add("lstm_big", [100, 300], L("LSTM", units=256))
    add("lstm_timesteps_1", [1, 8], L("LSTM", units=4, return_sequences=True))
    add("lstm_input_dim_kwarg_accepted", [10, 8], L("LSTM", units=4, input_dim=8))
    add("lstm_return_state_last", [10, 8], L("LSTM", units=4, return_state=True))
    add("gru_reset_after_false", [10, 8], L("GRU", units=16, reset_after=False))
    add("gru_reset_after_false_no_bias", [10, 8], L("GRU", units=16, reset_after=False, use_bias=False))
    add("gru_reset_after_true_explicit", [10, 8], L("GRU", units=16, reset_after=True, return_sequences=True))
    add("gru_reset_after_false_null_time", [None, 3], L("GRU", units=5, reset_after=False, return_sequences=True))
    add("simplernn_refuse_recurrent_activation", [10, 8], L("SimpleRNN", units=4, recurrent_activation="sigmoid"))
    add("simplernn_refuse_reset_after", [10, 8], L("SimpleRNN", units=4, reset_after=True))
    add("lstm_refuse_reset_after", [10, 8], L("LSTM", units=4, reset_after=True))
    add("rnn_on_int_input", [10, 8], L("LSTM", units=4), dtype="int32")

    # -- auto-naming ----------------------------------------------------------
    add("autoname_two_lstms", [10, 8], L("LSTM", units=4, return_sequences=True), L("LSTM", units=4))
    add("autoname_mixed", [10, 8], L("LSTM", units=4, return_sequences=True), L("GRU", units=4, return_sequences=True),
        L("SimpleRNN", units=4, return_sequences=True), L("LSTM", units=4), L("Dense", units=3), L("Dense", units=1))
    add("autoname_bidirectional", [10, 8], L("Bidirectional", layer=L("LSTM", units=4)))
    add("autoname_two_bidirectional", [10, 8], L("Bidirectional", layer=L("LSTM", units=4, return_sequences=True)),
        L("Bidirectional", layer=L("LSTM", units=4)))
    add("autoname_bidirectional_backward", [10, 8], L("Bidirectional", layer=L("LSTM", units=4),
                                                      backward_layer=L("LSTM", units=4, go_backwards=True)))
    add("autoname_time_distributed", [10, 8], L("TimeDistributed", layer=L("Dense", units=4)))
    add("autoname_time_distributed_after_dense", [10, 8], L("Dense", units=4), L("TimeDistributed", layer=L("Dense", units=4)), L("Dense", units=1))
    add("autoname_refuse_explicit_then_auto_same_name", [10, 8], L("Dense", units=4, name="dense"), L("Dense", units=4))
    add("autoname_refuse_explicit_dense_1_clash", [10, 8], L("Dense", units=4), L("Dense", units=4, name="dense_1"), L("Dense", units=4))
    add("autoname_every_type", [12, 4],
        L("Masking"), L("Conv1D", filters=4, kernel_size=3), L("MaxPooling1D"), L("AveragePooling1D", pool_size=1),
        L("BatchNormalization"), L("LayerNormalization"), L("Dropout", rate=0.1), L("SpatialDropout1D", rate=0.1),
        L("GaussianNoise", stddev=0.1), L("Activation", activation="relu"), L("Permute", dims=[2, 1]),
        L("Permute", dims=[2, 1]), L("GlobalMaxPooling1D", keepdims=True), L("GlobalAveragePooling1D"),
        L("RepeatVector", n=3), L("Reshape", target_shape=[12]), L("Reshape", target_shape=[3, 4]), L("Flatten"))
    add("autoname_embedding", [10], L("Embedding", input_dim=50, output_dim=4), L("SimpleRNN", units=3), dtype="int32")
    add("autoname_input_name_default", [3, 2], L("LSTM", units=2))
    add("autoname_input_name_custom", [3, 2], L("LSTM", units=2), input_name="tokens")
    add("autoname_explicit_then_auto", [10, 8], L("Dense", units=4, name="dense_x"), L("Dense", units=4), L("Dense", units=2))
    add("autoname_auto_then_explicit_dense_1", [10, 8], L("Dense", units=4), L("Dense", units=4, name="dense_1"))
    add("lstm_refuse_unknown_kwarg", [10, 8], L("LSTM", units=4, foo=1))
    add("refuse_duplicate_names", [10, 8], L("Dense", units=4, name="same"), L("Dense", units=4, name="same"))
    add("refuse_layer_named_like_input", [10, 8], L("Dense", units=4, name="input_layer"))

    # -- Bidirectional -----------------------------------------------------------
    for rnn in ("LSTM", "GRU", "SimpleRNN"):
        r = rnn.lower()
        for mode in ("concat", "sum", "mul", "ave"):
            add(f"bidirectional_{r}_{mode}", [10, 8], L("Bidirectional", layer=L(rnn, units=6), merge_mode=mode))
            add(f"bidirectional_{r}_{mode}_return_sequences", [10, 8],
                L("Bidirectional", layer=L(rnn, units=6, return_sequences=True), merge_mode=mode))
        add(f"bidirectional_{r}_backward_layer", [10, 8],
            L("Bidirectional", name="bi", layer=L(rnn, units=6, name="fw"),
              backward_layer=L(rnn, units=6, go_backwards=True, name="bw")))
    add("bidirectional_gru_reset_after_false", [10, 8], L("Bidirectional", layer=L("GRU", units=6, reset_after=False)))
    add("bidirectional_backward_different_units_concat", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6), backward_layer=L("LSTM", units=3, go_backwards=True)))
    add("bidirectional_backward_different_type", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6), backward_layer=L("GRU", units=4, go_backwards=True)))
    add("bidirectional_sum_different_units_accepted", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6), merge_mode="sum",
          backward_layer=L("LSTM", units=3, go_backwards=True)))
    add("bidirectional_refuse_backward_not_go_backwards", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6), backward_layer=L("LSTM", units=6)))
    add("bidirectional_refuse_layer_go_backwards", [10, 8], L("Bidirectional", layer=L("LSTM", units=6, go_backwards=True)))
    add("bidirectional_refuse_return_sequences_mismatch", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6, return_sequences=True), backward_layer=L("LSTM", units=6, go_backwards=True)))
    add("bidirectional_refuse_merge_mode_bad", [10, 8], L("Bidirectional", layer=L("LSTM", units=6), merge_mode="max"))
    add("bidirectional_refuse_dense", [10, 8], L("Bidirectional", layer=L("Dense", units=6)))
    add("bidirectional_refuse_2d_input", [8], L("Bidirectional", layer=L("LSTM", units=6)))
    add("bidirectional_merge_none_last", [10, 8], L("Bidirectional", layer=L("LSTM", units=6), merge_mode=None))
    add("bidirectional_merge_none_then_dense", [10, 8], L("Bidirectional", layer=L("LSTM", units=6), merge_mode=None), L("Dense", units=1))
    add("bidirectional_return_state_then_dense", [10, 8], L("Bidirectional", layer=L("LSTM", units=6, return_state=True)), L("Dense", units=1))
    add("bidirectional_trainable_false", [10, 8], L("Bidirectional", layer=L("LSTM", units=6), trainable=False))
    add("bidirectional_inner_trainable_false", [10, 8], L("Bidirectional", layer=L("LSTM", units=6, trainable=False)))
    add("bidirectional_null_timesteps_batch", [None, 8], L("Bidirectional", layer=L("GRU", units=6, return_sequences=True)), batch_size=3)
    add("bidirectional_stacked", [30, 16], L("Bidirectional", layer=L("LSTM", units=32, return_sequences=True)),
        L("Bidirectional", layer=L("LSTM", units=16)), L("Dense", units=1, activation="sigmoid"))
    add("bidirectional_stateful", [10, 8], L("Bidirectional", layer=L("LSTM", units=6, stateful=True)), batch_size=2)

    # -- TimeDistributed -------------------------------------------------------
    add("time_distributed_dense", [10, 8], L("TimeDistributed", layer=L("Dense", units=4)))
    add("time_distributed_dense_4d", [5, 6, 7], L("TimeDistributed", layer=L("Dense", units=3)))
    add("time_distributed_dense_null_time", [None, 8], L("TimeDistributed", layer=L("Dense", units=4, use_bias=False)))
    add("time_distributed_conv1d", [5, 20, 3], L("TimeDistributed", layer=L("Conv1D", filters=4, kernel_size=3)))
    add("time_distributed_conv1d_then_pool_flatten", [5, 20, 3],
        L("TimeDistributed", layer=L("Conv1D", filters=4, kernel_size=3, padding="same")),
        L("TimeDistributed", layer=L("MaxPooling1D", pool_size=2)),
        L("TimeDistributed", layer=L("Flatten")), L("LSTM", units=8))
    add("time_distributed_embedding", [4, 6], L("TimeDistributed", layer=L("Embedding", input_dim=30, output_dim=5)), dtype="int32")
    add("time_distributed_nested", [3, 4, 5, 6], L("TimeDistributed", layer=L("TimeDistributed", layer=L("Dense", units=2))))
    add("time_distributed_lstm", [4, 10, 3], L("TimeDistributed", layer=L("LSTM", units=5)))
    add("time_distributed_bidirectional", [4, 10, 3], L("TimeDistributed", layer=L("Bidirectional", layer=L("GRU", units=2))))
    add("time_distributed_dropout", [10, 8], L("TimeDistributed", layer=L("Dropout", rate=0.5)))
    add("time_distributed_batch_norm", [10, 8], L("TimeDistributed", layer=L("BatchNormalization")))
    add("time_distributed_trainable_false", [10, 8], L("TimeDistributed", layer=L("Dense", units=4), trainable=False))
    add("time_distributed_batch_size", [10, 8], L("TimeDistributed", layer=L("Dense", units=4)), batch_size=16)
    add("time_distributed_refuse_2d", [8], L("TimeDistributed", layer=L("Dense", units=4)))
    add("time_distributed_refuse_not_layer", [10, 8], L("TimeDistributed", layer="dense"))
    add("time_distributed_named", [10, 8], L("TimeDistributed", name="td", layer=L("Dense", units=4, name="inner")))

    # -- Dense -------------------------------------------------------------------
    add("dense_rank2", [8], L("Dense", units=4))
    add("dense_rank3", [10, 8], L("Dense", units=4))
    add("dense_rank4", [3, 5, 8], L("Dense", units=4))
    add("dense_rank3_null_time", [None, 8], L("Dense", units=4))
    add("dense_rank4_nulls", [None, None, 8], L("Dense", units=2), batch_size=5)
    add("dense_no_bias", [8], L("Dense", units=4, use_bias=False))
    add("dense_all_shape_free_args", [8], L("Dense", units=4, activation="tanh", kernel_initializer="zeros",
                                            bias_initializer="ones", kernel_regularizer="l2", bias_regularizer="l1",
                                            activity_regularizer="l2", kernel_constraint="non_neg",
                                            bias_constraint="max_norm"))
    add("dense_lora_rank", [8], L("Dense", units=4, lora_rank=2))
    add("dense_lora_rank_alpha", [10, 8], L("Dense", units=6, lora_rank=3, lora_alpha=6.0))
    add("dense_lora_rank_no_bias", [8], L("Dense", units=4, lora_rank=2, use_bias=False))
    add("dense_lora_rank_trainable_false", [8], L("Dense", units=4, lora_rank=2, trainable=False))
    add("dense_trainable_false", [8], L("Dense", units=4, trainable=False))
    add("dense_trainable_false_middle", [8], L("Dense", units=4), L("Dense", units=3, trainable=False), L("Dense", units=1))
    add("dense_dtype_float64", [8], L("Dense", units=4, dtype="float64"))
    add("dense_dtype_mixed", [8], L("Dense", units=4, dtype="mixed_float16"))
    add("dense_units_1_sigmoid", [8], L("Dense", units=1, activation="sigmoid"))
    add("dense_refuse_null_last", [None], L("Dense", units=4))
    add("dense_refuse_null_last_rank3", [10, None], L("Dense", units=4))
    add("dense_refuse_units_0", [8], L("Dense", units=0))
    add("dense_refuse_units_negative", [8], L("Dense", units=-3))
    add("dense_refuse_missing_units", [8], L("Dense"))
    add("dense_input_dim_kwarg_accepted", [8], L("Dense", units=4, input_dim=8))
    add("dense_refuse_bad_activation", [8], L("Dense", units=4, activation="nope"))
    add("dense_batch_size", [8], L("Dense", units=4), batch_size=32)

    # -- Embedding -------------------------------------------------------------
    add("embedding_rank2", [10], L("Embedding", input_dim=100, output_dim=8), dtype="int32")
    add("embedding_rank1", [], L("Embedding", input_dim=100, output_dim=8), dtype="int32")
    add("embedding_rank3", [10, 3], L("Embedding", input_dim=100, output_dim=8), dtype="int64")
    add("embedding_null_length", [None], L("Embedding", input_dim=100, output_dim=8), dtype="int32")
    add("embedding_float_input", [10], L("Embedding", input_dim=100, output_dim=8))
    add("embedding_mask_zero", [10], L("Embedding", input_dim=100, output_dim=8, mask_zero=True), L("LSTM", units=4), dtype="int32")
    add("embedding_lora_rank", [10], L("Embedding", input_dim=100, output_dim=8, lora_rank=2), dtype="int32")
    add("embedding_lora_rank_alpha", [10], L("Embedding", input_dim=100, output_dim=8, lora_rank=4, lora_alpha=2.0), dtype="int32")
    add("embedding_trainable_false", [10], L("Embedding", input_dim=100, output_dim=8, trainable=False), dtype="int32")
    add("embedding_shape_free_args", [10], L("Embedding", input_dim=100, output_dim=8, embeddings_initializer="normal",
                                             embeddings_regularizer="l2", embeddings_constraint="unit_norm"), dtype="int32")
    add("embedding_input_length_accepted", [10], L("Embedding", input_dim=100, output_dim=8, input_length=10), dtype="int32")
    add("embedding_refuse_input_dim_0", [10], L("Embedding", input_dim=0, output_dim=8), dtype="int32")
    add("embedding_refuse_output_dim_0", [10], L("Embedding", input_dim=10, output_dim=0), dtype="int32")
    add("embedding_then_flatten_dense", [10], L("Embedding", input_dim=1000, output_dim=16), L("Flatten"),
        L("Dense", units=1, activation="sigmoid"), dtype="int32")
    add("embedding_then_flatten_null", [None], L("Embedding", input_dim=1000, output_dim=16), L("Flatten"), dtype="int32")

    # -- Dropout, SpatialDropout1D, GaussianNoise, Activation, Masking ---------
    add("dropout_rate", [10, 8], L("Dropout", rate=0.5))
    add("dropout_rate_0", [8], L("Dropout", rate=0.0))
    add("dropout_noise_shape", [10, 8], L("Dropout", rate=0.3, noise_shape=[None, 1, 8], seed=1))
    add("dropout_rate_1_accepted", [8], L("Dropout", rate=1.0))
    add("dropout_refuse_rate_negative", [8], L("Dropout", rate=-0.1))
    add("dropout_noise_shape_wrong_rank_accepted", [10, 8], L("Dropout", rate=0.3, noise_shape=[None, 8]))
    add("spatial_dropout1d", [10, 8], L("SpatialDropout1D", rate=0.2, seed=4))
    add("spatial_dropout1d_null_time", [None, 8], L("SpatialDropout1D", rate=0.2))
    add("spatial_dropout1d_refuse_2d", [8], L("SpatialDropout1D", rate=0.2))
    add("spatial_dropout1d_refuse_4d", [3, 4, 8], L("SpatialDropout1D", rate=0.2))
    add("spatial_dropout1d_refuse_trainable", [10, 8], L("SpatialDropout1D", rate=0.2, trainable=False))
    add("spatial_dropout1d_named", [10, 8], L("SpatialDropout1D", rate=0.2, name="sd"))
    add("gaussian_noise", [10, 8], L("GaussianNoise", stddev=0.1, seed=2))
    add("gaussian_noise_2d", [8], L("GaussianNoise", stddev=1.0))
    add("gaussian_noise_refuse_negative", [8], L("GaussianNoise", stddev=-1.0))
    for act in ("relu", "tanh", "sigmoid", "softmax", "linear", "elu", "selu", "softplus", "gelu", "swish", "hard_sigmoid", "leaky_relu", "relu6", "silu", "log_softmax", "mish", "exponential", "softsign"):
        add(f"activation_{act}", [10, 8], L("Activation", activation=act))
    add("activation_refuse_unknown", [8], L("Activation", activation="nope"))
    add("activation_none", [8], L("Activation", activation=None))
    add("masking_default", [10, 8], L("Masking"), L("LSTM", units=4))
    add("masking_value", [None, 8], L("Masking", mask_value=-1.0), L("GRU", units=4, return_sequences=True))
    add("masking_2d", [8], L("Masking", mask_value=0.0))
    add("masking_then_dense", [10, 8], L("Masking"), L("Dense", units=3))

    # -- Flatten, Reshape, Permute, RepeatVector --------------------------------
    add("flatten_3d", [10, 8], L("Flatten"))
    add("flatten_4d", [3, 4, 5], L("Flatten"))
    add("flatten_2d", [8], L("Flatten"))
    add("flatten_1d", [], L("Flatten"))
    add("flatten_null_time", [None, 8], L("Flatten"))
    add("flatten_null_features", [10, None], L("Flatten"))
    add("flatten_channels_first", [10, 8], L("Flatten", data_format="channels_first"))
    add("flatten_channels_first_4d", [3, 4, 5], L("Flatten", data_format="channels_first"))
    add("flatten_channels_last", [10, 8], L("Flatten", data_format="channels_last"))
    add("flatten_refuse_data_format", [10, 8], L("Flatten", data_format="nchw"))
    add("flatten_batch_size", [10, 8], L("Flatten"), batch_size=2)
    add("reshape_basic", [10, 8], L("Reshape", target_shape=[20, 4]))
    add("reshape_minus_one", [10, 8], L("Reshape", target_shape=[-1, 4]))
    add("reshape_minus_one_last", [10, 8], L("Reshape", target_shape=[5, -1]))
    add("reshape_to_1d", [10, 8], L("Reshape", target_shape=[80]))
    add("reshape_to_3d", [12], L("Reshape", target_shape=[2, 3, 2]))
    add("reshape_null_input_minus_one", [None, 8], L("Reshape", target_shape=[-1, 4]))
    add("reshape_null_input_fixed", [None, 8], L("Reshape", target_shape=[8, 4]))
    add("reshape_null_target", [10, 8], L("Reshape", target_shape=[None, 4]))
    add("reshape_refuse_int_target", [10, 8], L("Reshape", target_shape=80))
    add("reshape_refuse_wrong_size", [10, 8], L("Reshape", target_shape=[7, 3]))
    add("reshape_refuse_two_minus_one", [10, 8], L("Reshape", target_shape=[-1, -1]))
    add("reshape_refuse_minus_one_indivisible", [10, 8], L("Reshape", target_shape=[-1, 7]))
    add("permute_swap", [10, 8], L("Permute", dims=[2, 1]))
    add("permute_identity", [10, 8], L("Permute", dims=[1, 2]))
    add("permute_4d", [3, 4, 5], L("Permute", dims=[3, 1, 2]))
    add("permute_null", [None, 8], L("Permute", dims=[2, 1]))
    add("permute_refuse_zero_based", [10, 8], L("Permute", dims=[1, 0]))
    add("permute_refuse_wrong_length", [10, 8], L("Permute", dims=[1, 2, 3]))
    add("permute_refuse_duplicate", [10, 8], L("Permute", dims=[1, 1]))
    add("repeat_vector", [8], L("RepeatVector", n=5))
    add("repeat_vector_null_features", [None], L("RepeatVector", n=5))
    add("repeat_vector_refuse_3d", [10, 8], L("RepeatVector", n=5))
    add("repeat_vector_refuse_float_n", [8], L("RepeatVector", n=2.5))
    add("repeat_vector_n_1", [8], L("RepeatVector", n=1))

    # -- Conv1D ---------------------------------------------------------------
    add("conv1d_valid", [20, 4], L("Conv1D", filters=8, kernel_size=3))
    add("conv1d_kernel_list", [20, 4], L("Conv1D", filters=8, kernel_size=[3]))
    add("conv1d_same", [20, 4], L("Conv1D", filters=8, kernel_size=3, padding="same"))
    add("conv1d_same_even_kernel", [20, 4], L("Conv1D", filters=8, kernel_size=4, padding="same"))
    add("conv1d_causal", [20, 4], L("Conv1D", filters=8, kernel_size=3, padding="causal"))
    add("conv1d_strides", [20, 4], L("Conv1D", filters=8, kernel_size=3, strides=2))
    add("conv1d_strides_list", [20, 4], L("Conv1D", filters=8, kernel_size=3, strides=[3]))
    add("conv1d_strides_same", [21, 4], L("Conv1D", filters=8, kernel_size=3, strides=2, padding="same"))
    add("conv1d_strides_causal", [21, 4], L("Conv1D", filters=8, kernel_size=3, strides=2, padding="causal"))
    add("conv1d_dilation", [20, 4], L("Conv1D", filters=8, kernel_size=3, dilation_rate=2))
    add("conv1d_dilation_same", [20, 4], L("Conv1D", filters=8, kernel_size=3, dilation_rate=4, padding="same"))
    add("conv1d_dilation_causal", [20, 4], L("Conv1D", filters=8, kernel_size=2, dilation_rate=8, padding="causal"))
    add("conv1d_dilation_list", [20, 4], L("Conv1D", filters=8, kernel_size=3, dilation_rate=[2]))
    add("conv1d_strides_and_dilation", [20, 4], L("Conv1D", filters=8, kernel_size=3, strides=2, dilation_rate=2))
    add("conv1d_groups", [20, 4], L("Conv1D", filters=8, kernel_size=3, groups=2))
    add("conv1d_groups_depthwise", [20, 4], L("Conv1D", filters=4, kernel_size=3, groups=4))
    add("conv1d_groups_no_bias", [20, 6], L("Conv1D", filters=9, kernel_size=2, groups=3, use_bias=False))
    add("conv1d_no_bias", [20, 4], L("Conv1D", filters=8, kernel_size=3, use_bias=False))
    add("conv1d_channels_first", [4, 20], L("Conv1D", filters=8, kernel_size=3, data_format="channels_first"))
    add("conv1d_channels_first_same_strides", [4, 21], L("Conv1D", filters=8, kernel_size=3, strides=2, padding="same",
                                                         data_format="channels_first"))
    add("conv1d_channels_first_causal", [4, 20], L("Conv1D", filters=8, kernel_size=3, padding="causal", data_format="channels_first"))
    add("conv1d_null_time", [None, 4], L("Conv1D", filters=8, kernel_size=3))
    add("conv1d_null_time_strides", [None, 4], L("Conv1D", filters=8, kernel_size=3, strides=2, padding="same"))
    add("conv1d_kernel_equals_length", [5, 4], L("Conv1D", filters=2, kernel_size=5))
    add("conv1d_refuse_kernel_too_long", [4, 4], L("Conv1D", filters=2, kernel_size=5))
    add("conv1d_kernel_too_long_same", [4, 4], L("Conv1D", filters=2, kernel_size=5, padding="same"))
    add("conv1d_kernel_too_long_causal", [4, 4], L("Conv1D", filters=2, kernel_size=5, padding="causal"))
    add("conv1d_refuse_dilated_too_long", [6, 4], L("Conv1D", filters=2, kernel_size=3, dilation_rate=3))
    add("conv1d_refuse_groups_not_dividing_channels", [20, 5], L("Conv1D", filters=8, kernel_size=3, groups=2))
    add("conv1d_refuse_groups_not_dividing_filters", [20, 4], L("Conv1D", filters=5, kernel_size=3, groups=2))
    add("conv1d_refuse_null_channels", [20, None], L("Conv1D", filters=8, kernel_size=3))
    add("conv1d_refuse_2d_input", [20], L("Conv1D", filters=8, kernel_size=3))
    add("conv1d_refuse_padding_full", [20, 4], L("Conv1D", filters=8, kernel_size=3, padding="full"))
    add("conv1d_refuse_kernel_0", [20, 4], L("Conv1D", filters=8, kernel_size=0))
    add("conv1d_refuse_filters_0", [20, 4], L("Conv1D", filters=0, kernel_size=3))
    add("conv1d_refuse_missing_kernel_size", [20, 4], L("Conv1D", filters=8))
    add("conv1d_shape_free_args", [20, 4], L("Conv1D", filters=8, kernel_size=3, activation="relu", kernel_initializer="he_uniform",
                                            bias_initializer="zeros", kernel_regularizer="l2", bias_regularizer="l2",
                                            activity_regularizer="l1", kernel_constraint="max_norm", bias_constraint="non_neg"))
    add("conv1d_trainable_false", [20, 4], L("Conv1D", filters=8, kernel_size=3, trainable=False))
    add("conv1d_4d_input", [5, 20, 4], L("Conv1D", filters=8, kernel_size=3))
    add("conv1d_padding_upper", [20, 4], L("Conv1D", filters=8, kernel_size=3, padding="SAME"))

    # -- pooling ----------------------------------------------------------------
    for pool in ("MaxPooling1D", "AveragePooling1D"):
        p = "max" if pool.startswith("Max") else "avg"
        add(f"{p}pool_2", [20, 4], L(pool, pool_size=2))
        add(f"{p}pool_3_odd", [20, 4], L(pool, pool_size=3))
        add(f"{p}pool_strides", [20, 4], L(pool, pool_size=3, strides=1))
        add(f"{p}pool_strides_larger", [20, 4], L(pool, pool_size=2, strides=4))
        add(f"{p}pool_same", [20, 4], L(pool, pool_size=3, padding="same"))
        add(f"{p}pool_same_strides", [20, 4], L(pool, pool_size=3, strides=2, padding="same"))
        add(f"{p}pool_channels_first", [4, 20], L(pool, pool_size=3, data_format="channels_first"))
        add(f"{p}pool_channels_first_same", [4, 21], L(pool, pool_size=2, padding="same", data_format="channels_first"))
        add(f"{p}pool_null_time", [None, 4], L(pool, pool_size=2))
        add(f"{p}pool_list_args", [20, 4], L(pool, pool_size=[2], strides=[2]))
        add(f"{p}pool_equal_length", [3, 4], L(pool, pool_size=3))
        add(f"{p}pool_refuse_too_long", [2, 4], L(pool, pool_size=3))
        add(f"{p}pool_too_long_same", [2, 4], L(pool, pool_size=3, padding="same"))
        add(f"{p}pool_refuse_causal", [20, 4], L(pool, pool_size=2, padding="causal"))
        add(f"{p}pool_refuse_2d", [20], L(pool, pool_size=2))
        add(f"{p}pool_strides_none_explicit", [20, 4], L(pool, pool_size=4, strides=None))
    add("maxpool_default_pool_size", [20, 4], L("MaxPooling1D"))
    add("avgpool_refuse_no_pool_size", [20, 4], L("AveragePooling1D"))
    for pool in ("GlobalMaxPooling1D", "GlobalAveragePooling1D"):
        p = "globalmax" if "Max" in pool else "globalavg"
        add(f"{p}", [20, 4], L(pool))
        add(f"{p}_keepdims", [20, 4], L(pool, keepdims=True))
        add(f"{p}_channels_first", [4, 20], L(pool, data_format="channels_first"))
        add(f"{p}_channels_first_keepdims", [4, 20], L(pool, data_format="channels_first", keepdims=True))
        add(f"{p}_null_time", [None, 4], L(pool))
        add(f"{p}_refuse_2d", [20], L(pool))
        add(f"{p}_4d", [3, 5, 4], L(pool))
    add("globalavg_after_mask_zero", [10], L("Embedding", input_dim=20, output_dim=4, mask_zero=True),
        L("GlobalAveragePooling1D"), dtype="int32")

    # -- BatchNormalization --------------------------------------------------------
    add("batchnorm_2d", [8], L("BatchNormalization"))
    add("batchnorm_3d", [10, 8], L("BatchNormalization"))
    add("batchnorm_axis_1", [10, 8], L("BatchNormalization", axis=1))
    add("batchnorm_axis_2", [10, 8], L("BatchNormalization", axis=2))
    add("batchnorm_axis_minus_2", [10, 8], L("BatchNormalization", axis=-2))
    add("batchnorm_refuse_axis_list", [10, 8], L("BatchNormalization", axis=[1, 2]))
    add("batchnorm_refuse_axis_list_single", [10, 8], L("BatchNormalization", axis=[1]))
    add("batchnorm_refuse_axis_0", [10, 8], L("BatchNormalization", axis=0))
    add("batchnorm_refuse_axis_3", [10, 8], L("BatchNormalization", axis=3))
    add("batchnorm_no_center", [10, 8], L("BatchNormalization", center=False))
    add("batchnorm_no_scale", [10, 8], L("BatchNormalization", scale=False))
    add("batchnorm_no_center_no_scale", [10, 8], L("BatchNormalization", center=False, scale=False))
    add("batchnorm_renorm", [10, 8], L("BatchNormalization", renorm=True))
    add("batchnorm_renorm_clipping", [8], L("BatchNormalization", renorm=True, renorm_clipping={"rmax": 3.0, "rmin": 0.3, "dmax": 5.0}, renorm_momentum=0.9))
    add("batchnorm_renorm_no_center_scale", [8], L("BatchNormalization", renorm=True, center=False, scale=False))
    add("batchnorm_synchronized", [10, 8], L("BatchNormalization", synchronized=True))
    add("batchnorm_shape_free_args", [8], L("BatchNormalization", momentum=0.9, epsilon=1e-5, beta_initializer="ones",
                                            gamma_initializer="zeros", moving_mean_initializer="ones",
                                            moving_variance_initializer="zeros", beta_regularizer="l2",
                                            gamma_regularizer="l1", beta_constraint="non_neg", gamma_constraint="max_norm"))
    add("batchnorm_trainable_false", [10, 8], L("BatchNormalization", trainable=False))
    add("batchnorm_null_time", [None, 8], L("BatchNormalization"))
    add("batchnorm_refuse_null_axis", [10, None], L("BatchNormalization"))
    add("batchnorm_refuse_axis_1_null_time", [None, 8], L("BatchNormalization", axis=1))
    add("batchnorm_4d", [3, 5, 8], L("BatchNormalization"))
    add("batchnorm_between_dense", [8], L("Dense", units=16), L("BatchNormalization"), L("Activation", activation="relu"), L("Dense", units=1))

    # -- LayerNormalization --------------------------------------------------------
    add("layernorm_2d", [8], L("LayerNormalization"))
    add("layernorm_3d", [10, 8], L("LayerNormalization"))
    add("layernorm_axis_1", [10, 8], L("LayerNormalization", axis=1))
    add("layernorm_axis_minus_2", [10, 8], L("LayerNormalization", axis=-2))
    add("layernorm_axis_list", [10, 8], L("LayerNormalization", axis=[1, 2]))
    add("layernorm_axis_list_unsorted", [3, 4, 5], L("LayerNormalization", axis=[3, 1]))
    add("layernorm_axis_list_negative", [3, 4, 5], L("LayerNormalization", axis=[-1, -2]))
    add("layernorm_no_center", [10, 8], L("LayerNormalization", center=False))
    add("layernorm_no_scale", [10, 8], L("LayerNormalization", scale=False))
    add("layernorm_no_center_no_scale", [10, 8], L("LayerNormalization", center=False, scale=False))
    add("layernorm_rms_scaling", [10, 8], L("LayerNormalization", rms_scaling=True))
    add("layernorm_rms_scaling_no_scale", [10, 8], L("LayerNormalization", rms_scaling=True, scale=False))
    add("layernorm_shape_free_args", [8], L("LayerNormalization", epsilon=1e-6, beta_initializer="ones", gamma_initializer="zeros",
                                            beta_regularizer="l2", gamma_regularizer="l1", beta_constraint="non_neg",
                                            gamma_constraint="max_norm"))
    add("layernorm_trainable_false", [10, 8], L("LayerNormalization", trainable=False))
    add("layernorm_null_time", [None, 8], L("LayerNormalization"))
    add("layernorm_refuse_null_axis", [10, None], L("LayerNormalization"))
    add("layernorm_refuse_axis_1_null_time", [None, 8], L("LayerNormalization", axis=1))
    add("layernorm_refuse_axis_3", [10, 8], L("LayerNormalization", axis=3))
    add("layernorm_refuse_axis_float", [10, 8], L("LayerNormalization", axis=1.5))

    # -- whole models -----------------------------------------------------------
    add("model_conv_lstm", [100, 8], L("Conv1D", filters=32, kernel_size=5, activation="relu"), L("MaxPooling1D", pool_size=2),
        L("Dropout", rate=0.2), L("LSTM", units=64), L("Dense", units=1))
    add("model_seq2seq_autoencoder", [30, 4], L("LSTM", units=16), L("RepeatVector", n=30),
        L("LSTM", units=16, return_sequences=True), L("TimeDistributed", layer=L("Dense", units=4)))
    add("model_embedding_bilstm", [200], L("Embedding", input_dim=20000, output_dim=128, mask_zero=True),
        L("Bidirectional", layer=L("LSTM", units=64)), L("Dense", units=1, activation="sigmoid"), dtype="int32", batch_size=32)
    add("model_tcn", [None, 1], L("Conv1D", filters=16, kernel_size=2, padding="causal", dilation_rate=1),
        L("Conv1D", filters=16, kernel_size=2, padding="causal", dilation_rate=2),
        L("Conv1D", filters=16, kernel_size=2, padding="causal", dilation_rate=4),
        L("GlobalAveragePooling1D"), L("Dense", units=1))
    add("model_norms", [24, 6], L("LSTM", units=12, return_sequences=True), L("LayerNormalization"),
        L("GRU", units=12, return_sequences=True), L("BatchNormalization"), L("Flatten"), L("Dense", units=3, activation="softmax"))

    # -- more combinations --------------------------------------------------------
    add("lstm_go_backwards_last", [10, 8], L("LSTM", units=6, go_backwards=True))
    add("gru_reset_after_false_go_backwards_batch", [7, 3], L("GRU", units=2, reset_after=False, go_backwards=True), batch_size=8)
    add("bidirectional_return_state_last", [10, 8], L("Bidirectional", layer=L("GRU", units=3, return_state=True)))
    add("bidirectional_after_mask_zero", [12], L("Embedding", input_dim=30, output_dim=6, mask_zero=True),
        L("Bidirectional", layer=L("SimpleRNN", units=5, return_sequences=True), merge_mode="ave"), dtype="int32")
    add("bidirectional_explicit_inner_name", [10, 8], L("Bidirectional", layer=L("LSTM", units=3, name="enc")))
    add("bidirectional_lstm_no_bias", [10, 8], L("Bidirectional", layer=L("LSTM", units=5, use_bias=False)))
    add("conv1d_channels_first_groups", [6, 20], L("Conv1D", filters=4, kernel_size=3, groups=2, data_format="channels_first"))
    add("conv1d_refuse_kernel_size_2d", [20, 4], L("Conv1D", filters=4, kernel_size=[3, 3]))
    add("conv1d_refuse_strides_0", [20, 4], L("Conv1D", filters=4, kernel_size=3, strides=0))
    add("conv1d_after_masking", [20, 4], L("Masking"), L("Conv1D", filters=4, kernel_size=3), L("LSTM", units=2))
    add("maxpool_refuse_pool_size_0", [20, 4], L("MaxPooling1D", pool_size=0))
    add("avgpool_refuse_strides_0", [20, 4], L("AveragePooling1D", pool_size=2, strides=0))
    add("maxpool_channels_first_null", [4, None], L("MaxPooling1D", pool_size=2, data_format="channels_first"))
    add("flatten_channels_first_null", [None, 8], L("Flatten", data_format="channels_first"))
    add("reshape_null_input_only_minus_one", [None, 8], L("Reshape", target_shape=[-1]))
    add("batchnorm_4d_axis_1", [3, 5, 8], L("BatchNormalization", axis=1))
    add("batchnorm_4d_axis_2", [3, 5, 8], L("BatchNormalization", axis=2, center=False))
    add("layernorm_4d_axis_list_middle", [3, 5, 8], L("LayerNormalization", axis=[1, 2]))
    add("layernorm_axis_list_single", [10, 8], L("LayerNormalization", axis=[-1]))
    add("dense_lora_rank3", [10, 8], L("Dense", units=6, lora_rank=2), L("Dense", units=1))
    add("input_float64", [10, 8], L("LSTM", units=4), dtype="float64")
    add("input_float16", [10, 8], L("Dense", units=4), dtype="float16")
    add("input_batch_size_null_time", [None, 8], L("Conv1D", filters=2, kernel_size=3, padding="same"), L("GRU", units=3), batch_size=1)
    add("gaussian_noise_refuse_stddev_2", [8], L("GaussianNoise", stddev=2.0))
    add("repeat_vector_refuse_n_0", [8], L("RepeatVector", n=0))
    add("permute_4d_rotate", [3, 4, 5], L("Permute", dims=[2, 3, 1]))
    add("time_distributed_conv1d_channels_first", [5, 3, 20], L("TimeDistributed", layer=L("Conv1D", filters=4, kernel_size=3, data_format="channels_first")))
    add("time_distributed_global_pool", [5, 20, 3], L("TimeDistributed", layer=L("GlobalAveragePooling1D")))
    add("time_distributed_reshape", [5, 6], L("TimeDistributed", layer=L("Reshape", target_shape=[2, 3])))
    add("time_distributed_refuse_null_inner_axis", [5, None], L("TimeDistributed", layer=L("Dense", units=3)))
    add("embedding_mask_zero_dense_lstm", [10], L("Embedding", input_dim=20, output_dim=4, mask_zero=True), L("Dense", units=3),
        L("LSTM", units=2), dtype="int32")
    add("type_case_insensitive", [10, 8], L("lstm", units=3, return_sequences=True), L("simplernn", units=2), L("DENSE", units=1))
    cases += fidelity_specs()
    cases += conv13_summary_specs()
    cases += cell_summary_specs()
    cases += simple13_specs()
    return cases


def cell_summary_specs():
    """Issue 13: RNN over cells, ConvLSTM1D and ConvLSTM2D, argument by argument."""
    cases = []

    def add(case_id, shape, *layers, **top):
        cases.append((case_id, spec_of(shape, layers, **top)))

    lstm, gru, simple = L("LSTMCell", units=4), L("GRUCell", units=3), L("SimpleRNNCell", units=2)
    for cell in (lstm, gru, simple, L("GRUCell", units=3, reset_after=False), L("LSTMCell", units=3, use_bias=False),
                 L("GRUCell", units=3, use_bias=False), L("SimpleRNNCell", units=2, use_bias=False)):
        tag = cell["type"].lower() + ("_no_bias" if "use_bias" in cell else "_reset_before" if "reset_after" in cell
                                      else "")
        add(f"rnn_cell_{tag}", [6, 5], L("RNN", cell=cell))
        add(f"rnn_cell_{tag}_state", [6, 5], L("RNN", cell=cell, return_state=True, return_sequences=True))
    add("rnn_cell_list", [6, 5], L("RNN", cell=[lstm, gru, simple]))
    add("rnn_cell_list_state", [6, 5], L("RNN", cell=[lstm, L("GRUCell", units=3, reset_after=False), simple],
                                         return_state=True))
    add("rnn_cell_stacked_class", [6, 5], L("RNN", cell=L("StackedRNNCells", cells=[gru, lstm]),
                                            return_sequences=True, return_state=True))
    add("rnn_cell_list_of_one", [6, 5], L("RNN", cell=[lstm], return_state=True))
    add("rnn_cell_null_steps", [None, 5], L("RNN", cell=[gru, simple], return_sequences=True))
    add("rnn_cell_args", [6, 5], L("RNN", cell=L("LSTMCell", units=3, activation="relu", recurrent_activation="hard_sigmoid",
                                                 kernel_initializer="he_normal", recurrent_initializer="glorot_uniform",
                                                 bias_initializer="ones", unit_forget_bias=False,
                                                 kernel_regularizer="l2", recurrent_regularizer="l1",
                                                 bias_regularizer="l2", kernel_constraint="max_norm",
                                                 recurrent_constraint="non_neg", bias_constraint="unit_norm",
                                                 dropout=0.1, recurrent_dropout=0.2, seed=3),
                                    go_backwards=True, unroll=True, zero_output_for_mask=True, name="r"))
    add("rnn_cell_stateful", [6, 5], L("RNN", cell=gru, stateful=True), batch_size=2)
    add("rnn_cell_then_dense", [6, 5], L("RNN", cell=[simple, lstm], return_sequences=True), L("Dense", units=2))
    add("rnn_cell_refuse_2d", [5], L("RNN", cell=lstm))
    add("rnn_cell_refuse_null_features", [6, None], L("RNN", cell=lstm))
    add("rnn_cell_refuse_not_a_cell", [6, 5], L("RNN", cell=L("Dense", units=3)))

    for conv, shape, kernel in (("ConvLSTM1D", [4, 9, 3], 3), ("ConvLSTM2D", [3, 7, 6, 2], [3, 2])):
        c = conv.lower()
        add(f"{c}_valid", shape, L(conv, filters=4, kernel_size=kernel))
        add(f"{c}_same_sequences", shape, L(conv, filters=3, kernel_size=kernel, padding="same", return_sequences=True))
        add(f"{c}_strides", shape, L(conv, filters=2, kernel_size=kernel, strides=2))
        add(f"{c}_dilation", shape, L(conv, filters=2, kernel_size=kernel, dilation_rate=2, padding="same"))
        add(f"{c}_state", shape, L(conv, filters=2, kernel_size=kernel, return_state=True))
        add(f"{c}_state_sequences", shape, L(conv, filters=2, kernel_size=kernel, return_state=True,
                                              return_sequences=True, go_backwards=True))
        add(f"{c}_no_bias", shape, L(conv, filters=3, kernel_size=kernel, use_bias=False))
        cf = [shape[0], shape[-1], *shape[1:-1]]
        add(f"{c}_channels_first", cf, L(conv, filters=3, kernel_size=kernel, data_format="channels_first",
                                         return_sequences=True))
        add(f"{c}_null_frames", [None, *shape[1:]], L(conv, filters=2, kernel_size=kernel, return_sequences=True))
        add(f"{c}_null_space", [shape[0], None, *shape[2:]], L(conv, filters=2, kernel_size=kernel))
        add(f"{c}_args", shape, L(conv, filters=2, kernel_size=kernel, activation="relu", recurrent_activation="hard_sigmoid",
                                  kernel_initializer="he_normal", recurrent_initializer="glorot_uniform",
                                  bias_initializer="ones", unit_forget_bias=False, kernel_regularizer="l2",
                                  recurrent_regularizer="l1", bias_regularizer="l2", activity_regularizer="l2",
                                  kernel_constraint="max_norm", recurrent_constraint="non_neg",
                                  bias_constraint="unit_norm", dropout=0.1, recurrent_dropout=0.2, seed=1,
                                  stateful=True), batch_size=2)
        add(f"{c}_refuse_too_small", [shape[0], 2, *shape[2:]], L(conv, filters=2, kernel_size=5))
        add(f"{c}_refuse_rank", shape[1:], L(conv, filters=2, kernel_size=kernel))
        add(f"{c}_refuse_strides_and_dilation", shape, L(conv, filters=2, kernel_size=kernel, strides=2,
                                                          dilation_rate=2))
    add("convlstm2d_next_frame", [None, 40, 40, 1], L("ConvLSTM2D", filters=16, kernel_size=3, padding="same",
                                                        return_sequences=True))
    add("convlstm2d_kernel_5_causal_refused", [3, 7, 6, 2], L("ConvLSTM2D", filters=2, kernel_size=3,
                                                                padding="causal"))
    return cases


def conv13_summary_specs():
    """Issue 13: Conv2D and the 2-D poolings (alone and in TimeDistributed on 5-D input), and
    SeparableConv1D, DepthwiseConv1D, Conv1DTranspose, argument by argument; the refusals."""
    cases = []

    def add(case_id, shape, *layers, **top):
        cases.append(("c13_" + case_id, spec_of(shape, layers, **top)))

    img = [6, 5, 3]
    add("conv2d_valid", img, L("Conv2D", filters=4, kernel_size=3))
    add("conv2d_kernel_pair_same_strides", img, L("Conv2D", filters=4, kernel_size=[2, 3], strides=[2, 1], padding="same"))
    add("conv2d_same_even_kernel_strides_2", [7, 6, 2], L("Conv2D", filters=2, kernel_size=4, strides=2, padding="same"))
    add("conv2d_dilation", [7, 6, 2], L("Conv2D", filters=2, kernel_size=[2, 2], dilation_rate=[2, 1]))
    add("conv2d_dilation_same", [7, 6, 2], L("Conv2D", filters=2, kernel_size=3, dilation_rate=2, padding="same"))
    add("conv2d_groups_no_bias", [6, 5, 4], L("Conv2D", filters=6, kernel_size=2, groups=2, use_bias=False, activation="relu"))
    add("conv2d_channels_first", [3, 6, 5], L("Conv2D", filters=2, kernel_size=[3, 2], strides=[1, 2], data_format="channels_first"))
    add("conv2d_null_spatial", [None, None, 3], L("Conv2D", filters=2, kernel_size=3), L("GlobalMaxPooling2D"))
    add("conv2d_padding_upper", img, L("Conv2D", filters=2, kernel_size=3, padding="SAME"))
    add("conv2d_refuse_causal", img, L("Conv2D", filters=2, kernel_size=3, padding="causal"))
    add("conv2d_refuse_strides_dilation", [8, 8, 2], L("Conv2D", filters=2, kernel_size=2, strides=[2, 1], dilation_rate=[1, 2]))
    add("conv2d_refuse_groups_filters", [6, 5, 4], L("Conv2D", filters=3, kernel_size=2, groups=2))
    add("conv2d_refuse_groups_channels", img, L("Conv2D", filters=4, kernel_size=2, groups=2))
    add("conv2d_refuse_kernel_too_big", img, L("Conv2D", filters=2, kernel_size=[7, 2]))
    add("conv2d_refuse_kernel_three", img, L("Conv2D", filters=2, kernel_size=[3, 3, 3]))
    add("conv2d_refuse_rank3", [10, 8], L("Conv2D", filters=2, kernel_size=3))
    for pool in ("MaxPooling2D", "AveragePooling2D"):
        p = "maxpool2d" if pool.startswith("Max") else "avgpool2d"
        add(f"{p}_2", [7, 5, 3], L(pool, pool_size=2))
        add(f"{p}_pair_strides", [7, 6, 2], L(pool, pool_size=[3, 2], strides=[2, 1]))
        add(f"{p}_same", [7, 5, 2], L(pool, pool_size=2, padding="same"))
        add(f"{p}_same_strides_1", [5, 4, 2], L(pool, pool_size=3, strides=1, padding="same"))
        add(f"{p}_channels_first", [2, 7, 5], L(pool, pool_size=[2, 3], data_format="channels_first"))
        add(f"{p}_refuse_too_big", [3, 5, 2], L(pool, pool_size=4))
        add(f"{p}_refuse_padding_upper", [6, 5, 2], L(pool, pool_size=2, padding="SAME"))
    add("maxpool2d_default", img, L("MaxPooling2D"))
    add("avgpool2d_refuse_no_pool_size", img, L("AveragePooling2D"))
    for pool in ("GlobalMaxPooling2D", "GlobalAveragePooling2D"):
        p = "globalmax2d" if "Max" in pool else "globalavg2d"
        add(p, img, L(pool))
        add(f"{p}_keepdims", img, L(pool, keepdims=True))
        add(f"{p}_channels_first_keepdims", [3, 6, 5], L(pool, data_format="channels_first", keepdims=True))
    video = [4, 6, 5, 3]
    add("td_conv2d_pool_flatten_lstm", video, L("TimeDistributed", layer=L("Conv2D", filters=4, kernel_size=3, activation="relu")),
        L("TimeDistributed", layer=L("MaxPooling2D")), L("TimeDistributed", layer=L("Flatten")), L("LSTM", units=3))
    add("td_conv2d_global_pool_gru", [None, 6, 5, 3], L("TimeDistributed", layer=L("Conv2D", filters=2, kernel_size=2, padding="same")),
        L("TimeDistributed", layer=L("GlobalAveragePooling2D")), L("GRU", units=2))
    add("td_refuse_conv2d_rank4", [4, 6, 5], L("TimeDistributed", layer=L("Conv2D", filters=2, kernel_size=2)))
    add("crnn_reshape_bigru", [8, 6, 1], L("Conv2D", filters=4, kernel_size=3, padding="same", activation="relu"),
        L("MaxPooling2D", pool_size=[2, 2]), L("Reshape", target_shape=[4, 12]),
        L("Bidirectional", layer=L("GRU", units=3, return_sequences=True)), L("Dense", units=5, activation="softmax"))

    seq = [9, 3]
    add("sepconv1d", seq, L("SeparableConv1D", filters=4, kernel_size=3))
    add("sepconv1d_depth_multiplier_same_strides", seq, L("SeparableConv1D", filters=2, kernel_size=3, depth_multiplier=2,
                                                         strides=2, padding="same"))
    add("sepconv1d_dilation_no_bias", seq, L("SeparableConv1D", filters=2, kernel_size=2, dilation_rate=3, use_bias=False))
    add("sepconv1d_channels_first", [3, 9], L("SeparableConv1D", filters=2, kernel_size=3, data_format="channels_first"))
    add("sepconv1d_refuse_causal", seq, L("SeparableConv1D", filters=2, kernel_size=3, padding="causal"))
    add("sepconv1d_strides_dilation_same", seq, L("SeparableConv1D", filters=2, kernel_size=2, strides=2, dilation_rate=2,
                                                 padding="same"))
    add("dwconv1d_strides_dilation", seq, L("DepthwiseConv1D", kernel_size=2, strides=2, dilation_rate=2))
    add("dwconv1d", seq, L("DepthwiseConv1D", kernel_size=3))
    add("dwconv1d_depth_multiplier_same", seq, L("DepthwiseConv1D", kernel_size=4, depth_multiplier=3, padding="same"))
    add("dwconv1d_strides_no_bias", seq, L("DepthwiseConv1D", kernel_size=2, strides=3, use_bias=False))
    add("dwconv1d_dilation_channels_first", [3, 9], L("DepthwiseConv1D", kernel_size=2, dilation_rate=2, depth_multiplier=2,
                                                      data_format="channels_first"))
    add("dwconv1d_refuse_causal", seq, L("DepthwiseConv1D", kernel_size=3, padding="causal"))
    add("dwconv1d_refuse_too_big", [2, 3], L("DepthwiseConv1D", kernel_size=3))
    tr = [5, 3]
    add("conv1dt_valid", tr, L("Conv1DTranspose", filters=2, kernel_size=3))
    add("conv1dt_strides_2", tr, L("Conv1DTranspose", filters=2, kernel_size=3, strides=2))
    add("conv1dt_same_strides_2", tr, L("Conv1DTranspose", filters=2, kernel_size=3, strides=2, padding="same"))
    add("conv1dt_same_even_kernel", tr, L("Conv1DTranspose", filters=2, kernel_size=4, strides=2, padding="same"))
    add("conv1dt_kernel_below_strides", tr, L("Conv1DTranspose", filters=2, kernel_size=2, strides=3))
    add("conv1dt_output_padding_valid", tr, L("Conv1DTranspose", filters=2, kernel_size=3, strides=3, output_padding=2))
    add("conv1dt_output_padding_same", tr, L("Conv1DTranspose", filters=2, kernel_size=3, strides=2, output_padding=1,
                                            padding="same"))
    add("conv1dt_output_padding_zero_same", tr, L("Conv1DTranspose", filters=2, kernel_size=4, strides=2, output_padding=0,
                                                 padding="same"))
    add("conv1dt_dilation", tr, L("Conv1DTranspose", filters=2, kernel_size=3, dilation_rate=2, use_bias=False))
    add("conv1dt_channels_first", [3, 5], L("Conv1DTranspose", filters=2, kernel_size=3, strides=2, data_format="channels_first"))
    add("conv1dt_null_steps", [None, 3], L("Conv1DTranspose", filters=2, kernel_size=3, strides=2))
    add("conv1dt_refuse_output_padding", tr, L("Conv1DTranspose", filters=2, kernel_size=3, strides=2, output_padding=2))
    add("conv1dt_refuse_causal", tr, L("Conv1DTranspose", filters=2, kernel_size=3, padding="causal"))
    add("conv1dt_refuse_strides_dilation", tr, L("Conv1DTranspose", filters=2, kernel_size=3, strides=2, dilation_rate=2))
    return cases


# The smallest spec that builds each supported type: (input shape, arguments, input dtype).
MINIMAL = {
    "LSTM": ([10, 8], {"units": 4}, None),
    "GRU": ([10, 8], {"units": 4}, None),
    "SimpleRNN": ([10, 8], {"units": 4}, None),
    "Bidirectional": ([10, 8], {"layer": L("LSTM", units=4)}, None),
    "TimeDistributed": ([10, 8], {"layer": L("Dense", units=4)}, None),
    "Dense": ([8], {"units": 4}, None),
    "Embedding": ([10], {"input_dim": 50, "output_dim": 4}, "int32"),
    "Dropout": ([10, 8], {"rate": 0.5}, None),
    "SpatialDropout1D": ([10, 8], {"rate": 0.5}, None),
    "GaussianNoise": ([10, 8], {"stddev": 0.5}, None),
    "Activation": ([10, 8], {"activation": "relu"}, None),
    "Masking": ([10, 8], {}, None),
    "Flatten": ([10, 8], {}, None),
    "Reshape": ([10, 8], {"target_shape": [80]}, None),
    "Permute": ([10, 8], {"dims": [2, 1]}, None),
    "RepeatVector": ([8], {"n": 3}, None),
    "Conv1D": ([10, 8], {"filters": 2, "kernel_size": 3}, None),
    "MaxPooling1D": ([10, 8], {}, None),
    "AveragePooling1D": ([10, 8], {"pool_size": 2}, None),
    "GlobalMaxPooling1D": ([10, 8], {}, None),
    "GlobalAveragePooling1D": ([10, 8], {}, None),
    "BatchNormalization": ([10, 8], {}, None),
    "LayerNormalization": ([10, 8], {}, None),
    "Conv2D": ([6, 5, 3], {"filters": 2, "kernel_size": 3}, None),
    "MaxPooling2D": ([6, 5, 3], {}, None),
    "AveragePooling2D": ([6, 5, 3], {"pool_size": 2}, None),
    "GlobalAveragePooling2D": ([6, 5, 3], {}, None),
    "GlobalMaxPooling2D": ([6, 5, 3], {}, None),
    "SeparableConv1D": ([10, 8], {"filters": 2, "kernel_size": 3}, None),
    "DepthwiseConv1D": ([10, 8], {"kernel_size": 3}, None),
    "Conv1DTranspose": ([10, 8], {"filters": 2, "kernel_size": 3}, None),
    "RNN": ([10, 8], {"cell": L("LSTMCell", units=4)}, None),
    "ConvLSTM1D": ([4, 9, 3], {"filters": 2, "kernel_size": 3}, None),
    "ConvLSTM2D": ([3, 7, 6, 2], {"filters": 2, "kernel_size": 3}, None),
    "ReLU": ([10, 8], {}, None),
    "LeakyReLU": ([10, 8], {}, None),
    "PReLU": ([10, 8], {}, None),
    "ELU": ([10, 8], {}, None),
    "Softmax": ([10, 8], {}, None),
    "Identity": ([10, 8], {}, None),
    "GaussianDropout": ([10, 8], {"rate": 0.3}, None),
    "AlphaDropout": ([10, 8], {"rate": 0.3}, None),
    "ActivityRegularization": ([10, 8], {}, None),
    "UnitNormalization": ([10, 8], {}, None),
    "GroupNormalization": ([10, 8], {"groups": 4}, None),
    "RMSNormalization": ([10, 8], {}, None),
    "SpatialDropout2D": ([6, 5, 4], {"rate": 0.3}, None),
    "UpSampling1D": ([10, 8], {}, None),
    "ZeroPadding1D": ([10, 8], {}, None),
    "Cropping1D": ([10, 8], {}, None),
}
# Keyword arguments every Keras layer takes through **kwargs (keras.Layer.__init__), default None.
LAYER_NONE_KWARGS = ("name", "dtype", "activity_regularizer")

# Cases whose model is also called on data (a batch of zeros or ones): Keras
# accepts some specs when it builds the model and fails, or gives another
# shape, only when it runs; the golden records both.
CALL_ON_DATA = set()


def fidelity_specs():
    """Issue 18: arguments Keras accepts and refuses exactly as it looks them up."""
    cases = []

    def add(case_id, shape, *layers, **top):
        cases.append((case_id, spec_of(shape, layers, **top)))

    def minimal(type_, **extra):
        shape, args, dtype = MINIMAL[type_]
        return shape, L(type_, **{**args, **extra}), dtype

    names = keras_names()
    # -- implementation: a speed switch LSTM and GRU take through **kwargs ----------
    add("fid_lstm_implementation_1", [13, 6], L("LSTM", units=5, implementation=1))
    add("fid_lstm_implementation_2_sequences", [13, 6], L("LSTM", units=5, implementation=2, return_sequences=True))
    add("fid_gru_implementation_1", [13, 6], L("GRU", units=5, implementation=1))
    add("fid_gru_implementation_1_reset_before", [13, 6], L("GRU", units=5, implementation=1, reset_after=False))
    add("fid_bidirectional_lstm_implementation_1", [13, 6], L("Bidirectional", layer=L("LSTM", units=5, implementation=1)))
    add("fid_simplernn_refuse_implementation", [13, 6], L("SimpleRNN", units=5, implementation=1))

    # -- every activation name keras.activations.get resolves -----------------------
    for act in names["activations"]["accepted"]:
        add(f"fid_activation_layer_{act}", [10, 8], L("Activation", activation=act))
        CALL_ON_DATA.add(f"fid_activation_layer_{act}")
        add(f"fid_dense_activation_{act}", [8], L("Dense", units=6, activation=act))
        CALL_ON_DATA.add(f"fid_dense_activation_{act}")
    add("fid_lstm_sparse_sigmoid_gates", [10, 8], L("LSTM", units=4, recurrent_activation="sparse_sigmoid"))
    add("fid_conv1d_sparsemax", [10, 8], L("Conv1D", filters=4, kernel_size=3, activation="sparsemax"))
    add("fid_gru_activation_glu", [10, 8], L("GRU", units=4, activation="glu"))
    add("fid_simplernn_activation_threshold", [10, 8], L("SimpleRNN", units=4, activation="threshold"))
    CALL_ON_DATA.update(["fid_gru_activation_glu", "fid_simplernn_activation_threshold"])
    for bad in ("ReLU", "Tanh", "Sigmoid", "RELU", "Softmax", "None", "hardsigmoid"):
        add(f"fid_activation_refuse_{bad}", [10, 8], L("Activation", activation=bad))
    add("fid_dense_refuse_activation_Relu", [8], L("Dense", units=2, activation="Relu"))
    add("fid_lstm_refuse_recurrent_activation_Sigmoid", [10, 8], L("LSTM", units=2, recurrent_activation="Sigmoid"))
    add("fid_conv1d_refuse_activation_ReLU", [10, 8], L("Conv1D", filters=2, kernel_size=3, activation="ReLU"))

    # -- layer aliases: the class they resolve to, and its automatic name ------------
    for canonical, aliases in names["layer_aliases"].items():
        for alias in aliases:
            shape, layer, dtype = minimal(canonical)
            add(f"fid_alias_{alias}", shape, {**layer, "type": alias}, dtype=dtype)
            first = {**layer, "keepdims": True} if canonical.startswith("Global") else dict(layer)
            add(f"fid_alias_{alias}_after_{canonical}", shape, first, {**layer, "type": alias}, dtype=dtype)
    add("fid_alias_lower_case", [20, 8], L("maxpool1d"), L("convolution1d", filters=2, kernel_size=3), L("globalavgpool1d"))
    add("fid_alias_in_time_distributed", [5, 20, 8], L("TimeDistributed", layer=L("Convolution1D", filters=2, kernel_size=3)),
        L("TimeDistributed", layer=L("GlobalMaxPool1D")))

    # -- null for every argument whose Keras default is None --------------------------
    for type_, params in names["signatures"].items():
        nones = [p for p, default in params.items() if default is None]
        if type_ != "SpatialDropout1D":  # its __init__ takes no **kwargs
            nones += [p for p in LAYER_NONE_KWARGS if p not in nones]
        for param in nones:
            shape, layer, dtype = minimal(type_, **{param: None})
            add(f"fid_null_{type_}_{param}", shape, layer, dtype=dtype)
    add("fid_null_wrapped_arguments", [10, 8], L("Bidirectional", layer=L("LSTM", units=3, seed=None, kernel_regularizer=None),
                                                 merge_mode=None, backward_layer=None, weights=None))

    # -- exact lookups of argument values ----------------------------------------------
    add("fid_bidirectional_refuse_merge_mode_SUM", [10, 8], L("Bidirectional", layer=L("LSTM", units=3), merge_mode="SUM"))
    add("fid_bidirectional_refuse_merge_mode_Concat", [10, 8], L("Bidirectional", layer=L("LSTM", units=3), merge_mode="Concat"))
    for pool in ("MaxPooling1D", "AveragePooling1D"):
        add(f"fid_{pool.lower()}_refuse_padding_SAME", [10, 8], L(pool, pool_size=2, padding="SAME"))
        add(f"fid_{pool.lower()}_refuse_padding_Valid", [10, 8], L(pool, pool_size=2, padding="Valid"))
        add(f"fid_{pool.lower()}_data_format_upper", [10, 8], L(pool, pool_size=2, data_format="CHANNELS_FIRST"))
    add("fid_conv1d_padding_Causal", [10, 8], L("Conv1D", filters=2, kernel_size=3, padding="Causal"))
    add("fid_conv1d_padding_VALID", [10, 8], L("Conv1D", filters=2, kernel_size=3, padding="VALID"))
    add("fid_conv1d_data_format_upper", [10, 8], L("Conv1D", filters=2, kernel_size=3, data_format="Channels_First"))
    add("fid_flatten_data_format_upper", [10, 8], L("Flatten", data_format="CHANNELS_FIRST"))
    add("fid_global_pool_data_format_upper", [10, 8], L("GlobalAveragePooling1D", data_format="Channels_First"))
    for kind, good, bad in (
        ("initializer", ("GlorotUniform", "he_normal", "Orthogonal", "one", "zero", "random_normal", "Identity"),
         ("glorot_unifrom", "Glorot_Uniform", "glorotuniform", "constant", "Constant", "ZEROS")),
        ("regularizer", ("L2", "L1L2", "l1l2", "orthogonal_regularizer", "OrthogonalRegularizer"),
         ("l3", "L3", "l1_l2", "Orthogonal")),
        ("constraint", ("MaxNorm", "min_max_norm", "NonNeg", "UnitNorm"), ("maxnorm", "nonneg", "Max_Norm")),
    ):
        for value in good:
            add(f"fid_dense_kernel_{kind}_{value}", [8], L("Dense", units=2, **{f"kernel_{kind}": value}))
        for value in bad:
            add(f"fid_dense_refuse_kernel_{kind}_{value}", [8], L("Dense", units=2, **{f"kernel_{kind}": value}))
    add("fid_lstm_refuse_recurrent_initializer_typo", [10, 8], L("LSTM", units=2, recurrent_initializer="orthogonall"))
    add("fid_refuse_activity_regularizer_l3", [8], L("Dense", units=2, activity_regularizer="l3"))
    add("fid_batchnorm_refuse_moving_mean_initializer", [8], L("BatchNormalization", moving_mean_initializer="zeroes"))
    add("fid_embedding_refuse_embeddings_constraint", [10], L("Embedding", input_dim=5, output_dim=2, embeddings_constraint="l2"),
        dtype="int32")
    add("fid_dense_initializer_config", [8], L("Dense", units=2, kernel_initializer={"class_name": "Constant", "config": {"value": 0.5}}))

    # -- noise_shape with a zero or a negative size ------------------------------------------
    add("fid_dropout_refuse_noise_shape_zero", [10, 8], L("Dropout", rate=0.5, noise_shape=[None, 0, 8]))
    add("fid_dropout_refuse_noise_shape_negative", [10, 8], L("Dropout", rate=0.5, noise_shape=[None, 1, -1]))
    add("fid_dropout_noise_shape_ones", [10, 8], L("Dropout", rate=0.5, noise_shape=[1, 1, 8]))

    # -- TimeDistributed around a layer returning several tensors -------------------------------
    add("fid_time_distributed_refuse_lstm_return_state", [4, 10, 8], L("TimeDistributed", layer=L("LSTM", units=3, return_state=True)))
    add("fid_time_distributed_refuse_gru_return_state_sequences", [4, 10, 8],
        L("TimeDistributed", layer=L("GRU", units=3, return_state=True, return_sequences=True)))
    add("fid_time_distributed_refuse_bidirectional_merge_none", [4, 10, 8],
        L("TimeDistributed", layer=L("Bidirectional", layer=L("LSTM", units=3), merge_mode=None)))

    # -- Bidirectional, backward layer of another width ---------------------------------------
    add("fid_bidirectional_backward_width_merge_none", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6), backward_layer=L("LSTM", units=3, go_backwards=True), merge_mode=None))
    add("fid_bidirectional_backward_width_merge_none_sequences", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6, return_sequences=True),
          backward_layer=L("LSTM", units=3, go_backwards=True, return_sequences=True), merge_mode=None))
    add("fid_bidirectional_backward_gru_width_merge_none", [10, 8],
        L("Bidirectional", layer=L("GRU", units=2), backward_layer=L("SimpleRNN", units=5, go_backwards=True), merge_mode=None))
    add("fid_bidirectional_backward_width_return_state_merge_none", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6, return_state=True),
          backward_layer=L("LSTM", units=3, go_backwards=True, return_state=True), merge_mode=None))
    add("fid_bidirectional_backward_width_return_state_concat", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=6, return_state=True),
          backward_layer=L("LSTM", units=3, go_backwards=True, return_state=True)))
    add("fid_bidirectional_backward_type_return_state", [10, 8],
        L("Bidirectional", layer=L("LSTM", units=4, return_state=True),
          backward_layer=L("GRU", units=4, go_backwards=True, return_state=True), merge_mode="sum"))

    # -- GRU's Keras 2 default (reset_after false) for the version note -----------------------
    add("fid_gru_5_on_4_keras3_default", [10, 4], L("GRU", units=5))
    add("fid_gru_5_on_4_keras2_default", [10, 4], L("GRU", units=5, reset_after=False))
    return cases


# ---------------------------------------------------------------------------
# Issue 13: activation layers, noise, normalisation, 1-D reshaping
# ---------------------------------------------------------------------------

def simple13_specs():
    """(id, spec): every argument of the issue-13 layers, with Keras's refusals."""
    cases = []

    def add(case_id, shape, *layers, **top):
        cases.append((f"s13_{case_id}", spec_of(shape, layers, **top)))

    seq = [10, 8]
    add("relu_default", seq, L("ReLU"))
    add("relu_2d", [8], L("ReLU", max_value=6.0))
    add("relu_all_args", seq, L("ReLU", max_value=2.0, negative_slope=0.1, threshold=0.5), L("ReLU"), L("ReLU"))
    add("relu_refuse_max_value_negative", seq, L("ReLU", max_value=-1.0))
    add("relu_refuse_negative_slope_negative", seq, L("ReLU", negative_slope=-0.1))
    add("relu_refuse_threshold_negative", seq, L("ReLU", threshold=-0.5))
    add("relu_refuse_threshold_null", seq, L("ReLU", threshold=None))
    add("leaky_relu_default", seq, L("LeakyReLU"), L("LeakyReLU", negative_slope=0.01))
    add("leaky_relu_alpha_kwarg", seq, L("LeakyReLU", alpha=0.2))
    add("leaky_relu_refuse_negative", seq, L("LeakyReLU", negative_slope=-0.2))
    add("prelu_3d", seq, L("PReLU"))
    add("prelu_2d", [8], L("PReLU"))
    add("prelu_shared_time", seq, L("PReLU", shared_axes=[1]))
    add("prelu_shared_int", seq, L("PReLU", shared_axes=1))
    add("prelu_shared_all", seq, L("PReLU", shared_axes=[1, 2]))
    add("prelu_4d_shared", [4, 5, 3], L("PReLU", shared_axes=[1, 2]))
    add("prelu_null_time_shared", [None, 8], L("PReLU", shared_axes=[1]))
    add("prelu_refuse_null_time", [None, 8], L("PReLU"))
    add("prelu_args", seq, L("PReLU", alpha_initializer="ones", alpha_regularizer="l2", alpha_constraint="non_neg",
                             trainable=False))
    add("elu", seq, L("ELU"), L("ELU", alpha=0.5))
    add("softmax", seq, L("Softmax"))
    add("softmax_axis_1", seq, L("Softmax", axis=1))
    add("softmax_axis_list", [4, 5, 3], L("Softmax", axis=[1, 2]))
    add("softmax_refuse_axis_out_of_range", seq, L("Softmax", axis=3))
    add("identity", seq, L("Identity"), L("Identity"))
    add("identity_2d", [3], L("Identity"))
    add("gaussian_dropout", seq, L("GaussianDropout", rate=0.3, seed=2))
    add("gaussian_dropout_refuse_rate", seq, L("GaussianDropout", rate=1.5))
    add("gaussian_dropout_refuse_missing_rate", seq, L("GaussianDropout"))
    add("alpha_dropout", seq, L("AlphaDropout", rate=0.3, noise_shape=[None, 1, 8], seed=1))
    add("alpha_dropout_refuse_rate", seq, L("AlphaDropout", rate=-0.1))
    add("activity_regularization", seq, L("ActivityRegularization", l1=0.01, l2=0.001), L("ActivityRegularization"))
    add("activity_regularization_refuse_activity_regularizer", seq,
        L("ActivityRegularization", l1=0.01, activity_regularizer="l2"))
    add("unit_normalization", seq, L("UnitNormalization"))
    add("unit_normalization_axis_1", seq, L("UnitNormalization", axis=1))
    add("unit_normalization_axis_list", [4, 5, 3], L("UnitNormalization", axis=[1, 2]))
    add("unit_normalization_refuse_axis", seq, L("UnitNormalization", axis=3))
    add("group_normalization_4", seq, L("GroupNormalization", groups=4))
    add("group_normalization_minus_1", seq, L("GroupNormalization", groups=-1))
    add("group_normalization_1", seq, L("GroupNormalization", groups=1, center=False))
    add("group_normalization_no_scale", seq, L("GroupNormalization", groups=2, scale=False, epsilon=0.1))
    add("group_normalization_axis_1", [6, 5], L("GroupNormalization", groups=3, axis=1))
    add("group_normalization_4d", [4, 5, 6], L("GroupNormalization", groups=2))
    add("group_normalization_null_time", [None, 8], L("GroupNormalization", groups=2))
    add("group_normalization_args", seq, L("GroupNormalization", groups=8, beta_initializer="ones",
                                           gamma_initializer="zeros", beta_regularizer="l2", gamma_regularizer="l1",
                                           beta_constraint="non_neg", gamma_constraint="max_norm"))
    add("group_normalization_refuse_default_32", seq, L("GroupNormalization"))
    add("group_normalization_refuse_not_divisible", seq, L("GroupNormalization", groups=3))
    add("group_normalization_refuse_groups_0", seq, L("GroupNormalization", groups=0))
    add("group_normalization_refuse_null_channels", [10, None], L("GroupNormalization", groups=2))
    add("rms_normalization", seq, L("RMSNormalization"))
    add("rms_normalization_axis_1", seq, L("RMSNormalization", axis=1, epsilon=0.01))
    add("rms_normalization_axis_list", [4, 5, 3], L("RMSNormalization", axis=[1, 2]))
    add("rms_normalization_2d", [8], L("RMSNormalization"))
    add("spatial_dropout2d", [6, 5, 4], L("SpatialDropout2D", rate=0.3, seed=1))
    add("spatial_dropout2d_channels_first", [4, 6, 5], L("SpatialDropout2D", rate=0.3, data_format="channels_first"))
    add("spatial_dropout2d_refuse_3d", seq, L("SpatialDropout2D", rate=0.3))
    add("spatial_dropout2d_refuse_trainable", [6, 5, 4], L("SpatialDropout2D", rate=0.3, trainable=False))
    add("up_sampling1d", seq, L("UpSampling1D"), L("UpSampling1D", size=3))
    add("up_sampling1d_null_time", [None, 8], L("UpSampling1D", size=3))
    add("up_sampling1d_refuse_2d", [8], L("UpSampling1D"))
    add("up_sampling1d_refuse_size_0", seq, L("UpSampling1D", size=0))
    add("zero_padding1d", seq, L("ZeroPadding1D"), L("ZeroPadding1D", padding=[0, 3]), L("ZeroPadding1D", padding=2))
    add("zero_padding1d_channels_first", seq, L("ZeroPadding1D", padding=[1, 2], data_format="channels_first"))
    add("zero_padding1d_null_time", [None, 8], L("ZeroPadding1D", padding=[2, 0]))
    add("zero_padding1d_refuse_negative", seq, L("ZeroPadding1D", padding=-1))
    add("zero_padding1d_refuse_three", seq, L("ZeroPadding1D", padding=[1, 2, 3]))
    add("zero_padding1d_refuse_4d", [3, 10, 8], L("ZeroPadding1D"))
    add("cropping1d", seq, L("Cropping1D"), L("Cropping1D", cropping=[0, 3]), L("Cropping1D", cropping=2))
    add("cropping1d_null_time", [None, 8], L("Cropping1D", cropping=[2, 0]))
    add("cropping1d_refuse_all", seq, L("Cropping1D", cropping=[4, 6]))
    add("cropping1d_refuse_negative", seq, L("Cropping1D", cropping=[-1, 0]))
    add("cropping1d_refuse_2d", [8], L("Cropping1D"))
    # Keras builds these and fails when they run: the golden records both
    CALL_ON_DATA.update(f"s13_{i}" for i in ("rms_normalization_axis_1", "rms_normalization_axis_list",
                                             "relu_all_args", "group_normalization_axis_1", "softmax_axis_list",
                                             "unit_normalization_axis_list", "prelu_null_time_shared",
                                             "softmax_refuse_axis_out_of_range"))
    add("time_distributed_prelu", [3, 10, 8], L("TimeDistributed", layer=L("PReLU", shared_axes=[1])))
    add("conv_stack", [20, 4], L("ZeroPadding1D", padding=2), L("Conv1D", filters=8, kernel_size=5),
        L("GroupNormalization", groups=4), L("PReLU", shared_axes=[1]), L("UpSampling1D"), L("Cropping1D", cropping=[1, 3]),
        L("LSTM", units=6), L("RMSNormalization"), L("LeakyReLU"), L("Dense", units=3), L("Softmax"))
    return cases


def simple13_forward():
    """(id, spec, concrete shape): float64 forward passes of the issue-13 layers."""
    cases = []

    def add(case_id, shape, *layers, concrete=None, **top):
        cases.append((case_id, spec_of(shape, layers, **top), concrete))

    x = [5, 4]
    add("relu_default", x, L("ReLU"))
    add("relu_max_value", x, L("ReLU", max_value=0.3))
    add("relu_max_value_6", x, L("Dense", units=4), L("ReLU", max_value=6.0, negative_slope=0.2))
    add("relu_slope", x, L("ReLU", negative_slope=0.2))
    add("relu_threshold", x, L("ReLU", threshold=0.25))
    add("relu_all", x, L("ReLU", max_value=0.4, negative_slope=0.3, threshold=0.1))
    add("relu_threshold_above_max", x, L("ReLU", max_value=0.2, threshold=0.5, negative_slope=0.1))
    add("leaky_relu", x, L("LeakyReLU"), L("LeakyReLU", negative_slope=0.05))
    add("leaky_relu_alpha", x, L("LeakyReLU", alpha=0.7))
    add("prelu", x, L("PReLU"))
    add("prelu_shared_time", x, L("PReLU", shared_axes=[1]))
    add("prelu_shared_all_4d", [2, 3, 4], L("PReLU", shared_axes=[1, 2]))
    add("prelu_2d", [4], L("PReLU"))
    add("elu", x, L("ELU"), L("ELU", alpha=0.4))
    add("softmax", x, L("Softmax"))
    add("softmax_axis_1", x, L("Softmax", axis=1))
    add("softmax_axis_list", [2, 3, 4], L("Softmax", axis=[1, 2]))
    add("identities", x, L("Identity"), L("GaussianDropout", rate=0.5), L("AlphaDropout", rate=0.5),
        L("ActivityRegularization", l1=0.1), L("Dense", units=3))
    add("spatial_dropout2d", [3, 2, 4], L("SpatialDropout2D", rate=0.5), L("Dense", units=2))
    add("unit_normalization", x, L("UnitNormalization"))
    add("unit_normalization_axis_1", x, L("UnitNormalization", axis=1))
    add("unit_normalization_axis_list", [2, 3, 4], L("UnitNormalization", axis=[1, 2]))
    add("group_normalization", [5, 6], L("GroupNormalization", groups=3))
    add("group_normalization_instance", [5, 4], L("GroupNormalization", groups=-1, epsilon=0.01))
    add("group_normalization_one_group_no_center", [5, 4], L("GroupNormalization", groups=1, center=False))
    add("group_normalization_no_scale", [5, 4], L("GroupNormalization", groups=2, scale=False))
    add("group_normalization_axis_1", [4, 5], L("GroupNormalization", groups=2, axis=1))
    add("group_normalization_4d", [2, 3, 4], L("GroupNormalization", groups=2))
    add("rms_normalization", x, L("RMSNormalization"))
    add("rms_normalization_axis_list", [2, 3, 4], L("RMSNormalization", axis=[2, 3]))
    add("up_sampling1d", x, L("UpSampling1D", size=3))
    add("zero_padding1d", x, L("ZeroPadding1D", padding=[1, 2]), L("ZeroPadding1D"))
    add("zero_padding1d_channels_first", x, L("ZeroPadding1D", padding=[2, 1], data_format="channels_first"))
    add("cropping1d", [7, 3], L("Cropping1D"), L("Cropping1D", cropping=[2, 0]))
    add("cropping1d_end", [7, 3], L("Cropping1D", cropping=[0, 3]))
    add("conv_stack", [12, 3], L("ZeroPadding1D", padding=2), L("Conv1D", filters=4, kernel_size=5),
        L("GroupNormalization", groups=2), L("PReLU", shared_axes=[1]), L("UpSampling1D"),
        L("Cropping1D", cropping=[1, 3]), L("LSTM", units=3), L("RMSNormalization"), L("LeakyReLU"),
        L("Dense", units=3), L("Softmax"))
    return cases


# ---------------------------------------------------------------------------
# Forward passes (float64)
# ---------------------------------------------------------------------------

BATCH = 2


def case_rng(case_id):
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def find_layer(layers, type_name):
    """The first layer spec of a type, looking inside wrappers."""
    for layer in layers:
        if layer["type"].lower() == type_name.lower():
            return layer
        inner = [layer[k] for k in WRAPPED_KEYS if isinstance(layer.get(k), dict)]
        found = find_layer(inner, type_name)
        if found:
            return found
    return None


def make_input(case_id, spec, concrete):
    """Batch-2 input: floats in [-1, 1], or token ids; masked steps set."""
    rng = case_rng(case_id + "/input")
    shape = (BATCH,) + tuple(concrete or spec["input"]["shape"])
    embedding = find_layer(spec["layers"], "Embedding")
    if spec["input"].get("dtype", "").startswith("int"):
        x = rng.integers(1 if embedding.get("mask_zero") else 0, embedding["input_dim"], size=shape)
        if embedding.get("mask_zero") and len(shape) >= 2:
            x[0, -2:] = 0          # padding at the end
            x[1, 1] = 0            # a hole in the middle
        return x.astype(spec["input"]["dtype"])
    x = rng.uniform(-1.0, 1.0, size=shape)
    first = spec["layers"][0]
    if first["type"].lower() == "masking" and len(shape) >= 3:
        value = first.get("mask_value", 0.0)
        x[0, -2:] = value          # padding at the end
        x[1, 1] = value            # a masked step in the middle
    return x


def variable_name(variable):
    return variable.path.split("/")[-1]


def set_random_weights(layer, rng):
    """Weights of one (unwrapped) layer, drawn and assigned; {name: list}."""
    tensors = {}
    for variable in layer.weights:
        name = variable_name(variable)
        if name in tensors:
            raise ValueError(f"{layer.name}: two weights named {name}")
        low, high = (0.5, 1.5) if name in ("moving_variance", "moving_stddev", "renorm_stddev") else (-0.5, 0.5)
        value = rng.uniform(low, high, size=tuple(variable.shape))
        variable.assign(value)
        tensors[name] = value.tolist()
    return tensors


def layer_tensors(layer, rng):
    """Contract section 4: Bidirectional by direction, wrappers see through."""
    if isinstance(layer, keras.layers.Bidirectional):
        return {"forward": layer_tensors(layer.forward_layer, rng),
                "backward": layer_tensors(layer.backward_layer, rng)}
    if isinstance(layer, keras.layers.TimeDistributed):
        return layer_tensors(layer.layer, rng)
    if isinstance(layer, keras.layers.RNN) and isinstance(layer.cell, keras.layers.StackedRNNCells):
        return [set_random_weights(cell, rng) for cell in layer.cell.cells]  # one mapping per cell, in order
    return set_random_weights(layer, rng)


def as_lists(value):
    """A tensor as nested lists; several outputs (return_state, nested state lists flattened) as a list of them."""
    if isinstance(value, (list, tuple)):
        return [as_lists(v) for v in keras.tree.flatten(value)]
    return keras.ops.convert_to_numpy(value).astype(np.float64).tolist()


def flat(value):
    return np.array(keras.tree.flatten(value), dtype=np.float64)


def forward_case(case_id, spec, concrete=None):
    spec = strip_expect(spec)
    model = build_model(spec)
    rng = case_rng(case_id + "/weights")
    weights = {}
    for layer in model.layers[1:]:
        if layer.weights:
            weights[layer.name] = layer_tensors(layer, rng)
    x = make_input(case_id, spec, concrete)
    layers = model.layers[1:]
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    values = probe(x, training=False)
    if len(layers) == 1:
        values = [values]
    outputs = {layer.name: as_lists(value) for layer, value in zip(layers, values)}
    final = as_lists(model(x, training=False))
    if not np.allclose(flat(final), flat(outputs[layers[-1].name]), rtol=0, atol=1e-12):
        raise AssertionError(f"{case_id}: the model's output differs from its last layer's")
    return {"id": case_id, "spec": spec, "input": x.tolist(), "weights": weights,
            "outputs": outputs, "output": final}


def forward_specs():
    """(id, spec, concrete input shape or None): every number-changing argument."""
    cases = []

    def add(case_id, shape, *layers, concrete=None, **top):
        cases.append((case_id, spec_of(shape, layers, **top), concrete))

    seq = [5, 3]
    for rnn in ("LSTM", "GRU", "SimpleRNN"):
        r = rnn.lower()
        add(f"{r}_last", seq, L(rnn, units=4))
        add(f"{r}_return_sequences", seq, L(rnn, units=4, return_sequences=True))
        add(f"{r}_go_backwards_last", seq, L(rnn, units=3, go_backwards=True))
        add(f"{r}_go_backwards_sequences", seq, L(rnn, units=3, go_backwards=True, return_sequences=True))
        add(f"{r}_no_bias", seq, L(rnn, units=3, use_bias=False, return_sequences=True))
        add(f"{r}_relu", seq, L(rnn, units=3, activation="relu", return_sequences=True))
        add(f"{r}_linear", [4, 2], L(rnn, units=2, activation="linear"))
        add(f"{r}_masking_sequences", [6, 3], L("Masking"), L(rnn, units=3, return_sequences=True))
        add(f"{r}_masking_last", [6, 3], L("Masking"), L(rnn, units=3))
        add(f"{r}_null_timesteps", [None, 2], L(rnn, units=2, return_sequences=True), concrete=[4, 2])
    for rnn in ("LSTM", "GRU"):
        r = rnn.lower()
        add(f"{r}_recurrent_hard_sigmoid", seq, L(rnn, units=3, recurrent_activation="hard_sigmoid", return_sequences=True))
        add(f"{r}_recurrent_tanh_activation_sigmoid", seq, L(rnn, units=3, activation="sigmoid", recurrent_activation="tanh"))
        add(f"{r}_recurrent_relu_activation_linear", seq, L(rnn, units=3, activation="linear", recurrent_activation="relu"))
        add(f"{r}_masking_go_backwards", [6, 3], L("Masking", mask_value=0.5), L(rnn, units=3, go_backwards=True, return_sequences=True))
    add("gru_reset_after_false", seq, L("GRU", units=4, reset_after=False, return_sequences=True))
    add("gru_reset_after_false_no_bias", seq, L("GRU", units=3, reset_after=False, use_bias=False))
    add("gru_reset_after_false_hard_sigmoid", seq, L("GRU", units=3, reset_after=False, recurrent_activation="hard_sigmoid"))
    add("lstm_stacked_seed_like", [6, 4], L("LSTM", name="lstm1", units=5, return_sequences=True), L("LSTM", name="lstm2", units=3),
        L("Dense", name="dense1", units=4, activation="relu"), L("Dense", name="output", units=1, activation="sigmoid"))
    add("simple_rnn_sigmoid_tanh_stack", seq, L("SimpleRNN", units=3, activation="sigmoid", return_sequences=True),
        L("SimpleRNN", units=2, activation="tanh"))

    for rnn in ("LSTM", "GRU", "SimpleRNN"):
        r = rnn.lower()
        for mode in ("concat", "sum", "mul", "ave"):
            add(f"bidirectional_{r}_{mode}", seq, L("Bidirectional", layer=L(rnn, units=3), merge_mode=mode))
            add(f"bidirectional_{r}_{mode}_sequences", seq,
                L("Bidirectional", layer=L(rnn, units=3, return_sequences=True), merge_mode=mode))
    add("bidirectional_backward_layer_other_units", seq,
        L("Bidirectional", layer=L("LSTM", units=3, return_sequences=True),
          backward_layer=L("LSTM", units=2, go_backwards=True, return_sequences=True)))
    add("bidirectional_backward_layer_gru", seq,
        L("Bidirectional", layer=L("LSTM", units=3), backward_layer=L("GRU", units=3, go_backwards=True, reset_after=False)))
    add("bidirectional_gru_reset_after_false", seq, L("Bidirectional", layer=L("GRU", units=3, reset_after=False, return_sequences=True)))
    add("bidirectional_masking_sequences", [6, 3], L("Masking"), L("Bidirectional", layer=L("LSTM", units=2, return_sequences=True)))
    add("bidirectional_masking_last", [6, 3], L("Masking"), L("Bidirectional", layer=L("GRU", units=2), merge_mode="sum"))

    add("embedding_rank2", [5], L("Embedding", input_dim=7, output_dim=3), dtype="int32")
    add("embedding_rank1", [], L("Embedding", input_dim=7, output_dim=3), dtype="int32")
    add("embedding_rank3", [3, 2], L("Embedding", input_dim=7, output_dim=2), dtype="int64")
    add("embedding_lora", [4], L("Embedding", input_dim=6, output_dim=3, lora_rank=2), dtype="int32")
    add("embedding_lora_alpha", [4], L("Embedding", input_dim=6, output_dim=3, lora_rank=2, lora_alpha=5.0), dtype="int32")
    add("embedding_mask_zero_lstm_last", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True), L("LSTM", units=3), dtype="int32")
    add("embedding_mask_zero_lstm_sequences", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
        L("LSTM", units=3, return_sequences=True), dtype="int32")
    add("embedding_mask_zero_gru_sequences", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
        L("GRU", units=2, return_sequences=True), dtype="int32")
    add("embedding_mask_zero_global_avg", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
        L("GlobalAveragePooling1D"), dtype="int32")
    add("embedding_mask_zero_global_max", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
        L("GlobalMaxPooling1D"), dtype="int32")
    add("embedding_mask_zero_bidirectional", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
        L("Bidirectional", layer=L("LSTM", units=2, return_sequences=True)), dtype="int32")
    add("embedding_mask_zero_dense_lstm", [6], L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
        L("Dense", units=2), L("LSTM", units=2, return_sequences=True), dtype="int32")

    conv = [8, 4]
    add("conv1d_valid", conv, L("Conv1D", filters=3, kernel_size=3))
    add("conv1d_kernel_list", conv, L("Conv1D", filters=2, kernel_size=[2]))
    add("conv1d_same_odd", conv, L("Conv1D", filters=3, kernel_size=3, padding="same"))
    add("conv1d_same_even", conv, L("Conv1D", filters=3, kernel_size=4, padding="same"))
    add("conv1d_causal", conv, L("Conv1D", filters=3, kernel_size=3, padding="causal"))
    add("conv1d_strides_valid", conv, L("Conv1D", filters=2, kernel_size=3, strides=2))
    add("conv1d_strides_same", [9, 3], L("Conv1D", filters=2, kernel_size=4, strides=2, padding="same"))
    add("conv1d_strides_causal", [9, 3], L("Conv1D", filters=2, kernel_size=3, strides=3, padding="causal"))
    add("conv1d_dilation_valid", conv, L("Conv1D", filters=2, kernel_size=3, dilation_rate=2))
    add("conv1d_dilation_same", conv, L("Conv1D", filters=2, kernel_size=3, dilation_rate=2, padding="same"))
    add("conv1d_dilation_causal", conv, L("Conv1D", filters=2, kernel_size=2, dilation_rate=3, padding="causal"))
    add("conv1d_groups", conv, L("Conv1D", filters=4, kernel_size=2, groups=2))
    add("conv1d_groups_same_no_bias", [6, 6], L("Conv1D", filters=3, kernel_size=3, groups=3, padding="same", use_bias=False))
    add("conv1d_no_bias_relu", conv, L("Conv1D", filters=3, kernel_size=3, use_bias=False, activation="relu"))
    add("conv1d_channels_first_valid", [4, 8], L("Conv1D", filters=3, kernel_size=3, data_format="channels_first"))
    add("conv1d_channels_first_same_strides", [3, 9], L("Conv1D", filters=2, kernel_size=3, strides=2, padding="same",
                                                        data_format="channels_first"))
    add("conv1d_channels_first_causal_dilation", [3, 8], L("Conv1D", filters=2, kernel_size=2, dilation_rate=2,
                                                           padding="causal", data_format="channels_first"))
    add("conv1d_tcn_stack", [8, 1], L("Conv1D", filters=2, kernel_size=2, padding="causal", dilation_rate=1, activation="relu"),
        L("Conv1D", filters=2, kernel_size=2, padding="causal", dilation_rate=2, activation="relu"),
        L("GlobalAveragePooling1D"), L("Dense", units=1))

    for pool in ("MaxPooling1D", "AveragePooling1D"):
        p = "maxpool" if pool.startswith("Max") else "avgpool"
        add(f"{p}_2", [7, 3], L(pool, pool_size=2))
        add(f"{p}_3_strides_1", [6, 3], L(pool, pool_size=3, strides=1))
        add(f"{p}_same_3_strides_2", [6, 3], L(pool, pool_size=3, strides=2, padding="same"))
        add(f"{p}_same_2", [5, 3], L(pool, pool_size=2, padding="same"))
        add(f"{p}_same_4_strides_1", [5, 2], L(pool, pool_size=4, strides=1, padding="same"))
        add(f"{p}_2_strides_3", [8, 2], L(pool, pool_size=2, strides=3))
        add(f"{p}_channels_first", [3, 7], L(pool, pool_size=2, data_format="channels_first"))
        add(f"{p}_channels_first_same", [2, 5], L(pool, pool_size=3, strides=2, padding="same", data_format="channels_first"))
    for pool in ("GlobalMaxPooling1D", "GlobalAveragePooling1D"):
        p = "globalmax" if "Max" in pool else "globalavg"
        add(f"{p}", [5, 3], L(pool))
        add(f"{p}_keepdims", [5, 3], L(pool, keepdims=True))
        add(f"{p}_channels_first", [3, 5], L(pool, data_format="channels_first"))
        add(f"{p}_channels_first_keepdims", [3, 5], L(pool, data_format="channels_first", keepdims=True))

    add("batchnorm_2d", [4], L("BatchNormalization"))
    add("batchnorm_3d", [5, 3], L("BatchNormalization"))
    add("batchnorm_axis_1", [5, 3], L("BatchNormalization", axis=1))
    add("batchnorm_axis_minus_2_4d", [2, 3, 4], L("BatchNormalization", axis=-2))
    add("batchnorm_no_center", [5, 3], L("BatchNormalization", center=False))
    add("batchnorm_no_scale", [5, 3], L("BatchNormalization", scale=False))
    add("batchnorm_no_center_no_scale_epsilon", [4], L("BatchNormalization", center=False, scale=False, epsilon=0.1))
    add("batchnorm_renorm", [5, 3], L("BatchNormalization", renorm=True))
    add("layernorm_2d", [4], L("LayerNormalization"))
    add("layernorm_3d", [5, 3], L("LayerNormalization"))
    add("layernorm_axis_1", [5, 3], L("LayerNormalization", axis=1))
    add("layernorm_axis_list", [5, 3], L("LayerNormalization", axis=[1, 2]))
    add("layernorm_axis_list_4d", [2, 3, 4], L("LayerNormalization", axis=[-1, 1]))
    add("layernorm_no_center", [5, 3], L("LayerNormalization", center=False))
    add("layernorm_no_scale", [5, 3], L("LayerNormalization", scale=False))
    add("layernorm_no_center_no_scale_epsilon", [5, 3], L("LayerNormalization", center=False, scale=False, epsilon=0.5))
    add("layernorm_rms_scaling", [5, 3], L("LayerNormalization", rms_scaling=True))

    add("dense_rank2_relu", [4], L("Dense", units=3, activation="relu"))
    add("dense_rank3", [4, 3], L("Dense", units=2))
    add("dense_rank4_no_bias", [2, 3, 4], L("Dense", units=2, use_bias=False, activation="tanh"))
    add("dense_lora", [4], L("Dense", units=3, lora_rank=2))
    add("dense_lora_alpha_no_bias", [4, 3], L("Dense", units=2, lora_rank=1, lora_alpha=3.0, use_bias=False))
    add("dense_softmax", [4], L("Dense", units=3, activation="softmax"))
    add("reshape_minus_one", [4, 3], L("Reshape", target_shape=[-1, 2]))
    add("reshape_flat", [4, 3], L("Reshape", target_shape=[12]))
    add("permute_swap", [4, 3], L("Permute", dims=[2, 1]))
    add("permute_4d", [2, 3, 4], L("Permute", dims=[3, 1, 2]))
    add("flatten_3d", [4, 3], L("Flatten"))
    add("flatten_channels_first", [4, 3], L("Flatten", data_format="channels_first"))
    add("flatten_channels_first_4d", [2, 3, 2], L("Flatten", data_format="channels_first"))
    add("repeat_vector", [3], L("RepeatVector", n=4))
    add("autoencoder", [4, 2], L("LSTM", units=3), L("RepeatVector", n=4), L("LSTM", units=3, return_sequences=True),
        L("TimeDistributed", layer=L("Dense", units=2)))
    add("time_distributed_dense", [4, 3], L("TimeDistributed", layer=L("Dense", units=2, activation="relu")))
    add("time_distributed_conv1d", [3, 6, 2], L("TimeDistributed", layer=L("Conv1D", filters=2, kernel_size=3, padding="same")))
    add("time_distributed_embedding", [3, 4], L("TimeDistributed", layer=L("Embedding", input_dim=5, output_dim=2)), dtype="int32")
    add("time_distributed_nested", [2, 3, 4, 3], L("TimeDistributed", layer=L("TimeDistributed", layer=L("Dense", units=2))))
    add("time_distributed_lstm", [3, 4, 2], L("TimeDistributed", layer=L("LSTM", units=2)))
    add("dropouts_identity", [5, 3], L("Dropout", rate=0.5), L("SpatialDropout1D", rate=0.5), L("GaussianNoise", stddev=1.0),
        L("Dropout", rate=0.9, noise_shape=[None, 1, 3]), L("Dense", units=2))
    for act in ("relu", "tanh", "sigmoid", "softmax", "log_softmax", "linear", "elu", "selu", "softplus", "softsign",
                "gelu", "swish", "silu", "hard_sigmoid", "hard_silu", "leaky_relu", "relu6", "mish", "exponential"):
        add(f"activation_{act}", [4, 3], L("Activation", activation=act))
    for act in ("sparse_sigmoid", "sparsemax", "glu", "celu", "squareplus", "sparse_plus", "hard_tanh", "hard_shrink"):
        add(f"activation_{act}", [4, 6], L("Activation", activation=act))
    add("dense_sparsemax_lstm_sparse_sigmoid", seq, L("LSTM", units=3, recurrent_activation="sparse_sigmoid", return_sequences=True),
        L("Dense", units=4, activation="sparsemax"))
    add("dense_activations_mix", [4], L("Dense", units=3, activation="hard_sigmoid"), L("Dense", units=3, activation="elu"),
        L("Dense", units=3, activation="gelu"), L("Dense", units=2, activation="softmax"))
    add("lstm_activation_hard_sigmoid", seq, L("LSTM", units=3, activation="hard_sigmoid", recurrent_activation="linear"))
    add("gru_activation_relu_sigmoid", seq, L("GRU", units=3, activation="relu", recurrent_activation="sigmoid", return_sequences=True))
    add("masking_dense_passthrough", [6, 3], L("Masking"), L("Dense", units=2), L("LSTM", units=2, return_sequences=True))
    add("conv_pool_lstm", [10, 2], L("Conv1D", filters=3, kernel_size=3, activation="relu"), L("MaxPooling1D", pool_size=2),
        L("LSTM", units=3), L("Dense", units=1, activation="sigmoid"))
    add("norms_model", [4, 3], L("LSTM", units=3, return_sequences=True), L("LayerNormalization"), L("GRU", units=3, return_sequences=True),
        L("BatchNormalization"), L("Flatten"), L("Dense", units=2, activation="softmax"))
    add("batch_size_fixed", [4, 3], L("LSTM", units=2), batch_size=2)
    cases += [(i, spec, None) for i, spec in conv13_summary_specs()
              if not any(k in i for k in ("refuse", "null", "upper")) and None not in spec["input"]["shape"]]

    # issue 13: RNN over cells (the cells' own steps), ConvLSTM1D / ConvLSTM2D (small sizes)
    lstm, gru, simple = L("LSTMCell", units=3), L("GRUCell", units=2), L("SimpleRNNCell", units=2)
    add("rnn_cell_lstmcell", seq, L("RNN", cell=lstm, return_sequences=True))
    add("rnn_cell_grucell_reset_before", seq, L("RNN", cell=L("GRUCell", units=3, reset_after=False)))
    add("rnn_cell_simplernncell_relu_no_bias", seq, L("RNN", cell=L("SimpleRNNCell", units=3, activation="relu",
                                                                     use_bias=False), return_sequences=True))
    add("rnn_cell_list_state", seq, L("RNN", cell=[lstm, gru, simple], return_state=True, return_sequences=True))
    add("rnn_cell_stacked_go_backwards", seq, L("RNN", cell=L("StackedRNNCells", cells=[gru, lstm]),
                                                go_backwards=True, return_sequences=True))
    add("rnn_cell_masking_sequences", [6, 3], L("Masking"), L("RNN", cell=[lstm, gru], return_sequences=True))
    add("rnn_cell_masking_last_state", [6, 3], L("Masking"), L("RNN", cell=[gru, lstm], return_state=True))
    add("rnn_cell_masking_zero_output", [6, 3], L("Masking"), L("RNN", cell=simple, return_sequences=True,
                                                               zero_output_for_mask=True))
    for conv, shape, kernel in (("ConvLSTM1D", [3, 6, 2], 3), ("ConvLSTM2D", [3, 5, 4, 2], [3, 2])):
        c = conv.lower()
        add(f"{c}_valid", shape, L(conv, filters=2, kernel_size=kernel))
        add(f"{c}_same_sequences", shape, L(conv, filters=2, kernel_size=kernel, padding="same", return_sequences=True))
        add(f"{c}_strides_state", shape, L(conv, filters=2, kernel_size=kernel, strides=2, return_state=True))
        add(f"{c}_dilation_backwards", shape, L(conv, filters=2, kernel_size=kernel, dilation_rate=2, padding="same",
                                                 go_backwards=True, return_sequences=True))
        add(f"{c}_no_bias_relu", shape, L(conv, filters=2, kernel_size=kernel, use_bias=False, activation="relu",
                                          recurrent_activation="hard_sigmoid"))
        add(f"{c}_channels_first", [shape[0], shape[-1], *shape[1:-1]],
            L(conv, filters=2, kernel_size=kernel, padding="same", data_format="channels_first"))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-specs", action="store_true")
    parser.add_argument("--only", metavar="REGEX", help="regenerate only the cases whose id matches, "
                        "keeping the others as the files have them")
    opts = parser.parse_args()
    if opts.check_specs:
        sys.exit(check_specs())
    keep = (lambda case_id: True) if opts.only is None else re.compile(opts.only).search
    keras.config.set_floatx("float32")
    summary = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "keras_names": keras_names(),
        "cases": merged("keras_summary.json", opts.only,
                        [(i, (lambda i=i, s=s: summary_case(i, s))) for i, s in summary_specs() if keep(i)]),
    }
    write_json(HERE / "keras_summary.json", summary)
    keras.config.set_floatx("float64")
    # Keras 3.15's torch backend hands LayerNormalization over any contiguous
    # axes to F.layer_norm, which only normalizes trailing axes, so axis=1 on a
    # 3-D input crashes. Take Keras's generic path (what the other backends run).
    keras.src.ops.nn.is_continuous_axis = lambda axis: False
    forward = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "floatx": "float64",
        "batch": BATCH,
        "cases": merged("keras_forward.json", opts.only,
                        [(c[0], (lambda c=c: forward_case(*c))) for c in forward_specs() if keep(c[0])]),
    }
    keras.config.set_floatx("float32")
    write_json(HERE / "keras_forward.json", forward)


def merged(name, only, fresh):
    """The new cases; with --only, the file's cases that do not match kept, a regenerated one in its place,
    a new one at the end and a matching one no longer in the case list dropped."""
    made = {case_id: make() for case_id, make in fresh}
    if only is None:
        return list(made.values())
    old = json.loads((HERE / name).read_text())["cases"]
    out = [made.pop(c["id"], c) for c in old if c["id"] in made or not re.search(only, c["id"])]
    return out + list(made.values())


def write_json(path, data):
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: {len(data['cases'])} cases")


def check_specs():
    """Build every specs/*.yaml in Keras; compare and print its expectations."""
    keras.config.set_floatx("float32")
    failures = 0
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        if spec.get("framework", "keras") != "keras":
            print(f"{path.relative_to(ROOT)}: framework {spec['framework']}, not checked here")
            continue
        if "input" not in spec:
            print(f"{path.relative_to(ROOT)}: a graph, checked by gen_keras_graphs.py --check-specs")
            continue
        model = build_model(strip_expect(spec))
        summary = summarize(model)
        print(f"{path.relative_to(ROOT)}")
        for layer_spec, record in zip(spec["layers"], summary["layers"][1:]):
            actual = {"output_shape": record["output_shape"][1:], "params": record["params"]}
            failures += compare(f"  {record['name']}", layer_spec.get("expect", {}), actual)
        actual = {key: summary[key] for key in ("total_params", "trainable_params", "non_trainable_params")}
        actual["output_shape"] = summary["layers"][-1]["output_shape"][1:]
        failures += compare("  model", spec.get("expect", {}), actual)
    print("all expectations hold" if not failures else f"{failures} expectation(s) fail")
    return 1 if failures else 0


def compare(label, expect, actual):
    """Print the real numbers; count the expectations that do not hold."""
    bad = [key for key, value in expect.items() if key in actual and actual[key] != value]
    missing = [key for key in actual if key not in expect]
    print(f"{label}: {json.dumps(actual)}"
          + "".join(f"  MISMATCH {key}: expected {expect[key]}" for key in bad)
          + (f"  (no expect for {', '.join(missing)})" if missing else ""))
    return len(bad)


if __name__ == "__main__":
    main()
