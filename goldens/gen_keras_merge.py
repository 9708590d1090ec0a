"""Reference numbers for lstmcalc's Keras merge layers, from real Keras 3.

Run from the repository root with Keras 3 and torch installed (lstmcalc and
its tests never import Keras; they read the JSON this script writes):

    KERAS_BACKEND=torch python goldens/gen_keras_merge.py

It writes ``keras_merge.json``: for every merge layer (Concatenate, Add,
Subtract, Multiply, Average, Maximum, Minimum, Dot), argument by argument over
its constructor (``axis``; ``axes`` as an int or a pair, negative, out of
range, the batch axis; ``normalize``; the base arguments ``name``, ``dtype``,
``trainable``), small functional models in the contract's section-7 form:
broadcasting ((None, 1, 8) with (None, 5, 8)), inputs of different ranks,
three inputs, a single input, variable sizes, and masked inputs (an Embedding
with ``mask_zero`` or a Masking layer in front of the merge, then an LSTM
with ``zero_output_for_mask`` after it, whose output shows the mask the merge
passed on). Each case records what ``gen_keras_graphs.run_case`` records: the
summary rows, or the error with its stage (``build`` or ``run``), and for
the models Keras runs a float64 forward pass (``forward``). The case's model
outputs are the merge's output and, for masked cases, the LSTM's.

The data is that of ``gen_keras_graphs`` except that input k (k = 0, 1, ...)
is rolled by k steps along axis 1, so that two masked inputs have padding at
different steps.

Precision: under Keras 3.15's torch backend, Maximum, Minimum and Dot compute
in float32 even on float64 tensors (``dtypes.result_type(torch.float64,
torch.float64)`` gives "float32" in ``backend/torch/numpy.py`` maximum,
minimum and matmul), so their outputs agree with an exact float64 pass to
about 3e-7, not 1e-12.
"""

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("KERAS_BACKEND", "torch")
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

import gen_keras_graphs as graphs  # noqa: E402
from gen_keras_graphs import G, I, L  # noqa: E402

OUT = Path(__file__).resolve().parent / "keras_merge.json"
ELEMENTWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
_make_inputs = graphs.make_inputs


def rolled_inputs(case_id, spec):
    """gen_keras_graphs's inputs, input k rolled by k steps (padding at different places)."""
    data = _make_inputs(case_id, spec)
    for k, inp in enumerate(graphs.input_specs(spec)):
        if data[inp["name"]].ndim >= 2:
            data[inp["name"]] = np.roll(data[inp["name"]], k, axis=1)
    return data


graphs.make_inputs = rolled_inputs


def merge(type_, shapes, **args):
    """inputs a, b, c... of the given shapes, merged by one layer (named m unless args name it)."""
    names = "abcdefg"[:len(shapes)]
    args.setdefault("name", "m")
    return G([I(n, s) for n, s in zip(names, shapes)], [L(type_, inputs=list(names), **args)])


def masked(type_, feeds, after=True, **args):
    """Each feed ("emb", "mask" or "plain") makes one (6, 4) input in front of the merge."""
    inputs, layers = [], []
    for k, feed in enumerate(feeds):
        name = f"x{k}"
        if feed == "emb":
            inputs.append(I(name, [6], "int32"))
            layers.append(L("Embedding", name=f"e{k}", input_dim=7, output_dim=4, mask_zero=True, inputs=name))
        elif feed == "mask":
            inputs.append(I(name, [6, 4]))
            layers.append(L("Masking", name=f"e{k}", inputs=name))
        else:
            inputs.append(I(name, [6, 4]))
            layers.append(L("Activation", name=f"e{k}", activation="linear", inputs=name))
    layers.append(L(type_, name="m", inputs=[f"e{k}" for k in range(len(feeds))], **args))
    outputs = ["m"]
    if after:
        layers.append(L("LSTM", name="rnn", units=3, return_sequences=True, zero_output_for_mask=True, inputs="m"))
        outputs.append("rnn")
    return G(inputs, layers, outputs=outputs)


