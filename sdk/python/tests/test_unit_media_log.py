"""Logging media: log() hands values to the media worker and returns, the worker encodes and keeps
the files in the spool, finish() waits for it; values over a limit are skipped with a warning."""

import hashlib
import os
import threading
import time

import numpy as np
import pytest

import runstream
from runstream import _media_encode, _media_worker
from runstream._spool import RunSpool
import helpers
from helpers import spooled_frames, stashed_content, wait_for


def media_rows(run):
    """Media rows spooled so far: read through the run's own spool while it is open (a second open is refused)."""
    frames = list(run._spool.read_from(1)) if not run.finished else spooled_frames(run.dir)
    return helpers.media_rows(frames)


def content(run, digest: str) -> bytes:
    return stashed_content(run.dir, digest)


def pixels(height=4, width=4, value=0):
    return np.full((height, width, 3), value, dtype=np.uint8)


def test_media_and_numbers_in_one_call_follow_the_steps():
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"img": runstream.Image(pixels(value=1), caption="first"), "loss": 1.0})      # step 0
        run.log({"hist": runstream.Histogram([1, 2, 3], num_bins=3)}, commit=False)          # step 1, pending
        run.log({"loss": 0.5})                                                               # step 1
        run.log({"preds": [runstream.Image(pixels(value=2)), runstream.Image(pixels(value=3))]}, step=7)
        run.log({"img": runstream.Image(pixels(value=4))}, step=3)                           # an earlier step
        assert run.summary["loss"] == 0.5 and "img" not in run.summary
    rows = media_rows(run)
    assert sorted((step, sorted(cells)) for step, cells in rows) == [(0, ["img"]), (1, ["hist"]), (3, ["img"]), (7, ["preds"])]
    by_step = dict(rows)
    first = by_step[0]["img"].images.images
    assert [(i.caption, i.width, i.height, i.format) for i in first] == [("first", 4, 4, "png")]
    assert [i.caption for i in by_step[7]["preds"].images.images] == ["", ""]
    assert list(by_step[1]["hist"].histogram.counts) == [1, 1, 1]
    kinds = [f.WhichOneof("payload") for f in spooled_frames(run.dir)]
    assert kinds[-1] == "finished" and "metrics" in kinds


def test_offline_media_stays_in_the_spool_and_the_frames_name_it():
    images = [runstream.Image(pixels(value=v)) for v in range(3)]
    with runstream.init(project="unit", mode="offline") as run:
        for step, image in enumerate(images):
            run.log({"img": image})
    digests = [cells["img"].images.images[0].digest for _, cells in media_rows(run)]
    assert len(set(digests)) == 3
    for digest, image in zip(digests, images):
        assert content(run, digest) == image._encode().data
    # Reopened, as sync does: the content waits for upload, and media steps count as logged steps.
    spool = RunSpool.open(run.dir)
    try:
        assert set(digests) <= set(spool.stashed_digests()) and spool.last_step == 2
    finally:
        spool.close()


def test_log_returns_before_anything_is_encoded(monkeypatch):
    """The training loop only queues: with the encoder held, log() still returns, and finish() then
    waits for every image to be encoded and spooled before the run's end."""
    release = threading.Event()
    started = []
    real = _media_encode.encode_array

    def held(array, *args):
        started.append(1)
        release.wait(30)
        return real(array, *args)

    monkeypatch.setattr(_media_encode, "encode_array", held)
    run = runstream.init(project="unit", mode="offline")
    begun = time.monotonic()
    for step in range(20):
        run.log({"img": runstream.Image(pixels(value=step)), "step_value": step})
    assert time.monotonic() - begun < 20           # it would be > 30 s if log() encoded
    wait_for(lambda: started, timeout=10, what="the worker to start encoding")
    assert len(started) == 1                       # the first image is held; the others wait in the queue
    assert media_rows(run) == []
    threading.Timer(0.2, release.set).start()
    run.finish()
    rows = media_rows(run)
    assert [step for step, _ in rows] == list(range(20)) and len(started) == 20
    kinds = [f.WhichOneof("payload") for f in spooled_frames(run.dir)]
    assert kinds[-1] == "finished" and kinds.count("media") >= 1


def test_values_waiting_share_a_frame(monkeypatch):
    monkeypatch.setattr(_media_worker, "ROWS_PER_FRAME", 8)
    release = threading.Event()
    real = _media_encode.encode_array

    def held(array, *rest):
        release.wait(30)
        return real(array, *rest)

    monkeypatch.setattr(_media_encode, "encode_array", held)
    run = runstream.init(project="unit", mode="offline")
    for step in range(20):
        run.log({"img": runstream.Image(pixels(value=step))})
    release.set()
    run.finish()
    frames = [f for f in spooled_frames(run.dir) if f.WhichOneof("payload") == "media"]
    # All 20 were queued while the first was being encoded: frames of 8, 8 and 4 rows.
    assert [len(f.media.rows) for f in frames] == [8, 8, 4]
    assert [row.step for f in frames for row in f.media.rows] == list(range(20))
    assert all(list(f.media.keys) == ["img"] for f in frames)


