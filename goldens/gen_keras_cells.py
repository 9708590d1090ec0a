"""Reference numbers for Bidirectional over RNN(cell) and Softmax's mask in plain chains, from real Keras 3.

Run from the repository root with Keras 3 and torch installed:

    KERAS_BACKEND=torch python goldens/gen_keras_cells.py

It writes ``keras_cells.json`` with the records of gen_keras.py:

- ``summary``: `Bidirectional` wrapping `RNN` over LSTMCell, GRUCell,
  SimpleRNNCell, a list of cells and StackedRNNCells (merge modes,
  return_sequences, return_state, backward_layer), as gen_keras.summary_case
  records them (rows, sublayers, weights), or Keras's refusal;
- ``forward``: float64 forward passes (gen_keras.forward_case: seeded
  weights in the contract's layout, every layer's output), batch 2, masks
  from Masking / Embedding(mask_zero) included;
- ``softmax``: Softmax after a layer that passes a mask on, in a plain chain
  (Keras gives masked positions -1e9 before the softmax and 0 after): the
  forward pass where the mask lines up with the input's last axes on the
  batch the case names, or the error Keras raises when it builds or runs.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("KERAS_BACKEND", "torch")
if __name__ == "__main__" and os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

import gen_keras as g  # noqa: E402
from gen_keras import L, spec_of  # noqa: E402

keras, np = g.keras, g.np
OUT = Path(__file__).resolve().parent / "keras_cells.json"


def bi(cell, **rnn):
    """Bidirectional over RNN(cell), with the wrapper's own arguments under `wrap`."""
    wrap = rnn.pop("wrap", {})
    return L("Bidirectional", layer=L("RNN", cell=cell, **rnn), **wrap)


def summary_specs():
    lstm, gru, simple = L("LSTMCell", units=4), L("GRUCell", units=3), L("SimpleRNNCell", units=2)
    seq = [6, 5]
    yield "bi_rnn_lstmcell", spec_of(seq, [bi(lstm)])
    yield "bi_rnn_lstmcell_sequences", spec_of(seq, [bi(lstm, return_sequences=True)])
    yield "bi_rnn_grucell_sum", spec_of(seq, [bi(gru, wrap={"merge_mode": "sum"})])
    yield "bi_rnn_grucell_reset_before_ave", spec_of(seq, [bi(L("GRUCell", units=3, reset_after=False),
                                                             return_sequences=True, wrap={"merge_mode": "ave"})])
    yield "bi_rnn_simplecell_mul", spec_of(seq, [bi(simple, wrap={"merge_mode": "mul"})])
    yield "bi_rnn_simplecell_none", spec_of(seq, [bi(simple, return_sequences=True, wrap={"merge_mode": None})])
    yield "bi_rnn_lstmcell_state", spec_of(seq, [bi(lstm, return_state=True)])
    yield "bi_rnn_grucell_state_sequences", spec_of(seq, [bi(gru, return_state=True, return_sequences=True)])
    yield "bi_rnn_list", spec_of(seq, [bi([lstm, gru, simple])])
    yield "bi_rnn_list_sequences_then_dense", spec_of(seq, [bi([gru, lstm], return_sequences=True),
                                                            L("Dense", units=2)])
    yield "bi_rnn_list_state", spec_of(seq, [bi([lstm, gru], return_state=True)])
    yield "bi_rnn_stacked_class", spec_of(seq, [bi(L("StackedRNNCells", cells=[gru, simple]), return_sequences=True)])
    yield "bi_rnn_stacked_state_none", spec_of(seq, [bi(L("StackedRNNCells", cells=[simple, lstm]), return_state=True,
                                                        wrap={"merge_mode": None})])
    yield "bi_rnn_null_steps", spec_of([None, 5], [bi(lstm, return_sequences=True)])
    yield "bi_rnn_no_bias", spec_of(seq, [bi(L("LSTMCell", units=3, use_bias=False))])
    yield "bi_rnn_named", spec_of(seq, [bi(gru, name="r", wrap={"name": "bi"})])
    yield "bi_rnn_backward_layer", spec_of(seq, [bi(gru, return_sequences=True, wrap={
        "backward_layer": L("RNN", cell=L("GRUCell", units=3), go_backwards=True, return_sequences=True)})])
    yield "bi_rnn_backward_layer_lstm", spec_of(seq, [bi(lstm, wrap={
        "backward_layer": L("LSTM", units=4, go_backwards=True)})])
    yield "bi_rnn_then_bi", spec_of(seq, [bi(lstm, return_sequences=True), bi(gru)])
    yield "bi_rnn_refuse_same_direction", spec_of(seq, [bi(gru, wrap={
        "backward_layer": L("RNN", cell=L("GRUCell", units=3))})])
    yield "bi_rnn_refuse_2d", spec_of([5], [bi(lstm)])
    yield "td_bi_refuse", spec_of([3, 6, 5], [L("TimeDistributed", layer=bi(gru))])


