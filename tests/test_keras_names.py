"""Names and arguments as Keras 3 looks them up, against the package itself.

goldens/gen_keras.py enumerates, from the installed Keras, the identifiers
its `activations.get`, `initializers.get`, `regularizers.get` and
`constraints.get` resolve, the aliases `keras.layers` exports for each
supported class, and every constructor argument with its default
(`keras_names` in goldens/keras_summary.json). lstmcalc's lists and
declarations are held equal to them here; the refusals are checked for
lstmcalc's own wording and fix, never Keras's.
"""

from __future__ import annotations

import pytest

from lstmcalc import SpecError
from lstmcalc.gather import explain
from lstmcalc.layers import KERAS, lookup
from lstmcalc.layers.args import (
    ACTIVATIONS,
    CONSTRAINTS,
    INITIALIZERS,
    INITIALIZERS_NEEDING_ARGS,
    REGULARIZERS,
    ArgError,
    validate,
)

from .goldens import build, cases, load

NAMES = load("keras_summary.json")["keras_names"]
SIGNATURES = NAMES["signatures"]
# Keras's defaults that lstmcalc spells as data of another type
KERAS_DEFAULT = {"<required>": "required"}


def test_activation_names_are_keras_names():
    assert sorted(ACTIVATIONS) == NAMES["activations"]["accepted"]
    assert not NAMES["activations"]["refused"]


@pytest.mark.parametrize("kind, ours", [("initializers", INITIALIZERS), ("regularizers", REGULARIZERS),
                                        ("constraints", CONSTRAINTS)])
def test_identifier_names_are_keras_names(kind, ours):
    assert sorted(ours) == NAMES[kind]["accepted"]
    # names Keras lists but cannot build from the name alone get lstmcalc's own fix
    assert {n.lower() for n in NAMES[kind]["refused"]} <= set(INITIALIZERS_NEEDING_ARGS)


def test_layer_aliases_are_keras_aliases():
    for canonical, aliases in NAMES["layer_aliases"].items():
        assert KERAS[canonical].aliases == tuple(aliases), canonical
        for alias in aliases:
            assert lookup(KERAS, alias) is KERAS[canonical]
            assert lookup(KERAS, alias.lower()) is KERAS[canonical]  # type names ignore case


PARAMS = [(t, p, d) for t, params in SIGNATURES.items() for p, d in params.items()]


@pytest.mark.parametrize("type_name, param, default", PARAMS, ids=[f"{t}.{p}" for t, p, _ in PARAMS])
def test_every_keras_argument_is_declared_with_keras_default(type_name, param, default):
    declared = {a.name: a for a in KERAS[type_name].all_args}
    assert param in declared
    arg = declared[param]
    if default == "<required>":
        assert arg.required
    else:
        assert arg.default == (tuple(default) if isinstance(default, list) else default)
    if default is None:
        assert validate(arg, None) is None


def test_every_none_default_of_lstmcalc_is_none_in_keras():
    for type_name, params in SIGNATURES.items():
        for arg in KERAS[type_name].args:
            if arg.default is None and arg.name in params:
                assert params[arg.name] is None, f"{type_name}.{arg.name}"


def _refusal(spec) -> str:
    with pytest.raises(SpecError) as err:
        build(spec)
    return str(err.value)


def _case(case_id):
    (case,) = [c for c in cases("keras_summary.json") if c["id"] == case_id]
    return case


