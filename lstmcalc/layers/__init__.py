"""The layer registry: a plain dict from type name to its `LayerType`.

Adding a layer type means writing one class in one module of this package
and listing it here.
"""

from __future__ import annotations

from lstmcalc.layers import pytorch
from lstmcalc.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from lstmcalc.layers.attention import AdditiveAttention, Attention
from lstmcalc.layers.attention_multihead import GroupedQueryAttention, MultiHeadAttention
from lstmcalc.layers.base import Formula, LayerType, WeightSpec
from lstmcalc.layers.conv import (
    AveragePooling1D,
    Conv1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from lstmcalc.layers.conv1d_variants import Conv1DTranspose, DepthwiseConv1D, SeparableConv1D
from lstmcalc.layers.conv2d import (
    AveragePooling2D,
    Conv2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from lstmcalc.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D
from lstmcalc.layers.core import (
    Activation,
    ActivityRegularization,
    AlphaDropout,
    Dense,
    Dropout,
    Embedding,
    GaussianDropout,
    GaussianNoise,
    Identity,
    Masking,
    SpatialDropout1D,
    SpatialDropout2D,
)
from lstmcalc.layers.merge import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from lstmcalc.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from lstmcalc.layers.pytorch import PYTORCH
from lstmcalc.layers.recurrent import GRU, LSTM, CuDNNGRU, CuDNNLSTM, SimpleRNN
from lstmcalc.layers.reshaping import Cropping1D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D, ZeroPadding1D
from lstmcalc.layers.rnn_cells import RNN
from lstmcalc.layers.wrappers import Bidirectional, TimeDistributed

KERAS: dict[str, LayerType] = {
    t.name: t
    for t in (
        LSTM(), GRU(), SimpleRNN(), CuDNNLSTM(), RNN(), ConvLSTM1D(), ConvLSTM2D(), Bidirectional(), TimeDistributed(),
        Dense(), Embedding(), Dropout(), SpatialDropout1D(), GaussianNoise(), Activation(), Masking(),
        Flatten(), Reshape(), Permute(), RepeatVector(),
        Conv1D(), MaxPooling1D(), AveragePooling1D(), GlobalMaxPooling1D(), GlobalAveragePooling1D(),
        SeparableConv1D(), DepthwiseConv1D(), Conv1DTranspose(),
        Conv2D(), MaxPooling2D(), AveragePooling2D(), GlobalAveragePooling2D(), GlobalMaxPooling2D(),
        BatchNormalization(), LayerNormalization(),
        Concatenate(), Add(), Subtract(), Multiply(), Average(), Maximum(), Minimum(), Dot(),
        Attention(), AdditiveAttention(), MultiHeadAttention(), GroupedQueryAttention(),
        # issue 13: activations, noise and regularisation, normalisation, 1-D reshaping
        ReLU(), LeakyReLU(), PReLU(), ELU(), Softmax(), Identity(), GaussianDropout(), AlphaDropout(),
        ActivityRegularization(), SpatialDropout2D(), UnitNormalization(), GroupNormalization(), RMSNormalization(),
        UpSampling1D(), ZeroPadding1D(), Cropping1D(), CuDNNGRU(),
    )
}

REGISTRIES: dict[str, dict[str, LayerType]] = {"keras": KERAS, "pytorch": PYTORCH}

# A dialect whose input layout or pseudo steps need the whole chain: a module
# with `batch_axis(layers) -> int` and `resolve(layers) -> layers`.
DIALECTS = {"pytorch": pytorch}


def batch_axis(framework: str, layers) -> int:
    """Where the batch axis sits in the model's input (0 unless the dialect says otherwise)."""
    dialect = DIALECTS.get(framework)
    return dialect.batch_axis(layers) if dialect else 0


def resolve(framework: str, layers) -> tuple:
    """The layer specs with what each takes from the layers before it filled in."""
    dialect = DIALECTS.get(framework)
    return dialect.resolve(layers) if dialect else tuple(layers)


def lookup(registry: dict[str, LayerType], type_name: str) -> LayerType | None:
    """Find a type by its name or an alias (`MaxPool1D` is `MaxPooling1D`, as
    in Keras), ignoring case as the contract says (`lstm`, `Conv1d` ...)."""
    return _lowered(id(registry), registry).get(type_name.lower())


_LOWERED: dict[int, dict[str, LayerType]] = {}


def _lowered(key: int, registry: dict[str, LayerType]) -> dict[str, LayerType]:
    """Every name and alias in lower case, built once per registry."""
    if key not in _LOWERED:
        _LOWERED[key] = {n.lower(): t for k, t in registry.items() for n in (k, *t.aliases)}
    return _LOWERED[key]


__all__ = ["KERAS", "PYTORCH", "REGISTRIES", "batch_axis", "resolve", "Formula", "LayerType", "WeightSpec", "lookup"]
