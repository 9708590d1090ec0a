"""Random Keras 3 functional graphs → .keras + rows + forward (run in /work/genv)."""

import json
import os
import random
import sys

import keras
import numpy as np
from keras import layers as L

OUT_DIR = os.environ.get("FIDELITY_DIR", "build/fidelity")
os.makedirs(f"{OUT_DIR}/models", exist_ok=True)

SEED = int(sys.argv[1])
N = int(sys.argv[2])
OUT = sys.argv[3]
rng = random.Random(SEED)
ch = rng.choice


def rnn(kind, units, **kw):
    return getattr(L, kind)(units, **kw)


out = []
for i in range(N):
    try:
        T1, T2 = ch([3, 4, 6]), ch([3, 4, 6, None])
        F1, F2 = rng.randint(1, 6), rng.randint(1, 6)
        a = keras.Input((T1, F1), name="enc_in")
        b = keras.Input((T2 if T2 else None, F2), name="dec_in")
        inputs = [a, b]
        u = rng.randint(1, 6)
        k = rng.randrange(9)
        kind = ch(["LSTM", "GRU", "SimpleRNN"])
        if k == 0:  # seq2seq with states
            enc = rnn(kind, u, return_state=True, return_sequences=ch([True, False]))
            res = enc(a)
            states = res[1:]
            dec = rnn(kind, u, return_sequences=True)(b, initial_state=states)
            y = L.Dense(rng.randint(1, 4))(dec)
        elif k == 1:  # bidirectional encoder with states
            enc = L.Bidirectional(rnn(kind, u, return_state=True))
            res = enc(a)
            st = res[1:]
            if kind == "LSTM":
                h = L.Concatenate()([st[0], st[2]])
                c = L.Concatenate()([st[1], st[3]])
                states = [h, c]
            else:
                states = [L.Concatenate()([st[0], st[1]])]
            dec = rnn(kind, 2 * u, return_sequences=True)(b, initial_state=states)
            y = L.Dense(2)(dec)
        elif k == 2:  # Luong attention with Attention layer
            enc_out = rnn(kind, u, return_sequences=True)(a)
            dec_out = rnn(kind, u, return_sequences=True)(b)
            ctx = L.Attention(use_scale=ch([True, False]), score_mode=ch(["dot", "concat"]))([dec_out, enc_out])
            y = L.Dense(3)(L.Concatenate()([dec_out, ctx]))
        elif k == 3:  # additive attention
            enc_out = rnn(kind, u, return_sequences=True)(a)
            dec_out = rnn(kind, u, return_sequences=True)(b)
            ctx = L.AdditiveAttention(use_scale=ch([True, False]))([dec_out, enc_out])
            y = L.Add()([dec_out, ctx])
        elif k == 4:  # MHA cross attention
            nh = rng.randint(1, 3)
            kd = rng.randint(1, 4)
            vd = ch([None, rng.randint(1, 4)])
            mha = L.MultiHeadAttention(
                nh, kd, value_dim=vd, use_bias=ch([True, False]), output_shape=ch([None, rng.randint(1, 5)])
            )
            y = mha(b, a)
            y = L.LayerNormalization()(y)
        elif k == 5:  # shared layer on two inputs
            shared = L.Dense(rng.randint(1, 5), activation="tanh")
            if F1 != F2:
                b = keras.Input((T2, F1), name="dec_in")
                inputs = [a, b]
            x1 = rnn(kind, u)(shared(a))
            x2 = rnn(kind, u)(shared(b))
            m = ch([L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum])
            y = m()([x1, x2]) if m is not L.Subtract else L.Subtract()([x1, x2])
            y = L.Dense(2)(y)
        elif k == 6:  # Dot merge of two encodings
            x1 = rnn(kind, u)(a)
            x2 = rnn(kind, u)(b)
            y = L.Dot(axes=1, normalize=ch([True, False]))([x1, x2])
        elif k == 7:  # self attention MHA block with causal mask
            x = L.Dense(u * 2)(b)
            att = L.MultiHeadAttention(ch([1, 2]), u)(x, x, use_causal_mask=ch([True, False]))
            x = L.LayerNormalization()(L.Add()([x, att]))
            y = L.GlobalAveragePooling1D()(x)
            inputs = [b]
        else:  # two outputs
            enc = rnn(kind, u, return_sequences=True, return_state=True)
            res = enc(a)
            y = [L.Dense(2)(res[0]), L.Dense(3)(res[1])]
        model = keras.Model(inputs, y, name=f"g{i}")
        for w in model.weights:
            v = np.array([rng.uniform(-0.5, 0.5) for _ in range(int(np.prod(w.shape)))], dtype="float32").reshape(
                w.shape
            )
            w.assign(v)
        xs = {}
        for inp in model.inputs:
            shp = [2] + [d if d is not None else 5 for d in inp.shape[1:]]
            xs[inp.name] = np.array(np.random.RandomState(i).uniform(-1, 1, shp), dtype="float32")
        ys = model.predict(
            [xs[n.name] for n in model.inputs] if len(model.inputs) > 1 else xs[model.inputs[0].name], verbose=0
        )
        rows = [
            {"name": layer.name, "class": layer.__class__.__name__, "params": layer.count_params()}
            for layer in model.layers
        ]
        path = f"{OUT_DIR}/models/g{SEED}_{i}.keras"
        model.save(path)
        out.append(
            {
                "id": f"g{SEED}_{i}",
                "json": model.to_json(),
                "rows": rows,
                "total": model.count_params(),
                "keras_file": path,
                "x": {k_: v.tolist() for k_, v in xs.items()},
                "y": [np.asarray(t).tolist() for t in ys] if isinstance(ys, (list, tuple)) else np.asarray(ys).tolist(),
                "multi": isinstance(ys, (list, tuple)),
            }
        )
    except Exception as e:
        out.append({"id": f"g{SEED}_{i}", "keras_error": f"{type(e).__name__}: {str(e)[:200]}"})
json.dump(out, open(OUT, "w"))
print(len(out), sum("rows" in o for o in out))