@pytest.mark.parametrize("case_id, fragments", [
    ("fid_activation_refuse_ReLU", ["unknown activation 'ReLU'", "activation names are lower case: relu"]),
    ("fid_activation_refuse_Tanh", ["activation names are lower case: tanh"]),
    ("fid_activation_refuse_Sigmoid", ["activation names are lower case: sigmoid"]),
    ("fid_activation_refuse_hardsigmoid", ["did you mean 'hard_sigmoid'?"]),
    ("fid_lstm_refuse_recurrent_activation_Sigmoid", ["recurrent_activation", "lower case: sigmoid"]),
    ("fid_bidirectional_refuse_merge_mode_SUM", ["merge_mode", "merge_mode values are lower case: sum"]),
    ("fid_maxpooling1d_refuse_padding_SAME", ["padding values are lower case: same"]),
    ("fid_averagepooling1d_refuse_padding_Valid", ["padding values are lower case: valid"]),
    ("fid_dense_refuse_kernel_initializer_glorot_unifrom",
     ["unknown initializer 'glorot_unifrom'", "did you mean 'glorot_uniform'?"]),
    ("fid_dense_refuse_kernel_initializer_Glorot_Uniform", ["case-sensitive", "glorot_uniform"]),
    ("fid_dense_refuse_kernel_initializer_constant", ["{class_name: Constant, config: {value: 0.5}}"]),
    ("fid_dense_refuse_kernel_regularizer_l3", ["unknown regularizer 'l3'"]),
    ("fid_dense_refuse_kernel_constraint_maxnorm", ["unknown constraint 'maxnorm'", "max_norm"]),
    ("fid_refuse_activity_regularizer_l3", ["activity_regularizer", "unknown regularizer 'l3'"]),
    ("fid_dropout_refuse_noise_shape_zero", ["noise_shape[1] must be at least 1 or null, got 0"]),
    ("fid_time_distributed_refuse_lstm_return_state",
     ["TimeDistributed wraps a layer with one output", "returns 3 tensors", "remove return_state"]),
    ("fid_time_distributed_refuse_bidirectional_merge_none", ["returns 2 tensors", "set merge_mode"]),
    ("fid_simplernn_refuse_implementation", ["unknown argument 'implementation' for SimpleRNN"]),
    ("fid_simplernn_activation_threshold", ["'threshold' cannot run from its name",
                                            "threshold and default_value"]),
    ("fid_gru_activation_glu", ["activation glu halves the last axis", "use another activation"]),
])
def test_refusals_say_the_fix(case_id, fragments):
    case = _case(case_id)
    assert "error" in case or "call_error" in case  # Keras refused it, building or running
    message = _refusal(case["spec"])
    for fragment in fragments:
        assert fragment in message


def test_identifiers_keras_lower_cases_are_accepted():
    """Keras lower-cases a convolution's padding and every data_format itself."""
    for case_id in ("fid_conv1d_padding_Causal", "fid_conv1d_data_format_upper",
                    "fid_maxpooling1d_data_format_upper", "fid_flatten_data_format_upper"):
        case = _case(case_id)
        assert [list(r.output_shape) for r in build(case["spec"]).layers] == [
            layer["output_shape"] for layer in case["layers"]]


def test_validate_keeps_exact_names():
    (arg,) = [a for a in KERAS["Dense"].args if a.name == "kernel_initializer"]
    assert validate(arg, "GlorotUniform") == "GlorotUniform"
    with pytest.raises(ArgError):
        validate(arg, "GLOROTUNIFORM")


def _notes(case_id, name):
    model = build(_case(case_id)["spec"])
    return " ".join(explain.explain(model.get(name))["notes"])


def test_gru_explain_gives_the_keras_2_count():
    keras3 = _case("fid_gru_5_on_4_keras3_default")["layers"][1]["params"]
    keras2 = _case("fid_gru_5_on_4_keras2_default")["layers"][1]["params"]
    notes = _notes("fid_gru_5_on_4_keras3_default", "gru")
    assert (keras2, keras3) == (150, 165)
    assert f"counted 3 × (5 × (4 + 5) + 5) = {keras2} there, {keras3} in Keras 3" in notes


def test_bidirectional_explain_says_keras_reports_the_forward_width():
    case = _case("fid_bidirectional_backward_width_merge_none")
    assert case["layers"][1]["output_shape"] == [[None, 6], [None, 6]]
    notes = _notes(case["id"], "bidirectional")
    assert "The backward layer has 3 units and the forward layer 6" in notes
    assert "both outputs are reported with the forward layer's width (6)" in notes


def test_glu_explain_gives_the_shape_it_runs_with():
    case = _case("fid_dense_activation_glu")
    assert case["call_output_shape"] == [None, 3]
    assert "returns (None, 3) when it runs" in _notes(case["id"], "dense")
