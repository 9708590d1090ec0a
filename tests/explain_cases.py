"""One small spec per layer type and structural variant, for explain's golden texts.

Each case is (name, spec YAML, layer to explain); `test_explain_text.py`
compares `explain --format plain` on it with tests/data/explain/NAME.txt.
"""

from __future__ import annotations


def chain(shape, *layers, framework="keras", batch=None, dtype=None):
    head = f"framework: {framework}\n"
    head += "input: {shape: " + str(shape).replace("None", "null") + (f", dtype: {dtype}" if dtype else "") + "}\n"
    if batch:
        head += f"batch_size: {batch}\n"
    return head + "layers:\n" + "".join(f"  - {layer}\n" for layer in layers)


SEQ = [50, 10]
CASES = [
    # -- Keras recurrent, every structural argument
    ("lstm", chain(SEQ, "{type: LSTM, name: x, units: 128, return_sequences: true}"), "x"),
    ("lstm_last", chain(SEQ, "{type: LSTM, name: x, units: 64}"), "x"),
    ("lstm_return_state", chain(SEQ, "{type: LSTM, name: x, units: 256, return_state: true}"), "x"),
    ("lstm_return_state_sequences",
     chain(SEQ, "{type: LSTM, name: x, units: 16, return_sequences: true, return_state: true}"), "x"),
    ("lstm_go_backwards", chain(SEQ, "{type: LSTM, name: x, units: 8, go_backwards: true}"), "x"),
    ("lstm_null_timesteps", chain([None, 10], "{type: LSTM, name: x, units: 8, return_sequences: true}"), "x"),
    ("lstm_fixed_batch", chain(SEQ, "{type: LSTM, name: x, units: 8, stateful: true}", batch=8), "x"),
    ("lstm_no_bias", chain(SEQ, "{type: LSTM, name: x, units: 8, use_bias: false}"), "x"),
    ("lstm_masked", chain([None, 10], "{type: Masking, name: m}", "{type: LSTM, name: x, units: 8}"), "x"),
    ("gru", chain(SEQ, "{type: GRU, name: x, units: 32}"), "x"),
    ("gru_reset_before", chain(SEQ, "{type: GRU, name: x, units: 32, reset_after: false}"), "x"),
    ("gru_return_state", chain(SEQ, "{type: GRU, name: x, units: 32, return_state: true}"), "x"),
    ("simple_rnn", chain(SEQ, "{type: SimpleRNN, name: x, units: 16, return_sequences: true}"), "x"),
    ("bidirectional",
     chain(SEQ, "{type: Bidirectional, name: x, layer: {type: LSTM, units: 16, return_sequences: true}}"), "x"),
    ("bidirectional_sum",
     chain(SEQ, "{type: Bidirectional, name: x, merge_mode: sum, layer: {type: GRU, units: 16}}"), "x"),
    ("bidirectional_return_state",
     chain(SEQ, "{type: Bidirectional, name: x, layer: {type: LSTM, units: 16, return_state: true}}"), "x"),
    ("time_distributed", chain(SEQ, "{type: TimeDistributed, name: x, layer: {type: Dense, units: 8}}"), "x"),
    ("rnn_lstm_cell", chain(SEQ, "{type: RNN, name: x, cell: {type: LSTMCell, units: 32}, return_sequences: true}"),
     "x"),
    ("rnn_stacked_cells",
     chain(SEQ, "{type: RNN, name: x, return_state: true, cell: [{type: LSTMCell, units: 16}, "
           "{type: GRUCell, units: 8, reset_after: false}]}"), "x"),
    ("conv_lstm1d", chain([10, 32, 3], "{type: ConvLSTM1D, name: x, filters: 8, kernel_size: 3, padding: same}"),
     "x"),
    ("conv_lstm2d_next_frame",
     chain([None, 40, 40, 1], "{type: ConvLSTM2D, name: x, filters: 16, kernel_size: 3, padding: same, "
           "return_sequences: true}"), "x"),
    # -- Keras core, reshaping, convolution, normalization
    ("dense", chain([64], "{type: Dense, name: x, units: 32, activation: relu}"), "x"),
    ("dense_3d", chain(SEQ, "{type: Dense, name: x, units: 32}"), "x"),
    ("embedding", chain([200], "{type: Embedding, name: x, input_dim: 20000, output_dim: 128}", dtype="int32"), "x"),
    ("embedding_mask_zero",
     chain([None], "{type: Embedding, name: x, input_dim: 1000, output_dim: 16, mask_zero: true}", dtype="int32"), "x"),
    ("dropout", chain(SEQ, "{type: Dropout, name: x, rate: 0.5}"), "x"),
    ("spatial_dropout1d", chain(SEQ, "{type: SpatialDropout1D, name: x, rate: 0.2}"), "x"),
    ("gaussian_noise", chain(SEQ, "{type: GaussianNoise, name: x, stddev: 0.1}"), "x"),
    ("activation", chain(SEQ, "{type: Activation, name: x, activation: relu}"), "x"),
    ("masking", chain([None, 10], "{type: Masking, name: x, mask_value: 0.0}"), "x"),
    ("flatten", chain(SEQ, "{type: Flatten, name: x}"), "x"),
    ("flatten_null", chain([None, 10], "{type: Flatten, name: x}"), "x"),
    ("reshape", chain(SEQ, "{type: Reshape, name: x, target_shape: [25, 20]}"), "x"),
    ("permute", chain(SEQ, "{type: Permute, name: x, dims: [2, 1]}"), "x"),
    ("repeat_vector", chain([10], "{type: RepeatVector, name: x, n: 5}"), "x"),
    ("conv1d", chain(SEQ, "{type: Conv1D, name: x, filters: 32, kernel_size: 3}"), "x"),
    ("conv1d_causal_dilated",
     chain(SEQ, "{type: Conv1D, name: x, filters: 8, kernel_size: 3, padding: causal, dilation_rate: 2}"), "x"),
    ("max_pooling1d", chain(SEQ, "{type: MaxPooling1D, name: x, pool_size: 2}"), "x"),
    ("average_pooling1d_same", chain(SEQ, "{type: AveragePooling1D, name: x, pool_size: 3, padding: same}"), "x"),
    ("global_max_pooling1d", chain(SEQ, "{type: GlobalMaxPooling1D, name: x}"), "x"),
    ("global_average_pooling1d", chain(SEQ, "{type: GlobalAveragePooling1D, name: x}"), "x"),
    ("batch_normalization", chain(SEQ, "{type: BatchNormalization, name: x}"), "x"),
    ("layer_normalization", chain(SEQ, "{type: LayerNormalization, name: x}"), "x"),
    # -- Keras 2-D front ends and the other 1-D convolutions (issue 13)
    ("conv2d", chain([28, 28, 1], "{type: Conv2D, name: x, filters: 32, kernel_size: 3, activation: relu}"), "x"),
    ("conv2d_same_strides_channels_first",
     chain([3, 32, 24], "{type: Conv2D, name: x, filters: 16, kernel_size: [3, 5], strides: 2, padding: same, "
           "data_format: channels_first}"), "x"),
    ("max_pooling2d", chain([28, 28, 32], "{type: MaxPooling2D, name: x}"), "x"),
    ("average_pooling2d_same", chain([7, 5, 8], "{type: AveragePooling2D, name: x, pool_size: 2, padding: same}"), "x"),
    ("global_average_pooling2d", chain([7, 7, 64], "{type: GlobalAveragePooling2D, name: x}"), "x"),
    ("global_max_pooling2d_keepdims", chain([7, 7, 64], "{type: GlobalMaxPooling2D, name: x, keepdims: true}"), "x"),
    ("time_distributed_conv2d",
     chain([10, 32, 32, 3], "{type: TimeDistributed, name: x, layer: {type: Conv2D, filters: 8, kernel_size: 3}}"),
     "x"),
    ("separable_conv1d",
     chain(SEQ, "{type: SeparableConv1D, name: x, filters: 32, kernel_size: 5, depth_multiplier: 2}"), "x"),
    ("depthwise_conv1d", chain(SEQ, "{type: DepthwiseConv1D, name: x, kernel_size: 3, depth_multiplier: 4}"), "x"),
    ("conv1d_transpose", chain(SEQ, "{type: Conv1DTranspose, name: x, filters: 8, kernel_size: 3, strides: 2}"), "x"),
    ("conv1d_transpose_same_output_padding",
     chain(SEQ, "{type: Conv1DTranspose, name: x, filters: 8, kernel_size: 3, strides: 2, padding: same, "
           "output_padding: 1}"), "x"),
    # -- PyTorch
    ("torch_conv2d", chain([3, 32, 32], "{type: Conv2d, name: x, out_channels: 16, kernel_size: 3, padding: 1}",
                           framework="pytorch"), "x"),
    ("torch_conv2d_same_reflect",
     chain([3, 8, 6], "{type: Conv2d, name: x, out_channels: 4, kernel_size: [2, 3], padding: same, "
           "padding_mode: reflect}", framework="pytorch"), "x"),
    ("torch_lstm", chain(SEQ, "{type: LSTM, name: x, hidden_size: 128, batch_first: true}",
                         framework="pytorch"), "x"),
    ("torch_lstm_stacked_bidirectional_batch",
     chain(SEQ, "{type: LSTM, name: x, hidden_size: 256, num_layers: 3, bidirectional: true, batch_first: true}",
           framework="pytorch", batch=8), "x"),
    ("torch_lstm_cell", chain([100], "{type: LSTMCell, name: x, hidden_size: 64}", framework="pytorch"), "x"),
    ("torch_gru_cell", chain([100], "{type: GRUCell, name: x, hidden_size: 64, bias: false}", framework="pytorch"),
     "x"),
    ("torch_rnn_cell", chain([100], "{type: RNNCell, name: x, hidden_size: 32, nonlinearity: relu}",
                             framework="pytorch"), "x"),
    ("torch_lstm_seq_first", chain(SEQ, "{type: LSTM, name: x, hidden_size: 32}", framework="pytorch"), "x"),
    ("torch_lstm_proj", chain(SEQ, "{type: LSTM, name: x, hidden_size: 32, proj_size: 8, batch_first: true}",
                              framework="pytorch"), "x"),
    ("torch_lstm_null_timesteps",
     chain([None, 10], "{type: LSTM, name: x, hidden_size: 32, batch_first: true}", framework="pytorch"), "x"),
    ("torch_gru_stacked",
     chain(SEQ, "{type: GRU, name: x, hidden_size: 64, num_layers: 2, batch_first: true, dropout: 0.2}",
           framework="pytorch"), "x"),
    ("torch_rnn", chain(SEQ, "{type: RNN, name: x, hidden_size: 16, nonlinearity: relu, batch_first: true}",
                        framework="pytorch"), "x"),
    ("torch_linear", chain([64], "{type: Linear, name: x, out_features: 10}", framework="pytorch"), "x"),
    ("torch_embedding", chain([60], "{type: Embedding, name: x, num_embeddings: 1000, embedding_dim: 32, "
                                    "padding_idx: 0}", framework="pytorch", dtype="int64"), "x"),
    ("torch_conv1d", chain([10, 50], "{type: Conv1d, name: x, out_channels: 16, kernel_size: 3}",
                           framework="pytorch"), "x"),
    ("torch_layer_norm", chain(SEQ, "{type: LayerNorm, name: x, normalized_shape: 10}", framework="pytorch"), "x"),
    ("torch_batch_norm1d", chain([10, 50], "{type: BatchNorm1d, name: x, num_features: 10}",
                                 framework="pytorch"), "x"),
    ("torch_dropout", chain(SEQ, "{type: Dropout, name: x, p: 0.1}", framework="pytorch"), "x"),
    ("torch_flatten", chain(SEQ, "{type: Flatten, name: x}", framework="pytorch"), "x"),
    ("torch_relu", chain(SEQ, "{type: ReLU, name: x}", framework="pytorch"), "x"),
    ("torch_tanh", chain(SEQ, "{type: Tanh, name: x}", framework="pytorch"), "x"),
    ("torch_sigmoid", chain(SEQ, "{type: Sigmoid, name: x}", framework="pytorch"), "x"),
    ("torch_last_timestep",
     chain(SEQ, "{type: LSTM, hidden_size: 8, batch_first: true}", "{type: LastTimestep, name: x}",
           framework="pytorch"), "x"),
    ("torch_hidden_state",
     chain(SEQ, "{type: LSTM, hidden_size: 8, num_layers: 2, batch_first: true}",
           "{type: HiddenState, name: x, state: c_n}", framework="pytorch"), "x"),
    ("torch_transpose", chain(SEQ, "{type: Transpose, name: x, dim0: 1, dim1: 2}", framework="pytorch"), "x"),
    ("torch_multihead_attention",
     chain([20, 64], "{type: MultiheadAttention, name: x, embed_dim: 64, num_heads: 8, batch_first: true}",
           framework="pytorch"), "x"),
    ("torch_multihead_attention_kdim_bias_kv",
     "framework: pytorch\ninputs: [{name: q, shape: [6, 16]}, {name: k, shape: [9, 8]}, {name: v, shape: [9, 4]}]\n"
     "layers:\n  - {type: MultiheadAttention, name: x, embed_dim: 16, num_heads: 4, kdim: 8, vdim: 4, "
     "add_bias_kv: true, add_zero_attn: true, inputs: [q, k, v], call: {average_attn_weights: false}}\n", "x"),
    ("torch_transformer_encoder_layer",
     chain([30, 32], "{type: TransformerEncoderLayer, name: x, d_model: 32, nhead: 4, dim_feedforward: 64}",
           framework="pytorch"), "x"),
    ("torch_transformer_encoder",
     chain([30, 32], "{type: TransformerEncoder, name: x, num_layers: 2, encoder_layer: {type: "
           "TransformerEncoderLayer, d_model: 32, nhead: 4, dim_feedforward: 64, batch_first: true, "
           "norm_first: true}, norm: {type: LayerNorm, normalized_shape: 32}}", framework="pytorch"), "x"),
    ("torch_transformer_decoder_layer",
     "framework: pytorch\ninputs: [{name: tgt, shape: [12, 32]}, {name: memory, shape: [30, 32]}]\n"
     "layers:\n  - {type: TransformerDecoderLayer, name: x, d_model: 32, nhead: 4, dim_feedforward: 64, "
     "inputs: [tgt, memory]}\n", "x"),
    ("torch_transformer_decoder",
     "framework: pytorch\ninputs: [{name: tgt, shape: [12, 32]}, {name: memory, shape: [30, 32]}]\n"
     "layers:\n  - {type: TransformerDecoder, name: x, num_layers: 2, decoder_layer: {type: TransformerDecoderLayer, "
     "d_model: 32, nhead: 4, dim_feedforward: 64, batch_first: true, norm_first: true, bias: false}, "
     "norm: {type: LayerNorm, normalized_shape: 32}, inputs: [tgt, memory]}\n", "x"),
    ("torch_transformer",
     "framework: pytorch\ninputs: [{name: src, shape: [30, 32]}, {name: tgt, shape: [12, 32]}]\n"
     "layers:\n  - {type: Transformer, name: x, d_model: 32, nhead: 4, num_encoder_layers: 2, num_decoder_layers: 2, "
     "dim_feedforward: 64, batch_first: true, inputs: [src, tgt]}\n", "x"),
]