def elementwise_cases(t):
    yield "same", merge(t, [[5, 8], [5, 8]])
    yield "2d", merge(t, [[8], [8]])
    yield "broadcast_1x8_5x8", merge(t, [[1, 8], [5, 8]])
    yield "broadcast_5x8_1x8", merge(t, [[5, 8], [1, 8]])
    yield "broadcast_5x1_1x8", merge(t, [[5, 1], [1, 8]])
    yield "ranks_5x8_8", merge(t, [[5, 8], [8]])
    yield "ranks_8_5x8", merge(t, [[8], [5, 8]])
    yield "ranks_4x5x8_8", merge(t, [[4, 5, 8], [8]])
    yield "ranks_5x8_5", merge(t, [[5, 8], [5]])
    yield "mismatch", merge(t, [[5, 8], [3, 8]])
    yield "null_vs_5", merge(t, [[None, 8], [5, 8]])
    yield "null_vs_null", merge(t, [[None, 8], [None, 8]])
    yield "null_vs_3", merge(t, [[None, 8], [3, 8]])
    yield "three", merge(t, [[5, 8], [1, 8], [5, 1]])
    yield "one", merge(t, [[5, 8]])
    yield "name", merge(t, [[4], [4]], name="merged")
    yield "dtype_float64", merge(t, [[4], [4]], dtype="float64")
    yield "trainable_false", merge(t, [[4], [4]], trainable=False)
    yield "mask_emb_emb", masked(t, ["emb", "emb"])
    yield "mask_emb_plain", masked(t, ["emb", "plain"])
    yield "mask_plain_emb", masked(t, ["plain", "emb"])
    yield "mask_masking_masking", masked(t, ["mask", "mask"])
    yield "mask_three", masked(t, ["emb", "emb", "emb"])
    yield "mask_three_partial", masked(t, ["emb", "plain", "emb"])


def concatenate_cases():
    t = "Concatenate"
    yield "default", merge(t, [[5, 8], [5, 3]])
    yield "axis_-1", merge(t, [[5, 8], [5, 3]], axis=-1)
    yield "axis_1", merge(t, [[5, 8], [3, 8]], axis=1)
    yield "axis_2", merge(t, [[5, 8], [5, 3]], axis=2)
    yield "axis_-2", merge(t, [[5, 8], [3, 8]], axis=-2)
    yield "axis_0", merge(t, [[5, 8], [5, 8]], axis=0)
    yield "axis_0_batch", dict(merge(t, [[5, 8], [5, 8]], axis=0), batch_size=2)
    yield "axis_3_out_of_range", merge(t, [[5, 8], [5, 8]], axis=3)
    yield "axis_-4_out_of_range", merge(t, [[5, 8], [5, 8]], axis=-4)
    yield "axis_3_one_input", merge(t, [[5, 8]], axis=3)
    yield "2d", merge(t, [[8], [3]])
    yield "three", merge(t, [[5, 8], [5, 1], [5, 2]])
    yield "one", merge(t, [[5, 8]])
    yield "mismatch", merge(t, [[5, 8], [4, 3]])
    yield "size_1_axis", merge(t, [[1, 8], [5, 3]])
    yield "ranks", merge(t, [[5, 8], [8]])
    yield "ranks_axis_2", merge(t, [[5], [5, 3]], axis=2)
    yield "null_other_axis", merge(t, [[None, 8], [5, 3]])
    yield "null_other_axis_second", merge(t, [[5, 8], [None, 3]])
    yield "null_joined_axis", merge(t, [[None, 8], [5, 8]], axis=1)
    yield "null_vs_3", merge(t, [[None, 8], [3, 2]])
    yield "name", merge(t, [[4], [4]], name="joined")
    yield "dtype_float64", merge(t, [[4], [4]], dtype="float64")
    yield "trainable_false", merge(t, [[4], [4]], trainable=False)
    for axis in (-1, 1):
        yield f"mask_emb_emb_axis_{axis}", masked(t, ["emb", "emb"], axis=axis)
        yield f"mask_emb_plain_axis_{axis}", masked(t, ["emb", "plain"], axis=axis)
        yield f"mask_plain_emb_axis_{axis}", masked(t, ["plain", "emb"], axis=axis)
        yield f"mask_masking_plain_axis_{axis}", masked(t, ["mask", "plain"], axis=axis)


def tag(axes):
    return "_".join(map(str, axes)) if isinstance(axes, list) else str(axes)


