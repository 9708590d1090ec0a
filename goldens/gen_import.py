"""Real models saved by Keras 3 and torch, and what those frameworks report about them.

Run in the goldens environment (KERAS_BACKEND=torch /work/genv/bin/python goldens/gen_import.py).
Writes small files under tests/data/models/ and tests/data/models/goldens.json:
for each model its summary rows (name, class, output shape, params), totals,
and its output on a fixed input (the input is saved next to it as JSON).
"""

import json
import os
import random

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "models")
goldens = {}


def shape_of(t):
    return list(t.shape)


def keras_rows(model):
    rows = []
    for layer in model.layers:
        out = layer.output
        shape = [list(o.shape) for o in out] if isinstance(out, (list, tuple)) else list(out.shape)
        rows.append({"name": layer.name, "type": type(layer).__name__, "output_shape": shape,
                     "params": layer.count_params()})
    if isinstance(model, keras.Sequential):
        rows.insert(0, None)  # the Sequential's input row is not a layer
    return rows


def fixed_input(shape, ints=None, seed=0):
    rng = random.Random(seed)
    if ints:
        return [[[rng.randrange(ints)] for _ in range(shape[0])] for _ in range(2)] if False else \
            [[rng.randrange(1, ints) for _ in range(shape[0])] for _ in range(2)]
    def fill(dims):
        if not dims:
            return round(rng.uniform(-1, 1), 4)
        return [fill(dims[1:]) for _ in range(dims[0])]
    return [fill(list(shape)) for _ in range(2)]


def save_keras(name, model, input_shape, ints=None):
    keras.utils.set_random_seed(1)
    model.save(os.path.join(OUT, f"{name}.keras"))
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        f.write(model.to_json())
    x = fixed_input(input_shape, ints)
    with open(os.path.join(OUT, f"{name}.input.json"), "w") as f:
        json.dump(x, f)
    y = model.predict(np.array(x, dtype="int32" if ints else "float32"), verbose=0)
    y = [v.tolist() for v in y] if isinstance(y, (list, tuple)) else y.tolist()
    goldens[name] = {"rows": [r for r in keras_rows(model) if r], "total_params": model.count_params(),
                     "trainable_params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
                     "output": y}


