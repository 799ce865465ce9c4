"""A training run: log(), config, summary, artifacts, finish()."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping

from . import _console as console_capture
from . import _content, _media
from ._active import _forget
from ._artifacts import Artifact, ArtifactFile, LoggedArtifact, UsedArtifact, parse_reference
from ._config import Config, Summary
from ._console import ConsoleBuffer
from ._failure import failure_of
from ._media_worker import MediaWorker
from ._metrics import MetricDefinition, summary_mode
from ._system import SystemSampler
from ._pb import pb
from ._settings import RunstreamError, Settings, check_name
from ._transport import FATAL
from ._uplink import FinishResult, MetricRow
from ._values import bad_key, dumps, flatten, to_float

_RESERVED_KEYS = frozenset({"_step", "_timestamp", "_runtime"})
_MAX_KEYS_PER_ROW = 10_000


class Run:
    """One training run. ``log`` returns at once: rows are batched into frames, written to the
    spool and sent in the background; every frame is kept until Ingest acknowledges it."""

    def __init__(self, settings: Settings, project: str, run_id: str, name, notes, tags, group, job_type,
                 spool, transport, uplink, next_step: int, config: dict, resumed: bool):
        self.settings = settings
        self.id = run_id
        self.project = project
        self._name = name
        self.group = group
        self.job_type = job_type
        self.resumed = resumed
        self._notes = notes
        self._tags = tuple(tags)
        self._spool = spool
        self._transport = transport
        self._uplink = uplink
        self._lock = threading.RLock()
        self._finish_lock = threading.Lock()
        self._closing = False           # finish() began: nothing more is taken (set under _lock)
        self._step = next_step
        self._pending = {}
        self._finish_result = None
        self._warned = set()
        self.config = Config(config, send=self._send_config)
        self.summary = Summary(send=self._send_summary, warn=self._warn_once)
        self._definitions = {}
        self._media = None              # the media worker, started by the first image, table or histogram
        self._console = None
        if uplink is not None and settings.console != "off":
            self._console = ConsoleBuffer(self._send_console, interval=max(settings.flush_interval, 1.0))
            console_capture.attach(self._console)
        self._system = SystemSampler(self._log_system, settings.system_interval) \
            if uplink is not None and settings.system_interval > 0 else None

    # ---- properties like wandb.Run -------------------------------------------------------

    @property
    def step(self) -> int:
        """The step the next `log` call logs to."""
        return self._step

    @property
    def mode(self) -> str:
        return self.settings.mode

    @property
    def offline(self) -> bool:
        return self.settings.offline

    @property
    def dir(self):
        """The run's spool directory."""
        return self._spool.directory if self._spool is not None else None

    @property
    def path(self) -> str:
        """"project/run_id", as Api().run() takes it."""
        return f"{self.project}/{self.id}"

    @property
    def url(self) -> str:
        """The run's page in the dashboard (which Query serves)."""
        return f"{self.settings.query_url.rstrip('/')}/#/projects/{self.project}/runs/{self.id}"

    @property
    def finished(self) -> bool:
        return self._finish_result is not None

    @property
    def errors(self) -> tuple:
        """Frames Ingest refused (FrameError: sequence, code, field, message); the run went on without them."""
        return self._uplink.errors if self._uplink is not None else ()

    @property
    def name(self):
        """The run's display name; set it to rename the run. (A run started without one is named
        by the server, adjective-noun-N; the dashboard and the API show that name.)"""
        return self._name

    @name.setter
    def name(self, value) -> None:
        value = str(value)
        why = bad_key(value)
        if why is not None:
            raise ValueError(f"Run name {value!r} {why}.")
        self._check_open()
        self._name = value
        self._send(pb.RunFrame(edited=pb.RunEdited(name=value)))

    @property
    def notes(self):
        return self._notes

    @notes.setter
    def notes(self, value) -> None:
        value = "" if value is None else str(value)
        self._check_open()
        self._notes = value
        self._send(pb.RunFrame(edited=pb.RunEdited(notes=value)))

    @property
    def tags(self) -> tuple:
        return self._tags

    @tags.setter
    def tags(self, value) -> None:
        tags = _check_tags(value)
        self._check_open()
        self._tags = tuple(tags)
        self._send(pb.RunFrame(edited=pb.RunEdited(tags=pb.TagList(tags=tags))))

    def __repr__(self):
        state = "finished" if self.finished else "running"
        return f"<runstream.Run {self.path} ({self.mode}, {state})>"

    # ---- logging -------------------------------------------------------------------------

    def log(self, data: Mapping, step=None, commit=None) -> None:
        """Logs metrics for one step, as ``wandb.log`` does.

        Without `step`, each call logs the next step (0, 1, 2, ...). ``commit=False`` keeps adding
        to the current step; the next committing call (or finish) writes it. With `step`, values
        accumulate at that step until a later step is logged (or ``commit=True``). Logging an
        earlier step sets those keys' values at that step. Numbers (ints, floats, bools, numpy and
        tensor scalars) and media (runstream.Image or a list of them, Table, Histogram, encoded
        and uploaded in the background); nested dicts become dotted keys.
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"log() takes a dict of metrics; got {type(data).__name__}.")
        self._check_open()
        values, media = {}, {}
        for key, value in flatten(dict(data)).items():
            if key in _RESERVED_KEYS:
                continue
            why = bad_key(key)
            if why is not None:
                self._warn_once(f"metric key {key!r} {why}; it is not logged.")
                continue
            if _media.is_media(value):
                media[key] = value
                continue
            number = to_float(value)
            if number is None:
                self._warn_once(f"metric {key!r} is a {type(value).__name__}, not a number; it is not logged.")
                continue
            values[key] = number
        media = _media.capture_all(media, self._warn_once) if media else media
        with self._lock:
            self._check_open()          # again under the lock: finish() may have begun meanwhile
            if step is not None:
                step = int(step)
                if step < 0:
                    raise ValueError(f"step must be >= 0; got {step}.")
                if step < self._step:
                    self.summary._observe(values, self._definitions)
                    self._emit(step, values)
                    self._submit_media(step, media)
                    return
                if step > self._step:
                    self._flush_pending()
                    self._step = step
            self._submit_media(self._step, media)
            self._pending.update(values)
            self.summary._observe(values, self._definitions)
            if commit is None:
                commit = step is None
            if commit:
                self._flush_pending()
                self._step += 1

    def _flush_pending(self) -> None:
        if self._pending:
            self._emit(self._step, self._pending)
            self._pending = {}

    def _emit(self, step: int, values: dict) -> None:
        if self._uplink is None or not values:
            return
        now = int(time.time() * 1000)
        items = list(values.items())
        for i in range(0, len(items), _MAX_KEYS_PER_ROW):
            chunk = items[i:i + _MAX_KEYS_PER_ROW]
            self._uplink.enqueue_row(MetricRow(step, now, tuple(k for k, _ in chunk), tuple(v for _, v in chunk)))

    def _submit_media(self, step: int, media: dict) -> None:
        # Under the run's lock, which finish() holds while it drains the worker: nothing comes after.
        if media and self._uplink is not None:
            if self._media is None:
                self._media = MediaWorker(self._spool, self._uplink, self._warn_once)
            self._media.submit(step, int(time.time() * 1000), media)

    def _send(self, frame) -> None:
        with self._lock:
            self._check_open()
            if self._uplink is not None:
                # Rows logged before this frame keep their place in front of it.
                self._uplink.enqueue_frame(frame)

    def _send_config(self, changes: dict) -> None:
        self._check_open()
        self._send(pb.RunFrame(config_updated=pb.ConfigUpdated(config_json=dumps(changes))))

    def _send_summary(self, sent: dict) -> None:
        self._check_open()
        self._send(pb.RunFrame(summary_updated=pb.SummaryUpdated(**sent)))

    def _log_system(self, values: dict) -> None:
        """A sample of system metrics, at the step last logged (it does not move the run's step)."""
        with self._lock:
            if self._closing or self._uplink is None:
                return
            keys = tuple(values)
            self._uplink.enqueue_row(MetricRow(max(self._step - 1, 0), int(time.time() * 1000), keys, tuple(values[k] for k in keys)))

    def _send_console(self, frame) -> None:
        # No run lock here: finish() closes the console buffer (and its thread) before it ends the run.
        if not self._closing and self._uplink is not None:
            self._uplink.enqueue_frame(frame)

    def _check_open(self) -> None:
        if self._closing or self._finish_result is not None:
            raise RunstreamError(f"Run {self.id} is finished (finish() was called); nothing more can be logged to it.")

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.settings.warn(f"run {self.id}: {message}")

    def define_metric(self, name: str, step_metric: str | None = None, step_sync=None, hidden=None,
                      summary: str | None = None, goal: str | None = None, overwrite=None) -> MetricDefinition:
        """As wandb's: `summary` ("min", "max", "mean", "last", "none"; "best" with goal=) says what
        the run's summary keeps of the metric, `step_metric` names the key its charts use as x axis.
        `name` may be a prefix ending in "*" ("val/*"). step_sync, hidden and overwrite are accepted
        and ignored."""
        name = str(name)
        why = bad_key(name)
        if why is not None:
            raise ValueError(f"Metric name {name!r} {why}.")
        if "*" in name[:-1]:
            raise ValueError(f"Metric name {name!r}: a pattern is a prefix followed by one '*' ('val/*').")
        mode = summary_mode(summary, goal)
        if step_metric is not None and bad_key(str(step_metric)) is not None:
            raise ValueError(f"step_metric {step_metric!r} {bad_key(str(step_metric))}.")
        with self._lock:
            before = self._definitions.get(name)
            definition = MetricDefinition(name, mode or (before.summary if before else None),
                                          step_metric or (before.step_metric if before else None))
            self._definitions[name] = definition
        self._send(pb.RunFrame(metric_defined=pb.MetricDefined(name=name, summary=mode or "", step_metric=step_metric or "")))
        return definition

    # ---- artifacts -----------------------------------------------------------------------

    def log_artifact(self, artifact_or_path, name: str | None = None, type: str | None = None,
                     aliases=None, description: str | None = None) -> LoggedArtifact:
        """Logs a file, a directory or an `Artifact` as a version of the artifact `name`.

        The content is hashed and uploaded (only files the server lacks); identical content
        makes no new version. Offline, or while Ingest is unreachable, the files are copied to
        the spool and uploaded later.
        """
        self._check_open()
        if isinstance(artifact_or_path, Artifact):
            entries = artifact_or_path.entries
            name = name or artifact_or_path.name
            type = type or artifact_or_path.type
            description = description if description is not None else artifact_or_path.description
            what = artifact_or_path.name
        else:
            path = os.fspath(artifact_or_path)
            entries = _content.entries_of(path)
            name = name or _default_artifact_name(path)
            type = type or "unspecified"
            what = path
        check_name(name, "Artifact name")
        check_name(type, "Artifact type")
        aliases = [check_name(a, "Artifact alias") for a in (aliases or [])]
        local = _content.build(entries, what)
        if self._uplink is not None:
            if self.settings.offline:
                _content.stash(self._spool, local)
            else:
                files = {f.digest: f.local_path for f in local.files}
                try:
                    _content.upload_missing(self._transport, files, timeout=self.settings.init_timeout)
                except RunstreamError as e:
                    if getattr(e, "code", None) in FATAL:
                        raise
                    self.settings.warn(f"run {self.id}: cannot upload artifact '{name}' now ({e}); its files are "
                                       f"kept in {self._spool.content_directory} and uploaded when Ingest is back.")
                    _content.stash(self._spool, local)
            self._send(pb.RunFrame(artifact_logged=pb.ArtifactLogged(
                name=name, type=type, digest=local.digest, size=local.size, files=local.to_proto_files(),
                aliases=aliases, description=description or "")))
        return LoggedArtifact(name, type, local.digest, local.size, tuple(f.path for f in local.files), tuple(aliases))

    def use_artifact(self, reference, type: str | None = None) -> UsedArtifact:
        """Resolves "name:alias" or "name:v3" (of this project, or "project/name:v3") and records
        that the run uses that version (lineage). ``.download()`` fetches the files."""
        self._check_open()
        if isinstance(reference, UsedArtifact):
            reference = f"{reference._project + '/' if reference._project else ''}{reference.name}:{reference.version}"
        elif isinstance(reference, LoggedArtifact):
            reference = f"{reference.name}:latest"
        project, name, version = parse_reference(reference, self.project)
        if self._transport is None or self.settings.offline:
            raise RunstreamError(f"use_artifact('{reference}') needs Ingest; it is not available in {self.mode} mode.")
        manifest = self._transport.call("GetArtifact", self._transport.stub.GetArtifact,
                                        pb.ArtifactRef(project=project, name=name, version=version),
                                        timeout=self.settings.init_timeout)
        if type is not None and manifest.type != type:
            raise RunstreamError(f"Artifact '{name}:{manifest.version}' is of type '{manifest.type}', not '{type}'.")
        # Another project's artifact names its project, so the lineage points at that collection.
        self._send(pb.RunFrame(artifact_used=pb.ArtifactUsed(name=manifest.name, version=manifest.version,
                                                             digest=manifest.digest,
                                                             project=project if project != self.project else "")))
        return UsedArtifact(manifest.name, manifest.type, manifest.version, manifest.digest, manifest.size,
                            tuple(ArtifactFile(f.path, f.digest, f.size) for f in manifest.files), tuple(manifest.aliases), _project=project,
                            _transport=self._transport, _timeout=max(120.0, self.settings.init_timeout))

    # ---- the end -------------------------------------------------------------------------

    def finish(self, exit_code: int = 0, quiet: bool | None = None, timeout: float | None = None,
               _failure=None) -> FinishResult:
        """Ends the run (exit code 0: finished, otherwise failed), then waits up to `timeout`
        (default 30 s) for every frame to be acknowledged and reports what is unsent. Calling it
        again returns the first result."""
        with self._finish_lock:
            if self._finish_result is not None:
                return self._finish_result
            if self._system is not None:
                self._system.close()
            if self._console is not None:
                # The console's last lines go before the finish (the failure's traceback among them).
                console_capture.detach(self._console)
                self._console.close()
            with self._lock:
                # Under the lock, so no log() or other frame can come after RunFinished: those
                # calls check _closing under the same lock and are refused.
                if not self._closing:           # (not again after a finish that raised)
                    self._flush_pending()
                    self._closing = True
                    if self._media is not None:
                        self._media.close()     # encodes what is left; its frames go before RunFinished
                    if self._uplink is not None:
                        self._uplink.enqueue_frame(pb.RunFrame(finished=pb.RunFinished(exit_code=int(exit_code),
                                                                                      failure=_failure)))
            if self._uplink is None:
                result = FinishResult(0, 0, "")
            else:
                wait = self.settings.finish_timeout if timeout is None else float(timeout)
                result = self._uplink.complete(wait)
                self._uplink.close()
                spool = result.spool_directory
                if result.unspooled > 0:
                    self.settings.warn(f"run {self.id}: {result.unspooled} frame(s) could not be written to the spool "
                                       f"in {spool} (is the disk full?) and are lost; the run is incomplete.")
                if self.settings.offline:
                    self.settings.info(f"run {self.id} is offline: {result.unacknowledged} frame(s) spooled in {spool}; "
                                       f"upload them with `python3 -m runstream sync {spool}`.")
                elif result.unacknowledged > 0:
                    self.settings.warn(f"run {self.id}: {result.unacknowledged} frame(s) were not acknowledged within "
                                       f"{wait:g} s; they are kept in {spool}: upload them with "
                                       f"`python3 -m runstream sync {spool}`.")
                elif result.errors:
                    self.settings.warn(f"run {self.id}: finished; Ingest refused {len(result.errors)} frame(s) (see run.errors).")
            self._finish_result = result
        _forget(self)
        return result

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None or (issubclass(exc_type, SystemExit) and exc.code in (0, None)):
            self.finish(exit_code=0)
        else:
            self.settings.warn(f"run {self.id} failed: {exc_type.__name__}: {exc}")
            self.finish(exit_code=1, _failure=failure_of(exc_type, exc, tb))
        return False


def _default_artifact_name(path: str) -> str:
    base = os.path.basename(os.path.normpath(path)) or "artifact"
    return re.sub(r"[^A-Za-z0-9_.\-]", "-", base)[:128].strip(".") or "artifact"


def _check_tags(value) -> list:
    if isinstance(value, str):
        raise TypeError("tags is a list of strings, not one string.")
    tags = [str(t) for t in (value or [])]
    if len(tags) > 100:
        raise ValueError(f"A run has at most 100 tags; got {len(tags)}.")
    for tag in tags:
        why = bad_key(tag)
        if why is not None:
            raise ValueError(f"Tag {tag!r} {why}.")
    return tags
