"""Random functional graphs (gfuzz.py) and the layer zoo (zoo.py): each layer's parameters by name, then
`lstmcalc run` on the saved .keras against Keras's predict()."""

import json
import sys

from common import Tally, json_file, largest_difference, last_line, lstmcalc, output_of

tally = Tally()
for o in json.load(open(sys.argv[1])):
    if "keras_file" not in o:
        continue
    r = lstmcalc("summary", o["keras_file"], "--format", "json")
    if r.returncode:
        tally.disagree("summary: " + last_line(r.stderr), o["keras_file"])
        continue
    params = {x["name"]: x["params"] for x in json.loads(r.stdout)["layers"]}
    diffs = [(w["name"], w["class"], params.get(w["name"]), w["params"])
             for w in o["rows"] if params.get(w["name"]) != w["params"]]
    if diffs:
        tally.disagree("params " + diffs[0][1], (o["keras_file"], diffs))
        continue
    x = o["x"] if len(o["x"]) > 1 else next(iter(o["x"].values()))
    r = lstmcalc("run", o["keras_file"], "--input", json_file(x), "--format", "json")
    if r.returncode:
        tally.disagree("run: " + last_line(r.stderr), o["keras_file"])
        continue
    err = largest_difference(output_of(r), o["y"])
    if err > 1e-4:
        tally.disagree("mismatch", (o["keras_file"], err))
    else:
        tally.agree()
tally.report()
