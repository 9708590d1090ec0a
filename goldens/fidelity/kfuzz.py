"""Random Keras 3 chains → to_json + real summary numbers (run in /work/genv)."""

import json
import os
import random
import sys

import keras
from keras import layers as L

OUT_DIR = os.environ.get("FIDELITY_DIR", "build/fidelity")
os.makedirs(f"{OUT_DIR}/models", exist_ok=True)

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 0
FWD = True
rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 200
ch = rng.choice


def rnn_args(kind):
    a = dict(
        units=rng.randint(1, 9),
        use_bias=ch([True, False]),
        go_backwards=ch([True, False]),
        activation=ch(["tanh", "relu", "sigmoid"]),
    )
    if kind != "SimpleRNN":
        a["recurrent_activation"] = ch(["sigmoid", "hard_sigmoid", "tanh"])
    if kind == "GRU":
        a["reset_after"] = ch([True, False])
    if kind == "LSTM":
        a["unit_forget_bias"] = ch([True, False])
    return a


def seq_layer(t, f):
    """A layer taking (None, t, f) to a 3-D output; returns (layer, new t or None)."""
    k = rng.randrange(16)
    if k < 4:
        kind = ch(["LSTM", "GRU", "SimpleRNN"])
        a = rnn_args(kind)
        a["return_sequences"] = True
        lay = getattr(L, kind)(**a)
        if rng.random() < 0.4:
            mm = ch(["concat", "sum", "mul", "ave"])
            lay = L.Bidirectional(lay, merge_mode=mm)
        return lay
    if k == 4:
        return L.TimeDistributed(L.Dense(rng.randint(1, 9), use_bias=ch([True, False])))
    if k == 5:
        return L.Dense(rng.randint(1, 9), activation=ch([None, "relu"]))
    if k == 6:
        pad = ch(["valid", "same", "causal"])
        ks = rng.randint(1, 3)
        dil = rng.randint(1, 2)
        strides = 1 if dil > 1 or pad == "causal" else rng.randint(1, 2)
        if pad == "valid" and t is not None and (ks - 1) * dil + 1 > t:
            return L.Dropout(0.1)
        return L.Conv1D(
            rng.randint(1, 8), ks, strides=strides, padding=pad, dilation_rate=dil, use_bias=ch([True, False])
        )
    if k == 7:
        cls = ch([L.MaxPooling1D, L.AveragePooling1D])
        ps = rng.randint(1, 3)
        pad = ch(["valid", "same"])
        if pad == "valid" and t is not None and ps > t:
            return L.Dropout(0.2)
        return cls(pool_size=ps, strides=ch([None, 1, 2]), padding=pad)
    if k == 8:
        return L.LayerNormalization(center=ch([True, False]), scale=ch([True, False]))
    if k == 9:
        return L.BatchNormalization(center=ch([True, False]), scale=ch([True, False]))
    if k == 10:
        return ch([L.Dropout(0.3), L.SpatialDropout1D(0.2), L.GaussianNoise(0.1), L.Activation("tanh")])
    if k == 11:
        return ch([L.UpSampling1D(rng.randint(1, 3)), L.ZeroPadding1D(rng.randint(0, 2))])
    if k == 12:
        ks = rng.randint(1, 3)
        if t is not None and ks > t:
            return L.Dropout(0.1)
        return ch(
            [
                L.SeparableConv1D(
                    rng.randint(1, 6), ks, depth_multiplier=rng.randint(1, 2), padding=ch(["valid", "same"])
                ),
                L.DepthwiseConv1D(ks, depth_multiplier=rng.randint(1, 2), padding=ch(["valid", "same"])),
                L.Conv1DTranspose(rng.randint(1, 6), ks, strides=rng.randint(1, 2), padding=ch(["valid", "same"])),
            ]
        )
    if k == 13:
        return L.Permute((2, 1)) if rng.random() < 0.3 else L.Dense(f)
    if k == 14:
        return ch([L.PReLU(), L.LeakyReLU(), L.ELU(), L.ReLU(max_value=ch([None, 6.0])), L.Softmax()])
    return ch(
        [
            L.GroupNormalization(groups=1),
            L.UnitNormalization(),
            L.RMSNormalization() if hasattr(L, "RMSNormalization") else L.Identity(),
        ]
    )


