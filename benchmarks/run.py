"""Every performance figure of the project in one run, as ratios to floors measured in the same run.

    python benchmarks/run.py [--runs 7]

| figure | floor | goal |
|---|---|---|
| `summary specs/seed.yaml --format json` | `python -c "import click, yaml"` | <= 1.25 |
| `summary specs/seed.yaml --format rich` | `python -c "import click, yaml, rich.console, rich.table"` | <= 1.20 |
| 10,000-layer chain (LSTM + Dropout pairs), summary json | the first floor | <= 10 |
| marginal cost per layer, 10k-20k over 1k-10k | (1.0 is linear) | <= 1.15 |
| `verify` multiply-adds per second | the fastest pure-Python inner product on the same shapes | >= 0.90 |
| peak resident memory of `summary` on a 20,000-layer chain | | < 200 MB |
| peak resident memory of `verify specs/seed.yaml` | | < 40 MB |

Machines here are noisy: read the ratios, not the seconds. Asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from operator import mul
from pathlib import Path

from common import SEED, median_wall, peak_rss_mb
from graph import chain


def kernel_rate(rows: int, width: int, repeats: int = 20) -> float:
    """Multiply-adds per second of the fastest pure-Python inner product on rows x width."""
    rng = random.Random(0)
    w = [[rng.random() for _ in range(width)] for _ in range(rows)]
    x = [rng.random() for _ in range(width)]
    dot = getattr(math, "sumprod", None) or (lambda u, v: sum(map(mul, u, v)))
    t0 = time.perf_counter()
    for _ in range(repeats):
        [dot(r, x) for r in w]
    return rows * width * repeats / (time.perf_counter() - t0)


def verify_rate() -> float:
    import lstmcalc
    from lstmcalc.gather import summary as report
    from lstmcalc.run import forward

    model = lstmcalc.load(SEED)
    t0 = time.perf_counter()
    forward.verify(model, batch=2)
    return report.total_macs(model) * 2 / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    py = sys.executable
    summary = [py, "-m", "lstmcalc", "summary", SEED, "--format"]
    median_wall(summary + ["json"], 2)  # warm the caches
    floor = median_wall([py, "-c", "import click, yaml"], runs)
    floor_rich = median_wall([py, "-c", "import click, yaml, rich.console, rich.table"], runs)
    rows = [("summary --format json / floor", median_wall(summary + ["json"], runs) / floor, "<= 1.25"),
            ("summary --format rich / rich floor", median_wall(summary + ["rich"], runs) / floor_rich, "<= 1.20")]
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for n in (1000, 10000, 20000):
            path = Path(tmp) / f"chain{n}.yaml"
            path.write_text(chain(n))
            times[n] = median_wall([py, "-m", "lstmcalc", "summary", str(path), "--format", "json"], 3)
        peak_chain = peak_rss_mb(["summary", str(Path(tmp) / "chain20000.yaml"), "--format", "json"])
    rows.append(("10,000-layer chain, summary json / floor", times[10000] / floor, "<= 10"))
    early, late = (times[10000] - times[1000]) / 9000, (times[20000] - times[10000]) / 10000
    rows.append(("per-layer cost 10k-20k / 1k-10k", late / early, "<= 1.15"))
    rate, kernel = verify_rate(), kernel_rate(512, 138)  # lstm1's stacked [W; U] rows on [x_t, h_(t-1)]
    rows.append(("verify multiply-adds/s / inner-product kernel", rate / kernel, ">= 0.90"))
    peak_verify = peak_rss_mb(["verify", SEED, "--format", "json"])
    print(f"floors: import click, yaml {floor * 1000:.0f} ms; with rich {floor_rich * 1000:.0f} ms")
    for name, value, goal in rows:
        print(f"{name:48} {value:7.2f}   goal {goal}")
    print(f"{'peak memory, summary of a 20,000-layer chain':48} {peak_chain:7.1f}   goal < 200 MB")
    print(f"{'peak memory, verify specs/seed.yaml':48} {peak_verify:7.1f}   goal < 40 MB")


if __name__ == "__main__":
    main()
