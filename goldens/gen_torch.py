"""Generate the PyTorch golden files for lstmcalc's PyTorch dialect.

Run from the repository root with a Python that has torch installed
(the project itself and its tests never import torch; they only read the
JSON this script writes)::

    /work/devenv/bin/python goldens/gen_torch.py

It writes two files next to itself:

``torch_modules.json``
    Shape and parameter goldens: for each case the module's class name, its
    constructor arguments, the input shape (batch axis as the module sees
    it), the parameter count, every parameter and buffer with its
    ``state_dict`` name and shape, and the output shapes (``output``, plus
    ``h_n`` and ``c_n`` for recurrent modules). Where torch refuses the
    configuration, the case holds ``error`` ("<ExceptionClass>: <first
    line>") and ``error_stage`` ("construction" or "call") instead.

``torch_forward.json``
    float64 forward goldens in ``eval()`` mode: input, ``state_dict`` (every
    float tensor drawn uniform in [-0.5, 0.5]; BatchNorm ``running_var`` in
    [0.5, 1.5]) and outputs, plus a few chains of modules with the pseudo
    steps ``LastTimestep``, ``HiddenState`` and ``Transpose`` (described in
    the file's ``pseudo_steps``).

Everything is seeded (each case from a CRC of its id, and the hash seed
fixed), so re-running gives identical files for the same torch version.
Each case is written on one line.
"""

import copy
import json
import os
import sys
import warnings
import zlib

# torch words some refusals from a set ("must be one of {...}"): fix the hash
# seed so that re-running writes byte-identical files.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
RECURRENT = ("LSTM", "GRU", "RNN")
CELLS = ("LSTMCell", "GRUCell", "RNNCell")

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)


def error_text(exc):
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0].strip() if lines else ''}"


def generator(case_id):
    return torch.Generator().manual_seed(zlib.crc32(case_id.encode()))


def make_input(shape, dtype, g, high=None, values=None):
    if values is not None:
        return torch.tensor(values, dtype=torch.int64 if dtype == "int64" else torch.float64)
    if dtype == "int64":
        return torch.randint(0, high, tuple(shape), generator=g, dtype=torch.int64)
    return torch.rand(tuple(shape), generator=g) * 2 - 1


def build(module, args):
    return getattr(nn, module)(**copy.deepcopy(args))


def split_outputs(module, out):
    """Name the pieces of a module's output: output, h_n, c_n."""
    if module == "LSTM":
        output, (h_n, c_n) = out
        return {"output": output, "h_n": h_n, "c_n": c_n}
    if module in ("GRU", "RNN"):
        output, h_n = out
        return {"output": output, "h_n": h_n}
    if module == "LSTMCell":  # (h', c')
        h, c = out
        return {"output": h, "c": c}
    return {"output": out}


