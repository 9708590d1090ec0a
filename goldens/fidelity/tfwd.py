"""`lstmcalc run` on each random nn.Module source with its safetensors state_dict, against torch (float64)."""

import json
import sys

from common import Tally, json_file, largest_difference, last_line, lstmcalc, output_of

tally = Tally()
for o in json.load(open(sys.argv[1])):
    if "x" not in o:
        continue
    r = lstmcalc("run", o["path"], "--input-shape", ",".join(map(str, o["input_shape"])),
                 "--weights", o["path"].replace(".py", ".safetensors"), "--input", json_file(o["x"]),
                 "--format", "json")
    if r.returncode:
        tally.disagree(last_line(r.stderr), o["path"])
        continue
    err = largest_difference(output_of(r), o["y"])
    if err > 1e-6:
        tally.disagree("mismatch", (o["path"], err))
    else:
        tally.agree()
tally.report()
