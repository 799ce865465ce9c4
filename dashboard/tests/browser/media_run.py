"""Runs logging images, tables and histograms whose pixels the media browser tests know (the
Python SDK, from this checkout).

    python3 media_run.py <project>            two finished runs; prints `run <name> <id>` for each
    python3 media_run.py <project> --paced    one run at the test's pace: prints `run <id>`, then per
                                              line read `log N` logs N more steps (`logged <total>`),
                                              `finish` ends it (`finished`)

The runs:
  samples      images at steps 0-5: media-a logs a list of two, a solid 8 x 8 of STEP_COLORS[step]
               (caption `a-<step>`) and a solid grey 32 x 24 (`grey`); media-b one solid 48 x 48 of
               STEP_COLORS[(step + 3) % 6] (`b-<step>`)
  predictions  media-a only, at step 5: a table of 25 rows, image | label | index | score, row i an
               image of COLORS[label] (10 + i) wide and (6 + i) high, label STEP names in turn,
               score (i * 7 % 25) / 25
  weights/fc1  histograms at steps 0-9 of 1,000 values around 0.3 * step (media-a) or -0.3 * step
               (media-b), 32 bins
  loss         a number per step
The paced run logs `live` (a solid 16 x 16 of STEP_COLORS[step % 6]) and `loss` at each step.
"""

import sys

import numpy as np

import runstream

COLORS = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
    "yellow": (255, 255, 0), "magenta": (255, 0, 255), "cyan": (0, 255, 255), "grey": (128, 128, 128),
}
STEP_COLORS = ["red", "green", "blue", "yellow", "magenta", "cyan"]


def solid(color: str, width: int, height: int) -> np.ndarray:
    return np.full((height, width, 3), COLORS[color], dtype=np.uint8)


def two_runs(project: str) -> None:
    for name, sign in (("media-a", 1), ("media-b", -1)):
        rnd = np.random.default_rng(7 if sign > 0 else 11)
        with runstream.init(project=project, name=name, config={"sign": sign}) as run:
            print(f"run {name} {run.id}", flush=True)
            for step in range(10):
                row = {"loss": 1.0 / (step + 1), "weights/fc1": runstream.Histogram(rnd.normal(0.3 * step * sign, 0.5, 1000), num_bins=32)}
                if step < 6:
                    if sign > 0:
                        row["samples"] = [runstream.Image(solid(STEP_COLORS[step], 8, 8), caption=f"a-{step}"),
                                          runstream.Image(solid("grey", 32, 24), caption="grey")]
                    else:
                        row["samples"] = runstream.Image(solid(STEP_COLORS[(step + 3) % 6], 48, 48), caption=f"b-{step}")
                if step == 5 and sign > 0:
                    rows = []
                    for i in range(25):
                        label = STEP_COLORS[i % 6]
                        rows.append([runstream.Image(solid(label, 10 + i, 6 + i), caption=f"{label} {i}"), label, i, (i * 7 % 25) / 25])
                    row["predictions"] = runstream.Table(columns=["image", "label", "index", "score"], data=rows)
                run.log(row, step=step)


def paced(project: str) -> None:
    run = runstream.init(project=project, name="media-live")
    print(f"run {run.id}", flush=True)
    step = 0
    for line in sys.stdin:
        command = line.split()
        if command[:1] == ["log"]:
            for _ in range(int(command[1])):
                run.log({"loss": 1.0 / (step + 1), "live": runstream.Image(solid(STEP_COLORS[step % 6], 16, 16), caption=f"live-{step}")}, step=step)
                step += 1
            print(f"logged {step}", flush=True)
        elif command[:1] == ["finish"]:
            break
    run.finish()
    print("finished", flush=True)


if __name__ == "__main__":
    if "--paced" in sys.argv[2:]:
        paced(sys.argv[1])
    else:
        two_runs(sys.argv[1])
