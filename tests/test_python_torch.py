"""PyTorch source files read with `ast` (contract section 8): real public model
files give torch's own rows and totals (goldens/torch_sources.json, made by
goldens/gen_torch_sources.py with real torch), and every construct the
reader does not follow is refused with FILE:LINE:COL and exit status 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lstmcalc.cli import main
from lstmcalc.graph.build import build
from lstmcalc.sources import load

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "data" / "sources" / "torch"
GOLDEN = json.loads((ROOT / "goldens" / "torch_sources.json").read_text())
CASES = GOLDEN["cases"]
PSEUDO = {"InputLayer", "LastTimestep", "HiddenState", "Transpose", "Unsqueeze", "Cat", "Add", "View", "Permute",
          "Select", "Mean", "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "GELU", "LeakyReLU", "ELU", "Dropout",
          "Flatten", "Scale"}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def options(case) -> list[str]:
    out = ["--input-shape", ",".join(str(d) for d in case["input_shape"])]
    if case["init"]:
        out += ["--init", case["init"]]
    if case["model"]:
        out += ["--model", case["model"]]
    return out


def summary(case) -> dict:
    code, out = run("summary", SOURCES / case["file"], *options(case), "--format", "json",
                    "--batch-size", case["batch"])
    assert code == 0, out
    return json.loads(out)


def expected_rows(case) -> list[dict]:
    """The modules torch calls that lstmcalc shows as rows: children of the model or of an nn.Sequential."""
    types = {m["name"]: m["type"] for m in case["modules"]}
    rows = []
    for m in case["modules"]:
        parent = m["name"].rpartition(".")[0]
        if m["calls"] and m["type"] != "Sequential" and (not parent or types.get(parent) == "Sequential"):
            rows.append(m)
    return rows


def test_enough_real_files():
    real = [c for c in CASES if not c["file"].startswith("synthetic_")]
    assert len(real) >= 8
    for c in real:
        assert (SOURCES / c["file"]).read_text().startswith("# Origin: github.com/")


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_totals_match_torch(case):
    data = summary(case)
    assert data["framework"] == "pytorch"
    assert data["total_params"] == case["total_params"]
    assert sum(r["params"] for r in data["layers"]) == case["total_params"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_module_rows_match_torch(case):
    rows = {r["name"]: r for r in summary(case)["layers"]}
    module_rows = [r for r in rows.values() if r["type"] not in PSEUDO or r["name"] in
                   {m["name"] for m in case["modules"]}]
    expected = expected_rows(case)
    assert sorted(r["name"] for r in module_rows) == sorted(m["name"] for m in expected)
    for m in expected:
        row = rows[m["name"]]
        assert row["type"] == m["type"], m["name"]
        assert row["params"] == m["params"], m["name"]
        assert row["output_shape"] == m["calls"][-1][0], m["name"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_rows_in_call_order(case):
    names = [r["name"] for r in summary(case)["layers"]]
    wanted = {m["name"] for m in expected_rows(case)}
    assert [n for n in names if n in wanted] == [n for n in case["call_order"] if n in wanted]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_outputs_match_torch(case):
    model = build(load(str(SOURCES / case["file"]), model=case["model"],
                       input_shape=",".join(map(str, case["input_shape"])), init=case["init"]), case["batch"])
    shapes = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
    assert [list(s) for s in shapes] == case["outputs"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_import_gives_a_spec_with_the_same_rows(tmp_path, case):
    code, text = run("import", SOURCES / case["file"], *options(case))
    assert code == 0, text
    spec = tmp_path / "imported.yaml"
    spec.write_text(text)
    code, out = run("summary", spec, "--format", "json", "--batch-size", case["batch"])
    assert code == 0, out
    data = json.loads(out)
    assert data["total_params"] == case["total_params"]
    rows = {r["name"]: r for r in data["layers"]}
    for m in expected_rows(case):
        assert rows[m["name"]]["params"] == m["params"]
        assert rows[m["name"]]["output_shape"] == m["calls"][-1][0]


def test_a_module_never_called_is_named_in_a_note(tmp_path):
    path = tmp_path / "unused.py"
    path.write_text(net("self.fc = nn.Linear(n, 2)\nself.spare = nn.Linear(n, 8)", "return self.fc(x)"))
    code, out = run("summary", path, "--input-shape", "5,4", "--format", "plain")
    assert code == 0, out
    assert "note: line 10: self.spare (nn.Linear) is never called in forward()" in out


FORWARD = [c for c in CASES if "forward" in c]


def close(a, b, tol=1e-4) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    return abs(a - b) <= tol * max(1.0, abs(b))


@pytest.mark.parametrize("case", FORWARD, ids=[c["file"] for c in FORWARD])
def test_run_reproduces_torch(tmp_path, case):
    golden = case["forward"]
    weights, x = tmp_path / "w.json", tmp_path / "x.json"
    weights.write_text(json.dumps(golden["weights"]))
    x.write_text(json.dumps(golden["input"]))
    code, out = run("run", SOURCES / case["file"], *options(case), "--weights", weights, "--input", x,
                    "--format", "json")
    assert code == 0, out
    assert close(json.loads(out)["output"], golden["output"])


def test_a_loss_in_the_file_is_no_model(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(net("self.fc = nn.Linear(n, 2)\nself.loss = nn.CrossEntropyLoss()", "return self.fc(x)")
                    + "\nmodel = Net()\ncriterion = nn.CTCLoss()\noptimizer = torch.optim.Adam(model.parameters())\n"
                    "for epoch in range(3):\n    optimizer.zero_grad()\n")
    code, out = run("summary", path, "--input-shape", "5,4", "--format", "plain")
    assert code == 0, out
    assert "note: line 10: self.loss (nn.CrossEntropyLoss) is not modelled and forward() never calls it" in out


def test_training_script_around_the_model():
    path = SOURCES / "synthetic_training_script.py"
    code, out = run("summary", path, "--input-shape", "30,6")
    assert code == 2
    assert out.startswith(f"lstmcalc: {path}:12:14: lstmcalc does not follow the expression X_train.shape[2]")
    assert "--init 'input_size=...'" in out
    code, out = run("summary", path, "--input-shape", "30,6", "--init", "input_size=6", "--format", "json")
    assert code == 0, out
    assert [r["name"] for r in json.loads(out)["layers"]] == ["x", "lstm", "last_timestep", "fc"]


def test_one_module_of_a_sequential(tmp_path):
    path = tmp_path / "seq.py"
    path.write_text(net("self.seq = nn.Sequential(nn.Linear(n, 3), nn.Tanh(), nn.Linear(3, 2))",
                        "return self.seq[-1](self.seq[0](x))"))
    code, out = run("summary", path, "--input-shape", "5,4", "--format", "plain")
    assert code == 0, out
    assert "seq.0 (Linear)" in out and "seq.2 (Linear)" in out
    assert "note: line 9: self.seq.1 (nn.Tanh) is never called in forward()" in out


def test_integer_input_when_an_embedding_reads_it():
    case = next(c for c in CASES if c["file"] == "amharic_bilstm_tagger.py")
    code, out = run("import", SOURCES / case["file"], *options(case))
    assert code == 0, out
    assert "dtype: int64" in out


# -- which model -----------------------------------------------------------------------------------

def test_default_is_the_last_instance_and_the_others_are_named(tmp_path):
    code, out = run("summary", SOURCES / "synthetic_shared_encoder.py", "--input-shape", "10,6", "--format", "plain")
    assert code == 0, out
    assert "Siamese" in out.splitlines()[0]
    assert "other models too (Unused); this is 'net'" in out


def test_model_by_class_name_with_init():
    code, out = run("summary", SOURCES / "synthetic_shared_encoder.py", "--input-shape", "3",
                    "--model", "Unused", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["layers"][-1]["name"] == "fc"


def test_unknown_model_name_lists_the_models():
    code, out = run("summary", SOURCES / "synthetic_shared_encoder.py", "--input-shape", "10,6", "--model", "Nope")
    assert code == 2
    assert "no model named 'Nope'" in out and "net" in out and "Siamese" in out


def test_several_classes_and_no_instance_asks_for_model(tmp_path):
    path = tmp_path / "two.py"
    path.write_text("import torch.nn as nn\n"
                    "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                    "        self.fc = nn.Linear(3, 2)\n    def forward(self, x):\n        return self.fc(x)\n"
                    "class B(A):\n    pass\n"
                    "class C(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                    "        self.fc = nn.Linear(3, 1)\n    def forward(self, x):\n        return self.fc(x)\n")
    code, out = run("summary", path, "--input-shape", "3")
    assert code == 2
    assert "--model" in out and "A" in out and "C" in out and "Traceback" not in out


def test_init_overrides_defaults():
    code, out = run("summary", SOURCES / "synthetic_shared_encoder.py", "--input-shape", "4,6", "--model", "Siamese",
                    "--init", "hidden=8, steps=4", "--format", "json")
    assert code == 0, out
    rows = {r["name"]: r for r in json.loads(out)["layers"]}
    # torch's formula for one LSTM layer: 4·H·(F + H) + 8·H
    assert rows["encoder"]["params"] == 4 * 8 * (6 + 8) + 8 * 8


# -- refusals: FILE:LINE:COL, the construct, what to write instead; exit 2, no traceback --------------

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"


def net(init: str, forward: str) -> str:
    return (HEAD + "class Net(nn.Module):\n    def __init__(self, n=4):\n        super().__init__()\n"
            + "".join(f"        {line}\n" for line in init.splitlines())
            + "    def forward(self, x):\n" + "".join(f"        {line}\n" for line in forward.splitlines()))


REFUSALS = [
    ("loop_adding_layers",
     net("self.layers = []\nfor i in range(3):\n    setattr(self, f'fc{i}', nn.Linear(n, n))", "return x"),
     (10, 9), "a loop adding layers"),
    ("module_list", net("self.layers = nn.ModuleList([nn.Linear(n, n)])", "return x"), (9, 23), "nn.ModuleList"),
    ("function_building_the_model",
     HEAD + "def build(n):\n    return nn.Sequential(nn.Linear(n, 2))\n\nmodel = build(4)\n", (6, 1),
     "a function building the model"),
    ("getattr", net("self.rnn = getattr(nn, 'LSTM')(n, 8)", "return self.rnn(x)[0]"), (9, 20), "getattr"),
    ("time_loop_over_a_cell",
     net("self.cell = nn.LSTMCell(n, 8)",
         "h = torch.zeros(x.size(0), 8)\nc = torch.zeros(x.size(0), 8)\n"
         "for t in range(x.size(1)):\n    h, c = self.cell(x[:, t], (h, c))\nreturn h"),
     (13, 9), "time loop"),
    ("undefined_name", net("self.fc = nn.Linear(n, HIDDEN)", "return self.fc(x)"), (9, 32), "'HIDDEN'"),
    ("misspelt_keyword", net("self.lstm = nn.LSTM(n, 8, batch_frist=True)", "return self.lstm(x)[0]"), (9, 35),
     "did you mean batch_first"),
    ("unknown_nn_class", net("self.lstm = nn.LSTN(n, 8)", "return self.lstm(x)[0]"), (9, 21), "did you mean nn.LSTM"),
    ("not_modelled_nn_class", net("self.c = nn.Conv3d(n, 8, 3)", "return self.c(x)"), (9, 18), "does not model"),
    ("slice_of_a_range", net("self.fc = nn.Linear(n, 2)", "return self.fc(x[:, :5])"), (11, 24), "slice"),
    ("tensor_plus_number", net("self.fc = nn.Linear(n, 2)", "return self.fc(x) + 2"), (11, 16), "a number"),
    ("branch_on_data", net("self.fc = nn.Linear(n, 2)", "if x.sum() > 0:\n    x = -x\nreturn self.fc(x)"),
     (11, 9), "branch"),
    ("module_made_in_forward", net("self.fc = nn.Linear(n, 2)", "return nn.Linear(n, 2)(x)"), (11, 16),
     "created inside forward"),
    ("state_from_a_method",
     net("self.lstm = nn.LSTM(n, 8)\nself.hidden = self.init_hidden()",
         "out, self.hidden = self.lstm(x, self.hidden)\nreturn out")
     + "    def init_hidden(self):\n        return (torch.zeros(1, 1, 8), torch.zeros(1, 1, 8))\n",
     (10, 23), "the method self.init_hidden()"),
    ("tuple_passed_on_in_sequential",
     net("self.seq = nn.Sequential(nn.LSTM(n, 8), nn.Linear(8, 2))", "return self.seq(x)"), (11, 16),
     "tuple"),
]


@pytest.mark.parametrize("name, text, where, phrase", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal(tmp_path, name, text, where, phrase):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    code, out = run("summary", path, "--input-shape", "5,4")
    assert code == 2, out
    assert out.startswith(f"lstmcalc: {path}:{where[0]}:{where[1]}:"), out
    assert phrase in out
    assert "Traceback" not in out and len(out.strip().splitlines()) <= 2


REAL_REFUSALS = [
    ("master_thesis_time_loop.py", "input_size=4, hidden_size=8, output_size=1, layers_num=2, batch_size=1",
     (28, 9), "time loop"),
    ("pytorch_fun_word_language_model.py", "rnn_type='LSTM', ntokens=100, ninp=8, nhid=8, nlayers=2", (12, 24),
     "getattr"),
    ("pytorch_fun_word_language_model.py", "rnn_type='RNN_TANH', ntokens=100, ninp=8, nhid=8, nlayers=2",
     (27, 26), "second input 'hidden'"),
    ("fyshelab_lstm_randn_state.py", "layers=2, batch_size=4, output_size=2, hidden_size=8, vocab_size=50, "
     "embedding_length=6", (20, 15), "random tensor"),
    ("nanogpt_causal_attention.py", "embed_dim=32, num_heads=4, dropout=0.1", (13, 16),
     "generate_square_subsequent_mask"),
    ("attention_time_series.py", "input_size=5", (16, 29), "weights * lstm_out"),
    ("hlr7999_lstm.py", "input_size=28, hidden_size=64", (6, 5), "'num_layers'"),
    ("hlr7999_lstm.py", "input_size=28, hidden_size=64, num_layer=1", None, "did you mean num_layers"),
]


@pytest.mark.parametrize("file, init, where, phrase", REAL_REFUSALS, ids=[f"{r[0]}-{r[3]}" for r in REAL_REFUSALS])
def test_real_file_refusal(file, init, where, phrase):
    path = SOURCES / file
    code, out = run("summary", path, "--input-shape", "5", "--init", init)
    assert code == 2, out
    prefix = f"lstmcalc: {path}:{where[0]}:{where[1]}:" if where else f"lstmcalc: {path}:"
    assert out.startswith(prefix), out
    assert phrase in out and "Traceback" not in out


def test_missing_input_shape_names_the_class():
    path = SOURCES / "hlr7999_lstm.py"
    code, out = run("summary", path, "--init", "input_size=28, hidden_size=64, num_layers=1")
    assert code == 2
    assert out.startswith(f"lstmcalc: {path}:5:1:") and "--input-shape" in out


def test_wrong_width_in_source_is_a_shape_error_not_a_table(tmp_path):
    path = tmp_path / "wrong.py"
    path.write_text(net("self.lstm = nn.LSTM(n, 8, bidirectional=True)\nself.fc = nn.Linear(8, 2)",
                        "out, _ = self.lstm(x)\nreturn self.fc(out)"))
    code, out = run("summary", path, "--input-shape", "5,4")
    assert code == 2, out
    assert "in_features" in out and "16" in out and "Traceback" not in out


# -- hostile input ------------------------------------------------------------------------------------

def test_init_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    code, out = run("summary", SOURCES / "hlr7999_lstm.py", "--input-shape", "28,28", "--init",
                    f"input_size=__import__('os').system('touch {marker}'), hidden_size=4, num_layers=1")
    assert code == 2 and not marker.exists()
    assert "Traceback" not in out


@pytest.mark.parametrize("text", [
    "input_size=", "1, 2", "**kw", "a=1; import os",
])
def test_bad_init_text(text):
    code, out = run("summary", SOURCES / "hlr7999_lstm.py", "--input-shape", "28,28", "--init", text)
    assert code == 2 and "Traceback" not in out


@pytest.mark.parametrize("shape", ["abc", "0,3", "-1", ""])
def test_bad_input_shape(shape):
    code, out = run("summary", SOURCES / "hlr7999_lstm.py", "--input-shape", shape, "--init",
                    "input_size=28, hidden_size=4, num_layers=1")
    assert code == 2 and "Traceback" not in out


@pytest.mark.parametrize("body", [
    "self.fc = nn.Linear(10 ** 40, 2)",
    "self.fc = nn.Linear(n, 2)\nself.fc2 = self.fc",
    "self.fc = nn.Linear(n, -3)",
    "self.fc = nn.Linear('a', 2)",
    "self.fc = nn.Linear(*[n, 2])",
    "self.fc = nn.Linear(**{'in_features': n})",
    "self.fc = nn.Linear(n, 2)\n" * 300,
])
def test_hostile_init(tmp_path, body):
    path = tmp_path / "hostile.py"
    path.write_text(net(body, "return self.fc(x)"))
    code, out = run("summary", path, "--input-shape", "5,4")
    assert code in (0, 2), out
    assert "Traceback" not in out and "internal error" not in out


@pytest.mark.parametrize("forward", [
    "return self.fc(x.view(-1, -1))",
    "return self.fc(x.view(7, 7))",
    "return self.fc(x.permute(0, 0, 1))",
    "return self.fc(x)[99]",
    "return self.fc(x.transpose(0, 9))",
    "y = x\n" * 2000 + "return self.fc(y)",
    "return self.fc(x.size(0))",
    "x, y = self.fc(x)\nreturn x",
    "return self.fc(x.squeeze(5))",
    "return self",
    "return",
    "while True:\n    pass",
    "return self.fc(self.fc(self.fc(x)))",
])
def test_hostile_forward(tmp_path, forward):
    path = tmp_path / "hostile.py"
    path.write_text(net("self.fc = nn.Linear(4, 4)", forward))
    code, out = run("summary", path, "--input-shape", "5,4")
    assert code in (0, 2), out
    assert "Traceback" not in out and "internal error" not in out


@pytest.mark.parametrize("line, phrase", [
    ("x = x.view(x.size(0), -1)\n" * 300, "reads tensor sizes more than"),
    ("x = F.relu(x)\n" * 2500, "more than 2000 steps"),
])
def test_long_forward_is_refused_in_bounded_time(tmp_path, line, phrase):
    import time

    path = tmp_path / "long.py"
    path.write_text(net("self.fc = nn.Linear(4, 4)", line + "return self.fc(x)"))
    start = time.monotonic()
    code, out = run("summary", path, "--input-shape", "5,4")
    assert code == 2 and phrase in out
    assert time.monotonic() - start < 30


def test_control_characters_in_names_are_escaped(tmp_path):
    path = tmp_path / "esc.py"
    path.write_text(net("self.fc = nn.Linear(n, 2)", "return self.fc(x)") + "\nmodel = Net(n='\x1b[31m')\n")
    code, out = run("summary", path, "--input-shape", "5,4")
    assert code == 2 and "\x1b" not in out


def test_no_torch_import_needed_for_a_snippet():
    case = next(c for c in CASES if c["file"] == "grace_sequential.py")
    assert "import" not in (SOURCES / case["file"]).read_text().split("\n", 2)[2]
    assert summary(case)["total_params"] == case["total_params"]



@pytest.mark.parametrize("command", [["diagram", "-o", "x.svg"], ["report", "-o", "x.html"],
                                     ["export", "--to", "keras"]])
def test_every_command_takes_the_source_options(run, command):
    """diagram, report and export read PyTorch source with --input-shape, as summary does."""
    args = [a if not a.startswith("x.") else str(run.tmp / a) for a in command]
    result = run(args[0], ROOT / "examples" / "torch_sentiment.py", "--input-shape", "200", *args[1:])
    assert result.exit_code == 0, result.output


def test_indexing_the_batch_axis_by_mistake_is_followed_and_said(run):
    """out[:, -1, :] after an LSTM without batch_first indexes the batch (torch's numbers are in
    goldens/torch_sources.json); the summary says so and how to take the last time step."""
    result = run("summary", SOURCES / "synthetic_forgot_batch_first.py", "--input-shape", "6,10")
    assert result.exit_code == 0, result.output
    assert "batch axis here" in result.stdout and "out[-1]" in result.stdout
