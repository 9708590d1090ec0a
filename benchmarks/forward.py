"""Speed and memory of the reference forward pass: prints figures, asserts nothing.

    python benchmarks/forward.py [--runs 7]

Each inner loop (the LSTM step, Dense, Conv1D) and `verify` on specs/seed.yaml
(batch 2, about 12 million multiply-adds) is timed against the kernel figure:
the multiply-adds per second of the fastest pure-Python inner product
(`sum(map(mul, row, x))`, or `math.sumprod` on Python >= 3.12) on the same
row shapes in the same interpreter. The two are timed in turn, `runs` times,
by CPU time (which other jobs on the machine move far less than wall time);
the figure is the median of the ratios (goal: >= 0.90). Then the CPU time of
`verify` beyond start-up (goal: < 0.5 s), the share of it spent outside the inner
products (drawing the random weights, laying them out as rows, the gate arithmetic,
the checks), which bounds the verify figure when the products run at the kernel's
speed, and the peak resident memory of `lstmcalc verify specs/seed.yaml` as its
own process (goal: < 40 MB).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import random
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from common import SEED, peak_rss_mb
from run import kernel_rate

# (name, spec body, batch, the rows x width of one inner product)
LOOPS = (
    ("LSTM step: LSTM(128) on (50, 10)", "input: {shape: [50, 10]}\nlayers:\n  - {type: LSTM, units: 128}\n",
     2, (512, 138)),
    ("Dense(128) on (50, 128)", "input: {shape: [50, 128]}\nlayers:\n  - {type: Dense, units: 128}\n",
     2, (128, 128)),
    ("Conv1D(64, 3) on (100, 32)",
     "input: {shape: [100, 32]}\nlayers:\n  - {type: Conv1D, filters: 64, kernel_size: 3}\n", 2, (64, 96)),
)


def cpu(fn) -> float:
    """CPU seconds of one call."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def ratios(run_once, macs: int, shape: tuple[int, int], runs: int) -> tuple[float, float]:
    """(median ratio to the kernel, median million multiply-adds per second), by CPU time, taken in turn."""
    found, rates = [], []
    for _ in range(runs):
        kernel = kernel_rate(*shape, repeats=max(1, macs // (shape[0] * shape[1] * 2)))[1]
        rate = macs / cpu(run_once)
        found.append(rate / kernel)
        rates.append(rate)
    return statistics.median(found), statistics.median(rates) / 1e6


def without_products(fn):
    """Call fn with every layer module's `matvec`, `affine` and `dot` answering zeros at no cost,
    so that only the work around the inner products is left."""
    import lstmcalc.layers as layers_pkg

    def free(rows, x):
        return [0.0] * len(rows)

    def free_dot(u, v):
        return 0.0

    saved = []
    for info in pkgutil.iter_modules(layers_pkg.__path__):
        module = importlib.import_module(f"lstmcalc.layers.{info.name}")
        for name, stand_in in (("matvec", free), ("affine", free), ("dot", free_dot)):
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, stand_in)
    try:
        return fn()
    finally:
        for module, name, real in saved:
            setattr(module, name, real)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    import lstmcalc
    from lstmcalc.gather import summary as report
    from lstmcalc.run import forward

    print(f"{'':40} {'/ kernel':>9} {'M mul-add/s':>12}   (CPU time, medians of {runs})")
    with tempfile.TemporaryDirectory() as tmp:
        for name, body, batch, shape in LOOPS:
            path = Path(tmp) / "loop.yaml"
            path.write_text(f"name: loop\nframework: keras\n{body}")
            model = forward.concrete_for_verify(lstmcalc.load(str(path)), batch)
            rng = random.Random(0)
            weights, inputs = forward.random_weights(model, rng), forward.random_inputs(model, rng)
            macs = report.total_macs(model) * batch  # per sample, times the batch
            ratio, rate = ratios(partial(forward.forward, model, weights, inputs), macs, shape, runs)
            print(f"{name:40} {ratio:9.2f} {rate:12.1f}   goal >= 0.90")

    model = lstmcalc.load(SEED)
    macs = report.total_macs(model) * 2
    ratio, rate = ratios(lambda: forward.verify(model, batch=2), macs, (512, 138), runs)
    print(f"{'verify specs/seed.yaml, batch 2':40} {ratio:9.2f} {rate:12.1f}   goal >= 0.90")
    run_verify = partial(forward.verify, model, batch=2)
    whole, outside = [], []
    for _ in range(runs):  # taken in turn
        whole.append(cpu(run_verify))
        outside.append(without_products(partial(cpu, run_verify)))
    work, rest = statistics.median(whole), statistics.median(outside)
    print(f"verify specs/seed.yaml, batch 2: {macs:,} multiply-adds in {work:.3f} s of CPU beyond start-up "
          "(goal < 0.5 s)")
    print(f"  of which outside the inner products: {rest * 1000:.0f} ms ({rest / work:.0%}); with the products "
          f"at the kernel's speed the verify figure would be {1 - rest / work:.2f}")
    print(f"peak resident memory of `lstmcalc verify specs/seed.yaml`: "
          f"{peak_rss_mb(['verify', SEED, '--format', 'json']):.1f} MB (goal < 40)")


if __name__ == "__main__":
    main()
