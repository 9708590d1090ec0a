"""lstmcalc: output shapes, parameter counts and the reasons for them, for
Keras and PyTorch sequence models described in YAML, with no framework.

Use it from Python:

    >>> import lstmcalc
    >>> model = lstmcalc.load("specs/seed.yaml")
    >>> model.get("lstm1").params
    71168
"""

from lstmcalc.errors import Problem, SpecError
from lstmcalc.graph.build import LayerRecord, Model, build, load
from lstmcalc.sources.spec import ModelSpec, parse

__version__ = "0.1.0"
__all__ = ["LayerRecord", "Model", "ModelSpec", "Problem", "SpecError", "build", "load", "parse"]
