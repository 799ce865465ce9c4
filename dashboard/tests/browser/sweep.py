"""A hyperparameter sweep as a W&B user would run one, for the workspace's browser tests and its
load benchmark: 200 runs (by default) of a made-up classifier, 12 metrics under train/ and val/,
config keys that were swept (lr over four decades, batch, optimizer, ...) and some that were not,
two groups, a few failed runs and one that diverged (its loss reaches 7e6).

    python3 sweep.py <project> [runs] [steps]

Prints `sweep <project> <runs>` when every run has finished.
"""

import math
import random
import sys
import threading

import runstream

project = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 40


def one(i: int) -> None:
    rnd = random.Random(i)
    lr = 10 ** rnd.uniform(-5, -1)
    config = {
        "lr": lr, "batch_size": rnd.choice([16, 32, 64, 128]), "optimizer": rnd.choice(["adam", "adamw", "sgd"]),
        "dropout": round(rnd.uniform(0, 0.5), 2), "layers": rnd.randint(2, 8), "weight_decay": 10 ** rnd.uniform(-6, -2),
        "dataset": "cats-v2", "seed": 1000 + i,
    }
    diverged = i == 7
    failed = i % 23 == 5
    # Accuracy is best for a learning rate near 1e-3: what importance and the scatter should show.
    quality = math.exp(-((math.log10(lr) + 3) ** 2) / 2) * (1 - config["dropout"] / 2)
    run = runstream.init(project=project, name=f"sweep-{i:03d}", config=config, group=f"sweep-{'ab'[i % 2]}",
                         job_type="train", tags=["sweep"] + (["baseline"] if i % 10 == 0 else []),
                         notes="the one that diverged" if diverged else None)
    last = steps // 2 if failed else steps
    for step in range(last):
        t = (step + 1) / steps
        loss = (7e6 * t ** 3 if diverged and step > steps // 2 else 2.5 * math.exp(-3 * t * (0.3 + quality)) + rnd.uniform(0, 0.05))
        acc = 0.5 + 0.45 * quality * (1 - math.exp(-4 * t)) + rnd.uniform(0, 0.01)
        row = {
            "train/loss": loss, "train/acc": acc, "train/lr": lr * (1 - t / 2), "train/grad_norm": rnd.uniform(0.5, 2) / (1 + step),
            "train/epoch": step // 4, "train/throughput": 900 + rnd.uniform(-50, 50),
            "val/loss": loss * 1.1, "val/acc": acc - 0.02, "val/f1": acc - 0.05, "val/precision": acc - 0.01,
            "val/recall": acc - 0.04, "val/auc": min(1.0, acc + 0.03),
        }
        run.log(row, step=step)
    run.finish(exit_code=1 if failed else 0)


threads = []
for i in range(runs):
    # Eight at a time: a sweep's agents run side by side.
    t = threading.Thread(target=one, args=(i,))
    t.start()
    threads.append(t)
    if len(threads) == 8:
        for t in threads:
            t.join()
        threads = []
for t in threads:
    t.join()
print(f"sweep {project} {runs}", flush=True)
