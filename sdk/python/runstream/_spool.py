"""A run's frames on local disk, written before they are sent.

Neither a network outage nor a crash of the training process loses what was logged. One
directory per run (``<root>/<project>/<run_id>``) holds:

- ``run.json``: the project and run id;
- append-only segment files ``frames-<first sequence, 12 digits>.log`` of records
  ``[length: int32 LE][CRC-32 of the frame: uint32 LE][frame: protobuf RunFrame]``;
- ``acked``: the highest sequence Ingest acknowledged (replaced atomically);
- ``last-step``: the highest step of the frames deleted as acknowledged, so a run resumed from
  this spool alone goes on after it;
- ``content/<sha256>``: artifact files waiting to be uploaded (offline runs, or an outage);
- ``lock``: locked (``flock``) by the process that has the spool open, the live run or a
  ``sync``; another one cannot open the spool meanwhile.

Records are flushed to the operating system as they are written, so they survive the process
dying; finish() forces them to disk. A record cut short by a crash fails its length or checksum;
opening the spool cuts such a torn tail off. A write that fails (a full disk) is undone: the
segment is cut back to where it ended before. Fully acknowledged segments are deleted.

The format is the C# SDK's, so either SDK's ``sync`` uploads the other's spools.
"""

from __future__ import annotations

import json
import os
import re
import struct
import threading
import weakref
import zlib

from ._pb import pb
from ._settings import RunstreamError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:
    msvcrt = None

INFO_FILE = "run.json"
ACKED_FILE = "acked"
LAST_STEP_FILE = "last-step"
LOCK_FILE = "lock"
CONTENT_DIR = "content"
SEGMENT_BYTES = 8 * 1024 * 1024
_HEADER = struct.Struct("<iI")
_SEGMENT = re.compile(r"^frames-(\d+)\.log$")


def directory_for(root: str, project: str, run_id: str) -> str:
    return os.path.join(root, project, run_id)


def _encode(frame) -> bytes:
    body = frame.SerializeToString()
    return _HEADER.pack(len(body), zlib.crc32(body) & 0xFFFFFFFF) + body


def _read_record(f, size_limit: int):
    """(frame bytes, end offset) for the record at the file's position, or None when it is incomplete or torn."""
    start = f.tell()
    header = f.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    size, crc = _HEADER.unpack(header)
    if size < 0 or size > size_limit - start - _HEADER.size:
        return None
    body = f.read(size)
    if len(body) < size or zlib.crc32(body) & 0xFFFFFFFF != crc:
        return None
    return body, start + _HEADER.size + size


class SpoolInUse(RunstreamError):
    """Another process (or another run in this one) has the spool open."""

    def __init__(self, directory: str):
        self.directory = directory
        super().__init__(f"The spool in {directory} is in use by another process (a live run, or a sync).")


_held_locks = weakref.WeakSet()


