"""The public API's HTTP client against small local servers (no Runstream services)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import runstream


class Server:
    """An HTTP server on 127.0.0.1 that answers with `route(path)`: (status, headers, body) and
    records each request's path and headers."""

    def __init__(self, route):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                status, headers, body = route(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def authorization(self, index: int):
        return next((v for k, v in self.requests[index][1].items() if k.lower() == "authorization"), None)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    started = []

    def start(route):
        server = Server(route)
        started.append(server)
        return server
    yield start
    for server in started:
        server.close()


def test_the_api_key_does_not_follow_a_redirect_to_another_host(servers):
    elsewhere = servers(lambda path: (200, {"Content-Type": "application/json"}, b"[]"))
    origin = servers(lambda path: (302, {"Location": f"http://localhost:{elsewhere.port}/api/v1/projects"}, b""))
    assert runstream.Api(url=f"http://127.0.0.1:{origin.port}", api_key="secret-key").projects() == []
    assert origin.authorization(0) == "Bearer secret-key"
    assert len(elsewhere.requests) == 1 and elsewhere.authorization(0) is None


def test_the_api_key_follows_a_redirect_within_its_origin(servers):
    def route(path):
        if path == "/api/v1/projects":
            return 307, {"Location": "/api/v1/projects/"}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps([{"name": "p"}]).encode()
    origin = servers(route)
    assert runstream.Api(url=f"http://127.0.0.1:{origin.port}", api_key="secret-key").projects() == [{"name": "p"}]
    assert [origin.authorization(i) for i in range(2)] == ["Bearer secret-key"] * 2


def test_a_public_run_lists_the_artifacts_it_logged_and_used(servers):
    run = {"runId": "r1", "state": "finished", "tags": [], "notes": None,
           "artifactsLogged": [{"name": "model", "digest": "a" * 64, "version": "v2"}],
           "artifactsUsed": [{"name": "data", "digest": "b" * 64, "version": "v0"}]}
    origin = servers(lambda path: (200, {"Content-Type": "application/json"}, json.dumps(run).encode()))
    public = runstream.Api(url=f"http://127.0.0.1:{origin.port}", api_key="k").run("p/r1")
    assert public.artifacts_logged == [{"name": "model", "digest": "a" * 64, "version": "v2"}]
    assert public.artifacts_used == [{"name": "data", "digest": "b" * 64, "version": "v0"}]
    assert public.artifacts == {"logged": public.artifacts_logged, "used": public.artifacts_used}
