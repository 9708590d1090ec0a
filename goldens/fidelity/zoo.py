import json
import os

import keras
import numpy as np
from keras import layers as L

OUT_DIR = os.environ.get("FIDELITY_DIR", "build/fidelity")
os.makedirs(f"{OUT_DIR}/models", exist_ok=True)

rng = np.random.RandomState(0)


def seq(*ls, shape=(5, 4)):
    return lambda: keras.Sequential([keras.Input(shape), *ls])


def fn(build, shapes):
    def f():
        ins = [keras.Input(s, name=f"in{i}") for i, s in enumerate(shapes)]
        return keras.Model(ins, build(*ins))

    return f


Z = {
    "rnn_lstmcell": seq(L.RNN(L.LSTMCell(3), return_sequences=True), L.Dense(2)),
    "rnn_stacked": seq(L.RNN([L.GRUCell(3), L.SimpleRNNCell(2)])),
    "rnn_stackedcells": seq(L.RNN(L.StackedRNNCells([L.LSTMCell(2), L.GRUCell(3, reset_after=False)]))),
    "bidi_rnn_cell": seq(L.Bidirectional(L.RNN(L.LSTMCell(3)))),
    "convlstm1d": seq(L.ConvLSTM1D(3, 2, padding="same", return_sequences=True), L.Flatten(), shape=(4, 6, 2)),
    "convlstm2d": seq(L.ConvLSTM2D(2, (2, 2)), L.Flatten(), shape=(3, 4, 4, 1)),
    "td_conv2d": seq(
        L.TimeDistributed(L.Conv2D(2, 2)),
        L.TimeDistributed(L.MaxPooling2D()),
        L.TimeDistributed(L.Flatten()),
        L.LSTM(3),
        shape=(3, 4, 4, 1),
    ),
    "conv2d_crnn": seq(
        L.Conv2D(3, 3, padding="same"), L.MaxPooling2D((2, 1)), L.Reshape((3, 9)), L.GRU(2), shape=(6, 3, 1)
    ),
    "sepconv": seq(
        L.SeparableConv1D(3, 2, depth_multiplier=2), L.DepthwiseConv1D(2), L.Conv1DTranspose(2, 3, strides=2)
    ),
    "prelu_norms": seq(
        L.PReLU(),
        L.GroupNormalization(2),
        L.RMSNormalization(),
        L.UnitNormalization(),
        L.LayerNormalization(rms_scaling=True),
    ),
    "bn": seq(L.BatchNormalization(), L.Dense(3), L.BatchNormalization(center=False)),
    "gqa": fn(lambda a, b: L.GroupedQueryAttention(8, 4, 2)(a, b), [(5, 6), (4, 3)]),
    "mha_key": fn(
        lambda a, b, c: L.MultiHeadAttention(2, 3, value_dim=2, output_shape=5)(a, b, c), [(5, 6), (4, 3), (4, 2)]
    ),
    "attn_concat": fn(lambda a, b: L.Attention(use_scale=True, score_mode="concat")([a, b]), [(5, 3), (4, 3)]),
    "additive": fn(lambda a, b: L.AdditiveAttention()([a, b, b]), [(5, 3), (4, 3)]),
    "bidi_backward": seq(
        L.Bidirectional(
            L.LSTM(3, return_sequences=True),
            backward_layer=L.GRU(2, return_sequences=True, go_backwards=True),
            merge_mode="concat",
        )
    ),
    "emb_mask": lambda: keras.Sequential(
        [keras.Input((6,), dtype="int32"), L.Embedding(9, 4, mask_zero=True), L.LSTM(3)]
    ),
    "td_dense_bidi_gru": seq(
        L.TimeDistributed(L.Dense(3)),
        L.Bidirectional(L.GRU(2, reset_after=False, return_sequences=True), merge_mode="ave"),
    ),
    "softmax_mask": lambda: keras.Sequential(
        [keras.Input((6,), dtype="int32"), L.Embedding(9, 4, mask_zero=True), L.Softmax()]
    ),
    "conv_pool2d_global": seq(
        L.Conv2D(2, 3, strides=2, padding="same"),
        L.AveragePooling2D(2, padding="same"),
        L.GlobalMaxPooling2D(),
        shape=(7, 7, 2),
    ),
}
out = []
for name, make in Z.items():
    try:
        m = make()
        for w in m.weights:
            v = rng.uniform(-0.5, 0.5, w.shape).astype("float32")
            if "variance" in w.path:
                v = np.abs(v) + 0.5
            w.assign(v)
        xs = {}
        for inp in m.inputs:
            shp = [2] + list(inp.shape[1:])
            xs[inp.name] = (
                rng.randint(0, 5, shp).astype("int32")
                if "int" in str(inp.dtype)
                else rng.uniform(-1, 1, shp).astype("float32")
            )
        arg = [xs[i.name] for i in m.inputs] if len(m.inputs) > 1 else xs[m.inputs[0].name]
        y = m.predict(arg, verbose=0)
        path = f"{OUT_DIR}/models/zoo_{name}.keras"
        m.save(path)
        out.append(
            {
                "id": name,
                "keras_file": path,
                "json": m.to_json(),
                "x": {k: v.tolist() for k, v in xs.items()},
                "y": np.asarray(y).tolist(),
                "rows": [
                    {"name": layer.name, "class": layer.__class__.__name__, "params": layer.count_params()}
                    for layer in m.layers
                ],
                "total": m.count_params(),
            }
        )
    except Exception as e:
        print("KERAS FAIL", name, type(e).__name__, str(e)[:200])
json.dump(out, open(f"{OUT_DIR}/zoo.json", "w"))
print(len(out))
