"""Graph problems are values: exit 2, the file and line, the layer, the reference and the fix.

Each case is a mistake a person makes writing contract section 7 by hand; the
messages asserted are lstmcalc's own.
"""

from __future__ import annotations

import json

import pytest

S2S = """\
inputs:
  - {name: enc_in, shape: [null, 7]}
  - {name: dec_in, shape: [null, 9]}
layers:
  - {type: LSTM, name: encoder, units: 16, return_state: true, inputs: enc_in}
  - type: LSTM
    name: decoder
    units: 16
    return_sequences: true
    inputs: dec_in
    call: {initial_state: ["encoder[1]", "encoder[2]"]}
  - {type: Dense, name: probs, units: 9, activation: softmax}
"""


def refused(run, text, *fragments, line=None):
    path = run.spec(text)
    result = run("summary", path, "--format", "plain")
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert "Traceback" not in err and result.stdout == ""
    assert err.startswith(f"lstmcalc: {path}:{line}:" if line else f"lstmcalc: {path}"), err
    for f in fragments:
        assert f in err, (f, err)
    assert len(err.strip().splitlines()) <= 2
    return err


def test_the_seq2seq_spec_builds(run):
    result = run("summary", run.spec(S2S), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)["layers"]}
    assert rows["decoder"]["connected_to"] == ["dec_in[0][0]", "encoder[0][1]", "encoder[0][2]"]


def test_a_reference_to_nothing_suggests_a_name(run):
    refused(run, S2S.replace('"encoder[2]"', '"encodr[2]"'), "'encodr[2]' names no layer or input",
            "did you mean 'encoder'", "layer 'decoder'", line=11)


def test_an_index_past_the_outputs_says_how_many(run):
    refused(run, S2S.replace('"encoder[2]"', '"encoder[3]"'), "'encoder' has 3 outputs", "from 0 to 2")


def test_a_node_that_was_never_called(run):
    refused(run, S2S.replace('"encoder[2]"', '"encoder[1][2]"'), "'encoder' is called once, so it has no node 1")


def test_a_bare_name_for_a_layer_with_three_outputs(run):
    err = refused(run, S2S.replace("  - {type: Dense, name: probs, units: 9, activation: softmax}",
                                   "  - {type: Dense, name: probs, units: 9, inputs: encoder}"),
                  "'encoder' returns 3 tensors", "write 'encoder[0]'")
    assert "'encoder[1]'" in err


def test_a_chain_after_return_state_names_the_reference_to_write(run):
    refused(run, "input: {shape: [5, 4]}\nlayers:\n  - {type: LSTM, units: 3, return_state: true}\n"
            "  - {type: Dense, units: 1}\n", "returns 3 tensors", "write inputs: 'lstm[0]' on 'dense'", line=4)


def test_a_cycle_is_named(run):
    text = ("inputs: [{name: x, shape: [4]}]\nlayers:\n  - {type: Dense, name: a, units: 4, inputs: b}\n"
            "  - {type: Dense, name: b, units: 4, inputs: a}\n")
    refused(run, text, "the layers form a cycle: a -> b -> a")


def test_initial_state_of_the_wrong_width(run):
    refused(run, S2S.replace("name: decoder\n    units: 16", "name: decoder\n    units: 12"),
            "initial_state h has shape (None, 16)", "units 12", "layer 'decoder'")


def test_initial_state_of_the_wrong_count(run):
    refused(run, S2S.replace('["encoder[1]", "encoder[2]"]', '["encoder[1]"]'),
            "LSTM takes 2 initial state tensors [h, c], got 1")


def test_an_unquoted_reference_in_a_flow_list(run):
    refused(run, S2S.replace('["encoder[1]", "encoder[2]"]', "[encoder[1], encoder[2]]"),
            "quote references with brackets")


def test_a_merge_layer_needs_a_list(run):
    text = "inputs: [{name: x, shape: [4]}]\nlayers:\n  - {type: Add, inputs: x}\n"
    refused(run, text, "Add takes a list of tensors", "inputs: [a, b]")


