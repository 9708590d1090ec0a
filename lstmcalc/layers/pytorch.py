"""The PyTorch dialect (`framework: pytorch`): torch.nn modules as layer types.

Arguments have torch's names and defaults; weights are the `state_dict`
tensors with their names and layouts (`weight_ih_l0` (4h, in), `bias_hh_l0`,
`weight_hr_l0`, `..._reverse`); parameter counts are torch's
(`sum(p.numel() for p in m.parameters())`, buffers excluded).

Shapes follow torch's conventions: a recurrent module with `batch_first:
false` (torch's default) reads (L, N, H_in), so the model's input puts the
batch axis second when the first module that cares is such a module
(`batch_axis`); Conv1d reads channels first, (N, C, L). The input width of
a module (`input_size`, `in_features`, `in_channels`, `num_features`) is
inferred from the incoming shape; if written it must match.

Three pseudo steps turn the tuple-returning recurrent modules into a chain:
`LastTimestep` (out[:, -1] or out[-1]), `HiddenState` (h_n[i] or c_n[i]) and
`Transpose` (x.transpose(d0, d1)). `resolve` fills in what they take from
the recurrent module before them.

The modules are declared in the `*_torch` families and listed in the
registry `lstmcalc.layers.PYTORCH`; this module holds what the dialect
decides over the whole chain, imported only for a PyTorch spec.
"""

from __future__ import annotations

from lstmcalc.layers.recurrent_torch import TorchRecurrent

# modules that act on the last axes or elementwise: they do not decide where the batch axis is
# (Cat and Add take whatever layout their inputs have)
LAYOUT_NEUTRAL = ("Embedding", "Linear", "Dropout", "ReLU", "Tanh", "Sigmoid", "Softmax", "LayerNorm", "Cat", "Add",
                  "GELU", "LeakyReLU", "ELU", "Identity")


def batch_axis(layers, rank: int | None = None) -> int:
    """Where the batch axis goes in the model's input (of `rank` axes, batch included): where the first
    module that cares wants it (second for a recurrent module or Transformer without batch_first, else
    first), traced back through the `Permute`/`Transpose` steps before that module (a Conv1d front end
    on seq-first data: `self.conv(x.permute(1, 2, 0))`)."""
    for candidate in (0, 1):
        at = candidate  # where the batch axis is after the steps so far, if the input has it at `candidate`
        for spec in layers:
            wanted = _wanted_axis(spec)
            if wanted is not None:
                if at == wanted:
                    return candidate
                break
            at = _moved(spec, at, rank)
            if at is None:
                break
    return 0


def _wanted_axis(spec) -> int | None:
    """The batch axis a module reads its input with; None for a step that does not decide."""
    if isinstance(spec.type, TorchRecurrent):
        return 0 if spec.args.batch_first else 1
    if hasattr(spec.type, "batch_first_of"):  # the attention modules and Transformer encoders
        return 0 if spec.type.batch_first_of(spec.args) else 1
    if spec.type.name in LAYOUT_NEUTRAL or spec.type.name in ("Permute", "Transpose"):
        return None
    return 0


def _moved(spec, at: int, rank: int | None) -> int | None:
    """Where an axis at `at` goes through a Permute or Transpose step (None: cannot tell)."""
    def norm(d):
        return d if d >= 0 else (d + rank if rank else None)

    if spec.type.name == "Permute":
        dims = [norm(d) for d in spec.args.dims]
        return dims.index(at) if at in dims else None
    if spec.type.name == "Transpose":
        d0, d1 = norm(spec.args.dim0), norm(spec.args.dim1)
        return d1 if at == d0 else d0 if at == d1 else at
    return at


def resolve(layers) -> tuple:
    """Fill in what the pseudo steps take from the recurrent module before them."""
    out, last = [], None
    for spec in layers:
        if spec.type.name == "LastTimestep" and spec.args.batch_first is None:
            first = last.args.batch_first if last is not None else True
            spec = spec._replace(args=spec.args.replace(batch_first=first))
        elif spec.type.name == "HiddenState" and spec.inputs is not None:
            spec = spec._replace(args=spec.args.replace(source="tensor"))  # inputs: 'lstm[1]' names h_n itself
        elif spec.type.name == "HiddenState":
            prev = out[-1] if out else None
            source = (prev.type, prev.args) if prev is not None and isinstance(prev.type, TorchRecurrent) else None
            spec = spec._replace(args=spec.args.replace(source=source))
        if isinstance(spec.type, TorchRecurrent):
            last = spec
        out.append(spec)
    return tuple(out)