def head(model):
    k = rng.randrange(6)
    if k == 0:
        kind = ch(["LSTM", "GRU", "SimpleRNN"])
        a = rnn_args(kind)
        lay = getattr(L, kind)(**a)
        if rng.random() < 0.4:
            lay = L.Bidirectional(lay, merge_mode=ch(["concat", "sum"]))
        model.add(lay)
    elif k == 1:
        model.add(ch([L.GlobalMaxPooling1D(), L.GlobalAveragePooling1D(keepdims=ch([True, False]))]))
    elif k == 2:
        model.add(L.Flatten())
    elif k == 3:
        pass
    elif k == 4:
        model.add(L.LSTM(rng.randint(1, 5)))
        model.add(L.RepeatVector(rng.randint(1, 4)))
    else:
        model.add(L.GRU(rng.randint(1, 5), return_sequences=False))
    model.add(L.Dense(rng.randint(1, 5), activation=ch([None, "softmax"])))


out = []
for i in range(N):
    t = ch([None, 3, 5, 8]) if rng.random() < 0.3 else ch([3, 5, 8, 11])
    f = rng.randint(1, 7)
    use_emb = rng.random() < 0.25
    try:
        model = keras.Sequential(name=f"m{i}")
        if use_emb:
            model.add(keras.Input(shape=(t,), dtype="int32"))
            model.add(L.Embedding(rng.randint(5, 30), f, mask_zero=ch([True, False])))
        else:
            model.add(keras.Input(shape=(t, f)))
        for _ in range(rng.randint(1, 4)):
            shp = model.layers[-1].output.shape if model.layers else (None, t, f)
            model.add(seq_layer(shp[1], shp[2]))
            o = model.layers[-1].output.shape
            if len(o) != 3 or (o[1] is not None and o[1] < 1):
                raise ValueError("rank")
        head(model)
        rows = [
            {
                "name": layer.name,
                "class": layer.__class__.__name__,
                "params": layer.count_params(),
                "shape": json.loads(json.dumps(layer.output.shape)),
            }
            for layer in model.layers
        ]
        rec = {"id": f"m{i}", "json": model.to_json(), "rows": rows, "total": model.count_params()}
        if FWD:
            import numpy as np

            tt = t or 4
            if use_emb:
                x = np.array([[rng.randrange(0, 5) for _ in range(tt)] for _ in range(2)], dtype="int32")
            else:
                x = np.array(
                    [[[rng.uniform(-1, 1) for _ in range(f)] for _ in range(tt)] for _ in range(2)], dtype="float32"
                )
            # random non-trivial weights (BN statistics included)
            for w in model.weights:
                v = np.array([rng.uniform(-0.5, 0.5) for _ in range(int(np.prod(w.shape)))], dtype="float32").reshape(
                    w.shape
                )
                if "variance" in w.path:
                    v = np.abs(v) + 0.5
                w.assign(v)
            y = model.predict(x, verbose=0)
            path = f"{OUT_DIR}/models/m{SEED}_{i}.keras"
            model.save(path)
            rec.update(keras_file=path, x=x.tolist(), y=np.asarray(y).tolist())
        out.append(rec)
    except Exception as e:
        out.append({"id": f"m{i}", "keras_error": f"{type(e).__name__}: {str(e)[:200]}"})
json.dump(out, open(sys.argv[3] if len(sys.argv) > 3 else f"{OUT_DIR}/k.json", "w"))
print(len(out), sum("rows" in o for o in out))
