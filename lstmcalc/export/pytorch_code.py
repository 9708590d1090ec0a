"""A PyTorch module from a PyTorch-dialect model: one `nn.Module` subclass, `__init__` and `forward`.

Modules are constructed in `__init__` with their inferred widths written out
(`nn.LSTM(10, 128, batch_first=True)`) and every other argument that differs
from torch's default; `forward` takes the inputs batch first and calls them in
execution order, one line each with its shape; pseudo steps (`out[:, -1]`,
`h_n[-1]`, `x.transpose(1, 2)`, `torch.cat`) are written as the expressions
they stand for. Every `__init__` line says its parameter count.
"""

from __future__ import annotations

from lstmcalc.errors import Problem, SpecError
from lstmcalc.export.keras_code import docstring
from lstmcalc.export.keras_code import value as keras_value
from lstmcalc.export.names import Names, attributes, class_name, code_line, shape_text
from lstmcalc.graph.build import INPUT, Model
from lstmcalc.graph.refs import TensorRef

SKIPPED = ("name", "device", "dtype")


def module_code(t, args, s) -> str:
    """`nn.LSTM(10, 128, batch_first=True)`: widths inferred from the input shape, then non-defaults."""
    width = {t.width[0]: s[t.width[1]]} if t.width else {}

    def value(v) -> str:  # a nested module (TransformerEncoder's encoder_layer, norm) is written as torch code
        return module_code(v.type, v.args, s) if hasattr(v, "type") and hasattr(v, "args") else keras_value(v)

    positional = [value(width.get(n, args.get(n))) for n in t.code_positional]
    keywords = [f"{arg.name}={value(args.get(arg.name))}" for arg in t.all_args
                if arg.name not in (*SKIPPED, *t.code_positional) and not arg.name.startswith("_")
                and args.get(arg.name) != arg.default]
    return f"{t.torch_name}({', '.join(positional + keywords)})"


def check_layout(model: Model) -> None:
    for r in model.layers:
        if r.type is INPUT and r.args.get("batch_axis", 0) != 0 or r.args.get("batch_first") is False:
            raise SpecError(Problem(f"'{r.name}' reads the batch second (batch_first: false); the exported module "
                                    "takes its inputs batch first", file=model.spec.file, layer=r.name,
                                    hint="write batch_first: true on the recurrent modules"))


def pytorch_code(model: Model, header: list[str]) -> str:
    check_layout(model)
    attr = attributes(model)
    names = Names(attr.values())
    tensors: dict[TensorRef, str] = {}
    init, body = [], []
    for r in model.layers:
        if r.type is not INPUT and r.type.forward_code(r.args, ["x"]) is None:
            init += code_line("        ", f"self.{attr[r.name]} = {module_code(r.type, r.args, r.input_shape)}",
                              f"{r.params:,} parameters")
    for r in model.input_records:
        tensors[TensorRef(r.name, 0, 0)] = attr[r.name]
    for node in model.nodes:
        r = model.get(node.layer)
        if r.type is INPUT:
            continue
        base = attr[r.name] if node.index == 0 else names.take(f"{r.name}_{node.index}")
        xs = [tensors[t] for t in node.inputs]
        if r.type.name == "HiddenState" and r.args.get("source") != "tensor":
            src = node.inputs[0]  # the module's output: read its h_n or c_n instead
            xs = [tensors[TensorRef(src.layer, src.node, 1 if r.args.state == "h_n" else 2)]]
        expr = r.type.forward_code(r.args, xs)
        comment = shape_text(node.output_shape, axis=1 if r.type.name == "Unsqueeze" and r.args.dim == 0 else 0)
        if expr is not None:
            tensors[TensorRef(node.layer, node.index, 0)] = base
            body += code_line("        ", f"{base} = {expr}", comment)
            continue
        call = ", ".join(r.type.call_code(r.args, xs))
        states = node.call.get("hx")
        if states is not None:
            refs = states if isinstance(states, tuple) else (states,)
            hx = [tensors[t] for t in refs]
            call += f", ({', '.join(hx)})" if len(hx) > 1 else f", {hx[0]}"
        call += "".join(f", {kw}={tensors[v] if isinstance(v, TensorRef) else keras_value(v)}"
                        for kw, v in node.call.items() if kw != "hx")  # masks and flags (attention, Transformer)
        parts = r.type.returns or ("output", "h_n", "c_n")
        outs = [base] + [names.take(f"{base}_{n}") for n in parts[1:len(node.outputs)]]
        for i, v in enumerate(outs):
            tensors[TensorRef(node.layer, node.index, i)] = v
        if r.type.returns:  # a flat tuple, its unused parts discarded
            target = ", ".join(outs + ["_"] * (len(r.type.returns) - len(outs)))
        else:
            target = outs[0] if len(outs) == 1 else f"{outs[0]}, ({', '.join(outs[1:])})" if len(outs) == 3 \
                else f"{outs[0]}, {outs[1]}"
        if len(outs) > 1:
            comment = ", ".join(f"{n} {shape_text(s, axis=1 if i and not r.type.returns else 0)}"
                                for i, (n, s) in enumerate(zip(parts, node.outputs)))
        body += code_line("        ", f"{target} = self.{attr[r.name]}({call})", comment)
    inputs = [tensors[TensorRef(n, 0, 0)] for n in model.inputs]
    outputs = [tensors[t] for t in model.outputs]
    signature = ", ".join(f"{x}: torch.Tensor" for x in inputs)
    in_shapes = ", ".join(f"{x} {shape_text(r.output_shape)}" for x, r in zip(inputs, model.input_records))
    cls = class_name(model.name)
    lines = [*docstring(header), "", "import torch", "from torch import nn", "", "",
             f"class {cls}(nn.Module):",
             f'    """{model.name or "The model"}: {model.total_params:,} parameters."""', "",
             "    def __init__(self):", "        super().__init__()", *init, "",
             *code_line("    ", f"def forward(self, {signature}):", in_shapes), *body,
             f"        return {', '.join(outputs)}", ""]
    return "\n".join(lines)
