"""PyTorch source (an nn.Module read with `ast`): not followed yet.

The file is recognised as PyTorch code (an `nn.Module` subclass or a torch
import) and refused with a clear message, never read as Keras code.
"""

from __future__ import annotations

from lstmcalc.errors import Problem, SpecError


def to_document(tree, file: str, model=None, input_shape=None, init=None):
    node = next((n for n in tree.body if n.__class__.__name__ == "ClassDef"), None)
    raise SpecError(Problem("this is PyTorch code; lstmcalc does not read PyTorch source yet", file=file,
                            line=getattr(node, "lineno", None),
                            hint="write a spec with framework: pytorch (see README), or use "
                                 "lstmcalc.from_torch(module, input_shape) in Python"))
