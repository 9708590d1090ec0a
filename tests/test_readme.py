"""The README stays honest: every lstmcalc command it shows runs as shown."""

from __future__ import annotations

import re
import shlex

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text()
COMMANDS = sorted({m.split(">")[0].strip() for m in re.findall(r"`(lstmcalc [^`]+)`", README)
                   if "SPEC" not in m and "..." not in m and m != "lstmcalc check"})  # prose mentions


def test_readme_starts_with_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    first = blocks[0].strip().splitlines()
    assert "lstmcalc summary specs/seed.yaml" in first[0]
    assert "pytest" in first[1]


def test_readme_table_is_what_summary_prints(run):
    printed = run("summary", ROOT / "specs" / "seed.yaml", "--format", "plain").stdout
    assert printed.strip() in README


@pytest.mark.parametrize("command", COMMANDS)
def test_command_runs(run, command, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    result = run(*args)
    assert result.exit_code == 0, (command, result.output)


def test_readme_graph_table_is_what_summary_prints(run):
    printed = run("summary", ROOT / "specs" / "graph_seq2seq_training.yaml", "--format", "plain").stdout
    assert printed.strip() in README
