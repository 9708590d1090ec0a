"""Reference numbers for lstmcalc's PyTorch merges `Cat` (torch.cat) and `Add` (+), from real torch.

Run from the repository root with torch installed (lstmcalc and its tests
never import torch; they read the JSON this script writes):

    python goldens/gen_torch_merge.py

It writes ``torch_merge.json`` with the case records of
``gen_torch_graphs.run_case`` (module output shapes per call, parameters, or
the error torch raised and its stage; a float64 forward pass for the cases
torch runs), over ``dim`` (every axis, negative, out of range), mismatched
and broadcast shapes (torch aligns shapes on the right, the batch axis
included), inputs of different ranks, three inputs and one. Shapes are those
of a batch of 2, a null axis 5 long.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_torch_graphs as graphs  # noqa: E402  (re-executes with a fixed hash seed)
from gen_torch_graphs import G, I, L  # noqa: E402

OUT = Path(__file__).resolve().parent / "torch_merge.json"


def merge(type_, shapes, **args):
    names = "abcdefg"[:len(shapes)]
    return G([I(n, s) for n, s in zip(names, shapes)], [L(type_, name="m", inputs=list(names), **args)])


def all_cases():
    for dim in (0, 1, 2, -1, -2, -3):
        yield f"Cat_dim_{dim}", merge("Cat", [[5, 4], [5, 4]], dim=dim)
    yield "Cat_dim_3_out_of_range", merge("Cat", [[5, 4], [5, 4]], dim=3)
    yield "Cat_dim_-4_out_of_range", merge("Cat", [[5, 4], [5, 4]], dim=-4)
    yield "Cat_widths", merge("Cat", [[5, 4], [5, 3]], dim=-1)
    yield "Cat_steps", merge("Cat", [[5, 4], [2, 4]], dim=1)
    yield "Cat_mismatch", merge("Cat", [[5, 4], [2, 3]], dim=-1)
    yield "Cat_size_1_no_broadcast", merge("Cat", [[1, 4], [5, 3]], dim=-1)
    yield "Cat_ranks", merge("Cat", [[5, 4], [4]], dim=-1)
    yield "Cat_three", merge("Cat", [[4], [2], [3]], dim=1)
    yield "Cat_one", merge("Cat", [[5, 4]], dim=-1)
    yield "Cat_null", merge("Cat", [[None, 4], [None, 3]], dim=-1)
    yield "Cat_null_vs_5", merge("Cat", [[None, 4], [5, 3]], dim=-1)
    yield "Cat_null_vs_3", merge("Cat", [[None, 4], [3, 3]], dim=-1)
    yield "Add_same", merge("Add", [[5, 4], [5, 4]])
    yield "Add_2d", merge("Add", [[4], [4]])
    yield "Add_broadcast_1x4_5x4", merge("Add", [[1, 4], [5, 4]])
    yield "Add_broadcast_5x1_1x4", merge("Add", [[5, 1], [1, 4]])
    yield "Add_ranks_batch_meets_steps", merge("Add", [[5, 4], [4]])
    yield "Add_ranks_batch_meets_2", merge("Add", [[2, 4], [4]])
    yield "Add_mismatch", merge("Add", [[5, 4], [3, 4]])
    yield "Add_three", merge("Add", [[5, 4], [1, 4], [5, 1]])
    yield "Add_one", merge("Add", [[5, 4]])
    yield "Add_null", merge("Add", [[None, 4], [None, 4]])
    yield "Add_null_vs_5", merge("Add", [[None, 4], [5, 4]])
    yield "Add_null_vs_1", merge("Add", [[None, 4], [1, 4]])
    yield "Add_null_vs_3", merge("Add", [[None, 4], [3, 4]])


def main():
    cases = [graphs.run_case(case_id, spec, forward=True) for case_id, spec in all_cases()]
    data = {"torch_version": graphs.torch.__version__, "dtype": "float64", "batch": graphs.BATCH,
            "null_axis_length": graphs.NULL_FILL, "cases": cases}
    OUT.write_text(graphs.dump_one_case_per_line(data))
    errors = sum("error" in c for c in cases)
    print(f"wrote {OUT.name}: {len(cases)} cases, {errors} errors")


if __name__ == "__main__":
    main()
