"""Prove `lstmcalc export` and `convert-weights` in real Keras 3 and torch: goldens/export.json.

Run from the repository root in the goldens environment (Keras 3 on the torch backend, torch,
safetensors)::

    KERAS_BACKEND=torch /work/genv/bin/python goldens/gen_export.py

For every gallery spec (specs/*.yaml) and a set of seeded random specs in both dialects, and for
both targets, the generated module is EXECUTED: its Keras model's count_params() (or the torch
module's sum(p.numel())) and output shapes must equal lstmcalc's numbers for the exported model.
Then the source model is built in its own framework (from its own export) with random weights, the
weights are converted by lstmcalc (`.safetensors` for torch, `.weights.h5` for Keras), loaded into
the other framework, and both frameworks run the same input: outputs must agree within 1e-5.
Keras weights are drawn uniformly in ±0.1 (torch keeps its own initialisation, ±1/√hidden): with
±0.5 a 256-unit LSTM over 100 steps turns chaotic, and float32 rounding alone then separates any
two implementations by more than the tolerance.
A refusal (exit 2 naming the layer) is recorded with its message. tests/test_export.py asserts
that every row is ok or refused.
"""

import glob
import json
import os
import random
import sys
import tempfile
import types

import keras
import numpy as np
import safetensors.torch
import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lstmcalc.errors import SpecError  # noqa: E402
from lstmcalc.export.module import export_text  # noqa: E402
from lstmcalc.export.names import attributes  # noqa: E402
from lstmcalc.export.translate import translate  # noqa: E402
from lstmcalc.export.weights import convert, safetensors_bytes, state_dict  # noqa: E402
from lstmcalc.graph.build import build  # noqa: E402
from lstmcalc.sources.keras_h5 import write_keras3_weights  # noqa: E402
from lstmcalc.sources.spec import load, parse  # noqa: E402

BATCH, LENGTH, TOLERANCE = 2, 5, 1e-5
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "export.json")


def module_of(code: str):
    namespace = types.ModuleType("exported")
    exec(compile(code, "<exported>", "exec"), namespace.__dict__)
    return namespace


def framework_model(model, target):
    """(the model built from lstmcalc's own code, lstmcalc's model in that dialect, code)"""
    code = export_text(model, target)
    ns = module_of(code)
    if target == "keras":
        return ns.build_model(), code
    cls = next(v for v in vars(ns).values() if isinstance(v, type) and issubclass(v, torch.nn.Module)
               and v is not torch.nn.Module)
    return cls().eval(), code


def inputs_for(model, rng):
    data = []
    for r in model.input_records:
        shape = [r.output_shape[0] or BATCH] + [LENGTH if d is None else d for d in r.output_shape[1:]]
        vocab = next((n_r.args.get("input_dim") or n_r.args.get("num_embeddings") for n in model.nodes
                      if any(t.layer == r.name for t in n.inputs) for n_r in [model.get(n.layer)]
                      if n_r.type.name == "Embedding"), None)
        if vocab:
            data.append(rng.integers(0, vocab, size=shape))
        else:
            data.append(rng.uniform(-1, 1, size=shape).astype("float32"))
    return data


def run_framework(fw_model, target, data):
    if target == "keras":
        out = fw_model([d.astype("int32") if d.dtype.kind == "i" else d for d in data], training=False)
        out = out if isinstance(out, (list, tuple)) else [out]
        return [keras.ops.convert_to_numpy(o) for o in out]
    with torch.no_grad():
        out = fw_model(*[torch.from_numpy(d.astype("int64") if d.dtype.kind == "i" else d) for d in data])
    out = out if isinstance(out, tuple) else (out,)
    return [o.numpy() for o in out]


def shapes_of(outputs):
    return [list(o.shape[1:]) for o in outputs]


def expected_shapes(model):
    shapes = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
    return [[LENGTH if d is None else d for d in s[1:]] for s in shapes]


