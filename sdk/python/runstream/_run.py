"""A training run: init(), log(), config, summary, artifacts, finish()."""

from __future__ import annotations

import atexit
import json
import os
import random
import re
import string
import sys
import threading
import time
from collections.abc import Mapping

from . import _console as console_capture
from . import _content, _media
from ._artifacts import Artifact, ArtifactFile, LoggedArtifact, UsedArtifact, parse_reference
from ._console import ConsoleBuffer
from ._environment import collect as collect_environment
from ._failure import failure_of
from ._fork import check_step, parse_step_reference
from ._media_worker import MediaWorker
from ._metrics import MetricDefinition, definition_for, next_summary, summary_mode
from ._system import SystemSampler
from ._pb import pb
from ._settings import ConfigError, RunstreamError, Settings, apply_init_settings, check_name, resolve
from ._spool import RunSpool, SpoolInUse
from ._transport import FATAL, RETRYABLE, Transport
from ._uplink import FinishResult, MetricRow, Uplink
from ._values import bad_key, dumps, flatten, to_float, to_json_object

_ID_ALPHABET = string.ascii_lowercase + string.digits
_RESERVED_KEYS = frozenset({"_step", "_timestamp", "_runtime"})
_MAX_KEYS_PER_ROW = 10_000


def new_run_id() -> str:
    """8 random base-36 characters, like W&B's run ids."""
    rng = random.SystemRandom()
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(8))


class _Values:
    """A dict of the run's that reads like an object too (``run.config.epochs``) and records every
    write through ``update()``, which each subclass defines. ``_what`` names it in errors."""

    _what = "values"

    def __init__(self, values=None, send=None):
        object.__setattr__(self, "_values", dict(values or {}))
        object.__setattr__(self, "_send", send)
        object.__setattr__(self, "_lock", threading.RLock())

    def __getitem__(self, key):
        with self._lock:
            return self._values[key]

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"The {self._what} has no key {name!r}.") from None

    def __setitem__(self, key, value):
        self.update({key: value})

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __contains__(self, key):
        return key in self._values

    def __iter__(self):
        return iter(list(self._values))

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"{type(self).__name__}({self._values!r})"

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return list(self._values.keys())

    def values(self):
        return list(self._values.values())

    def items(self):
        return list(self._values.items())

    def update(self, values=None, **more):
        raise NotImplementedError


class Config(_Values):
    """The run's hyperparameters: ``run.config["epochs"]``, ``run.config.epochs``, ``run.config.update({...})``.

    Setting a key (``run.config.lr = 0.1``) or calling update() records the change in the run.
    """

    _what = "config"

    def __getitem__(self, key):
        with self._lock:
            if key in self._values:
                return self._values[key]
            if isinstance(key, str) and "." in key:      # a nested value by dotted path: "optimizer.lr"
                node = self._values
                for part in key.split("."):
                    if not isinstance(node, dict) or part not in node:
                        raise KeyError(key)
                    node = node[part]
                return node
        raise KeyError(key)

    def __eq__(self, other):
        if isinstance(other, Config):
            other = other.as_dict()
        return self.as_dict() == other

    def as_dict(self) -> dict:
        with self._lock:
            return json.loads(dumps(self._values))

    def update(self, changes=None, allow_val_change=None, **more):
        """Sets or replaces top-level keys and records the change (a nested dict replaces the whole
        subtree). As in wandb, a key that has a value keeps it: changing it raises ConfigError
        unless ``allow_val_change=True``."""
        values = to_json_object(changes)
        values.update(to_json_object(more))
        if not values:
            return
        with self._lock:
            if not allow_val_change:
                for key, value in values.items():
                    if key in self._values and dumps(self._values[key]) != dumps(value):
                        raise ConfigError(f"config[{key!r}] is {self._values[key]!r}; changing it to {value!r} needs "
                                          f"run.config.update({{{key!r}: ...}}, allow_val_change=True).")
            self._values.update(values)
        if self._send is not None:
            self._send(values)

    def setdefaults(self, defaults) -> None:
        """Sets the keys that are not set yet."""
        values = to_json_object(defaults)
        with self._lock:
            missing = {k: v for k, v in values.items() if k not in self._values}
        self.update(missing)


