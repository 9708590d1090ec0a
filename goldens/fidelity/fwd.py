"""`lstmcalc run` on each saved random chain (.keras, weights inside) against Keras's predict() (kfuzz.py output)."""

import json
import sys

from common import Tally, json_file, largest_difference, last_line, lstmcalc, output_of

tally = Tally()
for o in json.load(open(sys.argv[1])):
    if "keras_file" not in o:
        continue
    r = lstmcalc("run", o["keras_file"], "--input", json_file(o["x"]), "--format", "json")
    if r.returncode:
        tally.disagree(last_line(r.stderr), o["keras_file"])
        continue
    err = largest_difference(output_of(r), o["y"])
    if err > 1e-4:
        tally.disagree("mismatch", (o["keras_file"], err, [row["class"] for row in o["rows"]]))
    else:
        tally.agree()
tally.report()
