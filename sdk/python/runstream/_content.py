"""Artifact content: manifests and digests (exactly as the C# SDK computes them), upload, download."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import grpc

from ._pb import pb
from ._settings import RunstreamError
from ._transport import FATAL, RETRYABLE, _error, backoff, describe, retry_after

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class ManifestFile:
    path: str        # relative, '/'-separated, inside the artifact
    local_path: str
    digest: str      # SHA-256 of the content, lowercase hex
    size: int


@dataclass(frozen=True)
class LocalArtifact:
    digest: str
    size: int
    files: tuple

    def to_proto_files(self):
        return [pb.ArtifactFile(path=f.path, digest=f.digest, size=f.size) for f in self.files]


def hash_file(path: str) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(CHUNK_BYTES)
            if not block:
                break
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def entries_of(path: str, prefix: str | None = None) -> list[tuple[str, str]]:
    """(path inside the artifact, local path) for a file (its name) or a directory (every file below it)."""
    full = os.path.abspath(path)
    if os.path.isfile(full):
        name = os.path.basename(full)
        return [(f"{prefix.strip('/')}/{name}" if prefix else name, full)]
    if os.path.isdir(full):
        found = []
        for root, _dirs, files in os.walk(full):
            for name in files:
                local = os.path.join(root, name)
                relative = os.path.relpath(local, full).replace(os.sep, "/")
                found.append((f"{prefix.strip('/')}/{relative}" if prefix else relative, local))
        return found
    raise FileNotFoundError(f"No file or directory at '{path}' to log as an artifact.")


def unsafe_path(relative: str) -> str | None:
    """Why Ingest refuses this path inside an artifact (one that could land outside the folder it
    is downloaded to on some system), or None."""
    if not relative or len(relative) > 1024:
        return "must be 1 to 1024 characters long"
    if relative.startswith("/") or "\\" in relative:
        return "must be relative and '/'-separated"
    if ":" in relative:
        return "contains ':' (a drive or an NTFS stream on Windows)"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in relative):
        return "contains a control character"
    if any(p in ("", ".", "..") for p in relative.split("/")):
        return "has an empty, '.' or '..' segment"
    return None


def manifest_digest(files) -> str:
    """SHA-256 over the manifest: one `path<TAB>digest<TAB>size<LF>` line per file, sorted by path."""
    lines = "".join(f"{f.path}\t{f.digest}\t{f.size}\n" for f in files)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _ordinal(path: str) -> bytes:
    # The C# SDK sorts with StringComparer.Ordinal (UTF-16 code units); UTF-16-BE bytes sort the same way.
    return path.encode("utf-16-be")


def build(entries: list[tuple[str, str]], what: str) -> LocalArtifact:
    """Hashes the files; the artifact's digest covers paths, digests and sizes, so same content gives the same digest."""
    seen = set()
    files = []
    for relative, local in sorted(entries, key=lambda e: _ordinal(e[0])):
        why = unsafe_path(relative)
        if why is not None:
            raise ValueError(f"The artifact path {relative!r} {why}; name the file otherwise (add_file(..., name=...)).")
        if relative in seen:
            raise ValueError(f"The artifact has two files at '{relative}'.")
        seen.add(relative)
        digest, size = hash_file(local)
        files.append(ManifestFile(relative, local, digest, size))
    if not files:
        raise ValueError(f"'{what}' holds no files to log as an artifact.")
    return LocalArtifact(manifest_digest(files), sum(f.size for f in files), tuple(files))


# A transfer that moves no byte for this long is cancelled and tried again. A transfer as a whole
# has no deadline: a large file on a slow link takes as long as it takes.
STALL_SECONDS = 120.0
# How long the server may take after the last chunk (it hashes as the bytes arrive, then syncs the
# file to disk), per byte, on top of STALL_SECONDS.
_FINISH_SECONDS_PER_BYTE = 1.0 / (64 << 20)


class _Watchdog:
    """Watches one transfer attempt: cancels its call when no byte moved for `stall` seconds, or
    when `stop` is set (the sender is stopping)."""

    def __init__(self, stall: float, stop=None, on_progress=None):
        self.stall = stall
        self.stop = stop
        self.on_progress = on_progress
        self.last = time.monotonic()
        self.moved = 0
        self.stalled = False
        self._done = threading.Event()
        self._thread = None

    def moved_bytes(self, count: int) -> None:
        self.last = time.monotonic()
        self.moved += count
        if self.on_progress is not None:
            self.on_progress(count)

    def extend(self, seconds: float) -> None:
        """Allows `seconds` more of silence from now on (the server finishing a large file)."""
        self.stall += seconds
        self.last = time.monotonic()

    def watch(self, call) -> None:
        self._thread = threading.Thread(target=self._run, args=(call,), name="runstream-transfer-watchdog", daemon=True)
        self._thread.start()

    def _run(self, call) -> None:
        while not self._done.wait(min(1.0, max(0.05, self.stall / 4))):
            stopping = self.stop is not None and self.stop.is_set()
            if stopping or time.monotonic() - self.last > self.stall:
                self.stalled = not stopping
                call.cancel()
                return

    def close(self) -> None:
        self._done.set()


