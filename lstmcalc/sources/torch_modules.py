"""A live torch `nn.Module` → a PyTorch-dialect chain, through `named_modules()`.

Only the module objects' attributes are read (torch itself is never imported
by lstmcalc): the leaf modules, in registration order, become the layers of a
`framework: pytorch` spec. This is the order `forward` usually runs them in;
a module whose forward is not a chain needs a spec written as a graph.
"""

from __future__ import annotations

from lstmcalc.errors import Problem, SpecError

ATTRS = {
    "LSTM": ("hidden_size", "num_layers", "bias", "bidirectional", "proj_size", "dropout"),
    "GRU": ("hidden_size", "num_layers", "bias", "bidirectional", "dropout"),
    "RNN": ("hidden_size", "num_layers", "bias", "bidirectional", "nonlinearity", "dropout"),
    "Linear": ("out_features",),
    "Embedding": ("num_embeddings", "embedding_dim", "padding_idx"),
    "Conv1d": ("out_channels", "kernel_size", "stride", "padding", "dilation", "groups"),
    "LayerNorm": ("normalized_shape", "eps", "elementwise_affine"),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "Dropout": ("p",),
    "Flatten": ("start_dim", "end_dim"),
}


def to_document(module, input_shape) -> dict:
    layers = []
    for name, sub in module.named_modules():
        if not name or any(True for _ in sub.children()):
            continue
        cls = type(sub).__name__
        if cls not in ATTRS:
            raise SpecError(Problem(f"module '{name}' is a {cls}, which lstmcalc does not read",
                                    file=f"<{type(module).__name__}>",
                                    hint="known: " + ", ".join(ATTRS)))
        entry = {"type": cls, "name": name.replace(".", "_")}
        for attr in ATTRS[cls]:
            value = getattr(sub, attr, None)
            if isinstance(value, tuple):
                value = list(value) if len(value) != 1 else value[0]
            if value is not None:
                entry[attr] = value
        if cls in ("LSTM", "GRU", "RNN"):
            entry["batch_first"] = bool(getattr(sub, "batch_first", False))
            if entry.get("proj_size") == 0:
                entry.pop("proj_size")
        layers.append(entry)
    if not layers:
        raise SpecError(Problem("the module has no layers", file=f"<{type(module).__name__}>"))
    return {"framework": "pytorch", "input": {"shape": list(input_shape)}, "layers": layers}
