"""Keras vs PyTorch, layer by layer: the same model's counts in the other framework.

`compare(model)` returns one `CompareRow` per layer of a spec in either
dialect: its count, the equivalent layer or module of the other framework
with that one's count, and a one-line reason for any difference (two bias
vectors per gate set, GRU's reset_after, BatchNormalization's moving
statistics...). Where the other framework has no equivalent, the row says so
and its count is None. `render.text.compare_grid` lays the rows out.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstmcalc.graph.build import INPUT, LayerRecord, Model

OTHER = {"keras": "pytorch", "pytorch": "keras"}
LABEL = {"keras": "Keras", "pytorch": "PyTorch"}

# Keras layers without weights: (PyTorch equivalent, reason); None: no equivalent
KERAS_NO_WEIGHTS = {
    "Dropout": ("nn.Dropout", "no weights"),
    "SpatialDropout1D": ("nn.Dropout1d (channels first)", "no weights"),
    "GaussianNoise": (None, "no module: add torch.randn_like(x) * stddev while training"),
    "Activation": ("nn.<activation> (nn.ReLU, nn.Tanh, ...)", "no weights"),
    "Masking": (None, "no module: torch skips padding with pack_padded_sequence"),
    "Flatten": ("nn.Flatten", "no weights"),
    "Reshape": ("nn.Unflatten / x.reshape", "no weights"),
    "Permute": ("x.permute", "no weights"),
    "RepeatVector": (None, "no module: x.unsqueeze(1).repeat(1, n, 1)"),
    "MaxPooling1D": ("nn.MaxPool1d (channels first)", "no weights"),
    "AveragePooling1D": ("nn.AvgPool1d (channels first)", "no weights"),
    "GlobalMaxPooling1D": ("nn.AdaptiveMaxPool1d(1) + flatten", "no weights"),
    "GlobalAveragePooling1D": ("nn.AdaptiveAvgPool1d(1) + flatten", "no weights"),
}
TORCH_RECURRENT = {"LSTM": "nn.LSTM", "GRU": "nn.GRU", "SimpleRNN": "nn.RNN"}


@dataclass(frozen=True)
class CompareRow:
    name: str
    type: str  # as the spec's framework shows it
    params: int
    other_type: str  # the other framework's equivalent, or "no equivalent"
    other_params: int | None  # None: no equivalent
    reason: str

    @property
    def differs(self) -> bool:
        return self.other_params != self.params


@dataclass(frozen=True)
class Comparison:
    title: str
    framework: str
    other: str
    rows: tuple[CompareRow, ...]

    @property
    def total(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def other_total(self) -> int:
        return sum(r.other_params or 0 for r in self.rows)

    @property
    def complete(self) -> bool:
        """Does every layer have an equivalent in the other framework?"""
        return all(r.other_params is not None for r in self.rows)

    def as_dict(self) -> dict:
        return {"name": self.title, "framework": self.framework, "other": self.other,
                "layers": [{"name": r.name, "type": r.type, "params": r.params, "other_type": r.other_type,
                            "other_params": r.other_params, "reason": r.reason} for r in self.rows],
                "total_params": self.total, "other_total_params": self.other_total, "complete": self.complete}


# -- Keras → PyTorch ---------------------------------------------------------------


def _keras_recurrent(r: LayerRecord) -> tuple[str, int, str]:
    t, a, s = r.type, r.args, r.input_shape
    f, u = s[2], a.units
    module = f"{TORCH_RECURRENT[t.name]}({f}, {u}, batch_first=True)"
    if not a.return_sequences:
        module += " + out[:, -1]"
    torch = t.torch_params(a, s)
    if not a.use_bias:
        reason = "same count: no biases on either side"
    elif t.name == "GRU" and a.reset_after:
        reason = "same count: reset_after=True keeps two bias vectors, as PyTorch's b_ih and b_hh"
    elif t.name == "GRU":
        reason = (f"reset_after=False keeps one bias; nn.GRU is always reset_after-style with b_ih and b_hh "
                  f"(+{3 * u:,}), and applies r after the product")
    else:
        reason = (f"double bias: PyTorch keeps b_ih and b_hh where Keras keeps one bias "
                  f"(+{t.gates} × {u} = {t.gates * u:,})")
    return module, torch, reason


def _keras_row(r: LayerRecord) -> tuple[str, int | None, str]:
    t, a = r.type, r.args
    if hasattr(t, "torch_equivalent"):
        return t.torch_equivalent(r)
    if t.name in TORCH_RECURRENT:
        return _keras_recurrent(r)
    if t.name == "Bidirectional":
        child = r.children[0]
        if hasattr(child.type, "torch_equivalent"):  # RNN over cells
            module, per, reason = child.type.torch_equivalent(child)
            if per is None or "num_layers" in module:
                return module, None, reason if per is None else "stacked cells: torch's second layer reads both " \
                    "directions of the first, Keras's stacks run apart"
        else:
            module, per, reason = _keras_recurrent(child)
        module = module.replace("batch_first=True", "batch_first=True, bidirectional=True")
        if not child.args.return_sequences:  # out[:, -1]'s backward half has seen only the last step
            last = {"concat": "torch.cat([h_n[-2], h_n[-1]], -1)", "sum": "h_n[-2] + h_n[-1]"}
            module = module.replace("out[:, -1]", last.get(a.merge_mode, "h_n[-2], h_n[-1]"))
        if a.merge_mode != "concat":
            return (module, 2 * per,
                    f"{reason}; torch always concatenates the directions: merge_mode {a.merge_mode} is x-side code")
        return module, 2 * per, reason + " (both directions)"
    if t.name == "TimeDistributed":
        other, count, reason = _keras_row(r.children[0])
        return other, count, f"{reason}; torch modules act on the last axis without a wrapper"
    if t.name == "Dense":
        return f"nn.Linear({r.input_shape[-1]}, {a.units})", r.params, "same count: weight = kernelᵀ"
    if t.name == "Embedding":
        return f"nn.Embedding({a.input_dim}, {a.output_dim})", r.params, "same table"
    if t.name == "Conv1D":
        padding = "" if a.padding != "causal" else "; causal padding: pad the left side by hand"
        return ("nn.Conv1d (channels first)", r.params,
                f"same count: weight = kernel.permute(2, 1, 0){padding}")
    if t.name == "BatchNormalization":
        c = r.params - r.non_trainable_params
        return ("nn.BatchNorm1d (channels at axis 1)", c,
                f"moving_mean and moving_variance ({r.non_trainable_params:,}) are buffers in PyTorch, "
                "not parameters")
    if t.name == "LayerNormalization":
        if a.rms_scaling:
            return "nn.RMSNorm", r.params, "rms_scaling is RMSNorm"
        return "nn.LayerNorm", r.params, "same count: weight = gamma, bias = beta"
    other, reason = KERAS_NO_WEIGHTS.get(t.name, (None, "no PyTorch equivalent known to lstmcalc"))
    return (other or "no equivalent"), (0 if other else None), reason


# -- PyTorch → Keras ------------------------------------------------------------------


def _torch_row(r: LayerRecord) -> tuple[str, int | None, str]:
    other, count, reason = r.type.keras_equivalent(r.args, r.input_shape, r.output_shape)
    return (other if count is not None else f"no equivalent ({other})"), count, reason


def compare(model: Model) -> Comparison:
    """The model's layers with their counts in the other framework."""
    row_of = _torch_row if model.framework == "pytorch" else _keras_row
    rows = []
    for r in model.layers:
        if r.type is INPUT:
            continue
        other, count, reason = row_of(r)
        rows.append(CompareRow(r.name, r.display_type, r.params, other, count, reason))
    return Comparison(model.name or "model", model.framework, OTHER[model.framework], tuple(rows))
