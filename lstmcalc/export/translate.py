"""A model in the other dialect: Keras → PyTorch spec and back, layer by layer.

Each layer's type says what it is in the other framework (`to_pytorch` on
Keras types, `to_keras` on torch modules: an `Equivalent`, a few layers of the
other dialect with local references). Here the graph is walked once in
execution order, the steps are named (the layer's own name for its main step,
`NAME_suffix` for the others), references are rewritten, and the result is a
spec document that the ordinary loader validates and builds. A layer without
an exact equivalent stops the walk with a `SpecError` naming it and the
nearest honest alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from lstmcalc.errors import Problem, SpecError
from lstmcalc.graph.build import INPUT, LayerRecord, Model, build
from lstmcalc.graph.refs import TensorRef
from lstmcalc.layers.equivalent import Equivalent, NoEquivalent
from lstmcalc.sources.spec import parse

OTHER = {"keras": "pytorch", "pytorch": "keras"}
MULTI_OUTPUT = ("LSTM", "GRU", "RNN", "MultiheadAttention")  # torch modules whose references are always indexed
_LOCAL = re.compile(r"^\$(\d+|in|last)(?:\[(\d+)\])?$")


@dataclass
class Translation:
    """The other dialect's spec (`doc`), its built model, and for each source layer its equivalent."""

    source: Model
    doc: dict
    model: Model | None = None
    layers: dict[str, tuple[LayerRecord, Equivalent, list[str]]] = field(default_factory=dict)  # names of steps
    froms: dict[str, str] = field(default_factory=dict)  # torch -> Keras: Keras layer -> its stacked layer's tag

    def yaml(self) -> str:
        return yaml.safe_dump(self.doc, sort_keys=False, default_flow_style=None, width=100)


def refuse(r: LayerRecord, e: NoEquivalent, model: Model, target: str) -> SpecError:
    other = {"pytorch": "PyTorch", "keras": "Keras"}[target]
    spec = r.spec
    return SpecError(Problem(f"{e.message} ({r.display_type} has no exact {other} equivalent)",
                             file=model.spec.file, line=spec.line if spec else None,
                             column=spec.column if spec else None, layer=r.name, hint=e.hint))


def equivalent(r: LayerRecord, target: str) -> Equivalent:
    return r.type.to_pytorch(r.args, r.input_shape) if target == "pytorch" else r.type.to_keras(r.args, r.input_shape)


class _Walk:
    def __init__(self, model: Model):
        self.model = model
        self.target = OTHER[model.framework]
        self.entries: list[dict] = []
        self.refs: dict[TensorRef, str] = {TensorRef(n, 0, 0): n for n in model.inputs}
        self.t = Translation(model, {})
        self.emitted: dict[str, list[dict]] = {}  # source layer -> its target entries (first call)

    def ref_text(self, entry: dict, index: int) -> str:
        if "name" not in entry:  # another call of a module: NAME[node][index]
            return f"{entry['call']}[{entry['$node']}][{index}]"
        if index or entry.get("type") in MULTI_OUTPUT or (entry.get("call") or {}).get("return_attention_scores"):
            return f"{entry['name']}[{index}]"
        return entry["name"]

    def layer(self, node) -> None:
        r = self.model.get(node.layer)
        try:
            fold = getattr(r.type, "keras_fold", None) if self.target == "keras" else None
            if fold is not None:
                self.fold(node, r, fold)
                return
            eq = equivalent(r, self.target)
            self.emit(node, r, eq)
        except NoEquivalent as e:
            raise refuse(r, e, self.model, self.target) from None

    def fold(self, node, r, fold) -> None:
        """A torch pseudo step keeping the last step: return_sequences: false on the Keras layer before it."""
        src = node.inputs[0]
        source = self.model.get(src.layer)
        if source.type.name not in MULTI_OUTPUT:
            raise NoEquivalent(f"{r.type.name} must read a recurrent module's output",
                               "put it right after an LSTM, GRU or RNN")
        fold(r.args, source)
        readers = [n for n in self.model.nodes if n is not node and any(t.layer == src.layer for t in n.inputs)]
        if readers or any(t.layer == src.layer for t in self.model.outputs) or len(source.nodes) > 1:
            raise NoEquivalent(f"'{src.layer}' is read elsewhere too, so its Keras layer cannot stop returning "
                               "sequences", "read only the last step of the recurrent module")
        last = self.emitted[src.layer][-1]
        (last["layer"] if last["type"] == "Bidirectional" else last)["return_sequences"] = False
        self.refs[TensorRef(node.layer, node.index, 0)] = self.refs[TensorRef(src.layer, src.node, 0)]

    def resolve(self, local: str, names: list[dict], xs):
        m = _LOCAL.match(local)
        what, index = m.group(1), int(m.group(2) or 0)
        if what == "in":  # $in[i]: the i-th tensor of a list input (one tensor stands for all: self-attention)
            return xs[index] if m.group(2) is not None and isinstance(xs, list) else xs
        k = len(names) - 1 if what == "last" else int(what)
        return self.ref_text(names[k], index)

    def ref(self, t: TensorRef) -> str:
        """The translated tensor of a source reference; NoEquivalent where the translation has none."""
        if t not in self.refs:
            e = NoEquivalent(f"'{t.layer}[{t.index}]' has no counterpart in the other framework (torch's "
                             "attention weights averaged over the heads: Keras returns them per head)",
                             "write call: {average_attn_weights: false} to read the weights per head")
            raise refuse(self.model.get(t.layer), e, self.model, self.target)
        return self.refs[t]

    def emit(self, node, r: LayerRecord, eq: Equivalent) -> None:
        xs = [self.ref(t) for t in node.inputs]
        xs = xs if node.is_list else xs[0]
        first_call = node.index == 0
        entries: list[dict] = []
        pre, call = self.call_steps(node, r)
        for k, step in enumerate(eq.steps):
            entry = {key: v for key, v in step.items() if not key.startswith("$") and key != "inputs"}
            suffix = step.get("$name", "")
            main = suffix == "" and first_call is False
            name = r.name + (f"_{suffix}" if suffix else "") + ("" if first_call or main else f"_{node.index}")
            if main:  # another call of the same module
                entry = {"call": name, "$node": node.index}
            else:
                entry = {"type": entry.pop("type"), "name": name, **entry}
                entry = {key: self.nested(v, name) for key, v in entry.items()}
            where = step.get("inputs", f"${k - 1}" if k else "$in")
            inputs = ([self.resolve(v, entries, xs) for v in where] if isinstance(where, list)
                      else self.resolve(where, entries, xs))
            entry["inputs"] = inputs
            if "$from" in step:
                entry["$from"] = step["$from"]
            if k == (eq.weights or 0) and call:
                entry["call"] = call
            entries.append(entry)
        self.entries += pre + entries
        for i, out in enumerate(eq.outputs):
            self.refs[TensorRef(node.layer, node.index, i)] = self.resolve(out, entries, xs) if entries else xs
        if first_call:
            self.emitted[r.name] = entries
            self.t.layers[r.name] = (r, eq, [e.get("name") for e in entries])

    def nested(self, v, name):
        """A nested layer mapping (Bidirectional's layer) gets its name and loses the markers."""
        if isinstance(v, dict) and "type" in v:
            inner = {key: x for key, x in v.items() if not key.startswith("$")}
            return {"type": inner.pop("type"), "name": f"{name}_{v.get('$name', 'layer')}", **inner}
        return v

    def call_steps(self, node, r) -> tuple[list[dict], dict]:
        """Keyword tensors of the call (initial_state) as the other framework's (hx), with their steps."""
        pre, call = [], {}
        for kw, v in node.call.items():
            if kw == "training" or (kw == "mask" and node.auto_mask):
                continue
            tensors = list(v) if isinstance(v, tuple) else [v] if isinstance(v, TensorRef) else None
            if tensors is None:
                continue
            target_kw, step = r.type.call_to_pytorch(r.args, kw) if self.target == "pytorch" else (None, None)
            if target_kw is None:
                raise NoEquivalent(f"the call's {kw} has no Keras equivalent here", "remove it from call:")
            names = []
            for i, t in enumerate(tensors):
                name = f"{r.name}_{target_kw}{i}" + (f"_{node.index}" if node.index else "")
                pre.append({"type": step["type"], "name": name,
                            **{k: x for k, x in step.items() if k != "type"}, "inputs": self.refs[t]})
                names.append(name)
            call[target_kw] = names if len(names) > 1 else names[0]
        return pre, call

    def document(self) -> dict:
        spec = self.model.spec
        doc: dict = {"name": spec.name} if spec.name else {}
        doc["framework"] = self.target
        inputs = []
        for i in spec.inputs:
            dtype = i.dtype
            if dtype in ("int32", "int64"):
                dtype = "int64" if self.target == "pytorch" else "int32"
            entry = {"name": i.name, "shape": list(i.shape)}
            if dtype != "float32":
                entry["dtype"] = dtype
            inputs.append(entry)
        doc["inputs"] = inputs
        if spec.batch_size is not None:
            doc["batch_size"] = spec.batch_size
        layers = []
        above = None
        for e in self.entries:
            e = dict(e)
            e.pop("$node", None)
            e.pop("$from", None)
            if e["inputs"] == above or (len(spec.inputs) == 1 and above is None and e["inputs"] == spec.inputs[0].name):
                del e["inputs"]  # the entry above: a chain needs no reference
            layers.append(e)
            several = e.get("return_state") or (e.get("layer") or {}).get("return_state")  # a chain cannot read it
            above = self.ref_text(e, 0) if "name" in e and not several else None
            if self.target == "keras" and above and "[" in above:
                above = None  # a Keras layer with several outputs (attention scores): the next entry names one
        outputs = [self.ref(t) for t in self.model.outputs]
        doc["layers"] = used(layers, outputs)
        doc["outputs"] = outputs
        return doc


def used(layers: list[dict], outputs: list[str]) -> list[dict]:
    """The entries the outputs depend on (a Keras output no one reads, such as an LSTM's unused h_n[0], is
    not written); an entry without inputs reads the kept entry above it."""
    needed = {ref.split("[")[0] for ref in outputs}
    keep = []
    for k in range(len(layers) - 1, -1, -1):
        e = layers[k]
        name = e.get("name") or e["call"]
        if name not in needed:
            continue
        keep.append(e)
        refs = e.get("inputs", [layers[k - 1].get("name") or layers[k - 1]["call"]] if k else [])
        calls = e["call"].values() if isinstance(e.get("call"), dict) else [e.get("call")]
        for ref in [*(refs if isinstance(refs, list) else [refs]), *calls]:
            for r in ref if isinstance(ref, list) else [ref]:
                if isinstance(r, str):
                    needed.add(r.split("[")[0])
    return keep[::-1]


def translate(model: Model) -> Translation:
    """The model in the other dialect: its spec document and its built model (raises SpecError)."""
    walk = _Walk(model)
    for node in model.nodes:
        r = model.get(node.layer)
        if r.type is INPUT or r.type.is_op:
            continue
        walk.layer(node)
    t = walk.t
    t.doc = walk.document()
    t.froms = {e["name"]: e["$from"] for e in walk.entries if "$from" in e}
    try:
        t.model = build(parse(t.yaml(), f"{model.spec.file} (as {walk.target})"))
    except SpecError as e:  # a translation the other dialect refuses: say which layer, not a bug
        raise SpecError(Problem(f"the {walk.target} translation is refused: {e.problem.message}",
                                file=model.spec.file, layer=e.problem.layer, hint=e.problem.hint)) from None
    return t
