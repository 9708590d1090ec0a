"""What the commands share: the --format option, JSON and error output, loading a model, writing a file.

Each command is a module of this package, imported only when it is run
(`lstmcalc.cli` lists them), so that `summary --format json` builds no other command.
"""

from __future__ import annotations

import os
import sys

import click

from lstmcalc.errors import EXIT_BAD_INPUT, Problem, SpecError
from lstmcalc.render.terminal import brief, json_text, printable

FORMATS = ("rich", "plain", "json")


def default_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "rich" if sys.stdout.isatty() else "plain"


class WrittenHelp:
    """A click command or group whose -h/--help option has its help text written here.

    click makes that option (`click.help_option`) with its text looked up through gettext, and
    gettext's first lookup imports `locale` and searches for translation files: 1.5% of a
    summary's start-up, for a program that speaks English only. The option is click's otherwise:
    a flag, eager, not passed to the command, one object per command (click orders the eager
    options by identity).
    """

    _written_help: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        if self._written_help is None:
            self._written_help = click.Option(names, is_flag=True, expose_value=False, is_eager=True,
                                              help="Show this message and exit.", callback=_show_help)
        return self._written_help


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


class Command(WrittenHelp, click.Command):
    """Every lstmcalc command: `@click.command(cls=Command)`."""


def format_option(*extra: str, name: str = "plain"):
    choices = ("rich", name, "json", *extra)
    return click.option("--format", "fmt", type=click.Choice(choices), default=None,
                        help=f"output format (default: rich on a terminal, {name} otherwise)")


def emit_json(data) -> None:
    from lstmcalc.render.json_writer import json_indented

    click.echo(json_text(json_indented(data)))  # json.dumps(data, indent=2, ensure_ascii=False)


def fail(problem: Problem, fmt: str | None):
    if fmt == "json":
        emit_json({"error": problem.as_dict()})
    else:
        click.echo(f"lstmcalc: {problem.text()}", err=True)
    sys.exit(EXIT_BAD_INPUT)


# True when the command line runs as its own process (lstmcalc.__main__), which it may then end
# itself; a caller of lstmcalc.cli.main inside its own process (the tests' CliRunner) keeps it
own_process = False


def end_process(status: int) -> None:
    """End the process now with `status`, as mypy ends its own (mypy.util.hard_exit).

    Standard output and error are flushed first: inside a command they are SafeStreams, whose
    write error takes its usual path (`terminal.failed` raises WriteFailed); outside, a failed
    flush gives 120, as the interpreter's own exit does. `os._exit` then skips freeing every
    object and the interpreter's teardown of every module, which the process would do for nothing.
    """
    for stream in (sys.stdout, sys.stderr):  # None when the process started with it closed
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status)


def output_done() -> None:
    """The command has written everything: in its own process, end the process now (`end_process`),
    without freeing the model object by object (a twentieth of a 20,000-layer summary's instructions).
    Outside its own process (`own_process` false) this does nothing.
    """
    if own_process:
        end_process(0)


def complete_files(ctx, param, incomplete):
    """Shell completion of SPEC and file options: the shell's own file names."""
    return [click.shell_completion.CompletionItem(incomplete, type="file")]


class Size(click.ParamType):
    """A positive integer of at most 100 digits (a batch size)."""

    name = "integer"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if not text.isdigit() or len(text) > 100 or int(text) < 1:
            self.fail(f"{brief(text)} is not a positive integer of at most 100 digits", param, ctx)
        return int(text)


def remember_format(fmt):
    click.get_current_context().meta["fmt"] = fmt
    return fmt


def source_options(f):
    """--model, --input-shape and --init: for a Python source file (contract section 8)."""
    f = click.option("--init", default=None, help="PyTorch source: constructor arguments, e.g. 'hidden_size=64'")(f)
    f = click.option("--input-shape", "source_shape", default=None,
                     help="PyTorch source: the input shape without the batch axis, e.g. 50,10")(f)
    return click.option("--model", "model_name", default=None,
                        help="a source file with several models: the one to read (variable or class name)")(f)


def load_model(path: str, batch_size: int | None = None, model_name=None, source_shape=None, init=None):
    """Load (any source: YAML, Keras JSON, .keras, .h5, Python) and build a model; its warnings
    (an unused input, a dead-end layer) go to stderr."""
    from lstmcalc.graph.build import build
    from lstmcalc.sources import load

    model = build(load(path, model=model_name, input_shape=source_shape, init=init), batch_size)
    for warning in model.warnings:
        click.echo(f"lstmcalc: warning: {model.spec.file}: {warning}", err=True)
    return model


def show_grid(grid, fmt: str) -> None:
    """A table (compare, verify): rich with cells that wrap, or plain aligned text."""
    if fmt == "rich":
        from lstmcalc.render import rich_console as render_rich

        render_rich.grid(grid)
    else:
        from lstmcalc.render.text import grid_lines

        click.echo("\n".join(grid_lines(grid)))


def write_output(text: str, path: str | None) -> None:
    """Standard output, or a file written whole (through a temporary file beside it)."""
    if path is None:
        click.echo(text, nl=False)
        return
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".lstmcalc-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, not mkstemp's private one
        os.replace(tmp, path)
    except OSError as e:
        raise SpecError(Problem(f"cannot write {printable(path)}: {e.strerror or e}",
                                hint="give -o a path in a folder that exists and that you can write")) from None