def dot_cases():
    t = "Dot"
    for axes in (1, -1, [1, 1], [-1, -1], [1, -1]):
        yield f"2d_axes_{tag(axes)}", merge(t, [[8], [8]], axes=axes)
        yield f"2d_axes_{tag(axes)}_normalize", merge(t, [[8], [8]], axes=axes, normalize=True)
    for axes in (2, -1, 1, [1, 1], [2, 2], [1, 2], [2, 1], [-1, -2], [-2, -1], -2, -4):
        yield f"3d_axes_{tag(axes)}", merge(t, [[5, 8], [5, 8]], axes=axes)
        yield f"3d_axes_{tag(axes)}_normalize", merge(t, [[5, 8], [5, 8]], axes=axes, normalize=True)
    yield "3d_attention", merge(t, [[5, 8], [7, 8]], axes=[2, 2])
    yield "3d_attention_normalize", merge(t, [[5, 8], [7, 8]], axes=-1, normalize=True)
    yield "3d_values", merge(t, [[5, 7], [7, 8]], axes=[2, 1])
    yield "3d_2d", merge(t, [[5, 8], [8]], axes=[2, 1])
    yield "2d_3d", merge(t, [[8], [5, 8]], axes=[1, 2])
    yield "2d_3d_int", merge(t, [[8], [5, 8]], axes=-1)
    yield "4d_3d", merge(t, [[3, 4, 6], [6, 5]], axes=[3, 1], normalize=True)
    yield "mismatch", merge(t, [[5, 8], [5, 7]], axes=-1)
    yield "null_vs_8", merge(t, [[None, 8], [8, 5]], axes=[1, 1])
    yield "null_vs_null", merge(t, [[None, 8], [None, 3]], axes=[1, 1])
    yield "null_kept", merge(t, [[None, 8], [4, 8]], axes=-1)
    yield "axes_0", merge(t, [[5, 8], [5, 8]], axes=0)
    yield "axes_0_2d", merge(t, [[8], [8]], axes=0)
    yield "axes_pair_0", merge(t, [[5, 8], [5, 8]], axes=[0, 0])
    yield "axes_pair_-3", merge(t, [[5, 8], [5, 8]], axes=[-3, -3])
    yield "axes_3", merge(t, [[5, 8], [5, 8]], axes=3)
    yield "axes_pair_3", merge(t, [[5, 8], [5, 8]], axes=[3, 2])
    yield "axes_pair_-4", merge(t, [[5, 8], [5, 8]], axes=[-4, 2])
    yield "axes_three", merge(t, [[5, 8], [5, 8]], axes=[1, 2, 2])
    yield "axes_one", merge(t, [[5, 8], [5, 8]], axes=[2])
    yield "three_inputs", merge(t, [[8], [8], [8]], axes=-1)
    yield "one_input", merge(t, [[8]], axes=-1)
    yield "name", merge(t, [[4], [4]], axes=1, name="sim")
    yield "dtype_float64", merge(t, [[4], [4]], axes=1, dtype="float64")
    yield "trainable_false", merge(t, [[4], [4]], axes=1, trainable=False)
    yield "mask_emb_emb", masked(t, ["emb", "emb"], axes=[2, 2])


def all_cases():
    for t in ELEMENTWISE:
        for tag, spec in elementwise_cases(t):
            yield f"{t}_{tag}", spec
    for tag, spec in concatenate_cases():
        yield f"Concatenate_{tag}", spec
    for tag, spec in dot_cases():
        yield f"Dot_{tag}", spec


def main():
    cases = []
    for case_id, spec in all_cases():
        case = graphs.run_case(case_id, spec, forward=True)
        case.pop("summary_text", None)
        cases.append(case)
        print(case_id, case.get("error_stage", "ok"), case.get("error", "")[:100], file=sys.stderr)
    data = {"keras_version": graphs.keras.__version__, "backend": graphs.keras.backend.backend(),
            "batch": graphs.BATCH, "null_axis_length": graphs.NULL_FILL, "input_roll": "input k rolled by k on axis 1",
            "precision": "float64, except Maximum, Minimum and Dot: float32 in Keras's torch backend",
            "cases": cases}
    OUT.write_text(graphs.dump_one_case_per_line(data))
    print(f"wrote {len(cases)} cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
