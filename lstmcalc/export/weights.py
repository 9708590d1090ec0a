"""Weights in the other framework's layout, along the same translation as the code.

Keras → PyTorch: each layer's type writes the state_dict of its equivalent
module (`torch_weights`: kernels transposed, GRU's gate blocks reordered,
Keras's one LSTM bias as b_ih with zeros as b_hh, Bidirectional's backward
layer as `_reverse`). PyTorch → Keras: each Keras layer of the translation
takes the tensors of its stacked layer (`_l1` ...) renamed `_l0`, and its type
reads them back (`from_torch_weights`: b_ih + b_hh summed into one bias).
Files: `.json` (contract section 4: layer name → tensors) and `.safetensors`
(the exported module's flat `state_dict`, written with the standard library).
"""

from __future__ import annotations

import json
import re
import struct

from lstmcalc.errors import Problem, SpecError
from lstmcalc.export.names import attributes
from lstmcalc.export.translate import Translation
from lstmcalc.run.forward import weight_tree


def convert(t: Translation, weights: dict) -> dict:
    """The source model's weights (section-4 layout of its dialect) in the translation's layout."""
    out: dict = {}
    if t.source.framework == "keras":
        for name, (r, eq, steps) in t.layers.items():
            if eq.weights is not None and r.weights:
                out[steps[eq.weights]] = r.type.torch_weights(r.args, r.input_shape, weights[name])
        return out
    froms = t.froms
    for name, (r, _eq, steps) in t.layers.items():
        for step in steps:
            if step in froms and weight_tree(r):  # BatchNorm1d(affine=False): buffers only
                k = t.model.get(step)
                out[step] = k.type.from_torch_weights(k.args, k.input_shape, layer_tensors(weights[name], froms[step]))
    return out


def layer_tensors(sd: dict, tag: str) -> dict:
    """The tensors of one stacked layer (`l1`) named as layer 0's (`weight_ih_l0`); all of them for no tag."""
    if not tag:
        return sd
    pattern = re.compile(rf"^(.*)_{tag}(_reverse)?$")
    return {f"{m.group(1)}_l0{m.group(2) or ''}": v for k, v in sd.items() if (m := pattern.match(k))}


def state_dict(model, weights: dict) -> dict:
    """The exported module's flat state_dict: `attribute.tensor`, BatchNorm1d's num_batches_tracked included."""
    attr = attributes(model)
    flat = {}
    for name, tensors in weights.items():
        for key, v in tensors.items():
            flat[f"{attr[name]}.{key}"] = v
        if "num_batches_tracked" in model.get(name).type.ignored_tensors:
            flat[f"{attr[name]}.num_batches_tracked"] = 0
    return flat


def _flat(x, shape: list) -> list:
    if isinstance(x, list):
        shape.append(len(x))
        values = []
        for i, v in enumerate(x):
            values += _flat(v, shape if i == 0 else [])
        return values
    return [x]


def safetensors_bytes(tensors: dict) -> bytes:
    """The safetensors format: an 8-byte little-endian header length, a JSON header, then the buffers
    (float32, little-endian; int64 for integer scalars such as num_batches_tracked)."""
    header, chunks, offset = {}, [], 0
    for name, value in tensors.items():
        shape: list = []
        values = _flat(value, shape)
        if isinstance(value, int):
            data, dtype = struct.pack("<q", value), "I64"
        else:
            data, dtype = struct.pack(f"<{len(values)}f", *values), "F32"
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(t: Translation, converted: dict, path: str) -> None:
    """Write converted weights; the suffix picks the format (.json, .safetensors, .weights.h5)."""
    if path.endswith(".weights.h5"):
        if t.model.framework != "keras":
            raise SpecError(Problem(".weights.h5 holds Keras weights", file=path,
                                    hint="use --to keras, or write .safetensors for PyTorch"))
        from lstmcalc.sources.keras_h5 import write_keras3_weights

        write_keras3_weights(t.model, converted, path)
        return
    if path.endswith(".safetensors"):
        if t.model.framework != "pytorch":
            raise SpecError(Problem(".safetensors holds a PyTorch state_dict", file=path,
                                    hint="use --to pytorch, or write .json for Keras"))
        data = safetensors_bytes(state_dict(t.model, converted))
        with open(path, "wb") as f:
            f.write(data)
        return
    if not path.endswith(".json"):
        raise SpecError(Problem("the output's suffix picks its format: .json, .safetensors or .weights.h5",
                                file=path, hint="name the output weights.json, model.safetensors or "
                                "model.weights.h5"))
    with open(path, "w") as f:
        json.dump(converted, f)
        f.write("\n")
