"""The gRPC channel to Ingest, with the API key on every call, and retries for plain calls."""

from __future__ import annotations

import ipaddress
import os
import random
import socket
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


def balanced_target_of(urls: str) -> tuple[str, bool, str | None]:
    """(target, secure, authority) for one Ingest URL or several separated by commas.

    Several make one channel that balances calls round-robin over the instances that answer, and a
    run whose instance goes away reconnects to another: a cluster reached without a load balancer.
    gRPC's static list (`ipv4:`/`ipv6:` targets) takes addresses, so host names are resolved here; the
    authority (the Host header, and the name TLS checks) is the first URL's, as the list itself is no host name.
    """
    parts = [part.strip() for part in urls.split(",") if part.strip()]
    if len(parts) <= 1:
        target, secure = target_of(parts[0] if parts else urls)
        return target, secure, None
    targets = [target_of(part) for part in parts]
    if len({secure for _, secure in targets}) > 1:
        raise ValueError(f"RUNSTREAM_URL {urls!r}: use one scheme, http:// or https://, for every Ingest.")
    addresses = []
    for target, _ in targets:
        host, _, port = target.rpartition(":")
        host = host.strip("[]")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = ipaddress.ip_address(_resolve(host, int(port)))
        addresses.append(f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}")
    family = "ipv6" if all(a.startswith("[") for a in addresses) else "ipv4"
    if family == "ipv4" and any(a.startswith("[") for a in addresses):
        raise ValueError(f"RUNSTREAM_URL {urls!r}: the Ingest addresses mix IPv4 and IPv6.")
    return f"{family}:{','.join(addresses)}", targets[0][1], targets[0][0]


def _resolve(host: str, port: int) -> str:
    """An address of `host`, IPv4 first (a static list takes one family)."""
    try:
        return socket.getaddrinfo(host, port, socket.AF_INET, proto=socket.IPPROTO_TCP)[0][4][0]
    except socket.gaierror:
        return socket.getaddrinfo(host, port, socket.AF_INET6, proto=socket.IPPROTO_TCP)[0][4][0]


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
        target, secure, authority = balanced_target_of(settings.url)
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
        if authority:
            options += [("grpc.lb_policy_name", "round_robin"), ("grpc.default_authority", authority)]
            if secure:
                options.append(("grpc.ssl_target_name_override", authority.rpartition(":")[0].strip("[]")))
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
