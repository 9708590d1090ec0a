"""Keras HDF5 files, through the optional h5py (`pip install 'lstmcalc[h5]'`).

A Keras 2 `.h5` model keeps its config as JSON in the root attribute
`model_config`; a Keras 3 `model.weights.h5` (inside `.keras`, or saved with
`save_weights`) keeps each layer's variables under `layers/<name>/vars/<i>`
(`cell/vars` for recurrent layers, `forward_layer`/`backward_layer` for
Bidirectional, `layer` for TimeDistributed), where `<name>` is the class name
in snake case numbered in the model's layer order. h5py is imported only here,
and its absence is a one-line message.
"""

from __future__ import annotations

import io
import json

from lstmcalc.errors import Problem, SpecError


def h5py_module(path: str):
    try:
        import h5py
    except ImportError:
        raise SpecError(Problem("reading HDF5 (.h5) files needs h5py", file=path,
                                hint="pip install 'lstmcalc[h5]'")) from None
    return h5py


def open_h5(source, path: str):
    h5py = h5py_module(path)
    try:
        return h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r")
    except (OSError, ValueError) as e:
        raise SpecError(Problem(f"not a readable HDF5 file (corrupt or truncated): {str(e)[:100]}",
                                file=path)) from None


def read_config(path: str):
    """The model config of a Keras 2 `.h5` model, and its Keras version."""
    with open_h5(path, path) as f:
        raw = f.attrs.get("model_config")
        version = f.attrs.get("keras_version")
    if raw is None:
        raise SpecError(Problem("this .h5 file holds no model config (weights only?)", file=path,
                                hint="save the whole model (model.save('m.h5')), or give the model as a spec, "
                                     "JSON or .keras file and this file as --weights"))
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    if isinstance(version, bytes):
        version = version.decode("utf-8")
    try:
        return json.loads(raw), (str(version) if version is not None else "2")
    except ValueError as e:
        raise SpecError(Problem(f"the model_config attribute is not JSON: {str(e)[:100]}", file=path)) from None


def keras3_weights(data: bytes, path: str, model) -> dict:
    """{layer name: weights} from a Keras 3 weights file, in the forward pass's layout."""
    from lstmcalc.layers import KERAS, lookup

    with open_h5(data, path) as f:
        if "layers" not in f:
            raise SpecError(Problem("the HDF5 file has no Keras 3 'layers' group", file=path,
                                    hint="Keras 2 .h5 weights are not read yet; save with Keras 3"))
        root = f["layers"]
        counters: dict = {}
        out: dict = {}
        for entry in model.spec.layers:
            if entry.shared:
                continue
            t = lookup(KERAS, entry.type.name) or entry.type
            n = counters.get(t.auto_name, 0)
            counters[t.auto_name] = n + 1
            key = t.auto_name if n == 0 else f"{t.auto_name}_{n}"
            record = model.get(entry.name)
            names = [w.name for w in record.weights] if record is not None else []
            if not names:
                continue
            if key not in root:
                raise SpecError(Problem(f"no weights for layer '{entry.name}' (looked for layers/{key})",
                                        file=path))
            arrays = []
            group = root[key]
            parts = ["forward_layer", "backward_layer"] if "forward_layer" in group else (
                ["layer"] if "layer" in group else [""])
            for part in parts:
                g = group[part] if part else group
                g = g["cell"] if "cell" in g else g
                variables = g.get("vars", {})
                arrays += [variables[str(i)][()].tolist() for i in range(len(variables))]
            if len(arrays) != len(names):
                raise SpecError(Problem(f"layer '{entry.name}': {len(arrays)} saved variables where the model "
                                        f"has {len(names)} weights", file=path))
            weights: dict = {}
            for name, value in zip(names, arrays):
                where = weights
                *head, last = name.split("/")
                for h in head:
                    where = where.setdefault(h, {})
                where[last] = value
            out[entry.name] = weights
        return out