def keras_weights(fw_model, model, rng):
    """Random weights set into the Keras model, as lstmcalc's section-4 JSON."""
    def tensors(layer):
        if isinstance(layer, keras.layers.Bidirectional):
            return {"forward": tensors(layer.forward_layer), "backward": tensors(layer.backward_layer)}
        if isinstance(layer, keras.layers.TimeDistributed):
            return tensors(layer.layer)
        if isinstance(layer, keras.layers.RNN) and isinstance(layer.cell, keras.layers.StackedRNNCells):
            return [tensors(cell) for cell in layer.cell.cells]  # one mapping per cell (contract section 11)
        out = {}
        for v in layer.weights:
            name = v.path.split("/")[-1]
            if isinstance(layer, (keras.layers.MultiHeadAttention, keras.layers.GroupQueryAttention)):
                name = v.path.split("/")[-2]  # the sublayer: {"query": {"kernel", "bias"}, ...} (contract 11)
                out.setdefault(name, {})
                value = rng.uniform(-0.1, 0.1, size=tuple(v.shape)).astype("float32")
                v.assign(value)
                out[name][v.path.split("/")[-1]] = value.tolist()
                continue
            low, high = (0.5, 1.5) if "variance" in name else (-0.1, 0.1)
            value = rng.uniform(low, high, size=tuple(v.shape)).astype("float32")
            v.assign(value)
            out[name] = value.tolist()
        return out
    return {layer.name: tensors(layer) for layer in fw_model.layers if layer.weights}


def torch_weights(fw_model, model):
    """The torch module's (random) state_dict as lstmcalc's section-4 JSON (layer name -> tensors)."""
    by_attr = {a: n for n, a in attributes(model).items()}
    out = {}
    for key, value in fw_model.state_dict().items():
        attr, param = key.split(".", 1)
        if param == "num_batches_tracked":
            continue
        if param.startswith("running_var"):
            value = value.uniform_(0.5, 1.5)
        elif param.startswith("running_mean"):
            value = value.uniform_(-0.5, 0.5)
        out.setdefault(by_attr[attr], {})[param] = value.tolist()
    return out


def check(name, model, target):
    row = {"spec": name, "source": model.framework, "target": target}
    try:
        t = translate(model) if target != model.framework else None
    except SpecError as e:
        return {**row, "status": "refused", "reason": e.problem.message}
    exported = t.model if t else model
    try:
        fw, code = framework_model(model, target)
        counted = fw.count_params() if target == "keras" else sum(p.numel() for p in fw.parameters())
        rng = np.random.default_rng(0)
        data = inputs_for(model, rng)
        outputs = run_framework(fw, target, data)
        row.update(lstmcalc_params=exported.total_params, framework_params=int(counted),
                   shapes_ok=shapes_of(outputs) == expected_shapes(exported))
        ok = row["shapes_ok"] and counted == exported.total_params
        if t is not None:  # the source in its own framework, converted weights into the target
            src, _ = framework_model(model, model.framework)
            if model.framework == "keras":
                w = keras_weights(src, model, rng)
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "w.safetensors")
                    with open(path, "wb") as f:
                        f.write(safetensors_bytes(state_dict(t.model, convert(t, w))))
                    fw.load_state_dict(safetensors.torch.load_file(path), strict=True)
            else:
                w = torch_weights(src, model)
                src.load_state_dict({f"{attributes(model)[n]}.{k}": torch.tensor(v) for n, ts in w.items()
                                     for k, v in ts.items()}, strict=False)
                with tempfile.TemporaryDirectory() as tmp:  # through lstmcalc's .weights.h5 writer
                    path = os.path.join(tmp, "model.weights.h5")
                    write_keras3_weights(t.model, convert(t, w), path)
                    fw.load_weights(path)
            want = run_framework(src, model.framework, data)
            got = run_framework(fw, target, data)
            diff = max(float(np.max(np.abs(a - b))) for a, b in zip(want, got))
            row["max_abs_diff"] = diff
            ok = ok and diff <= TOLERANCE
        row["status"] = "ok" if ok else "fail"
    except Exception as e:  # noqa: BLE001 - a failure of the generated code is a result
        row.update(status="fail", reason=f"{type(e).__name__}: {e}"[:500])
    return row


# -- seeded random specs ------------------------------------------------------------------------

