"""Artifact content: manifests and digests (exactly as the C# SDK computes them), upload, download."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass

from ._pb import pb
from ._settings import RunstreamError

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
        if relative in seen:
            raise ValueError(f"The artifact has two files at '{relative}'.")
        seen.add(relative)
        digest, size = hash_file(local)
        files.append(ManifestFile(relative, local, digest, size))
    if not files:
        raise ValueError(f"'{what}' holds no files to log as an artifact.")
    return LocalArtifact(manifest_digest(files), sum(f.size for f in files), tuple(files))


def _chunks(digest: str, path: str):
    with open(path, "rb") as f:
        first = True
        while True:
            block = f.read(CHUNK_BYTES)
            if not block and not first:
                return
            yield pb.ContentChunk(digest=digest if first else "", data=block)
            first = False
            if not block:
                return


def upload_missing(transport, files: dict, timeout: float) -> int:
    """Uploads the files ({digest: local path}) the blob store lacks; returns how many were uploaded."""
    if not files:
        return 0
    request = pb.FindMissingContentRequest(digests=sorted(files))
    missing = transport.call("FindMissingContent", transport.stub.FindMissingContent, request, timeout).missing
    for digest in missing:
        local = files.get(digest)
        if local is None:
            continue
        transport.call("UploadContent", lambda chunks, **kw: transport.stub.UploadContent(_chunks(digest, local), **kw),
                       None, timeout, per_call=max(60.0, timeout))
    return len(missing)


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


def upload_stash(spool, transport, timeout: float) -> None:
    """Uploads the stashed content the blob store lacks, then forgets the stash."""
    digests = spool.stashed_digests()
    if not digests:
        return
    upload_missing(transport, {d: os.path.join(spool.content_directory, d) for d in digests}, timeout)
    for d in digests:
        try:
            os.remove(os.path.join(spool.content_directory, d))
        except FileNotFoundError:
            pass


def safe_join(root: str, relative: str) -> str:
    parts = relative.split("/")
    if not relative or relative.startswith("/") or "\\" in relative or any(p in ("", ".", "..") for p in parts):
        raise RunstreamError(f"The artifact lists an unsafe path '{relative}'.")
    return os.path.join(root, *parts)


def download_file(transport, request, target: str, digest: str, timeout: float) -> None:
    """Streams one file's content to `target`, checking its SHA-256; written atomically."""
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)

    def fetch(_request, **kw):
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".download-")
        try:
            sha = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                for chunk in transport.stub.DownloadContent(request, **kw):
                    sha.update(chunk.data)
                    out.write(chunk.data)
            if sha.hexdigest() != digest:
                raise RunstreamError(f"The content downloaded for '{target}' does not match its digest {digest}.")
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)

    transport.call("DownloadContent", fetch, request, timeout, per_call=max(120.0, timeout))

