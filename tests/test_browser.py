"""The pictures in a real browser: headless Chromium (Debian's `chromium`) opens the report and a diagram.

The test fails on any console error, checks the DOM for the expected
elements, and writes PNG screenshots (normal and narrow widths) into
`build/screenshots/` for a person to look at. Skipped where Chromium is not
installed (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
SHOTS = ROOT / "build" / "screenshots"
FLAGS = ["--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
PAGES = [
    ("seed.yaml", ["report"], "report_seed"),
    ("graph_seq2seq_training.yaml", ["report"], "report_seq2seq"),
    ("sentiment_bilstm.yaml", ["report"], "report_bilstm"),
    ("graph_seq2seq_training.yaml", ["diagram"], "diagram_seq2seq"),
    ("seed.yaml", ["diagram", "--layer", "lstm1"], "unrolled_lstm1"),
    ("sentiment_bilstm.yaml", ["diagram", "--layer", "bidirectional"], "unrolled_bilstm"),
    ("pytorch_bigru_tagger.yaml", ["report"], "report_torch_bigru"),
    ("pytorch_bigru_tagger.yaml", ["diagram", "--layer", "gru"], "unrolled_torch_gru"),
    ("graph_luong_attention.yaml", ["diagram"], "diagram_luong"),
]


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    flags = FLAGS + ([] if os.geteuid() else ["--no-sandbox"]) + [f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if ("CONSOLE" in line and ("error" in line.lower() or "Uncaught" in line))
            or "Refused to" in line or "net::ERR" in line]


@pytest.mark.parametrize("spec, command, name", PAGES)
def test_page_in_chromium(run, tmp_path, spec, command, name):
    page = tmp_path / f"{name}.html"
    args = [*command[:1], ROOT / "specs" / spec, *command[1:], "-o", page]
    if command[0] == "diagram":
        args[-1] = page
    result = run(*args)
    assert result.exit_code == 0, result.output
    url = page.as_uri()
    dom = chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert not console_errors(dom.stderr), console_errors(dom.stderr)
    assert "<svg" in dom.stdout and "<rect" in dom.stdout
    if command[0] == "report":
        for part in ('<table class="summary">', 'id="diagram"', "Every layer explained", "Costs"):
            assert part in dom.stdout, part
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "normal"), (480, "narrow")):
        png = SHOTS / f"{name}_{label}.png"
        shot = chromium(tmp_path, f"--screenshot={png}", f"--window-size={width},1000", url)
        assert shot.returncode == 0, shot.stderr[-2000:]
        assert not console_errors(shot.stderr), console_errors(shot.stderr)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
