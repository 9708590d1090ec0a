"""Reference numbers for lstmcalc's PyTorch source reader (contract section 8), from real torch.

Run from the repository root with a Python that has torch installed (the
project itself and its tests never import torch; they only read the JSON this
script writes)::

    python goldens/gen_torch_sources.py

For each real model file in tests/data/sources/torch/ (public code, origin in
its first line) the file is executed in a namespace that already holds
``torch``, ``nn`` and ``F`` (snippets pasted from notebooks have no import
lines), the model is made with the constructor arguments of the case (the
same text lstmcalc gets as ``--init``) or taken from the module-level
variable, and a forward pass runs on a batch of ``BATCH`` inputs of the
case's shape (token ids below ``vocab`` for an integer input), in ``eval()``
mode. Forward hooks on every module of ``named_modules()`` record each call's
output shapes (a tuple output flattened, as the dialect indexes it:
``lstm[0]`` output, ``lstm[1]`` h_n, ``lstm[2]`` c_n).

It writes ``torch_sources.json`` next to itself: per case ``file``,
``model`` (the class or variable lstmcalc is asked for; null when lstmcalc
finds it alone), ``init`` (``--init``; null: the file instantiates the model itself), ``input_shape``, ``dtype``, ``batch``, and

- ``modules``: ``named_modules()`` order, without the root: ``name``,
  ``type``, ``params`` (``sum(p.numel() for p in m.parameters())``, the
  submodules' included), ``calls`` (per call, the flattened output shapes);
- ``call_order``: module names in the order of their first call (a hook
  fires when a module returns, so a container comes after its children);
- ``total_params``: ``sum(p.numel() for p in model.parameters())``;
- ``outputs``: the shapes of what forward returns, flattened;
- for the cases in ``FORWARD``, ``forward``: ``weights`` (each module's own
  ``state_dict`` tensors, keyed by module name, drawn uniform in [-0.5, 0.5] and rounded to six decimals),
  ``input`` (a batch of 2) and ``output`` (float64, ``eval()`` mode).
"""

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent / "tests" / "data" / "sources" / "torch"
OUT = HERE / "torch_sources.json"
BATCH = 3

CASES = [
    # (file, model, init, input_shape, dtype, vocab[, batch axis of the input: 0 unless given])
    ("hlr7999_lstm.py", None, "input_size=28, hidden_size=64, num_layers=1", [28, 28], "float32", None),
    ("her2_lstm_classifier.py", None, "input_dim=20, hidden_dim=8, num_layers=2, output_size=2", [20], "float32",
     None),
    ("amharic_bilstm_tagger.py", None, "vocab_size=5000, tagset_size=17, embedding_dim=100, hidden_dim=128", [40],
     "int64", 5000),
    ("drl_cbm_cnn_lstm.py", None, "input_size=6, hidden_size=64, num_layers=2, output_size=1", [30, 6], "float32",
     None),
    ("wheelchair_cnn_lstm.py", None, "input_size=8, hidden_size=64, num_classes=4", [250, 8], "float32", None),
    ("trajectory_gru_encoder.py", None, "input_size=2, hidden_size=32", [8, 2], "float32", None),
    ("tragt_transformer.py", None, "vocab_size=60, d_model=64, nhead=4, num_encoder_layers=2, dim_feedforward=128",
     [100], "int64", 60),
    ("customer_bigru.py", None, "input_dim=16, hidden_dim=64, output_dim=2, num_layers=2, dropout=0.2", [10, 16],
     "float32", None),
    ("nlpfolio_sentiment.py", None, "input_dim=300, hidden_dim=128, output_dim=3", [300], "float32", None),
    ("grace_sequential.py", None, None, [1, 28, 28], "float32", None),
    ("knowledge_distillation_bilstm.py", None, "", [20, 300], "float32", None),
    # written for the tests: the model instantiated at module level, picked by default or by --model
    ("synthetic_stacked_states.py", None, None, [15, 12], "float32", None),
    ("synthetic_shared_encoder.py", "net", None, [10, 6], "float32", None),
    ("synthetic_time_major.py", None, None, [7], "int64", 100),
    ("synthetic_seq_first_conv.py", None, None, [9, 3], "float32", None, 1),  # the batch is the input's axis 1
    ("synthetic_forgot_batch_first.py", None, None, [6, 10], "float32", None, 1),
    ("synthetic_scaled_embedding.py", None, None, [12], "int64", 1000),
]