def call(m, module, x, hx=None):
    """Run m on x (and hx) with warnings recorded; return (named outputs, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = m(x) if hx is None else m(x, hx)
    return split_outputs(module, out), caught


def warning_texts(caught):
    return sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})


# ---------------------------------------------------------------- shapes

SHAPE_CASES = []


def shape_case(case_id, module, args, input_shape, input_dtype="float64", mode="eval",
               high=None, values=None):
    case = {"id": case_id, "module": module, "args": args, "input_shape": input_shape,
            "input_dtype": input_dtype, "mode": mode}
    SHAPE_CASES.append(case)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            m = build(module, args)
        except Exception as exc:  # torch refuses the configuration
            case.update(error=error_text(exc), error_stage="construction")
            return
    m.train(mode == "train")
    params = list(m.parameters())
    case["params"] = sum(p.numel() for p in params)
    case["trainable_params"] = sum(p.numel() for p in params if p.requires_grad)
    case["non_trainable_params"] = case["params"] - case["trainable_params"]
    case["parameters"] = [{"name": n, "shape": list(p.shape)} for n, p in m.named_parameters()]
    case["buffers"] = [{"name": n, "shape": list(b.shape)} for n, b in m.named_buffers()]
    x = make_input(input_shape, input_dtype, generator(case_id), high, values)
    try:
        outs, caught_call = call(m, module, x)
    except Exception as exc:
        case.update(error=error_text(exc), error_stage="call")
        return
    case["outputs"] = {k: list(v.shape) for k, v in outs.items()}
    texts = warning_texts(list(caught) + list(caught_call))
    if texts:
        case["warnings"] = texts


def recurrent_shape_cases():
    # seed check: the issue's example model
    shape_case("seed_lstm_10_128", "LSTM", {"input_size": 10, "hidden_size": 128, "batch_first": True},
               [4, 50, 10])
    shape_case("seed_lstm_128_64", "LSTM", {"input_size": 128, "hidden_size": 64, "batch_first": True},
               [4, 50, 128])
    tags = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn"}
    for module in RECURRENT:
        tag = tags[module]
        for layers in (1, 2, 3):
            for bi in (False, True):
                for bias in (True, False):
                    for bf in (True, False):
                        cid = f"{tag}_L{layers}{'_bi' if bi else ''}{'' if bias else '_nobias'}{'_bf' if bf else '_sf'}"
                        args = {"input_size": 6, "hidden_size": 5, "num_layers": layers, "bias": bias,
                                "batch_first": bf, "bidirectional": bi}
                        shape_case(cid, module, args, [3, 7, 6] if bf else [7, 3, 6])
        # dropout between layers, and the warning when there is only one layer
        shape_case(f"{tag}_L2_dropout", module,
                   {"input_size": 6, "hidden_size": 5, "num_layers": 2, "dropout": 0.3}, [7, 3, 6])
        shape_case(f"{tag}_L1_dropout_warns", module,
                   {"input_size": 6, "hidden_size": 5, "num_layers": 1, "dropout": 0.3}, [7, 3, 6])
        shape_case(f"{tag}_L2_dropout_train", module,
                   {"input_size": 6, "hidden_size": 5, "num_layers": 2, "dropout": 0.3}, [7, 3, 6],
                   mode="train")
        shape_case(f"{tag}_dropout_too_big", module,
                   {"input_size": 6, "hidden_size": 5, "num_layers": 2, "dropout": 1.5}, [7, 3, 6])
        # unbatched 2-D input (L, H_in): batch_first is ignored
        shape_case(f"{tag}_unbatched", module, {"input_size": 6, "hidden_size": 5}, [7, 6])
        shape_case(f"{tag}_unbatched_L2_bi", module,
                   {"input_size": 6, "hidden_size": 5, "num_layers": 2, "bidirectional": True}, [7, 6])
        shape_case(f"{tag}_unbatched_batch_first", module,
                   {"input_size": 6, "hidden_size": 5, "batch_first": True}, [7, 6])
        shape_case(f"{tag}_defaults", module, {"input_size": 6, "hidden_size": 5}, [7, 3, 6])
        shape_case(f"{tag}_input_size_1", module, {"input_size": 1, "hidden_size": 32}, [20, 2, 1])
        # refusals
        shape_case(f"{tag}_wrong_features", module, {"input_size": 6, "hidden_size": 5}, [7, 3, 4])
        shape_case(f"{tag}_1d_input", module, {"input_size": 6, "hidden_size": 5}, [6])
        shape_case(f"{tag}_4d_input", module, {"input_size": 6, "hidden_size": 5}, [2, 7, 3, 6])
        shape_case(f"{tag}_hidden_zero", module, {"input_size": 6, "hidden_size": 0}, [7, 3, 6])
        shape_case(f"{tag}_layers_zero", module, {"input_size": 6, "hidden_size": 5, "num_layers": 0},
                   [7, 3, 6])
        shape_case(f"{tag}_hidden_float", module, {"input_size": 6, "hidden_size": 5.0}, [7, 3, 6])
        if module != "LSTM":
            shape_case(f"{tag}_proj_size_refused", module,
                       {"input_size": 6, "hidden_size": 5, "proj_size": 3}, [7, 3, 6])

    # LSTM projections
    for layers, bi, bias, bf in ((1, False, True, False), (1, True, True, False), (2, False, True, False),
                                 (2, True, True, True), (3, True, True, False), (2, True, False, False),
                                 (1, False, False, True)):
        cid = f"lstm_proj3_L{layers}{'_bi' if bi else ''}{'' if bias else '_nobias'}{'_bf' if bf else '_sf'}"
        args = {"input_size": 6, "hidden_size": 5, "num_layers": layers, "bias": bias,
                "batch_first": bf, "bidirectional": bi, "proj_size": 3}
        shape_case(cid, "LSTM", args, [3, 7, 6] if bf else [7, 3, 6])
    shape_case("lstm_proj_unbatched_bi", "LSTM",
               {"input_size": 6, "hidden_size": 5, "proj_size": 2, "bidirectional": True}, [7, 6])
    shape_case("lstm_proj_1", "LSTM", {"input_size": 10, "hidden_size": 128, "proj_size": 1}, [50, 4, 10])
    shape_case("lstm_proj_equal_hidden", "LSTM", {"input_size": 6, "hidden_size": 5, "proj_size": 5},
               [7, 3, 6])
    shape_case("lstm_proj_negative", "LSTM", {"input_size": 6, "hidden_size": 5, "proj_size": -1},
               [7, 3, 6])

    # RNN nonlinearity
    shape_case("rnn_relu", "RNN", {"input_size": 6, "hidden_size": 5, "nonlinearity": "relu"}, [7, 3, 6])
    shape_case("rnn_relu_L2_bi_bf", "RNN",
               {"input_size": 6, "hidden_size": 5, "nonlinearity": "relu", "num_layers": 2,
                "bidirectional": True, "batch_first": True}, [3, 7, 6])
    shape_case("rnn_nonlinearity_upper_refused", "RNN",
               {"input_size": 6, "hidden_size": 5, "nonlinearity": "Tanh"}, [7, 3, 6])
    shape_case("rnn_nonlinearity_sigmoid", "RNN",
               {"input_size": 6, "hidden_size": 5, "nonlinearity": "sigmoid"}, [7, 3, 6])


def linear_shape_cases():
    for bias in (True, False):
        for shape in ([8], [4, 8], [4, 5, 8], [2, 3, 5, 8]):
            cid = f"linear_{len(shape)}d{'' if bias else '_nobias'}"
            shape_case(cid, "Linear", {"in_features": 8, "out_features": 3, "bias": bias}, shape)
    shape_case("linear_out1", "Linear", {"in_features": 64, "out_features": 1}, [4, 64])
    shape_case("linear_seed_dense", "Linear", {"in_features": 64, "out_features": 128}, [4, 64])
    shape_case("linear_wrong_in", "Linear", {"in_features": 8, "out_features": 3}, [4, 5, 7])
    shape_case("linear_negative_out", "Linear", {"in_features": 8, "out_features": -1}, [4, 8])


def embedding_shape_cases():
    base = {"num_embeddings": 20, "embedding_dim": 4}
    for shape in ([], [7], [4, 7], [2, 3, 4]):
        shape_case(f"embedding_{len(shape)}d", "Embedding", base, shape, "int64", high=20)
    for key, value, tag in (("padding_idx", 0, "padding_idx0"), ("padding_idx", -1, "padding_idx_neg"),
                            ("padding_idx", 19, "padding_idx_last"), ("max_norm", 1.0, "max_norm"),
                            ("sparse", True, "sparse"), ("scale_grad_by_freq", True, "scale_grad"),
                            ("_freeze", True, "freeze")):
        shape_case(f"embedding_{tag}", "Embedding", {**base, key: value}, [4, 7], "int64", high=20)
    shape_case("embedding_max_norm_type1", "Embedding", {**base, "max_norm": 0.5, "norm_type": 1.0},
               [4, 7], "int64", high=20)
    shape_case("embedding_padding_idx_out_of_range", "Embedding", {**base, "padding_idx": 20}, [4, 7],
               "int64", high=20)
    shape_case("embedding_padding_idx_too_negative", "Embedding", {**base, "padding_idx": -21}, [4, 7],
               "int64", high=20)
    shape_case("embedding_index_out_of_range", "Embedding", base, [2, 3], "int64",
               values=[[0, 1, 20], [3, 4, 5]])
    shape_case("embedding_float_input", "Embedding", base, [4, 7], "float64")


def conv1d_shape_cases():
    base = {"in_channels": 4, "out_channels": 6, "kernel_size": 3}
    variants = [
        ("basic", {}), ("kernel_tuple", {"kernel_size": [3]}), ("k1", {"kernel_size": 1}),
        ("k_equals_L", {"kernel_size": 12}), ("k_too_big", {"kernel_size": 13}),
        ("stride2", {"stride": 2}), ("stride3", {"stride": 3}), ("stride_tuple", {"stride": [2]}),
        ("pad1", {"padding": 1}), ("pad2", {"padding": 2}), ("pad_tuple", {"padding": [2]}),
        ("pad_same_k3", {"padding": "same"}), ("pad_same_k4", {"padding": "same", "kernel_size": 4}),
        ("pad_same_k2_dil2", {"padding": "same", "kernel_size": 2, "dilation": 2}),
        ("pad_same_dil3", {"padding": "same", "dilation": 3}),
        ("pad_same_stride2", {"padding": "same", "stride": 2}), ("pad_valid", {"padding": "valid"}),
        ("pad_full", {"padding": "full"}),
        ("dil2", {"dilation": 2}), ("dil3_pad2", {"dilation": 3, "padding": 2}),
        ("stride2_pad1_dil2", {"stride": 2, "padding": 1, "dilation": 2}),
        ("groups2", {"groups": 2}), ("depthwise", {"groups": 4, "out_channels": 8}),
        ("groups3_in_not_divisible", {"groups": 3}),
        ("groups4_out_not_divisible", {"groups": 4, "out_channels": 6}),
        ("nobias", {"bias": False}), ("groups2_nobias", {"groups": 2, "bias": False}),
        ("mode_bogus", {"padding_mode": "bogus", "padding": 1}),
        # 1-tuples torch takes for each size argument, and its exact string lookups
        ("pad_tuple_1", {"padding": [1]}), ("pad_tuple_0", {"padding": [0]}),
        ("dilation_tuple", {"dilation": [2]}),
        ("all_tuples", {"kernel_size": [3], "stride": [2], "padding": [1], "dilation": [2]}),
        ("pad_tuple_2_refused", {"padding": [1, 1]}), ("kernel_tuple_2_refused", {"kernel_size": [3, 3]}),
        ("pad_same_upper_refused", {"padding": "SAME"}), ("pad_valid_title_refused", {"padding": "Valid"}),
        ("mode_zeros_upper_refused", {"padding_mode": "Zeros", "padding": 1}),
        ("pad_negative_refused", {"padding": -1}),
    ]
    for mode in ("zeros", "reflect", "replicate", "circular"):
        variants += [(f"mode_{mode}_pad2", {"padding_mode": mode, "padding": 2}),
                     (f"mode_{mode}_same_k4", {"padding_mode": mode, "padding": "same", "kernel_size": 4})]
    variants += [("mode_reflect_pad_ge_L", {"padding_mode": "reflect", "padding": 12}),
                 ("mode_circular_pad_gt_L", {"padding_mode": "circular", "padding": 13}),
                 ("mode_replicate_pad_gt_L", {"padding_mode": "replicate", "padding": 13})]
    for tag, extra in variants:
        shape_case(f"conv1d_{tag}", "Conv1d", {**base, **extra}, [2, 4, 12])
    shape_case("conv1d_unbatched", "Conv1d", base, [4, 12])
    shape_case("conv1d_unbatched_same_k4", "Conv1d", {**base, "padding": "same", "kernel_size": 4}, [4, 12])
    shape_case("conv1d_wrong_channels", "Conv1d", base, [2, 3, 12])
    shape_case("conv1d_4d_input", "Conv1d", base, [2, 4, 12, 1])


def conv2d_shape_cases():
    base = {"in_channels": 3, "out_channels": 4, "kernel_size": 3}
    variants = [
        ("basic", {}), ("kernel_pair", {"kernel_size": [2, 3]}), ("stride_pair", {"stride": [2, 1]}),
        ("pad1", {"padding": 1}), ("pad_pair", {"padding": [2, 0]}), ("pad_same_k4", {"padding": "same", "kernel_size": 4}),
        ("pad_same_stride2_refused", {"padding": "same", "stride": 2}), ("pad_valid", {"padding": "valid"}),
        ("dil_pair", {"dilation": [2, 1]}), ("stride2_dil2", {"stride": 2, "dilation": 2, "padding": 1}),
        ("groups3", {"groups": 3, "out_channels": 6}), ("groups2_refused", {"groups": 2}),
        ("nobias", {"bias": False}), ("k_too_big", {"kernel_size": [7, 2]}),
        ("mode_reflect_pad2", {"padding_mode": "reflect", "padding": 2}),
        ("mode_circular_pad_pair", {"padding_mode": "circular", "padding": [1, 2]}),
        ("mode_reflect_pad_ge_W", {"padding_mode": "reflect", "padding": 5}),
        ("kernel_triple_refused", {"kernel_size": [3, 3, 3]}),
    ]
    for tag, extra in variants:
        shape_case(f"conv2d_{tag}", "Conv2d", {**base, **extra}, [2, 3, 6, 5])
    shape_case("conv2d_wrong_channels", "Conv2d", base, [2, 2, 6, 5])


def norm_shape_cases():
    shape_case("layernorm_int", "LayerNorm", {"normalized_shape": 8}, [4, 5, 8])
    shape_case("layernorm_list1", "LayerNorm", {"normalized_shape": [8]}, [4, 8])
    shape_case("layernorm_list2", "LayerNorm", {"normalized_shape": [5, 8]}, [4, 5, 8])
    shape_case("layernorm_no_affine", "LayerNorm", {"normalized_shape": 8, "elementwise_affine": False},
               [4, 5, 8])
    shape_case("layernorm_no_bias", "LayerNorm", {"normalized_shape": 8, "bias": False}, [4, 5, 8])
    shape_case("layernorm_no_affine_no_bias", "LayerNorm",
               {"normalized_shape": [5, 8], "elementwise_affine": False, "bias": False}, [4, 5, 8])
    shape_case("layernorm_eps", "LayerNorm", {"normalized_shape": 8, "eps": 0.1}, [4, 5, 8])
    shape_case("layernorm_mismatch", "LayerNorm", {"normalized_shape": 8}, [4, 5, 7])
    shape_case("layernorm_list2_mismatch", "LayerNorm", {"normalized_shape": [4, 8]}, [4, 5, 8])

    shape_case("batchnorm1d_2d", "BatchNorm1d", {"num_features": 6}, [4, 6])
    shape_case("batchnorm1d_3d", "BatchNorm1d", {"num_features": 6}, [4, 6, 10])
    shape_case("batchnorm1d_no_affine", "BatchNorm1d", {"num_features": 6, "affine": False}, [4, 6, 10])
    shape_case("batchnorm1d_no_running_stats", "BatchNorm1d",
               {"num_features": 6, "track_running_stats": False}, [4, 6, 10])
    shape_case("batchnorm1d_no_affine_no_stats", "BatchNorm1d",
               {"num_features": 6, "affine": False, "track_running_stats": False}, [4, 6])
    shape_case("batchnorm1d_eps", "BatchNorm1d", {"num_features": 6, "eps": 0.001}, [4, 6])
    shape_case("batchnorm1d_momentum_none", "BatchNorm1d", {"num_features": 6, "momentum": None}, [4, 6])
    shape_case("batchnorm1d_momentum", "BatchNorm1d", {"num_features": 6, "momentum": 0.01}, [4, 6, 10])
    shape_case("batchnorm1d_4d", "BatchNorm1d", {"num_features": 6}, [2, 6, 10, 1])
    shape_case("batchnorm1d_1d", "BatchNorm1d", {"num_features": 6}, [6])
    shape_case("batchnorm1d_wrong_channels", "BatchNorm1d", {"num_features": 6}, [4, 5, 10])
    shape_case("batchnorm1d_3d_channels_last_mistake", "BatchNorm1d", {"num_features": 6}, [4, 10, 6])
    shape_case("batchnorm1d_train_batch1_2d", "BatchNorm1d", {"num_features": 6}, [1, 6], mode="train")
    shape_case("batchnorm1d_train_batch1_3d", "BatchNorm1d", {"num_features": 6}, [1, 6, 10], mode="train")
    shape_case("batchnorm1d_eval_batch1_2d", "BatchNorm1d", {"num_features": 6}, [1, 6])


def misc_shape_cases():
    for tag, args in (("default", {}), ("p0", {"p": 0.0}), ("p1", {"p": 1.0}), ("p03", {"p": 0.3}),
                      ("inplace", {"p": 0.5, "inplace": True})):
        shape_case(f"dropout_{tag}", "Dropout", args, [4, 5, 8])
    shape_case("dropout_train", "Dropout", {"p": 0.5}, [4, 5, 8], mode="train")
    shape_case("dropout_p_too_big", "Dropout", {"p": 1.5}, [4, 5, 8])

    for tag, args, shape in (("default_3d", {}, [4, 5, 8]), ("default_2d", {}, [4, 5]),
                             ("default_4d", {}, [2, 3, 4, 5]), ("start0", {"start_dim": 0}, [4, 5, 8]),
                             ("end1_4d", {"end_dim": 2}, [2, 3, 4, 5]),
                             ("start2", {"start_dim": 2}, [2, 3, 4, 5]),
                             ("start_neg2", {"start_dim": -2}, [2, 3, 4, 5]),
                             ("start1_end_neg2", {"start_dim": 1, "end_dim": -2}, [2, 3, 4, 5]),
                             ("same_dim", {"start_dim": 1, "end_dim": 1}, [4, 5, 8]),
                             ("1d_input", {}, [8]), ("start_after_end", {"start_dim": 2, "end_dim": 1},
                                                    [2, 3, 4, 5])):
        shape_case(f"flatten_{tag}", "Flatten", args, shape)

    for module in ("ReLU", "Tanh", "Sigmoid"):
        shape_case(f"{module.lower()}_3d", module, {}, [4, 5, 8])
        shape_case(f"{module.lower()}_2d", module, {}, [4, 8])
    shape_case("relu_inplace", "ReLU", {"inplace": True}, [4, 5, 8])


def simple13_shape_cases():
    """Issue 13: activations, PReLU, Identity and the 1-D poolings (channels first)."""
    for module, args in (("GELU", {}), ("GELU", {"approximate": "tanh"}), ("LeakyReLU", {}),
                         ("LeakyReLU", {"negative_slope": 0.2, "inplace": True}), ("ELU", {}),
                         ("ELU", {"alpha": 0.5}), ("Identity", {}), ("PReLU", {}),
                         ("PReLU", {"num_parameters": 5, "init": 0.1})):
        tag = "_".join(f"{k}_{v}" for k, v in args.items()) or "default"
        shape_case(f"s13_{module.lower()}_{tag}", module, args, [4, 5, 8])
    shape_case("s13_gelu_bad_approximate", "GELU", {"approximate": "fast"}, [4, 5, 8])
    shape_case("s13_prelu_2d", "PReLU", {"num_parameters": 8}, [4, 8])
    shape_case("s13_prelu_wrong_channels", "PReLU", {"num_parameters": 8}, [4, 5, 8])
    for module in ("MaxPool1d", "AvgPool1d"):
        m = module.lower()
        shape_case(f"s13_{m}_2", module, {"kernel_size": 2}, [2, 3, 9])
        shape_case(f"s13_{m}_3_stride_1", module, {"kernel_size": 3, "stride": 1}, [2, 3, 9])
        shape_case(f"s13_{m}_pad_ceil", module, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
                   [2, 3, 10])
        shape_case(f"s13_{m}_ceil_drop_last", module, {"kernel_size": 2, "stride": 2, "padding": 1,
                                                       "ceil_mode": True}, [2, 3, 7])
        shape_case(f"s13_{m}_list_args", module, {"kernel_size": [3], "stride": [2]}, [2, 3, 9])
        shape_case(f"s13_{m}_pad_too_big", module, {"kernel_size": 2, "padding": 2}, [2, 3, 9])
        shape_case(f"s13_{m}_too_short", module, {"kernel_size": 5}, [2, 3, 4])
    shape_case("s13_maxpool1d_dilation", "MaxPool1d", {"kernel_size": 3, "dilation": 2, "padding": 2}, [2, 3, 9])
    shape_case("s13_maxpool1d_dilation_ceil", "MaxPool1d", {"kernel_size": 2, "dilation": 3, "stride": 2,
                                                           "ceil_mode": True}, [2, 3, 10])
    shape_case("s13_avgpool1d_no_pad_count", "AvgPool1d", {"kernel_size": 3, "padding": 1,
                                                          "count_include_pad": False}, [2, 3, 8])
    for module in ("AdaptiveAvgPool1d", "AdaptiveMaxPool1d"):
        m = module.lower()
        for size in (1, 3, 4, 7, 12):
            shape_case(f"s13_{m}_{size}", module, {"output_size": size}, [2, 3, 7])
        shape_case(f"s13_{m}_list", module, {"output_size": [2]}, [2, 3, 8])


def simple13_forward_cases():
    x = [2, 3, 6]
    forward_case("s13_gelu", "GELU", {}, x)
    forward_case("s13_gelu_tanh", "GELU", {"approximate": "tanh"}, x)
    forward_case("s13_leakyrelu", "LeakyReLU", {}, x)
    forward_case("s13_leakyrelu_slope", "LeakyReLU", {"negative_slope": 0.3}, x)
    forward_case("s13_elu", "ELU", {"alpha": 0.7}, x)
    forward_case("s13_identity", "Identity", {}, x)
    forward_case("s13_prelu_one", "PReLU", {}, x)
    forward_case("s13_prelu_channels", "PReLU", {"num_parameters": 3}, x)
    forward_case("s13_prelu_2d", "PReLU", {"num_parameters": 6}, [2, 6])
    x = [2, 3, 9]
    forward_case("s13_maxpool1d", "MaxPool1d", {"kernel_size": 2}, x)
    forward_case("s13_maxpool1d_pad_ceil", "MaxPool1d", {"kernel_size": 3, "stride": 2, "padding": 1,
                                                        "ceil_mode": True}, [2, 3, 10])
    forward_case("s13_maxpool1d_dilation", "MaxPool1d", {"kernel_size": 3, "dilation": 2, "padding": 1}, x)
    forward_case("s13_avgpool1d", "AvgPool1d", {"kernel_size": 3, "stride": 2}, x)
    forward_case("s13_avgpool1d_pad", "AvgPool1d", {"kernel_size": 3, "stride": 2, "padding": 1}, x)
    forward_case("s13_avgpool1d_pad_no_count", "AvgPool1d", {"kernel_size": 3, "stride": 2, "padding": 1,
                                                            "count_include_pad": False}, x)
    forward_case("s13_avgpool1d_ceil", "AvgPool1d", {"kernel_size": 2, "stride": 2, "padding": 1,
                                                    "ceil_mode": True}, [2, 3, 8])
    forward_case("s13_avgpool1d_ceil_partial", "AvgPool1d", {"kernel_size": 3, "stride": 2, "ceil_mode": True}, x)
    for module in ("AdaptiveAvgPool1d", "AdaptiveMaxPool1d"):
        for size in (1, 4, 7):
            forward_case(f"s13_{module.lower()}_{size}", module, {"output_size": size}, [2, 3, 7])


def pool2d_shape_cases():
    """Issue 13 leftovers: nn.MaxPool2d, nn.AvgPool2d and the 2-D adaptive poolings (channels first)."""
    x = [2, 3, 7, 6]
    for module in ("MaxPool2d", "AvgPool2d"):
        m = module.lower()
        shape_case(f"p2d_{m}_2", module, {"kernel_size": 2}, x)
        shape_case(f"p2d_{m}_rect_stride", module, {"kernel_size": [3, 2], "stride": [2, 1]}, x)
        shape_case(f"p2d_{m}_pad_ceil", module, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, x)
        shape_case(f"p2d_{m}_ceil_drop_last", module, {"kernel_size": 2, "stride": 2, "padding": 1,
                                                       "ceil_mode": True}, [2, 3, 7, 5])
        shape_case(f"p2d_{m}_pad_too_big", module, {"kernel_size": 2, "padding": [0, 2]}, x)
        shape_case(f"p2d_{m}_too_small", module, {"kernel_size": [8, 2]}, x)
    shape_case("p2d_maxpool2d_dilation", "MaxPool2d", {"kernel_size": 3, "dilation": [2, 1], "padding": 1}, x)
    shape_case("p2d_avgpool2d_divisor", "AvgPool2d", {"kernel_size": 3, "padding": 1, "divisor_override": 4}, x)
    for module in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        m = module.lower()
        for size in (1, [2, 3], [4, 4], [7, 12]):
            tag = size if isinstance(size, int) else "x".join(map(str, size))
            shape_case(f"p2d_{m}_{tag}", module, {"output_size": size}, x)


def unflatten_shape_cases():
    """nn.Unflatten: TimeDistributed's per-frame modules put the time axis back with Unflatten(0, (-1, T))."""
    shape_case("unflatten_1", "Unflatten", {"dim": 1, "unflattened_size": [2, 3]}, [2, 6, 5])
    shape_case("unflatten_infer", "Unflatten", {"dim": 1, "unflattened_size": [-1, 3]}, [2, 6, 5])
    shape_case("unflatten_last", "Unflatten", {"dim": -1, "unflattened_size": [5, 1]}, [2, 6, 5])
    shape_case("unflatten_batch", "Unflatten", {"dim": 0, "unflattened_size": [-1, 2]}, [4, 6, 5])
    shape_case("unflatten_wrong_product", "Unflatten", {"dim": 1, "unflattened_size": [4, 2]}, [2, 6, 5])
    shape_case("unflatten_two_inferred", "Unflatten", {"dim": 1, "unflattened_size": [-1, -1]}, [2, 6, 5])
    forward_case("unflatten_1", "Unflatten", {"dim": 1, "unflattened_size": [2, 3]}, [2, 6, 5])
    forward_case("unflatten_last", "Unflatten", {"dim": -1, "unflattened_size": [5, 1]}, [2, 6, 5])


