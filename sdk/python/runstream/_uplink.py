"""The background side of a run.

`log` only puts a row in the outbox; the writer thread batches rows into numbered frames and
appends them to the run's spool on disk, and the sender thread streams the spool to Ingest. The
writer never waits on the network, so neither does training.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from ._pb import pb
from ._sender import SpoolSender

MAX_KEYS_PER_FRAME = 10_000
MAX_VALUES_PER_FRAME = 400_000     # keeps a frame well under Ingest's 16 MiB


@dataclass(frozen=True)
class MetricRow:
    step: int
    time_unix_ms: int
    keys: tuple
    values: tuple


@dataclass(frozen=True)
class FinishResult:
    """How a run's finish went: frames acknowledged, those not (yet), and where the spool keeps them.

    `unspooled` counts frames that could not be written to the spool (a full disk): they are lost,
    and the run is not complete."""
    acknowledged: int
    unacknowledged: int
    spool_directory: str
    errors: tuple = ()
    unspooled: int = 0

    @property
    def complete(self) -> bool:
        return self.unacknowledged == 0 and self.unspooled == 0


class _Batcher:
    """Rows logged in a burst, as one columnar MetricsLogged."""

    def __init__(self):
        self.keys = []
        self.index = {}
        self.rows = []
        self.values = 0

    def fits(self, row: MetricRow) -> bool:
        if not self.rows:
            return True
        new_keys = sum(1 for k in row.keys if k not in self.index)
        return len(self.keys) + new_keys <= MAX_KEYS_PER_FRAME and self.values + len(row.values) <= MAX_VALUES_PER_FRAME

    def add(self, row: MetricRow) -> None:
        indexes = []
        for key in row.keys:
            i = self.index.get(key)
            if i is None:
                i = self.index[key] = len(self.keys)
                self.keys.append(key)
            indexes.append(i)
        self.rows.append(pb.MetricRow(step=row.step, time_unix_ms=row.time_unix_ms, key_indexes=indexes, values=row.values))
        self.values += len(row.values)

    def take(self):
        if not self.rows:
            return None
        frame = pb.RunFrame(metrics=pb.MetricsLogged(keys=self.keys, rows=self.rows))
        self.__init__()
        return frame


_CLOSE = object()


class Uplink:
    def __init__(self, settings, spool, transport):
        self.settings = settings
        self.spool = spool
        self.transport = transport
        self.run_ref = pb.RunRef(project=spool.project, run_id=spool.run_id)
        self._outbox = queue.SimpleQueue()
        self._closed = False
        self._close_lock = threading.Lock()
        self.sender = None if settings.offline else SpoolSender(spool, transport, settings)
        self._writer = threading.Thread(target=self._write_frames, name=f"runstream-writer-{spool.run_id}", daemon=True)
        self._writer_error = None
        self.unspooled = 0                # frames the spool could not take (a full disk); lost
        self._writer.start()
        if self.sender is not None:
            self.sender.start()

    @property
    def errors(self) -> tuple:
        return tuple(self.sender.errors) if self.sender is not None else ()

    def enqueue_row(self, row: MetricRow) -> None:
        self._put(row)

    def enqueue_frame(self, frame) -> None:
        """A non-metrics frame (payload only); it keeps its place after the rows logged before it."""
        self._put(frame)

    def _put(self, item) -> None:
        if self._closed:
            raise RuntimeError(f"Run {self.spool.run_id} is finished; nothing more can be logged to it.")
        self._outbox.put(item)

    def complete(self, timeout: float) -> FinishResult:
        """Stops taking items, spools what is left, and waits up to `timeout` s for every frame's ack."""
        with self._close_lock:
            if not self._closed:
                self._closed = True
                self._outbox.put(_CLOSE)
        self._writer.join()
        try:
            self.spool.flush_to_disk()
        except OSError as e:
            self.settings.warn(f"run {self.spool.run_id}: cannot force the spool in {self.spool.directory} to disk: {e}")
        if self.sender is not None:
            self.sender.complete()
            self.sender.wait_for_acks(timeout)
        return FinishResult(self.spool.acked, self.spool.last_sequence - self.spool.acked, self.spool.directory,
                            self.errors, self.unspooled)

    def close(self) -> None:
        if self.sender is not None:
            self.sender.stop()
        self.spool.close()
        if self.transport is not None:
            self.transport.close()

    def _append(self, frames) -> None:
        now = int(time.time() * 1000)
        sequence = self.spool.last_sequence
        for frame in frames:
            sequence += 1
            frame.run.CopyFrom(self.run_ref)
            frame.sequence = sequence
            # A frame that says when it happened (a run's start) keeps that time.
            frame.client_time_unix_ms = frame.client_time_unix_ms or now
        self.spool.append(frames)
        if self.sender is not None:
            self.sender.notify_appended()

    def _write_frames(self) -> None:
        batcher = _Batcher()
        max_rows = self.settings.max_rows_per_frame
        interval = self.settings.flush_interval
        closing = False
        while not closing:
            item = self._outbox.get()
            pending = []
            window_ends = time.monotonic() + interval
            while True:
                if item is _CLOSE:
                    closing = True
                elif isinstance(item, MetricRow):
                    if not batcher.fits(item) or len(batcher.rows) >= max_rows:
                        pending.append(batcher.take())
                    batcher.add(item)
                else:
                    taken = batcher.take()
                    if taken is not None:
                        pending.append(taken)
                    pending.append(item)
                if closing:
                    break
                # A short wait lets rows logged in a tight loop share one frame.
                remaining = window_ends - time.monotonic()
                if not batcher.rows and not pending:
                    break
                if remaining <= 0 or len(batcher.rows) >= max_rows:
                    break
                try:
                    item = self._outbox.get(timeout=remaining) if batcher.rows else self._outbox.get_nowait()
                except queue.Empty:
                    break
            taken = batcher.take()
            if taken is not None:
                pending.append(taken)
            if pending:
                try:
                    self._append(pending)
                except Exception as e:  # a full disk: the run goes on, the loss is counted and reported
                    # The spool undid the write: these frames are not spooled, and the next ones
                    # take their sequence numbers, so nothing waits on a hole.
                    self.unspooled += len(pending)
                    if self._writer_error is None:
                        self.settings.warn(f"run {self.spool.run_id}: cannot write the spool in {self.spool.directory} "
                                           f"({e}); what was logged meanwhile is lost, and finish() reports it.")
                    self._writer_error = e
