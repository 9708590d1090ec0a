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


def flat(v):
    return [z for y in v for z in flat(y)] if isinstance(v, list) else [v]


for o in d:
    if "keras_file" not in o:
        continue
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(o["x"], f)
    r = subprocess.run(
        [LC, "run", o["keras_file"], "--input", f.name, "--format", "json"], capture_output=True, text=True
    )
    if r.returncode:
        k = r.stderr.strip()[-150:]
        bad[k] += 1
        ex.setdefault(k, o["keras_file"])
        continue
    got = json.loads(r.stdout)
    g = flat(got.get("output", got) if isinstance(got, dict) else got)
    w = flat(o["y"])
    err = max((abs(a - b) for a, b in zip(g, w)), default=0) if len(g) == len(w) else float("inf")
    if err > 1e-4:
        k = "mismatch"
        bad[k] += 1
        ex.setdefault(k, []).append((o["keras_file"], err, [r_["class"] for r_ in o["rows"]]))
    else:
        ok += 1
print("ok", ok)
for k, v in bad.most_common():
    print(v, k, "\n   ", ex[k] if k != "mismatch" else ex[k][:8])
