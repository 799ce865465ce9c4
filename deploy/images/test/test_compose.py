"""compose.yaml, run with podman-compose: the Runstream images built here with PostgreSQL and RabbitMQ
images made from Debian's packages (deploy/images/compose-servers.sh), since docker.io cannot be
reached. The seed's Python example runs through the stack and its run is read back from Query.

The stack has a project name of its own and free host ports, so a running stack is never met; it is
removed at the end, with its volumes and network, failed or not (deploy/images/test.sh removes it
too if the test is killed).

This machine's podman-compose (Debian's 1.0.3) orders the containers by depends_on but does not wait
for its conditions, and podman runs health checks on systemd timers, which are missing here: the
services' restart policies carry the start, and the test runs each health check until it passes.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.request

import pytest

from conftest import REPO, RESULTS, TAG, TEST_ID, QueryClient, free_port, podman
from test_stack_from_images import eventually

PROJECT = f"runstream-compose-{TEST_ID}"
LONG_RUNNING = ("postgres", "rabbitmq", "projections", "ingest", "query")
ONE_SHOT = ("blobs-init", "db-apply")
START_TIMEOUT = 300


def container(service):
    return f"{PROJECT}_{service}_1"  # podman-compose's name for a service's first container


class ComposeStack(QueryClient):
    def __init__(self, work):
        self.work = work
        self.ports = {"ingest": free_port(), "query": free_port()}
        self.admin_key = secrets.token_hex(24)
        self.api_key = None
        # A copy of compose.yaml in a folder of its own: a developer's .env next to the original
        # would otherwise override these settings.
        self.file = work / "compose.yaml"
        shutil.copy(REPO / "compose.yaml", self.file)
        self.env = dict(os.environ, RUNSTREAM_ADMIN_KEY=self.admin_key, RUNSTREAM_IMAGE_TAG=TAG,
                        RUNSTREAM_POSTGRES_IMAGE="localhost/runstream-postgres:15",
                        RUNSTREAM_RABBITMQ_IMAGE="localhost/runstream-rabbitmq:3",
                        RUNSTREAM_BIND_ADDRESS="127.0.0.1",
                        RUNSTREAM_INGEST_PORT=str(self.ports["ingest"]), RUNSTREAM_QUERY_PORT=str(self.ports["query"]))

    def url(self, service):
        return f"http://127.0.0.1:{self.ports[service]}"

    def compose(self, *args, timeout=START_TIMEOUT, check=True):
        result = subprocess.run(["podman-compose", "-p", PROJECT, "-f", str(self.file), *args], capture_output=True,
                                text=True, env=self.env, cwd=self.work, timeout=timeout)
        if check and result.returncode:
            pytest.fail(f"podman-compose {' '.join(args)}: exit {result.returncode}\n{(result.stdout + result.stderr)[-3000:]}")
        return result

    def start(self):
        self.compose("up", "-d")
        deadline = time.monotonic() + START_TIMEOUT
        waiting = set(LONG_RUNNING + ONE_SHOT)
        while waiting and time.monotonic() < deadline:
            for service in sorted(waiting):
                if self.ready(service):
                    waiting.discard(service)
            time.sleep(1)
        if waiting:
            pytest.fail(f"not ready after {START_TIMEOUT} s: {', '.join(sorted(waiting))}\n{self.status()}")
        self.api_key = self.create_key("local")

    def ready(self, service):
        """A one-shot service exited 0; a long-running one passes its health check, run here."""
        state = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container(service), check=False).stdout.split()
        if service in ONE_SHOT:
            return state == ["exited", "0"]
        return state[:1] == ["running"] and podman("healthcheck", "run", container(service), check=False, timeout=60).returncode == 0

    def status(self):
        return podman("ps", "--all", "--filter", f"label=io.podman.compose.project={PROJECT}",
                      "--format", "{{.Names}} {{.Status}}", check=False).stdout

    def stop(self):
        """Keeps each container's log, then removes the containers, volumes and network; each step is
        attempted even when another fails (podman-compose 1.0.3's `down` leaves the network)."""
        logs = RESULTS / "compose-logs"
        logs.mkdir(parents=True, exist_ok=True)
        for service in LONG_RUNNING + ONE_SHOT:
            result = podman("logs", container(service), check=False)
            (logs / f"{service}.log").write_text(result.stdout + result.stderr)
        try:
            self.compose("down", "--volumes", "-t", "3", timeout=120, check=False)
        except subprocess.SubprocessError as e:
            print(f"podman-compose down: {e}")
        remove_project(PROJECT)
        shutil.rmtree(self.work, ignore_errors=True)


def remove_project(project):
    label = f"label=io.podman.compose.project={project}"
    ids = podman("ps", "--all", "--quiet", "--filter", label, check=False).stdout.split()
    if ids:
        podman("rm", "--force", "--time", "3", *ids, check=False)
    volumes = podman("volume", "ls", "--quiet", "--filter", label, check=False).stdout.split()
    if volumes:
        podman("volume", "rm", "--force", *volumes, check=False)
    podman("network", "rm", "--force", f"{project}_default", check=False)


@pytest.fixture(scope="module")
def compose_stack(tmp_path_factory):
    if not shutil.which("podman-compose"):
        pytest.fail("podman-compose is not installed (Debian's podman-compose; ./platform images installs it)")
    built = subprocess.run(["bash", str(REPO / "deploy" / "images" / "compose-servers.sh")], capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, f"compose-servers.sh failed:\n{(built.stdout + built.stderr)[-3000:]}"
    stack = ComposeStack(tmp_path_factory.mktemp("compose"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def test_compose_runs_hardened(compose_stack):
    """Non-root, read-only root and no capabilities, as deploy/k8s runs them; ports on 127.0.0.1 only."""
    published = set()
    for service in LONG_RUNNING:
        inspected = json.loads(podman("inspect", container(service)).stdout)[0]
        assert inspected["HostConfig"]["ReadonlyRootfs"] is True, service
        assert podman("exec", container(service), "id", "-u").stdout.strip() != "0", f"{service} runs as root"
        assert not inspected["EffectiveCaps"], f"{service} has capabilities {inspected['EffectiveCaps']}"
        # Exposed ports that are not published have no bindings.
        bindings = [b for port in (inspected["HostConfig"].get("PortBindings") or {}).values() for b in port or []]
        assert all(b["HostIp"] == "127.0.0.1" for b in bindings), f"{service} publishes {bindings}"
        if bindings:
            published.add(service)
    assert published == {"ingest", "query"}


def test_compose_python_example_lands_through_query(compose_stack, tmp_path):
    """examples/python/putting_it_all_together.py streams a run to Ingest; Projections applies it; Query
    serves it, with the artifact file Ingest wrote to the shared blob volume."""
    project = f"compose-{TEST_ID}"
    epochs = 10
    env = dict(os.environ, PYTHONPATH=str(REPO / "sdk" / "python"), RUNSTREAM_URL=compose_stack.url("ingest"),
               RUNSTREAM_API_KEY=compose_stack.api_key, RUNSTREAM_DIR=str(tmp_path / "spool"))
    result = subprocess.run(["/usr/bin/python3", str(REPO / "examples" / "python" / "putting_it_all_together.py"),
                             "--project", project, "--epochs", str(epochs)],
                            capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, f"the example failed:\n{result.stdout}\n{result.stderr}"
    printed = re.search(r"run (\S+) in project (\S+):", result.stdout)
    assert printed, f"unexpected output: {result.stdout}"

    # Finishing means the broker holds every frame; Projections applies them a moment later.
    run = eventually(lambda: compose_stack.query(f"/api/v1/projects/{project}/runs/{printed.group(1)}"),
                     lambda run: run["state"] != "running" and run["artifactsLogged"])
    assert run and run["state"] == "finished", f"run: {run}"
    assert run["config"]["epochs"] == epochs
    assert run["lastStep"] == epochs * 8 - 1  # 1,024 examples in batches of 128
    artifact = next(a for a in run["artifactsLogged"] if a["name"] == "trained-model")
    # The artifact collections are projected after the run.
    collection = eventually(lambda: compose_stack.query(f"/api/v1/projects/{project}/artifacts/trained-model"),
                            lambda c: any(v["digest"] == artifact["digest"] for v in c["versions"]))
    version = next(v for v in collection["versions"] if v["digest"] == artifact["digest"])
    model = json.loads(compose_stack.query(
        f"/api/v1/projects/{project}/artifacts/trained-model/{version['version']}/files/cat-classifier.model.json", raw=True))
    assert model["kind"] == "logistic-regression"


def test_compose_query_serves_the_dashboard(compose_stack):
    with urllib.request.urlopen(f"{compose_stack.url('query')}/", timeout=10) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "text/html"