def test_a_one_tensor_layer_given_two(run):
    text = ("inputs: [{name: x, shape: [4]}, {name: y, shape: [4]}]\nlayers:\n"
            "  - {type: Dense, units: 2, inputs: [x, y]}\n")
    refused(run, text, "Dense takes one tensor, not 2", "Concatenate")


def test_several_inputs_need_the_first_layer_to_say_which(run):
    text = "inputs: [{name: x, shape: [4]}, {name: y, shape: [4]}]\nlayers:\n  - {type: Dense, units: 2}\n"
    refused(run, text, "the model has 2 inputs (x, y)", "add inputs: x")


def test_a_shared_layer_called_on_another_width(run):
    text = ("inputs: [{name: x, shape: [4]}, {name: y, shape: [5]}]\nlayers:\n"
            "  - {type: Dense, name: d, units: 2, inputs: x}\n  - {call: d, inputs: y}\n")
    refused(run, text, "'d' was built for input (None, 4) and is called again on (None, 5)")


def test_calling_a_layer_that_is_not_defined(run):
    text = "inputs: [{name: x, shape: [4]}]\nlayers:\n  - {type: Dense, name: d, units: 2, inputs: x}\n  - {call: e}\n"
    refused(run, text, "call: 'e' names no layer defined above", line=4)


def test_a_second_definition_with_the_same_name_points_at_call(run):
    text = ("inputs: [{name: x, shape: [4]}]\nlayers:\n  - {type: Dense, name: d, units: 2, inputs: x}\n"
            "  - {type: Dense, name: d, units: 2, inputs: x}\n")
    refused(run, text, "two layers are named 'd'", "{call: d, inputs: ...}")


def test_an_unknown_call_argument(run):
    refused(run, S2S.replace("call: {initial_state", "call: {initial_stat"), "unknown call argument 'initial_stat'",
            "did you mean 'initial_state'")


@pytest.mark.parametrize("text, warning", [
    ("inputs: [{name: x, shape: [4]}, {name: unused, shape: [3]}]\nlayers:\n  - {type: Dense, units: 2, inputs: x}\n",
     "input 'unused' is not used by any output"),
    ("inputs: [{name: x, shape: [4]}]\nlayers:\n  - {type: Dense, name: side, units: 3, inputs: x}\n"
     "  - {type: Dense, name: out, units: 2, inputs: x}\n", "layer 'side' is not connected to the outputs"),
])
def test_unused_inputs_and_dead_ends_are_warnings(run, text, warning):
    result = run("summary", run.spec(text), "--format", "json")
    assert result.exit_code == 0, result.output
    assert warning in result.stderr
    names = [r["name"] for r in json.loads(result.stdout)["layers"]]
    assert "side" not in names  # Keras drops a dead end; an unused input keeps its row


def test_layers_written_out_of_order_give_the_same_model():
    """A layer may read one written below it (no cycle): the walk then orders the calls itself, and
    the model is the one written in order (same rows, shapes, counts and Connected-to cells)."""
    import lstmcalc
    from lstmcalc.gather.summary import summary_dict
    from lstmcalc.sources.spec import parse

    head = "inputs: [{name: a, shape: [5, 3]}, {name: b, shape: [4]}]\noutputs: [out]\nlayers:\n"
    lstm = "  - {type: LSTM, name: enc, units: 4, inputs: a}\n"
    dense = "  - {type: Dense, name: d, units: 4, inputs: b}\n"
    merge = "  - {type: Concatenate, name: cat, inputs: [enc, d]}\n"
    out = "  - {type: Dense, name: out, units: 1, inputs: cat}\n"
    in_order = lstmcalc.build(parse(head + lstm + dense + merge + out))
    shuffled = lstmcalc.build(parse(head + out + merge + dense + lstm))
    assert summary_dict(shuffled) == summary_dict(in_order)
    assert [r.name for r in shuffled.layers] == [r.name for r in in_order.layers]
