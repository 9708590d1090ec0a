"""Hostile input, end to end through the installed console script (issue 11).

One section per kind of fault; each case runs the real program in a
subprocess (a pty where a terminal matters, `ulimit -f 0` for a full disk).
The assertions are about lstmcalc's own behaviour: exit status, the file on
disk, where the message goes and what it names, never a library's wording.
"""

from __future__ import annotations

import json
import os
import pty
import random
import select
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED

SCRIPT = Path(sys.executable).parent / "lstmcalc"
CMD = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "lstmcalc"]
ESC_NAME = "\x1b]0;PWNED\x07\x1b[2J"
DENSE = "input: {shape: [3, 2]}\nlayers:\n  - {type: Dense, units: 2}\n"


def lstmcalc(*args, input: bytes | None = None, env: dict | None = None, cwd=None, **kw):
    """Run the console script; stdout and stderr as text (bytes kept undecoded where they are not UTF-8)."""
    full_env = {**os.environ, "COLUMNS": "120", **(env or {})}
    return subprocess.run([*CMD, *map(str, args)], input=input, capture_output=True, env=full_env,
                          cwd=cwd, timeout=60, **kw)


def out(result) -> str:
    return result.stdout.decode("utf-8", "replace")


def err(result) -> str:
    return result.stderr.decode("utf-8", "replace")


def one_line_error(result, *fragments):
    """Exit 2 and one or two lines on stderr holding every fragment, no traceback."""
    text = err(result)
    assert result.returncode == 2, (result.returncode, text, out(result))
    assert 1 <= len(text.strip().splitlines()) <= 2 and "Traceback" not in text, text
    for f in fragments:
        assert f in text, (f, text)


# -- 1. check --update never loses or corrupts a file ------------------------------------

UPDATE_FORMS = {
    "flow": ("input: {shape: [3, 2]}\nlayers:\n  - {type: Dense, units: 2, expect: {params: 1, output_shape: [3, 9]}}\n"
             "expect: {total_params: 5}  # keep me\n"),
    "block": ("# header comment\ninput:\n  shape: [3, 2]\nlayers:\n  - type: Dense\n    units: 2\n    expect:\n"
              "      params: 1     # trailing\n      output_shape:\n        - 3\n        - 9\nexpect:\n"
              "  total_params: 5\n"),
    "indentless block sequence": ("input: {shape: [3, 2]}\nlayers:\n- type: Dense\n  units: 2\n  expect:\n"
                                  "    output_shape:\n    - 3\n    - 9\n    params: 1\n"),
    "block sequence of another length": ("input: {shape: [3, 2]}\nlayers:\n  - type: Dense\n    units: 2\n"
                                         "    expect:\n      output_shape:\n        - 3\n        - 9\n        - 9\n"
                                         "      params: 1\n"),
    "tagged and anchored but unshared": ("input: {shape: [3, 2]}\nlayers:\n  - type: Dense\n    units: 2\n"
                                         "    expect: {params: &p !!int 1}\n"),
    "quoted keys": ('"input": {"shape": [3, 2]}\n"layers":\n  - {"type": "Dense", "units": 2, '
                    '"expect": {"params": 1}}\n'),
    "nulls and tildes": ("input: {shape: [null, 2]}\nlayers:\n  - {type: Dense, units: 2, "
                         "expect: {output_shape: [~, 9], params: 1}}\n"),
    "explicit document": "%YAML 1.1\n---\n" + DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}") + "...\n",
    "unicode comment": "# ünïcödé ✓\n" + DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}  # ✓"),
    "several outputs": ("input: {shape: [3, 2]}\nlayers:\n  - {type: LSTM, units: 3, return_state: true, "
                        "expect: {output_shape: [3]}}\n"),
}


