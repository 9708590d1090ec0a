"""The indented JSON writer is json.dumps(value, indent=2, ensure_ascii=False), character for character."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstmcalc
from lstmcalc.gather.summary import summary_dict
from lstmcalc.render.json_writer import json_indented

ROOT = Path(__file__).resolve().parent.parent
GALLERY = sorted(ROOT.glob("specs/*.yaml"))


def reference(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.name)
def test_gallery_summaries(path):
    data = summary_dict(lstmcalc.load(str(path)))
    assert json_indented(data) == reference(data)


scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**40), max_value=10**40)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text())
keys = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                      | st.dictionaries(keys, inner, max_size=5), max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(values)
def test_nested_values(value):
    assert json_indented(value) == reference(value)


class Colour(enum.IntEnum):
    RED = 1


class Name(str):
    pass


@pytest.mark.parametrize("value", [
    {}, [], (), "", {"a": {}}, [[[]]], {"x": [{}]}, [math.nan, math.inf, -math.inf, -0.0, 1e300],
    {2: 2, 1.5: 3, True: 4, None: 5, Colour.RED: Colour.RED, Name("k"): Name("v")},
    "tab\tline\u2028surrogate\ud800é",
], ids=repr)
def test_edge_values(value):
    assert json_indented(value) == reference(value)


@pytest.mark.parametrize("value", [{"a": object()}, {(1,): 2}, [{1, 2}]], ids=repr)
def test_what_json_refuses_is_refused_the_same_way(value):
    with pytest.raises(TypeError) as ours:
        json_indented(value)
    with pytest.raises(TypeError) as theirs:
        reference(value)
    assert str(ours.value) == str(theirs.value)


def test_a_cycle_is_refused_as_json_refuses_it():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError):
        json_indented(loop)