def test_an_image_over_the_pixel_limit_is_skipped_with_a_warning(capsys):
    huge = np.broadcast_to(np.uint8(0), (4097, 4097))                  # 16,785,409 pixels
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"huge": runstream.Image(huge), "small": runstream.Image(pixels()), "loss": 1.0})
        run.log({"many": [runstream.Image(pixels())] * 257})
        run.log({"mixed": [runstream.Image(pixels()), "not an image"]})
    err = capsys.readouterr().err
    assert "'huge'" in err and "4097x4097 = 16,785,409 pixels; the limit is 16,777,216" in err
    assert "'many' holds 257 images; the limit is 256" in err
    assert "'mixed' is a list of images with a str in it" in err
    rows = media_rows(run)
    assert [(step, sorted(cells)) for step, cells in rows] == [(0, ["small"])]
    metrics = [f for f in spooled_frames(run.dir) if f.WhichOneof("payload") == "metrics"]
    assert metrics and list(metrics[0].metrics.keys) == ["loss"]


def test_tables_over_the_limits_are_skipped_with_a_warning(capsys):
    long = runstream.Table(columns=["n"], data=[[i] for i in range(10_001)])
    wide = runstream.Table(columns=[f"c{i}" for i in range(257)], data=[list(range(257))])
    with_huge_image = runstream.Table(columns=["img"], data=[[runstream.Image(np.broadcast_to(np.uint8(0), (5000, 4000)))]])
    fine = runstream.Table(columns=["n"], data=[[1]])
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"long": long, "wide": wide, "with_huge_image": with_huge_image, "fine": fine})
    err = capsys.readouterr().err
    assert "table 'long' has 10,001 rows; the limit is 10,000" in err
    assert "table 'wide' has 257 columns; a table has 1 to 256" in err
    assert "'with_huge_image' is 4000x5000 = 20,000,000 pixels" in err
    assert [sorted(cells) for _, cells in media_rows(run)] == [["fine"]]


def test_limits_only_the_encoded_files_show_are_checked_by_the_worker(monkeypatch, capsys):
    monkeypatch.setattr(_media_worker, "MAX_IMAGE_BYTES", 1000)
    monkeypatch.setattr(_media_worker, "MAX_TABLE_BYTES", 200)
    noise = np.random.default_rng(4).integers(0, 256, (32, 32, 3), dtype=np.uint8)   # > 1,000 bytes as PNG
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"noisy": runstream.Image(noise), "flat": runstream.Image(pixels()),
                 "big_table": runstream.Table(columns=["text"], data=[["x" * 300]]),
                 "small_table": runstream.Table(columns=["text"], data=[["x"]])})
    err = capsys.readouterr().err
    assert "an image of 'noisy' is" in err and "the limit is 1,000 (16 MiB)" in err
    assert "table 'big_table' is" in err and "the limit is 200 (32 MiB)" in err
    [(_, cells)] = media_rows(run)
    assert sorted(cells) == ["flat", "small_table"]
    noisy = hashlib.sha256(runstream.Image(noise)._encode().data).hexdigest()
    assert not os.path.exists(os.path.join(run.dir, "content", noisy))       # a skipped value leaves no file


def test_the_run_stops_logging_media_at_its_byte_limit(monkeypatch, capsys):
    monkeypatch.setattr(_media_worker, "MAX_BYTES_PER_RUN", 150)
    with runstream.init(project="unit", mode="offline") as run:
        for value in range(4):
            run.log({"img": runstream.Image(pixels(value=value)), "h": runstream.Histogram([value])})
    sizes = [cells["img"].images.images[0].size for _, cells in media_rows(run) if "img" in cells]
    assert sum(sizes) <= 150 and len(sizes) < 4
    assert "media 'img' is not logged: the run's media would pass 150 bytes" in capsys.readouterr().err
    assert sum("h" in cells for _, cells in media_rows(run)) == 4          # histograms hold no files


def test_a_value_that_fails_to_encode_is_skipped_and_the_worker_goes_on(monkeypatch, capsys):
    real = _media_encode.encode_array

    def fails_once(array, *rest):
        if array.max() == 9:
            raise MemoryError("no memory for this one")
        return real(array, *rest)

    monkeypatch.setattr(_media_encode, "encode_array", fails_once)
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"a": runstream.Image(pixels(value=9)), "b": runstream.Image(pixels(value=1))})
        run.log({"a": runstream.Image(pixels(value=2))})
    assert "media 'a' is not logged: MemoryError: no memory for this one" in capsys.readouterr().err
    assert [(step, sorted(cells)) for step, cells in media_rows(run)] == [(0, ["b"]), (1, ["a"])]


def test_disabled_runs_take_media_and_do_nothing():
    with runstream.init(project="unit", mode="disabled") as run:
        run.log({"img": runstream.Image(pixels()), "loss": 1.0})
        assert run._media is None


def test_media_after_finish_is_refused():
    run = runstream.init(project="unit", mode="offline")
    run.finish()
    with pytest.raises(runstream.RunstreamError):
        run.log({"img": runstream.Image(pixels())})
