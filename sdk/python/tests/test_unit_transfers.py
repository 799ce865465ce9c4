"""Artifact content transfers against an in-process Ingest: no overall deadline for a transfer that
makes progress, a stalled one retried, artifacts of other projects, resuming during an outage."""

import hashlib
import os
import time

import pytest

import runstream
from runstream import _content
from runstream._pb import pb
from runstream._settings import resolve
from runstream._sync import sync_all
from runstream._transport import Transport
from fake_ingest import FakeIngest
from helpers import run_python, spooled_frames, wait_for

BIG = 5 * (1 << 20) + 123            # six chunks


@pytest.fixture
def ingest():
    fake = FakeIngest().start()
    yield fake
    fake.stop()


@pytest.fixture
def transport(ingest):
    transport = Transport(resolve(url=ingest.url))
    yield transport
    transport.close()


def big_file(path, size: int = BIG) -> tuple[str, str]:
    data = os.urandom(size)
    path.write_bytes(data)
    return str(path), hashlib.sha256(data).hexdigest()


def test_an_upload_longer_than_the_init_timeout_completes_while_logging(ingest, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNSTREAM_INIT_TIMEOUT", "1")
    ingest.chunk_delay = 0.4                           # about 2.5 s for the file
    path, digest = big_file(tmp_path / "model.bin")
    with runstream.init(project="unit", url=ingest.url) as run:
        started = time.monotonic()
        run.log_artifact(path, name="model", type="model")
        assert time.monotonic() - started > 1.5
        # Uploaded by log_artifact itself, not stashed for later.
        assert ingest.content.get(digest) is not None and run._spool.stashed_digests() == []
    assert ingest.upload_attempts == 1
    assert ingest.payloads("artifact_logged")[0].files[0].digest == digest


def test_sync_waits_for_an_upload_that_makes_progress(ingest, tmp_path):
    path, digest = big_file(tmp_path / "model.bin", 20 << 20)
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"loss": 1.0})
        run.log_artifact(path, name="model", type="model")
    # About 4 s for the file; gRPC sends a few MiB ahead, so bytes move in bursts about 1 s apart.
    ingest.chunk_delay = 0.2
    started = time.monotonic()
    results = list(sync_all(run.dir, resolve(url=ingest.url), timeout=2.5))
    assert [(r.run_id, r.unacknowledged) for r in results] == [(run.id, 0)]
    assert time.monotonic() - started > 3.0           # longer than the timeout: the upload went on
    assert ingest.content.get(digest) is not None
    assert [f.WhichOneof("payload") for f in ingest.frames][-1] == "finished"
    assert not os.listdir(os.path.join(run.dir, "content"))


def test_a_download_longer_than_its_timeout_completes(ingest, transport, tmp_path):
    data = os.urandom(BIG)
    manifest = ingest.add_artifact("unit", "data", "v0", {"big.bin": data})
    ingest.chunk_delay = 0.4
    target = str(tmp_path / "out" / "big.bin")
    request = pb.ArtifactFileRef(artifact=pb.ArtifactRef(project="unit", name="data", version="v0"), path="big.bin")
    _content.download_file(transport, request, target, manifest.files[0].digest, 1.0)
    assert open(target, "rb").read() == data and ingest.download_attempts == 1


def test_a_stalled_upload_is_cancelled_and_tried_again(ingest, transport, tmp_path, monkeypatch):
    monkeypatch.setattr(_content, "STALL_SECONDS", 1.0)
    ingest.stall_uploads = 1
    path, digest = big_file(tmp_path / "model.bin")
    started = time.monotonic()
    assert _content.upload_missing(transport, {digest: path}, timeout=30) == 1
    assert time.monotonic() - started < 15
    assert ingest.upload_attempts == 2 and ingest.content.get(digest) is not None


def test_a_broken_upload_is_retried_and_an_unreachable_ingest_gives_up(ingest, transport, tmp_path):
    ingest.fail_uploads = 1
    path, digest = big_file(tmp_path / "model.bin")
    assert _content.upload_missing(transport, {digest: path}, timeout=30) == 1
    assert ingest.upload_attempts == 2 and ingest.content.get(digest) is not None

    ingest.stop()
    started = time.monotonic()
    with pytest.raises(runstream.RunstreamError):
        _content.upload_file(transport, digest, path, retry_for=1.0)
    assert time.monotonic() - started < 10


