"""Compare lstmcalc's summary of each random chain's to_json() with the Keras rows (kfuzz.py output)."""

import json
import sys

from common import Tally, json_file, last_line, lstmcalc

tally = Tally()
for o in json.load(open(sys.argv[1])):
    if "keras_error" in o:
        continue  # Keras refused to build it: nothing to compare
    path = json_file(json.loads(o["json"]))
    r = lstmcalc("summary", path, "--format", "json")
    if r.returncode:
        tally.disagree(f"exit {r.returncode}: {last_line(r.stderr)}", (o["id"], path))
        continue
    got = json.loads(r.stdout)
    rows = [x for x in got["layers"] if x["type"] != "InputLayer"]
    diffs = [("total", got["total_params"], o["total"])] if got["total_params"] != o["total"] else []
    for a, b in zip(rows, o["rows"]):
        if a["params"] != b["params"]:
            diffs.append((b["class"], "params", a["params"], b["params"]))
        if list(a["output_shape"]) != list(b["shape"]):
            diffs.append((b["class"], "shape", a["output_shape"], b["shape"]))
    if len(rows) != len(o["rows"]):
        diffs.append(("rows", len(rows), len(o["rows"])))
    if diffs:
        tally.disagree(str(diffs[0][:2]), (o["id"], path, diffs))
    else:
        tally.agree()
tally.report()
