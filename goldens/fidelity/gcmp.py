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
    if isinstance(v, dict):
        return [z for k in v for z in flat(v[k])]
    return [z for y in v for z in flat(y)] if isinstance(v, list) else [v]


for o in d:
    if "keras_file" not in o:
        continue
    r = subprocess.run([LC, "summary", o["keras_file"], "--format", "json"], capture_output=True, text=True)
    if r.returncode:
        k = "summary: " + r.stderr.strip()[-160:]
        bad[k] += 1
        ex.setdefault(k, o["keras_file"])
        continue
    got = json.loads(r.stdout)
    by = {x["name"]: x["params"] for x in got["layers"]}
    diffs = [
        (w["name"], w["class"], by.get(w["name"]), w["params"]) for w in o["rows"] if by.get(w["name"]) != w["params"]
    ]
    if diffs:
        k = "params " + str(diffs[0][1])
        bad[k] += 1
        ex.setdefault(k, (o["keras_file"], diffs))
        continue
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(o["x"] if len(o["x"]) > 1 else list(o["x"].values())[0], f)
    r = subprocess.run(
        [LC, "run", o["keras_file"], "--input", f.name, "--format", "json"], capture_output=True, text=True
    )
    if r.returncode:
        k = "run: " + r.stderr.strip()[-160:]
        bad[k] += 1
        ex.setdefault(k, o["keras_file"])
        continue
    got = json.loads(r.stdout)
    g = flat(got["output"] if "output" in got else got.get("outputs", got))
    w = flat(o["y"])
    err = max((abs(a - b) for a, b in zip(g, w)), default=0) if len(g) == len(w) else float("inf")
    if err > 1e-4:
        k = "mismatch " + o["json"][:0]
        bad[k] += 1
        ex.setdefault(k, []).append((o["keras_file"], err, len(g), len(w)))
    else:
        ok += 1
print("ok", ok)
for k, v in bad.most_common():
    print(v, k, "\n   ", ex[k] if not k.startswith("mismatch") else ex[k][:8])
