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


def layer_keys(model) -> list[tuple[str, object]]:
    """(group key, record) of each layer as Keras 3's weights file names it: the class name in snake
    case, numbered in the model's layer order (`lstm`, `lstm_1`), whatever the layer's own name."""
    from lstmcalc.layers import KERAS, lookup

    counters: dict = {}
    out = []
    for r in model.layers:
        if r.type.name == "InputLayer" or r.type.is_op:
            continue
        t = lookup(KERAS, r.type.name) or r.type
        n = counters.get(t.auto_name, 0)
        counters[t.auto_name] = n + 1
        out.append((t.auto_name if n == 0 else f"{t.auto_name}_{n}", r))
    return out


def variable_layout(record) -> list[tuple[str, int]]:
    """(group, how many of the record's weights it holds) in the record's weight order: where Keras 3's
    weights file keeps a layer's variables below the layer's own group. `cell/vars` for a recurrent
    layer, `forward_layer/...` and `backward_layer/...` for Bidirectional, `layer/...` for
    TimeDistributed, the sub-layers a type names in `keras_groups` (MultiHeadAttention's
    `query_dense/vars` ...), else `vars`."""
    kids = record.children
    if len(kids) == 2:
        return [(f"{side}/{g}", n) for side, k in zip(("forward_layer", "backward_layer"), kids)
                for g, n in variable_layout(k)]
    if kids:
        return [(f"layer/{g}", n) for g, n in variable_layout(kids[0])]
    names = [w.name for w in record.weights]
    groups = dict(record.type.keras_groups_of(record.args))
    if groups:  # runs of weights whose first path part names the same group, in weight order
        out: list[tuple[str, int]] = []
        for x in names:
            g = groups[""] if "" in groups else groups[x.split("/")[0]]
            if out and out[-1][0] == g:
                out[-1] = (g, out[-1][1] + 1)
            else:
                out.append((g, 1))
        return out
    return [("cell/vars" if getattr(record.type, "gates", None) else "vars", len(names))]


def write_keras3_weights(model, weights: dict, path: str) -> None:
    """Write {layer name: weights} (contract section 4) as a Keras 3 `.weights.h5` for `model.load_weights`."""
    import os
    import tempfile

    h5py = h5py_module(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".lstmcalc-", suffix=".h5")
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.create_group("vars")
            root = f.create_group("layers")
            for key, r in layer_keys(model):
                values = _flat_values(r, weights.get(r.name, {}))
                group = root.create_group(key)
                for sub, arrays in _split(r, values):
                    g = group.require_group(sub)
                    for i, array in enumerate(arrays):
                        g.create_dataset(str(i), data=array)
        os.replace(tmp, path)
    except OSError as e:
        raise SpecError(Problem(f"cannot write: {e.strerror or e}", file=path)) from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _flat_values(record, weights: dict) -> list:
    """The layer's tensors in the order its record declares them (`forward/kernel` looked up nested)."""
    out = []
    for w in record.weights:
        where = weights
        for part in w.name.split("/"):
            where = where[int(part)] if isinstance(where, list) else where[part]  # stacked cells: a list
        out.append(where)
    return out


def _split(record, values: list) -> list[tuple[str, list]]:
    """Assign the record's tensors, in order, to its variable groups."""
    out, start = [], 0
    for g, n in variable_layout(record):
        out.append((g, values[start:start + n]))
        start += n
    return out


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def legacy_weights(f, path: str, model) -> dict:
    """{layer name: weights} from a Keras 2 `.h5` (a whole model's `model_weights` group, or the root of
    `save_weights('w.h5')`): a group per layer name whose `weight_names` attribute lists the layer's
    variables in their order (`lstm_1/kernel:0`, `sequential/lstm/lstm_cell/kernel`), which is the order
    the model's record declares them in."""
    root = f["model_weights"] if "model_weights" in f else f
    out: dict = {}
    for record in model.layers:
        if record.type.name == "InputLayer" or record.type.is_op:
            continue
        names = [w.name for w in record.weights]
        if not names:
            continue
        if record.name not in root:
            raise SpecError(Problem(f"no weights for layer '{record.name}' in the Keras 2 .h5 file", file=path,
                                    hint="layers saved: " + ", ".join(_text(n) for n in
                                                                      root.attrs.get("layer_names", []))))
        group = root[record.name]
        saved = [_text(n) for n in group.attrs.get("weight_names", [])]
        if len(saved) != len(names):
            raise SpecError(Problem(f"layer '{record.name}': {len(saved)} saved variables where the model has "
                                    f"{len(names)} weights", file=path))
        arrays = []
        for key in saved:
            try:
                arrays.append(group[key][()].tolist())
            except (KeyError, TypeError, ValueError, AttributeError):
                raise SpecError(Problem(f"layer '{record.name}': its weight_names list '{key}', which the file "
                                        "does not hold as an array", file=path,
                                        hint="the .h5 file is damaged or not written by Keras; save it again")
                                ) from None
        out[record.name] = nest(names, arrays)
    return out


def nest(names: list[str], values: list):
    """The weights named `forward/kernel`, `0/bias` ... as the forward pass reads them: nested mappings,
    and a list of mappings (one per cell) for stacked cells, whose names start with the cell's index."""
    weights: dict = {}
    for name, value in zip(names, values):
        where = weights
        *head, last = name.split("/")
        for h in head:
            where = where.setdefault(h, {})
        where[last] = value
    if weights and all(k.isdigit() for k in weights):
        return [weights[str(i)] for i in range(len(weights))]
    return weights


def keras3_weights(data: bytes, path: str, model) -> dict:
    """{layer name: weights} from a Keras 3 weights file (or a Keras 2 `.h5`), in the forward pass's layout."""
    with open_h5(data, path) as f:
        if "model_weights" in f or "layer_names" in f.attrs:
            return legacy_weights(f, path, model)
        if "layers" not in f:
            raise SpecError(Problem("the HDF5 file has no Keras 3 'layers' group", file=path,
                                    hint="save the weights with Keras (model.save_weights('w.weights.h5'))"))
        root = f["layers"]
        out: dict = {}
        for key, record in layer_keys(model):
            names = [w.name for w in record.weights]
            if not names:
                continue
            if key not in root:
                raise SpecError(Problem(f"no weights for layer '{record.name}' (looked for layers/{key})",
                                        file=path))
            arrays = []
            for sub, _ in variable_layout(record):
                variables = root[key].get(sub, {})
                arrays += [variables[str(i)][()].tolist() for i in range(len(variables))]
            if len(arrays) != len(names):
                raise SpecError(Problem(f"layer '{record.name}': {len(arrays)} saved variables where the model "
                                        f"has {len(names)} weights", file=path))
            out[record.name] = nest(names, arrays)
        return out
