"""A long, reproducible fuzzing session: the property tests with many examples.

    python benchmarks/fuzz.py [EXAMPLES]      # default 3000

Runs tests/test_fuzz.py with a fixed derandomised seed and prints pytest's
result and the time it took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    examples = sys.argv[1] if len(sys.argv) > 1 else "3000"
    env = {**os.environ, "LSTMCALC_FUZZ_EXAMPLES": examples}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(ROOT / "tests" / "test_fuzz.py")], env=env, cwd=ROOT)
    print(f"{examples} examples per property in {time.perf_counter() - t0:.1f} s")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
