"""Finished values for the summary: rows, totals and sizes, ready to print.

`summary_rows` and `summary_dict` compute everything a renderer shows; the
renderers (`render.py`, `render_rich.py`) only lay it out.
"""

from __future__ import annotations

from lstmcalc.graph.build import FLOAT32_BYTES, INPUT, LayerRecord, Model
from lstmcalc.record import Record
from lstmcalc.shapes import fmt_shape

COLUMNS = {
    "shape": "Output Shape",
    "params": "Param #",
    "trainable": "Trainable",
    "macs": "Mult-Adds",
    "memory": "Output Size",
    "connected": "Connected to",
}
DEFAULT_COLUMNS = ("shape", "params")


class Row(Record):
    """One row of the summary table, as the renderers print it (shapes with the batch axis)."""

    __slots__ = ("name", "type", "depth", "output_shape", "params", "trainable_params", "macs", "output_bytes",
                 "connected_to")

    def __init__(
        self,
        name: str,
        type: str,
        depth: int,
        output_shape: tuple,
        params: int,
        trainable_params: int,
        macs: int | None,
        output_bytes: int | None,  # activation memory of this layer's output for the batch
        connected_to: tuple[str, ...] = (),  # Keras's "Connected to" cells (a graph's rows)
    ):
        self.name = name
        self.type = type
        self.depth = depth
        self.output_shape = output_shape
        self.params = params
        self.trainable_params = trainable_params
        self.macs = macs
        self.output_bytes = output_bytes
        self.connected_to = connected_to

    @property
    def label(self) -> str:
        return f"{self.name} ({self.type})"

    def cell(self, column: str) -> str:
        if column == "shape":
            return fmt_shape(self.output_shape)
        if column == "params":
            return f"{self.params:,}"
        if column == "trainable":
            return f"{self.trainable_params:,}"
        if column == "macs":
            return "?" if self.macs is None else f"{self.macs:,}"
        if column == "memory":
            return "?" if self.output_bytes is None else readable_size(self.output_bytes)
        if column == "connected":
            return "\n".join(self.connected_to) or ("-" if self.depth == 0 else "")
        raise KeyError(column)


def readable_size(n: float) -> str:
    """Keras 3's readable_memory_size: 1024-based, two decimals (exact for sizes past floating point)."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024:
            return f"{n:.2f} {unit}"
        n = n / 1024 if n < 2**1000 else n // 1024
    return f"{n:.2f} EB" if n < 2**1000 else f"{int(n):,} EB"


def batch_of(model: Model, batch: int | None) -> int:
    first = model.input_records[0]
    return batch or first.output_shape[first.args.get("batch_axis", 0)] or 1


def _row(r: LayerRecord, depth: int, batch: int) -> Row:
    size = r.output_size()
    calls = max(1, len(r.nodes))  # a shared layer computes once per call
    return Row(r.name, r.display_type, depth, r.output_shape, *r.param_counts(),
               None if r.macs is None else r.macs * calls, None if size is None else size * batch * FLOAT32_BYTES,
               r.connected_to if depth == 0 else ())


def columns_for(model: Model, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns to show: Keras adds "Connected to" for a graph that is not a plain chain."""
    if model.show_connections and "connected" not in columns:
        return (*columns, "connected")
    return columns


def summary_rows(model: Model, expand: bool = False, batch: int | None = None) -> list[Row]:
    b = batch_of(model, batch)
    rows = []

    def walk(r: LayerRecord, depth: int):
        rows.append(_row(r, depth, b))
        if expand:
            for child in r.children:
                walk(child, depth + 1)

    for r in model.layers:
        walk(r, 0)
    return rows


def total_macs(model: Model) -> int | None:
    """Multiply-adds of one sample through the model (None if a size is variable)."""
    total = 0
    for r in model.layers:
        if r.macs is None:
            return None
        total += r.macs * (len(r.nodes) or 1)  # a shared layer computes once per call
    return total


