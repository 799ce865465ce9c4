"""The best practices of W&B's "create an experiment" guide, with runstream.

1. Finish runs: `with runstream.init(...)` finishes the run when the block ends and marks it
   failed when the block raises. In a notebook, keep the run object and call `run.finish()`.
2. Config: hyperparameters, architecture, dataset: everything needed to reproduce the model.
3. Project: a set of comparable experiments.
4. Notes: a quick commit message for the run, straight from the script.
5. Tags: mark baselines and favourites; filter runs by them later.
6. Group and job type: runs that belong together (a training job and its evaluation).

    PYTHONPATH=sdk/python /usr/bin/python3 examples/python/best_practices.py [--project NAME]
"""

import argparse

import runstream

config = {
    "learning_rate": 0.01,
    "momentum": 0.2,
    "architecture": "CNN",
    "dataset_id": "cats-0192",
}


def train(run, steps=50):
    """Gradient descent with momentum on (w - 3)^2: the loss falls as the config says it should."""
    w, velocity = 0.0, 0.0
    for _ in range(steps):
        gradient = 2 * (w - 3)
        velocity = run.config.momentum * velocity - run.config.learning_rate * gradient
        w += velocity
        run.log({"loss": (w - 3) ** 2, "w": w})
    return w


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="detect-cats")
    parser.add_argument("--group", default="tweak-baseline")
    args = parser.parse_args()

    with runstream.init(
        project=args.project,
        notes="tweak baseline",
        tags=["baseline", "paper1"],
        config=config,
        group=args.group,
        job_type="train",
    ) as run:
        w = train(run)
        run.summary["final_w"] = w

    # The notebook way: keep the run object, finish it yourself (here: an evaluation job of the same group).
    run = runstream.init(project=args.project, notes="evaluate the tweaked baseline", tags=["baseline"],
                         config=config, group=args.group, job_type="eval")
    run.log({"error": abs(w - 3)})
    run.finish()
    print(f"group {args.group} in project {args.project}: w = {w:.4f}")


if __name__ == "__main__":
    main()
