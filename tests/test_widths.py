"""Every command at 80, 120 and 200 columns, in rich and plain, and with NO_COLOR.

Rich output fits the terminal where it can (tables wrap inside their text cells, explain wraps
with its indentation) and never hides a number: every number of the plain output is in the rich
output too. The plain output at 80 columns is kept as golden files (tests/data/width80, `--regen`).
"""

from __future__ import annotations

import os
import re

import pytest

from .conftest import ROOT, SEED
from .test_hostile import read_pty

GOLDEN = ROOT / "tests" / "data" / "width80"
SPECS = ROOT / "specs"
COMMANDS = {
    "summary": ["summary", SEED],
    "summary_expand": ["summary", SPECS / "sentiment_bilstm.yaml", "--expand"],
    "summary_costs": ["summary", SEED, "--columns", "shape,params,macs,memory"],
    "summary_graph": ["summary", SPECS / "graph_seq2seq_training.yaml"],
    "summary_compare": ["summary", SEED, "--compare"],
    "summary_compare_pytorch": ["summary", SPECS / "pytorch_bigru_tagger.yaml", "--compare"],
    "explain": ["explain", SEED, "lstm1"],
    "explain_graph": ["explain", SPECS / "graph_seq2seq_training.yaml", "decoder"],
    "explain_pytorch": ["explain", SPECS / "pytorch_bigru_tagger.yaml", "gru"],
    "verify": ["verify", SEED],
    "verify_graph": ["verify", SPECS / "graph_seq2seq_training.yaml"],
    "check": ["check", SEED],
    "run": ["run", SPECS / "simple_rnn_toy.yaml", "--weights", ROOT / "examples" / "toy_weights.json",
            "--input", ROOT / "examples" / "toy_input.json"],
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def invoke(run, monkeypatch, columns: int, args, fmt: str | None):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.chdir(ROOT)
    extra = [] if fmt is None else (["--format", "text" if fmt == "plain" and args[0] == "check" else fmt])
    result = run(*args, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_plain_at_80_columns_is_the_golden(run, regen, monkeypatch, name):
    printed = invoke(run, monkeypatch, 80, COMMANDS[name], "plain")
    golden = GOLDEN / f"{name}.txt"
    if regen:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(printed, encoding="utf-8")
    assert printed == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("columns", [80, 120, 200])
@pytest.mark.parametrize("name", COMMANDS)
def test_rich_fits_and_keeps_every_number(run, monkeypatch, name, columns):
    plain = invoke(run, monkeypatch, columns, COMMANDS[name], "plain")
    rich = invoke(run, monkeypatch, columns, COMMANDS[name], "rich")
    missing = set(NUMBER.findall(plain)) - set(NUMBER.findall(rich))
    assert not missing, (missing, rich)
    assert "\\n" not in rich  # a cell's lines are lines, not escapes
    too_long = [line for line in rich.splitlines() if len(line) > columns]
    assert not too_long, "\n".join(too_long)


def test_explain_in_rich_keeps_the_indentation_of_wrapped_lines(run, monkeypatch):
    rich = invoke(run, monkeypatch, 60, COMMANDS["explain"], "rich").splitlines()
    notes = rich[rich.index("How it works") + 1:]
    bullet = next(k for k, line in enumerate(notes) if line.startswith("  - A unit"))
    assert notes[bullet + 1].startswith("    ") and not notes[bullet + 1].startswith("    - ")


def test_piped_tables_stay_aligned(run, monkeypatch):
    """compare and verify piped: every row's numbers end in the same column as the header's."""
    for name, header in (("summary_compare", "PyTorch"), ("verify", "Weights")):
        lines = invoke(run, monkeypatch, 80, COMMANDS[name], None).splitlines()
        end = lines[1].index(header) + len(header)
        rows = lines[3:lines.index(lines[2], 3)]
        assert rows and all(NUMBER.fullmatch(row[:end].split()[-1]) for row in rows), lines


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a pty")
@pytest.mark.parametrize("no_color", [False, True])
def test_a_terminal_gets_colour_unless_no_color(no_color, monkeypatch):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    for args in (["summary", str(SEED), "--compare"], ["verify", str(SEED)], ["explain", str(SEED), "lstm1"]):
        data = read_pty(args).decode("utf-8", "replace")
        colours = [p for sgr in re.findall(r"\x1b\[([0-9;]*)m", data) for p in sgr.split(";")
                   if p and (30 <= int(p) <= 38 or 90 <= int(p) <= 97)]
        assert bool(colours) != no_color, (args, colours)  # NO_COLOR: bold and dim stay, colours go
        assert "71,168" in data