def pool2d_forward_cases():
    x = [2, 3, 7, 6]
    forward_case("p2d_maxpool2d", "MaxPool2d", {"kernel_size": 2}, x)
    forward_case("p2d_maxpool2d_pad_ceil", "MaxPool2d", {"kernel_size": 3, "stride": [2, 1], "padding": 1,
                                                        "ceil_mode": True}, x)
    forward_case("p2d_maxpool2d_dilation", "MaxPool2d", {"kernel_size": [3, 2], "dilation": [2, 2], "padding": 1}, x)
    forward_case("p2d_avgpool2d", "AvgPool2d", {"kernel_size": [3, 2], "stride": 2}, x)
    forward_case("p2d_avgpool2d_pad", "AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, x)
    forward_case("p2d_avgpool2d_pad_no_count", "AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1,
                                                            "count_include_pad": False}, x)
    forward_case("p2d_avgpool2d_ceil", "AvgPool2d", {"kernel_size": 2, "stride": 2, "padding": 1,
                                                    "ceil_mode": True}, x)
    forward_case("p2d_avgpool2d_divisor", "AvgPool2d", {"kernel_size": 3, "padding": 1, "divisor_override": 5}, x)
    for module in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        for size in (1, [2, 4], [7, 6], [3, 5]):
            tag = size if isinstance(size, int) else "x".join(map(str, size))
            forward_case(f"p2d_{module.lower()}_{tag}", module, {"output_size": size}, x)


