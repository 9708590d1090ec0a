"""`diagram` and `report`: the model (or one recurrent layer unrolled) as a picture, and the one-page HTML report."""

from __future__ import annotations

import click

from lstmcalc.commands import Command, load_model, source_options, write_output
from lstmcalc.errors import Problem, SpecError
from lstmcalc.render.terminal import printable

DIAGRAM_SUFFIXES = {".svg": "svg", ".html": "html", ".htm": "html", ".dot": "dot", ".gv": "dot",
                    ".mmd": "mermaid", ".mermaid": "mermaid"}


@click.command(cls=Command)
@click.argument("spec")
@click.option("-o", "--output", "output", default=None,
              help="write to FILE; .svg or .html (.dot, .mmd) picks the format")
@click.option("--format", "fmt", type=click.Choice(["svg", "html", "dot", "mermaid"]), default=None,
              help="svg (default), html, dot or mermaid")
@click.option("--layer", default=None, help="draw this recurrent layer unrolled over its timesteps")
@click.option("--expand", is_flag=True, help="open wrappers (Bidirectional's forward and backward layers)")
@source_options
def diagram(spec, output, fmt, layer, expand, model_name, source_shape, init):
    """Draw the model as a graph (or one recurrent layer unrolled): SVG, HTML, dot or Mermaid."""
    import os

    from lstmcalc.gather import diagram as gather_diagram
    from lstmcalc.render import svg

    if fmt is None and output is not None:
        fmt = DIAGRAM_SUFFIXES.get(os.path.splitext(output)[1].lower())
        if fmt is None:
            raise click.BadParameter(f"{printable(output)!r} ends in neither .svg nor .html (nor .dot, .mmd); "
                                     "or give --format", param_hint="-o")
    fmt = fmt or "svg"
    model = load_model(spec, model_name=model_name, source_shape=source_shape, init=init)
    if layer is not None:
        from lstmcalc.gather import unroll

        record = model.get(layer)
        if record is None:
            from lstmcalc.sources.spec import suggest

            raise SpecError(Problem(f"no layer named '{layer}'", file=model.spec.file,
                                    hint=suggest(layer, model.names) or "layers: " + ", ".join(model.names)))
        if fmt in ("dot", "mermaid"):
            raise click.UsageError("--layer draws SVG or HTML only")
        scene = unroll.scene(record, model.spec.file)
    else:
        graph = gather_diagram.graph(model, expand)
        if fmt in ("dot", "mermaid"):
            from lstmcalc.render import dot

            write_output(dot.dot(graph) if fmt == "dot" else dot.mermaid(graph), output)
            return
        scene = gather_diagram.scene(graph)
    write_output(svg.html(scene) if fmt == "html" else svg.svg(scene), output)


@click.command(cls=Command)
@click.argument("spec")
@click.option("-o", "--output", "output", default=None, help="write the page to FILE (default: standard output)")
@source_options
def report(spec, output, model_name, source_shape, init):
    """One self-contained HTML page: summary, diagram, every layer explained, unrolled recurrent layers,
    costs and the comparison with the other framework."""
    from lstmcalc.gather.report import report as gather_report
    from lstmcalc.render.report import report_html

    model = load_model(spec, model_name=model_name, source_shape=source_shape, init=init)
    write_output(report_html(gather_report(model)), output)

