"""Building and summarising large graphs: prints figures as ratios to a floor measured in the same run.

    python benchmarks/graph.py [--runs 5]

The floor is `python -c "import click, yaml"`. Two generated specs are timed
as whole `lstmcalc summary --format json` processes at 1,000, 5,000 and
10,000 nodes:

- a chain (LSTM + Dropout pairs, no `inputs:`), the graph the loader makes
  when no layer names its inputs;
- a ladder: Dense layers where every fourth adds a skip connection from four
  layers back (`Add` of two references), so the walk, the references and the
  "Connected to" column all work.

It prints each time over the floor and the marginal cost per node from
5,000 to 10,000 over that from 1,000 to 5,000 (1.0 is linear). Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import median_wall


def chain(n: int) -> str:
    lines = ["name: chain", "input: {shape: [10, 8]}", "layers:"]
    for _ in range(n // 2):
        lines += ["  - {type: LSTM, units: 8, return_sequences: true}", "  - {type: Dropout, rate: 0.1}"]
    return "\n".join(lines) + "\n"


def ladder(n: int) -> str:
    lines = ["name: ladder", "inputs: [{name: x, shape: [8]}]", "layers:",
             "  - {type: Dense, name: d0, units: 8, inputs: x}"]
    for i in range(1, n):
        if i % 4 == 0:
            lines.append(f"  - {{type: Add, name: d{i}, inputs: [d{i - 1}, d{i - 4}]}}")
        else:
            lines.append(f"  - {{type: Dense, name: d{i}, units: 8, inputs: d{i - 1}}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    floor = median_wall([sys.executable, "-c", "import click, yaml"], args.runs)
    print(f"floor (python -c 'import click, yaml'): {floor * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("chain", chain), ("ladder", ladder)):
            times = {}
            for n in (1000, 5000, 10000):
                path = Path(tmp) / f"{name}{n}.yaml"
                path.write_text(make(n))
                times[n] = median_wall([sys.executable, "-m", "lstmcalc", "summary", str(path), "--format", "json"],
                                       max(1, args.runs // 2))
                print(f"{name:6} {n:6,} nodes: {times[n]:6.2f} s = {times[n] / floor:5.1f} x floor")
            early = (times[5000] - times[1000]) / 4000
            late = (times[10000] - times[5000]) / 5000
            print(f"{name:6} marginal cost per node, 5k-10k over 1k-5k: {late / early:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()
