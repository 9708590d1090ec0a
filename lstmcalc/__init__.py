"""lstmcalc: output shapes, parameter counts and the reasons for them, for
Keras and PyTorch sequence models described in YAML, with no framework.

Use it from Python:

    >>> import lstmcalc
    >>> model = lstmcalc.load("specs/seed.yaml")
    >>> model.get("lstm1").params
    71168
"""

from lstmcalc.errors import Problem, SpecError
from lstmcalc.graph.build import LayerRecord, Model, build
from lstmcalc.sources.spec import ModelSpec, parse


def load(path: str, batch_size: int | None = None, **options) -> Model:
    """Any model file: a YAML spec, Keras JSON, .keras, Keras 2 .h5 or Python source (options: model,
    input_shape, init for source files)."""
    from lstmcalc.sources import load as load_spec

    return build(load_spec(path, **options), batch_size)


def from_keras(model, batch_size: int | None = None) -> Model:
    """A Keras model you already have, through `model.to_json()` (lstmcalc never imports Keras)."""
    import json

    from lstmcalc.sources import keras_json, spec

    doc, notes = keras_json.to_document(json.loads(model.to_json()), f"<{type(model).__name__}>")
    return build(spec.from_document(doc, f"<{type(model).__name__}>", tuple(notes)), batch_size)


def from_torch(module, input_shape, batch_size: int | None = None) -> Model:
    """A torch nn.Module you already have, through `named_modules()`: its leaf modules in order, as a
    PyTorch-dialect chain (input_shape without the batch axis)."""
    from lstmcalc.sources import spec, torch_modules

    doc = torch_modules.to_document(module, input_shape)
    return build(spec.from_document(doc, f"<{type(module).__name__}>"), batch_size)

__version__ = "0.1.0"
__all__ = ["LayerRecord", "Model", "ModelSpec", "Problem", "SpecError", "build", "from_keras", "from_torch", "load",
           "parse"]
