import collections
import json
import os
import subprocess
import sys

d = json.load(open(sys.argv[1]))
LC = os.environ.get("LSTMCALC", "lstmcalc")
bad = collections.Counter()
ex = {}
ok = 0
for o in d:
    if "total" not in o:
        continue
    shp = ",".join(map(str, o["input_shape"]))
    r = subprocess.run(
        [LC, "summary", o["path"], "--input-shape", shp, "--format", "json", "--batch-size", "2"],
        capture_output=True,
        text=True,
    )
    if r.returncode:
        k = f"exit{r.returncode} " + (r.stderr.strip().splitlines() or [""])[-1][:150]
        bad[k] += 1
        ex.setdefault(k, o["path"])
        continue
    got = json.loads(r.stdout)
    rows = {x["name"]: x for x in got["layers"]}
    diffs = []
    if got["total_params"] != o["total"]:
        diffs.append(("total", got["total_params"], o["total"]))
    for n, p in o["params"].items():
        if n in rows and rows[n]["params"] != p:
            diffs.append((n, "params", rows[n]["params"], p))
        if n in rows and n in o["shapes"]:
            s = rows[n]["output_shape"]
            s = s[0] if s and isinstance(s[0], list) else s
            if s != o["shapes"][n]:
                diffs.append((n, "shape", s, o["shapes"][n]))
    last = got["layers"][-1]["output_shape"]
    if last != o["out_shape"]:
        diffs.append(("out", last, o["out_shape"]))
    if diffs:
        k = str(diffs[0][:2])
        bad[k] += 1
        ex.setdefault(k, (o["path"], diffs))
    else:
        ok += 1
print("ok", ok)
for k, v in bad.most_common():
    print(v, k, "\n   ", ex[k])