# ---------------------------------------------------------------- forward

FORWARD_CASES = []


def tensor_json(t):
    return t.tolist()


def fill_state(m, g):
    """Overwrite every float tensor of the state_dict with seeded values."""
    with torch.no_grad():
        for name, t in m.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            else:
                t.copy_(torch.rand(t.shape, generator=g) - 0.5)
    return {name: tensor_json(t) for name, t in m.state_dict().items()}


def forward_case(case_id, module, args, input_shape, input_dtype="float64", high=None, values=None,
                 note=None, setup=None, hx=None):
    g = generator(case_id)
    m = build(module, args).eval()
    state = fill_state(m, g)
    if setup:
        setup(m)
        state = {name: tensor_json(t) for name, t in m.state_dict().items()}
    x = make_input(input_shape, input_dtype, g, high, values)
    states = None if hx is None else [torch.rand(tuple(shape), generator=g) - 0.5 for shape in hx]
    with torch.no_grad():
        outs, _ = call(m, module, x, None if states is None else states[0] if len(states) == 1 else tuple(states))
    case = {"id": case_id, "module": module, "args": args, "input_dtype": input_dtype,
            "input": tensor_json(x), "state_dict": state}
    if states is not None:
        case["hx"] = [tensor_json(t) for t in states]
    case.update({k: tensor_json(v) for k, v in outs.items()})
    if note:
        case["note"] = note
    if module == "Embedding" and args.get("max_norm") is not None:
        case["state_dict_after"] = {name: tensor_json(t) for name, t in m.state_dict().items()}
    FORWARD_CASES.append(case)


