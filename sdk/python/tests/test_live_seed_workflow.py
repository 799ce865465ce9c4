"""The seed guide's workflow against the running services, read back with the public API."""

import pytest

import runstream
from helpers import REPO, run_python, unique_project, wait_for, wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def test_the_seed_workflow_end_to_end(project, api, tmp_path):
    expected = []
    with runstream.init(
        project=project,
        notes="My first experiment",
        tags=["baseline", "paper1"],
        config={"epochs": 4, "learning_rate": 0.001, "batch_size": 128},
    ) as run:
        assert run.config.epochs == 4 and run.config["learning_rate"] == 0.001
        for epoch in range(run.config["epochs"]):
            for batch in range(3):
                step = epoch * 3 + batch
                loss, accuracy = 1.0 / (step + 1), step / 12
                run.log({"accuracy": accuracy, "loss": loss})
                expected.append((step, accuracy, loss))
        model = tmp_path / "path_to_model.onnx"
        model.write_bytes(b"\x08\x07model-bytes")
        logged = run.log_artifact(str(model), name="trained-model", type="model")
    result = run.finish()
    assert result.complete and result.errors == ()

    remote = wait_for_run(api, project, run.id)
    assert remote.exit_code == 0
    assert remote.config == {"epochs": 4, "learning_rate": 0.001, "batch_size": 128}
    assert remote.notes == "My first experiment" and remote.tags == ["baseline", "paper1"]
    assert remote.summary == {"accuracy": 11 / 12, "loss": 1 / 12}
    history = remote.history(pandas=False)
    assert [(r["_step"], r["accuracy"], r["loss"]) for r in history] == expected
    frame = remote.history()
    assert list(frame["loss"]) == [loss for _, _, loss in expected]

    artifact = wait_for(lambda: api.artifact(f"{project}/trained-model:latest"), what="the artifact")
    assert artifact["version"] == "v0" and artifact["digest"] == logged.digest
    assert artifact["files"] == [{"path": "path_to_model.onnx", "digest": logged_file_digest(model), "size": 13}]
    assert run.id in artifact["loggedBy"]


def logged_file_digest(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_putting_it_all_together_example(api):
    project = unique_project("example-putting-it-all-together")
    done = run_python([f"{REPO}/examples/python/putting_it_all_together.py", "--project", project, "--epochs", "5"])
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.split()[1]
    remote = wait_for_run(api, project, run_id)
    assert remote.config == {"epochs": 5, "learning_rate": 0.1, "batch_size": 128, "seed": 42}
    assert remote.notes == "My first experiment" and remote.tags == ["baseline", "paper1"]
    rows = list(remote.scan_history())
    assert [r["_step"] for r in rows] == list(range(40))            # 5 epochs x 8 batches
    assert rows[-1]["loss"] < rows[0]["loss"] and rows[-1]["accuracy"] > 0.8
    artifact = wait_for(lambda: api.artifact(f"{project}/trained-model:latest"), what="the model artifact")
    assert [f["path"] for f in artifact["files"]] == ["cat-classifier.model.json"]


def test_the_best_practices_example(api):
    project = unique_project("example-best-practices")
    done = run_python([f"{REPO}/examples/python/best_practices.py", "--project", project])
    assert done.returncode == 0, done.stderr

    def both_finished():
        runs = list(api.runs(project))
        return runs if len(runs) == 2 and all(r.state == "finished" for r in runs) else None
    runs = {r.job_type: r for r in wait_for(both_finished, what="the train and eval runs")}
    train = runs["train"]
    assert train.config == {"learning_rate": 0.01, "momentum": 0.2, "architecture": "CNN", "dataset_id": "cats-0192"}
    assert (train.notes, train.tags, train.group) == ("tweak baseline", ["baseline", "paper1"], "tweak-baseline")
    assert runs["eval"].group == "tweak-baseline" and "error" in runs["eval"].summary
    losses = [r["loss"] for r in train.scan_history()]
    assert len(losses) == 50 and losses[-1] < losses[0]
