"""`verify` and `run`: the reference forward pass, on random weights or on given ones."""

from __future__ import annotations

import json
import sys

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
    show_grid,
    source_options,
)
from lstmcalc.errors import Problem, SpecError


@click.command(cls=Command)
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


@click.command(cls=Command)
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

