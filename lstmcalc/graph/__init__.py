"""The model as a graph: a `ModelSpec` becomes a `Model` of layer records.

References between layers, nodes (one per call), the topological order and
the records that every command reads live here.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused():
    """Pause CPython's cyclic garbage collector while a spec is read and its graph built (and while
    the forward pass runs; also a decorator).

    Reading and building make tens of objects per layer and no reference cycles (what
    they drop is freed by reference counting), but every few hundred new objects the
    collector scans the young ones, and now and then all of them: at 20,000 layers that
    scanning took as long as the work itself and grew faster than the number of layers.
    The collector runs again as before once the block ends (also on an error). The command
    line runs each command (one short process) with it paused: summarising and printing
    such a model would otherwise pay the same scans again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