@pytest.mark.parametrize("form", sorted(UPDATE_FORMS))
def test_update_changes_only_the_values(tmp_path, form):
    variants = {}
    for bom in (False, True):
        for crlf in (False, True):
            text = UPDATE_FORMS[form].replace("\n", "\r\n") if crlf else UPDATE_FORMS[form]
            p = tmp_path / f"spec{int(bom)}{int(crlf)}.yaml"
            p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
            variants[p] = (bom, crlf, p.read_bytes())
    result = lstmcalc("check", *variants, "--update")  # one process, four files
    assert result.returncode == 0 and "4 updated" in out(result), err(result) + out(result)
    for p, (bom, crlf, raw) in variants.items():
        new = p.read_bytes()
        assert new.startswith(b"\xef\xbb\xbf") == bom
        assert (new.count(b"\n") == new.count(b"\r\n")) == crlf
        for a, b in zip(raw.splitlines(), new.splitlines()):  # only lines holding an expectation value change
            assert a == b or any(k in a for k in (b"params", b"output_shape", b"- 9", b"- 3")), a
        for keep in (b"#", b"&p", b"!!int", b'"', b"%YAML", b"---", "✓".encode()):
            assert raw.count(keep) == new.count(keep), keep
    assert lstmcalc("check", *variants).returncode == 0  # the rewritten files re-check clean


@pytest.mark.parametrize("text, what", [
    (DENSE.replace("units: 2}", "units: &u 2, expect: {params: *u}}"), "alias of a model value"),
    (DENSE.replace("units: 2}", "units: 2, expect: {params: &p 1}}") + "expect: {total_params: *p}\n",
     "anchor shared by two expectations"),
    (DENSE.replace("units: 2}", "units: 2, expect: {output_shape: &s [3, 9]}}") + "expect: {output_shape: *s}\n",
     "shared shape"),
    ("input: {shape: &s [3, 2]}\nlayers:\n  - {type: Dense, units: 5, expect: {output_shape: *s}}\n",
     "expectation aliasing the input shape"),
])
def test_update_refuses_shared_values_and_leaves_the_file(tmp_path, text, what):
    p = tmp_path / "spec.yaml"
    p.write_text(text)
    before = p.read_bytes()
    result = lstmcalc("check", p, "--update")
    assert result.returncode == 2, what
    assert "alias" in out(result) and "unchanged" in out(result)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["spec.yaml"]


@pytest.mark.parametrize("mode", [0o444, 0o600, 0o640, 0o755])
def test_update_keeps_mode(tmp_path, mode):
    p = tmp_path / "spec.yaml"
    p.write_text(DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}"))
    p.chmod(mode)
    assert lstmcalc("check", p, "--update").returncode == 0
    assert stat.S_IMODE(p.stat().st_mode) == mode and "params: 6" in p.read_text()


