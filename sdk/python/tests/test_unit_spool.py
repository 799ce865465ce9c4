"""The spool's format and trimming (pure logic, no server)."""

import builtins
import errno
import os

import pytest

import runstream
from runstream import _spool
from runstream._pb import pb
from runstream._settings import resolve
from runstream._spool import RunSpool, SpoolInUse
from runstream._sync import sync_all
from helpers import run_python, spooled_frames, wait_for


def frame(sequence, step=None):
    f = pb.RunFrame(run=pb.RunRef(project="p", run_id="r"), sequence=sequence)
    if step is None:
        f.finished.exit_code = 0
    else:
        f.metrics.keys.append("loss")
        f.metrics.rows.add(step=step, key_indexes=[0], values=[1.0 / (step + 1)])
    return f


def test_frames_round_trip_and_reopen(tmp_path):
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.append([frame(1, 0), frame(2, 1)])
    spool.append([frame(3)])
    assert [f.sequence for f in spool.read_from(1)] == [1, 2, 3]
    assert [f.sequence for f in spool.read_from(2)] == [2, 3]
    spool.close()

    again = RunSpool.open(spool.directory)
    assert (again.last_sequence, again.last_step, again.acked) == (3, 1, 0)
    assert again.project == "p" and again.run_id == "r"


def test_acknowledged_segments_are_deleted(tmp_path, monkeypatch):
    monkeypatch.setattr(_spool, "SEGMENT_BYTES", 1)     # a segment per append
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    for sequence in range(1, 6):
        spool.append([frame(sequence, sequence)])
    assert len(spool.segments()) == 5
    spool.acknowledge(3)
    assert [first for _, first in spool.segments()] == [4, 5]
    assert [f.sequence for f in spool.read_from(1)] == [4, 5]
    assert open(os.path.join(spool.directory, "acked")).read() == "3"
    spool.acknowledge(5)
    assert spool.segments() == []
    spool.close()
    again = RunSpool.open(spool.directory)
    assert (again.last_sequence, again.acked) == (5, 5)


def test_a_torn_tail_is_cut_off_and_appending_goes_on(tmp_path):
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.append([frame(1, 0), frame(2, 1)])
    spool.close()
    path = spool.segments()[-1][0]
    whole = os.path.getsize(path)
    with open(path, "ab") as f:
        f.write(b"\x40\x00\x00\x00garbage")           # a crash in the middle of a record
    again = RunSpool.open(spool.directory)
    assert os.path.getsize(path) == whole
    assert again.last_sequence == 2
    again.append([frame(3)])
    assert [f.sequence for f in again.read_from(1)] == [1, 2, 3]


def test_a_corrupted_record_ends_the_readable_spool(tmp_path):
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.append([frame(1, 0), frame(2, 1)])
    spool.close()
    path = spool.segments()[-1][0]
    data = bytearray(open(path, "rb").read())
    data[-1] ^= 0xFF                                   # flip a bit in the last frame
    open(path, "wb").write(bytes(data))
    assert [f.sequence for f in RunSpool.open(spool.directory).read_from(1)] == [1]


def test_a_cursor_follows_the_spool_as_it_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(_spool, "SEGMENT_BYTES", 60)
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    cursor = spool.cursor(1)
    assert cursor.read() is None
    seen = []
    for sequence in range(1, 8):
        spool.append([frame(sequence, sequence)])
        f = cursor.read()
        seen.append(f.sequence)
        assert cursor.read() is None
    assert seen == list(range(1, 8))
    assert len(spool.segments()) > 1
    cursor.close()


def test_skip_to_continues_after_the_servers_sequence(tmp_path):
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.append([frame(1, 0)])
    spool.skip_to(10)
    assert (spool.last_sequence, spool.acked) == (10, 10)
    spool.append([frame(11, 5)])
    assert [f.sequence for f in spool.read_from(1)] == [11]


def test_find_all_lists_run_directories(tmp_path):
    for run in ("a", "b"):
        RunSpool.open_or_create(str(tmp_path), "proj", run).close()
    assert [os.path.basename(d) for d in RunSpool.find_all(str(tmp_path))] == ["a", "b"]
    assert RunSpool.find_all(str(tmp_path / "proj" / "a")) == [str(tmp_path / "proj" / "a")]