class Summary(_Values):
    """The run's summary: the last logged value of each key, unless set explicitly
    (``run.summary["best_accuracy"] = 0.97``, ``run.summary["best_model"] = "resnet"``), which is
    sent to the server: numbers, strings and booleans."""

    _what = "summary"

    def __init__(self, send=None, warn=None):
        super().__init__(send=send)
        object.__setattr__(self, "_warn", warn)
        object.__setattr__(self, "_counts", {})       # values per key so far, for mean summaries

    def as_dict(self) -> dict:
        with self._lock:
            return dict(self._values)

    @property
    def _json_dict(self) -> dict:
        """The summary as a plain dict (wandb's ``run.summary._json_dict``)."""
        return self.as_dict()

    def update(self, values=None, **more) -> None:
        """Sets keys explicitly (overriding the last logged value): numbers, strings and booleans are
        sent in one frame; other values are kept locally, with a warning."""
        values = dict(flatten(dict(values or {})), **more)
        sent = {"values": {}, "strings": {}, "booleans": {}}
        for key, value in values.items():
            why = bad_key(key)
            if why is not None:
                self._warn_once(f"summary key {key!r} {why}; it is not sent.")
            elif isinstance(value, bool):
                sent["booleans"][key] = value
            elif isinstance(value, str):
                sent["strings"][key] = value.replace("\0", "\ufffd")
            elif (number := to_float(value)) is not None:
                sent["values"][key] = number
            else:
                self._warn_once(f"summary[{key!r}] is a {type(value).__name__}; it is kept locally, only numbers, "
                                f"strings and booleans are sent.")
        with self._lock:
            self._values.update(values)
        if any(sent.values()) and self._send is not None:
            self._send(sent)

    def _observe(self, values: dict, definitions=None) -> None:
        """Logged values, kept as their definitions say (the last one by default)."""
        with self._lock:
            if not definitions:
                self._values.update(values)
                return
            for key, value in values.items():
                definition = definition_for(definitions, key)
                mode = definition.summary if definition is not None else None
                if mode in (None, "last"):
                    self._values[key] = value
                    continue
                self._counts[key] = self._counts.get(key, 0) + 1
                kept = next_summary(mode, self._values.get(key), value, self._counts[key])
                if kept is None:
                    self._values.pop(key, None)
                else:
                    self._values[key] = kept

    def _warn_once(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)


def resume_mode(resume) -> str:
    if resume in (None, False, "never"):
        return "never"
    if resume in (True, "allow", "auto"):
        return "allow"
    if resume == "must":
        return "must"
    raise ValueError(f"resume={resume!r}: use 'allow' (or True), 'must' or 'never'.")


def decide_start(run_id: str, mode: str, server, spool_last_sequence: int, spool_last_step: int):
    """(resuming, last sequence, next step, server config JSON) from what the server and the spool know.

    The larger of the two wins: the spool holds frames the server has not applied yet, the server
    knows runs continued on other machines.
    """
    exists = (server is not None and server.exists) or spool_last_sequence > 0
    if not exists:
        if mode == "must":
            raise RunstreamError(f"Run '{run_id}' does not exist, and resume='must'.")
        return False, 0, 0, None
    if mode == "never":
        raise RunstreamError(f"Run '{run_id}' exists already; pass resume='allow' or 'must' to continue it, "
                             f"or leave id unset for a new run.")
    server_sequence = server.last_sequence if server is not None and server.exists else 0
    server_step = server.last_step if server is not None and server.exists else -1
    last_sequence = max(server_sequence, spool_last_sequence)
    last_step = max(server_step, spool_last_step)
    config_json = server.config_json if server is not None and server.exists else None
    return True, last_sequence, last_step + 1, config_json


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


def _default_artifact_name(path: str) -> str:
    base = os.path.basename(os.path.normpath(path)) or "artifact"
    return re.sub(r"[^A-Za-z0-9_.\-]", "-", base)[:128].strip(".") or "artifact"


# ---- the process's runs (runstream.run, atexit) -------------------------------------------

_active: list = []
_active_lock = threading.Lock()
_hooks_installed = False
_uncaught = None                    # the failure of an exception no one caught (sys.excepthook saw it)


def current():
    with _active_lock:
        return _active[-1] if _active else None


def _remember(run: Run) -> None:
    global _hooks_installed
    with _active_lock:
        _active.append(run)
        if not _hooks_installed:
            _hooks_installed = True
            previous = sys.excepthook

            def hook(exc_type, exc, tb):
                global _uncaught
                _uncaught = failure_of(exc_type, exc, tb)
                previous(exc_type, exc, tb)

            sys.excepthook = hook
            atexit.register(_finish_all)


def _forget(run: Run) -> None:
    with _active_lock:
        if run in _active:
            _active.remove(run)


