"""Riding out a lost connection: through a TCP relay to the real Ingest that the test cuts and restores."""

import os
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

import runstream
from helpers import run_python, wait_for, wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


class Relay:
    """Forwards 127.0.0.1:<port> to Ingest; stop() drops every connection, start() listens again on the same port."""

    def __init__(self, upstream, tls: ssl.SSLContext | None = None):
        self.upstream = upstream
        self.tls = tls
        self.port = None
        self._listener = None
        self._sockets = []
        self._lock = threading.Lock()

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._open = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if not self._open or listener is not self._listener:
                client.close()
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client):
        try:
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        with self._lock:
            # stop() may have run while this connection was being made: it must not outlive it.
            if not self._open:
                client.close()
                server.close()
                return
            self._sockets += [client, server]
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        with self._lock:
            self._open = False
        try:
            self._listener.shutdown(socket.SHUT_RDWR)      # wakes the thread blocked in accept()
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def ingest_address():
    url = os.environ.get("RUNSTREAM_URL", "http://127.0.0.1:5101")
    host, port = url.split("://")[-1].rsplit(":", 1)
    return host, int(port)


@pytest.fixture
def relay():
    relay = Relay(ingest_address())
    relay.start()
    yield relay
    relay.stop()


def test_logging_goes_on_while_ingest_is_unreachable(project, api, relay):
    run = runstream.init(project=project, url=f"http://127.0.0.1:{relay.port}")
    for step in range(50):
        run.log({"loss": float(step)})
    wait_for_run(api, project, run.id, state="running", check=lambda r: r.last_step == 49)

    relay.stop()
    started = time.monotonic()
    for step in range(50, 100):
        run.log({"loss": float(step)})
    assert time.monotonic() - started < 0.5              # log() never waits on the network
    wait_for(lambda: run._spool.last_sequence > run._spool.acked, what="frames spooled while offline")

    relay.start()
    result = run.finish(timeout=60)
    assert result.complete
    remote = wait_for_run(api, project, run.id, check=lambda r: r.last_step == 99)
    rows = list(remote.scan_history())
    assert [(r["_step"], r["loss"]) for r in rows] == [(s, float(s)) for s in range(100)]


def test_a_run_given_two_ingest_urls_goes_on_through_the_other_when_one_goes_away(project, api, relay):
    second = Relay(ingest_address())
    second.start()
    try:
        run = runstream.init(project=project, url=f"http://127.0.0.1:{relay.port},http://127.0.0.1:{second.port}")
        for step in range(50):
            run.log({"loss": float(step)})
        wait_for_run(api, project, run.id, state="running", check=lambda r: r.last_step == 49)

        relay.stop()
        for step in range(50, 100):
            run.log({"loss": float(step)})
        result = run.finish(timeout=60)
        assert result.complete
        remote = wait_for_run(api, project, run.id, check=lambda r: r.last_step == 99)
        assert [(r["_step"], r["loss"]) for r in remote.scan_history()] == [(s, float(s)) for s in range(100)]
    finally:
        second.stop()


def test_a_finish_that_cannot_reach_ingest_keeps_the_frames_for_sync(project, api, relay):
    run = runstream.init(project=project, url=f"http://127.0.0.1:{relay.port}")
    relay.stop()
    for step in range(10):
        run.log({"loss": float(step)})
    result = run.finish(timeout=1)
    assert not result.complete and result.unacknowledged > 0 and result.spool_directory == run.dir

    done = run_python(["-m", "runstream", "sync", run.dir])
    assert done.returncode == 0 and "synced" in done.stdout, done.stdout + done.stderr
    remote = wait_for_run(api, project, run.id, check=lambda r: r.last_step == 9)
    assert [r["loss"] for r in remote.scan_history()] == [float(s) for s in range(10)]


def make_private_ca(directory):
    """A CA and a certificate for 127.0.0.1 signed by it, with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
            "-subj", "/CN=Runstream test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem", directory / "server.key")
    context.set_alpn_protocols(["h2"])
    return str(directory / "ca.pem"), context


def test_tls_trusts_a_private_ca_in_addition(tmp_path, monkeypatch):
    """The channel's TLS handshake through a TLS-terminating relay: refused without the CA, made with it.
    (Only the handshake: Kestrel's plaintext port refuses calls whose :scheme says https.)"""
    import grpc

    from runstream._settings import resolve
    from runstream._transport import Transport

    ca_file, context = make_private_ca(tmp_path)
    relay = Relay(ingest_address(), tls=context)
    relay.start()
    url = f"https://127.0.0.1:{relay.port}"
    untrusted = trusted = None
    try:
        untrusted = Transport(resolve(url=url))
        with pytest.raises(grpc.FutureTimeoutError):
            grpc.channel_ready_future(untrusted.channel).result(timeout=2)
        monkeypatch.setenv("RUNSTREAM_CA_FILE", ca_file)
        trusted = Transport(resolve(url=url))
        grpc.channel_ready_future(trusted.channel).result(timeout=15)
    finally:
        for transport in (untrusted, trusted):
            if transport is not None:
                transport.close()
        relay.stop()
