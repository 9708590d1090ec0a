"""Writing a model for the frameworks: Keras and PyTorch code, the other dialect's spec, converted weights.

`translate` turns a model into the other dialect's spec, layer by layer, from
what each layer type declares (`to_pytorch` / `to_keras`); `keras_code` and
`pytorch_code` write a module from a model of their own dialect; `weights`
converts weights along the same translation.
"""
