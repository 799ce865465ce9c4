"""A failing training script as the API shows it: its generated name, its failure and traceback,
its console output and its code state (against the real stack)."""

import re
import subprocess

import pytest

import runstream
from helpers import run_python, wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def git(directory, *args) -> str:
    return subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True, text=True).stdout.strip()


def test_a_script_that_raises_inside_the_with_block_tells_its_whole_story(project, api, tmp_path):
    repo = tmp_path / "model"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "train.py").write_text(
        "import runstream\n"
        f"with runstream.init(project='{project}', config={{'lr': 0.1}}) as run:\n"
        "    print(run.id, flush=True)\n"
        "    for step in range(3):\n"
        "        run.log({'loss': 1.0 / (step + 1)})\n"
        "        print(f'step {step}: loss {1.0 / (step + 1):.3f}')\n"
        "        __import__('time').sleep(0.3)\n"
        "    raise FloatingPointError('loss is NaN at step 3')\n")
    git(repo, "add", "train.py")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "train")

    done = run_python([str(repo / "train.py"), "--epochs", "3"], cwd=str(repo),
                      env={"RUNSTREAM_CONSOLE": "wrap", "RUNSTREAM_SYSTEM_METRICS": "on", "RUNSTREAM_SYSTEM_INTERVAL": "0.2"})
    assert done.returncode == 1 and "FloatingPointError" in done.stderr
    run_id = done.stdout.splitlines()[0]

    remote = wait_for_run(api, project, run_id, state="failed")
    assert re.fullmatch(r"[a-z]+-[a-z]+-1", remote.name), remote.name
    assert remote.failure["type"] == "FloatingPointError"
    assert remote.failure["message"] == "loss is NaN at step 3"
    assert "raise FloatingPointError('loss is NaN at step 3')" in remote.failure["traceback"]

    texts = [(line["stream"], line["text"]) for line in remote.logs()]
    assert ("stdout", "step 2: loss 0.333") in texts
    assert any(stream == "stderr" and "loss is NaN at step 3" in text for stream, text in texts), texts
    assert [line["text"] for line in remote.logs(tail=1)] == [texts[-1][1]]

    system = remote.history(keys=["system/cpu.percent", "system/proc.memory.rss_mb"], pandas=False)
    assert any("system/proc.memory.rss_mb" in row for row in system), system
    assert not any(key.startswith("system/") for key in remote.summary)

    environment = remote.environment()
    assert environment["git"]["commit"] == git(repo, "rev-parse", "HEAD")
    assert environment["git"]["branch"] == "main" and environment["git"]["dirty"] is False
    assert environment["program"] == str(repo / "train.py") and environment["args"] == ["--epochs", "3"]
    assert environment["runtime"].startswith("Python 3.")


def test_a_run_renamed_by_the_script_and_through_the_api(project, api):
    with runstream.init(project=project, name="first name") as run:
        run.name = "second name"
    remote = wait_for_run(api, project, run.id, state="finished")
    assert remote.name == "second name"
    remote.name = "third name"
    remote.update()
    assert api.run(f"{project}/{run.id}").name == "third name"


def test_defined_metrics_are_summarised_as_defined_on_the_server(project, api):
    with runstream.init(project=project) as run:
        run.define_metric("val/acc", summary="max", step_metric="epoch")
        run.define_metric("train/*", summary="mean")
        for epoch, (acc, loss) in enumerate([(0.5, 0.9), (0.8, 0.3), (0.7, 0.6)]):
            run.log({"val/acc": acc, "train/loss": loss, "epoch": epoch})
    remote = wait_for_run(api, project, run.id, state="finished")
    assert remote.summary["val/acc"] == 0.8 == run.summary["val/acc"]
    assert abs(remote.summary["train/loss"] - 0.6) < 1e-12
    assert remote.json["metricDefinitions"]["val/acc"] == {"summary": "max", "stepMetric": "epoch"}
    best = list(api.runs(project, filters={"summary.val/acc": {"$gte": 0.8}}))
    assert [r.id for r in best] == [run.id]
