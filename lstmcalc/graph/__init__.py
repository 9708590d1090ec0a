"""The model as a graph: a `ModelSpec` becomes a `Model` of frozen layer records.

References between layers, nodes (one per call), the topological order and
the records that every command reads live here.
"""
