"""Sources in: every format a model arrives in becomes one validated `ModelSpec`.

`yaml_text` reads YAML with a line and column for every value; `spec` validates
a spec against the contract and the layer registry; `schema` is the JSON Schema
of the spec format, generated from the same registry.
"""
