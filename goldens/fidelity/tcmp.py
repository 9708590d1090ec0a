"""Random nn.Module sources (tfuzz.py): totals, each module's parameters and output shape, the model's output
shape, against torch."""

import json
import sys

from common import Tally, last_line, lstmcalc

tally = Tally()
for o in json.load(open(sys.argv[1])):
    if "total" not in o:
        continue
    shape = ",".join(map(str, o["input_shape"]))
    r = lstmcalc("summary", o["path"], "--input-shape", shape, "--format", "json", "--batch-size", 2)
    if r.returncode:
        tally.disagree(f"exit {r.returncode}: {last_line(r.stderr)}", o["path"])
        continue
    got = json.loads(r.stdout)
    rows = {x["name"]: x for x in got["layers"]}
    diffs = [("total", got["total_params"], o["total"])] if got["total_params"] != o["total"] else []
    for name, p in o["params"].items():
        if name in rows and rows[name]["params"] != p:
            diffs.append((name, "params", rows[name]["params"], p))
        if name in rows and name in o["shapes"]:
            s = rows[name]["output_shape"]
            s = s[0] if s and isinstance(s[0], list) else s  # several outputs: torch's hook saw the first
            if s != o["shapes"][name]:
                diffs.append((name, "shape", s, o["shapes"][name]))
    if got["layers"][-1]["output_shape"] != o["out_shape"]:
        diffs.append(("out", got["layers"][-1]["output_shape"], o["out_shape"]))
    if diffs:
        tally.disagree(str(diffs[0][:2]), (o["path"], diffs))
    else:
        tally.agree()
tally.report()
