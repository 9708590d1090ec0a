"""`explain`: one layer taken apart, from a spec or ad hoc (`explain lstm --units 128 ...`)."""

from __future__ import annotations

import json

import click

from lstmcalc.commands import (
    Command,
    Size,
    complete_files,
    default_format,
    emit_json,
    format_option,
    load_model,
    remember_format,
)
from lstmcalc.errors import Problem, SpecError
from lstmcalc.render.terminal import printable


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


@click.command(cls=Command, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
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

