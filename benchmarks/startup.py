"""Start-up and scaling of `lstmcalc summary`: prints figures, asserts nothing.

    python benchmarks/startup.py [--runs 15]

1. median wall time of `lstmcalc summary specs/seed.yaml --format json` next to
   `python -c "import click, yaml"` (the floor: Python and two of the three
   dependencies), and their ratio (aim: <= 1.5);
2. time to summarise generated specs of 500, 1,000 and 2,000 layers in
   process (aim: 2,000 layers under a second, growing linearly).
"""

from __future__ import annotations

import argparse
import sys
import time

from common import ROOT, median_wall


def generated_spec(n: int) -> str:
    lines = ["name: generated", "input: {shape: [20, 16]}", "layers:"]
    kinds = ["{type: LSTM, units: 16, return_sequences: true}", "{type: Dense, units: 16}",
             "{type: LayerNormalization}", "{type: Dropout, rate: 0.1}",
             "{type: Bidirectional, layer: {type: GRU, units: 8, return_sequences: true}}"]
    lines += [f"  - {kinds[i % len(kinds)]}" for i in range(n)]
    return "\n".join(lines) + "\n"


def summarise(text: str) -> float:
    import lstmcalc
    from lstmcalc.gather import summary as report

    t0 = time.perf_counter()
    model = lstmcalc.build(lstmcalc.parse(text, "<generated>"))
    report.summary_dict(model)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    seed = str(ROOT / "specs" / "seed.yaml")
    lstmcalc_cmd = [sys.executable, "-m", "lstmcalc", "summary", seed, "--format", "json"]
    floor_cmd = [sys.executable, "-c", "import click, yaml"]
    median_wall(lstmcalc_cmd, 2)  # warm the caches
    ours, floor = median_wall(lstmcalc_cmd, runs), median_wall(floor_cmd, runs)
    print(f"summary --format json (seed): {ours * 1000:7.1f} ms median of {runs}")
    print(f"python -c 'import click, yaml': {floor * 1000:7.1f} ms median of {runs}")
    print(f"ratio: {ours / floor:.2f} (aim <= 1.5)")
    for n in (500, 1000, 2000):
        best = min(summarise(generated_spec(n)) for _ in range(3))
        print(f"summary of a {n:>5}-layer spec: {best * 1000:7.1f} ms ({best / n * 1e6:.0f} us per layer)")


if __name__ == "__main__":
    main()
