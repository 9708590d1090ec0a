"""The command line: one small function per command over the library.

Errors take one path: a `SpecError` is printed (as text or JSON) and exits 2;
anything else is a bug in lstmcalc and exits 3 with a short note
(`--debug` shows the traceback). Heavy modules are imported inside the
commands so that `summary --format json` starts fast.
"""

from __future__ import annotations

import json
import sys

import click

from lstmcalc.errors import EXIT_BAD_INPUT, EXIT_BUG, Problem, SpecError
from lstmcalc.graph import cycle_collector_paused
from lstmcalc.render.terminal import brief, edges, json_indented, json_text, printable

FORMATS = ("rich", "plain", "json")


def default_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "rich" if sys.stdout.isatty() else "plain"


def format_option(*extra: str, name: str = "plain"):
    choices = ("rich", name, "json", *extra)
    return click.option("--format", "fmt", type=click.Choice(choices), default=None,
                        help=f"output format (default: rich on a terminal, {name} otherwise)")


def emit_json(data) -> None:
    click.echo(json_text(json_indented(data)))  # json.dumps(data, indent=2, ensure_ascii=False)


def fail(problem: Problem, fmt: str | None):
    if fmt == "json":
        emit_json({"error": problem.as_dict()})
    else:
        click.echo(f"lstmcalc: {problem.text()}", err=True)
    sys.exit(EXIT_BAD_INPUT)


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


class Guarded(click.Group):
    """Routes every error through one path, and every character written through `terminal.edges`."""

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


