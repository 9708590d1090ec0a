"""The YAML reader: libyaml's composer and the pure-Python one give the same values and marks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

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
