"""The spool's format and trimming (pure logic, no server)."""

import os

from runstream import _spool
from runstream._pb import pb
from runstream._spool import RunSpool


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