def random_keras(rng: random.Random, k: int) -> dict:
    steps, feats = rng.choice([4, 6]), rng.choice([3, 5])
    layers = []
    if rng.random() < 0.4:
        layers.append({"type": "Conv1D", "filters": rng.choice([4, 6]), "kernel_size": rng.choice([2, 3]),
                       "padding": rng.choice(["valid", "same"]), "dilation_rate": rng.choice([1, 2]),
                       "activation": rng.choice([None, "relu"])})
    if rng.random() < 0.3:
        layers.append({"type": "BatchNormalization"})
    rnn = rng.choice(["LSTM", "GRU", "SimpleRNN"])
    seq = rng.random() < 0.5
    inner = {"type": rnn, "units": rng.choice([3, 4]), "return_sequences": seq,
             "use_bias": rng.random() < 0.8}
    if rnn == "SimpleRNN" and rng.random() < 0.3:
        inner["activation"] = "relu"
    if rng.random() < 0.4:
        layers.append({"type": "Bidirectional", "layer": inner,
                       "merge_mode": "concat" if seq else rng.choice(["concat", "sum"])})
    else:
        layers.append(inner)
    if seq and rng.random() < 0.5:
        layers.append({"type": "TimeDistributed", "layer": {"type": "Dense", "units": 3}})
    if rng.random() < 0.4:
        layers.append({"type": "LayerNormalization", "epsilon": 1e-5})
    if seq:
        layers.append({"type": "Flatten"})
    layers.append({"type": "Dense", "units": rng.choice([1, 2]), "activation": rng.choice([None, "sigmoid",
                                                                                            "softmax", "tanh"])})
    return {"name": f"random_keras_{k}", "input": {"shape": [steps, feats]}, "layers": layers}


def random_torch(rng: random.Random, k: int) -> dict:
    layers = []
    if rng.random() < 0.4:
        shape = [rng.choice([3, 4]), rng.choice([5, 6])]
        layers += [{"type": "Conv1d", "out_channels": 4, "kernel_size": rng.choice([2, 3]),
                    "padding": rng.choice([0, "same"])},
                   {"type": "BatchNorm1d"}, {"type": "ReLU"}, {"type": "Transpose", "dim0": 1, "dim1": 2}]
    else:
        shape = [rng.choice([4, 5]), rng.choice([3, 5])]
    rnn = rng.choice(["LSTM", "GRU", "RNN"])
    module = {"type": rnn, "hidden_size": rng.choice([3, 4]), "batch_first": True,
              "num_layers": rng.choice([1, 2]), "bias": rng.random() < 0.8}
    last = rng.choice(["sequence", "last", "h_n"])
    if last == "sequence" and rng.random() < 0.5:
        module["bidirectional"] = True
    if module["num_layers"] > 1 and rng.random() < 0.5:
        module["dropout"] = 0.2
    if rnn == "RNN" and rng.random() < 0.3:
        module["nonlinearity"] = "relu"
    layers.append(module)
    if last == "last":
        layers.append({"type": "LastTimestep"})
    elif last == "h_n":
        layers.append({"type": "HiddenState", "index": -1})
    else:
        layers.append({"type": "LayerNorm", "normalized_shape": module["hidden_size"] * (2 if module.get(
            "bidirectional") else 1)})
        layers.append({"type": "Flatten"})
    layers += [{"type": "Linear", "out_features": 2}, {"type": rng.choice(["Tanh", "Sigmoid", "ReLU"])}]
    return {"name": f"random_torch_{k}", "framework": "pytorch", "input": {"shape": shape}, "layers": layers}


# -- issue 13 leftovers: RNN over cells, Bidirectional(RNN), torch cells, 2-D front ends, ConvLSTM ---------

