"""The command line as its own process ends itself (lstmcalc.__main__, commands.output_done):
its output must be whole and its exit status the command's, as if the interpreter had ended it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from lstmcalc.__main__ import exit_status
from lstmcalc.cli import main

from .conftest import SEED


def own_process(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lstmcalc", *args], capture_output=True, text=True, timeout=120,
                          **kw)


@pytest.mark.parametrize("fmt", ["json", "plain", "markdown"])
def test_a_large_output_is_written_whole_before_the_process_ends(tmp_path, fmt):
    # far more than a pipe holds: the process may end only once all of it is written
    layers = "".join(f"  - {{type: Dense, units: 3, name: dense_{i}}}\n" for i in range(4000))
    spec = tmp_path / "wide.yaml"
    spec.write_text("input: {shape: [3]}\nlayers:\n" + layers)
    done = own_process("summary", str(spec), "--format", fmt)
    in_process = CliRunner().invoke(main, ["summary", str(spec), "--format", fmt])
    assert done.returncode == 0 and done.stderr == ""
    assert in_process.exit_code == 0
    assert len(done.stdout) > 150_000 and done.stdout == in_process.output


def test_the_exit_status_is_the_commands(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: {shape: [3]}\nlayers:\n  - {type: Dense}\n")
    assert own_process("summary", str(bad)).returncode == 2
    assert own_process("verify", SEED, "--format", "json").returncode == 0
    assert own_process("no-such-command").returncode == 2  # click's usage error
    version = own_process("--version")
    assert version.returncode == 0 and version.stdout.startswith("lstmcalc, version ")


def test_exit_status_follows_the_interpreter(capsys):
    assert exit_status(None) == 0
    assert exit_status(3) == 3
    assert exit_status(256 + 2) == 2
    assert exit_status(-1) == 255
    assert exit_status("a message") == 1
    assert capsys.readouterr().err == "a message\n"
