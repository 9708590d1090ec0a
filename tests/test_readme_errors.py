"""The README's table of errors shows the real messages: each row's input is written out here,
run through `lstmcalc summary`, and its exit status and message compared with the row."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
LSTM = "input: {shape: [5, 4]}\nlayers:\n  - "
BOMB = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcde", "bcdef"))

# the input column of a row -> the spec.yaml that shows it (bytes where the text is not UTF-8), or a path
INPUTS: dict[str, str | bytes] = {
    "not YAML at all": "input: {shape: [3]}\nlayers: [{type: LSTM units: 3}\n",
    "YAML that is not a mapping": "- input\n- layers\n",
    "empty file": "",
    "non-UTF-8 bytes": b"input:\n  \xff\n",
    "tabs": "input: {shape: [5, 4]}\n\tlayers: []\n",
    "duplicate keys": LSTM + "{type: LSTM, units: 3, units: 4}\n",
    "unknown top-level key": "input: {shape: [5, 4]}\nlayer:\n  - {type: LSTM, units: 3}\n",
    "unknown layer type": LSTM + "{type: LSMT, units: 3}\n",
    "misspelt argument": LSTM + "{type: LSTM, units: 3, return_sequence: true}\n",
    "a string for an integer": LSTM + "{type: LSTM, units: '3'}\n",
    "a float for an integer": LSTM + "{type: LSTM, units: 3.0}\n",
    "a bool for an integer": LSTM + "{type: LSTM, units: true}\n",
    "zero or negative size": LSTM + "{type: LSTM, units: 0}\n",
    "missing required argument": LSTM + "{type: LSTM}\n",
    "a rank that does not fit": LSTM + "{type: LSTM, units: 3, name: lstm2}\n  - {type: LSTM, units: 3}\n",
    "a null where Keras needs a size": "input: {shape: [5, null]}\nlayers:\n  - {type: Dense, units: 3}\n",
    "a window longer than the input": LSTM + "{type: Conv1D, filters: 3, kernel_size: 9}\n",
    "a reshape that loses values": LSTM + "{type: Reshape, target_shape: [3, 3]}\n",
    "a wrapper without layer:": LSTM + "{type: Bidirectional}\n",
    "a wrapper Keras refuses": LSTM + "{type: Bidirectional, layer: {type: Dense, units: 3}}\n",
    "several outputs fed to a chain": (LSTM + "{type: LSTM, units: 3, return_state: true}\n"
                                       "  - {type: Dense, units: 3}\n"),
    "two layers with one name": LSTM + "{type: LSTM, units: 3, name: a}\n  - {type: LSTM, units: 3, name: a}\n",
    "an expect: of the wrong form": LSTM + "{type: Dense, units: 3}\nexpect: {total_params: many}\n",
    "an alias bomb": BOMB,
    "a python tag": "input: !!python/object/apply:os.system [ls]\n",
    "a spec path that does not exist": "PATH missing.yaml",
    "a directory": "PATH .",
    "/dev/zero as a spec": "PATH /dev/zero",
}


def rows() -> list[tuple[str, int, str]]:
    table = README[README.index("| input | exit | message |"):]
    found = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        found.append((cells[0], int(cells[1]), cells[2].strip("`")))
    return found


@pytest.mark.parametrize(("what", "status", "message"), rows(), ids=[r[0] for r in rows()])
def test_errors_table_row(run, tmp_path, monkeypatch, what, status, message):
    assert what in INPUTS, f"add the input of the README's errors row {what!r} to INPUTS"
    monkeypatch.chdir(tmp_path)
    spec = INPUTS[what]
    if isinstance(spec, str) and spec.startswith("PATH "):
        path = spec[5:]
    else:
        path = "spec.yaml"
        (tmp_path / path).write_bytes(spec if isinstance(spec, bytes) else spec.encode())
    result = run("summary", path)
    assert (result.exit_code, result.stderr.strip()) == (status, message.replace("\\|", "|"))


def test_every_input_has_its_row():
    assert sorted(INPUTS) == sorted(r[0] for r in rows())
    assert re.search(r"\| input \| exit \| message \|", README)