def recurrent_forward_cases():
    combos = [  # (layers, bidirectional, bias, batch_first, proj_size)
        (1, False, True, True, 0), (1, False, True, False, 0), (2, False, True, True, 0),
        (3, False, True, False, 0), (1, True, True, True, 0), (2, True, True, False, 0),
        (3, True, True, True, 0), (1, False, False, True, 0), (2, True, False, False, 0),
    ]
    lstm_only = [(1, False, True, True, 2), (2, False, True, False, 2), (2, True, True, True, 2),
                 (3, True, False, False, 1), (1, True, False, True, 3)]
    tags = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn"}
    for module in RECURRENT:
        for i, (layers, bi, bias, bf, proj) in enumerate(combos + (lstm_only if module == "LSTM" else [])):
            hidden, features, seq = 3 + i % 3, 2 + i % 3, 3 + i % 4
            args = {"input_size": features, "hidden_size": hidden, "num_layers": layers, "bias": bias,
                    "batch_first": bf, "bidirectional": bi}
            if proj:
                args["proj_size"] = proj
            cid = (f"{tags[module]}_L{layers}{'_bi' if bi else ''}{'' if bias else '_nobias'}"
                   f"{'_bf' if bf else '_sf'}{f'_proj{proj}' if proj else ''}")
            forward_case(cid, module, args, [2, seq, features] if bf else [seq, 2, features])
        forward_case(f"{tags[module]}_unbatched", module, {"input_size": 3, "hidden_size": 4}, [5, 3],
                     note="unbatched (L, H_in) input: output (L, D*H_out), h_n (D*num_layers, H_out)")
        forward_case(f"{tags[module]}_unbatched_L2_bi_bf", module,
                     {"input_size": 3, "hidden_size": 2, "num_layers": 2, "bidirectional": True,
                      "batch_first": True}, [4, 3],
                     note="unbatched input: batch_first is ignored, the input is (L, H_in)")
        forward_case(f"{tags[module]}_L2_dropout_eval", module,
                     {"input_size": 3, "hidden_size": 3, "num_layers": 2, "dropout": 0.5}, [4, 2, 3],
                     note="dropout between layers is identity in eval()")
    forward_case("lstm_unbatched_proj_bi", "LSTM",
                 {"input_size": 3, "hidden_size": 4, "proj_size": 2, "bidirectional": True}, [5, 3])
    forward_case("rnn_relu_L1_bf", "RNN",
                 {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu", "batch_first": True}, [2, 5, 3])
    forward_case("rnn_relu_L2_bi_sf", "RNN",
                 {"input_size": 3, "hidden_size": 3, "nonlinearity": "relu", "num_layers": 2,
                  "bidirectional": True}, [4, 2, 3])
    forward_case("rnn_relu_nobias", "RNN",
                 {"input_size": 2, "hidden_size": 3, "nonlinearity": "relu", "bias": False}, [3, 2, 2])


def cell_shape_cases():
    """nn.LSTMCell, nn.GRUCell, nn.RNNCell: one timestep, (N, H_in) or unbatched (H_in,)."""
    for module in CELLS:
        c = module.lower()
        shape_case(f"{c}_basic", module, {"input_size": 5, "hidden_size": 4}, [3, 5])
        shape_case(f"{c}_no_bias", module, {"input_size": 5, "hidden_size": 3, "bias": False}, [2, 5])
        shape_case(f"{c}_unbatched", module, {"input_size": 4, "hidden_size": 2}, [4])
        shape_case(f"{c}_refuse_width", module, {"input_size": 4, "hidden_size": 2}, [2, 5])
        shape_case(f"{c}_refuse_3d", module, {"input_size": 4, "hidden_size": 2}, [2, 3, 4])
        shape_case(f"{c}_hidden_0_accepted", module, {"input_size": 4, "hidden_size": 0}, [2, 4])
    shape_case("rnncell_relu", "RNNCell", {"input_size": 3, "hidden_size": 2, "nonlinearity": "relu"}, [2, 3])
    shape_case("rnncell_refuse_nonlinearity", "RNNCell", {"input_size": 3, "hidden_size": 2,
                                                         "nonlinearity": "sigmoid"}, [2, 3])


def cell_forward_cases():
    for module in CELLS:
        c = module.lower()
        forward_case(f"{c}_basic", module, {"input_size": 3, "hidden_size": 4}, [2, 3])
        forward_case(f"{c}_no_bias", module, {"input_size": 3, "hidden_size": 2, "bias": False}, [2, 3])
        forward_case(f"{c}_unbatched", module, {"input_size": 3, "hidden_size": 2}, [3])
        states = [[2, 4], [2, 4]] if module == "LSTMCell" else [[2, 4]]
        forward_case(f"{c}_hx", module, {"input_size": 3, "hidden_size": 4}, [2, 3], hx=states)
    forward_case("rnncell_relu", "RNNCell", {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu"}, [2, 3])


def conv1d_forward_cases():
    base = {"in_channels": 3, "out_channels": 4, "kernel_size": 3}
    variants = [
        ("basic", {}), ("k1", {"kernel_size": 1}), ("stride2", {"stride": 2}), ("pad1", {"padding": 1}),
        ("pad_valid", {"padding": "valid"}), ("pad_same_k3", {"padding": "same"}),
        ("pad_same_k4", {"padding": "same", "kernel_size": 4}),
        ("pad_same_k2", {"padding": "same", "kernel_size": 2}),
        ("pad_same_k2_dil3", {"padding": "same", "kernel_size": 2, "dilation": 3}),
        ("dil2", {"dilation": 2}), ("dil2_pad2_stride2", {"dilation": 2, "padding": 2, "stride": 2}),
        ("groups3", {"groups": 3, "out_channels": 6}), ("depthwise", {"groups": 3, "out_channels": 3}),
        ("nobias", {"bias": False}),
        ("in2_groups2", {"in_channels": 2, "out_channels": 4, "groups": 2}),
    ]
    for mode in ("reflect", "replicate", "circular"):
        variants += [(f"mode_{mode}_pad2", {"padding_mode": mode, "padding": 2}),
                     (f"mode_{mode}_same_k4", {"padding_mode": mode, "padding": "same", "kernel_size": 4}),
                     (f"mode_{mode}_pad1_stride2", {"padding_mode": mode, "padding": 1, "stride": 2})]
    for tag, extra in variants:
        args = {**base, **extra}
        forward_case(f"conv1d_{tag}", "Conv1d", args, [2, args["in_channels"], 6])
    forward_case("conv1d_unbatched", "Conv1d", base, [3, 6], note="unbatched (C_in, L) input")


def conv2d_forward_cases():
    base = {"in_channels": 3, "out_channels": 4, "kernel_size": [2, 3]}
    variants = [
        ("basic", {}), ("stride_pair", {"stride": [2, 1]}), ("pad_pair", {"padding": [1, 2]}),
        ("pad_same", {"padding": "same"}), ("dil_pair", {"dilation": [2, 1]}),
        ("groups3", {"groups": 3, "out_channels": 6}), ("nobias", {"bias": False}),
        ("mode_reflect_pad1", {"padding_mode": "reflect", "padding": 1}),
        ("mode_replicate_same", {"padding_mode": "replicate", "padding": "same"}),
        ("mode_circular_pad_pair_stride2", {"padding_mode": "circular", "padding": [1, 2], "stride": 2}),
    ]
    for tag, extra in variants:
        forward_case(f"conv2d_{tag}", "Conv2d", {**base, **extra}, [2, 3, 6, 5])


def other_forward_cases():
    forward_case("linear_2d", "Linear", {"in_features": 3, "out_features": 2}, [2, 3])
    forward_case("linear_3d", "Linear", {"in_features": 3, "out_features": 4}, [2, 4, 3])
    forward_case("linear_1d", "Linear", {"in_features": 4, "out_features": 2}, [4])
    forward_case("linear_4d_nobias", "Linear", {"in_features": 3, "out_features": 2, "bias": False},
                 [2, 2, 3, 3])

    emb = {"num_embeddings": 6, "embedding_dim": 3}
    forward_case("embedding_2d", "Embedding", emb, [2, 4], "int64", high=6)
    forward_case("embedding_1d", "Embedding", emb, [5], "int64", high=6)
    forward_case("embedding_padding_idx", "Embedding", {**emb, "padding_idx": 0}, [2, 4], "int64",
                 values=[[0, 1, 2, 0], [5, 0, 3, 4]],
                 note="padding_idx only zeroes the row at initialisation and blocks its gradient; with a "
                      "loaded non-zero row, the lookup returns that row")
    forward_case("embedding_padding_idx_zero_row", "Embedding", {**emb, "padding_idx": -1}, [2, 4], "int64",
                 values=[[5, 1, 2, 5], [5, 0, 3, 4]],
                 setup=lambda m: m.weight.data[5].zero_(),
                 note="padding_idx=-1 means row num_embeddings-1; that row zeroed as torch initialises it")
    note = ("max_norm renormalises, in place during forward, each looked-up row whose norm_type-norm "
            "exceeds max_norm to max_norm/(norm+1e-7) times itself; state_dict is the weight BEFORE "
            "the call, state_dict_after the weight after it")
    forward_case("embedding_max_norm", "Embedding", {**emb, "max_norm": 0.5}, [2, 4], "int64",
                 values=[[0, 1, 2, 1], [4, 4, 3, 1]], note=note)
    forward_case("embedding_max_norm_type1", "Embedding", {**emb, "max_norm": 0.6, "norm_type": 1.0}, [2, 4],
                 "int64", values=[[0, 1, 2, 1], [4, 4, 3, 1]], note=note)

    forward_case("layernorm_int", "LayerNorm", {"normalized_shape": 4}, [2, 3, 4])
    forward_case("layernorm_list2", "LayerNorm", {"normalized_shape": [3, 4]}, [2, 3, 4],
                 note="normalises jointly over the last two axes; weight and bias are (3, 4)")
    forward_case("layernorm_no_affine", "LayerNorm", {"normalized_shape": 4, "elementwise_affine": False},
                 [2, 3, 4])
    forward_case("layernorm_no_bias_eps", "LayerNorm", {"normalized_shape": 4, "bias": False, "eps": 0.1},
                 [2, 3, 4])

    note_bn = "eval(): (x - running_mean) / sqrt(running_var + eps) * weight + bias, per channel (axis 1)"
    forward_case("batchnorm1d_2d", "BatchNorm1d", {"num_features": 3}, [2, 3], note=note_bn)
    forward_case("batchnorm1d_3d", "BatchNorm1d", {"num_features": 3}, [2, 3, 4], note=note_bn)
    forward_case("batchnorm1d_no_affine_eps", "BatchNorm1d", {"num_features": 3, "affine": False, "eps": 0.1},
                 [2, 3, 4], note=note_bn)
    forward_case("batchnorm1d_momentum_none", "BatchNorm1d", {"num_features": 3, "momentum": None},
                 [2, 3, 4], note="momentum does not affect eval() output")
    forward_case("batchnorm1d_no_running_stats", "BatchNorm1d",
                 {"num_features": 3, "track_running_stats": False}, [4, 3, 2],
                 note="without running stats, eval() normalises with the batch's own statistics "
                      "(biased variance over batch and length axes)")

    forward_case("dropout_eval", "Dropout", {"p": 0.5}, [2, 3, 4], note="eval(): identity")
    forward_case("flatten_default", "Flatten", {}, [2, 3, 4])
    forward_case("flatten_start2", "Flatten", {"start_dim": 2}, [2, 2, 3, 2])
    forward_case("relu", "ReLU", {}, [2, 3, 4])
    forward_case("tanh", "Tanh", {}, [2, 3, 4])
    forward_case("sigmoid", "Sigmoid", {}, [2, 3, 4])


# ---------------------------------------------------------------- chains

CHAIN_CASES = []
PSEUDO_STEPS = {
    "LastTimestep": "out[:, -1] if the preceding recurrent step has batch_first (args.batch_first "
                    "repeats it), else out[-1]",
    "HiddenState": "args.state ('h_n' or 'c_n') of the most recent recurrent step, indexed on its first "
                   "axis by args.index (h_n[-1] is the last layer's LAST direction: reverse when "
                   "bidirectional)",
    "Transpose": "x.transpose(args.dim0, args.dim1)",
}


def chain_case(case_id, steps, input_shape, input_dtype="float64", high=None):
    g = generator(case_id)
    modules, state_dicts = {}, {}
    for i, step in enumerate(steps):
        if step["module"] in PSEUDO_STEPS:
            continue
        m = build(step["module"], step.get("args", {})).eval()
        state = fill_state(m, g)
        if state:
            state_dicts[str(i)] = state
        modules[i] = m
    x = make_input(input_shape, input_dtype, g, high)
    y, last_states = x, None
    with torch.no_grad():
        for i, step in enumerate(steps):
            name, args = step["module"], step.get("args", {})
            if name == "LastTimestep":
                y = y[:, -1] if args["batch_first"] else y[-1]
            elif name == "HiddenState":
                y = last_states[args["state"]][args["index"]]
            elif name == "Transpose":
                y = y.transpose(args["dim0"], args["dim1"])
            else:
                outs, _ = call(modules[i], name, y)
                y = outs["output"]
                if name in RECURRENT:
                    last_states = outs
    CHAIN_CASES.append({"id": case_id, "chain": steps, "input_dtype": input_dtype, "input": tensor_json(x),
                        "state_dicts": state_dicts, "output": tensor_json(y)})


def chain_cases():
    chain_case("chain_embedding_lstm_last_linear", [
        {"module": "Embedding", "args": {"num_embeddings": 7, "embedding_dim": 3, "padding_idx": 0}},
        {"module": "LSTM", "args": {"input_size": 3, "hidden_size": 4, "batch_first": True}},
        {"module": "LastTimestep", "args": {"batch_first": True}},
        {"module": "Linear", "args": {"in_features": 4, "out_features": 1}},
        {"module": "Sigmoid", "args": {}},
    ], [2, 5], "int64", high=7)
    chain_case("chain_conv_relu_transpose_lstm_hidden_linear", [
        {"module": "Conv1d", "args": {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1}},
        {"module": "ReLU", "args": {}},
        {"module": "Transpose", "args": {"dim0": 1, "dim1": 2}},
        {"module": "LSTM", "args": {"input_size": 3, "hidden_size": 4, "batch_first": True}},
        {"module": "HiddenState", "args": {"state": "h_n", "index": -1}},
        {"module": "Linear", "args": {"in_features": 4, "out_features": 2}},
    ], [2, 2, 6])
    chain_case("chain_bilstm2_last_linear_tanh", [
        {"module": "LSTM", "args": {"input_size": 3, "hidden_size": 3, "num_layers": 2,
                                    "bidirectional": True}},
        {"module": "LastTimestep", "args": {"batch_first": False}},
        {"module": "Linear", "args": {"in_features": 6, "out_features": 2}},
        {"module": "Tanh", "args": {}},
    ], [4, 2, 3])
    chain_case("chain_bigru_hidden_cn_linear", [
        {"module": "GRU", "args": {"input_size": 2, "hidden_size": 3, "bidirectional": True,
                                   "batch_first": True}},
        {"module": "HiddenState", "args": {"state": "h_n", "index": -1}},
        {"module": "Linear", "args": {"in_features": 3, "out_features": 2}},
    ], [2, 5, 2])
    chain_case("chain_lstm_proj_cell_state_linear", [
        {"module": "LSTM", "args": {"input_size": 3, "hidden_size": 4, "proj_size": 2, "num_layers": 2,
                                    "batch_first": True}},
        {"module": "HiddenState", "args": {"state": "c_n", "index": -1}},
        {"module": "Linear", "args": {"in_features": 4, "out_features": 1}},
    ], [2, 4, 3])
    chain_case("chain_embedding_transpose_conv_bn_relu_flatten_linear", [
        {"module": "Embedding", "args": {"num_embeddings": 8, "embedding_dim": 3}},
        {"module": "Transpose", "args": {"dim0": 1, "dim1": 2}},
        {"module": "Conv1d", "args": {"in_channels": 3, "out_channels": 4, "kernel_size": 2,
                                      "padding": "same"}},
        {"module": "BatchNorm1d", "args": {"num_features": 4}},
        {"module": "ReLU", "args": {}},
        {"module": "Flatten", "args": {}},
        {"module": "Linear", "args": {"in_features": 20, "out_features": 2}},
    ], [2, 5], "int64", high=8)
    chain_case("chain_linear_layernorm_rnn_last_dropout", [
        {"module": "Linear", "args": {"in_features": 3, "out_features": 4}},
        {"module": "LayerNorm", "args": {"normalized_shape": 4}},
        {"module": "RNN", "args": {"input_size": 4, "hidden_size": 3, "nonlinearity": "relu"}},
        {"module": "LastTimestep", "args": {"batch_first": False}},
        {"module": "Dropout", "args": {"p": 0.5}},
    ], [5, 2, 3])


def dump_one_case_per_line(data):
    head = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items() if k != "cases")
    cases = ",\n".join(f"  {json.dumps(c)}" for c in data["cases"])
    return f"{{\n{head},\n \"cases\": [\n{cases}\n ]\n}}\n"


def main():
    recurrent_shape_cases()
    linear_shape_cases()
    embedding_shape_cases()
    conv1d_shape_cases()
    conv2d_shape_cases()
    norm_shape_cases()
    misc_shape_cases()
    cell_shape_cases()
    simple13_shape_cases()
    pool2d_shape_cases()
    recurrent_forward_cases()
    cell_forward_cases()
    conv1d_forward_cases()
    conv2d_forward_cases()
    other_forward_cases()
    simple13_forward_cases()
    pool2d_forward_cases()
    unflatten_shape_cases()
    chain_cases()
    for cases in (SHAPE_CASES, FORWARD_CASES + CHAIN_CASES):
        ids = [c["id"] for c in cases]
        assert len(ids) == len(set(ids)), "duplicate case ids"
    modules = {"torch_version": torch.__version__, "cases": SHAPE_CASES}
    forward = {"torch_version": torch.__version__, "dtype": "float64", "mode": "eval",
               "weights": "uniform [-0.5, 0.5]; BatchNorm1d running_var uniform [0.5, 1.5]",
               "pseudo_steps": PSEUDO_STEPS, "cases": FORWARD_CASES + CHAIN_CASES}
    for name, data in (("torch_modules.json", modules), ("torch_forward.json", forward)):
        with open(os.path.join(HERE, name), "w") as f:
            f.write(dump_one_case_per_line(data))
        print(f"{name}: {len(data['cases'])} cases")


if __name__ == "__main__":
    main()
