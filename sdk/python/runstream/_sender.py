"""Streams a run's spooled frames to Ingest and records the acknowledgements.

After a broken stream it reconnects with backoff (and jitter) and starts again after the last
acknowledged frame; Ingest applies each sequence number once, so sending a frame twice is safe.
A stream ended by RESOURCE_EXHAUSTED is retried after the server's `retry-after-ms`.
"""

from __future__ import annotations

import threading
import time

import grpc

from . import _content
from ._pb import pb
from ._settings import RunstreamError
from ._transport import FATAL, backoff, describe, retry_after


class _Stream:
    """One StreamFrames call's shared state between the request generator and the reader."""

    def __init__(self):
        self.ended = False
        self.needs_upload = False


class SpoolSender:
    def __init__(self, spool, transport, settings, heartbeats: bool = True):
        self.spool = spool
        self.transport = transport
        self.settings = settings
        self.heartbeats = heartbeats
        self.run_ref = pb.RunRef(project=spool.project, run_id=spool.run_id)
        self.errors = []                      # FrameErrors: frames Ingest refused (they count as accepted)
        self.fatal = None                     # an error retrying cannot fix (a refused API key)
        self._complete = False
        self._stop = threading.Event()
        self._wake = threading.Event()        # frames were appended, or the stream must end
        self._acked = threading.Condition()
        self._call = None
        self._call_lock = threading.Lock()
        self._thread = None
        self.last_progress = time.monotonic()  # when a frame was acknowledged or content bytes moved

    # ---- control from the run ------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"runstream-sender-{self.spool.run_id}", daemon=True)
        self._thread.start()

    def notify_appended(self) -> None:
        self._wake.set()

    def complete(self) -> None:
        """No more frames will come; the sender stops once all are acknowledged."""
        self._complete = True
        self._wake.set()

    def wait_for_acks(self, timeout: float, idle: bool = False) -> bool:
        """Waits until every spooled frame is acknowledged (True), or the timeout passes, or sending failed for good.

        With `idle`, the timeout counts from the last progress (an acknowledgement, or bytes of
        artifact content moving), so a long upload that keeps going is waited for."""
        deadline = time.monotonic() + timeout
        with self._acked:
            while self.spool.acked < self.spool.last_sequence or (idle and self.spool.stashed_digests()):
                if idle:
                    deadline = max(deadline, self.last_progress + timeout)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.fatal is not None or self._stop.is_set():
                    return False
                self._acked.wait(min(remaining, 0.5))
        return True

    def stop(self, join_timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        with self._call_lock:
            if self._call is not None:
                self._call.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(join_timeout)

    def _done(self) -> bool:
        return self._complete and self.spool.acked >= self.spool.last_sequence and not self.spool.stashed_digests()

    # ---- the sending loop ----------------------------------------------------------------

    def run(self) -> None:
        attempt = 0
        warned = False
        while not self._stop.is_set():
            wait = 0.0
            stream = _Stream()
            try:
                # Each file is retried on its own, with no overall deadline while its bytes move.
                _content.upload_stash(self.spool, self.transport, timeout=max(30.0, self.settings.init_timeout),
                                      stop=self._stop, on_progress=self._progressed)
                if self._done():
                    return
                acked_before = self.spool.acked
                self._stream_once(stream)
                if self.spool.acked > acked_before:
                    attempt = 0
                if self._done():
                    return
                if stream.needs_upload:
                    continue
                # The server ended the stream early (shutting down?): reconnect after a short pause.
                wait = backoff(attempt)
                attempt += 1
            except (grpc.RpcError, RunstreamError) as e:
                if self._stop.is_set():
                    return
                code = e.code() if isinstance(e, grpc.RpcError) else getattr(e, "code", None)
                if code in FATAL:
                    self.fatal = e
                    self.settings.warn(f"run {self.spool.run_id}: Ingest refused the stream ({describe(e)}); "
                                       f"nothing more is sent. The frames stay in {self.spool.directory}: "
                                       f"upload them with `python3 -m runstream sync {self.spool.directory}`.")
                    self._notify_acked()
                    return
                if code == grpc.StatusCode.RESOURCE_EXHAUSTED and isinstance(e, grpc.RpcError):
                    after = retry_after(e)
                    self.settings.info(f"run {self.spool.run_id}: Ingest is rate limiting ({e.details()}); "
                                       f"resending in {after if after is not None else 1.0:.1f} s.")
                    wait = after if after is not None else 1.0
                else:
                    if not warned:
                        self.settings.warn(f"run {self.spool.run_id}: lost the connection to Ingest ({describe(e)}); "
                                           f"retrying, and spooling to {self.spool.directory} meanwhile.")
                        warned = True
                    wait = backoff(attempt)
                    attempt += 1
            except Exception as e:  # an upload that failed, a spool that cannot be read
                if self._stop.is_set():
                    return
                if not warned:
                    self.settings.warn(f"run {self.spool.run_id}: sending failed ({describe(e)}); retrying.")
                    warned = True
                wait = backoff(attempt)
                attempt += 1
            finally:
                stream.ended = True
                self._wake.set()
            if self.spool.acked >= self.spool.last_sequence and warned and attempt == 0:
                warned = False
            if self._stop.wait(wait):
                return

    def _stream_once(self, stream: _Stream) -> None:
        # wait_for_ready: while Ingest is unreachable the call waits for the channel, which reconnects
        # on its own (backoff up to 3 s), instead of failing at once again and again.
        call = self.transport.stub.StreamFrames(self._requests(stream), metadata=self.transport.metadata,
                                                wait_for_ready=True)
        with self._call_lock:
            self._call = call
        if self._stop.is_set():
            call.cancel()
        try:
            for reply in call:
                kind = reply.WhichOneof("reply")
                if kind == "error":
                    error = reply.error
                    self.errors.append(error)
                    self.settings.warn(f"run {self.spool.run_id}: frame {error.sequence} was refused: "
                                       f"{error.field}: {error.message}")
                elif kind == "ack":
                    if reply.ack.run.run_id == self.spool.run_id and reply.ack.run.project == self.spool.project:
                        self.spool.acknowledge(reply.ack.sequence)
                        self.last_progress = time.monotonic()
                        self._notify_acked()
        finally:
            stream.ended = True
            self._wake.set()
            with self._call_lock:
                self._call = None

    def _progressed(self, _count: int) -> None:
        self.last_progress = time.monotonic()

    def _notify_acked(self) -> None:
        with self._acked:
            self._acked.notify_all()

    def _requests(self, stream: _Stream):
        """The frames after the last acknowledged one, as they are spooled, with heartbeats between.

        Runs on gRPC's thread. Returning half-closes the stream: Ingest then acknowledges what it
        got and ends the call.
        """
        cursor = self.spool.cursor(self.spool.acked + 1)
        try:
            last_sent = self.spool.acked
            next_heartbeat = time.monotonic() + self.settings.heartbeat_interval
            while not stream.ended and not self._stop.is_set():
                self._wake.clear()
                frame = cursor.read()
                if frame is not None:
                    if any(self.spool.is_stashed(d) for d in _content.content_digests(frame)):
                        # Its content (an artifact's files, images, a table) is not uploaded yet:
                        # end this stream, upload, then go on.
                        stream.needs_upload = True
                        return
                    last_sent = frame.sequence
                    yield frame
                    continue
                if self._complete and last_sent >= self.spool.last_sequence:
                    return
                now = time.monotonic()
                if self.heartbeats and not self._complete and now >= next_heartbeat:
                    next_heartbeat = now + self.settings.heartbeat_interval
                    yield pb.RunFrame(run=self.run_ref, sequence=0, client_time_unix_ms=int(time.time() * 1000),
                                      heartbeat=pb.Heartbeat())
                    continue
                self._wake.wait(max(0.01, min(1.0, next_heartbeat - now)))
        finally:
            cursor.close()