def test_update_follows_symlinks_and_writes_each_file_once(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text(DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}"))
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    hard = tmp_path / "hard.yaml"
    os.link(target, hard)
    result = lstmcalc("check", link, target, hard, tmp_path / "*.yaml", "--update")
    assert result.returncode == 0, out(result)
    assert "checked 1 spec" in out(result) and "1 updated" in out(result)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "params: 6" in target.read_text()


def test_update_keeps_an_existing_temporary_name(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_text(DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}"))
    squatter = tmp_path / "spec.yaml.lstmcalc-tmp"
    squatter.write_text("mine")
    assert lstmcalc("check", p, "--update").returncode == 0
    assert squatter.read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == ["spec.yaml", "spec.yaml.lstmcalc-tmp"]


def test_update_on_a_full_disk_leaves_the_file(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_text(DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}"))
    before = p.read_bytes()
    cmd = " ".join(f"'{c}'" for c in CMD)
    result = subprocess.run(["bash", "-c", f"ulimit -f 0; exec {cmd} check '{p}' --update"],
                            capture_output=True, timeout=60)
    assert result.returncode == 2, result
    assert "unchanged" in result.stdout.decode()
    assert "Traceback" not in result.stderr.decode()
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["spec.yaml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_update_in_a_read_only_directory(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    p = d / "spec.yaml"
    p.write_text(DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}"))
    d.chmod(0o555)
    try:
        result = lstmcalc("check", p, "--update")
        assert result.returncode == 2 and "unchanged" in out(result)
        assert "params: 1" in p.read_text() and os.listdir(d) == ["spec.yaml"]
    finally:
        d.chmod(0o755)


@pytest.mark.parametrize("when", ["before the update", "while the new text is made"])
def test_update_refuses_a_file_saved_meanwhile(tmp_path, monkeypatch, when):
    """The user saves the file while lstmcalc is checking it: their edit wins, with a message."""
    from lstmcalc.errors import SpecError
    from lstmcalc.sources import rewrite

    p = tmp_path / "spec.yaml"
    text = DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}")
    p.write_text(text)
    saved = text + "# the user's edit\n"
    if when == "before the update":
        p.write_text(saved)
    else:
        real = rewrite.new_text

        def save_meanwhile(*a):
            p.write_text(saved)
            return real(*a)

        monkeypatch.setattr(rewrite, "new_text", save_meanwhile)
    with pytest.raises(SpecError) as e:
        rewrite.update_file(str(p), text, [(("layers", 0, "expect", "params"), 6, "params")])
    assert "changed" in e.value.problem.text()
    assert p.read_text() == saved and os.listdir(tmp_path) == ["spec.yaml"]


@pytest.mark.parametrize("fail_at", ["mkstemp", "fsync", "replace", "fchmod"])
def test_any_failure_leaves_no_trace(tmp_path, monkeypatch, fail_at):
    from lstmcalc.errors import SpecError
    from lstmcalc.sources import rewrite

    p = tmp_path / "spec.yaml"
    text = DENSE.replace("units: 2}", "units: 2, expect: {params: 1}}")
    p.write_text(text)

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    module = rewrite.tempfile if fail_at == "mkstemp" else os
    monkeypatch.setattr(module, fail_at, boom)
    with pytest.raises(SpecError) as e:
        rewrite.update_file(str(p), text, [(("layers", 0, "expect", "params"), 6, "params")])
    assert "unchanged" in e.value.problem.text()
    assert p.read_text() == text and os.listdir(tmp_path) == ["spec.yaml"]


# -- 2. nothing from the input reaches the terminal raw -------------------------------------

HOSTILE_NAMES = [ESC_NAME, "[bold red]x[red]", "[oops]", "a\u202eb", "line\nbreak", "c1\x9bcsi", "bell\x07"]


def hostile_spec(tmp_path, *names: str) -> Path:
    p = tmp_path / "h.yaml"
    names = names or HOSTILE_NAMES
    p.write_text(json.dumps({"name": names[0], "input": {"shape": [3, 2]},
                             "layers": [{"type": "Dense", "units": 2, "name": n, "expect": {"params": 1}}
                                        for n in names]}))
    return p


def assert_clean(data: bytes, allow_sgr: bool = False):
    import re

    text = data.decode("utf-8")
    for bad in ("\x07", "\x9b", "\u202e", "\x1b]", "\x1b[2J", "\x00"):
        assert bad not in text, repr(text)
    if not allow_sgr:
        assert "\x1b" not in text, repr(text)
    else:  # colour codes only: every ESC starts an SGR sequence
        assert not re.search(r"\x1b(?!\[[0-9;]*m)", text), repr(text)


@pytest.mark.parametrize("args", [
    ("summary", "{p}", "--format", "plain"), ("summary", "{p}", "--format", "markdown"),
    ("summary", "{p}", "--format", "rich"), ("summary", "{p}", "--format", "rich", "--expand"),
    ("check", "{p}", "--format", "text"), ("check", "{p}", "--format", "github"),
    ("verify", "{p}", "--format", "plain"), ("verify", "{p}", "--format", "rich"),
    ("explain", "{p}", "{name}", "--format", "plain"), ("explain", "{p}", "{name}", "--format", "rich"),
    ("explain", "{p}", "{name2}"), ("explain", "{p}", "no-such-layer"), ("summary", "{p}", "--columns", "{name}"),
    ("summary", "{p}", "--compare"),
], ids=lambda a: "-".join(a))
def test_no_raw_control_characters(tmp_path, args):
    p = hostile_spec(tmp_path)
    result = lstmcalc(*(a.format(p=p, name=HOSTILE_NAMES[0], name2=HOSTILE_NAMES[3]) for a in args))
    assert result.returncode in (0, 1, 2), err(result)
    assert_clean(result.stdout, allow_sgr="rich" in args)
    assert_clean(result.stderr)


def test_markup_is_literal_and_errors_are_escaped(tmp_path):
    p = hostile_spec(tmp_path, "[bold red]x[red]", "[oops]")
    p.write_text(p.read_text().replace('"name": "[bold red]x[red]", "input"', '"name": "[/oops]", "input"'))
    result = lstmcalc("summary", p, "--format", "rich")
    assert result.returncode == 0 and "[bold red]x[red]" in out(result) and "[/oops]" in out(result)
    bad = tmp_path / "bad.yaml"
    bad.write_text('input: {shape: [3]}\nlayers: [{type: "\\e[2J[/oops]"}]\n')
    result = lstmcalc("summary", bad, "--format", "rich")
    one_line_error(result, "\\x1b[2J[/oops]")


def test_json_stays_json_with_the_values(tmp_path):
    p = hostile_spec(tmp_path)
    result = lstmcalc("summary", p, "--format", "json")
    assert not any(c in result.stdout.decode() for c in ("\x1b", "\x07", "\x9b", "\u202e"))
    assert [r["name"] for r in json.loads(result.stdout)["layers"][1:]] == HOSTILE_NAMES


def test_file_names_and_arguments_are_escaped(tmp_path):
    evil = tmp_path / "x\x1b[2Jy.yaml"
    evil.write_text("not: [valid")
    result = lstmcalc("summary", evil)
    assert "\x1b" not in err(result) and "\\x1b[2J" in err(result) and result.returncode == 2
    result = lstmcalc("check", evil, "--format", "github")
    assert "\x1b" not in out(result)
    result = lstmcalc("summary", SEED, "--format", "x\x1b[2J")  # click's own message
    assert result.returncode == 2 and "\x1b" not in err(result)
    result = lstmcalc("explain", "dense", "--units", "\x1b[2J", "--input-shape", "3,2")
    assert result.returncode == 2 and "\x1b" not in err(result)


def read_pty(args) -> bytes:
    """Run in a real terminal and return everything it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the pty
        os.environ.update(COLUMNS="100", TERM="xterm")
        os.execv(CMD[0], [*CMD, *args])
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    os.close(fd)
    return b"".join(chunks)


@pytest.mark.parametrize("command", [["summary"], ["check"], ["verify"], ["explain", "NAME"]])
def test_a_real_terminal_sees_no_escape_from_the_input(tmp_path, command):
    p = hostile_spec(tmp_path, ESC_NAME + "[bold]b[/bold]")
    args = [a.replace("NAME", ESC_NAME + "[bold]b[/bold]") for a in command]
    data = read_pty([args[0], str(p), *args[1:]]).decode("utf-8", "replace")
    assert "\x1b]0;PWNED" not in data and "\x07" not in data and "\x1b[2J" not in data, repr(data)
    assert "\\x1b]0;PWNED" in data


# -- 3. process edges -------------------------------------------------------------------------


def big_spec(tmp_path) -> Path:
    layers = "".join(f"  - {{type: Dense, units: 2, name: d{i}}}\n" for i in range(3000))
    p = tmp_path / "big.yaml"
    p.write_text("input: {shape: [2]}\nlayers:\n" + layers)
    return p


@pytest.mark.parametrize("args", [["summary", "BIG"], ["check", "BIG"], ["schema"],
                                  ["summary", "BIG", "--format", "json"]])
def test_closed_pipe_stops_quietly(tmp_path, args):
    p = big_spec(tmp_path)
    args = [str(p) if a == "BIG" else a for a in args]
    proc = subprocess.Popen([*CMD, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert code in (0, 141) and stderr == "", (code, stderr)


def test_head_in_a_shell_pipeline(tmp_path):
    p = big_spec(tmp_path)
    cmd = " ".join(f"'{c}'" for c in CMD)
    result = subprocess.run(["bash", "-c", f"{cmd} summary '{p}' | head -1; exit ${{PIPESTATUS[0]}}"],
                            capture_output=True, timeout=60)
    assert result.returncode in (0, 141) and result.stderr == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["summary", SEED], ["schema"], ["check", SEED],
                                  ["summary", SEED, "--format", "json"]])
def test_full_or_closed_stdout(args):
    with open("/dev/full", "wb") as full:
        result = subprocess.run([*CMD, *map(str, args)], stdout=full, stderr=subprocess.PIPE, timeout=60)
    assert result.returncode in (1, 2) and len(result.stderr.decode().splitlines()) == 1, result.stderr
    result = subprocess.run([*CMD, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            timeout=60, preexec_fn=lambda: os.close(1))
    assert result.returncode in (1, 2) and len(result.stderr.decode().splitlines()) == 1, result.stderr


def test_closed_stdin():
    result = subprocess.run([*CMD, "summary", "-"], stdin=subprocess.DEVNULL, capture_output=True,
                            preexec_fn=lambda: os.close(0), timeout=60)
    one_line_error(result, "standard input")


@pytest.mark.parametrize("columns", ["10", "0", "1", "30", "abc"])
@pytest.mark.parametrize("command", [["summary", SEED, "--format", "rich"],
                                     ["summary", SEED, "--format", "rich", "--columns", "shape,params,macs,memory"],
                                     ["verify", SEED, "--format", "rich"]])
def test_narrow_terminal_keeps_every_number(columns, command):
    result = lstmcalc(*command, env={"COLUMNS": columns})
    assert result.returncode == 0
    for number in ("71,168", "49,408", "8,320", "8,256"):
        assert number in out(result), out(result)
    if command[0] == "summary":
        assert "137,217" in out(result)


@pytest.mark.parametrize("command", [["summary", SEED, "--format", "rich"], ["summary", SEED, "--expand"],
                                     ["explain", SEED, "lstm1"], ["explain", SEED, "lstm1", "--format", "rich"],
                                     ["summary", SEED, "--compare"], ["verify", SEED], ["check", SEED],
                                     ["summary", SEED, "--format", "json"]])
def test_ascii_terminal_gets_readable_ascii(command):
    result = lstmcalc(*command, env={"LC_ALL": "C", "PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, err(result)
    assert result.stdout.isascii() and result.stderr == b""
    assert "71" in out(result) or command[0] == "check"


def test_non_utf8_file_name(tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/bad\xff\xfename.yaml"
    with open(name, "w") as f:
        f.write("input: [1\n")
    result = subprocess.run([*CMD, "summary", name], capture_output=True, timeout=60)
    one_line_error(result, "\\xff\\xfe")
    result = subprocess.run([*CMD, "check", os.fsencode(str(tmp_path))], capture_output=True, timeout=60)
    assert result.returncode == 2 and b"\\xff\\xfe" in result.stdout and b"\xff" not in result.stdout


def test_symlink_loops_do_not_hang(tmp_path):
    shutil.copy(SEED, tmp_path / "a.yaml")
    (tmp_path / "sub").mkdir()
    shutil.copy(SEED, tmp_path / "sub" / "b.yaml")
    for n in ("loop1", "loop2"):
        (tmp_path / "sub" / n).symlink_to("..")
        (tmp_path / n).symlink_to(".")
    for pattern in ("**/*.yaml", "**", "sub/**", ".", "*/*.yaml", "*/*/*/*/*.yaml"):
        result = lstmcalc("check", pattern, cwd=tmp_path)  # a timeout here would be a hang
        assert result.returncode in (0, 2) and "Traceback" not in err(result), (pattern, err(result))
    result = lstmcalc("check", "**/*.yaml", ".", cwd=tmp_path)
    assert result.returncode == 0 and "checked 2 specs" in out(result), out(result)


# -- 4. YAML and number edge cases ---------------------------------------------------------------

NINES = "9" * 5000


@pytest.mark.parametrize("fragment", [
    "units: !!int abc", "units: !!float abc", "units: !!bool maybe", "units: !!timestamp x",
    "units: 2020-02-30", "units: !!int 0x", "units: !!int 0b", "units: !!int 0o", "units: !!float .", "units: 0b",
    "units: 0x", f"units: {NINES}", f"units: -{NINES}", "units: !!binary '%%%'", "units: !!null x",
    "units: 2, use_bias: !!bool maybe", "units: 2, name: 2020-13-45",
])
def test_bad_scalars_are_located(tmp_path, fragment):
    p = tmp_path / "s.yaml"
    p.write_text("input: {shape: [3, 2]}\nlayers:\n  - {type: Dense, " + fragment + "}\n")
    one_line_error(lstmcalc("summary", p), f"{p}:3:")


@pytest.mark.parametrize("text, where", [
    (f"input: {{shape: [3, 2]}}\nbatch_size: {NINES}\nlayers: [{{type: Dense, units: 2}}]\n", ":2:"),
    (f"input: {{shape: [3, {NINES}]}}\nlayers: [{{type: Dense, units: 2}}]\n", ":1:"),
    ("input: {shape: [3, 2]}\nlayers: [{type: Dropout, rate: .nan}]\n", ":2:"),
    ("input: {shape: [3, 2]}\nlayers: [{type: Dropout, rate: " + "9" * 400 + "}]\n", ":2:"),
    ("input: {shape: [3, 2]}\nlayers: [{type: GaussianNoise, stddev: .nan}]\n", ":2:"),
    ("input: {shape: [3, 2]}\nname: !!timestamp 2020-02-30\nlayers: [{type: Dense, units: 2}]\n", ":2:"),
    ("input: {shape: [3, 2]}\nlayers: [{type: Dense, units: 2, expect: {params: !!int x}}]\n", ":2:"),
])
def test_numbers_that_cannot_be_are_refused(tmp_path, text, where):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    for command in ("summary", "check", "verify"):
        result = lstmcalc(command, p)
        assert result.returncode == 2, (command, err(result), out(result))
        assert where in err(result) + out(result)


def test_huge_legal_sizes_are_exact_and_guarded(tmp_path):
    u = 10**99
    p = tmp_path / "s.yaml"
    p.write_text(f"input: {{shape: [3, 2]}}\nlayers: [{{type: Dense, units: {u}}}]\n")
    result = lstmcalc("summary", p, "--format", "json")
    assert json.loads(out(result))["total_params"] == 2 * u + u
    result = lstmcalc("summary", p, "--columns", "shape,params,macs,memory")
    assert result.returncode == 0 and f"{3 * u:,}" in out(result)
    for force in ([], ["--force"]):
        one_line_error(lstmcalc("verify", p, *force))
    result = lstmcalc("summary", SEED, "--batch-size", "9" * 90, "--format", "json")
    assert json.loads(out(result))["layers"][0]["output_shape"][0] == int("9" * 90)
    result = lstmcalc("summary", SEED, "--batch-size", NINES)
    assert result.returncode == 2 and len(err(result)) < 1000


@pytest.mark.parametrize("spec", [
    "input: {shape: [30, 2]}\nlayers: [{type: Conv1D, filters: 2, kernel_size: 3, dilation_rate: 1000000000, "
    "padding: same}]\n",
    "input: {shape: [30, 2]}\nlayers: [{type: Conv1D, filters: 2, kernel_size: 3, dilation_rate: 1000000000, "
    "padding: causal}]\n",
    "input: {shape: [30, 2]}\nlayers: [{type: MaxPooling1D, pool_size: 1000000000, padding: same}]\n",
    "input: {shape: [30, 2]}\nlayers: [{type: Dense, units: 100000000000}]\n",
])
def test_absurd_sizes_never_allocate(tmp_path, spec):
    p = tmp_path / "s.yaml"
    p.write_text(spec)
    for force in ([], ["--force"]):
        result = lstmcalc("verify", p, *force)
        assert result.returncode in (0, 2) and "Traceback" not in err(result), err(result)


@pytest.mark.parametrize("value", ["!!int x", "[" * 2000, NINES, ".nan", "!!timestamp x", "2020-02-30",
                                   "{a: !!float b}", "*alias", "&a [*a]"])
def test_explain_ad_hoc_values(value):
    result = lstmcalc("explain", "dense", "--units", value, "--input-shape", "3,2")
    assert result.returncode == 2 and "Traceback" not in err(result) and len(err(result)) < 2000, err(result)
    result = lstmcalc("explain", "dropout", "--rate", value, "--input-shape", "3,2")
    assert result.returncode == 2 and "Traceback" not in err(result)


def test_memory_error_is_exit_2(run, monkeypatch):
    import lstmcalc.gather.summary

    def exhausted(*a, **k):
        raise MemoryError

    monkeypatch.setattr(lstmcalc.gather.summary, "summary_dict", exhausted)
    result = run("summary", SEED, "--format", "json")
    assert result.exit_code == 2 and "memory" in result.stdout


# -- 5. run's other files ----------------------------------------------------------------------

TOY = ROOT / "specs" / "simple_rnn_toy.yaml"
TOY_WEIGHTS = ROOT / "examples" / "toy_weights.json"
TOY_INPUT = ROOT / "examples" / "toy_input.json"


def toy_run(*extra, weights=TOY_WEIGHTS, input=TOY_INPUT, stdin=None, spec=TOY):
    return lstmcalc("run", spec, "--weights", weights, "--input", input, *extra, input=stdin)


def test_the_toy_runs():
    assert toy_run("--format", "json").returncode == 0


@pytest.mark.parametrize("mutate, fragment", [
    (lambda t: t.replace("{", '{"zz": 1, "zz": 2, ', 1), "duplicate key"),
    (lambda t: t.replace("{", '{"dup": {"a": 1, "a": 2}, ', 1), "duplicate key"),
    (lambda t: t.replace("{", '{"x": ' + "9" * 400 + ", ", 1), "float64"),
    (lambda t: t.replace("{", '{"x": 1e400, ', 1), "float64"),
    (lambda t: t.replace("{", '{"x": NaN, ', 1), "finite"),
])
def test_strict_weights_json(tmp_path, mutate, fragment):
    w = tmp_path / "w.json"
    w.write_text(mutate(TOY_WEIGHTS.read_text()))
    one_line_error(toy_run(weights=w), fragment, "weights file", str(w))


def test_input_json_duplicates_and_huge_numbers(tmp_path):
    x = tmp_path / "x.json"
    x.write_text('{"a": 1, "a": 2}')
    one_line_error(toy_run(input=x), "duplicate key", "input file")
    data = json.loads(TOY_INPUT.read_text())
    x.write_text(json.dumps(data).replace(str(data[0][0][0]), "9" * 300, 1))
    result = toy_run(input=x)
    assert result.returncode in (0, 2) and "Traceback" not in err(result), err(result)
    x.write_text(json.dumps(data).replace(str(data[0][0][0]), "1" + "0" * 400, 1))
    one_line_error(toy_run(input=x), "input file", "float64")


def test_weights_for_a_layer_without_weights(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("input: {shape: [2]}\nlayers:\n  - {type: Dropout, rate: 0.5}\n  - {type: Dense, units: 1}\n")
    w = tmp_path / "w.json"
    w.write_text(json.dumps({"dropout": {"kernel": [[1.0]]}, "dense": {"kernel": [[1.0], [1.0]], "bias": [0.0]}}))
    x = tmp_path / "x.json"
    x.write_text("[[1.0, 2.0]]")
    one_line_error(toy_run(spec=spec, weights=w, input=x), "dropout", "has none")


def test_large_files_directories_fifos_and_stdin(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)
    one_line_error(toy_run(weights=big), "weights file", "MB")
    one_line_error(toy_run(input=big), "input file", "MB")
    one_line_error(toy_run(weights=tmp_path), "weights file")
    one_line_error(toy_run(input=tmp_path), "input file")
    assert "yaml" not in err(toy_run(weights=tmp_path))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    one_line_error(toy_run(weights=fifo), "weights file")
    one_line_error(toy_run(input=fifo), "input file")
    result = toy_run(weights="-", input="-", stdin=b"{}")
    assert result.returncode == 2 and "only one" in err(result)
    result = lstmcalc("run", "-", "--weights", "-", "--input", TOY_INPUT, input=TOY.read_bytes())
    assert result.returncode == 2 and "only one" in err(result)
    assert toy_run(weights="-", stdin=TOY_WEIGHTS.read_bytes()).returncode == 0


def test_a_huge_string_is_not_echoed(tmp_path):
    x = tmp_path / "x.json"
    x.write_text(json.dumps([[["A" * 4_000_000]]]))
    result = toy_run(input=x)
    assert result.returncode == 2 and len(result.stderr) < 2000
    result = lstmcalc("run", TOY, "--weights", TOY_WEIGHTS, "--input", x, "--format", "json")
    assert result.returncode == 2 and len(result.stdout) < 3000


def test_embedding_out_of_range_names_the_input_file(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("input: {shape: [3], dtype: int32}\nlayers:\n  - {type: Embedding, input_dim: 4, output_dim: 2}\n")
    w = tmp_path / "w.json"
    w.write_text(json.dumps({"embedding": {"embeddings": [[0.0, 1.0]] * 4}}))
    x = tmp_path / "x.json"
    for ids in ([[1, 2, 9]], [[1, 2, -1]], [[1, 2, 10**200]]):
        x.write_text(json.dumps(ids))
        one_line_error(toy_run(spec=spec, weights=w, input=x), str(x))


def test_layer_input_layer_prints_the_input():
    result = toy_run("--layer", "input_layer", "--format", "json")
    assert result.returncode == 0
    assert json.loads(out(result))["output"] == json.loads(TOY_INPUT.read_text())


def test_reshape_with_two_inferred_axes(tmp_path):
    for target in ("[-1, -1]", "[null, -1]", "[-1, null]"):
        spec = tmp_path / "s.yaml"
        spec.write_text(f"input: {{shape: [null, 4]}}\nlayers:\n  - {{type: Reshape, target_shape: {target}}}\n")
        one_line_error(lstmcalc("summary", spec), "-1")


@pytest.mark.parametrize("layer", ["{type: Activation, activation: celu}", "{type: LayerNormalization}",
                                   "{type: Dense, units: 2, activation: celu}", "{type: Activation, activation: elu}",
                                   "{type: Activation, activation: selu}", "{type: Activation, activation: softplus}",
                                   "{type: Activation, activation: exponential}", "{type: BatchNormalization}"])
def test_overflow_gives_ieee_values(tmp_path, layer):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"input: {{shape: [2]}}\nlayers:\n  - {layer}\n")
    x = tmp_path / "x.json"
    x.write_text("[[1e200, -1e200]]")
    w = tmp_path / "w.json"
    weights = json.loads(lstmcalc("verify", spec, "--format", "json").stdout or "{}")  # exit 0 on sane specs
    assert weights.get("ok") is True
    from lstmcalc.graph.build import build
    from lstmcalc.run.forward import random_weights
    from lstmcalc.sources.spec import load

    w.write_text(json.dumps(random_weights(build(load(str(spec))), random.Random(0))))
    for fmt in ("json", "plain"):
        result = lstmcalc("run", spec, "--weights", w, "--input", x, "--format", fmt)
        assert result.returncode == 0, err(result)


def test_explain_refuses_a_conflicting_type():
    for flag in (["--type", "dense"], ["--type=dense"]):
        result = lstmcalc("explain", "lstm", "--units", "4", *flag, "--input-shape", "3,2")
        assert result.returncode == 2 and "type" in err(result)
