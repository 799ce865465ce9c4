"""The stack from its images: the migration Job, Projections, Ingest and Query run with podman as the
dev overlay of deploy/k8s runs them (user, read-only root, dropped capabilities, emptyDir /tmp, the
blob volume, memory limits, environment), against the PostgreSQL and RabbitMQ that ./platform runs,
with a database, queues, a blob folder and ports of their own, so a `./platform up` stack is never met.

The containers use the host's network (`podman run --network host`), where 127.0.0.1 reaches the
servers; each service listens on a free port of 127.0.0.1 (its Urls), which stands in for the port
the manifests declare. Every container carries the label runstream.images-test=<id> and is removed
at the end, failed or not (deploy/images/test.sh removes them too if the test is killed).
"""

import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import manifests

REPO = manifests.REPO
TEST_ID = os.environ.get("RUNSTREAM_IMAGES_TEST_ID") or secrets.token_hex(5)
LABEL = f"runstream.images-test={TEST_ID}"
TAG = os.environ.get("RUNSTREAM_IMAGE_TAG", "dev")
RESULTS = pathlib.Path(os.environ.get("RUNSTREAM_TEST_RESULTS") or REPO / "tests" / "TestResults")
# The overlay whose workloads are run: its images are runstream/<service>:dev, the ones built here.
RUN_OVERLAY = "dev"
KUBE_PROBE_AGENT = "kube-probe/1.30"


def podman(*args, check=True, timeout=120):
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check, timeout=timeout)


def local_image(service):
    return f"localhost/runstream/{service}:{TAG}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quantity_bytes(quantity):
    """A Kubernetes quantity ('256Mi', '1Gi', '512M') in bytes."""
    units = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4, "k": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4}
    for suffix, factor in sorted(units.items(), key=lambda item: -len(item[0])):
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity)


def connection_settings(connection_string):
    """'Host=127.0.0.1;Port=55432;Database=runstream;Username=postgres' as a dict with lowercase keys."""
    return {k.strip().lower(): v.strip() for k, v in (part.split("=", 1) for part in connection_string.split(";") if "=" in part)}


def connection_string(settings):
    names = {"host": "Host", "port": "Port", "database": "Database", "username": "Username", "password": "Password"}
    return ";".join(f"{names.get(k, k)}={v}" for k, v in settings.items())


def psql(settings, sql, database="postgres"):
    env = dict(os.environ, PGPASSWORD=settings.get("password", ""), PGCONNECT_TIMEOUT="10")
    command = ["psql", "-h", settings.get("host", "127.0.0.1"), "-p", settings.get("port", "5432"),
               "-U", settings.get("username", "postgres"), "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
    return subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=60).stdout.strip()


# --- probes, as the kubelet makes them ---------------------------------------------------------


def _grpc_health_request(service):
    """grpc.health.v1.HealthCheckRequest{service} in protobuf's wire format."""
    data = service.encode()
    if not data:
        return b""
    length, prefix = len(data), bytearray()
    while True:
        prefix.append((length & 0x7F) | (0x80 if length > 0x7F else 0))
        length >>= 7
        if not length:
            break
    return b"\x0a" + bytes(prefix) + data


def _grpc_health_status(data):
    """The status (field 1, a varint) of a grpc.health.v1.HealthCheckResponse; 0 (UNKNOWN) when absent."""
    i = 0
    while i < len(data):
        tag = data[i]
        i += 1
        value = shift = 0
        while True:  # every field of this message is a varint
            byte = data[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if tag == 0x08:
            return value
    return 0


GRPC_STATUSES = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def probe_once(probe, port, container):
    """Calls a probe once the way the kubelet does; returns (succeeded, what was seen)."""
    timeout = probe.get("timeoutSeconds", 1)
    if "httpGet" in probe:
        spec = probe["httpGet"]
        scheme = spec.get("scheme", "HTTP").lower()
        headers = {"User-Agent": KUBE_PROBE_AGENT, "Accept": "*/*"}
        headers.update({h["name"]: h["value"] for h in spec.get("httpHeaders", [])})
        # The kubelet calls the pod's IP; on the host's network that is the loopback address.
        url = f"{scheme}://{spec.get('host') or '127.0.0.1'}:{port}{spec.get('path', '/')}"
        context = ssl._create_unverified_context() if scheme == "https" else None  # the kubelet does not verify
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout, context=context) as response:
                code = response.status
        except urllib.error.HTTPError as e:
            code = e.code
        except (urllib.error.URLError, OSError) as e:
            return False, f"GET {url}: {e}"
        return 200 <= code < 400, f"GET {url}: HTTP {code}"
    if "grpc" in probe:
        import grpc  # Debian's python3-grpcio

        service = probe["grpc"].get("service", "")
        target = f"127.0.0.1:{port}"
        with grpc.insecure_channel(target, options=[("grpc.primary_user_agent", KUBE_PROBE_AGENT)]) as channel:
            check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=_grpc_health_request, response_deserializer=_grpc_health_status)
            try:
                status = check(service, timeout=timeout)
            except grpc.RpcError as e:
                return False, f"grpc.health.v1.Health/Check({service!r}) at {target}: {e.code().name} {e.details()}"
        return status == 1, f"grpc.health.v1.Health/Check({service!r}) at {target}: {GRPC_STATUSES.get(status, status)}"
    if "tcpSocket" in probe:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
            return True, f"TCP 127.0.0.1:{port} connected"
        except OSError as e:
            return False, f"TCP 127.0.0.1:{port}: {e}"
    if "exec" in probe:
        result = podman("exec", container, *probe["exec"]["command"], check=False, timeout=timeout + 10)
        return result.returncode == 0, f"exec {probe['exec']['command']}: exit {result.returncode}"
    raise ValueError(f"unsupported probe: {json.dumps(probe)}")


