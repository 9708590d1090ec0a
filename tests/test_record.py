"""`Record`, the base of the small values: equality and hash by fields, `_replace`, repr."""

from __future__ import annotations

import pytest

from lstmcalc.errors import Problem
from lstmcalc.graph.refs import Ref, TensorRef
from lstmcalc.layers.base import WeightSpec


def test_equal_and_hashed_by_fields_and_type():
    a, b = WeightSpec("kernel", (10, 512)), WeightSpec("kernel", (10, 512), True, "", False)
    assert a == b and hash(a) == hash(b)
    assert a != WeightSpec("kernel", (10, 512), trainable=False)
    assert Ref("x") != TensorRef("x", 0, 0) and Ref("x") == Ref("x")
    assert len({TensorRef("enc", 0, 1), TensorRef("enc", 0, 1), TensorRef("enc", 0, 2)}) == 2


def test_replace_copies_with_the_given_fields_changed():
    p = Problem("bad", file="a.yaml", line=3)
    q = p._replace(hint="fix it")
    assert (q.message, q.file, q.line, q.hint) == ("bad", "a.yaml", 3, "fix it") and p.hint is None
    assert p.located(line=9, layer="lstm1").line == 3  # only what is still unknown is filled
    with pytest.raises(TypeError):
        p._replace(nonsense=1)


def test_repr_names_every_field():
    assert repr(WeightSpec("bias", (4,))) == "WeightSpec(name='bias', shape=(4,), trainable=True, doc='', " \
                                             "training_only=False)"


def test_a_layers_args_keep_what_was_given_and_find_the_defaults_on_their_type(tmp_path):
    import copy

    import lstmcalc
    from lstmcalc.layers import KERAS
    from lstmcalc.layers.args import Args

    lstm = KERAS["LSTM"]
    a = lstm.args_class({"units": 4, "name": "lstm"})
    assert vars(a) == {"units": 4, "name": "lstm"}  # the defaults are not copied into each layer
    assert (a.units, a.use_bias, a.activation, a.dropout) == (4, True, "tanh", 0.0)
    assert a.get("use_bias") is True and a.get("batch_first", "none") == "none"
    assert set(a.values) == {arg.name for arg in lstm.all_args} and a.values["units"] == 4
    full = Args({**lstm.defaults, "units": 4, "name": "lstm"})
    assert a == full and a != a.replace(units=5)
    b = a.replace(go_backwards=True)
    assert type(b) is type(a) and b.go_backwards and not a.go_backwards and b.units == 4
    c = copy.deepcopy(a)
    assert c == a and type(c) is type(a) and vars(c) == vars(a)
    path = tmp_path / "one.yaml"
    path.write_text("input: {shape: [5, 3]}\nlayers:\n  - {type: LSTM, units: 4}\n")
    loaded = lstmcalc.load(str(path)).layers[-1].args
    assert loaded == a and vars(loaded) == vars(a)
