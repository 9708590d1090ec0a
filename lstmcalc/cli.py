"""The command line: one small function per command over the library.

Errors take one path: a `SpecError` is printed (as text or JSON) and exits 2;
anything else is a bug in lstmcalc and exits 3 with a short note
(`--debug` shows the traceback). Each command is a module of
`lstmcalc.commands`, imported only when it runs, and heavy modules are
imported inside the commands, so that `summary --format json` starts fast.
"""

from __future__ import annotations

import sys
from importlib import import_module

import click

from lstmcalc.commands import WrittenHelp, fail
from lstmcalc.errors import EXIT_BUG, Problem, SpecError
from lstmcalc.graph import cycle_collector_paused
from lstmcalc.render.terminal import edges, printable

# command name -> (module of lstmcalc.commands, its click command)
COMMANDS = {
    "summary": ("summary", "summary"), "explain": ("explain", "explain"), "verify": ("forward", "verify"),
    "run": ("forward", "run"), "check": ("check", "check"), "import": ("convert", "import_"),
    "export": ("convert", "export"), "convert-weights": ("convert", "convert_weights"),
    "schema": ("convert", "schema"), "diagram": ("pictures", "diagram"), "report": ("pictures", "report"),
}


class Guarded(WrittenHelp, click.Group):
    """Routes every error through one path, and every character written through `terminal.edges`.

    Its commands are imported when asked for (click's lazily loaded subcommands): running one
    command builds only that command's options.
    """

    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name: str):
        where = COMMANDS.get(name)
        if where is None:
            return None
        module, attribute = where
        return getattr(import_module(f"lstmcalc.commands.{module}"), attribute)

    def main(self, *args, **kwargs):
        if hasattr(sys, "set_int_max_str_digits"):
            sys.set_int_max_str_digits(0)  # exact sizes however large (literals are bounded by the reader)
        with edges(), cycle_collector_paused():  # one short command: see cycle_collector_paused
            return super().main(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SpecError as e:
            fail(e.problem, ctx.meta.get("fmt"))
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except MemoryError:
            fail(Problem("out of memory", hint="use smaller sizes or a smaller batch"), ctx.meta.get("fmt"))
        except KeyboardInterrupt:
            click.echo("lstmcalc: interrupted", err=True)
            sys.exit(130)
        except Exception as e:  # a bug: never a bare traceback
            if ctx.meta.get("debug"):
                raise
            click.echo(
                f"lstmcalc: internal error (a bug in lstmcalc): {type(e).__name__}: {printable(e)[:500]}\n"
                "Please report it with the spec that caused it; run with --debug for the traceback.",
                err=True,
            )
            sys.exit(EXIT_BUG)


def show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """What `click.version_option(package_name="lstmcalc")` prints; that option's texts are looked
    up through gettext when it is declared (see WrittenHelp)."""
    if value and not ctx.resilient_parsing:
        from importlib.metadata import version

        click.echo(f"{ctx.find_root().info_name}, version {version('lstmcalc')}", color=ctx.color)
        ctx.exit()


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=show_version,
              help="Show the version and exit.")
@click.option("--debug", is_flag=True, help="show the traceback of an internal error")
@click.pass_context
def main(ctx, debug):
    """Shapes, parameter counts and the reasons for them, for Keras and
    PyTorch sequence models described in YAML, with no framework installed."""
    ctx.meta["debug"] = debug

