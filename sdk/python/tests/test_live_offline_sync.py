"""Offline runs, uploaded later with `python3 -m runstream sync DIR`; syncing again changes nothing."""

import shutil

import pytest

import runstream
from helpers import run_python, spooled_frames, wait_for, wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def test_offline_then_sync_twice(project, api, tmp_path):
    spool = tmp_path / "offline-spool"
    model = tmp_path / "model.bin"
    model.write_bytes(b"offline model")
    with runstream.init(project=project, mode="offline", dir=str(spool), config={"lr": 0.5}, tags=["offline"]) as run:
        for step in range(20):
            run.log({"loss": 1.0 / (step + 1)})
        run.summary["best"] = 1.0
        logged = run.log_artifact(str(model), name="offline-model", type="model")
    with pytest.raises(runstream.ApiError) as missing:
        api.run(f"{project}/{run.id}")
    assert missing.value.status == 404
    frames = len(spooled_frames(run.dir))
    backup = tmp_path / "backup"
    shutil.copytree(spool, backup)                         # every frame, as if never acknowledged

    first = run_python(["-m", "runstream", "sync", str(spool)])
    assert first.returncode == 0, first.stderr
    assert f"{project}/{run.id}: {frames} frame(s) uploaded, synced" in first.stdout
    remote = wait_for_run(api, project, run.id)
    rows = list(remote.scan_history())
    assert [(r["_step"], r["loss"]) for r in rows] == [(s, 1.0 / (s + 1)) for s in range(20)]
    assert remote.config == {"lr": 0.5} and remote.tags == ["offline"] and remote.summary["best"] == 1.0
    artifact = wait_for(lambda: api.artifact(f"{project}/offline-model:latest"), what="the offline artifact")
    assert artifact["digest"] == logged.digest

    second = run_python(["-m", "runstream", "sync", str(spool)])
    assert second.returncode == 0 and f"{project}/{run.id}: 0 frame(s) uploaded, synced" in second.stdout

    # Re-sending every frame: Ingest drops the duplicates.
    again = run_python(["-m", "runstream", "sync", str(backup)])
    assert again.returncode == 0 and f"{frames} frame(s) uploaded, synced" in again.stdout
    # A later frame of the run is applied after the duplicates; once it shows, they were handled.
    with runstream.init(project=project, id=run.id, resume="must", dir=str(spool)) as resumed:
        assert resumed.step == 20
        resumed.log({"loss": 0.0})
    remote = wait_for_run(api, project, run.id, check=lambda r: r.last_step == 20)
    rows = list(remote.scan_history())
    assert [r["_step"] for r in rows] == list(range(21))
    assert [r["loss"] for r in rows[:20]] == [1.0 / (s + 1) for s in range(20)]
    assert len(versions(api, project)) == 1


def versions(api, project):
    return api._get(f"/projects/{project}/artifacts/offline-model")["versions"]
