"""The JSON Schema (draft-07) of the spec format, generated from the registry.

yaml-language-server reads it to validate and complete specs in editors:
put `# yaml-language-server: $schema=lstmcalc-schema.json` at the top of a
spec after `lstmcalc schema > lstmcalc-schema.json`.
"""

from __future__ import annotations

from lstmcalc.layers import REGISTRIES, LayerType
from lstmcalc.layers.args import ACTIVATIONS, DTYPES, Arg
from lstmcalc.sources.spec import INPUT_DTYPES, MODEL_EXPECT, TENSOR_KWARGS

SIZE = {"type": "integer", "minimum": 0}
SHAPE = {"type": "array", "items": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}}
SHAPES = {"anyOf": [SHAPE, {"type": "array", "minItems": 1, "items": SHAPE}],
          "description": "without the batch axis; a list of shapes for several outputs"}


def caseless(name: str) -> str:
    """A regex that matches name in any case (JSON Schema regexes have no flags)."""
    return "^" + "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in name) + "$"


def type_pattern(t: LayerType) -> str:
    """The type's name or one of its aliases (MaxPool1D for MaxPooling1D), in any case."""
    return "|".join(caseless(n) for n in (t.name, *t.aliases))


def arg_schema(arg: Arg, framework: str = "keras") -> dict:
    kind = arg.kind
    if kind == "int":
        s = {"type": "integer"}
    elif kind == "float":
        s = {"type": "number"}
    elif kind == "bool":
        s = {"type": "boolean"}
    elif kind == "str":
        s = {"type": "string"}
    elif kind == "choice":
        s = {"enum": list(arg.choices)}
    elif kind == "activation":
        s = {"enum": [*ACTIVATIONS, None]}
    elif kind == "dtype":
        s = {"enum": list(DTYPES)}
    elif kind == "ints":
        s = {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"},
                                              "minItems": 1, "maxItems": 1}]}
        if arg.choices:
            s["anyOf"].append({"enum": list(arg.choices)})
    elif kind == "pair":
        s = {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"},
                                              "minItems": 2, "maxItems": 2}]}
        if arg.choices:
            s["anyOf"].append({"enum": list(arg.choices)})
    elif kind == "intlist":
        s = {"type": "array", "items": {"type": "integer"}}
    elif kind == "pair":
        s = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "array", "items": {"type": "integer", "minimum": 0},
                                                           "minItems": 2, "maxItems": 2}]}
    elif kind == "axis":
        s = {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}]}
    elif kind == "shape":
        s = {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}
    elif kind == "layer":
        s = {"$ref": f"#/definitions/layer.{framework}"}  # nested in its own dialect
    else:  # object: names, mappings, numbers
        s = {}
    if kind in ("int", "float") and arg.minimum is not None:
        s["minimum"] = arg.minimum
    if kind in ("int", "float") and arg.maximum is not None:
        s["maximum"] = arg.maximum
    if arg.accepts_null and s and kind not in ("activation",):
        s = {"anyOf": [s, {"type": "null"}]}
    s["description"] = arg.doc
    if not arg.required and isinstance(arg.default, (int, float, str, bool, type(None))):
        s["default"] = arg.default
    return s


REF = {"type": "string", "minLength": 1,
       "description": "a tensor reference: NAME, NAME[i] (output i) or NAME[n][i] (output i of call n)"}
REFS = {"anyOf": [REF, {"type": "array", "minItems": 1, "items": REF}]}


def call_schema(t: LayerType) -> dict:
    """The call's keyword arguments (contract section 7): tensor references or true/false."""
    return {"type": "object", "additionalProperties": False,
            "properties": {k: REFS if k in TENSOR_KWARGS else {"type": "boolean"} for k in t.call_args}}


