"""A Keras 3 module from a Keras-dialect model: `build_model()` with the functional API.

Every layer is written as its class with the spec's name, its required
arguments positionally and every argument that differs from Keras's default
by keyword (generic over the registry's declared arguments). Shared layers
are made once and called again; `initial_state` and other call keywords are
passed as written; each line ends with the output shape.
"""

from __future__ import annotations

from lstmcalc.export.names import Names, code_line, shape_text
from lstmcalc.graph.build import INPUT, Model
from lstmcalc.graph.refs import TensorRef


def value(v) -> str:
    if isinstance(v, tuple):
        return "(" + ", ".join(value(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if hasattr(v, "type") and hasattr(v, "args"):  # a nested layer (Bidirectional's layer)
        return layer_code(v.type, v.args, v.name)
    return repr(v)


def layer_code(t, args, name: str) -> str:
    """`layers.LSTM(128, return_sequences=True, name="lstm1")`: required arguments first, then non-defaults."""
    positional, keywords = [], []
    for arg in t.all_args:
        if arg.name == "name":
            continue
        v = args.get(arg.name, arg.default)
        if arg.required:
            positional.append(value(v))
        elif v != arg.default:
            keywords.append(f"{arg.name}={value(v)}")
    exported = getattr(t, "exported_as", t.name)  # keras.layers.GroupQueryAttention is GroupedQueryAttention
    return f"layers.{exported}({', '.join([*positional, *keywords, f'name={name!r}'])})"


def keras_shape(shape) -> str:
    return shape_text(shape, "None", variable="None")


def keras_code(model: Model, header: list[str]) -> str:
    names = Names()
    var_of = {n: names.take(n) for n in model.names}
    tensors: dict[TensorRef, str] = {}
    objects: dict[str, str] = {}  # shared layers: the variable holding the layer
    body: list[str] = []
    for r in model.input_records:
        var = tensors[TensorRef(r.name, 0, 0)] = var_of[r.name]
        kw = [f"shape={value(tuple(r.output_shape[1:]))}", f"name={r.name!r}"]
        if r.args.get("dtype") not in (None, "float32"):
            kw.append(f"dtype={r.args.get('dtype')!r}")
        if r.output_shape[0] is not None:
            kw.append(f"batch_size={r.output_shape[0]}")
        body += code_line("    ", f"{var} = keras.Input({', '.join(kw)})", keras_shape(r.output_shape))
    for node in model.nodes:
        r = model.get(node.layer)
        if r.type.is_op or r.type is INPUT:
            continue
        base = var_of[r.name] if node.index == 0 else names.take(f"{r.name}_{node.index}")
        outs = [base] + [names.take(f"{base}_{i}") for i in range(1, len(node.outputs))]
        for i, v in enumerate(outs):
            tensors[TensorRef(node.layer, node.index, i)] = v
        comment = keras_shape(node.output_shape)
        made = layer_code(r.type, r.args, r.name)
        if len(r.nodes) > 1:
            if r.name not in objects:
                objects[r.name] = names.take(f"{r.name}_layer")
                body.append(f"    {objects[r.name]} = {made}")
            made = objects[r.name]
        xs = [tensors[t] for t in node.inputs]
        call = list(xs) if r.type.list_positional else [f"[{', '.join(xs)}]" if node.is_list else xs[0]]
        for kw, v in node.call.items():
            if kw == "mask" and node.auto_mask:
                continue
            if isinstance(v, TensorRef):
                call.append(f"{kw}={tensors[v]}")
            elif isinstance(v, tuple):
                call.append(f"{kw}=[{', '.join(tensors[t] for t in v)}]")
            else:
                call.append(f"{kw}={v!r}")
        expr = f"{made}({', '.join(call)})"
        if getattr(r.type, "nested_outputs", None) and r.type.nested_outputs(r.args):
            expr = f"keras.tree.flatten({expr})"  # Keras returns one list of states per cell
        body += code_line("    ", f"{', '.join(outs)} = {expr}", comment)
    inputs = [tensors[TensorRef(n, 0, 0)] for n in model.inputs]
    outputs = [tensors[t] for t in model.outputs]
    ins = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
    outs = outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"
    title = f", name={model.name!r}" if model.name else ""
    lines = [*docstring(header), "", "import keras", "from keras import layers", "", "",
             "def build_model() -> keras.Model:", *body,
             *code_line("    ", f"return keras.Model(inputs={ins}, outputs={outs}{title})", ""), ""]
    return "\n".join(lines)


def docstring(header: list[str]) -> list[str]:
    if len(header) == 1:
        return [f'"""{header[0]}"""']
    return ['"""' + header[0], "", *header[1:], '"""']
