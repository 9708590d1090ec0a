"""Every layer class Keras 3.15 exports, so that an unknown type is told apart
from a typo: a spec naming a Keras class that lstmcalc does not model is
refused saying so (and why, for Lambda and the preprocessing layers), never
with a "did you mean" pointing at an unrelated type.

The lists are enumerated from the real package by goldens/gen_keras.py
(`keras_names.layer_classes` in goldens/keras_summary.json);
tests/test_keras_names.py holds them equal to it.
"""

from __future__ import annotations

# keras.layers exports these (module keras.src.layers.preprocessing): their output depends on data they are
# adapted to, on strings, or on random augmentation, not on weights that a shape calculator counts
PREPROCESSING = (
    "AugMix", "AutoContrast", "CategoryEncoding", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix", "Discretization", "Equalization", "HashedCrossing", "Hashing", "IntegerLookup", "MaxNumBoundingBoxes",
    "MelSpectrogram", "MixUp", "Normalization", "Pipeline", "RandAugment", "RandomBrightness",
    "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop", "RandomElasticTransform",
    "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
    "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness",
    "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing", "STFTSpectrogram", "Solarization",
    "StringLookup", "TextVectorization",
)
# every other layer class keras.layers exports, aliases included
LAYERS = (
    "Activation", "ActivityRegularization", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "Add",
    "AdditiveAttention", "AlphaDropout", "Attention", "Average", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "BatchNormalization", "Bidirectional", "Concatenate",
    "Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "ConvLSTM1D",
    "ConvLSTM2D", "ConvLSTM3D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
    "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "Cropping1D", "Cropping2D", "Cropping3D",
    "Dense", "DepthwiseConv1D", "DepthwiseConv2D", "Dot", "Dropout", "ELU", "EinsumDense", "Embedding", "Flatten",
    "FlaxLayer", "GRU", "GRUCell", "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalMaxPooling3D", "GroupNormalization", "GroupQueryAttention", "Identity", "InputLayer", "JaxLayer", "LSTM",
    "LSTMCell", "Lambda", "Layer", "LayerNormalization", "LeakyReLU", "Masking", "MaxPool1D", "MaxPool2D",
    "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "MultiHeadAttention",
    "Multiply", "PReLU", "Permute", "RMSNormalization", "RNN", "ReLU", "RepeatVector", "Reshape",
    "ReversibleEmbedding", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
    "SimpleRNN", "SimpleRNNCell", "Softmax", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "SpectralNormalization", "StackedRNNCells", "Subtract", "TFSMLayer", "TimeDistributed", "TorchModuleWrapper",
    "UnitNormalization", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Wrapper", "ZeroPadding1D",
    "ZeroPadding2D", "ZeroPadding3D",
)
# class names that are not exported under their own name (keras.layers.GroupQueryAttention)
CLASS_NAMES = ("GroupedQueryAttention",)

LAMBDA = ("Lambda runs arbitrary Python; lstmcalc cannot know its output shape",
          "replace it with the layers it computes, or a Reshape/Activation that gives the same shape")
WRAPS_CODE = "wraps code from outside Keras (a saved TensorFlow model, a torch module, a JAX function)"
# (message, fix) for the classes that are not ordinary layers
SPECIAL = {
    "Lambda": LAMBDA,
    "InputLayer": ("InputLayer is written as input: in a spec, not as a layer",
                   "move its shape to input: {shape: [...]} (without the batch axis)"),
    "Layer": ("Layer is Keras's base class: a subclass's shapes and weights are in its Python code",
              "write the layers its build and call create"),
    "Wrapper": ("Wrapper is Keras's base class of the wrappers", "use Bidirectional or TimeDistributed"),
    **{name: (f"{name} {WRAPS_CODE}; lstmcalc cannot see inside it",
              "write the layers it computes, or summarise the model with the framework itself")
       for name in ("TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer")},
}
# Keras 1/2 names Keras 3 no longer has (CuDNNLSTM and CuDNNGRU are modelled as Keras 2 counted them)
KERAS2 = {
    "ThresholdedReLU": ("ThresholdedReLU is Keras 2's; Keras 3 removed it",
                        "write {type: ReLU, threshold: θ}: x above θ and 0 below, the same function"),
    "Merge": ("Merge is Keras 1's; Keras 2 and 3 have one layer per merge mode",
              "use Concatenate, Add, Multiply, Average, Maximum or Dot with inputs: [a, b]"),
    "LocallyConnected1D": ("LocallyConnected1D is Keras 2's; Keras 3 removed it and lstmcalc does not model it",
                           "nearest: Conv1D (one kernel shared by every position)"),
    "LocallyConnected2D": ("LocallyConnected2D is Keras 2's; Keras 3 removed it and lstmcalc does not model it",
                           "nearest: Conv2D (one kernel shared by every position)"),
}


def known_names() -> tuple[str, ...]:
    """Every Keras layer class name, preprocessing included, and the Keras 2 names above."""
    return PREPROCESSING + LAYERS + CLASS_NAMES + tuple(KERAS2)


def unmodelled(type_name: str) -> tuple[str, str] | None:
    """(message, fix) when type_name is a Keras class that lstmcalc does not model; None otherwise."""
    exact = {n.lower(): n for n in known_names()}.get(type_name.lower())
    if exact is None:
        return None
    if exact in SPECIAL:
        return SPECIAL[exact]
    if exact in KERAS2:
        return KERAS2[exact]
    if exact in PREPROCESSING:
        return (f"{exact} is a Keras preprocessing layer: what it outputs depends on the data it is adapted to "
                "(or on strings, or random augmentation), not on weights that lstmcalc counts",
                "preprocess the data before the model and start the spec at the preprocessed input "
                "(token ids for Embedding: input dtype int32)")
    return (f"Keras has {exact}; lstmcalc does not model it yet",
            "summarise this model with Keras's model.summary(), or replace the layer by types lstmcalc models "
            "(lstmcalc schema lists them)")
