from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lstmcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "specs" / "seed.yaml"


def pytest_addoption(parser):
    parser.addoption("--regen", action="store_true", help="rewrite tests/data golden output files")


@pytest.fixture
def regen(request):
    return request.config.getoption("--regen")


class Run:
    def __init__(self, tmp_path):
        self.tmp = tmp_path

    def __call__(self, *args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    def spec(self, text: str, name: str = "spec.yaml") -> Path:
        p = self.tmp / name
        p.write_text(text, encoding="utf-8")
        return p


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


@pytest.fixture(scope="module")
def run_factory(tmp_path_factory):
    return Run(tmp_path_factory.mktemp("fuzz"))
