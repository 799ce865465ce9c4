"""A run whose pace the browser tests set through stdin (the Python SDK, from this checkout).

Prints `run <id>` once the run exists. Then, per line read: `log N` logs N more steps of loss and
accuracy and prints `logged <total steps>`; `finish` ends the run and prints `finished`.
"""

import math
import sys

import runstream

run = runstream.init(project=sys.argv[1], config={"learning_rate": 0.05})
print(f"run {run.id}", flush=True)
step = 0
for line in sys.stdin:
    command = line.split()
    if command[:1] == ["log"]:
        for _ in range(int(command[1])):
            run.log({"loss": 1.0 / (1 + step), "accuracy": 1.0 - math.exp(-step / 50)})
            step += 1
        print(f"logged {step}", flush=True)
    elif command[:1] == ["finish"]:
        break
run.finish()
print("finished", flush=True)
