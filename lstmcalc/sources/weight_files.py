"""Weights for `run` from the files frameworks save, without NumPy.

- `.json`: lstmcalc's own layout (contract section 4);
- `.safetensors`: a little-endian JSON header and raw buffers, read with the
  standard library; every offset and size is checked against the file;
- `.npz`: a zip of `.npy` files, whose small header is parsed by hand;
- `.keras` (its `model.weights.h5`), `.weights.h5` and Keras 2 `.h5`: HDF5,
  through the optional `h5py` (`pip install 'lstmcalc[h5]'`);
- a pickled `.pt`/`.pth`/`.bin` is refused: unpickling runs code.

Flat names (`lstm.weight_ih_l0`, `encoder/kernel`) become the nested mapping
`{layer: {weight: nested list}}` the forward pass reads.
"""

from __future__ import annotations

import ast
import json
import os
import struct
import zipfile

from lstmcalc.errors import Problem, SpecError

MAX_BYTES = 512 * 1024 * 1024
MAX_HEADER = 16 * 1024 * 1024
DTYPES = {"F32": ("f", 4), "F64": ("d", 8), "F16": ("e", 2), "I64": ("q", 8), "I32": ("i", 4),
          "<f4": ("f", 4), "<f8": ("d", 8), "<f2": ("e", 2), "<i8": ("q", 8), "<i4": ("i", 4), "|b1": ("?", 1)}


def fail(path: str, message: str, hint: str | None = None):
    raise SpecError(Problem(message, file=path, hint=hint))


def default_weights(spec_path: str) -> str:
    """`run model.keras` (or a Keras 2 `model.h5`) without --weights: the file holds them."""
    from lstmcalc.sources import HDF5_MAGIC, head_of, is_zip

    head = head_of(spec_path)
    if is_zip(head) or head.startswith(HDF5_MAGIC):  # .keras, or a Keras 2 .h5 model
        return spec_path
    raise SpecError(Problem("--weights is needed: this model file holds no weights", file=spec_path,
                            hint="pass --weights W.json (or .keras, .safetensors, .npz, .h5)"))


def nested(shape, values: list):
    if not shape:
        return values[0]
    if len(shape) == 1:
        return list(values)
    step = len(values) // shape[0] if shape[0] else 0
    return [nested(shape[1:], values[i * step:(i + 1) * step]) for i in range(shape[0])]


