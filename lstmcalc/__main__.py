"""The command line's entry: `python -m lstmcalc` and the `lstmcalc` script (pyproject.toml) both run
`main`, in a process without the cyclic garbage collector, which it ends itself.

One short process that makes no reference cycles worth collecting (see
lstmcalc.graph.cycle_collector_paused, which pauses the collector around each
command): its scans while click and the command line are imported, and its pass
over every object at exit, were a fifth of what `summary` adds to Python's start-up.
When the command is done, the process ends without the interpreter's teardown of
every module (see lstmcalc.commands.end_process).
"""

import gc
import sys


def main():
    """Run the command line (lstmcalc.cli) with the collector off from before its first import;
    end the process with the command's exit status once its output is flushed."""
    gc.disable()
    from lstmcalc import commands
    from lstmcalc.cli import main as command_line

    commands.own_process = True
    try:
        command_line(prog_name="lstmcalc")
        status = 0
    except SystemExit as e:  # click ends every command with one
        status = exit_status(e.code)
    commands.end_process(status)


def exit_status(code) -> int:
    """The status the interpreter gives a SystemExit's code: None is 0, an integer itself, anything
    else is written to standard error and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code % 256  # the low byte, as the C exit() keeps it
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
