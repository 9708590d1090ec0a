"""Generate goldens/torch_attention.json: torch's MultiheadAttention, TransformerEncoderLayer,
TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and Transformer, as lstmcalc's PyTorch
dialect writes them.

Run from the repository root with a Python that has torch installed (lstmcalc and its tests never
import torch; they read the JSON this writes)::

    KERAS_BACKEND=torch /work/genv/bin/python goldens/gen_torch_attention.py

Each case holds the module and its constructor arguments as a spec writes them (`args`; the
stacks' `encoder_layer`/`decoder_layer` and `norm` nested), the call's flags (`call`) and mask tensors (`masks`),
the inputs in the module's layout (batch second without batch_first), torch's parameter count,
every `state_dict` tensor's name and shape, the shape of every output (`output`, and `weights`
unless need_weights is false), and a float64 forward in eval() with grad enabled (torch's slow
path: the maths), the state_dict drawn uniform in [-0.5, 0.5] (batch 2). `fast_output` is the same
call under torch.no_grad() (the fused fast path). Where torch refuses, the case holds `error`
("<ExceptionClass>: <first line>", never asserted word for word) and `error_stage`.
Seeded per case (CRC of its id): re-running writes the same file for the same torch.
"""

import copy
import json
import os
import warnings
import zlib

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float64)


def error_text(exc):
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0].strip() if lines else ''}"


STACKS = {"TransformerEncoder": "encoder_layer", "TransformerDecoder": "decoder_layer"}


def build(module, args):
    args = copy.deepcopy(args)
    if module in STACKS:
        inner = args.pop(STACKS[module])
        layer = getattr(nn, inner.pop("type"))(**inner)
        norm = args.pop("norm", None)
        norm = nn.LayerNorm(**{k: v for k, v in norm.items() if k != "type"}) if norm else None
        return getattr(nn, module)(layer, norm=norm, **args)
    return getattr(nn, module)(**args)


def mask_tensor(spec, g):
    """A mask from its description: {"kind": "bool"|"float"|"causal", "shape": [...]}."""
    shape = tuple(spec["shape"])
    if spec["kind"] == "causal":
        return torch.triu(torch.ones(shape, dtype=torch.bool), diagonal=1)
    if spec["kind"] == "lengths":  # padding at the end: True after each sequence's length
        return torch.tensor([[t >= n for t in range(shape[1])] for n in spec["lengths"]])
    if spec["kind"] == "bool":
        m = torch.rand(shape, generator=g) < 0.3
        m[..., 0] = False  # every row keeps one key: no NaN rows
        return m
    return torch.rand(shape, generator=g) * 2 - 1


def case(cid, module, args, inputs, call=None, masks=None):
    """inputs: {name: shape} in the module's layout (one for self-attention, else query, key, value)."""
    g = torch.Generator().manual_seed(zlib.crc32(cid.encode()))
    out = {"id": cid, "module": module, "args": args, "inputs_shape": inputs, "call": call or {},
           "masks": {}}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = build(module, args).eval()
    except Exception as exc:  # noqa: BLE001 - the refusal is the golden
        return {**out, "error": error_text(exc), "error_stage": "construction"}
    sd = m.state_dict()
    with torch.no_grad():
        for t in sd.values():
            t.copy_(torch.rand(t.shape, generator=g) - 0.5)
    out["params"] = sum(p.numel() for p in m.parameters())
    out["state_dict_shapes"] = {k: list(v.shape) for k, v in sd.items()}
    xs = {name: torch.rand(tuple(shape), generator=g) * 2 - 1 for name, shape in inputs.items()}
    kw = dict(call or {})
    for name, spec in (masks or {}).items():
        kw[name] = mask_tensor(spec, g)
        out["masks"][name] = kw[name].tolist()
    pos = list(xs.values())
    if module == "MultiheadAttention" and len(pos) == 1:
        pos = pos * 3
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = m(*pos, **kw)
            with torch.no_grad():
                fast = m(*pos, **kw)
    except Exception as exc:  # noqa: BLE001
        return {**out, "error": error_text(exc), "error_stage": "call"}
    out["inputs"] = {name: x.tolist() for name, x in xs.items()}
    out["state_dict"] = {k: v.tolist() for k, v in sd.items()}
    if module == "MultiheadAttention":
        (o, w), (fo, _) = y, fast
        out["output_shapes"] = {"output": list(o.shape), **({"weights": list(w.shape)} if w is not None else {})}
        out["output"], out["fast_output"] = o.tolist(), fo.tolist()
        if w is not None:
            out["weights"] = w.tolist()
    else:
        out["output_shapes"] = {"output": list(y.shape)}
        out["output"], out["fast_output"] = y.tolist(), fast.tolist()
    return out


