"""What a run tells beyond its metrics, against an in-process Ingest: console lines (tee'd, redrawn
progress bars, cut lines), the exception that ended it, its code state and environment, its name."""

import os
import subprocess
import sys
import time

import pytest

import runstream
from runstream._pb import pb
from fake_ingest import FakeIngest
from helpers import run_python


@pytest.fixture
def ingest():
    fake = FakeIngest().start()
    yield fake
    fake.stop()


def kinds(ingest) -> list:
    return [f.WhichOneof("payload") for f in ingest.frames]


def console_lines(ingest) -> list:
    return [(line.text, "stderr" if line.stream == pb.CONSOLE_STREAM_STDERR else "stdout")
            for console in ingest.payloads("console") for line in console.lines]


def test_console_lines_are_sent_and_still_printed(ingest, monkeypatch, capsys):
    monkeypatch.setenv("RUNSTREAM_CONSOLE", "wrap")
    run = runstream.init(project="unit", url=ingest.url)
    print("epoch 1: loss 0.5")
    print("progress 10%", end="\r")
    print("progress 100%")
    sys.stderr.write("a warning\n")
    print("x" * 12_000)
    print("no line break at the end", end="")
    assert run.finish(timeout=10).complete
    assert console_lines(ingest) == [
        ("epoch 1: loss 0.5", "stdout"), ("progress 100%", "stdout"), ("a warning", "stderr"),
        ("x" * 10_000 + " … [line cut: 2,000 more characters]", "stdout"),
    ]
    assert kinds(ingest)[-1] == "finished"
    out = capsys.readouterr()
    assert "epoch 1: loss 0.5" in out.out and "a warning" in out.err
    # the streams are given back once no run captures them
    assert type(sys.stdout).__name__ != "_Tee" and type(sys.stderr).__name__ != "_Tee"


def test_console_capture_can_be_turned_off(ingest, monkeypatch):
    run = runstream.init(project="unit", url=ingest.url)      # RUNSTREAM_CONSOLE=off (conftest)
    print("not sent")
    assert run.finish(timeout=10).complete
    assert "console" not in kinds(ingest)


def test_an_exception_leaving_the_with_block_is_recorded_with_its_traceback(ingest):
    with pytest.raises(ValueError):
        with runstream.init(project="unit", url=ingest.url):
            raise ValueError("learning rate too high")
    finished = ingest.payloads("finished")[-1]
    assert finished.exit_code == 1
    assert finished.failure.type == "ValueError"
    assert finished.failure.message == "learning rate too high"
    assert 'raise ValueError("learning rate too high")' in finished.failure.traceback
    assert finished.failure.traceback.rstrip().endswith("ValueError: learning rate too high")


def test_an_uncaught_exception_in_a_script_is_recorded_with_its_console(ingest, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import runstream\n"
        f"run = runstream.init(project='unit', url='{ingest.url}')\n"
        "print('starting')\n"
        "def train():\n"
        "    raise RuntimeError('diverged at step 3')\n"
        "train()\n")
    done = run_python([str(script), "--lr", "0.1"], env={"RUNSTREAM_CONSOLE": "wrap"})
    assert done.returncode == 1
    assert "diverged at step 3" in done.stderr              # the user still sees the traceback
    finished = ingest.payloads("finished")[-1]
    assert (finished.exit_code, finished.failure.type, finished.failure.message) == (1, "RuntimeError", "diverged at step 3")
    assert "in train" in finished.failure.traceback
    lines = console_lines(ingest)
    assert ("starting", "stdout") in lines
    assert ("RuntimeError: diverged at step 3", "stderr") in lines   # the traceback, as printed
    started = ingest.payloads("started")[0]
    assert started.environment.program == str(script)
    assert list(started.environment.args) == ["--lr", "0.1"]


def git(directory, *args) -> str:
    return subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True, text=True).stdout.strip()


