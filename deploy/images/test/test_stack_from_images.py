"""The stack run from the images built here (conftest.py starts it): the seed's Python example runs
through it, every probe deploy/k8s declares answers as the kubelet calls it, and each image's own
HEALTHCHECK passes."""

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request

import pytest

import manifests
from conftest import REPO, TEST_ID, local_image, podman, psql


def declared_probes():
    """Each distinct probe of a Runstream container in any overlay, as (service, kind, probe)."""
    found = {}
    for workload in manifests.workloads():
        for kind, probe in workload.probes():
            key = (workload.service, kind, json.dumps(probe, sort_keys=True))
            found.setdefault(key, (workload.service, kind, probe))
    return list(found.values())


def probe_id(value):
    service, kind, probe = value
    handler = next(h for h in ("httpGet", "grpc", "tcpSocket", "exec") if h in probe)
    where = probe[handler].get("path", "") if handler == "httpGet" else probe[handler].get("service", "")
    return f"{service}-{kind}-{handler}{where}"


PROBES = declared_probes()


def test_every_service_declares_probes():
    assert {service for service, _, _ in PROBES} == set(manifests.SERVICES)


def test_migration_job_applied_the_schema(stack):
    """The Job's container (the Projections image with `db-apply`) ran to completion, and the
    services, which never apply the schema themselves (Store__ApplySchemaOnStartup=false), found it."""
    assert stack.migration.returncode == 0
    tables = psql(stack.postgres, "select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')",
                  database=stack.database)
    assert int(tables) > 0, "db-apply created no tables"


@pytest.mark.parametrize("service", manifests.SERVICES)
def test_container_runs_as_declared(stack, service):
    """Non-root by number (what runAsNonRoot can verify), read-only root, writable /tmp, a HEALTHCHECK."""
    security = stack.workloads[service].security()
    image = json.loads(podman("image", "inspect", local_image(service)).stdout)[0]
    user = image["Config"].get("User", "")
    assert re.fullmatch(r"[1-9][0-9]*(:[0-9]+)?", user), f"the image's user {user!r} is not a non-root UID"
    assert user.split(":")[0] == str(security["runAsUser"]), f"the image runs as {user}, the manifests as {security['runAsUser']}"
    assert (image.get("Healthcheck") or {}).get("Test"), "the image has no HEALTHCHECK"

    container = stack.containers[service]
    inspected = json.loads(podman("inspect", container).stdout)[0]
    assert inspected["HostConfig"]["ReadonlyRootfs"] is True
    assert podman("exec", container, "id", "-u").stdout.strip() == str(security["runAsUser"])
    assert podman("exec", container, "touch", "/app/written", check=False).returncode != 0, "the root file system is writable"
    assert podman("exec", container, "touch", "/tmp/written").returncode == 0


@pytest.mark.parametrize("declared", PROBES, ids=probe_id)
def test_declared_probe_answers(stack, declared):
    """Each probe, called once as the kubelet would call it (its path or gRPC service, port and timeout)."""
    service, _, probe = declared
    ok, seen = stack.call_probe(service, probe)
    assert ok, seen


@pytest.mark.parametrize("service", manifests.SERVICES)
def test_image_healthcheck_passes(stack, service):
    """The image's own HEALTHCHECK (the app's `healthcheck` argument), as `podman healthcheck run` runs it."""
    result = podman("healthcheck", "run", stack.containers[service], check=False, timeout=60)
    assert result.returncode == 0, f"podman healthcheck run: exit {result.returncode}: {result.stdout}{result.stderr}"


def test_python_example_lands_through_query(stack, tmp_path):
    """examples/python/putting_it_all_together.py, with the SDK from sdk/python, streams a run to the
    Ingest container; Projections applies it; Query answers it, with the artifact it logged, whose
    file Ingest wrote to the blob volume and Query reads from its read-only mount."""
    project = f"images-{TEST_ID}"
    epochs = 20
    env = dict(os.environ, PYTHONPATH=str(REPO / "sdk" / "python"), RUNSTREAM_URL=stack.url("ingest"),
               RUNSTREAM_API_KEY=stack.api_key, RUNSTREAM_DIR=str(tmp_path / "spool"))
    result = subprocess.run(["/usr/bin/python3", str(REPO / "examples" / "python" / "putting_it_all_together.py"),
                             "--project", project, "--epochs", str(epochs)],
                            capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, f"the example failed:\n{result.stdout}\n{result.stderr}"
    printed = re.search(r"run (\S+) in project (\S+): accuracy ([0-9.]+), loss ([0-9.]+)", result.stdout)
    assert printed, f"unexpected output: {result.stdout}"
    run_id = printed.group(1)

    # Finishing means the broker holds every frame; Projections applies them a moment later.
    run = eventually(lambda: stack.query(f"/api/v1/projects/{project}/runs/{run_id}"),
                     lambda run: run["state"] != "running" and run["artifactsLogged"])
    assert run, f"Query does not know run {run_id}"
    assert run["state"] == "finished"
    assert run["notes"] == "My first experiment"
    assert sorted(run["tags"]) == ["baseline", "paper1"]
    assert run["config"]["epochs"] == epochs
    # 1,024 examples in batches of 128: 8 steps an epoch, numbered from 0.
    assert run["lastStep"] == epochs * 8 - 1
    assert abs(run["summary"]["accuracy"] - float(printed.group(3))) <= 0.0005

    artifact = next(a for a in run["artifactsLogged"] if a["name"] == "trained-model")
    # The artifact collections are projected asynchronously, after the run: the version the run made
    # is found by its digest once its collection has it.
    collection = eventually(lambda: stack.query(f"/api/v1/projects/{project}/artifacts/trained-model"),
                            lambda c: any(v["digest"] == artifact["digest"] for v in c["versions"]))
    version = next(v for v in collection["versions"] if v["digest"] == artifact["digest"])
    paths = [f["path"] for f in version["files"]]
    assert paths == ["cat-classifier.model.json"]
    model = json.loads(stack.query(f"/api/v1/projects/{project}/artifacts/trained-model/{version['version']}/files/{paths[0]}", raw=True))
    assert model["kind"] == "logistic-regression"


def eventually(fetch, done=lambda answer: True, timeout=60):
    """Fetches until the answer is there (no 404) and done, or the time is up; returns the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = fetch()
        except urllib.error.HTTPError as e:
            if e.code != 404 or time.monotonic() > deadline:
                raise
            answer = None
        if answer is not None and done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def test_query_serves_the_dashboard(stack):
    """The Query image carries the dashboard in its wwwroot."""
    with urllib.request.urlopen(f"{stack.url('query')}/", timeout=10) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "text/html"
        page = response.read().decode()
    script = re.search(r'src="(/assets/[^"]+\.js)"', page)
    assert script, "index.html names no script under /assets/"
    with urllib.request.urlopen(f"{stack.url('query')}{script.group(1)}", timeout=10) as response:
        assert response.status == 200
