"""The README is executable documentation: every command it shows runs, and every output it
shows is what the command prints now, so a change of behaviour fails here until the README
follows it.

What the harness reads, in any section (new sections are picked up as they are written):
- ```sh blocks: every line is a command (`&&` chains split); each must exit 0. Installing
  (`python3 -m venv`, `pip install`), activating, and running the test suite itself are the
  setup of a fresh machine and are not repeated here.
- ```console blocks: `$ COMMAND` lines, each followed by the output it prints (standard output
  and error, as a terminal shows them).
- ```text blocks: the output of the command named just above the fence in an HTML comment,
  `<!-- $ COMMAND -->` (the whole output) or `<!-- excerpt of $ COMMAND -->` (consecutive lines
  of it). A ```text block without one fails: every output the README shows is checked.
- `lstmcalc ...` inline in prose and tables: each runs (exit 0, or 1 for verify/check).
Only paths are normalised. Commands run from a scratch directory that sees specs/ and examples/,
with `lstmcalc` (and `.venv/bin/lstmcalc`) the console script under test, not on a terminal.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SCRIPT = Path(sys.executable).parent / "lstmcalc"
SETUP = re.compile(r"^(python3? -m venv|(\S*/)?pip3? install|\.venv/bin/python -m pytest|python -m pytest|"
                   r"(\.|source) \S*activate)\b")
MARK = re.compile(r"<!--\s*(excerpt of )?\$ (.+?)\s*-->\s*$")


@dataclass(frozen=True)
class Example:
    line: int  # where it is in README.md
    command: str
    shown: str | None  # the output the README shows; None: only the exit status is checked
    excerpt: bool = False

    def __str__(self):
        return f"README.md:{self.line}: {self.command}"


def blocks(text: str):
    """(line number of the fence, language, the line above the fence, body) for each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = m.group(1), m.group(2), i
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        above = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        yield start + 1, lang, above, body
        i += 1


def examples(text: str) -> list[Example]:
    found = []
    for line, lang, above, body in blocks(text):
        if lang == "sh":
            for k, command in enumerate(body):
                steps = [s.strip() for s in command.split("&&")]
                for step in steps:
                    if step and not step.startswith("#") and not SETUP.match(step):
                        found.append(Example(line + 1 + k, step, None))
        elif lang == "console":
            prompts = [k for k, row in enumerate(body) if row.startswith("$ ")]
            for k, end in zip(prompts, prompts[1:] + [len(body)]):
                found.append(Example(line + 1 + k, body[k][2:].strip(), "\n".join(body[k + 1:end])))
        elif lang == "text":
            m = MARK.search(above)
            if m is None:
                found.append(Example(line, "", "\n".join(body)))  # unmarked: fails below, saying how to mark it
            else:
                found.append(Example(line, m.group(2), "\n".join(body), excerpt=bool(m.group(1))))
    return found


EXAMPLES = examples(README)
INLINE = sorted({m for m in re.findall(r"`(lstmcalc [^`]+)`", README)
                 if "SPEC" not in m and "..." not in m and m != "lstmcalc check"})  # prose mentions


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A directory that looks like a checkout (specs/, examples/) with lstmcalc as .venv/bin/lstmcalc."""
    d = tmp_path_factory.mktemp("readme")
    for name in ("specs", "examples", "tests", "docs"):
        (d / name).symlink_to(ROOT / name)
    (d / ".venv" / "bin").mkdir(parents=True)
    (d / ".venv" / "bin" / "lstmcalc").symlink_to(SCRIPT)
    return d


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "80",
           "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def normalised(text: str, cwd: Path) -> str:
    for path in (str(cwd), str(ROOT)):
        text = text.replace(path + os.sep, "").replace(path, ".")
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


@pytest.mark.skipif(not SCRIPT.exists(), reason="needs the lstmcalc console script (pip install -e .)")
@pytest.mark.parametrize("example", EXAMPLES, ids=[f"line{e.line}" for e in EXAMPLES])
def test_readme_example(example, scratch):
    assert example.command, (f"README.md:{example.line}: a ```text block without its command; put "
                             "<!-- $ COMMAND --> (or <!-- excerpt of $ COMMAND -->) on the line above it, "
                             "or write it as a ```console block")
    result = shell(example.command, scratch)
    printed = normalised(result.stdout + result.stderr, scratch)
    if example.shown is None:
        assert result.returncode == 0, (str(example), printed)
        return
    shown = "\n".join(line.rstrip() for line in example.shown.rstrip("\n").splitlines())
    if example.excerpt:
        assert textwrap.dedent(shown) in printed, f"{example}: the README shows\n{shown}\nbut it prints\n{printed}"
    else:
        assert printed == shown, f"{example}: the README shows\n{shown}\nbut it prints\n{printed}"


def test_readme_starts_with_the_two_commands():
    """A fresh machine: install and run summary on the seed model; install and run the tests."""
    first = next(body for _, lang, _, body in blocks(README) if lang == "sh")
    assert first[0] == ("python3 -m venv .venv && .venv/bin/pip install -q . && "
                        ".venv/bin/lstmcalc summary specs/seed.yaml")
    assert first[1] == ("python3 -m venv .venv && .venv/bin/pip install -q '.[test,h5]' && "
                        ".venv/bin/python -m pytest -q")


def test_the_harness_finds_every_kind_of_example():
    text = textwrap.dedent("""\
        ```sh
        python3 -m venv .venv && .venv/bin/pip install -q . && lstmcalc schema
        ```
        ```console
        $ lstmcalc a
        out a
        $ lstmcalc b
        ```
        <!-- excerpt of $ lstmcalc c -->
        ```text
        out c
        ```
        ```text
        unmarked
        ```
        """)
    found = examples(text)
    assert [(e.command, e.shown, e.excerpt) for e in found] == [
        ("lstmcalc schema", None, False), ("lstmcalc a", "out a", False), ("lstmcalc b", "", False),
        ("lstmcalc c", "out c", True), ("", "unmarked", False)]


@pytest.mark.parametrize("command", INLINE)
def test_inline_command_runs(run, command, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = shlex.split(command.split(">")[0])[1:]
    # a file the command writes goes to a scratch folder, never into the checkout
    args = [str(run.tmp / Path(a).name) if i and args[i - 1] in ("-o", "--output") else a for i, a in enumerate(args)]
    result = run(*args)
    assert result.exit_code in ((0, 1) if args[0] in ("verify", "check") else (0,)), (command, result.output)


@pytest.mark.skipif(not SCRIPT.exists(), reason="needs the lstmcalc console script (pip install -e .)")
def test_shell_completion_as_the_readme_sets_it_up(scratch):
    """The README's completion line, then what bash would ask for: commands, --format values, and file
    names (left to bash: `compopt` complains outside a real completion, which is expected here)."""
    line = next(e.command for e in EXAMPLES if "_LSTMCALC_COMPLETE" in e.command)
    probe = ('{setup}; for words in "lstmcalc su" "lstmcalc summary --format " "lstmcalc summary specs/se"; do '
             'COMP_WORDS=($words); [[ "$words" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); '
             'COMPREPLY=(); _lstmcalc_completion lstmcalc; echo "${{COMPREPLY[*]}}"; done')
    result = shell(probe.format(setup=line), scratch)
    assert result.returncode == 0 and "compopt" in result.stderr, result.stderr
    commands, formats, _files = result.stdout.splitlines()
    assert commands == "summary" and {"rich", "plain", "json", "markdown"} <= set(formats.split())
