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
