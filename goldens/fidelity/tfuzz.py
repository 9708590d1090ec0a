"""Random PyTorch nn.Module sources → real torch numbers (run in /work/genv)."""

import json
import os
import random
import sys

import torch

OUT_DIR = os.environ.get("FIDELITY_DIR", "build/fidelity")
os.makedirs(f"{OUT_DIR}/models", exist_ok=True)

SEED, N = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(SEED)
ch = rng.choice
os.makedirs(f"{OUT_DIR}/tsrc", exist_ok=True)
out = []
for i in range(N):
    F = rng.randint(1, 8)
    T = rng.randint(2, 7)
    kind = ch(["LSTM", "GRU", "RNN"])
    H = rng.randint(1, 9)
    L = rng.randint(1, 3)
    bi = ch([True, False])
    bf = ch([True, False])
    args = [
        f"{F if rng.random() < 0.5 else 'input_size'}",
        f"hidden_size={H}",
        f"num_layers={L}",
        f"bidirectional={bi}",
        f"batch_first={bf}",
        f"bias={ch([True, False])}",
    ]
    if kind == "RNN":
        args.append(f"nonlinearity='{ch(['tanh', 'relu'])}'")
    if kind == "LSTM" and rng.random() < 0.3:
        args.append(f"proj_size={rng.randint(1, H - 1) if H > 1 else 0}")
    if L > 1 and rng.random() < 0.5:
        args.append("dropout=0.2")
    D = 2 if bi else 1
    Hout = H
    for a in args:
        if a.startswith("proj_size=") and int(a.split("=")[1]) > 0:
            Hout = int(a.split("=")[1])
    pre = ch(["none", "linear", "conv", "norm"])
    post = ch(["last", "mean", "hn", "all"])
    init = [f"        self.rnn = nn.{kind}({', '.join(args)})"]
    fwd = []
    x = "x"
    if pre == "linear":
        init.insert(0, f"        self.pre = nn.Linear({F}, {F})")
        fwd.append("        x = torch.relu(self.pre(x))")
    elif pre == "norm":
        init.insert(0, f"        self.norm = nn.LayerNorm({F})")
        fwd.append("        x = self.norm(x)")
    elif pre == "conv":
        init.insert(0, f"        self.conv = nn.Conv1d({F}, {F}, kernel_size=3, padding=1)")
        fwd.append(
            "        x = self.conv(x.transpose(1, 2)).transpose(1, 2)"
            if bf
            else "        x = self.conv(x.permute(1, 2, 0)).permute(2, 0, 1)"
        )
    if kind == "LSTM":
        fwd.append("        out, (h_n, c_n) = self.rnn(x)")
    else:
        fwd.append("        out, h_n = self.rnn(x)")
    C = rng.randint(1, 5)
    if post == "last":
        fwd.append("        y = out[:, -1, :]" if bf else "        y = out[-1]")
        width = D * Hout
    elif post == "mean":
        fwd.append(f"        y = out.mean(dim={1 if bf else 0})")
        width = D * Hout
    elif post == "hn":
        fwd.append("        y = h_n[-1]")
        width = Hout
    else:
        fwd.append("        y = torch.cat([h_n[-2], h_n[-1]], dim=1)" if bi else "        y = h_n[-1]")
        width = D * Hout if bi else Hout
    init.append(f"        self.fc = nn.Linear({width}, {C})")
    init.append(f"        self.drop = nn.Dropout({ch([0.0, 0.5])})")
    fwd.append("        return self.fc(self.drop(y))")
    src = (
        "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n"
        f"    def __init__(self, input_size={F}):\n        super().__init__()\n"
        + "\n".join(init)
        + "\n\n    def forward(self, x):\n"
        + "\n".join(fwd)
        + "\n\n\nmodel = Net()\n"
    )
    path = f"{OUT_DIR}/tsrc/t{SEED}_{i}.py"
    open(path, "w").write(src)
    shape = [T, F] if bf else [T, F]  # --input-shape is without the batch axis
    try:
        ns = {}
        exec(compile(src, path, "exec"), ns)
        m = ns["model"].eval()
        xs = torch.randn(*((2, T, F) if bf else (T, 2, F)))
        shapes = {}
        hooks = [
            mod.register_forward_hook(
                lambda mod, a, o, n=n, shapes=shapes: shapes.__setitem__(
                    n, list((o[0] if isinstance(o, tuple) else o).shape)
                )
            )
            for n, mod in m.named_modules()
            if n
        ]
        y = m(xs)
        from safetensors.torch import save_file

        m = m.double()
        xd = xs.double()
        with torch.no_grad():
            yd = m(xd)
        save_file({k: v.contiguous() for k, v in m.state_dict().items()}, path.replace(".py", ".safetensors"))
        params = {n: sum(p.numel() for p in mod.parameters()) for n, mod in m.named_modules() if n}
        out.append(
            {
                "id": f"t{SEED}_{i}",
                "path": path,
                "input_shape": [T, F],
                "batch_first": bf,
                "total": sum(p.numel() for p in m.parameters()),
                "params": params,
                "shapes": shapes,
                "out_shape": list(y.shape),
                "x": xd.tolist(),
                "y": yd.tolist(),
            }
        )
    except Exception as e:
        out.append({"id": f"t{SEED}_{i}", "path": path, "torch_error": f"{type(e).__name__}: {e}"[:200]})
json.dump(out, open(f"{OUT_DIR}/t{SEED}.json", "w"))
print(len(out), sum("total" in o for o in out))