def test_the_environment_records_the_git_state_and_the_diff_of_a_dirty_tree(ingest, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first")
    git(repo, "remote", "add", "origin", "https://example.com/team/model.git")
    (repo / "train.py").write_text(f"import runstream\nrunstream.init(project='unit', url='{ingest.url}').finish()\n")
    git(repo, "add", "train.py")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "train")
    commit = git(repo, "rev-parse", "HEAD")
    (repo / "train.py").write_text((repo / "train.py").read_text() + "# tuned\n")
    done = run_python([str(repo / "train.py")], cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    environment = ingest.payloads("started")[0].environment
    assert (environment.git.commit, environment.git.branch, environment.git.remote_url) == (commit, "main", "https://example.com/team/model.git")
    assert environment.git.dirty and "+# tuned" in environment.git.diff and not environment.git.diff_truncated
    assert environment.runtime.startswith("Python 3.")
    assert environment.host and environment.os
    assert any(p.lower().startswith("protobuf==") for p in environment.packages), list(environment.packages)[:20]


def test_outside_a_checkout_there_is_no_git_state(ingest, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(f"import runstream\nrunstream.init(project='unit', url='{ingest.url}').finish()\n")
    done = run_python([str(script)], cwd=str(tmp_path), env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert done.returncode == 0, done.stderr
    assert not ingest.payloads("started")[0].environment.HasField("git")


def test_the_environment_can_be_left_out(ingest, monkeypatch):
    monkeypatch.setenv("RUNSTREAM_DISABLE_ENVIRONMENT", "true")
    runstream.init(project="unit", url=ingest.url).finish(timeout=10)
    assert not ingest.payloads("started")[0].HasField("environment")


def test_renaming_a_run_sends_an_edit(ingest):
    run = runstream.init(project="unit", url=ingest.url)
    assert run.name is None
    run.name = "baseline-lr-0.1"
    assert run.name == "baseline-lr-0.1"
    with pytest.raises(ValueError):
        run.name = ""
    run.finish(timeout=10)
    edits = ingest.payloads("edited")
    assert [e.name for e in edits] == ["baseline-lr-0.1"] and edits[0].HasField("name") and not edits[0].HasField("notes")


NVIDIA_CSV = """87, 30500, 40960, 71, 245.30
0, 3, 40960, 34, [N/A]
"""


def test_nvidia_smi_output_becomes_gpu_metrics_and_missing_fields_are_left_out():
    from runstream._system import parse_nvidia_smi
    values = parse_nvidia_smi(NVIDIA_CSV)
    assert values["system/gpu.0.gpu"] == 87.0
    assert values["system/gpu.0.memory_used_mb"] == 30500.0
    assert abs(values["system/gpu.0.memory_percent"] - 100 * 30500 / 40960) < 1e-9
    assert values["system/gpu.0.temp"] == 71.0 and values["system/gpu.0.power_watts"] == 245.3
    assert "system/gpu.1.power_watts" not in values and values["system/gpu.1.gpu"] == 0.0
    assert parse_nvidia_smi("") == {}


def test_system_metrics_are_sampled_at_the_current_step_without_moving_it(ingest, monkeypatch):
    monkeypatch.setenv("RUNSTREAM_SYSTEM_METRICS", "on")
    monkeypatch.setenv("RUNSTREAM_SYSTEM_INTERVAL", "0.2")
    run = runstream.init(project="unit", url=ingest.url)
    run.log({"loss": 1.0})
    run.log({"loss": 0.5})

    def system_rows():
        rows = [(row.step, {m.keys[i]: v for i, v in zip(row.key_indexes, row.values)})
                for m in ingest.payloads("metrics") for row in m.rows]
        return [(step, values) for step, values in rows if any(k.startswith("system/") for k in values)]

    deadline = time.time() + 10
    while time.time() < deadline and not any(step == 1 for step, _ in system_rows()):
        time.sleep(0.05)
    assert run.step == 2
    run.finish(timeout=10)
    system = system_rows()
    # at the step last logged: 1 (or 0, for a sample taken between the two logs)
    assert system and {step for step, _ in system} <= {0, 1} and system[-1][0] == 1
    sample = system[-1][1]
    for key in ("system/cpu.percent", "system/proc.cpu.percent", "system/memory.percent", "system/proc.memory.rss_mb",
                "system/network.recv_mb", "system/disk.read_mb"):
        assert key in sample, sorted(sample)
    assert 0 <= sample["system/memory.percent"] <= 100 and sample["system/proc.memory.rss_mb"] > 1
    assert not any(k.startswith("system/gpu") for k in sample)      # no nvidia-smi here: no GPU keys, no error