def config_only(path):
    """A .keras file without its weights (what summary reads), to keep the test data small."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in ("metadata.json", "config.json")}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)


def keras_models():
    keras.utils.set_random_seed(1)
    inp = keras.Input((50, 10), name="input_layer")
    x = layers.LSTM(128, return_sequences=True, name="lstm1")(inp)
    x = layers.LSTM(64, name="lstm2")(x)
    x = layers.Dense(128, activation="relu", name="dense1")(x)
    x = layers.Dense(64, activation="relu", name="dense2")(x)
    x = layers.Dense(1, activation="sigmoid", name="output")(x)
    save_keras("seed_functional", keras.Model(inp, x), (50, 10))
    config_only(os.path.join(OUT, "seed_functional.keras"))  # 137k weights: keep the file small

    m = keras.Sequential([keras.Input((12, 4)), layers.GRU(8, return_sequences=True),
                          layers.Bidirectional(layers.LSTM(6)), layers.Dense(3, activation="softmax")])
    save_keras("seq_gru_bilstm", m, (12, 4))

    m = keras.Sequential([keras.Input((10,), dtype="int32"), layers.Embedding(50, 8, mask_zero=True),
                          layers.SimpleRNN(5), layers.Dense(2)])
    save_keras("seq_embedding_rnn", m, (10,), ints=50)

    m = keras.Sequential([keras.Input((16, 3)), layers.Conv1D(4, 3, padding="causal", activation="relu"),
                          layers.MaxPooling1D(2), layers.BatchNormalization(), layers.LSTM(5),
                          layers.Dense(1)])
    save_keras("seq_conv_lstm", m, (16, 3))

    enc_in = keras.Input((None, 7), name="encoder_inputs")
    dec_in = keras.Input((None, 9), name="decoder_inputs")
    _, h, c = layers.LSTM(6, return_state=True, name="encoder")(enc_in)
    dec = layers.LSTM(6, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    out = layers.TimeDistributed(layers.Dense(9, activation="softmax"), name="probs")(dec)
    goldens_model = keras.Model([enc_in, dec_in], out)
    keras.utils.set_random_seed(1)
    goldens_model.save(os.path.join(OUT, "seq2seq.keras"))
    with open(os.path.join(OUT, "seq2seq.json"), "w") as f:
        f.write(goldens_model.to_json())
    x = {"encoder_inputs": fixed_input((5, 7), seed=1), "decoder_inputs": fixed_input((4, 9), seed=2)}
    with open(os.path.join(OUT, "seq2seq.input.json"), "w") as f:
        json.dump(x, f)
    y = goldens_model.predict([np.array(x["encoder_inputs"], "float32"), np.array(x["decoder_inputs"], "float32")],
                              verbose=0)
    goldens["seq2seq"] = {"rows": keras_rows(goldens_model), "total_params": goldens_model.count_params(),
                          "trainable_params": goldens_model.count_params(), "output": y.tolist()}

    a = keras.Input((6, 4), name="left")
    b = keras.Input((6, 4), name="right")
    shared = layers.GRU(5, name="shared")
    d = layers.Subtract(name="diff")([shared(a), shared(b)])
    o = layers.Dense(1, activation="sigmoid", name="score")(layers.Concatenate(name="cat")([d, shared(a)]))
    siamese = keras.Model([a, b], o)
    siamese.save(os.path.join(OUT, "siamese.keras"))
    with open(os.path.join(OUT, "siamese.json"), "w") as f:
        f.write(siamese.to_json())
    goldens["siamese"] = {"rows": keras_rows(siamese), "total_params": siamese.count_params(),
                          "trainable_params": siamese.count_params()}


def save_legacy_h5(name, model, input_shape, ints=None):
    """`model.save("x.h5")`: Keras 3 writes the legacy (Keras 2) HDF5 format, model_config + model_weights."""
    keras.utils.set_random_seed(1)
    model.save(os.path.join(OUT, f"{name}.h5"))
    x = fixed_input(input_shape, ints, seed=5)
    with open(os.path.join(OUT, f"{name}.input.json"), "w") as f:
        json.dump(x, f)
    y = model.predict(np.array(x, dtype="int32" if ints else "float32"), verbose=0)
    goldens[name] = {"rows": [r for r in keras_rows(model) if r], "total_params": model.count_params(),
                     "trainable_params": model.count_params(), "output": y.tolist()}


def legacy_h5_models():
    keras.utils.set_random_seed(2)
    m = keras.Sequential([keras.Input((8, 3)), layers.Conv1D(4, 3, activation="relu"),
                          layers.Bidirectional(layers.GRU(5, return_sequences=True)),
                          layers.TimeDistributed(layers.Dense(3)), layers.LSTM(4), layers.Dense(2)], name="legacy_seq")
    save_legacy_h5("legacy_conv_bigru", m, (8, 3))

    m = keras.Sequential([keras.Input((6,)), layers.Embedding(20, 4), layers.GRU(3, reset_after=False,
                                                                                return_sequences=True),
                          layers.SimpleRNN(2), layers.Dense(1, activation="sigmoid")], name="legacy_gru_v1")
    save_legacy_h5("legacy_gru_reset_before", m, (6,), ints=20)

    enc_in = keras.Input((None, 3), name="enc")
    dec_in = keras.Input((None, 4), name="dec")
    _, h, c = layers.LSTM(5, return_state=True, name="encoder")(enc_in)
    dec = layers.LSTM(5, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    out = layers.Dense(4, activation="softmax", name="probs")(dec)
    m = keras.Model([enc_in, dec_in], out)
    keras.utils.set_random_seed(1)
    m.save(os.path.join(OUT, "legacy_seq2seq.h5"))
    x = {"enc": fixed_input((5, 3), seed=6), "dec": fixed_input((4, 4), seed=7)}
    with open(os.path.join(OUT, "legacy_seq2seq.input.json"), "w") as f:
        json.dump(x, f)
    y = m.predict([np.array(x["enc"], "float32"), np.array(x["dec"], "float32")], verbose=0)
    goldens["legacy_seq2seq"] = {"rows": keras_rows(m), "total_params": m.count_params(),
                                 "trainable_params": m.count_params(), "output": y.tolist()}


def torch_models():
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(4, 6, num_layers=2, batch_first=True)
            self.fc = torch.nn.Linear(6, 2)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.fc(out[:, -1, :])

    net = Net().eval()
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, os.path.join(OUT, "torch_lstm.safetensors"))
    np.savez(os.path.join(OUT, "torch_lstm.npz"), **{k: v.numpy() for k, v in net.state_dict().items()})
    torch.save(net.state_dict(), os.path.join(OUT, "torch_lstm.pt"))
    x = fixed_input((7, 4), seed=3)
    with open(os.path.join(OUT, "torch_lstm.input.json"), "w") as f:
        json.dump(x, f)
    with torch.no_grad():
        y = net(torch.tensor(x))
    goldens["torch_lstm"] = {"total_params": sum(p.numel() for p in net.parameters()), "output": y.tolist(),
                             "state_dict": {k: list(v.shape) for k, v in net.state_dict().items()}}

    # nested module paths in the state_dict names (tests/data/models/torch_nested.yaml is this module)
    torch.manual_seed(1)

    class Nested(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.seq = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU())
            self.lstm = torch.nn.LSTM(8, 6, batch_first=True, bidirectional=True)
            layer = torch.nn.TransformerEncoderLayer(12, 2, 16, dropout=0.0, batch_first=True)
            self.encoder = torch.nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
            self.fc = torch.nn.Linear(12, 3)

        def forward(self, x):
            out, _ = self.lstm(self.seq(x))
            return self.fc(self.encoder(out))

    net = Nested().eval()
    save_file({k: v.contiguous() for k, v in net.state_dict().items()},
              os.path.join(OUT, "torch_nested.safetensors"))
    x = fixed_input((5, 4), seed=4)
    with open(os.path.join(OUT, "torch_nested.input.json"), "w") as f:
        json.dump(x, f)
    with torch.no_grad():
        y = net(torch.tensor(x))
    goldens["torch_nested"] = {"total_params": sum(p.numel() for p in net.parameters()), "output": y.tolist(),
                               "state_dict": {k: list(v.shape) for k, v in net.state_dict().items()}}


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    keras_models()
    legacy_h5_models()
    torch_models()
    with open(os.path.join(OUT, "goldens.json"), "w") as f:
        json.dump(goldens, f, indent=1)
        f.write("\n")
