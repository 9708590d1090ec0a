"""Keras vs PyTorch side by side (lstmcalc.gather.compare), through its Python API."""

from __future__ import annotations

import pytest

import lstmcalc
from lstmcalc.gather.compare import compare
from lstmcalc.render.text import compare_lines

from .goldens import ROOT, build


def row(comparison, name):
    return next(r for r in comparison.rows if r.name == name)


def test_seed_lstm1_keras_vs_pytorch():
    c = compare(lstmcalc.load(str(ROOT / "specs" / "seed.yaml")))
    lstm1 = row(c, "lstm1")
    assert (lstm1.params, lstm1.other_params) == (71_168, 71_680)
    assert "double bias" in lstm1.reason and "512" in lstm1.reason
    assert row(c, "dense1").other_params == row(c, "dense1").params == 8_320
    line = next(x for x in compare_lines(c) if x.startswith("lstm1 (LSTM)"))
    assert "71,168" in line and "71,680" in line and "double bias" in line
    assert c.total == 137_217 and c.other_total == 137_217 + 512 + 256


def keras(layers, shape=(50, 10)):
    return compare(build({"input": {"shape": list(shape)}, "layers": layers}))


@pytest.mark.parametrize("reset_after,same", [(True, True), (False, False)])
def test_gru_reset_after(reset_after, same):
    r = keras([{"type": "GRU", "units": 8, "reset_after": reset_after}]).rows[0]
    assert r.differs is not same
    assert "reset_after" in r.reason


def test_bidirectional_and_no_bias():
    c = keras([{"type": "Bidirectional", "layer": {"type": "LSTM", "units": 4, "return_sequences": True}},
               {"type": "LSTM", "units": 4, "use_bias": False}])
    bi, plain = c.rows
    assert bi.other_params == 2 * 4 * (4 * (10 + 4) + 8) and "bidirectional=True" in bi.other_type
    assert plain.other_params == plain.params and "no biases" in plain.reason


def test_batch_normalization_moving_statistics_are_buffers():
    r = keras([{"type": "BatchNormalization"}]).rows[0]
    assert (r.params, r.other_params) == (40, 20) and "buffers" in r.reason


def test_no_equivalent_is_said():
    c = keras([{"type": "Masking"}, {"type": "GaussianNoise", "stddev": 0.1}, {"type": "LSTM", "units": 2}])
    masking, noise, _ = c.rows
    assert masking.other_params is None and masking.other_type == "no equivalent"
    assert noise.other_params is None
    assert not c.complete
    assert "without an equivalent" in compare_lines(c)[-1]


def torch_model(layers, shape, **extra):
    return build({"framework": "pytorch", "input": {"shape": list(shape), **extra}, "layers": layers})


CASES = [(t, n, bi) for t in ("LSTM", "GRU", "RNN") for n in (1, 2) for bi in (False, True)]
KERAS_NAME = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}


@pytest.mark.parametrize("module,layers,bi", CASES)
def test_pytorch_recurrent_matches_the_keras_build(module, layers, bi):
    """The Keras count compare gives equals what lstmcalc builds for the Keras model."""
    c = compare(torch_model([{"type": module, "hidden_size": 5, "num_layers": layers, "bidirectional": bi,
                              "batch_first": True}], (7, 3)))
    stack = []
    for _ in range(layers):
        inner = {"type": KERAS_NAME[module], "units": 5, "return_sequences": True}
        stack.append({"type": "Bidirectional", "layer": inner} if bi else inner)
    k = build({"input": {"shape": [7, 3]}, "layers": stack})
    assert c.rows[0].other_params == k.total_params
    back = compare(k)
    assert sum(r.other_params for r in back.rows) == c.rows[0].params


def test_pytorch_rows():
    m = torch_model([
        {"type": "Embedding", "num_embeddings": 100, "embedding_dim": 8},
        {"type": "Transpose", "dim0": 1, "dim1": 2},
        {"type": "Conv1d", "out_channels": 6, "kernel_size": 3},
        {"type": "BatchNorm1d"}, {"type": "ReLU"}, {"type": "Transpose", "dim0": 1, "dim1": 2},
        {"type": "LSTM", "hidden_size": 4, "batch_first": True, "proj_size": 2},
        {"type": "LastTimestep"}, {"type": "Linear", "out_features": 1},
    ], (12,), dtype="int64")
    c = compare(m)
    assert row(c, "embedding").other_params == 800
    assert row(c, "batch_norm1d").other_params == 24 and "buffers" in row(c, "batch_norm1d").reason
    assert row(c, "conv1d").other_params == row(c, "conv1d").params
    lstm = row(c, "lstm")
    assert lstm.other_params is None and "projection" in lstm.reason
    assert c.as_dict()["layers"][0]["name"] == "embedding"
