"""Compare lstmcalc summary (Python API via CLI json) with the Keras rows in a fuzz file."""

import collections
import json
import os
import subprocess
import sys
import tempfile

d = json.load(open(sys.argv[1]))
LC = os.environ.get("LSTMCALC", "lstmcalc")
bad = collections.Counter()
ex = {}
ok = 0
for o in d:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(o.get("json") or "{}")
    if "keras_error" in o:
        # Keras refused: lstmcalc should refuse too (exit 2) — only when the model was complete enough to dump
        continue
    r = subprocess.run([LC, "summary", f.name, "--format", "json"], capture_output=True, text=True)
    if r.returncode != 0:
        k = "exit{}: {}".format(r.returncode, r.stderr.strip().splitlines()[-1][:150] if r.stderr.strip() else "")
        bad[k[:110]] += 1
        ex.setdefault(k[:110], (o["id"], f.name, r.stderr[-600:]))
        continue
    got = json.loads(r.stdout)
    rows = [x for x in got["layers"] if x["type"] != "InputLayer"]
    want = o["rows"]
    diffs = []
    if got.get("total_params", got.get("totals", {}).get("total_params")) != o["total"]:
        diffs.append(("total", got.get("total_params", got.get("totals")), o["total"]))
    for a, b in zip(rows, want):
        if a["params"] != b["params"]:
            diffs.append((b["class"], "params", a["params"], b["params"]))
        if list(a["output_shape"]) != list(b["shape"]):
            diffs.append((b["class"], "shape", a["output_shape"], b["shape"]))
    if len(rows) != len(want):
        diffs.append(("nrows", len(rows), len(want)))
    if diffs:
        k = str(diffs[0][:2])
        bad[k] += 1
        ex.setdefault(k, (o["id"], f.name, diffs))
    else:
        ok += 1
        os.unlink(f.name)
print("ok", ok)
for k, v in bad.most_common():
    print(v, k, "\n   ", ex[k])
