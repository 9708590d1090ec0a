"""lstmcalc: output shapes, parameter counts and the reasons for them, for
Keras and PyTorch sequence models described in YAML, with no framework.

Use it from Python:

    >>> import lstmcalc
    >>> model = lstmcalc.load("specs/seed.yaml")
    >>> model.get("lstm1").params
    71168
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lstmcalc.graph.build import Model

# The names below are imported when first used (PEP 562), so that `import lstmcalc.cli` loads
# only the command line, and a command loads the rest while it runs (with the cycle collector paused).
_LAZY = {"Problem": "lstmcalc.errors", "SpecError": "lstmcalc.errors", "LayerRecord": "lstmcalc.graph.build",
         "Model": "lstmcalc.graph.build", "build": "lstmcalc.graph.build", "ModelSpec": "lstmcalc.sources.spec",
         "parse": "lstmcalc.sources.spec"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lstmcalc' has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(module), name)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def load(path: str, batch_size: int | None = None, **options) -> Model:
    """Any model file: a YAML spec, Keras JSON, .keras, Keras 2 .h5 or Python source (options: model,
    input_shape, init for source files)."""
    from lstmcalc.graph.build import build
    from lstmcalc.sources import load as load_spec

    return build(load_spec(path, **options), batch_size)


def from_keras(model, batch_size: int | None = None) -> Model:
    """A Keras model you already have, through `model.to_json()` (lstmcalc never imports Keras)."""
    import json

    from lstmcalc.graph.build import build
    from lstmcalc.sources import keras_json, spec

    doc, notes = keras_json.to_document(json.loads(model.to_json()), f"<{type(model).__name__}>")
    return build(spec.from_document(doc, f"<{type(model).__name__}>", tuple(notes)), batch_size)


def from_torch(module, input_shape, batch_size: int | None = None) -> Model:
    """A torch nn.Module you already have, through `named_modules()`: its leaf modules in order, as a
    PyTorch-dialect chain (input_shape without the batch axis)."""
    from lstmcalc.graph.build import build
    from lstmcalc.sources import spec, torch_modules

    doc = torch_modules.to_document(module, input_shape)
    return build(spec.from_document(doc, f"<{type(module).__name__}>"), batch_size)

__version__ = "0.1.0"
__all__ = ["LayerRecord", "Model", "ModelSpec", "Problem", "SpecError", "build", "from_keras", "from_torch", "load",
           "parse"]