CELLS_2D = {
    "rnn_lstmcell": "input: {shape: [5, 3]}\nlayers:\n  - {type: RNN, cell: {type: LSTMCell, units: 4}}\n"
                    "  - {type: Dense, units: 2}\n",
    "rnn_grucell_sequences": "input: {shape: [5, 3]}\nlayers:\n  - {type: RNN, cell: {type: GRUCell, units: 3}, "
                             "return_sequences: true}\n  - {type: Flatten}\n",
    "rnn_simplernncell_relu_no_bias": "input: {shape: [5, 3]}\nlayers:\n  - {type: RNN, cell: {type: SimpleRNNCell, "
                                      "units: 3, activation: relu, use_bias: false}}\n",
    "rnn_stacked_lstmcells_state": "inputs: [{name: x, shape: [5, 3]}]\nlayers:\n  - {type: RNN, name: r, cell: "
                                   "[{type: LSTMCell, units: 3}, {type: LSTMCell, units: 3}], return_state: true, "
                                   "inputs: x}\n  - {type: Concatenate, name: states, inputs: ['r[1]', 'r[2]', "
                                   "'r[3]', 'r[4]']}\noutputs: ['r[0]', states]\n",
    "rnn_stacked_class_grucells": "input: {shape: [5, 3]}\nlayers:\n  - {type: RNN, cell: {type: StackedRNNCells, "
                                  "cells: [{type: GRUCell, units: 2}, {type: GRUCell, units: 2}, {type: GRUCell, "
                                  "units: 2}]}, return_sequences: true}\n",
    "rnn_mixed_cells": "input: {shape: [5, 3]}\nlayers:\n  - {type: RNN, cell: [{type: LSTMCell, units: 2}, "
                       "{type: GRUCell, units: 2}]}\n",
    "bidirectional_rnn_lstmcell": "input: {shape: [5, 3]}\nlayers:\n  - {type: Bidirectional, layer: {type: RNN, "
                                  "cell: {type: LSTMCell, units: 3}, return_sequences: true}}\n"
                                  "  - {type: Bidirectional, layer: {type: RNN, cell: {type: GRUCell, units: 2}}, "
                                  "merge_mode: sum}\n",
    "bidirectional_rnn_state": "inputs: [{name: x, shape: [5, 3]}]\nlayers:\n  - {type: Bidirectional, name: b, "
                               "layer: {type: RNN, cell: {type: LSTMCell, units: 2}, return_state: true}, "
                               "inputs: x}\noutputs: ['b[0]', 'b[1]', 'b[2]', 'b[3]', 'b[4]']\n",
    "bidirectional_rnn_stacked": "input: {shape: [5, 3]}\nlayers:\n  - {type: Bidirectional, layer: {type: RNN, "
                                 "cell: [{type: LSTMCell, units: 2}, {type: LSTMCell, units: 2}]}}\n",
    "torch_lstm_cell_classifier": "framework: pytorch\ninput: {shape: [3]}\nlayers:\n  - {type: LSTMCell, name: "
                                  "cell, hidden_size: 4}\n  - {type: Linear, out_features: 2}\n",
    "torch_lstm_cell_h_c": "framework: pytorch\ninputs: [{name: x, shape: [3]}]\nlayers:\n  - {type: LSTMCell, "
                           "name: cell, hidden_size: 4, bias: false, inputs: x}\noutputs: ['cell[0]', 'cell[1]']\n",
    "torch_gru_cell": "framework: pytorch\ninput: {shape: [3]}\nlayers:\n  - {type: GRUCell, hidden_size: 4}\n"
                      "  - {type: Tanh}\n",
    "torch_rnn_cell_relu": "framework: pytorch\ninput: {shape: [3]}\nlayers:\n  - {type: RNNCell, hidden_size: 4, "
                           "nonlinearity: relu}\n",
    "conv2d_channels_last": "input: {shape: [7, 6, 3]}\nlayers:\n  - {type: Conv2D, filters: 4, kernel_size: [3, 2], "
                            "activation: relu}\n  - {type: Conv2D, filters: 4, kernel_size: 3, padding: same, "
                            "dilation_rate: 2, groups: 2}\n  - {type: Conv2D, filters: 2, kernel_size: 2, strides: "
                            "[2, 1], use_bias: false}\n  - {type: Flatten}\n",
    "conv2d_same_even_kernel": "input: {shape: [6, 5, 2]}\nlayers:\n  - {type: Conv2D, filters: 3, kernel_size: "
                               "[2, 4], padding: same, activation: tanh}\n",
    "conv2d_channels_first": "input: {shape: [2, 6, 5]}\nlayers:\n  - {type: Conv2D, filters: 3, kernel_size: 3, "
                             "data_format: channels_first}\n  - {type: Flatten}\n  - {type: Dense, units: 2}\n",
    "conv2d_same_strides": "input: {shape: [6, 6, 2]}\nlayers:\n  - {type: Conv2D, filters: 2, kernel_size: 3, "
                           "padding: same, strides: 2}\n",
    "torch_conv2d": "framework: pytorch\ninput: {shape: [2, 7, 6]}\nlayers:\n  - {type: Conv2d, out_channels: 4, "
                    "kernel_size: [3, 2], stride: [2, 1]}\n  - {type: ReLU}\n  - {type: Conv2d, out_channels: 2, "
                    "kernel_size: 3, padding: same, dilation: 2, bias: false}\n  - {type: Flatten}\n",
    "pooling2d_channels_last": "input: {shape: [7, 6, 3]}\nlayers:\n  - {type: MaxPooling2D}\n"
                               "  - {type: Conv2D, filters: 2, kernel_size: 1}\n  - {type: AveragePooling2D, "
                               "pool_size: [2, 1], strides: 1}\n  - {type: GlobalAveragePooling2D}\n",
    "pooling2d_same_symmetric": "input: {shape: [7, 6, 2]}\nlayers:\n  - {type: MaxPooling2D, pool_size: 3, "
                                "strides: 1, padding: same}\n  - {type: AveragePooling2D, pool_size: 3, strides: 1, "
                                "padding: same}\n  - {type: GlobalMaxPooling2D, keepdims: true}\n",
    "pooling2d_channels_first": "input: {shape: [2, 6, 6]}\nlayers:\n  - {type: AveragePooling2D, pool_size: 2, "
                                "data_format: channels_first}\n  - {type: GlobalMaxPooling2D, data_format: "
                                "channels_first}\n",
    "pooling2d_same_uneven": "input: {shape: [6, 6, 2]}\nlayers:\n  - {type: MaxPooling2D, padding: same, "
                             "pool_size: 3, strides: 2}\n",
    "torch_pool2d": "framework: pytorch\ninput: {shape: [2, 8, 6]}\nlayers:\n  - {type: MaxPool2d, kernel_size: 2}\n"
                    "  - {type: AvgPool2d, kernel_size: [2, 1], stride: 1}\n  - {type: AdaptiveMaxPool2d, "
                    "output_size: [3, 1]}\n  - {type: AdaptiveAvgPool2d, output_size: 1}\n  - {type: Flatten}\n",
    "torch_pool2d_padding": "framework: pytorch\ninput: {shape: [2, 8, 6]}\nlayers:\n  - {type: MaxPool2d, "
                            "kernel_size: 3, padding: 1}\n",
    "time_distributed_2d": "input: {shape: [3, 7, 6, 2]}\nlayers:\n  - {type: TimeDistributed, layer: {type: Conv2D, "
                           "filters: 3, kernel_size: [3, 2], padding: same, activation: relu}}\n  - {type: "
                           "TimeDistributed, layer: {type: MaxPooling2D}}\n  - {type: TimeDistributed, layer: "
                           "{type: Flatten}}\n  - {type: GRU, units: 3, return_sequences: true}\n  - {type: "
                           "TimeDistributed, layer: {type: Dense, units: 2}}\n",
    "time_distributed_global_pool": "input: {shape: [4, 6, 6, 3]}\nlayers:\n  - {type: TimeDistributed, layer: "
                                    "{type: Conv2D, filters: 2, kernel_size: 3, data_format: channels_first}}\n  - "
                                    "{type: TimeDistributed, layer: {type: GlobalMaxPooling2D}}\n  - {type: LSTM, "
                                    "units: 2}\n",
    "time_distributed_null_steps": "input: {shape: [null, 6, 6, 3]}\nlayers:\n  - {type: TimeDistributed, layer: "
                                   "{type: Conv2D, filters: 2, kernel_size: 3}}\n",
    "crnn_reshape_gru": "input: {shape: [16, 8, 1]}\nlayers:\n  - {type: Conv2D, filters: 4, kernel_size: 3, "
                        "padding: same, activation: relu}\n  - {type: MaxPooling2D, pool_size: [2, 2]}\n  - {type: "
                        "Reshape, target_shape: [8, 16]}\n  - {type: Bidirectional, layer: {type: GRU, units: 3, "
                        "return_sequences: true}}\n  - {type: Reshape, target_shape: [-1, 2, 3]}\n  - {type: "
                        "Reshape, target_shape: [48]}\n  - {type: Dense, units: 5, activation: softmax}\n",
    "conv_lstm2d": "input: {shape: [3, 5, 5, 2]}\nlayers:\n  - {type: ConvLSTM2D, filters: 2, kernel_size: 3}\n",
}


