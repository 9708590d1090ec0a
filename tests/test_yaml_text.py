"""The YAML reader: libyaml's composer and the pure-Python one give the same values and marks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lstmcalc.errors import SpecError
from lstmcalc.sources import yaml_text

ROOT = Path(__file__).resolve().parent.parent
GALLERY = sorted([*ROOT.glob("specs/**/*.yaml"), *ROOT.glob("examples/**/*.yaml")])


def marks(value):
    """Every value with the marks of every mapping key and list item, as plain data."""
    if isinstance(value, dict):
        return ("map", value.line, value.column,
                [(k, value.mark_of(k), marks(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", value.line, value.column, [(value.mark_of(i), marks(v)) for i, v in enumerate(value)])
    return (type(value).__name__, value)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", GALLERY, ids=lambda p: str(p.relative_to(ROOT)))
def test_c_and_python_composers_agree(path):
    text = path.read_text()
    assert marks(yaml_text.load(text, str(path))) == marks(yaml_text.load(text, str(path), exact_offsets=True))


def test_repeated_scalars_keep_their_types():
    doc = yaml_text.load("a: [1, '1', 1.0, true, 'true', null, ~, 1, 1.0, yes, 0x10]\nb: {1: 1}\n", "<t>")
    assert doc == {"a": [1, "1", 1.0, True, "true", None, None, 1, 1.0, True, 16], "b": {1: 1}}
    assert [type(v) for v in doc["a"]] == [int, str, float, bool, str, type(None), type(None), int, float, bool, int]
    assert doc["a"].mark_of(7) == (1, 41)  # the second plain 1


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: str(p.relative_to(ROOT)))
def test_values_are_pyyaml_s_own(path):
    text = path.read_text()
    assert yaml_text.load(text, str(path)) == yaml.safe_load(text)


ALIASES = """\
base: &base {type: LSTM, units: &u 8}
layers: [*base, &second {type: Dense, units: *u}, *second, [&b 1, *b]]
again: *base
"""


@pytest.mark.parametrize("exact", [False, True])
def test_aliases_are_values_made_again(exact):
    doc = yaml_text.load(ALIASES, "<t>", exact_offsets=exact)
    assert doc == yaml.safe_load(ALIASES)
    assert doc["layers"][0] is not doc["base"] and doc["again"] is not doc["base"]  # each alias a new value
    assert doc["again"].line == doc["base"].line == 1 and doc["layers"].mark_of(0) == (2, 10)  # where written


@pytest.mark.parametrize(("text", "message", "line"), [
    ("a: &a [1, *a]\n", "the alias *a is inside the value it names", 1),
    ("a: *nowhere\n", "not valid YAML", 1),
    ("a: &x 1\nb: &x 2\n", "not valid YAML", 2),
    ("a: 1\n---\nb: 2\n", "not valid YAML", 2),
    ("a: {b: 1, b: 2}\n", "duplicate key 'b'", 1),
    ("a: {<<: {b: 1}}\n", "merge keys (<<) are not supported", 1),
])
def test_what_the_composer_refuses_is_refused(text, message, line):
    for exact in (False, True):
        with pytest.raises(SpecError) as e:
            yaml_text.load(text, "<t>", exact_offsets=exact)
        assert e.value.problem.message.startswith(message) and e.value.problem.line == line


def test_no_node_tree_is_made(monkeypatch):
    # the values come from the parser's events: PyYAML's composer is never asked
    def refused(*a, **k):
        raise AssertionError("composed")

    monkeypatch.setattr(yaml_text._Loader, "compose_node", refused, raising=False)
    monkeypatch.setattr(yaml_text._Loader, "get_single_node", refused, raising=False)
    assert yaml_text.load(ALIASES, "<t>")["again"] == {"type": "LSTM", "units": 8}
