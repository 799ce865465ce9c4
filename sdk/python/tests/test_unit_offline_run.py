"""What a run writes to its spool (offline mode: no server involved)."""

import json
import time
import types

import pytest

import runstream
from helpers import run_python, spooled_frames


def payloads(run):
    return [(f.sequence, f.WhichOneof("payload"), f) for f in spooled_frames(run.dir)]


def rows_of(frames):
    rows = []
    for _, kind, f in frames:
        if kind == "metrics":
            for row in f.metrics.rows:
                rows.append((row.step, {f.metrics.keys[i]: v for i, v in zip(row.key_indexes, row.values)}))
    return rows


def test_the_frames_of_an_offline_run():
    with runstream.init(project="unit", name="first", notes="n", tags=["t1"], group="g", job_type="train",
                        config={"epochs": 2, "lr": 0.1}, mode="offline") as run:
        assert runstream.run is run and runstream.config.epochs == 2
        run.log({"loss": 1.0})
        run.config.update({"lr": 0.2}, allow_val_change=True)
        run.summary["best"] = 0.5
        run.tags = ["t1", "t2"]
        run.notes = "later"
    assert runstream.run is None
    frames = payloads(run)
    assert [s for s, _, _ in frames] == list(range(1, len(frames) + 1))
    kinds = [k for _, k, _ in frames]
    assert kinds == ["started", "metrics", "config_updated", "summary_updated", "edited", "edited", "finished"]
    started = frames[0][2].started
    assert (started.name, started.notes, list(started.tags), started.group, started.job_type) == \
        ("first", "n", ["t1"], "g", "train")
    assert json.loads(started.config_json) == {"epochs": 2, "lr": 0.1}
    assert json.loads(frames[2][2].config_updated.config_json) == {"lr": 0.2}
    assert list(frames[4][2].edited.tags.tags) == ["t1", "t2"] and not frames[4][2].edited.HasField("notes")
    assert frames[5][2].edited.notes == "later" and not frames[5][2].edited.HasField("tags")
    assert frames[-1][2].finished.exit_code == 0
    assert all(f.run.project == "unit" and f.run.run_id == run.id for _, _, f in frames)


def test_the_start_is_timed_when_init_is_called_so_no_step_comes_before_it(monkeypatch):
    # Frames are written in the background, late here (an hour): the start must keep init's time.
    import runstream._uplink as uplink
    late = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("_")})
    late.time = lambda: time.time() + 3600
    monkeypatch.setattr(uplink, "time", late)
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"loss": 1.0})
    frames = payloads(run)
    started = frames[0][2]
    first_row = next(f for _, kind, f in frames if kind == "metrics").metrics.rows[0]
    assert 0 < started.client_time_unix_ms <= first_row.time_unix_ms


def test_steps_follow_wandb_semantics():
    with runstream.init(project="unit", mode="offline") as run:
        run.log({"a": 1})                     # step 0
        run.log({"a": 2})                     # step 1
        run.log({"b": 3}, commit=False)       # step 2, pending
        run.log({"a": 4})                     # step 2 with b, committed
        run.log({"a": 5}, step=10)            # step 10, pending until a later step
        run.log({"b": 6}, step=10)
        run.log({"a": 7}, step=12)            # commits step 10
        run.log({"c": 8}, step=3)             # an earlier step: set there
        assert run.step == 12
        run.log({"a": 9, "text": "no", "nested": {"x": 1}, "_step": 99})
        assert run.summary["a"] == 9
    rows = rows_of(payloads(run))
    assert rows == [(0, {"a": 1}), (1, {"a": 2}), (2, {"b": 3, "a": 4}), (10, {"a": 5, "b": 6}),
                    (3, {"c": 8}), (12, {"a": 9, "nested.x": 1})]


def test_an_exception_fails_the_run_and_propagates():
    with pytest.raises(ZeroDivisionError):
        with runstream.init(project="unit", mode="offline") as run:
            run.log({"loss": 1})
            1 / 0
    last = payloads(run)[-1]
    assert last[1] == "finished" and last[2].finished.exit_code == 1
    with pytest.raises(runstream.RunstreamError):
        run.log({"loss": 2})


def test_finish_is_idempotent_and_module_functions_follow_the_current_run():
    run = runstream.init(project="unit", mode="offline")
    runstream.log({"x": 1})
    runstream.summary["y"] = 2
    first = runstream.finish()
    assert runstream.run is None and run.finish() is first
    assert first.unacknowledged == len(payloads(run))
    with pytest.raises(runstream.RunstreamError):
        runstream.log({"x": 2})


def test_init_finishes_the_previous_run():
    first = runstream.init(project="unit", mode="offline")
    second = runstream.init(project="unit", mode="offline")
    assert first.finished and runstream.run is second
    assert runstream.init(project="unit", mode="offline", reinit="return_previous") is second
    second.finish()


