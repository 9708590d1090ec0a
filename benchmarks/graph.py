"""Building and summarising large graphs: prints figures as ratios to a floor measured in the same run.

    python benchmarks/graph.py [--runs 7]

The floor is `python -c "import click, yaml"`. Two generated specs are timed
as whole `lstmcalc summary --format json` processes at 1,000, 5,000 and
10,000 nodes:

- a chain (LSTM + Dropout pairs, no `inputs:`), the graph the loader makes
  when no layer names its inputs;
- a ladder: Dense layers where every fourth adds a skip connection from four
  layers back (`Add` of two references), so the walk, the references and the
  "Connected to" column all work.

It prints each time over the floor (CPU time, computed within each round of the
commands taken in turn, the median over the rounds) and the marginal cost per
node from 5,000 to 10,000 over that from 1,000 to 5,000 (1.0 is linear).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import per_round, rounds


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
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sizes = (1000, 5000, 10000)
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("chain", chain), ("ladder", ladder)):
            cmds = [[sys.executable, "-c", "import click, yaml"]]
            for n in sizes:
                path = Path(tmp) / f"{name}{n}.yaml"
                path.write_text(make(n))
                cmds.append([sys.executable, "-m", "lstmcalc", "summary", str(path), "--format", "json"])
            # each round: the floor, then the three sizes; each figure within a round, then its median
            # over the rounds (common.rounds says why); CPU time
            samples = rounds(cmds, args.runs)
            for k, n in enumerate(sizes, start=1):
                ratio = per_round(lambda r, k=k: r[k] / r[0], samples)[1]
                print(f"{name:6} {n:6,} nodes: {ratio:5.1f} x floor")
            marginal = per_round(lambda r: ((r[3] - r[2]) / 5000) / ((r[2] - r[1]) / 4000), samples)[1]
            print(f"{name:6} marginal cost per node, 5k-10k over 1k-5k: {marginal:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()
