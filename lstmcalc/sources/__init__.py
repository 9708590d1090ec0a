"""Sources in: every format a model arrives in becomes one validated `ModelSpec`.

`yaml_text` reads YAML with a line and column for every value; `spec` validates
a spec against the contract and the layer registry; `schema` is the JSON Schema
of the spec format, generated from the same registry. The importers
(`keras_json`, `keras_zip`, `keras_h5`, `python_ast`) turn what people already
have into a plain document in the spec's form, which `spec` validates, so
errors, defaults and automatic names live in one place.

`load(path)` tells the formats apart by content, not only by suffix: a zip is
a `.keras` file, the HDF5 signature a Keras 2 `.h5` file, JSON with a
`class_name` (or `modelTopology`) a Keras config, Python statements Python
source, and anything else a YAML spec.
"""

from __future__ import annotations

import os
import re
import stat

from lstmcalc.errors import Problem, SpecError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first member, or an empty zip
_PYTHON = (r"^(from\s+[\w.]+\s+import\b|import\s+\w|class\s+\w+|def\s+\w+|"
           r"[A-Za-z_][\w.]*(\s*,\s*[*\w]+)*\s*=[^=]|[A-Za-z_][\w.]*\(.*\)\s*$)")  # compiled on first use


def head_of(path: str) -> bytes:
    if path == "-":
        return b""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""  # a directory or FIFO: read_text names the problem (and never blocks on a FIFO)
        with open(path, "rb") as f:
            return f.read(8)
    except (OSError, ValueError):
        return b""  # read_text names the problem


def is_zip(head: bytes) -> bool:
    """Do a file's first bytes say it is a zip (a .keras file, an .npz)?"""
    return head[:4] in ZIP_MAGIC


def looks_like_python(text: str, path: str) -> bool:
    if path.endswith(".py"):
        return True
    if path.endswith((".yaml", ".yml", ".json")):
        return False
    return bool(re.search(_PYTHON, text, re.M)) and not re.search(r"^(layers|input|inputs)\s*:", text, re.M)


def document(path: str, *, model: str | None = None, input_shape=None, init: str | None = None):
    """(kind, document or YAML text, notes, display name) for any source."""
    from lstmcalc.sources import yaml_text

    head = head_of(path)
    if is_zip(head):
        from lstmcalc.sources import keras_json, keras_zip

        config, version = keras_zip.read_config(path)
        if not keras_json.is_model_config(config):
            raise SpecError(Problem("config.json inside the zip is not a Keras model config", file=path))
        doc, notes = keras_json.to_document(config, path, version)
        return "keras", doc, notes, path
    if head.startswith(HDF5_MAGIC):
        from lstmcalc.sources import keras_h5, keras_json

        config, version = keras_h5.read_config(path)
        doc, notes = keras_json.to_document(config, path, version)
        return "keras", doc, notes, path
    name, text = yaml_text.read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        import json

        from lstmcalc.sources import keras_json

        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        if keras_json.is_model_config(data):
            version = data.get("keras_version") if isinstance(data.get("keras_version"), str) else None
            doc, notes = keras_json.to_document(data, name, version)
            return "keras", doc, notes, name
    if looks_like_python(text, name):
        from lstmcalc.sources import python_ast

        doc, notes = python_ast.to_document(text, name, model=model, input_shape=input_shape, init=init)
        return "python", doc, notes, name
    return "yaml", text, [], name


def load(path: str, **options):
    """Read any source into a validated `ModelSpec`."""
    from lstmcalc.sources import spec

    kind, doc, notes, name = document(path, **options)
    if kind == "yaml":
        return spec.parse(doc, name)
    return spec.from_document(doc, name, tuple(notes))


__all__ = ["document", "load"]