def mult_adds(model: Model, batch: int | None = None) -> int | None:
    """Multiply-adds of one forward pass over the batch (None if a size is variable)."""
    macs = total_macs(model)
    return None if macs is None else macs * batch_of(model, batch)


def totals(model: Model, batch: int | None = None) -> dict:
    """The totals block: parameters, their float32 size, and the cost figures."""
    b = batch_of(model, batch)
    sizes = [r.output_size() for r in model.layers if r.type is not INPUT]
    input_sizes = [r.output_size() for r in model.input_records]
    forward = None if None in sizes else sum(sizes) * b * FLOAT32_BYTES
    inp = None if None in input_sizes else sum(input_sizes) * b * FLOAT32_BYTES
    params_bytes = model.total_params * FLOAT32_BYTES
    return {
        "total_params": model.total_params,
        "trainable_params": model.trainable_params,
        "non_trainable_params": model.non_trainable_params,
        "total_bytes": params_bytes,
        "trainable_bytes": model.trainable_params * FLOAT32_BYTES,
        "non_trainable_bytes": model.non_trainable_params * FLOAT32_BYTES,
        "batch_size": b,
        "mult_adds": mult_adds(model, batch),
        "input_bytes": inp,
        "forward_bytes": forward,
        "estimated_total_bytes": None if inp is None or forward is None else inp + forward + params_bytes,
    }


def param_lines(t: dict) -> list[str]:
    return [
        f"Total params: {t['total_params']:,} ({readable_size(t['total_bytes'])})",
        f"Trainable params: {t['trainable_params']:,} ({readable_size(t['trainable_bytes'])})",
        f"Non-trainable params: {t['non_trainable_params']:,} ({readable_size(t['non_trainable_bytes'])})",
    ]


def cost_lines(t: dict) -> list[str]:
    def size(v):
        return "unknown (a variable size)" if v is None else readable_size(v)

    macs = "unknown (a variable size)" if t["mult_adds"] is None else f"{t['mult_adds']:,}"
    return [
        f"Total mult-adds (batch {t['batch_size']}): {macs}",
        f"Input size: {size(t['input_bytes'])}",
        f"Forward pass size (layer outputs): {size(t['forward_bytes'])}",
        f"Params size: {readable_size(t['total_bytes'])}",
        f"Estimated total size: {size(t['estimated_total_bytes'])}",
    ]


def _row_dict(r: LayerRecord, graph: bool = False) -> dict:
    params, trainable = r.param_counts()
    d = {
        "name": r.name,
        "type": r.type.name,
        "output_shape": list(r.output_shape),
        "params": params,
        "trainable_params": trainable,
        "non_trainable_params": params - trainable,
        "macs": r.macs,
        "inbound": list(r.inbound),
    }
    if graph:
        d["connected_to"] = list(r.connected_to)
    if r.children:
        d["wrapped"] = [{"role": c.role, **_row_dict(c)} for c in r.children]
    return d


def summary_dict(model: Model, batch: int | None = None) -> dict:
    """Contract section 3, plus a few added keys; a graph (section 7) adds `inputs`, `outputs` and
    each row's `connected_to`."""
    graph = model.spec.functional
    layers = [_row_dict(r, graph) for r in model.layers]
    # Model.total_params and trainable_params, summed from the rows: one pass over the weights, not three
    total = sum(row["params"] for row in layers)
    trainable = sum(row["trainable_params"] for row in layers)
    out = {
        "name": model.name,
        "framework": model.framework,
        "layers": layers,
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": total - trainable,
        "params_bytes": total * FLOAT32_BYTES,  # the totals() figures this section shows
        "mult_adds": mult_adds(model, batch),  # (not the memory sizes, which cost a pass over every shape)
    }
    if graph:
        out["inputs"] = list(model.inputs)
        out["outputs"] = [t.cell() for t in model.outputs]
    return out
