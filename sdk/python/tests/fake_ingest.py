"""An in-process Ingest (a real gRPC server on a free port) whose behaviour a test controls:
slow or stalling content transfers, artifacts of other projects, an outage. Only what the SDK
calls is implemented."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent import futures

import grpc

from runstream._pb import pb, pb_grpc


class FakeIngest(pb_grpc.IngestServicer):
    def __init__(self):
        self.frames = []                 # every RunFrame received (heartbeats left out)
        self.events = []                 # ("content", digest) and ("frame", sequence) in the order they arrived
        self.content = {}                # digest -> bytes
        self.artifacts = {}              # (project, name, version) -> ArtifactManifest
        self.runs = {}                   # (project, run_id) -> RunProgress
        self.chunk_delay = 0.0           # seconds per content chunk, up and down (a slow link)
        self.stall_uploads = 0           # how many uploads stop reading, as a hung server would
        self.fail_uploads = 0            # how many uploads fail UNAVAILABLE after their first chunk
        self.quota_bytes = None          # uploads that would store more are refused RESOURCE_EXHAUSTED, no retry-after
        self.upload_attempts = 0
        self.download_attempts = 0
        self.released = threading.Event()   # set to end the stalled transfers
        self._lock = threading.Lock()
        self._server = None
        self.port = None

    # ---- the server ------------------------------------------------------------------------

    def start(self) -> "FakeIngest":
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        pb_grpc.add_IngestServicer_to_server(self, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.released.set()
        if self._server is not None:
            self._server.stop(grace=0).wait(5)
            self._server = None

    def payloads(self, kind: str) -> list:
        with self._lock:
            return [getattr(f, kind) for f in self.frames if f.WhichOneof("payload") == kind]

    # ---- the Ingest API ----------------------------------------------------------------------

    def StreamFrames(self, request_iterator, context):
        for frame in request_iterator:
            if frame.sequence == 0:
                continue
            with self._lock:
                self.frames.append(frame)
                self.events.append(("frame", frame.sequence))
            yield pb.IngestReply(ack=pb.Ack(run=frame.run, sequence=frame.sequence))

    def GetRun(self, request, context):
        return self.runs.get((request.project, request.run_id), pb.RunProgress(exists=False))

    def FindMissingContent(self, request, context):
        return pb.FindMissingContentResponse(missing=[d for d in request.digests if d not in self.content])

    def UploadContent(self, request_iterator, context):
        with self._lock:
            self.upload_attempts += 1
            stall = self.stall_uploads > 0
            fail = not stall and self.fail_uploads > 0
            if stall:
                self.stall_uploads -= 1
            elif fail:
                self.fail_uploads -= 1
        digest, data = None, bytearray()
        for chunk in request_iterator:
            if digest is None:
                digest = chunk.digest
            data += chunk.data
            if stall:
                self.released.wait(60)               # reads nothing more: the client sees no progress
                context.abort(grpc.StatusCode.UNAVAILABLE, "stalled")
            if fail:
                context.abort(grpc.StatusCode.UNAVAILABLE, "the connection broke")
            if self.quota_bytes is not None and len(data) > self.quota_bytes:
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, f"Entity 'e' stores 0 bytes of its storage quota of {self.quota_bytes:,} bytes")
            time.sleep(self.chunk_delay)
        if hashlib.sha256(data).hexdigest() != digest:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "digest: the content does not match")
        with self._lock:
            self.content[digest] = bytes(data)
            self.events.append(("content", digest))
        return pb.ContentStored(digest=digest, size=len(data))

    def GetArtifact(self, request, context):
        manifest = self.artifacts.get((request.project, request.name, request.version))
        if manifest is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no artifact {request.project}/{request.name}:{request.version}")
        return manifest

    def DownloadContent(self, request, context):
        with self._lock:
            self.download_attempts += 1
        a = request.artifact
        manifest = self.artifacts.get((a.project, a.name, a.version))
        entry = next((f for f in manifest.files if f.path == request.path), None) if manifest else None
        if entry is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no file {request.path}")
        data = self.content[entry.digest]
        for offset in range(0, max(1, len(data)), 1 << 20):
            time.sleep(self.chunk_delay)
            yield pb.ContentChunk(digest=entry.digest if offset == 0 else "", data=data[offset:offset + (1 << 20)])

    # ---- helpers ------------------------------------------------------------------------------

    def add_artifact(self, project: str, name: str, version: str, files: dict, type: str = "dataset"):
        """An artifact version of `files` ({path: bytes}), as if some run had logged it."""
        entries = []
        for path, data in sorted(files.items()):
            digest = hashlib.sha256(data).hexdigest()
            self.content[digest] = data
            entries.append(pb.ArtifactFile(path=path, digest=digest, size=len(data)))
        lines = "".join(f"{f.path}\t{f.digest}\t{f.size}\n" for f in entries)
        manifest = pb.ArtifactManifest(name=name, type=type, version=version,
                                       digest=hashlib.sha256(lines.encode()).hexdigest(),
                                       size=sum(f.size for f in entries), files=entries, aliases=["latest"])
        self.artifacts[(project, name, version)] = manifest
        self.artifacts[(project, name, "latest")] = manifest
        return manifest
