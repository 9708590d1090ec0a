"""What real Keras 3 reports for the public Keras source files in tests/data/sources/keras/.

Run from the repository root in the goldens environment:

    KERAS_BACKEND=torch /work/genv/bin/python goldens/gen_keras_sources.py

Each file there is real public code (its origin is in its first comment line).
For each one that builds a model, this script builds the same model with
Keras 3 (the layer calls below are the file's own, in its order, with its
values) and records what `model.summary()` prints: for each row the layer
name, class, output shape (batch axis included), parameter count and, for a
functional model, the "Connected to" cell; and the totals. Keras's automatic
names depend on what was made before, so each model starts from
`keras.backend.clear_session()`, as a fresh script does.

Keras 2 code that Keras 3 refuses or builds differently is built as the
minimally modernised equivalent, and `substitution` in the JSON says exactly
what was changed; lstmcalc reads the original as Keras 2 built it, which
gives the same table:

- `Embedding(..., input_length=L)` first in a Sequential: `keras.Input(shape=(L,))`
  is put first and `input_length` dropped (Keras 3 ignores it and leaves the
  model unbuilt);
- a first Embedding without `input_length`: `keras.Input(shape=(None,))` first
  (Keras 2 built the model with a variable length);
- `batch_input_shape=(B, ...)` on the first layer: `keras.Input(batch_shape=(B, ...))`
  first;
- Keras 2 module paths (`keras.layers.recurrent`, `.convolutional`, ...) are
  the same classes in `keras.layers`.

Files lstmcalc must refuse (a model built inside a function, a size known
only when the code runs, a misspelt keyword) are listed under `refusals`
with the line and column of the construct (what Keras 2 itself would
reject is noted).
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["COLUMNS"] = "1000"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import rich.markup  # noqa: E402
import rich.table  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras_sources.json")
MODELS = {}


def case(file, substitution=None, model=None):
    def wrap(fn):
        MODELS[file if model is None else f"{file}#{model}"] = (file, fn, substitution, model)
        return fn
    return wrap


def capture(model):
    cells = []
    original = rich.table.Table.add_row

    def add_row(table, *renderables, **kwargs):
        cells.append([rich.markup.render(c).plain if isinstance(c, str) else str(c) for c in renderables])
        return original(table, *renderables, **kwargs)

    lines = []
    rich.table.Table.add_row = add_row
    try:
        model.summary(print_fn=lines.append, line_length=400)
    finally:
        rich.table.Table.add_row = original
    return "".join(lines), cells


def parse_shape(text):
    return json.loads(text.replace("(", "[").replace(")", "]").replace("None", "null"))


def count(weights):
    return int(sum(np.prod(w.shape, dtype=np.int64) for w in weights))


def summarize(model):
    text, cells = capture(model)
    by_label = {f"{layer.name} ({type(layer).__name__})": layer for layer in model.layers}
    if not isinstance(model, keras.Sequential):
        by_label.update({f"{t._keras_history.operation.name} (InputLayer)": t._keras_history.operation
                         for t in model.inputs})
    rows = []
    for row in cells:
        layer = by_label[row[0]]
        rows.append({"name": layer.name, "type": type(layer).__name__, "output_shape": parse_shape(row[1]),
                     "params": int(row[2].replace(",", "").split()[0]),
                     "connected_to": None if len(row) < 4 else ([] if row[3] == "-" else row[3].split(", "))})
    return {"rows": rows, "total_params": count(model.weights),
            "trainable_params": count(model.trainable_weights),
            "non_trainable_params": count(model.non_trainable_weights), "summary_text": text}


# --------------------------------------------------------------------------------------------------
# The models, as each file builds them (file name in tests/data/sources/keras/)
# --------------------------------------------------------------------------------------------------
INPUT_LENGTH = "Embedding(..., input_length={L}) first: keras.Input(shape=({L},)) put first, input_length dropped"
NO_LENGTH = "first Embedding without input_length: keras.Input(shape=(None,)) put first"


@case("keras2_imdb_cnn_lstm.py", INPUT_LENGTH.format(L=100))
def imdb_cnn_lstm():
    max_features, maxlen, embedding_size = 20000, 100, 128
    kernel_size, filters, pool_size, lstm_output_size = 5, 64, 4, 70
    model = keras.Sequential()
    model.add(keras.Input(shape=(maxlen,)))
    model.add(layers.Embedding(max_features, embedding_size))
    model.add(layers.Dropout(0.25))
    model.add(layers.Conv1D(filters, kernel_size, padding="valid", activation="relu", strides=1))
    model.add(layers.MaxPooling1D(pool_size=pool_size))
    model.add(layers.LSTM(lstm_output_size))
    model.add(layers.Dense(1))
    model.add(layers.Activation("sigmoid"))
    return model


@case("keras2_imdb_bidirectional_lstm.py", INPUT_LENGTH.format(L=100))
def imdb_bidirectional():
    model = keras.Sequential()
    model.add(keras.Input(shape=(100,)))
    model.add(layers.Embedding(20000, 128))
    model.add(layers.Bidirectional(layers.LSTM(64)))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


@case("gokulsg_sentiment_lstm.py", NO_LENGTH)
def gokulsg():
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,)))
    model.add(layers.Embedding(30000, 128))
    model.add(layers.LSTM(128, dropout=0.2, recurrent_dropout=0.2))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


@case("tintinrevient_imdb_bidirectional.py", NO_LENGTH)
def tintinrevient():
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,)))
    model.add(layers.Embedding(10000, 32))
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


@case("kushagra_imdb_functional.py")
def kushagra():
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(20000, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


@case("kirinchen_gru_stack.py", INPUT_LENGTH.format(L=100))
def kirinchen():
    model = keras.Sequential()
    model.add(keras.Input(shape=(100,)))
    model.add(layers.Embedding(10000, 32))
    model.add(layers.GRU(32, return_sequences=True))
    model.add(layers.GRU(32, return_sequences=True))
    model.add(layers.GRU(32))
    return model


@case("litpuvn_td_conv1d_lstm.py", "batch_input_shape=(24, None, 24, 1) on the first layer: "
      "keras.Input(batch_shape=(24, None, 24, 1)) put first; keras.layers.convolutional/.core/.pooling/"
      ".recurrent/.wrappers are keras.layers")
def litpuvn():
    model = keras.Sequential()
    model.add(keras.Input(batch_shape=(24, None, 24, 1)))
    model.add(layers.TimeDistributed(layers.Conv1D(filters=5, kernel_size=3, activation="relu")))
    model.add(layers.TimeDistributed(layers.MaxPooling1D(pool_size=2)))
    model.add(layers.TimeDistributed(layers.Flatten()))
    model.add(layers.LSTM(50, stateful=True, return_sequences=True))
    model.add(layers.LSTM(10, stateful=True, return_sequences=True))
    model.add(layers.Dense(24))
    return model


@case("jkljklkjj_conv2d_lstm_no_import.py", "the file has no import line: keras is Keras")
def jkljklkjj():
    window_size, fea_num = 7, 5
    return keras.models.Sequential([
        keras.layers.Input((window_size, fea_num)),
        keras.layers.Reshape((window_size, fea_num, 1)),
        keras.layers.Conv2D(filters=64, kernel_size=3, strides=1, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2, strides=1, padding="same"),
        keras.layers.Dropout(0.3),
        keras.layers.Reshape((window_size, -1)),
        keras.layers.LSTM(128, return_sequences=True),
        keras.layers.LSTM(64, return_sequences=False),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1),
    ])


@case("davidsonic_stateful_batch_input_shape.py", "batch_input_shape=(32, 8, 16) on the first layer: "
      "keras.Input(batch_shape=(32, 8, 16)) put first")
def davidsonic():
    data_dim, timesteps, batch_size = 16, 8, 32
    model = keras.Sequential()
    model.add(keras.Input(batch_shape=(batch_size, timesteps, data_dim)))
    model.add(layers.LSTM(32, return_sequences=True, stateful=True))
    model.add(layers.LSTM(32, return_sequences=True, stateful=True))
    model.add(layers.LSTM(32, stateful=True))
    model.add(layers.Dense(10, activation="softmax"))
    return model


@case("so_lstm_input_dim_keras1.py", "LSTM(32, input_dim=9) first (Keras 1/2: input_shape=(input_length=None, 9)): "
      "keras.Input(shape=(None, 9)) put first, input_dim dropped (Keras 3 reads input_dim=9 as the shape (9,) and "
      "refuses the LSTM: keras3_as_written)")
def so_input_dim():
    model = keras.Sequential()
    model.add(keras.Input(shape=(None, 9)))
    model.add(layers.LSTM(32))
    model.add(layers.Dense(2))
    return model


@case("so_simplernn_layers_no_import.py", "the snippet has no import line: layers is keras.layers")
def so_simplernn():
    model = keras.Sequential()
    model.add(layers.SimpleRNN(units=10, input_shape=(3, 1), use_bias=True, bias_initializer="zeros",
                               activation="relu", kernel_initializer="random_uniform"))
    model.add(layers.Dense(1, activation="sigmoid"))
    return model


@case("eumjw_stacked_lstm.py")
def eumjw():
    model = keras.Sequential()
    model.add(layers.LSTM(10, input_shape=(3, 1), return_sequences=True))
    model.add(layers.LSTM(5))
    model.add(layers.Dense(1))
    return model


@case("aortiz_covid_stacked_lstm.py")
def aortiz():
    n_steps, n_element = 3, 1
    model = keras.Sequential()
    model.add(layers.LSTM(50, activation="relu", return_sequences=True, input_shape=(n_steps, n_element)))
    model.add(layers.Dropout(0.2))
    model.add(layers.LSTM(50, activation="relu", return_sequences=True))
    model.add(layers.Dropout(0.2))
    model.add(layers.LSTM(50, activation="relu", return_sequences=True))
    model.add(layers.Dropout(0.2))
    model.add(layers.LSTM(50))
    model.add(layers.Dropout(0.2))
    model.add(layers.Dense(1))
    return model


@case("sevenxue_multi_input_output.py", "Embedding(..., input_length=100) inside the graph: input_length dropped "
      "(Keras 3 ignores it; the Input already has the length)")
def sevenxue():
    main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
    x = layers.Embedding(output_dim=512, input_dim=10000)(main_input)
    lstm_out = layers.LSTM(32)(x)
    auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = keras.Input(shape=(5,), name="aux_input")
    x = layers.concatenate([lstm_out, auxiliary_input])
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
    return keras.Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])


@case("barleysack_conv1d_gru_no_import.py", "the file has no import line: keras is Keras")
def barleysack():
    return keras.models.Sequential([
        keras.layers.Conv1D(filters=20, kernel_size=4, strides=2, padding="valid", input_shape=[None, 1]),
        keras.layers.GRU(20, return_sequences=True),
        keras.layers.GRU(20, return_sequences=True),
        keras.layers.TimeDistributed(keras.layers.Dense(10)),
    ])


def keras3_as_written(file):
    """What Keras 3 does with the code as written, where lstmcalc refuses it or reads it as Keras 2 did."""
    keras.backend.clear_session()
    try:
        if file == "so_lstm_input_dim_keras1.py":
            model = keras.Sequential()
            model.add(layers.LSTM(32, input_dim=9))
        elif file == "so_dense_before_lstm.py":
            model = keras.Sequential()
            model.add(layers.Dense(5, input_shape=(1,)))
            model.add(layers.Dense(10))
            model.add(layers.LSTM(32))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return "built"


def seq2seq_layers():
    latent_dim, num_encoder_tokens, num_decoder_tokens = 256, 71, 93
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
    encoder = layers.LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = layers.Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    encoder_model = keras.Model(encoder_inputs, encoder_states)
    decoder_state_input_h = keras.Input(shape=(latent_dim,))
    decoder_state_input_c = keras.Input(shape=(latent_dim,))
    decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
    decoder_outputs, state_h, state_c = decoder_lstm(decoder_inputs, initial_state=decoder_states_inputs)
    decoder_states = [state_h, state_c]
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = keras.Model([decoder_inputs] + decoder_states_inputs, [decoder_outputs] + decoder_states)
    return {"model": model, "encoder_model": encoder_model, "decoder_model": decoder_model}


for _name in ("model", "encoder_model", "decoder_model"):
    case("keras2_lstm_seq2seq.py", model=None if _name == "decoder_model" else _name)(
        lambda _name=_name: seq2seq_layers()[_name])

# Real Keras 2 / TensorFlow.js JSON files in tests/data/sources/keras_json/, built by Keras 3 from their configs
JSON_FILES = {
    "jacksonsmith_bilstm_pos_tagger.json":
        "https://github.com/3jacksonsmith/biderectional_LSTM_pos_tag/blob/161334b41c7a2170d20d8e75a292dac143423501/"
        "model.json (Keras 2.3.1 model.to_json())",
    "proxy_imdb_conv_lstm_keras209.json":
        "https://github.com/0xPr0xy/keras-imdb-sentiment-classification/blob/d08d59ffab70b336f1f4166462a105f6da7a1ac4/"
        "model.json (Keras 2.0.9, the pre-2.2 list form)",
    "voicewatch_tfjs_conv1d_lstm.model.json":
        "https://github.com/ElifKeskinn/voiceWatchBackend/blob/0dfcfb9e19a2dabc5ceb9ec24f517f3c5b6ccd24/"
        "tfjs_model/model.json (TensorFlow.js Converter v4.21.0 from Keras 2.15)",
}
# config keys Keras 2 wrote that Keras 3's constructors refuse, and what is put instead
DROPPED = ("batch_input_shape", "input_length", "time_major", "implementation")


def from_keras2_config(layer):
    cls, cfg = layer["class_name"], {k: v for k, v in layer["config"].items() if k not in DROPPED}
    if cls in ("Bidirectional", "TimeDistributed"):
        inner = from_keras2_config(cfg.pop("layer"))
        cfg = {k: v for k, v in cfg.items() if k in ("name", "merge_mode")}
        return getattr(layers, cls)(inner, **cfg)
    for key in ("kernel_initializer", "recurrent_initializer", "bias_initializer", "embeddings_initializer"):
        cfg.pop(key, None)  # initializers change no shape or count; Keras 2's spellings are not all Keras 3's
    return getattr(layers, cls)(**cfg)


def build_json(path):
    """Keras 3 building a Keras 2 / TF.js config: Input(batch_shape=the first layer's batch_input_shape)
    first, then each layer from its config (the keys in DROPPED and the initializers left out)."""
    data = json.load(open(path))
    manifest = None
    if "modelTopology" in data:
        manifest = data.get("weightsManifest")
        data = data["modelTopology"]
        data = data.get("model_config", data)
    config = data["config"]
    items = config if isinstance(config, list) else config["layers"]
    model = keras.Sequential(name=None if isinstance(config, list) else config.get("name"))
    first = items[0]["config"]
    model.add(keras.Input(batch_shape=tuple(first["batch_input_shape"]),
                          dtype="int32" if items[0]["class_name"] == "Embedding" else "float32"))
    for item in items:
        if item["class_name"] == "InputLayer":
            continue
        model.add(from_keras2_config(item))
    shapes = None
    if manifest:
        shapes = {w["name"]: w["shape"] for group in manifest for w in group["weights"]}
    return model, shapes


REFUSALS = {
    "keras2_lstm_stateful_function.py": {"line": 45, "column": 18, "construct": "create_model",
                                         "why": "the model is built inside a function"},
    "sentdex_cudnnlstm_mnist.py": {"line": 22, "column": 39, "construct": "x_train.shape",
                                   "why": "a size known only when the code runs (MNIST: 28, 28)"},
    "kerasio_addition_rnn_loop.py": {"line": 38, "column": 1, "construct": "a loop",
                                     "why": "a for loop adds the decoder LSTMs"},
    "burkhart_model_in_function.py": {"line": 7, "column": 1, "construct": "lstm_model()",
                                      "why": "the only model is built in a function the file never calls"},
    "so_dense_before_lstm.py": {"line": 8, "column": 11, "construct": "LSTM",
                                "why": "an LSTM on the 2-D output of a Dense; Keras refuses it too"},
    "abhimanyu_misspelt_input_lenght.py": {"line": 37, "column": 70, "construct": "input_lenght",
                                           "why": "a misspelt keyword; Keras 2 raises TypeError too"},
}


def main():
    out = {"keras_version": keras.__version__, "models": {}, "refusals": REFUSALS}
    for key, (file, fn, substitution, model_name) in MODELS.items():
        keras.backend.clear_session()
        model = fn()
        record = {"file": file, "model": model_name, "substitution": substitution, **summarize(model)}
        out["models"][key] = record
    out["json_files"] = {}
    for file, origin in JSON_FILES.items():
        keras.backend.clear_session()
        model, shapes = build_json(os.path.join(HERE, "..", "tests", "data", "sources", "keras_json", file))
        record = {"origin": origin, **summarize(model)}
        if shapes is not None:  # the file's own weight shapes (TF.js weightsManifest)
            record["manifest_params"] = int(sum(np.prod(s, dtype=np.int64) for s in shapes.values()))
        out["json_files"][file] = record
    # explain on Keras 2 files (tests/data/models/keras2_sequential.json: GRU(8) on 32 features without
    # reset_after, CuDNNLSTM(32) on 16): the count each framework gives
    import torch

    def built(layer, shape):
        keras.backend.clear_session()
        m = keras.Sequential([keras.Input(shape), layer])
        return m.count_params()

    out["explain_keras2"] = {
        "gru_reset_after_false": built(layers.GRU(8, reset_after=False), (40, 32)),
        "gru_reset_after_true": built(layers.GRU(8), (40, 32)),
        "lstm_keras3": built(layers.LSTM(32, return_sequences=True), (40, 16)),
        # CuDNNLSTM kept PyTorch's two bias vectors: nn.LSTM(16, 32) is the same count
        "cudnnlstm_as_torch_lstm": sum(p.numel() for p in torch.nn.LSTM(16, 32).parameters()),
    }
    out["models"]["so_lstm_input_dim_keras1.py"]["keras3_as_written"] = keras3_as_written("so_lstm_input_dim_keras1.py")
    out["refusals"]["so_dense_before_lstm.py"]["keras3"] = keras3_as_written("so_dense_before_lstm.py")
    # A file that misspells a keyword: Keras itself refuses it.
    keras.backend.clear_session()
    try:
        layers.Embedding(5000, 32, input_lenght=500)
    except Exception as e:  # noqa: BLE001
        out["refusals"]["abhimanyu_misspelt_input_lenght.py"]["keras3"] = type(e).__name__
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}: {len(out['models'])} models", file=sys.stderr)


if __name__ == "__main__":
    main()
