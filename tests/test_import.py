"""Importers: Keras 3 models saved by the real framework (goldens/gen_import.py), Keras 2 JSON written from
Keras 2's documented format, Python source read with ast, weights files, and bad input of every new kind."""

import json
import os
import struct
import zipfile

import pytest
from click.testing import CliRunner

import lstmcalc
from lstmcalc.cli import main
from lstmcalc.gather.summary import summary_dict

DATA = os.path.join(os.path.dirname(__file__), "data", "models")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples")  # the seed question's code
GOLDENS = json.load(open(os.path.join(DATA, "goldens.json")))
KERAS_MODELS = ["seed_functional", "seq_gru_bilstm", "seq_embedding_rnn", "seq_conv_lstm", "seq2seq", "siamese"]


def cli(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("ext", [".json", ".keras"])
@pytest.mark.parametrize("name", KERAS_MODELS)
def test_keras3_rows_and_totals(name, ext):
    gold = GOLDENS[name]
    model = lstmcalc.load(os.path.join(DATA, name + ext))
    data = json.loads(json.dumps(summary_dict(model)))
    assert data["total_params"] == gold["total_params"]
    assert data["trainable_params"] == gold["trainable_params"]
    rows = {r["name"]: r for r in data["layers"]}
    for g in gold["rows"]:
        row = rows[g["name"]]
        assert row["type"] == g["type"]
        assert row["params"] == g["params"]
        assert row["output_shape"] == g["output_shape"]


@pytest.mark.parametrize("name", [n for n in KERAS_MODELS if "output" in GOLDENS[n] and n != "seed_functional"])
def test_run_saved_keras_model_without_weights_option(name):
    pytest.importorskip("h5py")
    result = cli("run", os.path.join(DATA, name + ".keras"), "--input", os.path.join(DATA, name + ".input.json"),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    got, want = json.loads(result.output)["output"], GOLDENS[name]["output"]

    def flat(v):
        return [x for item in v for x in flat(item)] if isinstance(v, list) else [v]
    assert len(flat(got)) == len(flat(want))
    assert max(abs(a - b) for a, b in zip(flat(got), flat(want))) < 1e-4


def test_keras2_sequential_counts_as_keras2_built_it():
    result = cli("summary", os.path.join(DATA, "keras2_sequential.json"), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    params = {r["name"]: r["params"] for r in data["layers"]}
    assert params == {"input_layer": 0, "embedding_1": 16000, "cu_dnnlstm_1": 4 * (32 * 48 + 2 * 32),
                      "gru_1": 3 * (8 * 40 + 8), "dense_1": 9}
    assert data["layers"][1]["output_shape"] == [None, 40, 16]
    assert any("CuDNNLSTM" in n for n in data["notes"]) and any("reset_after" in n for n in data["notes"])


def test_keras2_functional_list_nodes_and_batch():
    data = summary_dict(lstmcalc.load(os.path.join(DATA, "keras2_functional.json")))
    assert data["total_params"] == 1856 + 1728 + 170
    assert data["layers"][0]["output_shape"] == [4, None, 12]


def test_seed_question_source_prints_seed_table():
    result = cli("summary", os.path.join(EXAMPLES, "seed_question.py"), "--format", "plain")
    assert result.exit_code == 0, result.output
    assert "Total params: 137,217" in result.output
    assert "lstm1 (LSTM)              (None, 50, 128)   71,168" in result.output


@pytest.mark.parametrize("name", ["seq2seq.keras", "siamese.json", "keras2_sequential.json", "seq_gru_bilstm.keras"])
def test_import_gives_an_equivalent_spec(name, tmp_path):
    result = cli("import", os.path.join(DATA, name))
    assert result.exit_code == 0, result.output
    spec = tmp_path / "spec.yaml"
    spec.write_text(result.output)
    a = summary_dict(lstmcalc.load(str(spec)))
    b = summary_dict(lstmcalc.load(os.path.join(DATA, name)))
    assert [(r["name"], r["params"], r["output_shape"]) for r in a["layers"]] == \
        [(r["name"], r["params"], r["output_shape"]) for r in b["layers"]]


def test_import_of_a_spec_gives_it_back():
    result = cli("import", "specs/seed.yaml")
    assert result.exit_code == 0
    assert result.output.strip() == open("specs/seed.yaml").read().strip()


def test_safetensors_and_npz_agree_with_the_state_dict():
    from lstmcalc.sources import weight_files

    a = weight_files.read(os.path.join(DATA, "torch_lstm.safetensors"), None)
    b = weight_files.read(os.path.join(DATA, "torch_lstm.npz"), None)
    assert a == b
    shapes = GOLDENS["torch_lstm"]["state_dict"]

    def shape(v):
        return [len(v)] + shape(v[0]) if isinstance(v, list) else []
    for key, want in shapes.items():
        layer, name = key.rsplit(".", 1)
        assert shape(a[layer][name]) == want


PY_SOURCES = {
    "keras2_add.py": ("from keras.models import Sequential\nfrom keras.layers import Embedding, LSTM, Dense\n"
                      "model = Sequential()\nmodel.add(Embedding(1000, 64, input_length=10))\n"
                      "model.add(LSTM(32))\nmodel.add(Dense(1))\n", 64000 + 4 * (32 * 96 + 32) + 33),
    "tf_keras.py": ("import tensorflow as tf\nmodel = tf.keras.Sequential([\n"
                    "  tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(8), input_shape=(5, 3)),\n"
                    "  tf.keras.layers.Dense(2)])\n", 2 * 4 * (8 * 11 + 8) + 34),
    "layers_module.py": ("from tensorflow import keras\nfrom tensorflow.keras import layers\nT, F = 20, 2 * 3\n"
                         "inp = keras.Input(shape=(T, F))\nout, h, c = layers.LSTM(4, return_state=True)(inp)\n"
                         "x = layers.concatenate([h, c])\nmodel = keras.Model(inp, layers.Dense(1)(x))\n",
                         4 * (4 * 10 + 4) + 9),
}


@pytest.mark.parametrize("name", PY_SOURCES)
def test_python_source(name, tmp_path):
    text, total = PY_SOURCES[name]
    path = tmp_path / name
    path.write_text(text)
    assert summary_dict(lstmcalc.load(str(path)))["total_params"] == total


BAD_PY = {
    "loop.py": ("from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential()\n"
                "for i in range(3):\n    model.add(Dense(4))\n", ":4:1:", "loop"),
    "function.py": ("from keras.layers import Dense\ndef build():\n    pass\nmodel = build()\n", "", "Keras model"),
    "shape.py": ("from keras.models import Sequential\nfrom keras.layers import LSTM\n"
                 "model = Sequential([LSTM(4, input_shape=(x_train.shape[1], 3))])\n", ":3:", "x_train"),
    "syntax.py": ("model = Sequential([LSTM(4)\n", ":1:", "syntax"),
    "typo.py": ("from keras.layers import LSTM, Input\nfrom keras.models import Model\ni = Input((5, 2))\n"
                "model = Model(i, LSTM(4, unit=3)(i))\n", ":4:", "did you mean 'units'"),
}


@pytest.mark.parametrize("name", BAD_PY)
def test_python_refusals_name_the_line(name, tmp_path):
    text, where, words = BAD_PY[name]
    path = tmp_path / name
    path.write_text(text)
    result = cli("summary", str(path))
    assert result.exit_code == 2, result.output
    assert where in result.output and words in result.output and "Traceback" not in result.output


def test_bad_files_exit_2_naming_the_file(tmp_path):
    cases = {}
    corrupt = tmp_path / "corrupt.keras"
    data = open(os.path.join(DATA, "siamese.keras"), "rb").read()
    corrupt.write_bytes(data[: len(data) // 2])
    cases["corrupt"] = (corrupt, "zip")
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", b" " * (30 * 1024 * 1024))
    cases["bomb"] = (bomb, "config.json")
    trick = tmp_path / "trick.keras"
    with zipfile.ZipFile(trick, "w") as z:
        z.writestr("../../etc/config.json", b"{}")
        z.writestr("config.json", b"{}")
    cases["trick"] = (trick, "unsafe path")
    notmodel = tmp_path / "x.json"
    notmodel.write_text('{"class_name": "Dense", "config": {}}')
    cases["notmodel"] = (notmodel, "not a Keras model")
    unknown = tmp_path / "u.json"
    unknown.write_text('{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", '
                       '"config": {"batch_shape": [null, 3]}}, {"class_name": "Dense2", "config": {}}]}}')
    cases["unknown"] = (unknown, "unknown layer type 'Dense2'")
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * (9 * 1024 * 1024))
    cases["big"] = (big, "larger than")
    for what, (path, words) in cases.items():
        result = cli("summary", str(path))
        assert result.exit_code == 2, (what, result.output)
        assert str(path) in result.output and words in result.output, (what, result.output)


def test_weights_files_refused_clearly(tmp_path):
    spec = "specs/seed.yaml"
    x = tmp_path / "x.json"
    x.write_text(json.dumps([[[0.0] * 10] * 50]))
    result = cli("run", spec, "--weights", os.path.join(DATA, "torch_lstm.pt"), "--input", str(x))
    assert result.exit_code == 2 and "safetensors" in result.output
    liar = tmp_path / "w.safetensors"
    header = json.dumps({"dense1.kernel": {"dtype": "F32", "shape": [1000, 1000], "data_offsets": [0, 4000000]}})
    liar.write_bytes(struct.pack("<Q", len(header)) + header.encode() + b"\0" * 16)
    result = cli("run", spec, "--weights", str(liar), "--input", str(x))
    assert result.exit_code == 2 and "offsets" in result.output and str(liar) in result.output


def test_from_keras_uses_to_json():
    class Fake:
        def to_json(self):
            return open(os.path.join(DATA, "seq2seq.json")).read()
    assert summary_dict(lstmcalc.from_keras(Fake()))["total_params"] == GOLDENS["seq2seq"]["total_params"]


def test_cudnnlstm_runs_as_lstm_with_its_two_biases_summed():
    from lstmcalc.layers import KERAS
    from lstmcalc.layers.args import Args

    a = Args({"units": 2, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
              "go_backwards": False, "return_sequences": False, "return_state": False,
              "zero_output_for_mask": False})
    kernel = [[0.1 * (i - j) for j in range(8)] for i in range(3)]
    rk = [[0.05 * (i + j) for j in range(8)] for i in range(2)]
    b1, b2 = [0.1 * i for i in range(8)], [0.02 * i for i in range(8)]
    x = [[[0.5, -0.2, 0.3], [0.1, 0.4, -0.6]]]
    two = KERAS["CuDNNLSTM"].forward(a, {"kernel": kernel, "recurrent_kernel": rk, "bias": b1 + b2}, x)
    one = KERAS["LSTM"].forward(a, {"kernel": kernel, "recurrent_kernel": rk, "bias": [p + q for p, q in zip(b1, b2)]},
                                x)
    assert two == one
