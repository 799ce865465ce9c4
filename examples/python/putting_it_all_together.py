"""The "putting it all together" script of W&B's "create an experiment" guide, with runstream.

A run in the "cat-classification" project with notes, tags and a config of hyperparameters, a
training loop that logs accuracy and loss, and the trained model logged as an artifact. The
model is a tiny real one: logistic regression on generated "cat or not" data, with numpy when
it is installed and in plain Python otherwise.

    sdk/python/build.sh
    export RUNSTREAM_API_KEY=$(cat .platform/api.key)
    PYTHONPATH=sdk/python /usr/bin/python3 examples/python/putting_it_all_together.py [--project NAME] [--epochs N] [--seed N]
"""

import argparse
import json
import math
import os
import random
import tempfile

import runstream

try:
    import numpy as np
except ImportError:  # the plain-Python model below does the same
    np = None


def get_data(samples=1024, batch_size=128, seed=42):
    """Two overlapping clouds of 2-feature points, "cat" (1) or not (0), in batches."""
    rng = random.Random(seed)
    data = []
    for i in range(samples):
        is_cat = i % 2
        shift = (1.2, 0.8) if is_cat else (-1.2, -0.8)
        data.append(([rng.gauss(0, 1) + shift[0], rng.gauss(0, 1) + shift[1]], float(is_cat)))
    batches = [data[i:i + batch_size] for i in range(0, samples, batch_size)]
    if np is not None:
        return [(np.array([x for x, _ in b]), np.array([y for _, y in b])) for b in batches]
    return [([x for x, _ in b], [y for _, y in b]) for b in batches]


class LogisticRegression:
    """Logistic regression trained by mini-batch gradient descent."""

    def __init__(self, features, learning_rate):
        self.learning_rate = learning_rate
        self.weights = np.zeros(features) if np is not None else [0.0] * features
        self.bias = 0.0

    def training_step(self, batch):
        """One gradient step on a batch; returns the batch's loss and accuracy before the step."""
        x, y = batch
        if np is not None:
            p = 1 / (1 + np.exp(-(x @ self.weights + self.bias)))
            loss = -np.mean(y * np.log(np.maximum(p, 1e-12)) + (1 - y) * np.log(np.maximum(1 - p, 1e-12)))
            accuracy = np.mean((p >= 0.5) == (y >= 0.5))
            error = p - y
            self.weights -= self.learning_rate * (x.T @ error) / len(y)
            self.bias -= self.learning_rate * error.mean()
            return float(loss), float(accuracy)

        gradient = [0.0] * len(self.weights)
        bias_gradient = loss = 0.0
        correct = 0
        for features, label in zip(x, y):
            z = self.bias + sum(w * f for w, f in zip(self.weights, features))
            p = 1 / (1 + math.exp(-z))
            error = p - label
            for j, f in enumerate(features):
                gradient[j] += error * f
            bias_gradient += error
            loss -= label * math.log(max(p, 1e-12)) + (1 - label) * math.log(max(1 - p, 1e-12))
            correct += (p >= 0.5) == (label >= 0.5)
        self.weights = [w - self.learning_rate * g / len(y) for w, g in zip(self.weights, gradient)]
        self.bias -= self.learning_rate * bias_gradient / len(y)
        return loss / len(y), correct / len(y)

    def save(self, path):
        weights = [float(w) for w in self.weights]
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"kind": "logistic-regression", "weights": weights, "bias": float(self.bias)}, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="cat-classification")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    with runstream.init(
        project=args.project,
        notes="My first experiment",
        tags=["baseline", "paper1"],
        # Record the run's hyperparameters.
        config={"epochs": args.epochs, "learning_rate": args.learning_rate, "batch_size": 128, "seed": args.seed},
    ) as run:
        # Set up the model and the data.
        model = LogisticRegression(features=2, learning_rate=run.config["learning_rate"])
        dataloader = get_data(batch_size=run.config["batch_size"], seed=run.config["seed"])

        # Train, logging metrics to visualise the model's performance.
        for epoch in range(run.config["epochs"]):
            for batch in dataloader:
                loss, accuracy = model.training_step(batch)
                run.log({"accuracy": accuracy, "loss": loss})

        # Upload the trained model as an artifact.
        with tempfile.TemporaryDirectory(prefix="cat-classifier-") as folder:
            path = os.path.join(folder, "cat-classifier.model.json")
            model.save(path)
            run.log_artifact(path, name="trained-model", type="model")

        print(f"run {run.id} in project {run.project}: accuracy {run.summary['accuracy']:.3f}, loss {run.summary['loss']:.3f}")


if __name__ == "__main__":
    main()
