"""Start-up stays at the interpreter's floor: `summary --format json` imports only what it needs.

This asserts which modules are imported, never how long anything takes
(benchmarks/ measures time).
"""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import SEED

NOT_FOR_SUMMARY_JSON = (
    "rich",  # only the rich format draws with rich
    "numpy",  # never, anywhere
    "lstmcalc.run.forward",  # no forward pass for a summary
    "lstmcalc.gather.explain",
    "lstmcalc.gather.compare",
    "lstmcalc.gather.check",
    "lstmcalc.sources.schema",  # no JSON Schema unless asked
    "lstmcalc.render.rich_console",
)


def imported(*args: str) -> set[str]:
    code = ("import sys, atexit, json\n"
            "atexit.register(lambda: sys.__stderr__.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
            "from lstmcalc.cli import main\n"
            f"main({list(args)!r})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line[len("MODULES "):]))


def test_summary_json_imports_nothing_it_does_not_use():
    modules = imported("summary", str(SEED), "--format", "json")
    assert "lstmcalc.graph.wiring" in modules  # the probe works
    loaded = sorted(m for m in modules if m.split(".")[0] in ("rich", "numpy") or m in NOT_FOR_SUMMARY_JSON)
    assert loaded == []
