"""The public API: filters, order, pages, sampled and streamed history (docs/api.md)."""

import pytest

import runstream
from helpers import wait_for

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]

RUNS = [  # lr, optimizer, tags, final accuracy, exit code
    (0.01, "adam", ["baseline"], 0.7, 0),
    (0.05, "sgd", ["baseline", "paper1"], 0.9, 0),
    (0.1, "adam", [], 0.8, 0),
    (0.2, "sgd", ["paper1"], 0.6, 1),
]
STEPS = 1000


@pytest.fixture
def runs(project, api):
    ids = []
    for i, (lr, optimizer, tags, accuracy, exit_code) in enumerate(RUNS):
        run = runstream.init(project=project, name=f"run-{i}", tags=tags,
                             config={"lr": lr, "optimizer": optimizer, "batch": 32})
        for step in range(STEPS if i == 0 else 10):
            run.log({"loss": 1.0 / (step + 1), "epoch": step // 100})
        run.log({"acc": accuracy})
        run.finish(exit_code=exit_code)
        ids.append(run.id)

    def all_done():
        found = list(api.runs(project))
        return found if len(found) == 4 and all(r.state in ("finished", "failed") for r in found) else None
    wait_for(all_done, timeout=60, what="the four runs")
    return ids


def ids_of(runs):
    return [r.id for r in runs]


def test_filters(project, api, runs):
    r0, r1, r2, r3 = runs
    assert set(ids_of(api.runs(project, filters={"config.lr": {"$lt": 0.06}}))) == {r0, r1}
    assert set(ids_of(api.runs(project, filters={"tags": "baseline"}))) == {r0, r1}
    assert set(ids_of(api.runs(project, filters={"$and": [{"state": "finished"}, {"config.optimizer": "adam"}]}))) == {r0, r2}
    assert set(ids_of(api.runs(project, filters={"$or": [{"summary.acc": {"$gte": 0.85}}, {"state": "failed"}]}))) == {r1, r3}
    assert set(ids_of(api.runs(project, filters={"tags": {"$in": ["paper1"]}, "config.lr": {"$gt": 0.1}}))) == {r3}
    assert ids_of(api.runs(f"someone/{project}", filters={"name": "run-2"})) == [r2]
    with pytest.raises(runstream.ApiError) as bad:
        list(api.runs(project, filters={"config.lr": {"$gtt": 1}}))
    assert bad.value.status == 400 and "$gtt" in bad.value.detail


def test_order_and_pages(project, api, runs):
    r0, r1, r2, r3 = runs
    assert ids_of(api.runs(project, order="-summary.acc")) == [r1, r2, r0, r3]
    assert ids_of(api.runs(project, order="+summary_metrics.acc")) == [r3, r0, r2, r1]
    paged = api.runs(project, order="config.lr", per_page=1)
    assert len(paged) == 4
    assert ids_of(paged) == [r0, r1, r2, r3]
    assert paged[2].id == r2
    one = api.run(f"{project}/{r3}")
    assert (one.name, one.state, one.exit_code, one.config["optimizer"], one.summary["acc"]) == ("run-3", "failed", 1, "sgd", 0.6)


def test_history_sampled_full_and_streamed(project, api, runs):
    run = api.run(f"{project}/{runs[0]}")
    full = run.history(samples=None, pandas=False)
    assert len(full) == STEPS + 1 and [r["_step"] for r in full] == list(range(STEPS + 1))
    default = run.history(keys=["loss"], pandas=False)                    # 500 samples, as wandb's
    assert 250 <= len(default) <= 500 and default[-1]["_step"] == STEPS - 1

    sampled = run.history(keys=["loss"], samples=50, pandas=False)
    assert 2 <= len(sampled) <= 50
    steps = [r["_step"] for r in sampled]
    assert steps == sorted(steps) and steps[-1] == STEPS - 1          # the last point of the last bucket
    assert all(r["loss"] == 1.0 / (r["_step"] + 1) for r in sampled)
    assert all(set(r) == {"_step", "loss"} for r in sampled)

    by_epoch = run.history(keys=["loss"], samples=10, x_axis="epoch", pandas=False)
    assert by_epoch and all("epoch" in r for r in by_epoch)

    frame = run.history(keys=["loss"], samples=20)
    pandas = pytest.importorskip("pandas")
    assert isinstance(frame, pandas.DataFrame) and list(frame.columns)[:2] == ["_step", "loss"]

    streamed = list(run.scan_history())
    assert [r["_step"] for r in streamed] == list(range(STEPS + 1))
    assert streamed[5]["loss"] == 1.0 / 6 and streamed[-1]["acc"] == 0.7
    only_loss = list(run.scan_history(keys=["loss"]))
    assert len(only_loss) >= STEPS and all("acc" not in r for r in only_loss)


def test_tags_and_notes_edits(project, api):
    with runstream.init(project=project, tags=["a"], notes="first") as run:
        run.log({"x": 1.0})
        run.tags = ["a", "b"]
        run.notes = "second"
    path = f"{project}/{run.id}"
    wait_for(lambda: (lambda r: r if r.state == "finished" and r.tags == ["a", "b"] and r.notes == "second" else None)(
        api.run(path)), what="the run's own edits")
    remote = api.run(path)
    before = remote.updated_at
    remote.tags = ["c"]
    remote.notes = "third"
    remote.update()
    # The edit applies at once: the answer is the edited run, and reading it back shows the edit.
    assert (remote.tags, remote.notes) == (["c"], "third") and remote.updated_at != before
    again = api.run(path)
    assert (again.tags, again.notes) == (["c"], "third")


def test_move_to_another_project(project, api, runs):
    r0, r1, r2, r3 = runs
    other = f"{project}-moved"
    run = api.run(f"{project}/{r0}")
    run.move(other)
    assert run.project == other and run.moved_to is None
    assert set(ids_of(api.runs(project))) == {r1, r2, r3}
    assert ids_of(api.runs(other)) == [r0]
    assert api.run(f"{project}/{r0}").moved_to == other
    moved = api.run(f"{other}/{r0}")
    assert moved.config["lr"] == 0.01 and len(moved.history(samples=None)) >= STEPS
    with pytest.raises(Exception, match="already moved"):
        api.run(f"{project}/{r0}").move(f"{project}-again")


def test_delete_and_restore(project, api, runs):
    r0, r1, r2, r3 = runs
    run = api.run(f"{project}/{r1}")
    run.delete()
    assert run.deleted_at
    assert set(ids_of(api.runs(project))) == {r0, r2, r3}
    assert api.run(f"{project}/{r1}").deleted_at  # still there by its id, history and all
    run.restore()
    assert run.deleted_at is None
    assert set(ids_of(api.runs(project))) == {r0, r1, r2, r3}
