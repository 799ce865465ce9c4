"""Runstream's Python SDK: track experiments the way ``wandb`` does.

    import runstream

    with runstream.init(project="cat-classification", notes="My first experiment",
                        tags=["baseline", "paper1"],
                        config={"epochs": 100, "learning_rate": 0.001, "batch_size": 128}) as run:
        for epoch in range(run.config.epochs):
            run.log({"accuracy": accuracy, "loss": loss})
        run.log_artifact("model.onnx", name="trained-model", type="model")

Images, tables and histograms log like numbers: ``run.log({"preds": [runstream.Image(x, caption="3")],
"errors": runstream.Table(columns=[...], data=rows), "weights": runstream.Histogram(w)})``.

In a notebook: ``run = runstream.init(...)`` in one cell, ``runstream.log({...})`` in others,
``run.finish()`` at the end. ``runstream.run``, ``runstream.config`` and ``runstream.summary``
are the current run's.
"""

from __future__ import annotations

from ._api import Api, ApiError, PublicArtifact, PublicRun, Runs
from ._api_media import MediaHistogram, MediaImage, MediaStep, MediaTable
from ._artifacts import Artifact, LoggedArtifact, UsedArtifact
from ._media import Histogram, Image, Table
from ._active import current as _current
from ._config import Config, Summary
from ._init import init
from ._run import Run
from ._settings import ConfigError, InitSettings as Settings, RunstreamError, _login
from ._uplink import FinishResult

__version__ = "0.1.0"

__all__ = [
    "Api", "ApiError", "Artifact", "Config", "ConfigError", "FinishResult", "Histogram", "Image", "LoggedArtifact", "MediaHistogram",
    "MediaImage", "MediaStep", "MediaTable", "PublicArtifact", "PublicRun", "Run", "Runs", "RunstreamError", "Settings", "Summary", "Table", "UsedArtifact", "config", "define_metric", "finish", "init", "log", "log_artifact", "login",
    "run", "summary", "use_artifact",
]

# Before init(): placeholders that hold values locally, as wandb.config does.
_detached_config = Config()
_detached_summary = Summary()


def __getattr__(name):
    # runstream.run / .config / .summary follow the current run (the last started and not finished).
    if name == "run":
        return _current()
    if name == "config":
        current = _current()
        return current.config if current is not None else _detached_config
    if name == "summary":
        current = _current()
        return current.summary if current is not None else _detached_summary
    raise AttributeError(f"module 'runstream' has no attribute {name!r}")


def _require_run() -> Run:
    current = _current()
    if current is None:
        raise RunstreamError("No run is active: call runstream.init() first.")
    return current


def log(data, step=None, commit=None) -> None:
    """``run.log`` of the current run."""
    _require_run().log(data, step=step, commit=commit)


def define_metric(name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None):
    """``run.define_metric`` of the current run."""
    return _require_run().define_metric(name, step_metric=step_metric, step_sync=step_sync, hidden=hidden,
                                        summary=summary, goal=goal, overwrite=overwrite)


def log_artifact(artifact_or_path, name=None, type=None, aliases=None, description=None) -> LoggedArtifact:
    """``run.log_artifact`` of the current run."""
    return _require_run().log_artifact(artifact_or_path, name=name, type=type, aliases=aliases, description=description)


def use_artifact(reference, type=None) -> UsedArtifact:
    """``run.use_artifact`` of the current run."""
    return _require_run().use_artifact(reference, type=type)


def finish(exit_code: int = 0, quiet=None, timeout=None):
    """Finishes the current run, if any (``run.finish``)."""
    current = _current()
    return current.finish(exit_code=exit_code, quiet=quiet, timeout=timeout) if current is not None else None


def login(key: str | None = None, url: str | None = None, query_url: str | None = None, **_ignored) -> bool:
    """Sets the API key (and addresses) for the runs and Api objects this process makes,
    overriding RUNSTREAM_API_KEY / RUNSTREAM_URL / RUNSTREAM_QUERY_URL. Returns True."""
    if key:
        _login["api_key"] = key
    if url:
        _login["url"] = url
    if query_url:
        _login["query_url"] = query_url
    return True