def cells2d_cases():
    """(name, spec) for the cells, Bidirectional(RNN), torch cells, Conv2D/Conv2d and the refused 2-D layers."""
    return [(f"cells2d:{name}", parse(text, f"cells2d:{name}")) for name, text in CELLS_2D.items()]


# -- attention: Keras MultiHeadAttention <-> torch MultiheadAttention, and the clean refusals -------------

def attention_specs() -> list[dict]:
    """Attention layers in both dialects: exact equivalents (counts equal, converted weights give the same
    outputs) and the ones refused with their reason."""
    mha, tmha = "MultiHeadAttention", "MultiheadAttention"
    return [
        {"name": "attention_keras_mha_self", "input": {"shape": [5, 8]}, "layers": [
            {"type": mha, "name": "mha", "num_heads": 2, "key_dim": 4, "inputs": ["input_layer", "input_layer"]},
            {"type": "Dense", "units": 3}]},
        {"name": "attention_keras_mha_cross_scores",
         "inputs": [{"name": "q", "shape": [4, 8]}, {"name": "v", "shape": [6, 5]}, {"name": "k", "shape": [6, 3]}],
         "layers": [{"type": mha, "name": "mha", "num_heads": 2, "key_dim": 4, "inputs": ["q", "v", "k"],
                     "call": {"return_attention_scores": True}},
                    {"type": "Dense", "name": "d", "units": 3, "inputs": "mha[0]"}],
         "outputs": ["d", "mha[1]"]},
        {"name": "attention_keras_mha_no_bias", "inputs": [{"name": "q", "shape": [3, 6]},
                                                           {"name": "v", "shape": [7, 6]}],
         "layers": [{"type": mha, "name": "mha", "num_heads": 3, "key_dim": 2, "use_bias": False, "dropout": 0.1,
                     "inputs": ["q", "v"]}]},
        {"name": "attention_keras_mha_key_dim_refused", "input": {"shape": [5, 8]}, "layers": [
            {"type": mha, "num_heads": 2, "key_dim": 3, "inputs": ["input_layer", "input_layer"]}]},
        {"name": "attention_keras_mha_causal_refused", "input": {"shape": [5, 8]}, "layers": [
            {"type": mha, "num_heads": 2, "key_dim": 4, "inputs": ["input_layer", "input_layer"],
             "call": {"use_causal_mask": True}}]},
        {"name": "attention_keras_attention_refused", "input": {"shape": [5, 8]}, "layers": [
            {"type": "Attention", "inputs": ["input_layer", "input_layer"]}]},
        {"name": "attention_keras_gqa_refused", "input": {"shape": [5, 8]}, "layers": [
            {"type": "GroupedQueryAttention", "head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2,
             "inputs": ["input_layer", "input_layer"]}]},
        {"name": "attention_torch_mha_self", "framework": "pytorch", "input": {"shape": [5, 8]}, "layers": [
            {"type": tmha, "name": "mha", "embed_dim": 8, "num_heads": 2, "batch_first": True},
            {"type": "Linear", "out_features": 3, "inputs": "mha[0]"}]},
        {"name": "attention_torch_mha_kdim_per_head", "framework": "pytorch",
         "inputs": [{"name": "q", "shape": [4, 6]}, {"name": "k", "shape": [7, 3]}, {"name": "v", "shape": [7, 5]}],
         "layers": [{"type": tmha, "name": "mha", "embed_dim": 6, "num_heads": 3, "kdim": 3, "vdim": 5,
                     "batch_first": True, "inputs": ["q", "k", "v"], "call": {"average_attn_weights": False}},
                    {"type": "Linear", "name": "fc", "out_features": 2, "inputs": "mha[0]"}],
         "outputs": ["fc", "mha[1]"]},
        {"name": "attention_torch_mha_no_bias", "framework": "pytorch", "input": {"shape": [5, 4]}, "layers": [
            {"type": tmha, "name": "mha", "embed_dim": 4, "num_heads": 1, "bias": False, "batch_first": True}]},
        {"name": "attention_torch_mha_averaged_weights_refused", "framework": "pytorch", "input": {"shape": [5, 8]},
         "layers": [{"type": tmha, "name": "mha", "embed_dim": 8, "num_heads": 2, "batch_first": True}],
         "outputs": ["mha[0]", "mha[1]"]},
        {"name": "attention_torch_mha_bias_kv_refused", "framework": "pytorch", "input": {"shape": [5, 8]},
         "layers": [{"type": tmha, "name": "mha", "embed_dim": 8, "num_heads": 2, "batch_first": True,
                     "add_bias_kv": True}]},
        {"name": "attention_torch_transformer", "framework": "pytorch",
         "inputs": [{"name": "src", "shape": [6, 8]}, {"name": "tgt", "shape": [4, 8]}],
         "layers": [{"type": "TransformerEncoder", "name": "encoder", "num_layers": 2, "inputs": "src",
                     "encoder_layer": {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2,
                                       "dim_feedforward": 16, "batch_first": True}},
                    {"type": "TransformerDecoder", "name": "decoder", "num_layers": 2, "inputs": ["tgt", "encoder"],
                     "decoder_layer": {"type": "TransformerDecoderLayer", "d_model": 8, "nhead": 2,
                                       "dim_feedforward": 16, "batch_first": True, "norm_first": True},
                     "norm": {"type": "LayerNorm", "normalized_shape": 8}},
                    {"type": "Linear", "out_features": 5}]},
        {"name": "attention_torch_nn_transformer", "framework": "pytorch",
         "inputs": [{"name": "src", "shape": [6, 8]}, {"name": "tgt", "shape": [4, 8]}],
         "layers": [{"type": "Transformer", "name": "transformer", "d_model": 8, "nhead": 2, "num_encoder_layers": 1,
                     "num_decoder_layers": 2, "dim_feedforward": 16, "batch_first": True, "inputs": ["src", "tgt"]},
                    {"type": "Linear", "out_features": 5}]},
    ]


