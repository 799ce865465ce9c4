"""fork_from and resume_from: a fork reads its parent's history up to the fork step; a rewind supersedes later steps."""

import pytest

import runstream
from runstream._init import new_run_id
from helpers import wait_for_run

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def _parent(project, api, steps=10):
    with runstream.init(project=project, name="parent", config={"lr": 0.1, "layers": 2}) as run:
        for i in range(steps):
            run.log({"loss": float(i), "acc": i / 10})
        parent_id = run.id
    wait_for_run(api, project, parent_id, check=lambda r: r.last_step == steps - 1)
    return parent_id


def test_a_fork_goes_on_from_its_parents_step_with_its_config(project, api):
    parent_id = _parent(project, api)
    with runstream.init(project=project, name="child", config={"lr": 0.01}, fork_from=f"{parent_id}?_step=4") as run:
        assert run.step == 5 and not run.resumed
        assert run.config.as_dict() == {"lr": 0.01, "layers": 2}
        for i in range(3):
            run.log({"loss": 100.0 + i})
        child_id = run.id
    child = wait_for_run(api, project, child_id, check=lambda r: r.last_step == 7)
    assert (child.forked_from["runId"], child.forked_from["step"], child.forked_from["project"]) == (parent_id, 4, project)
    assert [(r["_step"], r["loss"]) for r in child.history(keys=["loss"], pandas=False)] == \
        [(0, 0.0), (1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0), (5, 100.0), (6, 101.0), (7, 102.0)]
    # The summary of a key only the parent logged is its value at the fork step.
    assert child.summary["acc"] == 0.4 and child.summary["loss"] == 102.0
    assert [f["runId"] for f in api.run(f"{project}/{parent_id}").lineage()["forks"]] == [child_id]


def test_resume_from_rewinds_a_run_and_supersedes_the_later_steps(project, api, tmp_path):
    run_id = _parent(project, api)
    with runstream.init(project=project, resume_from=f"{run_id}?_step=5", dir=str(tmp_path / "elsewhere")) as run:
        assert run.resumed and run.step == 6 and run.id == run_id
        run.log({"loss": 60.0})
    rewound = wait_for_run(api, project, run_id, check=lambda r: len(r.rewinds) == 1 and r.last_step == 6)
    assert [(r["_step"], r["loss"]) for r in rewound.history(keys=["loss"], pandas=False)] == \
        [(0, 0.0), (1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0), (5, 5.0), (6, 60.0)]
    assert rewound.rewinds[0]["step"] == 5 and rewound.summary["loss"] == 60.0 and rewound.summary["acc"] == 0.5


def test_a_fork_or_rewind_past_the_history_or_of_a_missing_run_is_refused(project, api):
    parent_id = _parent(project, api, steps=3)
    with pytest.raises(runstream.RunstreamError, match=r"has logged up to step 2; step 9 is past its history"):
        runstream.init(project=project, fork_from=f"{parent_id}?_step=9")
    with pytest.raises(runstream.RunstreamError, match="does not exist"):
        runstream.init(project=project, fork_from=f"{new_run_id()}?_step=0")
    with pytest.raises(runstream.RunstreamError, match="past its history"):
        runstream.init(project=project, resume_from=f"{parent_id}?_step=3")
    assert runstream.run is None