class _SpoolLock:
    """An exclusive lock on ``<spool>/lock``, held while the spool is open. ``flock`` locks belong to
    the open file, so a second open of the spool, even in this process, is refused."""

    def __init__(self, directory: str):
        self.fd = None
        if fcntl is None and msvcrt is None:
            return
        fd = os.open(os.path.join(directory, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            raise SpoolInUse(directory) from None
        self.fd = fd
        _held_locks.add(self)

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)        # closing the file releases the lock

    def _forget_in_child(self) -> None:
        # A forked child (a data loader worker) shares the parent's lock; closing its copy of the
        # file leaves the parent's lock in place, and the child never releases it later.
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


def _after_fork_in_child() -> None:
    for held in list(_held_locks):
        held._forget_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class RunSpool:
    def __init__(self, directory: str, project: str, run_id: str, last_sequence: int, acked: int):
        self.directory = directory
        self.project = project
        self.run_id = run_id
        self.last_sequence = last_sequence
        self.acked = acked
        self.last_step = -1
        self._lock = threading.RLock()
        self._segment = None
        self._segment_path = None
        self._segment_last_sequence = 0
        self._new_segment = False           # a failed write could not be undone: continue in a new segment
        self._saved_last_step = -1
        self._lock_file = None

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open_or_create(cls, root: str, project: str, run_id: str) -> "RunSpool":
        """Opens the run's spool (locked; SpoolInUse when another process has it), creating it when new."""
        directory = directory_for(root, project, run_id)
        if os.path.isfile(os.path.join(directory, INFO_FILE)):
            return cls.open(directory)
        os.makedirs(directory, exist_ok=True)
        lock = _SpoolLock(directory)
        try:
            _write_atomically(os.path.join(directory, INFO_FILE), json.dumps({"Project": project, "RunId": run_id}))
        except BaseException:
            lock.release()
            raise
        spool = cls(directory, project, run_id, last_sequence=0, acked=0)
        spool._lock_file = lock
        return spool

    @staticmethod
    def read_info(directory: str) -> tuple[str, str]:
        """(project, run id) from the spool's run.json."""
        with open(os.path.join(directory, INFO_FILE), encoding="utf-8") as f:
            info = json.load(f)
        project = info.get("Project") or info.get("project")
        run_id = info.get("RunId") or info.get("run_id")
        if not project or not run_id:
            raise ValueError(f"{directory}/{INFO_FILE} names no project and run id.")
        return project, run_id

    @classmethod
    def open(cls, directory: str) -> "RunSpool":
        """Opens an existing spool and locks it: SpoolInUse when another process has it open (a
        live run still writing it must not have its tail "repaired" under it)."""
        project, run_id = cls.read_info(directory)
        lock = _SpoolLock(directory)
        try:
            acked = _read_int(os.path.join(directory, ACKED_FILE), 0)
            spool = cls(directory, project, run_id, last_sequence=acked, acked=acked)
            spool._lock_file = lock
            spool._saved_last_step = spool.last_step = _read_int(os.path.join(directory, LAST_STEP_FILE), -1)
            spool._repair_tail()
            for frame in spool.read_from(acked + 1):
                spool._track(frame)
            return spool
        except BaseException:
            lock.release()
            raise

    @staticmethod
    def find_all(directory: str) -> list[str]:
        """Every run spool at or below `directory`."""
        found = []
        for root, _dirs, files in os.walk(directory):
            if INFO_FILE in files:
                found.append(root)
        return sorted(found)

    def _repair_tail(self) -> None:
        """Cuts off a record a crash left half-written at the end of the last segment."""
        segments = self.segments()
        if not segments:
            return
        path = segments[-1][0]
        size = os.path.getsize(path)
        end = 0
        with open(path, "rb") as f:
            while True:
                record = _read_record(f, size)
                if record is None:
                    break
                end = record[1]
        if end < size:
            with open(path, "r+b") as f:
                f.truncate(end)
                os.fsync(f.fileno())

    # ---- writing -------------------------------------------------------------------------

    def append(self, frames) -> None:
        """Appends frames (in sequence order) and hands them to the operating system.

        All or nothing: when the write fails (a full disk), the segment is cut back to where it
        ended before, the frames do not count as spooled, and the error is raised."""
        frames = list(frames)
        if not frames:
            return
        data = b"".join(_encode(frame) for frame in frames)
        with self._lock:
            if self._segment is None or self._segment.tell() >= SEGMENT_BYTES:
                self._start_segment(frames[0].sequence)
            start = self._segment.tell()
            try:
                self._segment.write(data)
                self._segment.flush()
            except BaseException:
                self._undo_write(start)
                raise
            self._segment_last_sequence = frames[-1].sequence
            for frame in frames:
                self._track(frame)

    def _undo_write(self, size: int) -> None:
        """Cuts the current segment back to `size` bytes after a failed write, so no torn record is
        left for later frames to follow (a reader stops at a torn record)."""
        segment, path = self._segment, self._segment_path
        self._segment = None
        self._segment_path = None
        try:
            segment.close()          # may write part of what is still buffered: cut off below
        except OSError:
            pass
        try:
            os.truncate(path, size)
        except OSError:
            # The torn record stays; readers skip to the next segment at a torn record.
            self._new_segment = True

    def _track(self, frame) -> None:
        self.last_sequence = max(self.last_sequence, frame.sequence)
        kind = frame.WhichOneof("payload")
        if kind in ("metrics", "media"):        # a step with only media is a step logged too
            for row in getattr(frame, kind).rows:
                if row.step > self.last_step:
                    self.last_step = row.step

    def _start_segment(self, first_sequence: int) -> None:
        if self._segment is not None:
            self._segment.close()
        # Continue the newest segment when it is small: a resumed run does not leave a file per resume.
        segments = self.segments()
        if segments and self._segment_path is None and not self._new_segment \
                and os.path.getsize(segments[-1][0]) < SEGMENT_BYTES and segments[-1][1] <= first_sequence:
            path = segments[-1][0]
        else:
            path = os.path.join(self.directory, f"frames-{first_sequence:012d}.log")
        self._segment = open(path, "ab")
        self._segment_path = path
        self._new_segment = False

    def skip_to(self, sequence: int) -> None:
        """Continues a run the server knows further than this spool: frames up to `sequence` are applied there."""
        with self._lock:
            if sequence <= self.last_sequence:
                return
            self.last_sequence = sequence
        self.acknowledge(sequence)

    def flush_to_disk(self) -> None:
        with self._lock:
            if self._segment is not None:
                self._segment.flush()
                os.fsync(self._segment.fileno())

    def acknowledge(self, sequence: int) -> None:
        """Records an acknowledgement and deletes the segments it covers entirely."""
        with self._lock:
            if sequence <= self.acked:
                return
            if self.last_step > self._saved_last_step:
                # The steps of acknowledged segments are forgotten with them: keep the highest, and
                # before the acknowledgement, so a process killed in between never reopens a spool
                # that has lost its step. (Not forced to disk: this happens at nearly every
                # acknowledgement, and losing it only costs a resume that cannot reach Ingest its step.)
                try:
                    _write_atomically(os.path.join(self.directory, LAST_STEP_FILE), str(self.last_step),
                                      durable=False)
                    self._saved_last_step = self.last_step
                except OSError:
                    pass
            self.acked = sequence
            _write_atomically(os.path.join(self.directory, ACKED_FILE), str(sequence))
            if self._segment is not None and self._segment_last_sequence <= sequence:
                self._segment.close()
                self._segment = None
                self._segment_path = None
            segments = self.segments()
            for i, (path, _first) in enumerate(segments):
                next_first = segments[i + 1][1] if i + 1 < len(segments) else self.last_sequence + 1
                if path != self._segment_path and next_first - 1 <= sequence:
                    try:
                        os.remove(path)
                    except FileNotFoundError:
                        pass

    # ---- reading -------------------------------------------------------------------------

    def segments(self) -> list[tuple[str, int]]:
        """The segment files, oldest first, with the sequence each starts at."""
        found = []
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        for name in names:
            m = _SEGMENT.match(name)
            if m:
                found.append((os.path.join(self.directory, name), int(m.group(1))))
        found.sort(key=lambda s: s[1])
        return found

    def cursor(self, sequence: int) -> "SpoolCursor":
        """A reader that follows the spool as it grows, from `sequence` on."""
        return SpoolCursor(self, sequence)

    def read_from(self, sequence: int):
        cursor = self.cursor(sequence)
        try:
            while True:
                frame = cursor.read()
                if frame is None:
                    return
                yield frame
        finally:
            cursor.close()

    # ---- artifact content waiting for upload ---------------------------------------------

    @property
    def content_directory(self) -> str:
        return os.path.join(self.directory, CONTENT_DIR)

    def stashed_digests(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.content_directory) if re.fullmatch(r"[0-9a-f]{64}", n))
        except FileNotFoundError:
            return []

    def is_stashed(self, digest: str) -> bool:
        return os.path.exists(os.path.join(self.content_directory, digest))

    def close(self) -> None:
        with self._lock:
            try:
                if self._segment is not None:
                    segment, self._segment, self._segment_path = self._segment, None, None
                    segment.close()
            finally:
                if self._lock_file is not None:
                    self._lock_file.release()
                    self._lock_file = None