def test_disabled_mode_writes_nothing(tmp_path):
    with runstream.init(project="unit", mode="disabled", config={"a": 1}) as run:
        run.log({"x": 1})
        run.config.b = 2
        assert run.dir is None and run.config.as_dict() == {"a": 1, "b": 2}
    assert not (tmp_path / "spool").exists()


def test_an_offline_artifact_is_kept_in_the_spool(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "w.bin").write_bytes(b"weights")
    with runstream.init(project="unit", mode="offline") as run:
        logged = run.log_artifact(str(tmp_path / "model"), name="net", type="model", aliases=["best"])
    frame = [f for _, k, f in payloads(run) if k == "artifact_logged"][0].artifact_logged
    assert (frame.name, frame.type, frame.digest, list(frame.aliases)) == ("net", "model", logged.digest, ["best"])
    assert [f.path for f in frame.files] == ["w.bin"]
    assert (tmp_path / "spool" / "unit" / run.id / "content" / frame.files[0].digest).read_bytes() == b"weights"
    with runstream.init(project="unit", mode="offline") as run2:
        with pytest.raises(ValueError):
            run2.log_artifact(str(tmp_path / "model"), name="bad name", type="model")


def test_a_script_that_dies_marks_its_run_failed(tmp_path):
    script = "import runstream\nrun = runstream.init(project='unit', mode='offline')\nprint(run.dir, flush=True)\n1/0\n"
    done = run_python(["-c", script], env={"RUNSTREAM_DIR": str(tmp_path / "spool")})
    assert done.returncode != 0 and "ZeroDivisionError" in done.stderr
    frames = spooled_frames(done.stdout.strip())
    assert frames[-1].WhichOneof("payload") == "finished" and frames[-1].finished.exit_code == 1

    script = "import runstream\nrun = runstream.init(project='unit', mode='offline')\nrun.log({'x': 1})\nprint(run.dir)\n"
    done = run_python(["-c", script], env={"RUNSTREAM_DIR": str(tmp_path / "spool")})
    assert done.returncode == 0, done.stderr
    frames = spooled_frames(done.stdout.strip())
    assert frames[-1].finished.exit_code == 0 and frames[-2].WhichOneof("payload") == "metrics"


def test_sync_of_an_empty_directory(tmp_path):
    (tmp_path / "empty").mkdir()
    done = run_python(["-m", "runstream", "sync", str(tmp_path / "empty")])
    assert done.returncode == 0 and "no spooled runs" in done.stdout
    done = run_python(["-m", "runstream", "sync", str(tmp_path / "missing")])
    assert done.returncode == 2


def test_a_killed_process_leaves_its_logged_rows_in_the_spool(tmp_path):
    script = (
        "import os, signal, time, runstream\n"
        "run = runstream.init(project='unit', mode='offline', config={'a': 1})\n"
        "for step in range(30):\n"
        "    run.log({'loss': step / 10})\n"
        "while run._spool.last_step < 29:\n"          # the writer spooled the rows
        "    time.sleep(0.01)\n"
        "print(run.dir, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = run_python(["-c", script], env={"RUNSTREAM_DIR": str(tmp_path / "spool")})
    assert done.returncode == -9
    frames = spooled_frames(done.stdout.strip())
    assert frames[0].WhichOneof("payload") == "started"
    assert {f.WhichOneof("payload") for f in frames[1:]} == {"metrics"}
    assert [row.step for f in frames[1:] for row in f.metrics.rows] == list(range(30))

    # Reopened (as sync or a resume does), the spool knows where the run stands.
    from runstream._spool import RunSpool
    spool = RunSpool.open(done.stdout.strip())
    assert (spool.last_sequence, spool.last_step, spool.acked) == (len(frames), 29, 0)
    spool.close()


def test_finish_racing_log_from_another_thread_leaves_nothing_after_run_finished():
    import threading

    for _ in range(20):
        run = runstream.init(project="unit", mode="offline")
        errors = []
        logging = threading.Event()

        def log_until_refused():
            step = 0
            while True:
                try:
                    run.log({"x": float(step)})
                    run.summary["y"] = float(step)
                except Exception as e:
                    errors.append(e)
                    return
                step += 1
                logging.set()

        thread = threading.Thread(target=log_until_refused)
        thread.start()
        logging.wait(10)
        run.finish()
        thread.join(10)
        assert len(errors) == 1 and isinstance(errors[0], runstream.RunstreamError), errors
        assert "finished" in str(errors[0])
        kinds = [k for _, k, _ in payloads(run)]
        assert kinds.count("finished") == 1 and kinds[-1] == "finished", kinds[-5:]
