"""`import`, `export`, `convert-weights` and `schema`: from model files to specs, from specs to code and weights."""

from __future__ import annotations

import click

from lstmcalc.commands import Command, complete_files, emit_json, load_model, source_options, write_output
from lstmcalc.render.terminal import printable


@click.command("import", cls=Command)
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


@click.command(cls=Command)
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


@click.command("convert-weights", cls=Command)
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


@click.command(cls=Command)
def schema():
    """Print the JSON Schema (draft-07) of the spec format, for editors."""
    from lstmcalc.sources.schema import spec_schema

    emit_json(spec_schema())