def mha_cases():
    mha = "MultiheadAttention"
    yield case("mha-self-seqfirst", mha, {"embed_dim": 8, "num_heads": 2}, {"x": [4, 2, 8]})
    yield case("mha-cross-batchfirst", mha, {"embed_dim": 8, "num_heads": 4, "batch_first": True},
               {"q": [2, 3, 8], "k": [2, 5, 8], "v": [2, 5, 8]})
    yield case("mha-kdim-vdim", mha, {"embed_dim": 6, "num_heads": 3, "kdim": 3, "vdim": 5},
               {"q": [3, 2, 6], "k": [4, 2, 3], "v": [4, 2, 5]})
    yield case("mha-no-bias", mha, {"embed_dim": 8, "num_heads": 2, "bias": False, "batch_first": True},
               {"x": [2, 4, 8]})
    yield case("mha-bias-kv-zero-attn-per-head", mha,
               {"embed_dim": 8, "num_heads": 2, "add_bias_kv": True, "add_zero_attn": True, "kdim": 4, "vdim": 4},
               {"q": [3, 2, 8], "k": [5, 2, 4], "v": [5, 2, 4]}, call={"average_attn_weights": False})
    yield case("mha-masks", mha, {"embed_dim": 8, "num_heads": 2, "batch_first": True},
               {"q": [2, 3, 8], "k": [2, 4, 8], "v": [2, 4, 8]},
               masks={"key_padding_mask": {"kind": "bool", "shape": [2, 4]},
                      "attn_mask": {"kind": "float", "shape": [3, 4]}})
    yield case("mha-mask-3d", mha, {"embed_dim": 4, "num_heads": 2}, {"x": [3, 2, 4]},
               masks={"attn_mask": {"kind": "bool", "shape": [4, 3, 3]}})
    yield case("mha-no-weights", mha, {"embed_dim": 8, "num_heads": 2, "batch_first": True}, {"x": [2, 4, 8]},
               call={"need_weights": False})
    yield case("mha-causal-hint", mha, {"embed_dim": 8, "num_heads": 2, "batch_first": True}, {"x": [2, 4, 8]},
               call={"need_weights": False, "is_causal": True}, masks={"attn_mask": {"kind": "causal",
                                                                                      "shape": [4, 4]}})
    yield case("mha-bias-kv-with-masks", mha, {"embed_dim": 4, "num_heads": 1, "add_bias_kv": True}, {"x": [3, 2, 4]},
               masks={"key_padding_mask": {"kind": "bool", "shape": [2, 3]}})
    # refusals
    yield case("mha-heads-not-dividing", mha, {"embed_dim": 10, "num_heads": 3}, {"x": [3, 2, 10]})
    yield case("mha-causal-without-mask", mha, {"embed_dim": 8, "num_heads": 2}, {"x": [3, 2, 8]},
               call={"is_causal": True})
    yield case("mha-key-width", mha, {"embed_dim": 8, "num_heads": 2}, {"q": [3, 2, 8], "k": [4, 2, 5],
                                                                         "v": [4, 2, 8]})