def forward_specs():
    lstm, gru, simple = L("LSTMCell", units=3), L("GRUCell", units=2), L("SimpleRNNCell", units=2)
    seq = [5, 3]
    yield "bi_rnn_lstmcell", spec_of(seq, [bi(lstm)])
    yield "bi_rnn_lstmcell_sequences", spec_of(seq, [bi(lstm, return_sequences=True)])
    yield "bi_rnn_grucell_reset_before_sum", spec_of(seq, [bi(L("GRUCell", units=3, reset_after=False),
                                                             wrap={"merge_mode": "sum"})])
    yield "bi_rnn_simplecell_relu_ave", spec_of(seq, [bi(L("SimpleRNNCell", units=2, activation="relu"),
                                                         return_sequences=True, wrap={"merge_mode": "ave"})])
    yield "bi_rnn_list_state", spec_of(seq, [bi([lstm, gru], return_state=True)])
    yield "bi_rnn_stacked_sequences_mul", spec_of(seq, [bi(L("StackedRNNCells", cells=[gru, simple]),
                                                           return_sequences=True, wrap={"merge_mode": "mul"})])
    yield "bi_rnn_masking_sequences", spec_of([6, 3], [L("Masking"), bi([lstm, gru], return_sequences=True)])
    yield "bi_rnn_masking_last", spec_of([6, 3], [L("Masking"), bi(gru), L("Dense", units=2)])
    yield "bi_rnn_embedding_mask_none", spec_of([6], [L("Embedding", input_dim=9, output_dim=3, mask_zero=True),
                                                      bi(simple, return_sequences=True, wrap={"merge_mode": None})],
                                                dtype="int32")
    yield "bi_rnn_backward_layer", spec_of(seq, [bi(gru, return_sequences=True, wrap={
        "backward_layer": L("RNN", cell=L("GRUCell", units=2, reset_after=False), go_backwards=True,
                            return_sequences=True)})])


def softmax_specs():
    """(id, spec, batch): Softmax after a mask in a plain chain."""
    emb = L("Embedding", input_dim=9, output_dim=6, mask_zero=True)
    yield "softmax_mask_batch_1", spec_of([6], [emb, L("Softmax")], dtype="int32", batch_size=1), 1
    yield "softmax_mask_axis_1_batch_1", spec_of([6], [emb, L("Softmax", axis=1)], dtype="int32", batch_size=1), 1
    yield "softmax_mask_axes_batch_1", spec_of([6], [emb, L("Softmax", axis=[1, 2])], dtype="int32",
                                               batch_size=1), 1
    yield "softmax_masking_square_batch_1", spec_of([4, 4], [L("Masking"), L("Softmax")], batch_size=1), 1
    yield "softmax_mask_dense_then", spec_of([6], [emb, L("Dense", units=6), L("Softmax"), L("LSTM", units=2)],
                                             dtype="int32", batch_size=1), 1
    yield "softmax_mask_batch_equals_steps", spec_of([6], [emb, L("Softmax")], dtype="int32"), 6
    yield "softmax_mask_refuse_batch_2", spec_of([6], [emb, L("Softmax")], dtype="int32"), 2
    yield "softmax_mask_refuse_width", spec_of([6], [emb, L("Dense", units=4), L("Softmax")], dtype="int32"), 1
    yield "softmax_mask_refuse_masking_2d", spec_of([5], [L("Masking"), L("Softmax")]), 2


def masked_input(case_id, spec, batch):
    rng = g.case_rng(case_id + "/input")
    shape = (batch,) + tuple(spec["input"]["shape"])
    if spec["input"].get("dtype", "").startswith("int"):
        x = rng.integers(1, 9, size=shape)
        x[0, -2:] = 0
        if batch > 1:
            x[1, 1] = 0
        return x.astype("int32")
    x = rng.uniform(-1.0, 1.0, size=shape)
    if len(shape) >= 3:
        x[0, -1] = 0.0
        x[0, 1] = 0.0
    else:
        x[:, 0] = 0.0 if batch > 1 else x[:, 0]
    return x


def softmax_case(case_id, spec, batch):
    try:
        model = g.build_model(spec)
    except Exception as exc:  # noqa: BLE001 - Keras's refusal is the golden
        return {"id": case_id, "spec": spec, "batch": batch, "error": g.error_text(exc)}
    rng = g.case_rng(case_id + "/weights")
    weights = {layer.name: g.layer_tensors(layer, rng) for layer in model.layers[1:] if layer.weights}
    x = masked_input(case_id, spec, batch)
    try:
        y = model(x, training=False)
    except Exception as exc:  # noqa: BLE001 - fails only on data
        return {"id": case_id, "spec": spec, "batch": batch, "call_error": g.error_text(exc)}
    return {"id": case_id, "spec": spec, "batch": batch, "input": x.tolist(), "weights": weights,
            "output": g.as_lists(y)}


def main():
    keras.config.set_floatx("float32")
    summary = [g.summary_case(i, s) for i, s in summary_specs()]
    keras.config.set_floatx("float64")
    forward = [g.forward_case(i, s) for i, s in forward_specs()]
    softmax = [softmax_case(i, s, b) for i, s, b in softmax_specs()]
    keras.config.set_floatx("float32")
    for c in summary + forward + softmax:
        print(c["id"], c.get("error", c.get("call_error", "ok"))[:120], file=sys.stderr)
    data = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "batch": g.BATCH,
            "cases": summary, "forward": forward, "softmax": softmax}
    g.write_json(OUT, data)


if __name__ == "__main__":
    main()
