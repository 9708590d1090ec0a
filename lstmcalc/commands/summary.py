"""`summary`: the table of layers, output shapes and parameter counts (and `--compare`)."""

from __future__ import annotations

import click

from lstmcalc.commands import (
    Command,
    Size,
    complete_files,
    default_format,
    emit_json,
    format_option,
    load_model,
    output_done,
    remember_format,
    show_grid,
    source_options,
)
from lstmcalc.render.terminal import printable


@click.command(cls=Command)
@click.argument("spec", shell_complete=complete_files)
@format_option("markdown")
@click.option("--batch-size", type=Size(), default=None, help="override the batch axis")
@click.option("--expand", is_flag=True, help="show the layers inside wrappers")
@click.option("--columns", default=None,
              help="comma-separated columns: shape,params,trainable,macs,memory (default shape,params)")
@click.option("--compare", "compare_", is_flag=True,
              help="the same model's counts in the other framework (Keras vs PyTorch), layer by layer")
@source_options
def summary(spec, fmt, batch_size, expand, columns, compare_, model_name, source_shape, init):
    """The summary table: layer (type), output shape, param #, totals."""
    remember_format(fmt)
    from lstmcalc.gather import summary as report

    cols = report.DEFAULT_COLUMNS if columns is None else tuple(c.strip() for c in columns.split(",") if c.strip())
    bad = [c for c in cols if c not in report.COLUMNS]
    if bad:
        raise click.BadParameter(f"unknown column {bad[0]!r}; choose from {', '.join(report.COLUMNS)}",
                                 param_hint="--columns")
    model = load_model(spec, batch_size, model_name, source_shape, init)
    fmt = default_format(fmt)
    if compare_:
        show_comparison(model, fmt)
    elif fmt == "json":
        data = report.summary_dict(model, batch_size)
        if model.spec.notes:
            data["notes"] = list(model.spec.notes)
        emit_json(data)
    else:
        show_table(model, report, fmt, cols, expand, batch_size)
    output_done()  # the model is not freed object by object


def show_table(model, report, fmt: str, cols, expand: bool, batch_size: int | None) -> None:
    title = model.title
    cols = report.columns_for(model, cols)
    rows = report.summary_rows(model, expand, batch_size)
    totals = report.totals(model, batch_size)
    cost = "macs" in cols or "memory" in cols
    if fmt == "rich":
        from lstmcalc.render import rich_console as render_rich

        render_rich.summary(title, rows, totals, cols, cost)
    else:
        from lstmcalc.render import text as render

        render_fn = render.summary_markdown if fmt == "markdown" else render.summary_plain
        click.echo(render_fn(title, rows, totals, cols, cost), nl=False)
    for note in model.spec.notes:
        click.echo(printable(f"note: {note}"))


def show_comparison(model, fmt: str) -> None:
    from lstmcalc.gather.compare import compare
    from lstmcalc.render import text as render

    comparison = compare(model)
    if fmt == "json":
        emit_json(comparison.as_dict())
        return
    show_grid(render.compare_grid(comparison), fmt)

