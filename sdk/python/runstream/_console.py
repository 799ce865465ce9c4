"""Console capture: what the process writes to sys.stdout and sys.stderr still reaches the terminal,
and each complete line also goes to the runs that capture it, as console frames.

Python-level, as wandb's "wrap" mode: output written by C extensions or subprocesses straight to
the file descriptors is not seen. A carriage return without a line feed starts the line over (a
progress bar keeps only its last state); lines are cut at MAX_LINE_LENGTH characters, with a marker.
"""

from __future__ import annotations

import sys
import threading
import time

from ._pb import pb

MAX_LINE_LENGTH = 10_000
MAX_LINES_PER_FRAME = 1000

_lock = threading.Lock()
_buffers: tuple = ()
_originals = None            # (stdout, stderr) before the tees went in


class _Tee:
    """A text stream that writes through to `inner` and hands each complete line on."""

    def __init__(self, inner, stderr: bool):
        self._inner = inner
        self._stderr = stderr
        self._line: list[str] = []
        self._length = 0
        self._cut = 0
        self._line_lock = threading.Lock()

    def write(self, text):
        written = self._inner.write(text)
        if isinstance(text, str) and _buffers:
            try:
                self._take(text)
            except Exception:  # capturing must never break the program's own output
                pass
        return written

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def _take(self, text: str) -> None:
        done = []
        with self._line_lock:
            for part in _split_keeping_breaks(text):
                if part == "\n":
                    line = "".join(self._line)
                    if self._cut:
                        line += f" … [line cut: {self._cut:,} more characters]"
                    done.append(line)
                    self._line, self._length, self._cut = [], 0, 0
                elif part == "\r":
                    self._line, self._length, self._cut = [], 0, 0
                else:
                    room = MAX_LINE_LENGTH - self._length
                    self._line.append(part[:room])
                    self._length += min(len(part), room)
                    self._cut += max(0, len(part) - room)
        if done:
            now = int(time.time() * 1000)
            stream = pb.CONSOLE_STREAM_STDERR if self._stderr else pb.CONSOLE_STREAM_STDOUT
            for buffer in _buffers:
                buffer.add([pb.ConsoleLine(time_unix_ms=now, stream=stream, text=line) for line in done])


def _split_keeping_breaks(text: str):
    start = 0
    for i, c in enumerate(text):
        if c in "\r\n":
            # "\r\n" ends the line at the "\n"; a lone "\r" redraws it.
            if i > start:
                yield text[start:i]
            if not (c == "\r" and text[i + 1:i + 2] == "\n"):
                yield c
            start = i + 1
    if start < len(text):
        yield text[start:]


class ConsoleBuffer:
    """One run's captured lines, sent as a console frame every `interval` seconds or every
    MAX_LINES_PER_FRAME lines, by its own thread (never by the writer of the line, which may hold
    locks of its own)."""

    def __init__(self, send, interval: float):
        self._send = send
        self._interval = interval
        self._lines: list = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="runstream-console", daemon=True)
        self._thread.start()

    def add(self, lines) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            self._lines.extend(lines)
            if len(self._lines) >= MAX_LINES_PER_FRAME:
                self._wake.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            self._flush()

    def _flush(self) -> None:
        while True:
            with self._lock:
                lines, self._lines = self._lines[:MAX_LINES_PER_FRAME], self._lines[MAX_LINES_PER_FRAME:]
            if not lines:
                return
            try:
                self._send(pb.RunFrame(console=pb.ConsoleLogged(lines=lines)))
            except Exception:
                return

    def close(self) -> None:
        """Stops the thread and sends what is left; lines written later are not the run's."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._flush()


def attach(buffer: ConsoleBuffer) -> None:
    global _buffers, _originals
    with _lock:
        if _originals is None:
            _originals = (sys.stdout, sys.stderr)
            if sys.stdout is not None:
                sys.stdout = _Tee(sys.stdout, stderr=False)
            if sys.stderr is not None:
                sys.stderr = _Tee(sys.stderr, stderr=True)
        _buffers = _buffers + (buffer,)


def detach(buffer: ConsoleBuffer) -> None:
    """Detaches the run; the last one out puts the original streams back (unless replaced since)."""
    global _buffers, _originals
    with _lock:
        _buffers = tuple(b for b in _buffers if b is not buffer)
        if not _buffers and _originals is not None:
            if isinstance(sys.stdout, _Tee):
                sys.stdout = _originals[0]
            if isinstance(sys.stderr, _Tee):
                sys.stderr = _originals[1]
            _originals = None
