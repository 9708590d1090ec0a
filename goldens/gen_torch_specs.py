"""Check the expect: blocks of the PyTorch gallery specs against real torch.

Run from the repository root with a Python that has torch and pyyaml::

    /work/devenv/bin/python goldens/gen_torch_specs.py [specs/pytorch_*.yaml ...]

Each spec's chain is built as torch modules (the pseudo steps LastTimestep,
HiddenState and Transpose as the indexing they stand for), run on a batch
of 2, and every layer's parameter count (sum of p.numel() over
parameters()) and output shape (batch axis removed) is printed next to the
spec's expect: values. Exit status 1 if any differs. The gallery specs are
batch first (the batch axis is axis 0 throughout).
"""

import glob
import sys

import torch
import yaml
from torch import nn

RECURRENT = ("LSTM", "GRU", "RNN")
INPUT_WIDTH = {"LSTM": "input_size", "GRU": "input_size", "RNN": "input_size", "Linear": "in_features",
               "LSTMCell": "input_size", "GRUCell": "input_size", "RNNCell": "input_size",
               "Conv1d": "in_channels", "BatchNorm1d": "num_features"}
WIDTH_AXIS = {"Conv1d": 1, "BatchNorm1d": 1}


def run(spec):
    shape = [2] + spec["input"]["shape"]
    if spec["input"].get("dtype", "float32").startswith("int"):
        vocab = spec["layers"][0]["num_embeddings"]
        x = torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(0))
    else:
        x = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    rows, states = [], None
    with torch.no_grad():
        for layer in spec["layers"]:
            kind = layer["type"]
            args = {k: v for k, v in layer.items() if k not in ("type", "name", "expect")}
            params = 0
            if kind == "LastTimestep":
                x = x[:, -1] if args.get("batch_first", True) else x[-1]
            elif kind == "HiddenState":
                x = states[args.get("state", "h_n")][args.get("index", -1)]
            elif kind == "Transpose":
                x = x.transpose(args["dim0"], args["dim1"])
            else:
                if kind in INPUT_WIDTH and INPUT_WIDTH[kind] not in args:
                    args[INPUT_WIDTH[kind]] = x.shape[WIDTH_AXIS.get(kind, -1)]
                m = getattr(nn, kind)(**args).eval()
                params = sum(p.numel() for p in m.parameters())
                out = m(x)
                if kind == "LSTM":
                    x, (h_n, c_n) = out
                    states = {"h_n": h_n, "c_n": c_n}
                elif kind in RECURRENT:
                    x, h_n = out
                    states = {"h_n": h_n}
                elif kind == "LSTMCell":  # (h', c'): the chain goes on with h'
                    x = out[0]
                else:
                    x = out
            rows.append((layer.get("name", kind), list(x.shape[1:]), params))
    return rows


def check(path) -> bool:
    with open(path) as f:
        spec = yaml.safe_load(f)
    ok = True
    print(f"{path} (torch {torch.__version__})")
    rows = run(spec)
    for layer, (name, shape, params) in zip(spec["layers"], rows):
        want = layer.get("expect", {})
        same = want.get("output_shape", shape) == shape and want.get("params", params) == params
        ok &= same
        print(f"  {'ok ' if same else 'DIFF'} {name:<16} output_shape {shape}  params {params:,}  expect {want}")
    total = sum(p for _, _, p in rows)
    model = spec.get("expect", {})
    same = model.get("total_params", total) == total and model.get("output_shape", rows[-1][1]) == rows[-1][1]
    ok &= same
    print(f"  {'ok ' if same else 'DIFF'} total_params {total:,}  output_shape {rows[-1][1]}  expect {model}")
    return ok


def main():
    paths = sys.argv[1:] or sorted(glob.glob("specs/pytorch_*.yaml"))
    results = [check(p) for p in paths]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
