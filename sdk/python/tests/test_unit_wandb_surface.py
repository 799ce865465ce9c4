"""What a wandb user types works the same here: init(settings=..., unknown=...), config changes that
need allow_val_change, run.url, summary._json_dict, config.<key>.value in order=."""

import pytest

import runstream
from runstream._api import _order
from fake_ingest import FakeIngest


@pytest.fixture
def ingest():
    fake = FakeIngest().start()
    yield fake
    fake.stop()


def test_unknown_init_arguments_warn_instead_of_raising(ingest, monkeypatch):
    warnings = []
    monkeypatch.setattr(runstream._settings.Settings, "warn", lambda self, message: warnings.append(message))
    run = runstream.init(project="unit", url=ingest.url, save_code=True, monitor_gym=False, sync_tensorboard=False)
    run.finish(timeout=10)
    assert [w for w in warnings if "does not support" in w] == [
        "init() does not support monitor_gym=False; it is ignored.",
        "init() does not support save_code=True; it is ignored.",
        "init() does not support sync_tensorboard=False; it is ignored.",
    ]


def test_settings_turn_off_console_git_and_system_metrics(ingest, monkeypatch):
    monkeypatch.setenv("RUNSTREAM_CONSOLE", "wrap")
    run = runstream.init(project="unit", url=ingest.url,
                         settings=runstream.Settings(console="off", disable_git=True, x_disable_stats=True))
    print("not captured")
    assert (run.settings.console, run.settings.save_environment, run.settings.system_interval) == ("off", False, 0.0)
    run.finish(timeout=10)
    assert "console" not in [f.WhichOneof("payload") for f in ingest.frames]
    assert not ingest.payloads("started")[0].HasField("environment")
    interval = runstream.init(project="unit", url=ingest.url, settings={"x_stats_sampling_interval": 2})
    assert interval.settings.system_interval == 2.0
    interval.finish(timeout=10)


def test_changing_a_config_value_needs_allow_val_change(ingest):
    run = runstream.init(project="unit", url=ingest.url, config={"lr": 0.1, "optimizer": {"name": "adam"}})
    run.config.update({"lr": 0.1, "epochs": 3})                # the same value, and a new key: fine
    with pytest.raises(runstream.ConfigError, match="allow_val_change=True"):
        run.config.update({"lr": 0.2})
    with pytest.raises(runstream.ConfigError):
        run.config.lr = 0.3
    with pytest.raises(runstream.ConfigError):
        run.config["optimizer"] = {"name": "sgd"}
    assert run.config.lr == 0.1
    run.config.update({"lr": 0.2}, allow_val_change=True)
    assert run.config.lr == 0.2
    run.finish(timeout=10)
    updates = [u.config_json for u in ingest.payloads("config_updated")]
    assert updates == ['{"lr":0.1,"epochs":3}', '{"lr":0.2}']


def test_the_run_url_is_its_dashboard_page_and_the_summary_has_a_json_dict(ingest, monkeypatch):
    monkeypatch.setenv("RUNSTREAM_QUERY_URL", "http://dashboard.example:5102/")
    run = runstream.init(project="cats", url=ingest.url, id="abc123")
    run.log({"loss": 0.5})
    run.summary["best"] = 0.4
    assert run.url == "http://dashboard.example:5102/#/projects/cats/runs/abc123"
    assert run.summary._json_dict == {"loss": 0.5, "best": 0.4}
    run.finish(timeout=10)


def test_order_takes_wandb_config_value_paths():
    assert _order("-config.lr.value") == "-config.lr"
    assert _order("config.optimizer.lr.value") == "config.optimizer.lr"
    assert _order("+summary_metrics.acc") == "summary.acc"


def test_define_metric_sends_the_definition_and_the_local_summary_follows_it(ingest):
    run = runstream.init(project="unit", url=ingest.url)
    run.define_metric("val/acc", summary="max", step_metric="epoch")
    run.define_metric("loss", summary="best", goal="minimize")
    run.define_metric("val/*", summary="mean")
    runstream.define_metric("lr", summary="none")
    for acc, loss, f1 in [(0.5, 0.9, 0.2), (0.8, 0.4, 0.4), (0.7, 0.6, 0.9)]:
        run.log({"val/acc": acc, "loss": loss, "val/f1": f1, "lr": 0.1})
    assert run.summary["val/acc"] == 0.8 and run.summary["loss"] == 0.4
    assert abs(run.summary["val/f1"] - 0.5) < 1e-12 and "lr" not in run.summary
    with pytest.raises(ValueError, match="median"):
        run.define_metric("acc", summary="median")
    with pytest.raises(ValueError, match="prefix"):
        run.define_metric("a*b")
    run.finish(timeout=10)
    defined = [(d.name, d.summary, d.step_metric) for d in ingest.payloads("metric_defined")]
    assert defined == [("val/acc", "max", "epoch"), ("loss", "min", ""), ("val/*", "mean", ""), ("lr", "none", "")]