def _stopped(what: str) -> RunstreamError:
    return _error(f"{what}: stopped", grpc.StatusCode.CANCELLED)


def _transfer(transport, what: str, attempt, retry_for: float | None, stop=None, on_progress=None):
    """Runs `attempt(watchdog)` (one upload or download of one file) until it succeeds.

    Transient failures (Ingest restarting, a broken connection, a stalled transfer) are retried
    with backoff. There is no overall deadline: the retries give up once `retry_for` seconds
    (None: never) passed without a byte moving, counting the backoff waits and the silence
    before each failure, not the time spent moving bytes.
    """
    idle = 0.0
    attempt_number = 0
    while True:
        if stop is not None and stop.is_set():
            raise _stopped(what)
        watchdog = _Watchdog(STALL_SECONDS, stop, on_progress)
        try:
            return attempt(watchdog)
        except (grpc.RpcError, grpc.FutureCancelledError) as e:
            if stop is not None and stop.is_set():
                raise _stopped(what) from e
            code = e.code() if isinstance(e, grpc.RpcError) else grpc.StatusCode.CANCELLED
            if watchdog.stalled:
                problem = f"no byte moved for {watchdog.stall:.0f} s"
            elif code in FATAL or code not in RETRYABLE or _over_quota(e, code):
                raise _error(f"{what}: {describe(e)}", code) from e
            else:
                problem = describe(e)
            wait = retry_after(e) if code == grpc.StatusCode.RESOURCE_EXHAUSTED and isinstance(e, grpc.RpcError) else None
        finally:
            watchdog.close()
        idle += time.monotonic() - watchdog.last
        wait = wait if wait is not None else backoff(attempt_number)
        attempt_number += 1
        if retry_for is not None and idle + wait >= retry_for:
            raise _error(f"{what}: Ingest at {transport.settings.url} did not take it for {retry_for:.0f} s "
                         f"({problem})", code)
        if stop is not None:
            if stop.wait(wait):
                raise _stopped(what)
        else:
            time.sleep(wait)
        idle += wait


def _over_quota(e, code) -> bool:
    """RESOURCE_EXHAUSTED without a retry-after is a storage quota, which waiting does not lift."""
    return code == grpc.StatusCode.RESOURCE_EXHAUSTED and isinstance(e, grpc.RpcError) and retry_after(e) is None


def _chunks(digest: str, path: str, watchdog: _Watchdog):
    """The file in chunks; gRPC pulls the next one once the previous one is on its way."""
    with open(path, "rb") as f:
        first = True
        while True:
            block = f.read(CHUNK_BYTES)
            if not block and not first:
                break
            yield pb.ContentChunk(digest=digest if first else "", data=block)
            watchdog.moved_bytes(len(block))
            first = False
            if not block:
                break
    # Every byte is sent; the server still hashes the tail and syncs the file to disk.
    watchdog.extend(os.path.getsize(path) * _FINISH_SECONDS_PER_BYTE)


def upload_file(transport, digest: str, local: str, retry_for: float | None, stop=None, on_progress=None) -> None:
    """Uploads one file, retrying it on its own (see _transfer): no overall deadline."""
    def attempt(watchdog):
        if not os.path.isfile(local):
            raise FileNotFoundError(f"The file to upload for {digest} is gone: '{local}'.")
        call = transport.stub.UploadContent.future(_chunks(digest, local, watchdog), metadata=transport.metadata)
        watchdog.watch(call)
        return call.result()

    _transfer(transport, f"UploadContent of '{local}'", attempt, retry_for, stop, on_progress)


def upload_missing(transport, files: dict, timeout: float, stop=None, on_progress=None, uploaded=None,
                   parallel: int = 1) -> int:
    """Uploads the files ({digest: local path}) the blob store lacks; returns how many were uploaded.

    `timeout` bounds asking which are missing, and each file's retries while no byte moves; an
    upload that makes progress is never cut short. `uploaded(digest)` is called after each file.
    `parallel` uploads run at once (the first failure stops those not started and is raised).
    """
    if not files:
        return 0
    request = pb.FindMissingContentRequest(digests=sorted(files))
    missing = transport.call("FindMissingContent", transport.stub.FindMissingContent, request, timeout).missing
    missing = [digest for digest in missing if digest in files]

    def one(digest):
        upload_file(transport, digest, files[digest], timeout, stop, on_progress)
        if uploaded is not None:
            uploaded(digest)

    if parallel <= 1 or len(missing) <= 1:
        for digest in missing:
            one(digest)
        return len(missing)
    pool = ThreadPoolExecutor(min(parallel, len(missing)), thread_name_prefix="runstream-upload")
    try:
        for future in [pool.submit(one, digest) for digest in missing]:
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return len(missing)


