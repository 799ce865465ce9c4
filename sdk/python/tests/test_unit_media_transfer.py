"""Media content travels first: against an in-process Ingest, every file a media frame names is
uploaded before the frame, live or by `sync` of an offline run, and content Ingest holds is not sent again."""

import hashlib
import os

import numpy as np
import pytest

import runstream
from runstream import _content
from runstream._settings import resolve
from runstream._sync import sync_all
from runstream._transport import Transport
from fake_ingest import FakeIngest
from helpers import media_rows, run_python


@pytest.fixture
def ingest():
    fake = FakeIngest().start()
    yield fake
    fake.stop()


def log_some_media(run, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for epoch in range(3):
        thumbs = [runstream.Image(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), caption=f"#{i}") for i in range(4)]
        table = runstream.Table(columns=["image", "label"], data=[[thumbs[0], "cat"], [thumbs[1], "dog"]])
        run.log({"preds": thumbs, "errors": table, "weights": runstream.Histogram(rng.normal(size=100)), "loss": 1.0 / (epoch + 1)})


def named_digests(cell) -> list:
    if cell.WhichOneof("value") == "images":
        return [i.digest for i in cell.images.images]
    if cell.WhichOneof("value") == "table":
        return [cell.table.digest, *cell.table.image_digests]
    return []


def assert_content_came_first(ingest) -> int:
    """Each media frame arrived after every file it names; returns how many files were named."""
    arrived = {}
    for position, (kind, what) in enumerate(ingest.events):
        if kind == "content":
            arrived.setdefault(what, position)
    named = set()
    for frame in ingest.frames:
        if frame.WhichOneof("payload") != "media":
            continue
        position = ingest.events.index(("frame", frame.sequence))
        for _, cells in media_rows([frame]):
            for cell in cells.values():
                for digest in named_digests(cell):
                    assert arrived.get(digest, position) < position, f"{digest} came after frame {frame.sequence}"
                    named.add(digest)
    assert named and named <= set(ingest.content)
    return len(named)


def test_a_live_run_uploads_media_before_the_frames_that_name_it(ingest):
    with runstream.init(project="unit", url=ingest.url) as run:
        log_some_media(run)
    assert run._finish_result.complete
    kinds = [f.WhichOneof("payload") for f in ingest.frames]
    assert kinds[-1] == "finished" and "media" in kinds and "metrics" in kinds
    rows = media_rows(ingest.frames)
    assert sorted(step for step, _ in rows) == [0, 1, 2]
    assert all(sorted(cells) == ["errors", "preds", "weights"] for _, cells in rows)
    assert assert_content_came_first(ingest) == 3 * (4 + 1)     # 4 images and a table file per step
    assert os.listdir(os.path.join(run.dir, "content")) == []    # uploaded, then forgotten


def test_content_ingest_holds_is_not_sent_again(ingest):
    with runstream.init(project="unit", url=ingest.url) as first:
        log_some_media(first, seed=5)
    uploads = ingest.upload_attempts
    with runstream.init(project="unit", url=ingest.url) as second:
        log_some_media(second, seed=5)                           # the same pictures and tables
    assert second._finish_result.complete
    assert ingest.upload_attempts == uploads
    assert len(media_rows(ingest.frames)) == 6


def test_an_offline_run_keeps_its_media_until_sync_uploads_it_first(ingest, tmp_path):
    with runstream.init(project="unit", mode="offline") as run:
        log_some_media(run, seed=7)
    kept = os.listdir(os.path.join(run.dir, "content"))
    assert len(kept) == 15 and ingest.events == []

    results = list(sync_all(run.dir, resolve(url=ingest.url), timeout=30))
    assert [(r.run_id, r.unacknowledged, r.errors) for r in results] == [(run.id, 0, ())]
    assert assert_content_came_first(ingest) == 15
    assert sorted(ingest.content) == sorted(kept)
    assert os.listdir(os.path.join(run.dir, "content")) == []
    assert [f.WhichOneof("payload") for f in ingest.frames][-1] == "finished"


def test_the_sync_command_uploads_an_offline_runs_media(ingest, tmp_path):
    script = ("import numpy as np, runstream\n"
              "with runstream.init(project='unit', mode='offline') as run:\n"
              "    run.log({'img': runstream.Image(np.full((6, 6), 200, dtype=np.uint8), caption='six')})\n"
              "print(run.dir)\n")
    done = run_python(["-c", script], env={"RUNSTREAM_DIR": str(tmp_path / "spool")})
    assert done.returncode == 0, done.stderr
    synced = run_python(["-m", "runstream", "sync", str(tmp_path / "spool"), "--url", ingest.url])
    assert synced.returncode == 0, synced.stderr
    [(step, cells)] = media_rows(ingest.frames)
    image = cells["img"].images.images[0]
    assert (step, image.caption, image.width, image.height) == (0, "six", 6, 6)
    assert ingest.content[image.digest][:8] == b"\x89PNG\r\n\x1a\n"
    assert_content_came_first(ingest)


def test_broken_uploads_of_media_are_retried_each_on_its_own(ingest):
    ingest.fail_uploads = 3                                   # three uploads break after their first chunk
    with runstream.init(project="unit", mode="offline") as run:
        log_some_media(run, seed=9)
    results = list(sync_all(run.dir, resolve(url=ingest.url), timeout=30))
    assert [(r.unacknowledged, r.errors) for r in results] == [(0, ())]
    assert ingest.upload_attempts == 15 + 3 and len(ingest.content) == 15
    assert_content_came_first(ingest)


def test_a_refused_upload_among_parallel_ones_is_raised(ingest, tmp_path):
    files = {}
    for i in range(8):
        data = bytes([i]) * 2000
        path = tmp_path / f"f{i}"
        path.write_bytes(data)
        files[hashlib.sha256(data).hexdigest()] = str(path)
    ingest.quota_bytes = 1000                                  # every upload is over the quota: not retried
    transport = Transport(resolve(url=ingest.url))
    try:
        with pytest.raises(runstream.RunstreamError, match="storage quota"):
            _content.upload_missing(transport, files, timeout=30, parallel=4)
    finally:
        transport.close()
    assert 1 <= ingest.upload_attempts <= 8 and not ingest.content
    ingest.quota_bytes = None
    uploaded = []
    transport = Transport(resolve(url=ingest.url))
    try:
        assert _content.upload_missing(transport, files, timeout=30, parallel=4, uploaded=uploaded.append) == 8
    finally:
        transport.close()
    assert sorted(uploaded) == sorted(files) == sorted(ingest.content)