def layer_schema(t: LayerType, framework: str = "keras") -> dict:
    props = {
        "type": {"type": "string", "pattern": type_pattern(t), "description": t.doc.split("\n")[0]},
        "expect": {"type": "object", "additionalProperties": False,
                   "properties": {"output_shape": SHAPES, "params": SIZE}},
        "inputs": {**REFS, "description": "the tensor(s) this layer reads; default: the entry above"},
        "call": call_schema(t),
    }
    props.update({a.name: arg_schema(a, framework) for a in t.all_args})
    required = ["type"] + [a.name for a in t.all_args if a.required]
    return {"type": "object", "description": " ".join(t.doc.split()), "properties": props,
            "required": required, "additionalProperties": False}


SHARED_CALL = {
    "type": "object", "additionalProperties": False, "required": ["call"],
    "description": "another call of a layer defined above: the same weights, one more node",
    "properties": {"call": {"type": "string", "description": "the name of the layer to call again"},
                   "inputs": REFS, "kwargs": {"type": "object"}},
}


def layer_union(framework: str, registry: dict[str, LayerType], definitions: dict) -> dict:
    """A layer of one dialect: its type picks the definition that applies; `{call: NAME}` calls one again."""
    branches = []
    for t in registry.values():
        key = f"{framework}.{t.name}"
        definitions[key] = layer_schema(t, framework)
        branches.append({"if": {"properties": {"type": {"pattern": type_pattern(t)}}},
                         "then": {"$ref": f"#/definitions/{key}"}})
    typed = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "anyOf": [{"pattern": type_pattern(t)} for t in registry.values()],
                                "description": "the layer's class name (case is ignored)"}},
        "allOf": branches,
    }
    return {"if": {"type": "object", "required": ["call"], "properties": {"call": {"type": "string"}}},
            "then": SHARED_CALL, "else": typed}


def spec_schema() -> dict:
    definitions: dict = {}
    for framework, registry in REGISTRIES.items():
        definitions[f"layer.{framework}"] = layer_union(framework, registry, definitions)
    definitions["layer"] = {"$ref": "#/definitions/layer.keras"}  # wrappers are Keras's
    dialects = [
        {"if": {"properties": {"framework": {"const": fw}}, "required": ["framework"]},
         "then": {"properties": {"layers": {"items": {"$ref": f"#/definitions/layer.{fw}"}}}}}
        for fw in REGISTRIES if fw != "keras"
    ]
    keras_default = {"if": {"properties": {"framework": {"enum": [fw for fw in REGISTRIES if fw != "keras"]}},
                            "required": ["framework"]},
                     "else": {"properties": {"layers": {"items": {"$ref": "#/definitions/layer.keras"}}}}}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://lstmcalc.invalid/spec.schema.json",
        "title": "lstmcalc model spec",
        "type": "object",
        "additionalProperties": False,
        "required": ["layers"],
        "oneOf": [{"required": ["input"]}, {"required": ["inputs"]}],
        "properties": {
            "name": {"type": "string", "description": "the model's name"},
            "framework": {"enum": list(REGISTRIES), "default": "keras",
                          "description": "keras (default) or pytorch: which layer names and counts apply"},
            "input": {"type": "object", "additionalProperties": False, "required": ["shape"],
                      "properties": {"shape": {**SHAPE, "minItems": 1,
                                               "description": "without the batch axis; null is a variable size"},
                                     "name": {"type": "string", "default": "input_layer"},
                                     "dtype": {"enum": list(INPUT_DTYPES), "default": "float32"}}},
            "inputs": {"type": "array", "minItems": 1, "description": "several inputs (a graph)",
                       "items": {"type": "object", "additionalProperties": False, "required": ["shape"],
                                 "properties": {"shape": {**SHAPE, "minItems": 1}, "name": {"type": "string"},
                                                "dtype": {"enum": list(INPUT_DTYPES)}}}},
            "outputs": {**REFS, "description": "the model's outputs; default: the last entry's output(s)"},
            "batch_size": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
            "layers": {"type": "array", "minItems": 1, "items": {"type": "object"}},
            "expect": {"type": "object", "additionalProperties": False,
                       "properties": {k: SHAPES if k == "output_shape" else SIZE for k in MODEL_EXPECT}},
        },
        "allOf": [keras_default, *dialects],
        "definitions": definitions,
    }