def content_digests(frame) -> list:
    """The files a frame names, which Ingest must hold before it takes the frame: an artifact's
    files, or the images and table files of media."""
    kind = frame.WhichOneof("payload")
    if kind == "artifact_logged":
        return [f.digest for f in frame.artifact_logged.files]
    if kind != "media":
        return []
    digests = []
    for row in frame.media.rows:
        for cell in row.cells:
            which = cell.WhichOneof("value")
            if which == "images":
                digests.extend(i.digest for i in cell.images.images)
            elif which == "table":
                digests.append(cell.table.digest)
                digests.extend(cell.table.image_digests)
    return digests


def stash(spool, artifact: LocalArtifact) -> None:
    """Copies the files into the run's spool so the upload can happen later (offline, or during an outage)."""
    os.makedirs(spool.content_directory, exist_ok=True)
    for f in artifact.files:
        target = os.path.join(spool.content_directory, f.digest)
        if os.path.exists(target):
            continue
        fd, temporary = tempfile.mkstemp(dir=spool.content_directory, prefix=".tmp-")
        try:
            sha = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, open(f.local_path, "rb") as source:
                while True:
                    block = source.read(CHUNK_BYTES)
                    if not block:
                        break
                    sha.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if sha.hexdigest() != f.digest:
                raise RunstreamError(f"'{f.local_path}' changed while it was being logged; log the artifact again.")
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)


# Stashed files upload this many at a time. Media is many small files, and each upload waits on the
# server (it syncs every file to disk and records it): a thousand 12 KB images took 16 ms each, one
# after the other, on a 2-core machine; four at a time overlap those waits.
STASH_UPLOADS_AT_ONCE = 4


def upload_stash(spool, transport, timeout: float, stop=None, on_progress=None) -> None:
    """Uploads the stashed content the blob store lacks, forgetting each file once it is stored."""
    digests = spool.stashed_digests()
    if not digests:
        return

    def forget(digest):
        try:
            os.remove(os.path.join(spool.content_directory, digest))
        except FileNotFoundError:
            pass

    upload_missing(transport, {d: os.path.join(spool.content_directory, d) for d in digests}, timeout,
                   stop=stop, on_progress=on_progress, uploaded=forget, parallel=STASH_UPLOADS_AT_ONCE)
    # The ones the blob store held already.
    for d in digests:
        forget(d)


def safe_join(root: str, relative: str) -> str:
    """`relative` (a path from an artifact's manifest) under `root`, refusing any path that could land
    elsewhere: absolute, '.' or '..' segments, backslashes, ':' (a drive, "C:x", or an NTFS stream,
    "name:stream"), control characters, or a symbolic link that leads out of `root`."""
    why = unsafe_path(relative) if isinstance(relative, str) else "is not a string"
    if why is not None:
        raise RunstreamError(f"The artifact lists an unsafe path {relative!r}: it {why}.")
    target = os.path.join(root, *relative.split("/"))
    real_root = os.path.realpath(root)
    try:
        inside = os.path.commonpath([real_root, os.path.realpath(target)]) == real_root
    except ValueError:          # on another drive
        inside = False
    if not inside:
        raise RunstreamError(f"The artifact's path {relative!r} leads out of {root}.")
    return target


def download_file(transport, request, target: str, digest: str, timeout: float, stop=None) -> None:
    """Streams one file's content to `target`, checking its SHA-256; written atomically.

    No overall deadline: a stalled download is cancelled and tried again, and the retries give up
    after `timeout` seconds without a byte moving (see _transfer)."""
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)

    def attempt(watchdog):
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".download-")
        try:
            sha = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                call = transport.stub.DownloadContent(request, metadata=transport.metadata)
                watchdog.watch(call)
                for chunk in call:
                    sha.update(chunk.data)
                    out.write(chunk.data)
                    watchdog.moved_bytes(len(chunk.data))
            if sha.hexdigest() != digest:
                raise RunstreamError(f"The content downloaded for '{target}' does not match its digest {digest}.")
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)

    _transfer(transport, f"DownloadContent of '{target}'", attempt, timeout, stop)
