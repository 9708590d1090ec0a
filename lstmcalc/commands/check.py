"""`check`: specs with expect: blocks, checked like a linter (and `--update`)."""

from __future__ import annotations

import sys

import click

from lstmcalc.commands import Command, complete_files, emit_json, format_option
from lstmcalc.errors import EXIT_BAD_INPUT, SpecError


@click.command(cls=Command)
@click.argument("specs", nargs=-1, required=True, shell_complete=complete_files)
@format_option("github", "plain", name="text")
@click.option("--update", is_flag=True, help="write the actual numbers into the expect: blocks")
def check(specs, fmt, update):
    """For CI: validate specs and compare their expect: blocks (files, directories, globs, -)."""
    from lstmcalc.gather import check as check_module

    fmt = fmt or ("rich" if sys.stdout.isatty() else "text")
    fmt = "text" if fmt == "plain" else fmt
    paths = check_module.expand_paths(list(specs))
    if not paths:
        raise click.UsageError("no spec files found in " + " ".join(specs))
    findings, invalid, failing, updated = [], 0, 0, 0
    for path in paths:
        found, spec, model, text = check_module.check_file(path)
        if update and spec is not None and found:
            if path == "-":
                raise click.UsageError("--update cannot rewrite standard input")
            try:
                check_module.update(path, text, spec, model)
                updated += 1
                found = [f for f in found if f.field == "max_params"]  # a bound: never rewritten
            except SpecError as e:  # refused: the file is untouched
                found = [check_module.error_finding(e.problem)]
        findings += found
        invalid += any(f.severity == "error" for f in found)
        failing += bool(found) and not any(f.severity == "error" for f in found)
    summary_line = (f"checked {len(paths)} spec{'s' if len(paths) != 1 else ''}: "
                    f"{len(paths) - invalid - failing} ok, {failing} with failing expectations, {invalid} invalid"
                    + (f", {updated} updated" if update else ""))
    if fmt == "json":
        emit_json([f.as_dict() for f in findings])
    elif fmt == "github":
        for f in findings:
            click.echo(check_module.github_line(f))
        click.echo(summary_line)
    else:
        for f in findings:
            click.echo(f.text())
        click.echo(summary_line)
    sys.exit(EXIT_BAD_INPUT if invalid else (1 if failing else 0))