def _finish_all() -> None:
    """At interpreter exit, finish what the script left open (failed if it died of an exception)."""
    with _active_lock:
        runs = list(reversed(_active))
    for run in runs:
        try:
            run.finish(exit_code=1 if _uncaught is not None else 0, _failure=_uncaught)
        except Exception as e:  # never hide the script's own exit
            print(f"runstream: could not finish run {run.id}: {e}", file=sys.stderr)


def _ask_server(settings: Settings, transport: Transport, spool: RunSpool, project: str, run_id: str):
    """Where Ingest says the run stands; None when Ingest cannot be reached but the local spool knows
    the run (a preempted job restarting during an outage goes on from the spool, with a warning)."""
    try:
        return transport.call("GetRun", transport.stub.GetRun, pb.RunRef(project=project, run_id=run_id),
                              timeout=settings.init_timeout)
    except RunstreamError as e:
        code = getattr(e, "code", None)
        if code in FATAL or code not in RETRYABLE:
            raise
        if spool.last_sequence == 0:
            # Nothing here says whether the run exists: numbering its frames from 1 could collide
            # with frames Ingest applied already (they would be dropped as duplicates).
            raise RunstreamError(f"{e}. This machine's spool ({spool.directory}) does not know run '{run_id}' "
                                 f"either, so init cannot tell whether it exists and where it stands; retry when "
                                 f"Ingest is back (RUNSTREAM_INIT_TIMEOUT sets how long init waits).") from e
        settings.warn(f"cannot ask Ingest about run '{run_id}' ({e}); going on from the local spool "
                      f"{spool.directory} (frame {spool.last_sequence}, step {spool.last_step}). "
                      f"Frames are spooled and sent when Ingest is back.")
        return None


def _run_progress(settings: Settings, transport: Transport, project: str, run_id: str):
    """Where Ingest says a run stands, with no fallback: a fork or a rewind cannot start from a guess."""
    return transport.call("GetRun", transport.stub.GetRun, pb.RunRef(project=project, run_id=run_id), timeout=settings.init_timeout)


