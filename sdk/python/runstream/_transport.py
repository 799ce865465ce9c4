"""The gRPC channel to Ingest, with the API key on every call, and retries for plain calls."""

from __future__ import annotations

import os
import random
import ssl
import time
from urllib.parse import urlparse

import grpc

from ._pb import pb_grpc
from ._settings import RunstreamError, Settings

# Worth trying again: the server is restarting, overloaded or briefly unreachable.
RETRYABLE = frozenset({
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.CANCELLED,
})
# Retrying cannot help: a wrong key, or a server without this API.
FATAL = frozenset({
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNIMPLEMENTED,
})

_MESSAGE_BYTES = 32 * 1024 * 1024


def target_of(url: str) -> tuple[str, bool]:
    """('host:port', secure) for an Ingest URL such as http://127.0.0.1:5101 or https://ingest.example."""
    if "://" not in url:
        return url, False
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"RUNSTREAM_URL {url!r}: use http:// (plaintext HTTP/2) or https://.")
    secure = parsed.scheme == "https"
    host = parsed.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parsed.port or (443 if secure else 80)}", secure


def backoff(attempt: int) -> float:
    """Seconds before retry `attempt`: exponential from 0.2 s to 10 s, with jitter so jobs do not reconnect in step."""
    ceiling = min(10.0, 0.2 * 2 ** min(attempt, 6))
    return ceiling / 2 + random.random() * ceiling / 2


def retry_after(error: grpc.RpcError) -> float | None:
    """The server's `retry-after-ms` trailer, in seconds."""
    try:
        for key, value in error.trailing_metadata() or ():
            if key == "retry-after-ms":
                return max(0.0, int(value) / 1000.0)
    except Exception:
        pass
    return None


def describe(error: BaseException) -> str:
    if isinstance(error, grpc.RpcError):
        try:
            return f"{error.code().name}: {error.details()}"
        except Exception:
            pass
    return f"{type(error).__name__}: {error}"


def _roots(ca_file: str) -> bytes:
    """The system's trusted roots plus a private CA (as the C# SDK trusts RUNSTREAM_CA_FILE in addition)."""
    with open(ca_file, "rb") as f:
        private = f.read()
    paths = ssl.get_default_verify_paths()
    for bundle in (paths.cafile, paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if bundle and os.path.isfile(bundle):
            with open(bundle, "rb") as f:
                return f.read() + b"\n" + private
    return private


def _error(message: str, code) -> RunstreamError:
    error = RunstreamError(message)
    error.code = code          # the gRPC status code, for callers that tell fatal from transient
    return error


class Transport:
    """One channel to Ingest. Thread-safe; calls carry `authorization: Bearer <key>`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        target, secure = target_of(settings.url)
        options = [
            ("grpc.max_send_message_length", _MESSAGE_BYTES),
            ("grpc.max_receive_message_length", _MESSAGE_BYTES),
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 10_000),
            # Find a restarted server again within seconds, not the default two minutes.
            ("grpc.initial_reconnect_backoff_ms", 200),
            ("grpc.max_reconnect_backoff_ms", 3_000),
            ("grpc.enable_retries", 0),
        ]
        if secure:
            roots = _roots(settings.ca_file) if settings.ca_file else None
            self.channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=roots), options)
        else:
            self.channel = grpc.insecure_channel(target, options)
        self.stub = pb_grpc.IngestStub(self.channel)
        self.metadata = (("authorization", f"Bearer {settings.api_key}"),) if settings.api_key else ()

    def call(self, what: str, method, request, timeout: float, per_call: float = 15.0):
        """A unary call, retried with backoff while the server is unreachable, for up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            try:
                return method(request, metadata=self.metadata, timeout=max(0.5, min(per_call, remaining)))
            except grpc.RpcError as e:
                code = e.code()
                if code in FATAL or code not in RETRYABLE:
                    raise _error(f"{what}: {describe(e)}", code) from e
                wait = retry_after(e) if code == grpc.StatusCode.RESOURCE_EXHAUSTED else None
                wait = wait if wait is not None else backoff(attempt)
                attempt += 1
                if time.monotonic() + wait >= deadline:
                    raise _error(f"{what}: Ingest at {self.settings.url} did not answer within {timeout:.0f} s "
                                 f"({describe(e)})", code) from e
                time.sleep(wait)

    def close(self) -> None:
        try:
            self.channel.close()
        except Exception:
            pass