GRAPH_SEQ2SEQ = """\
inputs:
  - {name: encoder_inputs, shape: [null, 71]}
  - {name: decoder_inputs, shape: [null, 93]}
layers:
  - {type: LSTM, name: encoder, units: 256, return_state: true, inputs: encoder_inputs}
  - {type: LSTM, name: decoder, units: 256, return_sequences: true, return_state: true,
     inputs: decoder_inputs, call: {initial_state: ["encoder[1]", "encoder[2]"]}}
  - {type: Dense, name: probs, units: 93, activation: softmax, inputs: "decoder[0]"}
outputs: [probs]
"""
GRAPH_SIAMESE = """\
inputs: [{name: left, shape: [20, 8]}, {name: right, shape: [20, 8]}]
layers:
  - {type: LSTM, name: shared, units: 16, inputs: left}
  - {call: shared, inputs: right}
  - {type: Subtract, name: diff, inputs: ["shared[0][0]", "shared[1][0]"]}
  - {type: Dense, units: 1, activation: sigmoid}
"""
GRAPH_MERGE = """\
inputs: [{name: a, shape: [20, 8]}, {name: b, shape: [20, 8]}]
layers:
  - {type: Concatenate, name: cat, inputs: [a, b]}
  - {type: Add, name: add, inputs: [a, b]}
  - {type: Multiply, name: mul, inputs: [a, b]}
  - {type: Average, name: avg, inputs: [a, b]}
  - {type: Maximum, name: max, inputs: [a, b]}
  - {type: Minimum, name: min, inputs: [a, b]}
  - {type: Dot, name: dot, axes: 2, inputs: [a, b]}
  - {type: Concatenate, name: out, inputs: [cat, add, mul, avg, max, min]}
outputs: [out, dot]
"""
GRAPH_MASK = """\
inputs: [{name: tokens, shape: [null], dtype: int32}]
layers:
  - {type: Embedding, name: emb, input_dim: 100, output_dim: 8, mask_zero: true}
  - {type: LSTM, name: x, units: 4}
"""
GRAPH_TORCH = """\
framework: pytorch
inputs: [{name: a, shape: [20, 8]}, {name: b, shape: [20, 8]}]
layers:
  - {type: LSTM, name: lstm, hidden_size: 16, batch_first: true, inputs: a}
  - {type: Cat, name: cat, dim: 2, inputs: ["lstm[0]", b]}
  - {type: Add, name: add, inputs: [b, b]}
"""
CASES += [
    ("graph_encoder", GRAPH_SEQ2SEQ, "encoder"),
    ("graph_decoder_initial_state", GRAPH_SEQ2SEQ, "decoder"),
    ("graph_shared", GRAPH_SIAMESE, "shared"),
    ("graph_subtract", GRAPH_SIAMESE, "diff"),
    ("graph_concatenate", GRAPH_MERGE, "cat"),
    ("graph_add", GRAPH_MERGE, "add"),
    ("graph_multiply", GRAPH_MERGE, "mul"),
    ("graph_average", GRAPH_MERGE, "avg"),
    ("graph_maximum", GRAPH_MERGE, "max"),
    ("graph_minimum", GRAPH_MERGE, "min"),
    ("graph_dot", GRAPH_MERGE, "dot"),
    ("graph_mask", GRAPH_MASK, "x"),
    ("torch_graph_lstm", GRAPH_TORCH, "lstm"),
    ("torch_graph_cat", GRAPH_TORCH, "cat"),
    ("torch_graph_add", GRAPH_TORCH, "add"),
]

