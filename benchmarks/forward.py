"""Speed and memory of the reference forward pass: prints figures, asserts nothing.

    python benchmarks/forward.py [--runs 5]

Runs `verify` on specs/seed.yaml (batch 2: about 12 million multiply-adds)
in-process and reports the median wall time and the multiply-adds per
second (aim: >= 25 million/s on one core), then the peak resident memory of
`lstmcalc verify specs/seed.yaml` as a separate process (aim: < 100 MB).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "specs" / "seed.yaml")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs

    import lstmcalc
    from lstmcalc.gather import summary as report
    from lstmcalc.run import forward

    model = lstmcalc.load(SEED)
    batch = 2
    macs = report.total_macs(model) * batch
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        checks = forward.verify(model, batch=batch)
        times.append(time.perf_counter() - t0)
        assert all(c.ok for c in checks)
    wall = statistics.median(times)
    print(f"verify specs/seed.yaml, batch {batch}: {macs:,} multiply-adds")
    print(f"median wall time of {runs}: {wall:.3f} s")
    print(f"multiply-adds per second: {macs / wall / 1e6:.1f} million (aim >= 25)")

    child = subprocess.run([sys.executable, "-c",
                            "import resource, sys; from lstmcalc.cli import main; sys.argv = "
                            f"['lstmcalc', 'verify', {SEED!r}, '--format', 'json'];\n"
                            "try:\n    main()\nexcept SystemExit:\n    pass\n"
                            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"],
                           capture_output=True, text=True, check=True)
    peak_kb = int(child.stderr.strip().splitlines()[-1])
    print(f"peak resident memory of `lstmcalc verify specs/seed.yaml`: {peak_kb / 1024:.1f} MB (aim < 100)")


if __name__ == "__main__":
    main()
