"""What the benchmark scripts share: whole-process timing with the bytecode cache on, peak memory."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "specs" / "seed.yaml")
# Measure what an installed package does: with its bytecode cached.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_times(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of `runs` runs of a whole process, in seconds."""
    return interleaved([cmd], runs)[0]


def interleaved(cmds: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """(median wall time, median CPU time) of each command, in seconds, their runs taken in turn."""
    walls, cpus = rounds(cmds, runs)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(zip(*walls), zip(*cpus))]


def rounds(cmds: list[list[str]], runs: int) -> tuple[list[list[float]], list[list[float]]]:
    """`runs` rounds of the commands taken in turn: per round, each command's wall time and CPU
    time (user + system), in seconds.

    The commands of one round run within a second of each other, so a figure computed within
    each round (a ratio, a difference) sees one state of the machine; the median of those
    figures over the rounds is then what a slower or busier moment does not move. Here a
    whole process's time moves by a factor of 3 from one minute to the next. CPU time counts
    only the process's own work, which other jobs move far less than they move wall time.
    """
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = [], []
        for cmd in cmds:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
            wall.append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus


def per_round(figure, samples: tuple[list[list[float]], list[list[float]]]) -> list[float]:
    """[wall, CPU]: the median over the rounds of figure(one round's times)."""
    return [statistics.median(figure(times) for times in kind) for kind in samples]


def median_interval(values: list[float]) -> tuple[float, float]:
    """A 95% confidence interval of the median of `values`, from their order statistics (no
    assumption on how the values spread): the ranks n/2 -/+ 0.98 sqrt(n), about 1.96 standard
    deviations of a binomial(n, 1/2) count. Of 21 values, the 6th and 16th smallest."""
    ordered, n = sorted(values), len(values)
    half = 0.98 * n ** 0.5
    return ordered[max(0, round(n / 2 - half) - 1)], ordered[min(n - 1, round(n / 2 + half))]


def median_wall(cmd: list[str], runs: int) -> float:
    """Median wall time of `runs` runs of a whole process, in seconds."""
    return median_times(cmd, runs)[0]


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of `lstmcalc ARGS` run as its own process, in MB (its output discarded)."""
    code = ("import resource, sys\nfrom lstmcalc.cli import main\n"
            f"sys.argv = ['lstmcalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    child = subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, check=True, env=ENV)
    return int(child.stderr.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux
