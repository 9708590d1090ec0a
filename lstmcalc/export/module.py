"""What `export` prints: the generated module (or the other dialect's spec) with its header.

The header says where the model comes from and its parameter count as the
target framework reports it; after a translation it also says where the two
frameworks count differently (from `summary --compare`'s rows) and any
argument that changes training but not the forward pass.
"""

from __future__ import annotations

import textwrap

from lstmcalc.export.keras_code import keras_code
from lstmcalc.export.pytorch_code import pytorch_code
from lstmcalc.export.translate import Translation, translate
from lstmcalc.gather.compare import compare
from lstmcalc.graph.build import Model

LABEL = {"keras": "Keras", "pytorch": "PyTorch"}
COUNTED = {"keras": "as model.summary() reports them",
           "pytorch": "sum(p.numel() for p in model.parameters())"}


def header(model: Model, source: Model, t: Translation | None, spec_only: bool = False) -> list[str]:
    target = model.framework
    what = "spec" if spec_only else ("Keras 3 model" if target == "keras" else "PyTorch module")
    lines = [f"{model.name or 'model'}: the {what}, written by lstmcalc.",
             f"From {source.spec.file} by: lstmcalc export --to {target}{' --spec' if spec_only else ''}",
             f"Parameters: {model.total_params:,} ({COUNTED[target]})"
             + (f"; {model.non_trainable_params:,} of them non-trainable." if model.non_trainable_params else ".")]
    if t is not None:
        rows = [r for r in compare(source).rows if r.differs and r.other_params is not None]
        lines.append(f"Translated layer by layer from the {LABEL[source.framework]} spec, which counts "
                     f"{source.total_params:,}" + (":" if rows else " (the same)."))
        lines += [f"- {r.name} ({r.type}): {r.params:,} in {LABEL[source.framework]}, {r.other_params:,} here: "
                  f"{r.reason}." for r in rows]
        lines += [f"- {name}: {eq.note}." for name, (_, eq, _) in t.layers.items() if eq.note]
    return [w for line in lines for w in (textwrap.wrap(line, 100, subsequent_indent="  ") or [""])]


def export_text(source: Model, target: str, spec_only: bool = False) -> str:
    t = translate(source) if target != source.framework else None
    model = t.model if t else source
    lines = header(model, source, t, spec_only)
    if spec_only:
        return "".join(f"# {line}\n" for line in lines) + t.yaml()
    return (keras_code if target == "keras" else pytorch_code)(model, lines)
