"""The layer registries: type name → its `LayerType`, one registry per dialect.

Each layer type is one class in one module of this package (its family:
`recurrent`, `core`, `conv`, ...), named as the framework names it. The
tables below say which module declares each type, so that a spec imports
only the families it uses: start-up stays at the interpreter's floor
however many types there are. A `Registry` is a read-only mapping that
imports a family the first time one of its types is asked for; iterating
over its names imports nothing, over its values imports every family.

Adding a layer type means writing one class in one module of this package
and listing it here (with its aliases: tests/test_registry.py holds these
tables equal to the classes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from lstmcalc.layers.base import Formula, LayerType, WeightSpec


class Registry(Mapping):
    """Type name → `LayerType`, importing a type's module when the type is first asked for.

    `modules` maps each type name to the module of this package that declares
    its class (a class of the same name); `aliases` maps the other names the
    framework exports for a class to its type name (`MaxPool1D`: `MaxPooling1D`).
    Iteration follows the order of `modules`.
    """

    def __init__(self, modules: dict[str, str], aliases: dict[str, str] | None = None):
        self.modules = modules
        self.aliases = aliases or {}
        self._types: dict[str, LayerType] = {}
        # every name and alias in lower case: the contract ignores the case of a type name
        self._lowered = {n.lower(): n for n in modules} | {a.lower(): n for a, n in self.aliases.items()}

    def __getitem__(self, name: str) -> LayerType:
        t = self._types.get(name)
        if t is None:
            module = import_module(f"{__name__}.{self.modules[name]}")
            t = self._types[name] = getattr(module, name)()
        return t

    def __iter__(self) -> Iterator[str]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)

    def find(self, type_name: str) -> LayerType | None:
        """The type with this name or alias, in any case; None if there is none."""
        name = self._lowered.get(type_name.lower())
        return None if name is None else self[name]


KERAS = Registry(
    {
        "LSTM": "recurrent", "GRU": "recurrent", "SimpleRNN": "recurrent", "CuDNNLSTM": "recurrent",
        "RNN": "rnn_cells", "ConvLSTM1D": "conv_lstm", "ConvLSTM2D": "conv_lstm",
        "Bidirectional": "wrappers", "TimeDistributed": "wrappers",
        "Dense": "core", "Embedding": "core", "Dropout": "core", "SpatialDropout1D": "core", "GaussianNoise": "core",
        "Activation": "core", "Masking": "core",
        "Flatten": "reshaping", "Reshape": "reshaping", "Permute": "reshaping", "RepeatVector": "reshaping",
        "Conv1D": "conv", "MaxPooling1D": "conv", "AveragePooling1D": "conv", "GlobalMaxPooling1D": "conv",
        "GlobalAveragePooling1D": "conv",
        "SeparableConv1D": "conv1d_variants", "DepthwiseConv1D": "conv1d_variants",
        "Conv1DTranspose": "conv1d_variants",
        "Conv2D": "conv2d", "MaxPooling2D": "conv2d", "AveragePooling2D": "conv2d", "GlobalAveragePooling2D": "conv2d",
        "GlobalMaxPooling2D": "conv2d",
        "BatchNormalization": "normalization", "LayerNormalization": "normalization",
        "Concatenate": "merge", "Add": "merge", "Subtract": "merge", "Multiply": "merge", "Average": "merge",
        "Maximum": "merge", "Minimum": "merge", "Dot": "merge",
        "Attention": "attention", "AdditiveAttention": "attention", "MultiHeadAttention": "attention_multihead",
        "GroupedQueryAttention": "attention_multihead",
        # issue 13: activations, noise and regularisation, normalisation, 1-D reshaping
        "ReLU": "activations", "LeakyReLU": "activations", "PReLU": "activations", "ELU": "activations",
        "Softmax": "activations", "Identity": "core", "GaussianDropout": "core", "AlphaDropout": "core",
        "ActivityRegularization": "core", "SpatialDropout2D": "core", "UnitNormalization": "normalization",
        "GroupNormalization": "normalization", "RMSNormalization": "normalization",
        "UpSampling1D": "reshaping", "ZeroPadding1D": "reshaping", "Cropping1D": "reshaping", "CuDNNGRU": "recurrent",
    },
    aliases={
        "Convolution1D": "Conv1D", "MaxPool1D": "MaxPooling1D", "AvgPool1D": "AveragePooling1D",
        "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalAvgPool1D": "GlobalAveragePooling1D",
        "SeparableConvolution1D": "SeparableConv1D", "Convolution1DTranspose": "Conv1DTranspose",
        "Convolution2D": "Conv2D", "MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D",
        "GlobalMaxPool2D": "GlobalMaxPooling2D", "GlobalAvgPool2D": "GlobalAveragePooling2D",
        "GroupQueryAttention": "GroupedQueryAttention",
    },
)

# torch.nn modules (and lstmcalc's pseudo steps LastTimestep, HiddenState, Transpose, Unsqueeze, View ...)
PYTORCH = Registry({
    "LSTM": "recurrent_torch", "GRU": "recurrent_torch", "RNN": "recurrent_torch", "LSTMCell": "recurrent_torch",
    "GRUCell": "recurrent_torch", "RNNCell": "recurrent_torch",
    "Linear": "core_torch", "Embedding": "core_torch", "Conv1d": "conv_torch", "Conv2d": "conv2d_torch",
    "LayerNorm": "normalization_torch", "BatchNorm1d": "normalization_torch", "Dropout": "core_torch",
    "Flatten": "core_torch", "ReLU": "core_torch", "Tanh": "core_torch", "Sigmoid": "core_torch",
    "Softmax": "core_torch", "LastTimestep": "reshaping_torch", "HiddenState": "reshaping_torch",
    "Transpose": "reshaping_torch", "Unsqueeze": "reshaping_torch",
    "Cat": "merge_torch", "Add": "merge_torch", "MultiheadAttention": "attention_torch",
    "TransformerEncoderLayer": "transformer_torch", "TransformerEncoder": "transformer_torch",
    "TransformerDecoderLayer": "transformer_torch", "TransformerDecoder": "transformer_torch",
    "Transformer": "transformer_torch",
    "GELU": "core_torch", "LeakyReLU": "core_torch", "ELU": "core_torch", "PReLU": "core_torch",
    "Identity": "core_torch", "MaxPool1d": "conv_torch", "AvgPool1d": "conv_torch",
    "AdaptiveAvgPool1d": "conv_torch", "AdaptiveMaxPool1d": "conv_torch",
    # pseudo steps of the PyTorch source reader (tensor methods between modules)
    "View": "tensor_ops_torch", "Permute": "tensor_ops_torch", "Select": "tensor_ops_torch",
    "Mean": "tensor_ops_torch", "Scale": "tensor_ops_torch", "LogSoftmax": "core_torch",
    "MaxPool2d": "conv2d_torch", "AvgPool2d": "conv2d_torch", "AdaptiveAvgPool2d": "conv2d_torch",
    "AdaptiveMaxPool2d": "conv2d_torch", "Unflatten": "reshaping_torch",
})

REGISTRIES: dict[str, Registry] = {"keras": KERAS, "pytorch": PYTORCH}

# A dialect whose input layout or pseudo steps need the whole chain: a module
# with `batch_axis(layers, rank) -> int` and `resolve(layers) -> layers`, imported
# only for a spec in that dialect.
DIALECTS = {"pytorch": f"{__name__}.pytorch"}


def batch_axis(framework: str, layers, rank: int | None = None) -> int:
    """Where the batch axis sits in the model's input of `rank` axes (0 unless the dialect says otherwise)."""
    dialect = DIALECTS.get(framework)
    return import_module(dialect).batch_axis(layers, rank) if dialect else 0


def resolve(framework: str, layers) -> tuple:
    """The layer specs with what each takes from the layers before it filled in."""
    dialect = DIALECTS.get(framework)
    return import_module(dialect).resolve(layers) if dialect else tuple(layers)


def lookup(registry: Mapping[str, LayerType], type_name: str) -> LayerType | None:
    """Find a type by its name or an alias (`MaxPool1D` is `MaxPooling1D`, as
    in Keras), ignoring case as the contract says (`lstm`, `Conv1d` ...)."""
    if isinstance(registry, Registry):
        return registry.find(type_name)
    return _lowered(id(registry), registry).get(type_name.lower())


_LOWERED: dict[int, dict[str, LayerType]] = {}


def _lowered(key: int, registry: Mapping[str, LayerType]) -> dict[str, LayerType]:
    """Every name and alias of a plain dict of types (RNN's cells) in lower case, built once per registry."""
    if key not in _LOWERED:
        _LOWERED[key] = {n.lower(): t for k, t in registry.items() for n in (k, *t.aliases)}
    return _LOWERED[key]


__all__ = ["KERAS", "PYTORCH", "REGISTRIES", "Registry", "batch_axis", "resolve", "Formula", "LayerType",
           "WeightSpec", "lookup"]
