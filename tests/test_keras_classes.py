"""A Keras layer class lstmcalc does not model is refused saying so, never with a
"did you mean" pointing at an unrelated type; a real typo still gets one.

goldens/gen_keras.py enumerates every layer class `keras.layers` exports, with
its module (`keras_names.layer_classes` in goldens/keras_summary.json);
lstmcalc/layers/keras_classes.py is held equal to it here. The messages are
lstmcalc's own wording, checked for their fix, never Keras's.
"""

from __future__ import annotations

import pytest

from lstmcalc import SpecError
from lstmcalc.layers import KERAS, lookup
from lstmcalc.layers.keras_classes import CLASS_NAMES, LAYERS, PREPROCESSING

from .goldens import build, load

CLASSES = load("keras_summary.json")["keras_names"]["layer_classes"]


def test_the_lists_are_keras_own():
    assert sorted(PREPROCESSING + LAYERS) == sorted(CLASSES)
    assert sorted(PREPROCESSING) == sorted(n for n, (_, module) in CLASSES.items() if ".preprocessing." in module)
    assert sorted(CLASS_NAMES) == sorted({cls for cls, _ in CLASSES.values()} - set(CLASSES))
    assert set(load("keras_layers13.json")["keras_layer_classes"]) == set(CLASSES)


def refusal(type_name: str, **args) -> str:
    spec = {"input": {"shape": [10, 8]}, "layers": [{"type": type_name, **args}]}
    with pytest.raises(SpecError) as err:
        build(spec)
    return str(err.value)


UNMODELLED = sorted(n for n in CLASSES if lookup(KERAS, n) is None)


@pytest.mark.parametrize("name", UNMODELLED)
def test_an_unmodelled_keras_class_is_refused_saying_so(name):
    message = refusal(name)
    assert "did you mean" not in message and "unknown layer type" not in message
    assert name in message or CLASSES[name][0] in message


def test_the_messages_say_why_and_the_fix():
    assert "Lambda runs arbitrary Python; lstmcalc cannot know its output shape" in refusal("Lambda")
    assert "a Reshape/Activation that gives the same shape" in refusal("lambda")
    assert "preprocessing layer" in refusal("TextVectorization") and "adapted" in refusal("Normalization")
    assert "Keras has SpatialDropout3D; lstmcalc does not model it yet" in refusal("SpatialDropout3D")
    assert "{type: ReLU, threshold: θ}" in refusal("ThresholdedReLU")
    assert "move its shape to input:" in refusal("InputLayer")


def test_a_typo_still_gets_did_you_mean():
    assert "did you mean 'LSTM'?" in refusal("LSMT")
    assert "did you mean 'MaxPool1D'?" in refusal("MaxPoll1D")
    message = refusal("TextVectorisation")
    assert "did you mean 'TextVectorization'?" in message and "does not model it" in message


def test_batch_input_shape_says_where_its_numbers_go():
    message = refusal("LSTM", units=3, batch_input_shape=[32, 10, 8])
    assert "batch_input_shape is Keras 2's" in message
    assert "input: {shape: [10, 8]} and the top-level batch_size: 32" in message


def test_cudnn_gru_counts_as_keras_3_gru():
    def params(t):
        return build({"input": {"shape": [10, 8]}, "layers": [{"type": t, "units": 5}]}).layers[1].params

    assert params("CuDNNGRU") == params("GRU") == 3 * (5 * (8 + 5) + 2 * 5)
    assert "CuDNNGRU always applies the reset gate" in refusal("CuDNNGRU", units=5, reset_after=False)