def attention_cases() -> list:
    return [(f"attention:{doc['name']}", parse(yaml.safe_dump(doc), f"attention:{doc['name']}"))
            for doc in attention_specs()]


def main():
    torch.manual_seed(0)
    keras.utils.set_random_seed(0)
    only = sys.argv[1:]  # spec paths: redo only their rows, keep the others as written
    paths = [p for p in only if not p.startswith("attention")]  # "attention": redo only the attention rows
    cases = [(path, load(path)) for path in (paths or ([] if only else sorted(glob.glob("specs/*.yaml"))))]
    cases += [c for c in attention_cases() if not only or "attention" in only or c[0] in only]
    rng = random.Random(15)
    for k in range(0 if only else 12):
        for doc in (random_keras(rng, k), random_torch(rng, k)):
            spec = parse(yaml.safe_dump(doc), f"random:{doc['name']}")
            cases.append((spec.file, spec))
    cases += cells2d_cases()
    rows = []
    if only:
        with open(OUT) as f:
            redone = {name for name, _ in cases}
            rows = [r for r in json.load(f)["rows"] if r["spec"] not in redone]
    for name, spec in cases:
        model = build(spec)
        for target in ("keras", "pytorch"):
            row = check(name, model, target)
            print(json.dumps(row), flush=True)
            rows.append(row)
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "torch": torch.__version__, "rows": rows}, f, indent=1)
        f.write("\n")
    failed = [r for r in rows if r["status"] == "fail"]
    print(f"{len(rows)} rows: {sum(r['status'] == 'ok' for r in rows)} ok, "
          f"{sum(r['status'] == 'refused' for r in rows)} refused, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