GRAPH_ATTENTION = """\
inputs: [{name: q, shape: [6, 8]}, {name: v, shape: [9, 8]}]
layers:
  - {type: Attention, name: att, inputs: [q, v], call: {return_attention_scores: true}}
  - {type: AdditiveAttention, name: add_att, inputs: [q, v]}
  - {type: MultiHeadAttention, name: mha, num_heads: 2, key_dim: 4, inputs: [q, v]}
  - {type: GroupedQueryAttention, name: gqa, head_dim: 4, num_query_heads: 4, num_key_value_heads: 2, inputs: [q, v]}
outputs: ["att[0]", "att[1]", add_att, mha, gqa]
"""
CASES += [
    ("attention", GRAPH_ATTENTION, "att"),
    ("additive_attention", GRAPH_ATTENTION, "add_att"),
    ("multi_head_attention", GRAPH_ATTENTION, "mha"),
    ("grouped_query_attention", GRAPH_ATTENTION, "gqa"),
    ("cudnn_lstm", chain(SEQ, "{type: CuDNNLSTM, name: x, units: 16}"), "x"),
    ("torch_softmax", chain([5, 10], "{type: Linear, out_features: 4}", "{type: Softmax, name: x, dim: -1}",
                            framework="pytorch"), "x"),
    ("torch_unsqueeze", chain([10], "{type: Unsqueeze, name: x, dim: 0}", framework="pytorch"), "x"),
    ("torch_view", chain(SEQ, "{type: View, name: x, shape: [null, -1]}", framework="pytorch"), "x"),
    ("torch_permute", chain(SEQ, "{type: Permute, name: x, dims: [0, 2, 1]}", framework="pytorch"), "x"),
    ("torch_select", chain(SEQ, "{type: Select, name: x, dim: 1, index: 0}", framework="pytorch"), "x"),
    ("torch_mean", chain(SEQ, "{type: Mean, name: x, dim: 1}", framework="pytorch"), "x"),
    ("torch_scale", chain(SEQ, "{type: Scale, name: x, factor: 5.656854249492381}", framework="pytorch"), "x"),
    ("torch_log_softmax", chain([10], "{type: LogSoftmax, name: x, dim: -1}", framework="pytorch"), "x"),
]