# cases that also get a forward golden (`run` on the source file reproduces torch's output)
FORWARD = ("synthetic_stacked_states.py", "synthetic_shared_encoder.py", "synthetic_time_major.py",
           "her2_lstm_classifier.py", "synthetic_seq_first_conv.py", "synthetic_forgot_batch_first.py")


def flat_shapes(value):
    if isinstance(value, torch.Tensor):
        return [list(value.shape)]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in flat_shapes(v)]
    return []


def make(source, model, init):
    namespace = {"torch": torch, "nn": nn, "F": F, "__name__": "golden"}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - the goldens environment runs the real code
    instance = namespace.get(model or "model")
    if init is None and isinstance(instance, nn.Module):  # the model the file instantiates
        return instance
    kwargs = eval(f"dict({init or ''})", {})  # noqa: S307 - the case's own constructor arguments
    classes = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, nn.Module) and
               v.__module__ == namespace.get("__name__")]
    cls = namespace[model] if model else classes[-1]
    return cls(**kwargs)


def batched(shape, batch, axis):
    return (*shape[:axis], batch, *shape[axis:])


def forward_golden(net, shape, dtype, vocab, axis=0):
    """A forward pass on seeded weights: state_dict tensors keyed by module name (as `run --weights` reads
    them), the input (batch 2) and the output, float64, eval() mode."""
    torch.manual_seed(1)
    torch.set_default_dtype(torch.float64)  # initial states made in forward() follow the default
    net = net.double()
    weights = {}
    for name, module in net.named_modules():
        own = {k: v for k, v in module.state_dict().items() if "." not in k}
        if name and own:
            for v in own.values():
                v.uniform_(-0.5, 0.5)
                v.copy_(torch.round(v * 1e6) / 1e6)  # six decimals: a short JSON file
            weights[name] = {k: v.tolist() for k, v in own.items()}
    full = batched(shape, 2, axis)
    x = torch.randint(0, vocab, full) if dtype == "int64" else torch.rand(*full, dtype=torch.float64)
    with torch.no_grad():
        out = net(x)
    torch.set_default_dtype(torch.float32)
    return {"weights": weights, "input": x.tolist(), "output": out.tolist()}


def case(file, model, init, shape, dtype, vocab, axis=0):
    torch.manual_seed(0)
    net = make((SOURCES / file).read_text(), model, init)
    net.eval()
    records, order, hooks = {}, [], []
    for name, module in net.named_modules():
        if not name:
            continue
        records[name] = {"name": name, "type": type(module).__name__,
                         "params": sum(p.numel() for p in module.parameters()), "calls": []}

        def hook(mod, inputs, output, name=name):
            records[name]["calls"].append(flat_shapes(output))
            if name not in order:
                order.append(name)

        hooks.append(module.register_forward_hook(hook))
    if dtype == "int64":
        x = torch.randint(0, vocab, batched(shape, BATCH, axis))
    else:
        x = torch.randn(*batched(shape, BATCH, axis))
    with torch.no_grad():
        out = net(x)
    for h in hooks:
        h.remove()
    result = {"file": file, "model": model, "init": init, "input_shape": shape, "dtype": dtype, "batch": BATCH,
              "modules": list(records.values()), "call_order": order,
              "total_params": sum(p.numel() for p in net.parameters()), "outputs": flat_shapes(out)}
    if file in FORWARD:
        result["forward"] = forward_golden(net, shape, dtype, vocab, axis)
    return result


def main():
    cases = [case(*c) for c in CASES]
    lines = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)  # one case a line
    OUT.write_text(f'{{"torch": {json.dumps(torch.__version__)}, "cases": [\n{lines}\n]}}\n')
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