class SpoolCursor:
    """Reads records one by one; a record not wholly written yet is read on a later call."""

    def __init__(self, spool: RunSpool, start: int):
        self._spool = spool
        self._from = start
        self._file = None
        self._first = -1
        self._position = 0

    def read(self):
        """The next frame at or after the start sequence, or None when there is none (yet)."""
        while True:
            if self._file is None and not self._move_after(self._first):
                return None
            self._file.seek(self._position)
            size = os.fstat(self._file.fileno()).st_size
            record = _read_record(self._file, size)
            if record is not None:
                body, self._position = record
                frame = pb.RunFrame.FromString(body)
                if frame.sequence >= self._from:
                    self._from = frame.sequence + 1
                    return frame
                continue
            # At the end of a segment a newer one follows (or at a torn record): go on in the next.
            if not self._move_after(self._first):
                return None

    def _move_after(self, current_first: int) -> bool:
        segments = self._spool.segments()
        index = -1
        if current_first < 0:
            for i, (_path, first) in enumerate(segments):
                if first <= self._from:
                    index = i
            if index < 0 and segments:
                index = 0
        else:
            for i, (_path, first) in enumerate(segments):
                if first > current_first:
                    index = i
                    break
        if index < 0:
            return False
        try:
            f = open(segments[index][0], "rb")
        except FileNotFoundError:
            # Deleted as acknowledged meanwhile; look again.
            return self._move_after(segments[index][1])
        if self._file is not None:
            self._file.close()
        self._file = f
        self._first = segments[index][1]
        self._position = 0
        return True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _read_int(path: str, default: int) -> int:
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().strip() or default)
    except (OSError, ValueError):
        return default


def _write_atomically(path: str, text: str, durable: bool = True) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        if durable:
            os.fsync(f.fileno())
    os.replace(temporary, path)
