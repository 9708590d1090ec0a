"""`python -m lstmcalc`: the command line, in a process without the cyclic garbage collector.

One short process that makes no reference cycles worth collecting (see
lstmcalc.graph.cycle_collector_paused, which pauses the collector around each
command): its scans while click and the command line are imported, and its pass
over every object at exit, were a fifth of what `summary` adds to Python's start-up.
"""

import gc

gc.disable()

from lstmcalc.cli import main  # noqa: E402

main(prog_name="lstmcalc")
