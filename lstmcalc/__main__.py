"""The command line's entry: `python -m lstmcalc` and the `lstmcalc` script (pyproject.toml) both run
`main`, in a process without the cyclic garbage collector.

One short process that makes no reference cycles worth collecting (see
lstmcalc.graph.cycle_collector_paused, which pauses the collector around each
command): its scans while click and the command line are imported, and its pass
over every object at exit, were a fifth of what `summary` adds to Python's start-up.
"""

import gc


def main():
    """Run the command line (lstmcalc.cli) with the collector off from before its first import."""
    gc.disable()
    from lstmcalc.cli import main as command_line

    return command_line(prog_name="lstmcalc")


if __name__ == "__main__":
    main()
