"""Resuming a run by id: allow, must, never."""

import pytest

import runstream
from runstream._init import new_run_id
from helpers import wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def test_allow_continues_an_existing_run_from_another_machine(project, api, tmp_path):
    run_id = new_run_id()
    with runstream.init(project=project, id=run_id, config={"a": 1}) as run:
        assert not run.resumed
        for i in range(3):
            run.log({"loss": float(i)})
    wait_for_run(api, project, run_id, check=lambda r: r.last_step == 2)

    # Another machine: its own, empty spool; only the server knows the run.
    with runstream.init(project=project, id=run_id, resume="allow", config={"b": 2}, dir=str(tmp_path / "other")) as run:
        assert run.resumed and run.step == 3
        assert run.config.as_dict() == {"a": 1, "b": 2}
        for i in range(3):
            run.log({"loss": 10.0 + i})
    remote = wait_for_run(api, project, run_id, check=lambda r: r.last_step == 5)
    assert [(r["_step"], r["loss"]) for r in remote.history(pandas=False)] == \
        [(0, 0.0), (1, 1.0), (2, 2.0), (3, 10.0), (4, 11.0), (5, 12.0)]
    assert remote.config == {"a": 1, "b": 2}


def test_must_continues_and_requires_the_run(project, api):
    with pytest.raises(runstream.RunstreamError, match="does not exist"):
        runstream.init(project=project, id=new_run_id(), resume="must")
    run_id = new_run_id()
    with runstream.init(project=project, id=run_id) as run:
        run.log({"x": 1.0})
    wait_for_run(api, project, run_id, check=lambda r: r.last_step == 0)
    # The same machine: the spool and the server agree.
    with runstream.init(project=project, id=run_id, resume="must") as run:
        assert run.resumed and run.step == 1
        run.log({"x": 2.0})
    remote = wait_for_run(api, project, run_id, check=lambda r: r.last_step == 1)
    assert [r["x"] for r in remote.history(pandas=False)] == [1.0, 2.0]


def test_never_refuses_an_existing_run(project, api, tmp_path):
    run_id = new_run_id()
    with runstream.init(project=project, id=run_id) as run:
        run.log({"x": 1.0})
    wait_for_run(api, project, run_id)
    for resume in (None, "never", False):
        with pytest.raises(runstream.RunstreamError, match="exists already"):
            runstream.init(project=project, id=run_id, resume=resume, dir=str(tmp_path / "elsewhere"))
    assert runstream.run is None


def test_allow_starts_a_run_that_does_not_exist(project, api):
    run_id = new_run_id()
    with runstream.init(project=project, id=run_id, resume="allow", config={"fresh": True}) as run:
        assert not run.resumed and run.step == 0
        run.log({"x": 1.0})
    remote = wait_for_run(api, project, run_id)
    assert remote.config == {"fresh": True} and remote.last_step == 0