@click.group(cls=Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lstmcalc")
@click.option("--debug", is_flag=True, help="show the traceback of an internal error")
@click.pass_context
def main(ctx, debug):
    """Shapes, parameter counts and the reasons for them, for Keras and
    PyTorch sequence models described in YAML, with no framework installed."""
    ctx.meta["debug"] = debug


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


@main.command()
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
        return
    notes = model.spec.notes
    if fmt == "json":
        data = report.summary_dict(model, batch_size)
        if notes:
            data["notes"] = list(notes)
        emit_json(data)
        return
    title = model.name or "model"
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
    for note in notes:
        click.echo(printable(f"note: {note}"))


def show_comparison(model, fmt: str) -> None:
    from lstmcalc.gather.compare import compare
    from lstmcalc.render import text as render

    comparison = compare(model)
    if fmt == "json":
        emit_json(comparison.as_dict())
        return
    show_grid(render.compare_grid(comparison), fmt)


def show_grid(grid, fmt: str) -> None:
    """A table (compare, verify): rich with cells that wrap, or plain aligned text."""
    if fmt == "rich":
        from lstmcalc.render import rich_console as render_rich

        render_rich.grid(grid)
    else:
        from lstmcalc.render.text import grid_lines

        click.echo("\n".join(grid_lines(grid)))


@main.command()
@click.argument("spec", shell_complete=complete_files)
@format_option()
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the random weights and input")
@click.option("--batch-size", type=Size(), default=2, show_default=True)
@click.option("--force", is_flag=True, help="run even if the size guard refuses")
@source_options
def verify(spec, fmt, seed, batch_size, force, model_name, source_shape, init):
    """Run the reference forward pass on random weights; check every layer's
    real output shape and weight sizes against the calculator."""
    remember_format(fmt)
    from lstmcalc.run import forward

    model = load_model(spec, None, model_name, source_shape, init)
    checks = forward.verify(model, seed=seed, batch=batch_size, force=force)
    ok = all(c.ok for c in checks) and len(checks) == sum(1 for r in model.layers if r.type.name != "InputLayer"
                                                          and not r.type.is_op)
    fmt = default_format(fmt)
    if fmt == "json":
        emit_json({"ok": ok, "seed": seed, "batch_size": batch_size, "layers": [c.as_dict() for c in checks]})
    else:
        from lstmcalc.render import text as render

        show_grid(render.verify_grid(checks, ok, seed, batch_size), fmt)
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("spec", shell_complete=complete_files)
@click.option("--weights", "weights_path", default=None, shell_complete=complete_files,
              help="weights: JSON (Keras names and layouts), .keras, .weights.h5, Keras 2 .h5, .safetensors, .npz "
                   "(not needed when SPEC is a .keras file)")
@click.option("--input", "input_path", required=True, shell_complete=complete_files,
              help="input JSON: a nested list, batch axis first")
@click.option("--layer", default=None, help="print this layer's output instead of the final one")
@format_option()
@click.option("--force", is_flag=True, help="run even if the size guard refuses")
@source_options
def run(spec, weights_path, input_path, layer, fmt, force, model_name, source_shape, init):
    """The reference forward pass on given weights and input."""
    remember_format(fmt)
    from lstmcalc.run import forward
    from lstmcalc.sources import weight_files
    from lstmcalc.sources.json_files import INPUT_FILE, read_json

    if [spec, weights_path, input_path].count("-") > 1:
        raise click.UsageError("only one of SPEC, --weights and --input can be standard input (-)")
    model = load_model(spec, None, model_name, source_shape, init)
    if layer is not None and model.get(layer) is None:
        raise SpecError(Problem(f"no layer named '{layer}'", file=model.spec.file,
                                hint="layers: " + ", ".join(model.names)))
    if weights_path is None:
        weights_path = weight_files.default_weights(spec)
    weights = weight_files.read(weights_path, model)
    x = read_json(input_path, INPUT_FILE)
    model, inputs = forward.check_inputs(model, x, input_path)
    forward.check_weights(model, weights, weights_path)
    forward.guard(model, force)
    try:
        y = forward.forward(model, weights, inputs, layer)
    except SpecError as e:  # a value the data holds (a token id out of range): the input file's
        raise e.located(file="<stdin>" if input_path == "-" else input_path) from None
    several = layer is None and len(model.outputs) > 1
    fmt = default_format(fmt)
    if fmt == "json":
        from lstmcalc.run.tensor import finite_or_null

        click.echo(json.dumps({"outputs" if several else "output": finite_or_null(y)}, allow_nan=False))
    else:
        from lstmcalc.render import text as render

        if several:
            names = [t.cell() for t in model.outputs]
            click.echo("\n".join(f"{n}:\n{render.tensor_text(v)}" for n, v in zip(names, y)))
        else:
            click.echo(render.tensor_text(y))


def option_value(option: str, text: str):
    """A layer argument typed on the command line, read as a YAML value (128, true, [3], relu),
    with the spec reader's checks (tags, depth, digits)."""
    from lstmcalc.sources.yaml_text import load

    try:
        value = load(text, "<command line>")
    except SpecError as e:
        raise click.BadParameter(f"{printable(e.problem.message)} (a number, true/false, a name or a [list])",
                                 param_hint=option) from None
    return json.loads(json.dumps(value, default=str))  # plain values, for the one-layer spec


def adhoc_spec(type_name: str, options: list[str], input_shape: str | None, framework: str):
    """`explain lstm --units 128 --input-shape 50,10 --return-sequences` as a one-layer spec."""
    import yaml

    from lstmcalc.sources.spec import ModelSpec, parse

    layer: dict = {"type": type_name}
    i = 0
    while i < len(options):
        opt = options[i]
        if not opt.startswith("--"):
            raise click.UsageError(f"unexpected argument {opt!r}; layer arguments look like --units 128")
        key = opt[2:].replace("-", "_")
        if "=" in key:
            key, value = key.split("=", 1)
        if key == "type":
            raise click.UsageError(f"the layer type is the first argument ({printable(type_name)!r}); remove "
                                   f"{printable(opt)}")
        if "=" in opt:
            layer[key] = option_value(opt, value)
        elif i + 1 < len(options) and not options[i + 1].startswith("--"):
            layer[key] = option_value(opt, options[i + 1])
            i += 1
        elif key.startswith("no_"):
            layer[key[3:]] = False
        else:
            layer[key] = True
        i += 1
    if input_shape is None:
        raise click.UsageError("give --input-shape, e.g. --input-shape 50,10 (null for a variable size)")
    try:
        shape = [None if d.strip().lower() in ("none", "null", "") else int(d) for d in input_shape.split(",")]
    except ValueError:
        raise click.BadParameter(f"{input_shape!r} is not a list of sizes such as 50,10 (null for a variable "
                                 "size)", param_hint="--input-shape") from None
    doc = {"framework": framework, "input": {"shape": shape}, "layers": [layer]}
    spec: ModelSpec = parse(yaml.safe_dump(doc, sort_keys=False), "<command line>")
    return spec


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("spec", shell_complete=complete_files)
@click.argument("layer", required=False)
@format_option()
@click.option("--input-shape", default=None, help="ad-hoc form or PyTorch source: the input shape without batch, "
              "e.g. 50,10")
@click.option("--framework", type=click.Choice(["keras", "pytorch"]), default="keras",
              help="ad-hoc form: the dialect of the layer type")
@click.option("--batch-size", type=Size(), default=None, help="override the batch axis")
@click.option("--init", default=None, help="PyTorch source: constructor arguments, e.g. 'hidden_size=64'")
@click.option("--model", "model_name", default=None, help="a source file with several models: the one to read")
@click.pass_context
def explain(ctx, spec, layer, fmt, input_shape, framework, batch_size, init, model_name):
    """Take one layer apart: shapes and why, weights, formula, equations, cost.

    \b
    lstmcalc explain specs/seed.yaml lstm1
    lstmcalc explain lstm --units 128 --input-shape 50,10 --return-sequences
    """
    remember_format(fmt)
    import os

    from lstmcalc.gather import explain as explain_module
    from lstmcalc.graph.build import build
    from lstmcalc.layers import REGISTRIES, lookup

    if spec != "-" and not os.path.exists(spec) and lookup(REGISTRIES[framework], spec):
        options = ([layer] if layer else []) + ctx.args
        model = build(adhoc_spec(spec, options, input_shape, framework), batch_size)
        record = model.layers[-1]
    else:
        if ctx.args:
            raise click.UsageError(f"unexpected arguments: {' '.join(ctx.args)}")
        model = load_model(spec, batch_size, model_name, input_shape, init)
        if layer is None:
            raise click.UsageError("name a layer: lstmcalc explain SPEC LAYER")
        record = model.get(layer)
        if record is None:
            from lstmcalc.sources.spec import suggest

            raise SpecError(Problem(f"no layer named '{layer}'", file=model.spec.file,
                                    hint=suggest(layer, model.names) or "layers: " + ", ".join(model.names)))
    data = explain_module.explain(record, model)
    fmt = default_format(fmt)
    if fmt == "json":
        emit_json(data)
        return
    lines = explain_module.explain_lines(data)
    if fmt == "rich":
        from lstmcalc.render import rich_console as render_rich

        render_rich.explain(lines)
    else:
        from lstmcalc.render.text import wrap_lines

        click.echo("\n".join(wrap_lines(lines)))


@main.command()
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


@main.command("import")
@click.argument("source")
@source_options
def import_(source, model_name, source_shape, init):
    """Print the equivalent YAML spec of a Keras/PyTorch model file or source."""
    from lstmcalc.sources import document, spec
    from lstmcalc.sources.export import to_yaml

    kind, doc, notes, name = document(source, model=model_name, input_shape=source_shape, init=init)
    if kind == "yaml":
        spec.parse(doc, name)  # refuse an invalid spec here too
        text = doc
    else:
        spec.from_document(doc, name, tuple(notes))  # what is printed must be a valid spec
        text = to_yaml(doc, notes, name)
    click.echo("\n".join(printable(line) for line in text.splitlines()))


@main.command()
def schema():
    """Print the JSON Schema (draft-07) of the spec format, for editors."""
    from lstmcalc.sources.schema import spec_schema

    emit_json(spec_schema())


DIAGRAM_SUFFIXES = {".svg": "svg", ".html": "html", ".htm": "html", ".dot": "dot", ".gv": "dot",
                    ".mmd": "mermaid", ".mermaid": "mermaid"}


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


@main.command()
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


@main.command()
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


@main.command()
@click.argument("spec")
@click.option("--to", "target", type=click.Choice(["keras", "pytorch"]), required=True,
              help="the framework of the generated code")
@click.option("-o", "--output", default=None, help="write to this file instead of standard output")
@click.option("--spec", "spec_only", is_flag=True,
              help="write the equivalent spec of the other dialect instead of code")
@source_options
def export(spec, target, output, spec_only, model_name, source_shape, init):
    """Write a Python module that builds the model in Keras or PyTorch (translated layer by layer
    from the other dialect where needed); a layer without an exact equivalent exits 2 naming it."""
    from lstmcalc.export.module import export_text

    model = load_model(spec, model_name=model_name, source_shape=source_shape, init=init)
    if spec_only and target == model.framework:
        raise click.UsageError(f"the spec is already in the {target} dialect; --spec writes the other one")
    write_output(export_text(model, target, spec_only), output)


@main.command("convert-weights")
@click.argument("spec")
@click.option("--weights", "weights_path", required=True, shell_complete=complete_files,
              help="the spec's weights, in its dialect: JSON (section 4), .keras, .weights.h5, .safetensors, .npz")
@click.option("--to", "target", type=click.Choice(["keras", "pytorch"]), required=True)
@click.option("-o", "--output", required=True, help="OUT.json (section 4 layout) or OUT.safetensors (PyTorch)")
@source_options
def convert_weights(spec, weights_path, target, output, model_name, source_shape, init):
    """Rewrite weights into the other framework's layout (transposes, gate order, bias vectors), for the
    model `export` writes: `run` on the exported spec gives the same output."""
    from lstmcalc.export import weights as convert
    from lstmcalc.export.translate import translate
    from lstmcalc.run import forward
    from lstmcalc.sources import weight_files

    model = load_model(spec, model_name=model_name, source_shape=source_shape, init=init)
    if target == model.framework:
        raise click.UsageError(f"the spec is already in the {target} dialect; nothing to convert")
    weights = weight_files.read(weights_path, model)
    forward.check_weights(model, weights, weights_path)
    t = translate(model)
    convert.write(t, convert.convert(t, weights), output)
