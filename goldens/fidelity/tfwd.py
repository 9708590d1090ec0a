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
    if "x" not in o:
        continue
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(o["x"], f)
    r = subprocess.run(
        [
            LC,
            "run",
            o["path"],
            "--input-shape",
            ",".join(map(str, o["input_shape"])),
            "--weights",
            o["path"].replace(".py", ".safetensors"),
            "--input",
            f.name,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    if r.returncode:
        k = (r.stderr.strip().splitlines() or [""])[-1][:160]
        bad[k] += 1
        ex.setdefault(k, o["path"])
        continue
    g = flat(json.loads(r.stdout)["output"])
    w = flat(o["y"])
    err = max((abs(a - b) for a, b in zip(g, w)), default=0) if len(g) == len(w) else float("inf")
    if err > 1e-6:
        bad["mismatch"] += 1
        ex.setdefault("mismatch", []).append((o["path"], err))
    else:
        ok += 1
print("ok", ok)
for k, v in bad.most_common():
    print(v, k, "\n   ", ex[k] if k != "mismatch" else ex[k][:6])
