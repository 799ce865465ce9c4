"""Images, tables and histograms through the real stack: logged, read back with the public API, the
files downloaded byte for byte; an offline run's media after `runstream sync`."""

import numpy as np
import pytest
from PIL import Image as PIL

import runstream
from helpers import run_python, wait_for, wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def test_media_is_read_back_as_logged(project, api, tmp_path):
    rng = np.random.default_rng(11)
    picture = tmp_path / "picture.jpg"
    PIL.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(picture, format="JPEG")
    weights = [rng.normal(size=500) for _ in range(3)]
    logged, arrays = [], []
    with runstream.init(project=project) as run:
        for epoch in range(3):
            arrays.append([rng.integers(0, 256, (12, 16, 3), dtype=np.uint8) for _ in range(3)])
            preds = [runstream.Image(array, caption=f"epoch {epoch} #{i}") for i, array in enumerate(arrays[-1])]
            table = runstream.Table(columns=["image", "label", "confidence"],
                                    data=[[preds[0], "cat", 0.9], [preds[1], "dog", 0.4], [None, "bird", 0.1]])
            run.log({"preds": preds, "errors": table, "weights": runstream.Histogram(weights[epoch], num_bins=16),
                     "photo": runstream.Image(str(picture)), "loss": 1.0 / (epoch + 1)})
            logged.append(preds)
    assert run._finish_result.complete and not run.errors

    remote = wait_for_run(api, project, run.id)
    keys = wait_for(lambda: (lambda k: k if len(k) == 4 else None)(remote.media_keys()), what="the media keys")
    assert {(k["key"], k["kind"], k["steps"], k["firstStep"], k["lastStep"]) for k in keys} == {
        ("preds", "images", 3, 0, 2), ("errors", "table", 3, 0, 2), ("weights", "histogram", 3, 0, 2), ("photo", "images", 3, 0, 2)}

    rows = remote.history(pandas=False)
    assert [(r["_step"], r["loss"]) for r in rows] == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    for row, preds, pixels in zip(rows, logged, arrays):
        got = row["preds"]
        assert [(i.caption, i.width, i.height, i.format) for i in got] == [(p.caption, 16, 12, "png") for p in preds]
        assert [i.digest for i in got] == [p._encode().digest for p in preds]
        # The bytes downloaded are the file the SDK made, and decode to the pixels logged.
        path = got[1].download(str(tmp_path / "down"))
        assert open(path, "rb").read() == preds[1]._encode().data
        assert np.array_equal(np.asarray(PIL.open(path)), pixels[1])
        assert np.array_equal(np.asarray(got[2].to_pil()), pixels[2])

    photo = rows[0]["photo"]
    assert (photo.format, photo.width, photo.height) == ("jpeg", 30, 20)
    assert open(photo.download(str(tmp_path / "photo")), "rb").read() == picture.read_bytes()

    for row, values in zip(rows, weights):
        counts, edges = np.histogram(values, bins=16)
        assert row["weights"].histogram == counts.tolist() and row["weights"].bins == pytest.approx(edges.tolist())

    table = rows[2]["errors"]
    assert (table.columns, table.row_count) == (["image", "label", "confidence"], 3)
    frame = table.get_dataframe()
    assert list(frame["label"]) == ["cat", "dog", "bird"] and list(frame["confidence"]) == [0.9, 0.4, 0.1]
    assert frame["image"][0].digest == logged[2][0]._encode().digest and frame["image"][2] is None
    assert open(frame["image"][1].download(str(tmp_path / "cells")), "rb").read() == logged[2][1]._encode().data
    page = table.rows(sort="confidence", desc=False, limit=2)
    assert page["totalRows"] == 3 and [r[1] for r in page["rows"]] == ["bird", "dog"]
    assert [r[1] for r in table.rows(search="do")["rows"]] == ["dog"]


def test_a_step_logged_again_keeps_the_later_value(project, api):
    first = runstream.Image(np.zeros((4, 4), dtype=np.uint8), caption="first")
    second = runstream.Image(np.full((4, 4), 255, dtype=np.uint8), caption="second")
    with runstream.init(project=project) as run:
        run.log({"img": first}, step=0)
        run.log({"img": second}, step=0)
        run.log({"img": first}, step=1)
    remote = wait_for_run(api, project, run.id)
    steps = wait_for(lambda: (lambda s: s if len(s) == 2 else None)(remote.media("img")), what="two steps of media")
    assert [(s.step, s.value.caption) for s in steps] == [(0, "second"), (1, "first")]
    assert [s.value.caption for s in remote.media("img", step=0)] == ["second"]


def test_an_offline_run_shows_its_media_after_sync(project, api, tmp_path):
    spool = tmp_path / "offline-spool"
    script = ("import numpy as np, runstream\n"
              f"with runstream.init(project={project!r}, mode='offline') as run:\n"
              "    for step in range(2):\n"
              "        run.log({'digits': [runstream.Image(np.full((8, 8), 40 * (step + i), dtype=np.uint8), caption=str(i)) "
              "for i in range(2)],\n"
              "                 'table': runstream.Table(columns=['n'], data=[[step]]), 'acc': 0.5 + step / 4})\n"
              "print(run.id)\n")
    done = run_python(["-c", script], env={"RUNSTREAM_DIR": str(spool)})
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip()
    with pytest.raises(runstream.ApiError):
        api.run(f"{project}/{run_id}")
    synced = run_python(["-m", "runstream", "sync", str(spool)])
    assert synced.returncode == 0 and f"{project}/{run_id}" in synced.stdout, synced.stdout + synced.stderr

    remote = wait_for_run(api, project, run_id)
    steps = wait_for(lambda: (lambda s: s if len(s) == 2 else None)(remote.media("digits")), what="the synced images")
    assert [[i.caption for i in s.images] for s in steps] == [["0", "1"], ["0", "1"]]
    pixels = np.asarray(steps[1].images[1].to_pil())
    assert pixels.shape == (8, 8) and int(pixels[0, 0]) == 80
    assert [remote.media("table")[i].value.data for i in range(2)] == [[[0]], [[1]]]
    assert [r["acc"] for r in remote.history(keys=["acc"], pandas=False)] == [0.5, 0.75]