# issue 13: activation layers, noise, normalisation, 1-D reshaping (Keras)
CASES += [
    ("cudnn_gru", chain(SEQ, "{type: CuDNNGRU, name: x, units: 16}"), "x"),
    ("relu_layer", chain(SEQ, "{type: ReLU, name: x, max_value: 6.0, negative_slope: 0.1, threshold: 0.5}"), "x"),
    ("leaky_relu", chain(SEQ, "{type: LeakyReLU, name: x}"), "x"),
    ("prelu", chain(SEQ, "{type: PReLU, name: x}"), "x"),
    ("prelu_shared", chain([None, 10], "{type: PReLU, name: x, shared_axes: [1]}"), "x"),
    ("elu", chain(SEQ, "{type: ELU, name: x, alpha: 0.5}"), "x"),
    ("softmax_layer", chain(SEQ, "{type: Softmax, name: x, axis: 1}"), "x"),
    ("identity", chain(SEQ, "{type: Identity, name: x}"), "x"),
    ("gaussian_dropout", chain(SEQ, "{type: GaussianDropout, name: x, rate: 0.2}"), "x"),
    ("alpha_dropout", chain(SEQ, "{type: AlphaDropout, name: x, rate: 0.1}"), "x"),
    ("activity_regularization", chain(SEQ, "{type: ActivityRegularization, name: x, l1: 0.01}"), "x"),
    ("unit_normalization", chain(SEQ, "{type: UnitNormalization, name: x}"), "x"),
    ("group_normalization", chain(SEQ, "{type: GroupNormalization, name: x, groups: 5}"), "x"),
    ("rms_normalization", chain(SEQ, "{type: RMSNormalization, name: x}"), "x"),
    ("spatial_dropout2d", chain([32, 32, 3], "{type: SpatialDropout2D, name: x, rate: 0.2}"), "x"),
    ("up_sampling1d", chain(SEQ, "{type: UpSampling1D, name: x, size: 2}"), "x"),
    ("zero_padding1d", chain(SEQ, "{type: ZeroPadding1D, name: x, padding: [2, 0]}"), "x"),
    ("cropping1d", chain(SEQ, "{type: Cropping1D, name: x, cropping: [5, 5]}"), "x"),
]

