"""The indented JSON writer is json.dumps(value, indent=2, ensure_ascii=False), character for character."""

from __future__ import annotations

import collections
import enum
import json
import math
import subprocess
import sys
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


# The writer remembers each key's text at each depth and each int's text (a summary repeats them on
# every row): rows with the same few keys, at several depths, with values that are equal across types
# (1, True, 1.0, "1") must each keep their own text.
few_keys = st.sampled_from(["a", "1", "true", "null", "é\n"]) | st.sampled_from([1, 0, 1.0, True, False, None])
few_scalars = st.sampled_from([0, 1, -1, 1.0, 0.0, True, False, None, "1", "", 10**20])
rows = st.recursive(few_scalars,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(few_keys, inner, max_size=4),
                    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(st.lists(rows, min_size=2, max_size=6))
def test_repeated_keys_and_numbers(value):
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


class Rows(list):
    pass


class Table(dict):
    def items(self):  # json.dumps writes what items() gives
        return sorted(super().items())


class Ratio(float):
    pass


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("value", [
    [{"k": 1}, {Name("k"): 2}, {"k": {"k": [1, True, 1.0, Colour.RED]}}],  # a str subclass key after the str
    [{1: 1}, {"1": "1"}, {True: True}, {1.0: 1.0}, {None: None}, {"null": 0}],  # keys that are equal or look alike
    Rows([Rows([1, 2]), (3, Point(4, 5))]), Table(b=[1], a={"c": Table(z=1, y=2)}),  # subclasses of the containers
    {"x": [Ratio(0.5), Ratio("nan"), Colour.RED, Name("v"), True, 2.5, math.inf]},  # scalars that take the slow path
    [[{"a": [[]]}], {"b": [{}]}, ({"c": ()},)],  # a container first in its container
], ids=repr)
def test_subclasses_and_lookalikes(value):
    assert json_indented(value) == reference(value)


def test_without_the_c_accelerator():
    """An interpreter without `_json` uses json's pure-Python string encoder: the same text."""
    code = ("import sys; sys.modules['_json'] = None\n"
            "import json, lstmcalc\n"
            "from lstmcalc.gather.summary import summary_dict\n"
            "from lstmcalc.render.json_writer import json_indented\n"
            f"data = [summary_dict(lstmcalc.load({str(GALLERY[0])!r})), {{'é\\u2028': ['\\x00', 1.5, None]}}]\n"
            "assert json_indented(data) == json.dumps(data, indent=2, ensure_ascii=False)\n"
            "print(json.encoder.c_make_encoder)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "None\n"  # the probe works: json itself ran without its C half


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
