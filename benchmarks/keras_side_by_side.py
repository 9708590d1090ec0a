"""Keras 3 building the seed model and printing `summary()`, beside `lstmcalc summary` of the same model.

    python benchmarks/keras_side_by_side.py --keras-python /work/genv/bin/python [--runs 5]

Runs only where an interpreter with Keras is at hand (`--keras-python`,
default: this one); lstmcalc runs with this interpreter. Each side is timed
as whole processes (median wall time of `--runs`) and its peak resident
memory read from the process itself. Keras builds examples/seed_question.py
(the seed question's code) with the backend of KERAS_BACKEND (default torch)
and prints model.summary(); lstmcalc prints the same table from
specs/seed.yaml. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from common import ENV, ROOT, SEED

PEAK = "import resource, sys; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
KERAS = ("from keras import Input, Model\nfrom keras.layers import LSTM, Dense\n"
         f"exec(open({str(ROOT / 'examples' / 'seed_question.py')!r}).read())\nmodel.summary()\n" + PEAK)
LSTMCALC = ("import sys\nfrom lstmcalc.cli import main\n"
            f"sys.argv = ['lstmcalc', 'summary', {SEED!r}, '--format', 'plain']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n" + PEAK)


def measure(python: str, code: str, runs: int, env: dict) -> tuple[float, float]:
    """(median wall seconds, peak resident MB) of `python -c code`."""
    times, peaks = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        child = subprocess.run([python, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               check=True, env=env)
        times.append(time.perf_counter() - t0)
        peaks.append(int(child.stderr.strip().splitlines()[-1]) / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keras-python", default=sys.executable, help="an interpreter that has Keras 3")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    keras_env = {**ENV, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
    found = subprocess.run([args.keras_python, "-c", "import keras; print(keras.__version__)"], capture_output=True,
                           text=True, env=keras_env)
    if found.returncode != 0:
        sys.exit(f"no Keras in {args.keras_python}: pass --keras-python with an interpreter that has it")
    ours_env = {**ENV, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), ENV.get("PYTHONPATH")]))}
    measure(sys.executable, LSTMCALC, 1, ours_env)  # warm the caches
    keras_time, keras_peak = measure(args.keras_python, KERAS, args.runs, keras_env)
    ours_time, ours_peak = measure(sys.executable, LSTMCALC, args.runs, ours_env)
    print(f"Keras {found.stdout.strip()} ({keras_env['KERAS_BACKEND']} backend) build + summary(): "
          f"{keras_time:.2f} s, {keras_peak:.0f} MB peak")
    print(f"lstmcalc summary specs/seed.yaml: {ours_time:.3f} s, {ours_peak:.0f} MB peak")
    print(f"lstmcalc is {keras_time / ours_time:.0f}x faster and uses {keras_peak / ours_peak:.0f}x less memory")


if __name__ == "__main__":
    main()