def size_of(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def read(path: str, model) -> dict:
    from lstmcalc.sources import HDF5_MAGIC, head_of, is_zip, keras_zip

    lower = path.lower()
    if lower.endswith((".pt", ".pth", ".bin", ".ckpt", ".pkl")):
        fail(path, "a pickled PyTorch file is refused: unpickling runs code from the file",
             "save the state_dict as safetensors: from safetensors.torch import save_file; "
             "save_file(model.state_dict(), 'model.safetensors')")
    head = head_of(path)
    if lower.endswith(".safetensors"):
        return group(safetensors(path), model)
    if is_zip(head) and lower.endswith(".npz"):
        return group(npz(path), model)
    if is_zip(head):
        from lstmcalc.sources import keras_h5

        return keras_h5.keras3_weights(keras_zip.read_weights(path), path, model)
    if head.startswith(HDF5_MAGIC):
        from lstmcalc.sources import keras_h5

        with open(path, "rb") as f:
            return keras_h5.keras3_weights(f.read(MAX_BYTES), path, model)
    from lstmcalc.sources.json_files import WEIGHTS_FILE, read_json

    return read_json(path, WEIGHTS_FILE)


def group(flat: dict, model=None) -> dict:
    """Flat tensor names → {layer: {weight: tensor}}.

    A `state_dict` name is a module path and a weight name: the layer is the longest
    leading part of the path that names a layer of `model` (`seq.0.weight` → layer
    `seq_0`, the name `lstmcalc.from_torch` gives an `nn.Sequential` child; `encoder.layers.0.self_attn.in_proj_weight`
    → layer `encoder`, weight `layers.0.self_attn.in_proj_weight`, as torch's TransformerEncoder names it);
    without a model, the first part and any child indices after it (`seq.0`). A Keras name
    (`encoder/kernel`, `bidirectional/forward/kernel`) nests at each '/'.
    """
    names = set() if model is None else {r.name for r in model.layers}
    out: dict = {}
    for key, value in flat.items():
        if "/" in key:
            layer, rest = key.split("/", 1)
            where = out.setdefault(layer, {})
            *path, last = rest.split("/")
            for p in path:
                where = where.setdefault(p, {})
            where[last] = value
            continue
        parts = key.split(".")
        layer, rest = None, None
        for k in range(len(parts) - 1, 0, -1):  # the longest module path naming a layer
            for candidate in (".".join(parts[:k]), "_".join(parts[:k])):
                if candidate in names:
                    layer, rest = candidate, ".".join(parts[k:])
                    break
            if layer is not None:
                break
        if layer is None:
            k = 1
            while k < len(parts) - 1 and parts[k].isdigit():
                k += 1
            layer, rest = ("_".join(parts[:k]), ".".join(parts[k:])) if len(parts) > 1 else (key, "")
        where = out.setdefault(layer, {})
        if rest:
            where[rest] = value
    return out


def safetensors(path: str) -> dict:
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                fail(path, "not a safetensors file (shorter than its 8-byte header length)")
            (n,) = struct.unpack("<Q", head)
            if n > MAX_HEADER or 8 + n > size:
                fail(path, f"the safetensors header says it is {n:,} bytes, more than the file holds "
                           f"({size:,})", "the file is truncated or not safetensors")
            header = json.loads(f.read(n).decode("utf-8"))
            data_size = size - 8 - n
            if data_size > MAX_BYTES:
                fail(path, f"{data_size:,} bytes of tensors: more than the reference pass reads")
            data = f.read(data_size)
    except OSError as e:
        fail(path, f"cannot read: {e.strerror or e}")
    except (ValueError, UnicodeDecodeError) as e:
        fail(path, f"the safetensors header is not valid JSON: {str(e)[:100]}")
    if not isinstance(header, dict):
        fail(path, "the safetensors header is not a mapping")
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (start, end) = info["dtype"], list(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            fail(path, f"tensor '{name}' has no dtype, shape and data_offsets")
        if dtype not in DTYPES:
            fail(path, f"tensor '{name}' has dtype {dtype}, which lstmcalc does not read",
                 "save float32 tensors")
        code, width = DTYPES[dtype]
        if not all(isinstance(d, int) and d >= 0 for d in shape) or not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(data)):
            fail(path, f"tensor '{name}' has offsets {start}..{end} outside the {len(data):,} bytes of data",
                 "the header lies about sizes or offsets; save the file again")
        if end - start != size_of(shape) * width:
            fail(path, f"tensor '{name}' of shape {shape} needs {size_of(shape) * width:,} bytes but its "
                       f"offsets give {end - start:,}", "the header lies about sizes; save the file again")
        values = list(struct.unpack(f"<{size_of(shape)}{code}", data[start:end]))
        out[name] = nested(shape, values)
    return out


def npz(path: str) -> dict:
    from lstmcalc.sources.keras_zip import read_member

    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".npy")]
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        fail(path, f"not a readable .npz (corrupt or truncated): {str(e)[:100]}")
    out = {}
    for member in names:
        out[member[:-4]] = npy(read_member(path, member, MAX_BYTES), path, member)
    return out


def npy(data: bytes, path: str, member: str):
    if not data.startswith(b"\x93NUMPY") or len(data) < 10:
        fail(path, f"{member} is not a .npy array")
    major = data[6]
    if major == 1:
        (n,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (n,) = struct.unpack("<I", data[8:12])
        start = 12
    try:
        header = ast.literal_eval(data[start:start + n].decode("latin1"))
        descr, fortran, shape = header["descr"], header["fortran_order"], list(header["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError):
        fail(path, f"{member} has an unreadable .npy header")
    if descr not in DTYPES or fortran:
        fail(path, f"{member} has dtype {descr}{' in Fortran order' if fortran else ''}, which lstmcalc "
                   "does not read", "save C-ordered float32 arrays")
    code, width = DTYPES[descr]
    body = data[start + n:]
    if len(body) != size_of(shape) * width:
        fail(path, f"{member} holds {len(body):,} bytes but its shape {shape} needs {size_of(shape) * width:,}")
    return nested(shape, list(struct.unpack(f"<{size_of(shape)}{code}", body)))
