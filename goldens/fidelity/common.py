"""What the fidelity comparers share: running lstmcalc, comparing outputs, counting disagreements.

`LSTMCALC` (environment) names the lstmcalc under test; the scripts import this module from
their own folder (`python goldens/fidelity/gcmp.py ...`)."""

import collections
import json
import os
import subprocess
import tempfile

LSTMCALC = os.environ.get("LSTMCALC", "lstmcalc")


def lstmcalc(*args) -> subprocess.CompletedProcess:
    return subprocess.run([LSTMCALC, *map(str, args)], capture_output=True, text=True)


def json_file(value) -> str:
    """A temporary JSON file holding `value` (an input for `run`)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(value, f)
    return f.name


def last_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[-1][:160]


def flat(v) -> list:
    if isinstance(v, dict):
        return [z for k in v for z in flat(v[k])]
    return [z for y in v for z in flat(y)] if isinstance(v, list) else [v]


def output_of(result: subprocess.CompletedProcess):
    """`run --format json`'s output: {"output": ...}, or {"outputs": [...]} for several."""
    got = json.loads(result.stdout)
    return got["outputs"] if "outputs" in got else got["output"]


def largest_difference(got, want) -> float:
    g, w = flat(got), flat(want)
    return max((abs(a - b) for a, b in zip(g, w)), default=0.0) if len(g) == len(w) else float("inf")


class Tally:
    """Agreements counted, disagreements grouped by kind with their first examples."""

    def __init__(self):
        self.ok = 0
        self.bad = collections.Counter()
        self.examples: dict = {}

    def agree(self):
        self.ok += 1

    def disagree(self, kind: str, example):
        self.bad[kind] += 1
        self.examples.setdefault(kind, []).append(example)

    def report(self, shown: int = 6):
        print("ok", self.ok)
        for kind, n in self.bad.most_common():
            print(n, kind, "\n   ", self.examples[kind][:shown])
