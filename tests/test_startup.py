"""Start-up stays at the interpreter's floor: `summary --format json` imports only what it needs.

This asserts which modules are imported, never how long anything takes
(benchmarks/ measures time).
"""

from __future__ import annotations

import ast
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
    code = ("import sys, atexit\n"  # no json here: whether the command loads json is asked below
            "atexit.register(lambda: sys.__stderr__.write('MODULES ' + repr(sorted(sys.modules)) + '\\n'))\n"
            "from lstmcalc.cli import main\n"
            f"main({list(args)!r})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return set(ast.literal_eval(line[len("MODULES "):]))


def test_summary_json_imports_nothing_it_does_not_use():
    modules = imported("summary", str(SEED), "--format", "json")
    assert "lstmcalc.graph.wiring" in modules  # the probe works
    loaded = sorted(m for m in modules if m.split(".")[0] in ("rich", "numpy") or m in NOT_FOR_SUMMARY_JSON)
    assert loaded == []


# What `summary --format json` of the seed (two LSTMs and three Dense layers) imports of lstmcalc:
# the families it names (recurrent, core) and nothing of the other families, the PyTorch
# dialect or the importers. A new module on this path must be a deliberate change here.
SEED_SUMMARY_JSON = {
    "lstmcalc", "lstmcalc.cli", "lstmcalc.commands", "lstmcalc.commands.summary", "lstmcalc.errors", "lstmcalc.record",
    "lstmcalc.shapes",
    "lstmcalc.sources", "lstmcalc.sources.yaml_text", "lstmcalc.sources.spec",
    "lstmcalc.graph", "lstmcalc.graph.refs", "lstmcalc.graph.build", "lstmcalc.graph.wiring",
    "lstmcalc.layers", "lstmcalc.layers.base", "lstmcalc.layers.args", "lstmcalc.layers.keras_classes",
    "lstmcalc.layers.recurrent", "lstmcalc.layers.core", "lstmcalc.layers.equivalent",
    "lstmcalc.run", "lstmcalc.run.tensor",  # the layers' forward functions are written with it
    "lstmcalc.gather", "lstmcalc.gather.summary", "lstmcalc.render", "lstmcalc.render.terminal",
    "lstmcalc.render.json_writer",
}
NOT_AT_STARTUP = ("zipfile", "difflib", "array",  # the .keras importer; "did you mean" (only for a mistake); the
                  # forward pass's packing
                  "json",  # the JSON writer needs only its C half, _json (the package compiles its decoder's regexes)
                  "locale")  # what gettext imports for click's default help texts (commands.WrittenHelp)


def test_summary_json_imports_only_the_families_the_spec_names():
    modules = imported("summary", str(SEED), "--format", "json")
    assert sorted(m for m in modules if m.startswith("lstmcalc")) == sorted(SEED_SUMMARY_JSON)
    assert [m for m in NOT_AT_STARTUP if m in modules] == []


def test_the_pytorch_dialect_is_imported_for_a_pytorch_spec_only():
    modules = imported("summary", str(SEED.parent / "pytorch_sentiment.yaml"), "--format", "json")
    families = sorted(m.rsplit(".", 1)[1] for m in modules if m.startswith("lstmcalc.layers."))
    # Embedding, LSTM, LastTimestep, Dropout, Linear, Sigmoid
    assert families == ["args", "base", "core_torch", "equivalent", "keras_classes", "pytorch", "recurrent_torch",
                        "reshaping_torch", "torch_base"]


def test_a_plain_or_rich_summary_loads_no_json_and_builds_no_other_command():
    for fmt in ("plain", "rich"):
        modules = imported("summary", str(SEED), "--format", fmt)
        assert "lstmcalc.gather.summary" in modules  # the probe works
        assert "json" not in modules and "lstmcalc.render.json_writer" not in modules
        assert sorted(m for m in modules if m.startswith("lstmcalc.commands.")) == ["lstmcalc.commands.summary"]
