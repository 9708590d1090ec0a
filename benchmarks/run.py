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

Machines here are noisy: read the ratios, not the seconds. Each figure is computed within each round
of the commands taken in turn (a round lasts a second or two, and sees one state of the machine) and
the median over the rounds is printed, for wall time and for CPU time (the processes' own work,
which other jobs on the machine move far less), with a 95% confidence interval of the CPU median:
a figure whose interval holds its goal is within this machine's noise of it. Asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from operator import mul
from pathlib import Path

from common import SEED, median_interval, median_wall, peak_rss_mb, rounds
from graph import chain


def kernel_rate(rows: int, width: int, repeats: int = 20) -> tuple[float, float]:
    """Multiply-adds per second of the fastest pure-Python inner product on rows x width (wall, CPU)."""
    rng = random.Random(0)
    w = [[rng.random() for _ in range(width)] for _ in range(rows)]
    x = [rng.random() for _ in range(width)]
    dot = getattr(math, "sumprod", None) or (lambda u, v: sum(map(mul, u, v)))
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        [dot(r, x) for r in w]
    macs = rows * width * repeats
    return macs / (time.perf_counter() - t0), macs / (time.process_time() - c0)


def verify_rate() -> tuple[float, float]:
    """Multiply-adds per second of `verify` on the seed (batch 2), by wall time and by CPU time."""
    import lstmcalc
    from lstmcalc.gather import summary as report
    from lstmcalc.run import forward

    model = lstmcalc.load(SEED)
    t0, c0 = time.perf_counter(), time.process_time()
    forward.verify(model, batch=2)
    macs = report.total_macs(model) * 2
    return macs / (time.perf_counter() - t0), macs / (time.process_time() - c0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    py = sys.executable
    summary = [py, "-m", "lstmcalc", "summary", SEED, "--format"]
    median_wall(summary + ["json"], 2)  # warm the caches
    # start-up: three times as many runs (each is a tenth of a second, and one slow run in a few moves a
    # median of a handful by a tenth); each figure is computed within each round of commands taken in
    # turn, then its median over the rounds (common.rounds says why)
    start = rounds([[py, "-c", "import click, yaml"], [py, "-c", "import click, yaml, rich.console, rich.table"],
                    summary + ["json"], summary + ["rich"]], 3 * runs)
    floor, floor_rich = [statistics.median(r[0] for r in kind) for kind in start], \
        [statistics.median(r[1] for r in kind) for kind in start]
    rows = [("summary --format json / floor", each_round(lambda r: r[2] / r[0], start), "<= 1.25"),
            ("summary --format rich / rich floor", each_round(lambda r: r[3] / r[1], start), "<= 1.20")]
    with tempfile.TemporaryDirectory() as tmp:
        sizes, cmds = (1000, 10000, 20000), [[py, "-c", "import click, yaml"]]
        for n in sizes:
            path = Path(tmp) / f"chain{n}.yaml"
            path.write_text(chain(n))
            cmds.append([py, "-m", "lstmcalc", "summary", str(path), "--format", "json"])
        # each round: the floor, then 1k, 10k and 20k layers. Six times --runs rounds, twice as many as for
        # start-up: the per-layer figure is a ratio of differences, and the machine's speed moves within a
        # round (its value over single rounds spread from 0.3 to 2.5 in one run of 21, around a median of
        # 1.04; over 21 rounds, its 95% interval was 0.80 to 1.35 in a busy hour)
        chains = rounds(cmds, 6 * runs)
        peak_chain = peak_rss_mb(["summary", str(Path(tmp) / "chain20000.yaml"), "--format", "json"])
    rows.append(("10,000-layer chain, summary json / floor", each_round(lambda r: r[2] / r[0], chains), "<= 10"))
    # (10k to 20k per layer) / (1k to 10k per layer), within each round
    rows.append(("per-layer cost 10k-20k / 1k-10k",
                 each_round(lambda r: ((r[3] - r[2]) / 10000) / ((r[2] - r[1]) / 9000), chains), "<= 1.15"))
    # lstm1's stacked [W; U] rows on [x_t, h_(t-1)], as many multiply-adds as verify's 12 million (a shorter
    # kernel run is at the mercy of the load); the two taken in turn, three times --runs pairs as for the
    # other figures, the median of the ratios
    pairs = [(verify_rate(), kernel_rate(512, 138, repeats=170)) for _ in range(3 * runs)]
    rows.append(("verify multiply-adds/s / inner-product kernel",
                 [[rate[i] / kernel[i] for rate, kernel in pairs] for i in (0, 1)], ">= 0.90"))
    peak_verify = peak_rss_mb(["verify", SEED, "--format", "json"])
    print(f"floors: import click, yaml {floor[0] * 1000:.0f} ms wall, {floor[1] * 1000:.0f} ms CPU; "
          f"with rich {floor_rich[0] * 1000:.0f} ms wall, {floor_rich[1] * 1000:.0f} ms CPU")
    # each figure: its median over the rounds by wall time and by CPU time, and a 95% confidence interval
    # of the CPU median (what another run of this script on an equally loaded machine would likely print)
    print(f"{'':48} {'wall':>7} {'CPU':>7}  {'CPU 95% interval':>16}")
    for name, (wall, cpu), goal in rows:
        low, high = median_interval(cpu)
        print(f"{name:48} {statistics.median(wall):7.2f} {statistics.median(cpu):7.2f}  {low:7.2f} - {high:<7.2f}"
              f" goal {goal}")
    print(f"{'peak memory, summary of a 20,000-layer chain':48} {peak_chain:7.1f} MB {'':19} goal < 200 MB")
    print(f"{'peak memory, verify specs/seed.yaml':48} {peak_verify:7.1f} MB {'':19} goal < 40 MB")


def each_round(figure, samples: tuple[list[list[float]], list[list[float]]]) -> list[list[float]]:
    """[wall, CPU]: figure(one round's times) for each round (common.rounds)."""
    return [[figure(times) for times in kind] for kind in samples]


if __name__ == "__main__":
    main()