# issue 13: PyTorch activations, PReLU, Identity and the 1-D poolings (channels first)
CASES += [
    ("torch_gelu", chain([5, 10], "{type: GELU, name: x, approximate: tanh}", framework="pytorch"), "x"),
    ("torch_leaky_relu", chain([5, 10], "{type: LeakyReLU, name: x}", framework="pytorch"), "x"),
    ("torch_elu", chain([5, 10], "{type: ELU, name: x, alpha: 0.5}", framework="pytorch"), "x"),
    ("torch_prelu", chain([16, 50], "{type: PReLU, name: x, num_parameters: 16}", framework="pytorch"), "x"),
    ("torch_identity", chain([5, 10], "{type: Identity, name: x}", framework="pytorch"), "x"),
    ("torch_max_pool1d", chain([16, 50], "{type: MaxPool1d, name: x, kernel_size: 3, stride: 2, padding: 1}",
                               framework="pytorch"), "x"),
    ("torch_avg_pool1d", chain([16, 50], "{type: AvgPool1d, name: x, kernel_size: 4, ceil_mode: true}",
                               framework="pytorch"), "x"),
    ("torch_adaptive_avg_pool1d", chain([16, 50], "{type: AdaptiveAvgPool1d, name: x, output_size: 1}",
                                        framework="pytorch"), "x"),
    ("torch_adaptive_max_pool1d", chain([16, 50], "{type: AdaptiveMaxPool1d, name: x, output_size: 4}",
                                        framework="pytorch"), "x"),
    ("torch_max_pool2d", chain([16, 32, 32], "{type: MaxPool2d, name: x, kernel_size: 3, stride: 2, padding: 1}",
                               framework="pytorch"), "x"),
    ("torch_avg_pool2d", chain([16, 31, 20], "{type: AvgPool2d, name: x, kernel_size: [2, 4], ceil_mode: true}",
                               framework="pytorch"), "x"),
    ("torch_adaptive_avg_pool2d", chain([16, 32, 32], "{type: AdaptiveAvgPool2d, name: x, output_size: 1}",
                                        framework="pytorch"), "x"),
    ("torch_adaptive_max_pool2d", chain([16, 32, 30], "{type: AdaptiveMaxPool2d, name: x, output_size: [4, 3]}",
                                        framework="pytorch"), "x"),
    ("torch_unflatten", chain([4, 3, 6, 5], "{type: Flatten, start_dim: 0, end_dim: 1}",
                              "{type: Unflatten, name: x, dim: 0, unflattened_size: [-1, 4]}", framework="pytorch"),
     "x"),
    ("bidirectional_rnn_cells", chain([10, 8], "{type: Bidirectional, name: x, layer: {type: RNN, cell: "
                                      "[{type: LSTMCell, units: 4}, {type: GRUCell, units: 3}], return_state: true}}"),
     "x"),
]