def init(project: str | None = None, name: str | None = None, notes: str | None = None, tags=None,
         group: str | None = None, job_type: str | None = None, config=None, id: str | None = None,
         resume=None, mode: str | None = None, dir: str | None = None, reinit=None, entity: str | None = None,
         *, fork_from: str | None = None, resume_from: str | None = None, url: str | None = None, api_key: str | None = None, query_url: str | None = None,
         finish_timeout: float | None = None, settings=None, **unsupported) -> Run:
    """Starts a run, as ``wandb.init`` does, and returns it; use it as ``with runstream.init(...) as run:``.

    Settings not passed come from ``runstream.login()`` or the environment: RUNSTREAM_URL (Ingest,
    default http://127.0.0.1:5101), RUNSTREAM_API_KEY, RUNSTREAM_DIR (spool root, default
    ./runstream), RUNSTREAM_MODE=offline, RUNSTREAM_QUERY_URL, RUNSTREAM_PROJECT, RUNSTREAM_RUN_ID.
    `entity` is accepted for compatibility and ignored: the API key determines the entity.
    `settings` takes ``runstream.Settings(console="off", disable_git=True, x_disable_stats=True,
    x_stats_sampling_interval=10)`` (or a dict); other wandb arguments are ignored with a warning.

    With `id` set, init first asks Ingest where that run stands, and `resume` decides: "allow"
    (or True) continues it if it exists, "must" requires it, "never" (the default) refuses it.
    When Ingest does not answer within RUNSTREAM_INIT_TIMEOUT (30 s), init goes on from what this
    machine's spool knows of the run, with a warning (a preempted job restarting during an outage
    keeps going); with no spool of the run either, it raises. Otherwise init does not wait on the
    network.

    `fork_from="<run id>?_step=200"` starts a new run whose history is that run's up to step 200 (read
    through it: a reference, not a copy) and whose own steps start at 201; it starts with that run's
    config, updated with `config`. `resume_from="<run id>?_step=200"` continues that run from step 200:
    what it logged after it is superseded (kept in its event history) and its steps go on at 201. Both
    ask Ingest about the run first, and refuse a run that does not exist or never reached the step.
    """
    started_ms = int(time.time() * 1000)
    chosen = settings
    settings = resolve(url=url, api_key=api_key, query_url=query_url, dir=dir, mode=mode, finish_timeout=finish_timeout)
    apply_init_settings(settings, chosen)
    for name in sorted(unsupported):
        settings.warn(f"init() does not support {name}={unsupported[name]!r}; it is ignored.")
    project = check_name(project or os.environ.get("RUNSTREAM_PROJECT") or "uncategorized", "project")
    explicit_id = id or os.environ.get("RUNSTREAM_RUN_ID") or None
    resume = resume_mode(resume)
    fork = parse_step_reference("fork_from", fork_from) if fork_from is not None else None
    rewind = parse_step_reference("resume_from", resume_from) if resume_from is not None else None
    if fork is not None and rewind is not None:
        raise ValueError("fork_from and resume_from together: fork_from starts a new run, resume_from continues one; pass one of them.")
    if rewind is not None:
        if explicit_id is not None and explicit_id != rewind[0]:
            raise ValueError(f"resume_from={resume_from!r} continues run '{rewind[0]}', but id is '{explicit_id}'.")
        explicit_id, resume = rewind[0], "must"
    if (fork is not None or rewind is not None) and settings.offline:
        raise RunstreamError(f"{'fork_from' if fork else 'resume_from'} needs Ingest to say where the run stands; it does not work offline.")
    run_id = check_name(explicit_id or new_run_id(), "id")
    tags = _check_tags(tags)
    config_values = to_json_object(config)

    reinit = "finish_previous" if reinit in (None, True) else ("return_previous" if reinit is False else reinit)
    if reinit not in ("finish_previous", "return_previous", "create_new"):
        raise ValueError(f"reinit={reinit!r}: use 'finish_previous', 'return_previous' or 'create_new'.")
    previous = current()
    if previous is not None and reinit == "return_previous":
        return previous
    if previous is not None and reinit == "finish_previous":
        previous.finish()

    if settings.disabled:
        run = Run(settings, project, run_id, name, notes, tags, group, job_type, None, None, None, 0, config_values, False)
        _remember(run)
        return run

    try:
        spool = RunSpool.open_or_create(settings.spool_root, project, run_id)
    except SpoolInUse as e:
        raise RunstreamError(f"Run '{run_id}' is open in another process (or another run of this one): "
                             f"its spool {e.directory} is in use.") from None
    transport = None
    try:
        transport = None if settings.offline else Transport(settings)
        resuming, last_sequence, next_step, server_config = False, 0, 0, None
        if explicit_id:
            server = None
            if rewind is not None:
                server = _run_progress(settings, transport, project, run_id)
                check_step("resume_from", run_id, rewind[1], server)
            elif transport is not None:
                server = _ask_server(settings, transport, spool, project, run_id)
            resuming, last_sequence, next_step, server_config = decide_start(
                run_id, resume, server, spool.last_sequence, spool.last_step)
            spool.skip_to(last_sequence)
        elif spool.last_sequence > 0:
            raise RunstreamError(f"A spool for run '{run_id}' exists already in {spool.directory}.")
        if fork is not None and resuming:
            # A preempted fork restarting with its id: the fork was made when the run started.
            settings.warn(f"run '{run_id}' exists already and is resumed; fork_from applies only when a run starts.")
            fork = None
        if fork is not None:
            parent = _run_progress(settings, transport, project, fork[0])
            check_step("fork_from", fork[0], fork[1], parent)
            server_config = parent.config_json
        if fork is not None or rewind is not None:
            next_step = (fork or rewind)[1] + 1
        known = json.loads(server_config) if server_config else {}
        if not resuming:
            known.update(config_values)
        uplink = Uplink(settings, spool, transport)
    except BaseException:
        spool.close()
        if transport is not None:
            transport.close()
        raise

    run = Run(settings, project, run_id, name, notes, tags, group, job_type, spool, transport, uplink,
              next_step, known, resuming)
    if resuming:
        uplink.enqueue_frame(pb.RunFrame(resumed=pb.RunResumed(rewind_to_step=rewind[1]) if rewind is not None else pb.RunResumed()))
        if config_values:
            # What init was given is what the resumed run goes on with.
            run.config.update(config_values, allow_val_change=True)
    else:
        # The start is now, not when the frame is written: steps logged meanwhile come after it.
        uplink.enqueue_frame(pb.RunFrame(client_time_unix_ms=started_ms, started=pb.RunStarted(
            name=name or "", notes=notes or "", tags=tags, group=group or "", job_type=job_type or "",
            config_json=dumps(known), environment=collect_environment() if settings.save_environment else None,
            fork_from=pb.ForkPoint(run_id=fork[0], step=fork[1]) if fork is not None else None)))
    _remember(run)
    if settings.offline:
        settings.info(f"run {run_id} of project {project} is offline; spooling to {spool.directory}")
    else:
        settings.info(f"{'resumed' if resuming else 'started'} run {run_id} of project {project}: {run.url}")
    return run
