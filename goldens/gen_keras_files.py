"""Saved `.keras` files of the layers whose weights sit in sub-groups, and calls written
positionally, with what real Keras 3 reports about them.

Found by a random-model comparison against Keras 3.15: MultiHeadAttention called as
`mha(query, value[, key])` (positional tensors in the saved config), its variables in
`query_dense/vars` ..., and RNN over cells (`cell/vars`, `cell/cells/<class>/vars`).

Run in the goldens environment: KERAS_BACKEND=torch /work/genv/bin/python goldens/gen_keras_files.py
Writes tests/data/keras_files/<case>.keras and goldens/keras_files.json: per case the
summary rows (name, class, output shape, params), the total, an input and Keras's output.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "keras_files")


def seq(shape, layers, dtype="float32"):
    return lambda: keras.Sequential([keras.Input(shape, dtype=dtype), *layers()])


def graph(shapes, body):
    def make():
        ins = [keras.Input(s, name=f"in{i}") for i, s in enumerate(shapes)]
        return keras.Model(ins, body(*ins))
    return make


def self_attention(x):
    h = L.Dense(6)(x)
    att = L.MultiHeadAttention(2, 3)(h, h, use_causal_mask=True)
    return L.GlobalAveragePooling1D()(L.LayerNormalization()(L.Add()([h, att])))


def masked_bigru():
    tokens = keras.Input((7,), dtype="int32", name="tokens")
    x = L.Embedding(20, 4, mask_zero=True)(tokens)
    x = L.Bidirectional(L.GRU(3, return_sequences=True))(x)
    x = L.GlobalAveragePooling1D()(x)
    return keras.Model(tokens, L.Dense(2)(x))


CASES = {
    "mha_query_value_key": graph([(5, 6), (4, 3), (4, 2)],
                                 lambda q, v, k: L.MultiHeadAttention(2, 3, value_dim=2, output_shape=5)(q, v, k)),
    "mha_self_causal": graph([(5, 4)], self_attention),
    "mha_keywords": graph([(5, 6), (4, 3)], lambda q, v: L.MultiHeadAttention(1, 2, use_bias=False)(query=q, value=v)),
    "grouped_query_attention": graph([(5, 8), (4, 8)], lambda q, v: L.GroupQueryAttention(4, 4, 2)(q, v)),
    # functional models whose saved config holds what lstmcalc derives itself (the NotEqual op of
    # mask_zero and the `mask=` it feeds), or several outputs a reference must index
    "functional_mask_zero": lambda: masked_bigru(),
    "bidirectional_merge_none": graph([(6, 3)], lambda x: L.Bidirectional(L.LSTM(4), merge_mode=None)(x)),
    "bidirectional_merge_none_concat": graph([(6, 3)], lambda x: L.Concatenate()(
        L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode=None)(x))),
    "attention_scores_output": graph([(5, 3), (4, 3)], lambda q, v: list(
        L.Attention()([q, v], return_attention_scores=True))),
    "rnn_lstm_cell": seq((5, 4), lambda: [L.RNN(L.LSTMCell(3), return_sequences=True), L.Dense(2)]),
    "rnn_cell_list": seq((5, 4), lambda: [L.RNN([L.GRUCell(3), L.SimpleRNNCell(2), L.GRUCell(2)])]),
    "rnn_stacked_cells": seq((5, 4), lambda: [L.RNN(L.StackedRNNCells([L.LSTMCell(2), L.LSTMCell(3),
                                                                         L.GRUCell(3, reset_after=False)]))]),
    "separable_depthwise_transpose": seq((6, 4), lambda: [L.SeparableConv1D(3, 2, depth_multiplier=2),
                                                          L.DepthwiseConv1D(2), L.Conv1DTranspose(2, 3, strides=2)]),
    "prelu_norms": seq((5, 4), lambda: [L.PReLU(), L.GroupNormalization(2), L.RMSNormalization(),
                                        L.UnitNormalization(), L.LayerNormalization(rms_scaling=True)]),
    "convlstm1d": seq((4, 6, 2), lambda: [L.ConvLSTM1D(3, 2, padding="same", return_sequences=True), L.Flatten()]),
    "timedistributed_conv2d": seq((3, 4, 4, 1), lambda: [L.TimeDistributed(L.Conv2D(2, 2)),
                                                         L.TimeDistributed(L.MaxPooling2D()),
                                                         L.TimeDistributed(L.Flatten()), L.LSTM(3)]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(0)
    goldens = {"keras": keras.__version__, "cases": []}
    for name, make in CASES.items():
        model = make()
        for w in model.weights:  # non-trivial weights (Keras starts biases at zero)
            w.assign(rng.uniform(-0.5, 0.5, w.shape).astype("float32"))
        xs = {i.name: (rng.randint(0, 5, [2, *i.shape[1:]]).astype("int32") if "int" in str(i.dtype) else
                       rng.uniform(-1, 1, [2, *i.shape[1:]]).round(4).astype("float32")) for i in model.inputs}
        y = model.predict([xs[i.name] for i in model.inputs] if len(xs) > 1 else next(iter(xs.values())), verbose=0)
        model.save(os.path.join(OUT, f"{name}.keras"))
        rows = []
        for layer in model.layers:
            out = layer.output
            shape = [list(o.shape) for o in out] if isinstance(out, (list, tuple)) else list(out.shape)
            rows.append({"name": layer.name, "class": type(layer).__name__, "output_shape": shape,
                         "params": layer.count_params()})
        goldens["cases"].append({
            "id": name, "file": f"tests/data/keras_files/{name}.keras", "rows": rows,
            "total_params": model.count_params(),
            "input": {k: v.tolist() for k, v in xs.items()} if len(xs) > 1 else next(iter(xs.values())).tolist(),
            "output": [np.asarray(t).tolist() for t in y] if isinstance(y, (list, tuple)) else np.asarray(y).tolist()})
    with open(os.path.join(HERE, "keras_files.json"), "w") as f:
        json.dump(goldens, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
