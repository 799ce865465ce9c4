"""Images, tables and histograms, with runstream: a tiny classifier of made-up digits.

The data are 28x28 seven-segment digits drawn with numpy (shifted, with thick or thin strokes, a
segment sometimes missing, and noise), the model a two-layer network trained by plain gradient
descent. Each epoch logs, at one step, with the metrics:

- `predictions`: a list of validation images, each captioned with its guess and label;
- `misclassified`: a table of the validation examples the model got wrong (image, label, guess,
  confidence), thumbnails included;
- `weights/fc1`, `weights/fc2`: histograms of the layers' weights.

    sdk/python/build.sh
    export RUNSTREAM_API_KEY=$(cat .platform/api.key)
    /usr/bin/python3 examples/media.py [--project NAME] [--epochs N] [--seed N]
"""

import argparse
import os
import sys

import numpy as np

try:
    import runstream
except ImportError:  # run from a checkout without PYTHONPATH: the SDK next door
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "sdk", "python"))
    import runstream

# Which of the seven segments (top, top right, bottom right, bottom, bottom left, top left, middle) each digit lights.
SEGMENTS = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg", "abcdfg"]


def draw_digit(digit, rng):
    """One 28x28 float image in [0, 1] of `digit`."""
    image = np.zeros((28, 28))
    top, left = 4 + rng.integers(-2, 3), 9 + rng.integers(-3, 4)
    height, width, stroke = 9, 9, int(rng.integers(1, 4))
    spans = {
        "a": (top, top + stroke, left, left + width), "g": (top + height, top + height + stroke, left, left + width),
        "d": (top + 2 * height, top + 2 * height + stroke, left, left + width),
        "f": (top, top + height, left, left + stroke), "b": (top, top + height, left + width - stroke, left + width),
        "e": (top + height, top + 2 * height, left, left + stroke),
        "c": (top + height, top + 2 * height, left + width - stroke, left + width),
    }
    lit = [s for s in SEGMENTS[digit] if rng.random() > 0.08]      # a segment sometimes fails to draw
    for segment in lit:
        r0, r1, c0, c1 = spans[segment]
        image[r0:r1 + 1, c0:c1 + 1] = rng.uniform(0.6, 1.0)
    return np.clip(image + rng.normal(0, 0.25, image.shape), 0, 1)


def make_data(count, rng):
    labels = rng.integers(0, 10, count)
    return np.stack([draw_digit(d, rng) for d in labels]), labels


class TinyNet:
    """784 -> 64 (ReLU) -> 10 (softmax), trained by mini-batch gradient descent."""

    def __init__(self, rng, hidden=64):
        self.fc1 = rng.normal(0, np.sqrt(2 / 784), (784, hidden))
        self.fc2 = rng.normal(0, np.sqrt(2 / hidden), (hidden, 10))

    def forward(self, images):
        x = images.reshape(len(images), -1)
        hidden = np.maximum(x @ self.fc1, 0)
        logits = hidden @ self.fc2
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        return x, hidden, p / p.sum(axis=1, keepdims=True)

    def step(self, images, labels, learning_rate):
        x, hidden, p = self.forward(images)
        loss = -np.log(p[np.arange(len(labels)), labels] + 1e-12).mean()
        error = p.copy()
        error[np.arange(len(labels)), labels] -= 1
        error /= len(labels)
        grad_fc2 = hidden.T @ error
        grad_fc1 = x.T @ ((error @ self.fc2.T) * (hidden > 0))
        self.fc2 -= learning_rate * grad_fc2
        self.fc1 -= learning_rate * grad_fc1
        return float(loss), float((p.argmax(axis=1) == labels).mean())


def evaluate(model, images, labels):
    _, _, p = model.forward(images)
    guesses = p.argmax(axis=1)
    loss = -np.log(p[np.arange(len(labels)), labels] + 1e-12).mean()
    return guesses, p.max(axis=1), float(loss), float((guesses == labels).mean())


def media_of_epoch(val_images, val_labels, guesses, confidence, model):
    """The epoch's images, table and histograms, as run.log takes them."""
    predictions = [runstream.Image(val_images[i], caption=f"guess {guesses[i]} ({confidence[i]:.0%}), label {val_labels[i]}")
                   for i in range(16)]
    wrong = np.flatnonzero(guesses != val_labels)[:32]
    misclassified = runstream.Table(columns=["image", "label", "guess", "confidence"], data=[
        [runstream.Image(val_images[i]), int(val_labels[i]), int(guesses[i]), round(float(confidence[i]), 3)] for i in wrong])
    return {
        "predictions": predictions,
        "misclassified": misclassified,
        "weights/fc1": runstream.Histogram(model.fc1),
        "weights/fc2": runstream.Histogram(model.fc2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="digits-media")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("RUNSTREAM_API_KEY"):
        # A checkout's stack (./platform up) writes its key here.
        key_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, ".platform", "api.key")
        if os.path.isfile(key_file):
            runstream.login(key=open(key_file).read().strip())

    rng = np.random.default_rng(args.seed)
    train_images, train_labels = make_data(3000, rng)
    val_images, val_labels = make_data(500, rng)
    config = {"epochs": args.epochs, "learning_rate": 0.2, "batch_size": 100, "hidden": 64, "seed": args.seed}

    with runstream.init(project=args.project, config=config, tags=["media-example"],
                        notes="seven-segment digits: predictions, misclassified examples and weight histograms") as run:
        model = TinyNet(rng, config["hidden"])
        for epoch in range(args.epochs):
            order = rng.permutation(len(train_labels))
            for start in range(0, len(order), config["batch_size"]):
                batch = order[start:start + config["batch_size"]]
                loss, acc = model.step(train_images[batch], train_labels[batch], config["learning_rate"])
                run.log({"loss": loss, "acc": acc})
            guesses, confidence, val_loss, val_acc = evaluate(model, val_images, val_labels)
            # Media and numbers in one call, at one step; the images are encoded in the background.
            run.log({"epoch": epoch, "val/loss": val_loss, "val/acc": val_acc,
                     **media_of_epoch(val_images, val_labels, guesses, confidence, model)})
            print(f"epoch {epoch}: loss {loss:.3f}, validation accuracy {val_acc:.1%}, "
                  f"{int((guesses != val_labels).sum())} misclassified")
        run.summary["val/acc"] = val_acc
    print(f"run {run.id}: {run.url}")


if __name__ == "__main__":
    main()
