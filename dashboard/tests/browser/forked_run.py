"""A run and a run forked from it (fork_from), for the lineage browser test (the Python SDK, from
this checkout).

    python3 forked_run.py <project>

`parent` logs loss = 1 / (1 + step) at steps 0-99 and finishes; `child`, forked from it at step 49,
logs loss = 0.5 / (1 + step) at 50 more steps (its steps go on from the fork: 50-99) and finishes.
Prints {"parent": <id>, "child": <id>} on stdout.
"""

import json
import sys

import runstream

project = sys.argv[1]

parent = runstream.init(project=project, name="parent")
for step in range(100):
    parent.log({"loss": 1.0 / (1 + step)})
parent.finish()

# No step given: the child's first is the one after the fork (50), as with W&B's fork_from.
child = runstream.init(project=project, name="child", fork_from=f"{parent.id}?_step=49")
for step in range(50, 100):
    child.log({"loss": 0.5 / (1 + step)})
child.finish()

print(json.dumps({"parent": parent.id, "child": child.id}), flush=True)
