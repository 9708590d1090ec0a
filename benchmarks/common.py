"""What the benchmark scripts share: whole-process timing with the bytecode cache on, peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "specs" / "seed.yaml")
# Measure what an installed package does: with its bytecode cached.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_wall(cmd: list[str], runs: int) -> float:
    """Median wall time of `runs` runs of a whole process, in seconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of `lstmcalc ARGS` run as its own process, in MB (its output discarded)."""
    code = ("import resource, sys\nfrom lstmcalc.cli import main\n"
            f"sys.argv = ['lstmcalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    child = subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, check=True, env=ENV)
    return int(child.stderr.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux
