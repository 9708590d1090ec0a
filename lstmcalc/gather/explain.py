"""Take one layer apart: gather everything `explain` shows, from the registry.

`explain(record)` returns a plain dict (the JSON form); `explain_lines`
turns it into text. Nothing here is written per layer type: the shape rule,
weights, formula, equations, notes and cost all come from the layer's type.
"""

from __future__ import annotations

from math import prod

from lstmcalc.graph.build import INPUT, LayerRecord, Model
from lstmcalc.graph.refs import TensorRef
from lstmcalc.shapes import fmt_shape

MAC_CONVENTION = (
    "lstmcalc counts the multiply-adds of the matrix products exactly, for one sample "
    "(every timestep included); bias additions and elementwise gate operations are a separate figure."
)


def _weights(r: LayerRecord) -> list[dict]:
    return [{"name": w.name, "shape": list(w.shape), "size": w.size, "trainable": w.trainable,
             "what": w.doc} for w in r.weights]


def _gates(r: LayerRecord) -> list[dict]:
    t = r.type
    names = getattr(t, "gate_names", ())
    if not names or r.children:
        return []
    u, f = r.args.units, r.input_shape[2]
    out = []
    for g in names:
        parts = {"kernel": [f, u], "recurrent_kernel": [u, u]}
        if r.args.use_bias:
            parts["bias"] = [2, u] if r.args.get("reset_after") else [u]
        size = sum(prod(p) for p in parts.values())
        out.append({"gate": g, **parts, "params": size})
    return out


def _source(model: Model, x: TensorRef) -> str:
    """`encoder[1]` (h_T, the final hidden state of encoder), or the input's name."""
    r = model.get(x.layer)
    if r.type is INPUT:
        return f"the model input '{x.layer}' {fmt_shape(r.output_shape)}"
    names = r.type.output_names(r.args, r.output_shape)
    what = names[x.index] if x.index < len(names) else f"output {x.index}"
    ref = f"{x.layer}[{x.node}][{x.index}]" if len(r.nodes) > 1 else f"{x.layer}[{x.index}]"
    what = "" if what == "output" else f": {what}"
    return f"'{ref}' {fmt_shape(model.tensor_shape(x))} from '{x.layer}'{what}"


def connections(model: Model, r: LayerRecord) -> dict | None:
    """Where each call's inputs come from and where each output goes (None for a chain)."""
    if not model.spec.functional:
        return None
    users: dict = {}
    for node in model.nodes:
        for kw, xs in [("", list(node.inputs))] + [(k, list(v) if isinstance(v, tuple) else [v])
                                                   for k, v in sorted(node.call.items())]:
            for x in xs:
                if isinstance(x, TensorRef):
                    users.setdefault(x, []).append(node.layer + (f" (as {kw})" if kw else ""))
    calls = []
    names = r.type.output_names(r.args, r.output_shape)
    for node in r.nodes:
        inputs = [_source(model, x) for x in node.inputs]
        keywords = {k: [_source(model, x) for x in (v if isinstance(v, tuple) else (v,))]
                    for k, v in sorted(node.call.items()) if isinstance(v, (TensorRef, tuple))}
        outputs = []
        for k, name in enumerate(names[: len(node.outputs)]):
            x = TensorRef(r.name, node.index, k)
            goes = list(users.get(x, [])) + (["the model's outputs"] if x in model.outputs else [])
            outputs.append({"ref": f"{r.name}[{node.index}][{k}]", "what": name, "to": goes})
        calls.append({"call": node.index, "inputs": inputs, "keywords": keywords, "outputs": outputs,
                      "auto_mask": node.auto_mask})
    return {"calls": calls, "shared": len(r.nodes) > 1}


def explain(r: LayerRecord, model: Model | None = None) -> dict:
    t, a = r.type, r.args
    s, out = r.input_shape, r.output_shape
    data = {
        "layer": r.name,
        "type": r.display_type,
        "description": " ".join(t.doc.split()),
        "input_shape": list(s) if s is not None else None,
        "output_shape": list(out),
        "shape_rule": t.shape_rule(a, s, out) if s is not None else "the input declares the shape.",
        "weights": _weights(r),
        "gates": _gates(r),
        "formula": {"symbols": r.formula.symbols, "substituted": r.formula.numbers, "result": r.formula.value},
        "params": r.params,
        "trainable_params": r.trainable_params,
        "non_trainable_params": r.non_trainable_params,
        "equations": list(getattr(t, "equations", ())),
        "notes": t.notes(a, s, out) if s is not None else [],
        "macs": r.macs,
        "elementwise_ops": r.elementwise,
        "mac_convention": MAC_CONVENTION,
        "published_counts": None,
        "pytorch": t.pytorch_note(a, s) if s is not None and not r.children else None,
        "wrapped": [{"role": c.role, **explain(c)} for c in r.children],
        "graph": connections(model, r) if model is not None else None,
    }
    counts = getattr(t, "published_counts", None)
    if counts and s is not None:
        data["published_counts"] = counts(a, s)
    return data


def _n(v) -> str:
    return "unknown: it grows with an axis of variable size (None)" if v is None else f"{v:,}"


def graph_lines(name: str, g: dict) -> list[str]:
    """The 'In the graph' section: inputs, keyword tensors (initial states) and where outputs go."""
    lines = ["In the graph"]
    if g["shared"]:
        lines.append(f"  '{name}' is called {len(g['calls'])} times: every call uses the same weights, counted once.")
    for c in g["calls"]:
        head = f"  call {c['call']}: " if g["shared"] else "  "
        lines.append(f"{head}reads {'; '.join(c['inputs'])}")
        for kw, sources in c["keywords"].items():
            if kw == "initial_state":
                lines.append(f"    initial_state: {'; '.join(sources)}. These become the layer's starting "
                             "state instead of zeros: that is why they need no extra parameters.")
            elif kw == "mask" and c["auto_mask"]:
                lines.append(f"    mask: {'; '.join(sources)} (Keras passes the input's mask on by itself)")
            else:
                lines.append(f"    {kw}: {'; '.join(sources)}")
        for o in c["outputs"]:
            to = ", ".join(o["to"]) if o["to"] else "nothing (unused)"
            lines.append(f"    {o['ref']} = {o['what']} -> {to}")
    return lines + [""]


def explain_lines(d: dict, depth: int = 0) -> list[str]:
    pad = "  " * depth
    lines = [f"{d['layer']} ({d['type']})", d["description"], ""]
    if d["input_shape"] is not None:
        lines += ["Shape", f"  input  {fmt_shape(d['input_shape'])}", f"  output {fmt_shape(d['output_shape'])}",
                  f"  why: {d['shape_rule']}", ""]
    if d["weights"]:
        lines.append("Weights")
        width = max(len(w["name"]) for w in d["weights"])
        for w in d["weights"]:
            frozen = "" if w["trainable"] else "  (non-trainable)"
            lines.append(f"  {w['name'].ljust(width)}  {fmt_shape(w['shape']):<16} {w['size']:>12,}{frozen}")
            lines.append(f"      {w['what']}")
        lines.append("")
    if d["gates"]:
        lines.append("Per gate (the weight matrices above hold these side by side)")
        for g in d["gates"]:
            parts = ", ".join(f"{k} {fmt_shape(v)}" for k, v in g.items() if k not in ("gate", "params"))
            lines.append(f"  {g['gate']}: {parts} = {g['params']:,}")
        lines.append("")
    if d.get("graph"):
        lines += graph_lines(d["layer"], d["graph"])
    f = d["formula"]
    if f["result"] == 0 and not d["weights"]:
        lines += ["Parameters", "  0: no weights"]
    else:
        lines += ["Parameters", f"  {f['symbols']}", f"  = {f['substituted']}", f"  = {f['result']:,}"]
    if d["non_trainable_params"]:
        lines.append(f"  of which trainable {d['trainable_params']:,}, non-trainable {d['non_trainable_params']:,}")
    if d["pytorch"]:
        lines.append(f"  PyTorch: {d['pytorch']}")
    lines.append("")
    if d["equations"]:
        lines += ["Step equations (for each timestep t)", *(f"  {e}" for e in d["equations"]), ""]
    if d["notes"]:
        lines += ["How it works", *(f"  - {n}" for n in d["notes"]), ""]
    lines += ["Cost (one sample)", f"  multiply-adds: {_n(d['macs'])}"]
    if d["elementwise_ops"]:
        lines.append(f"  bias additions and elementwise operations: {_n(d['elementwise_ops'])}")
    if d["published_counts"]:
        p = d["published_counts"]
        lines.append(f"  {d['mac_convention']}")
        lines.append(f"  Published tools count PyTorch's version differently: torchinfo {p['torchinfo']:,} "
                     f"(its parameters × timesteps), ptflops {p['ptflops']:,}, thop {p['thop']:,} (each adds "
                     "biases and gate arithmetic its own way).")
    for child in d["wrapped"]:
        lines += ["", f"— wrapped ({child['role']}) —", *explain_lines(child, 1)]
    return [pad + line if line else line for line in lines]