def test_an_upload_over_the_storage_quota_is_not_retried(ingest, transport, tmp_path):
    ingest.quota_bytes = 1 << 20
    path, digest = big_file(tmp_path / "model.bin")
    with pytest.raises(runstream.RunstreamError, match="storage quota of 1,048,576 bytes"):
        _content.upload_file(transport, digest, path, retry_for=30)
    assert ingest.upload_attempts == 1


def test_use_artifact_of_another_project_names_that_project(ingest, tmp_path):
    other = ingest.add_artifact("other-project", "data", "v3", {"a.txt": b"other"})
    own = ingest.add_artifact("mine", "data", "v0", {"a.txt": b"own"})
    with runstream.init(project="mine", url=ingest.url) as run:
        used = run.use_artifact("other-project/data:v3")
        assert (used.version, used.digest) == ("v3", other.digest)
        assert open(os.path.join(used.download(str(tmp_path / "other")), "a.txt"), "rb").read() == b"other"
        run.use_artifact("data:latest")
    frames = ingest.payloads("artifact_used")
    assert [(f.project, f.name, f.version, f.digest) for f in frames] == [
        ("other-project", "data", "v3", other.digest), ("", "data", "v0", own.digest)]

    with runstream.init(project="mine", url=ingest.url) as run:
        again = run.use_artifact(used)                 # a UsedArtifact keeps its project
        assert again.digest == other.digest
    assert ingest.payloads("artifact_used")[-1].project == "other-project"


def test_resuming_while_ingest_is_down_goes_on_from_the_spool(ingest, tmp_path, monkeypatch, capsys):
    # A job logs five steps, everything is acknowledged, and it is killed (preempted).
    script = (
        "import os, signal, time, runstream\n"
        f"run = runstream.init(project='unit', id='preempted', url='{ingest.url}')\n"
        "for step in range(5):\n"
        "    run.log({'loss': float(step)})\n"
        # under the spool's lock: an acknowledgement's segments are deleted before it is released
        "def caught_up():\n"
        "    with run._spool._lock:\n"
        "        return run._spool.last_step >= 4 and run._spool.acked == run._spool.last_sequence\n"
        "while not caught_up():\n"
        "    time.sleep(0.01)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = run_python(["-c", script], env={"RUNSTREAM_DIR": str(tmp_path / "spool")})
    assert done.returncode == -9, done.stderr
    sent = len(ingest.frames)
    assert sent == 1 + sum(1 for f in ingest.frames if f.WhichOneof("payload") == "metrics")

    # It restarts while Ingest is down.
    ingest.stop()
    monkeypatch.setenv("RUNSTREAM_INIT_TIMEOUT", "1")
    run = runstream.init(project="unit", id="preempted", resume="allow", url=ingest.url)
    assert run.resumed and run.step == 5
    assert "going on from the local spool" in capsys.readouterr().err
    run.log({"loss": 5.0})
    result = run.finish(timeout=0.5)
    assert not result.complete
    frames = spooled_frames(run.dir)
    assert [f.WhichOneof("payload") for f in frames] == ["resumed", "metrics", "finished"]
    assert [f.sequence for f in frames] == [sent + 1, sent + 2, sent + 3]
    assert [row.step for row in frames[1].metrics.rows] == [5]


def test_resuming_while_ingest_is_down_without_a_spool_of_the_run_raises(ingest, monkeypatch):
    ingest.stop()
    monkeypatch.setenv("RUNSTREAM_INIT_TIMEOUT", "1")
    with pytest.raises(runstream.RunstreamError, match="cannot tell whether it exists"):
        runstream.init(project="unit", id="unknown-run", resume="allow", url=ingest.url)
    assert runstream.run is None


def test_a_finish_whose_last_frame_cannot_be_spooled_is_not_complete(ingest, monkeypatch):
    """A failed spool write (a full disk) is counted: finish() does not report complete."""
    from test_unit_spool import FullDisk
    disk = FullDisk(monkeypatch)
    run = runstream.init(project="unit", url=ingest.url)
    run.log({"loss": 1.0})
    wait_for(lambda: run._spool.acked == run._spool.last_sequence == 2, timeout=10, what="the row's ack")
    disk.full = True                                    # the RunFinished frame cannot be written
    result = run.finish(timeout=2)
    assert disk.failures == 1
    assert not result.complete
    assert result.unacknowledged == 0 and result.unspooled == 1
    assert [f.WhichOneof("payload") for f in ingest.frames] == ["started", "metrics"]
