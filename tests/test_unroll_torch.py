"""torch's nn.LSTM, nn.GRU and nn.RNN unrolled (`diagram SPEC --layer NAME`, and in `report`).

The weight names and shapes, the output's width and h_n/c_n that the picture
must show come from real torch: goldens/torch_modules.json, written by
goldens/gen_torch.py (torch 2.13), which records each module's parameters and
output shapes. One row per layer and direction, one column per step shown.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import lstmcalc
from lstmcalc.gather import unroll
from lstmcalc.render import svg
from lstmcalc.shapes import fmt_shape

from .conftest import ROOT
from .goldens import build, cases
from .test_diagram import check_scene

BY_ID = {c["id"]: c for c in cases("torch_modules.json")}
CASES = ["seed_lstm_10_128", "lstm_L1_sf", "lstm_L3_bi_sf", "gru_L2_bi_bf", "rnn_L2_sf", "rnn_relu_L2_bi_bf",
         "lstm_proj3_L2_bi_bf"]


def record_of(case: dict):
    """The golden module as the only layer of a pytorch spec (batch axis where torch sees it)."""
    a, shape = case["args"], case["input_shape"]
    axis = 0 if a.get("batch_first") else 1
    spec = {"framework": "pytorch", "input": {"shape": shape[:axis] + shape[axis + 1:]},
            "batch_size": shape[axis], "layers": [{"type": case["module"], "name": "m", **a}]}
    return build(spec).get("m")


def words(scene) -> list[str]:
    return [t.text for t in scene.texts]


@pytest.mark.parametrize("case_id", CASES)
def test_every_step_shows_torch_weights_and_outputs(case_id):
    case = BY_ID[case_id]
    a, shape, out = case["args"], case["input_shape"], case["outputs"]
    scene = unroll.scene(record_of(case))
    check_scene(scene)
    ET.fromstring(svg.svg(scene))
    t = shape[1] if a.get("batch_first") else shape[0]
    shown = list(range(1, t + 1)) if t <= 5 else [1, 2, 3, t]
    columns = len(shown) + (t > 5)
    text = words(scene)
    rows = out["h_n"][0]  # D·num_layers
    for c in shown:
        assert text.count(f"{case['module']} t={c}") == rows
        assert f"x_{c} ({shape[2]})" in text
    if t > 5:
        assert text.count(f"{case['module']} t=…") == rows
    weights = [p for p in case["parameters"] if p["name"].startswith(("weight_ih", "weight_hh", "weight_hr"))]
    for p in weights:  # the same weights, with torch's shapes, at every step
        at = [i for i, w in enumerate(text) if w == p["name"]]
        assert len(at) == columns, p
        assert all(text[i + 1] == fmt_shape(tuple(p["shape"])) for i in at), p
    index = (lambda c: f"[:, {c - 1}]") if a.get("batch_first") else (lambda c: f"[{c - 1}]")
    assert [w for w in text if w.startswith("output[")] == [f"output{index(c)} ({out['output'][2]})" for c in shown]
    assert sorted(w for w in text if w.startswith("h_n[")) == sorted(
        f"h_n[{i}] ({out['h_n'][2]})" for i in range(rows))
    want_c = sorted(f"c_n[{i}] ({out['c_n'][2]})" for i in range(rows)) if "c_n" in out else []
    assert sorted(w for w in text if w.startswith("c_n[")) == want_c
    bidirectional = a.get("bidirectional", False)
    concat = f"concat ({out['output'][2]})"
    assert text.count(concat) == (len(shown) * (a.get("num_layers", 1) - 1) if bidirectional else 0)


def test_reverse_rows_run_right_to_left():
    """A reverse row's states flow from t to t-1, and its h_n leaves at t=1 (the left); forward at the right."""
    scene = unroll.scene(record_of(BY_ID["gru_L2_bi_bf"]))
    rects = {r.id: r for r in scene.rects}
    for d, side in ((0, "right"), (1, "left")):
        final, first, last = rects[f"s1_{d}"], rects[f"c1_{d}_0"], rects[f"c1_{d}_4"]
        assert (final.x > last.x) if side == "right" else (final.x + final.w < first.x)
    state = [a for a in scene.arrows if a.kind == "state"]
    for row in ("c0_1", "c1_1"):
        y = rects[f"{row}_0"].y + rects[f"{row}_0"].h / 2
        inner = [a for a in state if a.points[0][1] == y and len(a.points) == 2]
        assert inner and all(a.points[0][0] > a.points[-1][0] for a in inner)  # every one points left


def test_short_sequence_without_ellipsis(run):
    spec = run.spec("""
framework: pytorch
input: {shape: [4, 3]}
layers:
  - {type: LSTM, name: lstm, hidden_size: 2, num_layers: 2, batch_first: true}
""")
    scene = unroll.scene(lstmcalc.load(str(spec)).get("lstm"))
    check_scene(scene)
    text = words(scene)
    assert not any("…" in w for w in text if w.startswith(("LSTM t=", "x_")))
    assert [w for w in text if w.startswith("output[")] == [f"output[:, {i}] (2)" for i in range(4)]


def test_torch_names_are_escaped(run):
    spec = run.spec("""
framework: pytorch
input: {shape: [6, 4]}
layers:
  - {type: GRU, name: "<script>alert(1)<x>", hidden_size: 3, bidirectional: true}
""")
    out = run("diagram", spec, "--layer", "<script>alert(1)<x>")
    assert out.exit_code == 0, out.output
    assert "<script>" not in out.stdout
    root = ET.fromstring(out.stdout)
    assert any("<script>alert(1)<x> (GRU)" in (t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}text"))
    page = run("report", spec).stdout
    assert "<script>" not in page and page.count("<svg") == 2


def test_report_of_a_torch_spec_unrolls_its_recurrent_module(run, tmp_path):
    out = tmp_path / "r.html"
    assert run("report", ROOT / "specs" / "pytorch_bigru_tagger.yaml", "-o", out).exit_code == 0
    page = out.read_text()
    assert page.count("<svg") == 2 and "gru unrolled" in page and "weight_ih_l1_reverse" in page