# --- the stack ----------------------------------------------------------------------------------


class QueryClient:
    """The Query API of a stack started by a test: an API key made as ./platform makes the local key
    (POST /admin/v1/keys with the admin key), and GETs with it. Needs url(), admin_key and api_key."""

    def create_key(self, entity):
        request = urllib.request.Request(
            f"{self.url('query')}/admin/v1/keys", data=json.dumps({"entity": entity, "name": "images test"}).encode(),
            headers={"Authorization": f"Bearer {self.admin_key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["key"]

    def query(self, path, raw=False):
        request = urllib.request.Request(f"{self.url('query')}{path}", headers={"Authorization": f"Bearer {self.api_key}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            return body if raw else json.loads(body)


class Stack(QueryClient):
    def __init__(self):
        postgres = os.environ.get("ConnectionStrings__Postgres", "Host=127.0.0.1;Port=55432;Database=runstream;Username=postgres")
        self.postgres = connection_settings(postgres)
        self.rabbitmq = os.environ.get("ConnectionStrings__RabbitMq", "amqp://guest:guest@127.0.0.1:56720/")
        self.rabbit_management = os.environ.get("RUNSTREAM_RABBIT_MGMT_URL", "http://127.0.0.1:56721")
        self.database = f"runstream_images_{TEST_ID}"
        self.queues = [f"run-frames-images-{TEST_ID}", f"run-heartbeats-images-{TEST_ID}"]
        self.admin_key = f"admin-{secrets.token_hex(16)}"
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="runstream-images-"))
        self.blobs = self.work / "blobs"
        self.ports = {service: free_port() for service in manifests.SERVICES}
        self.containers = {}  # service -> container name
        self.workloads = {}  # service -> manifests.Workload (of the run overlay)
        self.migration = None
        self.api_key = None
        self.logs = RESULTS / "image-logs"

    def url(self, service):
        return f"http://127.0.0.1:{self.ports[service]}"

    def secrets(self):
        """runstream-secrets, as the overlays' secretGenerator has it, with this test's values."""
        database = dict(self.postgres, database=self.database)
        return {"Security__AdminKey": self.admin_key, "ConnectionStrings__Postgres": connection_string(database),
                "ConnectionStrings__RabbitMq": self.rabbitmq}

    def environment(self, workload):
        env = workload.environment(self.secrets())
        env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)  # no collector here
        env.update({"Ingest__Queue": self.queues[0], "Frames__Queue": self.queues[0],
                    "Ingest__HeartbeatQueue": self.queues[1], "Frames__HeartbeatQueue": self.queues[1]})
        if workload.service in self.ports and workload.kind != "Job":
            env["Urls"] = self.url(workload.service)
        return env

    def run_arguments(self, workload, name):
        """podman run's options for a workload's container, from its manifest."""
        security = workload.security()
        options = ["--name", name, "--label", LABEL, "--network", "host", "--pull", "never"]
        if "runAsUser" in security:
            options += ["--user", f"{security['runAsUser']}:{security.get('runAsGroup', security['runAsUser'])}"]
        if security.get("readOnlyRootFilesystem"):
            options.append("--read-only")
        for capability in security.get("capabilities", {}).get("drop", []):
            options += ["--cap-drop", capability.lower()]
        if security.get("allowPrivilegeEscalation") is False:
            options += ["--security-opt", "no-new-privileges"]
        for path, volume, read_only in workload.mounts():
            if "emptyDir" in volume:
                size = volume["emptyDir"].get("sizeLimit")
                options += ["--tmpfs", f"{path}:rw,nosuid,nodev,mode=1777" + (f",size={quantity_bytes(size)}" if size else "")]
            elif volume.get("persistentVolumeClaim", {}).get("claimName") == "runstream-blobs":
                options += ["--volume", f"{self.blobs}:{path}:{'ro' if read_only else 'rw'}"]
            else:
                raise ValueError(f"{workload.name}: no stand-in for volume {json.dumps(volume)}")
        memory = workload.container.get("resources", {}).get("limits", {}).get("memory")
        if memory:
            options += ["--memory", str(quantity_bytes(memory))]
        env_file = self.work / f"{name}.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in self.environment(workload).items()))
        env_file.chmod(0o600)
        return options + ["--env-file", str(env_file), local_image(workload.service), *workload.args]

    def start(self):
        self.logs.mkdir(parents=True, exist_ok=True)
        # The blob volume, writable by the services' user as the manifests require of the claim.
        self.blobs.mkdir()
        if os.geteuid() == 0:
            os.chown(self.blobs, 1654, 1654)
        else:
            self.blobs.chmod(0o777)
        psql(self.postgres, f"create database {self.database}")

        run = [w for w in manifests.workloads() if w.overlay == RUN_OVERLAY]
        jobs = [w for w in run if w.kind == "Job"]
        assert jobs, f"no migration Job among the {RUN_OVERLAY} overlay's workloads"
        # The migration Job first, as the deployment guide orders it; then the services.
        for job in jobs:
            name = f"runstream-images-{TEST_ID}-{job.name}"
            self.migration = podman("run", "--rm", *self.run_arguments(job, name), check=False, timeout=300)
            (self.logs / f"{job.name}.log").write_text(self.migration.stdout + self.migration.stderr)
            assert self.migration.returncode == 0, f"the migration Job's container failed:\n{self.migration.stderr[-3000:]}"
        for workload in (w for w in run if w.kind != "Job"):
            self.workloads[workload.service] = workload
        for service in ("projections", "ingest", "query"):
            workload = self.workloads[service]
            name = f"runstream-images-{TEST_ID}-{service}"
            self.containers[service] = name
            podman("run", "--detach", *self.run_arguments(workload, name))
            self.wait_started(service)
        self.api_key = self.create_key("local")

    def probe_port(self, service, probe_port):
        """The port standing in for a probe's port: the service's own port when the probe names the
        container's declared port."""
        workload = self.workloads[service]
        declared = workload.port(probe_port)
        ports = [p["containerPort"] for p in workload.container.get("ports", [])]
        assert declared in ports, f"{service}: the probe's port {probe_port} is not one the container declares ({ports})"
        return self.ports[service]

    def wait_started(self, service):
        """Waits for the startup probe (or, without one, readiness), within the time the kubelet gives it."""
        workload = self.workloads[service]
        probes = dict(workload.probes())
        probe = probes.get("startupProbe") or probes.get("readinessProbe")
        assert probe, f"{service} declares neither a startup nor a readiness probe"
        budget = probe.get("initialDelaySeconds", 0) + probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)
        deadline = time.monotonic() + budget
        seen = ""
        while time.monotonic() < deadline:
            state = podman("inspect", "--format", "{{.State.Status}}", self.containers[service], check=False).stdout.strip()
            if state not in ("running", "created"):
                logs = podman("logs", self.containers[service], check=False)
                pytest.fail(f"{service} stopped during start-up ({state}):\n{(logs.stdout + logs.stderr)[-3000:]}")
            ok, seen = self.call_probe(service, probe)
            if ok:
                return
            time.sleep(0.5)
        pytest.fail(f"{service} did not pass its start-up probe in {budget} s: {seen}")

    def call_probe(self, service, probe):
        """Calls one of a service's probes once; returns (succeeded, what was seen)."""
        handler = next((h for h in ("httpGet", "grpc", "tcpSocket") if h in probe), None)
        port = self.probe_port(service, probe[handler]["port"]) if handler else None
        return probe_once(probe, port, self.containers[service])

    def stop(self):
        """Keeps each container's log in the test results, then removes the containers, the database,
        the queues and the blob folder; each step is attempted even when another fails."""
        for service, name in self.containers.items():
            logs = podman("logs", name, check=False)
            (self.logs / f"{service}.log").write_text(logs.stdout + logs.stderr)
        ids = podman("ps", "--all", "--quiet", "--filter", f"label={LABEL}", check=False).stdout.split()
        if ids:
            podman("rm", "--force", "--time", "3", *ids, check=False)
        try:
            psql(self.postgres, f"drop database if exists {self.database} with (force)")
        except subprocess.SubprocessError as e:
            print(f"could not drop {self.database}: {e}")
        self.delete_queues()
        shutil.rmtree(self.work, ignore_errors=True)

    def delete_queues(self):
        """The test's queues and the exchanges MassTransit binds to them, through RabbitMQ's management API."""
        parsed = urllib.parse.urlparse(self.rabbitmq)
        user, password = urllib.parse.unquote(parsed.username or "guest"), urllib.parse.unquote(parsed.password or "guest")
        vhost = urllib.parse.quote(urllib.parse.unquote(parsed.path[1:]) or "/", safe="")
        opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(_password_manager(self.rabbit_management, user, password)))
        for kind in ("queues", "exchanges"):
            for name in self.queues:
                request = urllib.request.Request(f"{self.rabbit_management}/api/{kind}/{vhost}/{urllib.parse.quote(name, safe='')}", method="DELETE")
                try:
                    opener.open(request, timeout=10).close()
                except (urllib.error.URLError, OSError):
                    pass  # absent, or the management API is not there: the queue is left behind, harmlessly


def _password_manager(url, user, password):
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, user, password)
    return manager


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# A CI timeout's SIGTERM ends the test like Ctrl+C, so the fixture below still removes what it made.
signal.signal(signal.SIGTERM, _interrupted)


@pytest.fixture(scope="session")
def stack():
    stack = Stack()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
