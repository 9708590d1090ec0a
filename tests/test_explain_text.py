"""explain's text, read as a learner reads it: one golden file per layer type and
structural variant (tests/explain_cases.py), `--regen` rewrites them."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT
from .explain_cases import CASES

GOLDEN = ROOT / "tests" / "data" / "explain"


@pytest.mark.parametrize(("name", "text", "layer"), CASES, ids=[c[0] for c in CASES])
def test_explain_text(run, regen, name, text, layer):
    result = run("explain", run.spec(text), layer, "--format", "plain")
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{name}.txt"
    if regen:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "text", "layer"), CASES, ids=[c[0] for c in CASES])
def test_explain_text_reads_well(run, name, text, layer):
    """The slips a learner trips on: doubled articles, a symbol defined as itself, a raw None."""
    out = run("explain", run.spec(text), layer, "--format", "plain").stdout
    flat = " ".join(out.split())
    for slip in ("the a ", "T = T", "the None ", "1×", "0 to 0", "last axis (None"):
        assert slip not in flat, (name, slip)
    assert not re.search(r"= \(\d+, N, ", flat), name  # a state's shape with its batch left as N


def test_every_layer_type_has_a_golden():
    import yaml

    from lstmcalc.layers import KERAS, PYTORCH

    covered = set()
    for _, text, _layer in CASES:
        doc = yaml.safe_load(text)
        for entry in doc["layers"]:
            if "type" in entry:
                covered.add((doc.get("framework", "keras"), entry["type"]))
    missing = {("keras", t) for t in KERAS} | {("pytorch", t) for t in PYTORCH}
    missing -= covered
    assert not missing, f"add an explain case for {sorted(missing)}"