class FullDisk:
    """Makes the spool's segment files fail their writes while `full` is set, as a full disk does:
    part of the bytes reach the file, then ENOSPC."""

    def __init__(self, monkeypatch):
        self.full = False
        self.failures = 0
        disk = self

        class Segment:
            def __init__(self, f):
                self._f = f

            def write(self, data):
                if disk.full:
                    self._f.write(data[:max(1, len(data) // 2)])
                    self._f.flush()
                    disk.failures += 1
                    raise OSError(errno.ENOSPC, "No space left on device")
                return self._f.write(data)

            def __getattr__(self, name):
                return getattr(self._f, name)

        def open_(path, mode="r", *args, **kwargs):
            f = builtins.open(path, mode, *args, **kwargs)
            return Segment(f) if "a" in mode and os.path.basename(str(path)).startswith("frames-") else f

        monkeypatch.setattr(_spool, "open", open_, raising=False)


def test_a_failed_write_is_undone_and_later_frames_follow(tmp_path, monkeypatch):
    disk = FullDisk(monkeypatch)
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.append([frame(1, 0), frame(2, 1)])
    size = os.path.getsize(spool.segments()[-1][0])
    disk.full = True
    with pytest.raises(OSError):
        spool.append([frame(3, 2), frame(4, 3)])
    assert disk.failures == 1
    assert os.path.getsize(spool.segments()[-1][0]) == size       # no torn record left behind
    assert (spool.last_sequence, spool.last_step) == (2, 1)        # the frames do not count
    disk.full = False
    spool.append([frame(3, 4)])
    assert [f.sequence for f in spool.read_from(1)] == [1, 2, 3]
    spool.close()
    again = RunSpool.open(spool.directory)
    assert [(f.sequence, f.metrics.rows[0].step) for f in again.read_from(1)] == [(1, 0), (2, 1), (3, 4)]
    again.close()


def test_an_offline_run_goes_on_after_a_failed_spool_write(monkeypatch, capsys):
    disk = FullDisk(monkeypatch)
    run = runstream.init(project="unit", mode="offline")
    run.log({"loss": 0.0})
    wait_for(lambda: run._spool.last_step == 0, timeout=10, what="step 0 spooled")
    disk.full = True
    run.log({"loss": 1.0})
    wait_for(lambda: disk.failures == 1, timeout=10, what="the failed write")
    disk.full = False
    run.log({"loss": 2.0})
    result = run.finish()
    frames = spooled_frames(run.dir)
    assert [f.sequence for f in frames] == [1, 2, 3, 4]
    assert [f.WhichOneof("payload") for f in frames] == ["started", "metrics", "metrics", "finished"]
    assert [row.step for f in frames[1:3] for row in f.metrics.rows] == [0, 2]
    assert result.unspooled == 1 and not result.complete
    assert "lost" in capsys.readouterr().err


def test_the_last_step_outlives_its_acknowledged_segments(tmp_path):
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.append([frame(1, 0), frame(2, 7), frame(3)])
    spool.acknowledge(3)
    assert spool.segments() == []
    spool.close()
    again = RunSpool.open(spool.directory)
    assert (again.last_sequence, again.last_step) == (3, 7)
    again.close()


def test_an_open_spool_is_locked(tmp_path):
    spool = RunSpool.open_or_create(str(tmp_path), "p", "r")
    with pytest.raises(SpoolInUse):
        RunSpool.open(spool.directory)
    with pytest.raises(SpoolInUse):
        RunSpool.open_or_create(str(tmp_path), "p", "r")
    spool.close()
    RunSpool.open(spool.directory).close()


def test_sync_skips_a_live_runs_spool_and_leaves_its_tail_alone(tmp_path):
    live = runstream.init(project="unit", mode="offline")
    live.log({"loss": 1.0})
    wait_for(lambda: live._spool.last_step == 0, timeout=10, what="the row spooled")
    segment = live._spool.segments()[-1][0]
    with open(segment, "ab") as f:
        f.write(b"\x40\x00\x00\x00half a rec")         # the live writer, halfway through a record
    size = os.path.getsize(segment)
    with runstream.init(project="unit", mode="offline", reinit="create_new") as done:
        done.log({"loss": 2.0})

    results = {r.run_id: r for r in sync_all(str(tmp_path / "spool"), resolve(url="http://127.0.0.1:9"), timeout=0.5)}
    assert os.path.getsize(segment) == size
    assert results[live.id].in_use and results[live.id].uploaded == 0
    assert not results[done.id].in_use

    cli = run_python(["-m", "runstream", "sync", "--url", "http://127.0.0.1:9", "--timeout", "0.5", live.dir])
    assert cli.returncode == 1 and "in use" in cli.stdout, cli.stdout + cli.stderr
    assert os.path.getsize(segment) == size
    live.finish()
