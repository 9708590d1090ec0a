"""`lstmcalc check`: validate specs and compare their `expect:` blocks, like a linter.

Each failed expectation is a `Finding` with a location; an invalid spec is
a finding of severity "error". `update` rewrites the expected numbers in
place, touching nothing but the values themselves (comments, key order and
layout stay as they were).
"""

from __future__ import annotations

from dataclasses import dataclass

from lstmcalc.errors import Problem, SpecError
from lstmcalc.graph.build import Model, build
from lstmcalc.render.terminal import printable
from lstmcalc.sources.paths import expand as expand_paths  # noqa: F401 (the CLI's entry)
from lstmcalc.sources.rewrite import flow, update_file
from lstmcalc.sources.spec import ModelSpec, from_document, parse


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    column: int | None
    layer: str | None
    field: str | None
    expected: object
    actual: object
    severity: str  # "failure": an expectation does not hold; "error": the spec is invalid
    message: str

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("file", "line", "column", "layer", "field", "expected", "actual", "severity", "message")}

    def text(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        layer = f"layer '{self.layer}': " if self.layer else ""
        return printable(f"{where}: {layer}{self.message}")


@dataclass(frozen=True)
class Expectation:
    """One expected value, where it is written, and what lstmcalc computes."""

    spec_block: dict
    key: str
    layer: str | None
    expected: object
    actual: object
    path: tuple = ()  # keys and indices from the document root to the value, for --update

    @property
    def holds(self) -> bool:
        if self.key == "max_params":
            return self.actual <= self.expected
        return self.expected == self.actual


def _fmt(v) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    return flow(v)


# A batch size that marks where the batch axis went: PyTorch's `batch_first:
# false` puts it at axis 1 (and Linear keeps it there), so axis 0 is not always
# the batch. The model is built a second time with this batch size, and the axis
# whose size changed is the batch.
_PROBE_BATCH = 7919


class Unbatch:
    """Shapes as `expect:` writes them: without the batch axis (contract section 1).

    The batch is axis 0 unless an input says otherwise (`batch_axis` of a
    PyTorch `batch_first: false` model); then the model is built again with
    another batch size and each shape drops the axis that changed.
    """

    def __init__(self, spec: ModelSpec, model: Model):
        self.model = model
        moved = any(r.args.get("batch_axis", 0) != 0 for r in model.input_records)
        self.probe = build(spec, _PROBE_BATCH) if moved else None

    def drop(self, shape: tuple, probe: tuple | None) -> list:
        if probe is not None:
            changed = [i for i, (a, b) in enumerate(zip(shape, probe)) if a != b]
            if len(changed) == 1:
                return [d for i, d in enumerate(shape) if i != changed[0]]
        return list(shape[1:])

    def layer(self, name: str) -> list:
        """The output shape of layer `name` (a list of shapes for several outputs)."""
        outputs = self.model.get(name).outputs
        probes = self.probe.get(name).outputs if self.probe else [None] * len(outputs)
        shapes = [self.drop(s, p) for s, p in zip(outputs, probes)]
        return shapes if len(shapes) > 1 else shapes[0]

    def model_outputs(self) -> list:
        """The model's output shape(s): one per output of `outputs:`."""
        shapes = [self.drop(self.model.tensor_shape(t), self.probe.tensor_shape(t) if self.probe else None)
                  for t in self.model.outputs]
        return shapes if len(shapes) > 1 else shapes[0]


def expectations(spec: ModelSpec, model: Model) -> list[Expectation]:
    out = []
    unbatch = Unbatch(spec, model) if spec.expect or any(layer.expect for layer in spec.layers) else None
    if spec.expect:
        actual = {
            "total_params": model.total_params,
            "trainable_params": model.trainable_params,
            "non_trainable_params": model.non_trainable_params,
            "max_params": model.total_params,
            "output_shape": unbatch.model_outputs(),
        }
        out += [Expectation(spec.expect, k, None, v, actual[k], ("expect", k)) for k, v in spec.expect.items()]
    for layer in spec.layers:
        if layer.expect:
            r = model.get(layer.name)
            actual = {"output_shape": unbatch.layer(layer.name), "params": r.params}
            out += [Expectation(layer.expect, k, layer.name, v, actual[k], ("layers", layer.index, "expect", k))
                    for k, v in layer.expect.items()]
    return out


def _finding(file: str, e: Expectation) -> Finding:
    line, col = e.spec_block.mark_of(e.key)
    if e.key == "max_params":
        msg = f"total params {_fmt(e.actual)} exceed max_params {_fmt(e.expected)}"
    else:
        msg = f"{e.key} expected {_fmt(e.expected)}, got {_fmt(e.actual)}"
    return Finding(file, line, col, e.layer, e.key, e.expected, e.actual, "failure", msg)


def error_finding(p: Problem) -> Finding:
    """An invalid spec (or a refused update) as a finding of severity "error"."""
    return Finding(p.file or "<spec>", p.line, p.column, p.layer, None, None, None, "error",
                   p.message + (f"; {p.hint}" if p.hint else ""))


def check_file(path: str) -> tuple[list[Finding], ModelSpec | None, Model | None, str | None]:
    """(findings, spec, model, text) for one file; invalid specs give one error finding."""
    try:
        from lstmcalc.sources import document

        kind, doc, notes, name = document(path)
        if kind != "yaml":  # a saved model or source file: validated and built, no expect: to compare
            return [], None, build(from_document(doc, name, tuple(notes))), None
        text = doc
        spec = parse(text, name)
        model = build(spec)
    except SpecError as e:
        return [error_finding(e.problem)], None, None, None
    findings = [_finding(spec.file, e) for e in expectations(spec, model) if not e.holds]
    return findings, spec, model, text


def update(path: str, text: str, spec: ModelSpec, model: Model) -> None:
    """Write the actual value of every failing expectation into the file (max_params, a bound, is kept)."""
    changes = [(e.path, e.actual, f"expect: {e.key}" + (f" of layer '{e.layer}'" if e.layer else ""))
               for e in expectations(spec, model) if e.key != "max_params" and not e.holds]
    update_file(path, text, changes)


def github_line(f: Finding) -> str:
    def esc(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(s: str) -> str:
        return esc(s).replace(":", "%3A").replace(",", "%2C")

    parts = [f"file={prop(f.file)}"]
    if f.line is not None:
        parts.append(f"line={f.line}")
    if f.column is not None:
        parts.append(f"col={f.column}")
    title = "lstmcalc: invalid spec" if f.severity == "error" else "lstmcalc: expectation"
    parts.append(f"title={prop(title)}")
    layer = f"layer '{f.layer}': " if f.layer else ""
    return printable(f"::error {','.join(parts)}::{esc(layer + f.message)}")