def encoder_cases():
    tel, te = "TransformerEncoderLayer", "TransformerEncoder"
    yield case("tel-post-relu", tel, {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, {"x": [4, 2, 8]})
    yield case("tel-pre-gelu-batchfirst", tel, {"d_model": 8, "nhead": 4, "dim_feedforward": 12,
                                                "activation": "gelu", "norm_first": True, "batch_first": True,
                                                "layer_norm_eps": 1e-3}, {"x": [2, 3, 8]})
    yield case("tel-no-bias", tel, {"d_model": 6, "nhead": 3, "dim_feedforward": 10, "bias": False,
                                    "batch_first": True}, {"x": [2, 4, 6]})
    yield case("tel-padding-mask", tel, {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True},
               {"x": [2, 5, 8]}, masks={"src_key_padding_mask": {"kind": "bool", "shape": [2, 5]}})
    yield case("tel-causal", tel, {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True},
               {"x": [2, 4, 8]}, call={"is_causal": True}, masks={"src_mask": {"kind": "causal", "shape": [4, 4]}})
    yield case("tel-causal-without-mask", tel, {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, {"x": [4, 2, 8]},
               call={"is_causal": True})
    yield case("tel-default-ff", tel, {"d_model": 4, "nhead": 1}, {"x": [2, 2, 4]})
    layer = {"type": tel, "d_model": 8, "nhead": 2, "dim_feedforward": 16, "batch_first": True}
    yield case("te-2-norm", te, {"encoder_layer": layer, "num_layers": 2,
                                 "norm": {"type": "LayerNorm", "normalized_shape": 8}}, {"x": [2, 4, 8]})
    yield case("te-seqfirst-prenorm", te, {"encoder_layer": {**layer, "batch_first": False, "norm_first": True},
                                           "num_layers": 3, "enable_nested_tensor": False}, {"x": [3, 2, 8]})
    yield case("te-padding", te, {"encoder_layer": layer, "num_layers": 2}, {"x": [2, 5, 8]},
               masks={"src_key_padding_mask": {"kind": "lengths", "shape": [2, 5], "lengths": [3, 5]}})
    yield case("te-padding-not-at-end", te, {"encoder_layer": layer, "num_layers": 2}, {"x": [2, 5, 8]},
               masks={"src_key_padding_mask": {"kind": "bool", "shape": [2, 5]}})
    yield case("tel-heads-not-dividing", tel, {"d_model": 10, "nhead": 4}, {"x": [3, 2, 10]})


def decoder_cases():
    """TransformerDecoderLayer and TransformerDecoder: inputs [tgt, memory], memory of another length."""
    tdl, td = "TransformerDecoderLayer", "TransformerDecoder"
    base = {"d_model": 8, "nhead": 2, "dim_feedforward": 16}
    bf = {**base, "batch_first": True}
    yield case("tdl-post-relu", tdl, base, {"tgt": [4, 2, 8], "memory": [5, 2, 8]})
    yield case("tdl-pre-gelu-batchfirst", tdl, {"d_model": 8, "nhead": 4, "dim_feedforward": 12, "activation": "gelu",
                                                "norm_first": True, "batch_first": True, "layer_norm_eps": 1e-3},
               {"tgt": [2, 3, 8], "memory": [2, 6, 8]})
    yield case("tdl-no-bias", tdl, {"d_model": 6, "nhead": 3, "dim_feedforward": 10, "bias": False,
                                    "batch_first": True}, {"tgt": [2, 4, 6], "memory": [2, 3, 6]})
    yield case("tdl-masks", tdl, bf, {"tgt": [2, 4, 8], "memory": [2, 5, 8]},
               masks={"tgt_mask": {"kind": "causal", "shape": [4, 4]},
                      "memory_mask": {"kind": "float", "shape": [4, 5]},
                      "tgt_key_padding_mask": {"kind": "bool", "shape": [2, 4]},
                      "memory_key_padding_mask": {"kind": "bool", "shape": [2, 5]}})
    yield case("tdl-mask-3d", tdl, base, {"tgt": [3, 2, 8], "memory": [4, 2, 8]},
               masks={"tgt_mask": {"kind": "bool", "shape": [4, 3, 3]},
                      "memory_mask": {"kind": "bool", "shape": [4, 3, 4]}})
    yield case("tdl-tgt-causal", tdl, bf, {"tgt": [2, 4, 8], "memory": [2, 3, 8]}, call={"tgt_is_causal": True},
               masks={"tgt_mask": {"kind": "causal", "shape": [4, 4]}})
    yield case("tdl-memory-causal", tdl, bf, {"tgt": [2, 3, 8], "memory": [2, 5, 8]},
               call={"memory_is_causal": True}, masks={"memory_mask": {"kind": "causal", "shape": [3, 5]}})
    # the hint wins over a mask that is not causal (torch's SDPA path: no key padding mask, no weights)
    yield case("tdl-hint-over-mask", tdl, bf, {"tgt": [2, 4, 8], "memory": [2, 3, 8]}, call={"tgt_is_causal": True},
               masks={"tgt_mask": {"kind": "bool", "shape": [4, 4]}})
    yield case("tdl-default-ff", tdl, {"d_model": 4, "nhead": 1}, {"tgt": [2, 2, 4], "memory": [3, 2, 4]})
    yield case("td-2-norm", td, {"decoder_layer": {"type": tdl, **bf}, "num_layers": 2,
                                 "norm": {"type": "LayerNorm", "normalized_shape": 8}},
               {"tgt": [2, 4, 8], "memory": [2, 6, 8]})
    yield case("td-seqfirst-prenorm-masks", td, {"decoder_layer": {"type": tdl, **base, "norm_first": True},
                                                  "num_layers": 3},
               {"tgt": [4, 2, 8], "memory": [3, 2, 8]},
               masks={"tgt_mask": {"kind": "causal", "shape": [4, 4]},
                      "memory_key_padding_mask": {"kind": "bool", "shape": [2, 3]}})
    yield case("td-causal-hint", td, {"decoder_layer": {"type": tdl, **bf}, "num_layers": 2},
               {"tgt": [2, 5, 8], "memory": [2, 4, 8]}, call={"tgt_is_causal": True},
               masks={"tgt_mask": {"kind": "causal", "shape": [5, 5]}})
    # refusals
    yield case("tdl-heads-not-dividing", tdl, {"d_model": 10, "nhead": 4}, {"tgt": [3, 2, 10], "memory": [3, 2, 10]})
    yield case("tdl-causal-without-mask", tdl, base, {"tgt": [4, 2, 8], "memory": [5, 2, 8]},
               call={"tgt_is_causal": True})
    yield case("tdl-memory-causal-without-mask", tdl, base, {"tgt": [4, 2, 8], "memory": [5, 2, 8]},
               call={"memory_is_causal": True})
    yield case("tdl-memory-width", tdl, base, {"tgt": [4, 2, 8], "memory": [5, 2, 6]})
    yield case("td-causal-without-mask", td, {"decoder_layer": {"type": tdl, **bf}, "num_layers": 2},
               {"tgt": [2, 4, 8], "memory": [2, 4, 8]}, call={"tgt_is_causal": True})


def transformer_cases():
    """nn.Transformer: inputs [src, tgt]; an encoder and a decoder, each ending in a LayerNorm."""
    tr = "Transformer"
    small = {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 1, "dim_feedforward": 16}
    yield case("tr-small", tr, small, {"src": [5, 2, 8], "tgt": [3, 2, 8]})
    yield case("tr-batchfirst-prenorm-gelu-no-bias-masks", tr,
               {**small, "batch_first": True, "norm_first": True, "activation": "gelu", "bias": False,
                "layer_norm_eps": 1e-3}, {"src": [2, 5, 8], "tgt": [2, 4, 8]},
               masks={"src_key_padding_mask": {"kind": "bool", "shape": [2, 5]},
                      "tgt_mask": {"kind": "causal", "shape": [4, 4]},
                      "memory_key_padding_mask": {"kind": "bool", "shape": [2, 5]}})
    yield case("tr-causal-hints", tr, {**small, "batch_first": True}, {"src": [2, 4, 8], "tgt": [2, 3, 8]},
               call={"src_is_causal": True, "tgt_is_causal": True},
               masks={"src_mask": {"kind": "causal", "shape": [4, 4]}, "tgt_mask": {"kind": "causal", "shape": [3, 3]}})
    yield case("tr-defaults", tr, {"d_model": 4, "nhead": 1}, {"src": [2, 2, 4], "tgt": [2, 2, 4]})
    # refusals
    yield case("tr-src-causal-without-mask", tr, {**small, "batch_first": True}, {"src": [2, 4, 8], "tgt": [2, 3, 8]},
               call={"src_is_causal": True})
    yield case("tr-tgt-width", tr, small, {"src": [4, 2, 8], "tgt": [3, 2, 6]})


def main():
    cases = [*mha_cases(), *encoder_cases(), *decoder_cases(), *transformer_cases()]
    doc = {"torch": torch.__version__, "cases": cases}
    path = os.path.join(HERE, "torch_attention.json")
    with open(path, "w") as f:
        f.write('{"torch": ' + json.dumps(doc["torch"]) + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c) for c in cases))
        f.write("\n]}\n")
    print(f"{len(cases)} cases → {path}")


if __name__ == "__main__":
    main()
