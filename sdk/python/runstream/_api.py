"""The public API: runs, their config, summary and history, over the Query service's HTTP API.

    api = runstream.Api()
    for run in api.runs("cat-classification", filters={"config.learning_rate": {"$lt": 0.1}}, order="-summary.accuracy"):
        print(run.id, run.summary.get("accuracy"))
    df = api.run("cat-classification/6jtamz92").history(keys=["loss"], samples=500)
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import random
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

from . import _api_media
from ._settings import RunstreamError, resolve

_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
# Run fields as W&B names them, for order= and filters= (the server also knows some of these aliases).
_ORDER_ALIASES = {"created_at": "createdAt", "updated_at": "updatedAt", "finished_at": "finishedAt",
                  "display_name": "name", "job_type": "jobType", "run_id": "runId", "id": "runId"}


class ApiError(RunstreamError):
    """A refused request: the HTTP status and the server's problem document."""

    def __init__(self, status: int, title: str, detail: str | None, url: str):
        self.status = status
        self.title = title
        self.detail = detail
        self.url = url
        super().__init__(f"{status} {title}{': ' + detail if detail else ''} ({url})")


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but sends the API key only to the origin it was meant for: urllib copies
    every header to the redirect target, so a redirect to another host (or from https to http)
    would hand the key to it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(new.full_url) != _origin(req.full_url):
            for name in [k for k in new.headers if k.lower() == "authorization"]:
                del new.headers[name]
            for name in [k for k in new.unredirected_hdrs if k.lower() == "authorization"]:
                del new.unredirected_hdrs[name]
        return new


def _origin(url: str) -> tuple:
    parsed = urllib.parse.urlsplit(url)
    scheme = parsed.scheme.lower()
    return scheme, (parsed.hostname or "").lower(), parsed.port or {"http": 80, "https": 443}.get(scheme)


def _number(value):
    return _SPECIAL.get(value, value) if isinstance(value, str) else value


def _numbers(row: dict) -> dict:
    return {k: _number(v) for k, v in row.items()}


def _project_of(path: str) -> str:
    """The project of "project" or "entity/project" (the API key determines the entity)."""
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts or len(parts) > 2:
        raise ValueError(f"{path!r}: name a project as 'project' or 'entity/project'.")
    return parts[-1]


def _run_path(path: str) -> tuple[str, str]:
    """(project, run id) of "project/run_id", "entity/project/run_id" or "entity/project/runs/run_id"."""
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) >= 3 and parts[-2] == "runs":
        parts = parts[:-2] + parts[-1:]
    if len(parts) not in (2, 3):
        raise ValueError(f"{path!r}: name a run as 'project/run_id' or 'entity/project/run_id'.")
    return parts[-2], parts[-1]


def _order(order: str | None) -> str | None:
    if not order:
        return None
    descending = order.startswith("-")
    field = order.lstrip("+-")
    field = _ORDER_ALIASES.get(field, field)
    if field.startswith("summary_metrics."):
        field = "summary." + field[len("summary_metrics."):]
    if field.startswith("config.") and field.endswith(".value"):
        field = field[:-len(".value")]                 # wandb's config.<key>.value
    return ("-" if descending else "") + field


class Api:
    """Reads runs back: ``runstream.Api(url=None, api_key=None)``; by default RUNSTREAM_QUERY_URL
    (http://127.0.0.1:5102) and RUNSTREAM_API_KEY."""

    def __init__(self, url: str | None = None, api_key: str | None = None, timeout: float = 30.0,
                 retry_for: float = 60.0):
        settings = resolve(query_url=url, api_key=api_key)
        self.url = settings.query_url.rstrip("/")
        self.api_key = settings.api_key
        self.timeout = timeout
        self.retry_for = retry_for
        self._ssl = None
        if self.url.startswith("https://") and settings.ca_file:
            # The private CA in addition to the system's roots.
            self._ssl = ssl.create_default_context()
            self._ssl.load_verify_locations(cafile=settings.ca_file)
        self._opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self._ssl), _RedirectHandler)

    # ---- HTTP ----------------------------------------------------------------------------

    def _open(self, method: str, path: str, params: dict | None = None, body=None):
        query = {k: v for k, v in (params or {}).items() if v is not None}
        url = f"{self.url}/api/v1{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        deadline = time.monotonic() + self.retry_for
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                return self._opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as e:
                if e.code in (502, 503, 504) and time.monotonic() < deadline:
                    e.close()
                else:
                    raise self._problem(e, url) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                # The service restarting: try again for a while.
                if time.monotonic() >= deadline:
                    raise RunstreamError(f"Query at {self.url} is unreachable: {getattr(e, 'reason', e)}") from e
            attempt += 1
            time.sleep(min(5.0, 0.2 * 2 ** min(attempt, 5)) * (0.5 + random.random() / 2))

    @staticmethod
    def _problem(error: urllib.error.HTTPError, url: str) -> ApiError:
        title, detail = error.reason or "error", None
        try:
            document = json.loads(error.read().decode("utf-8") or "{}")
            title = document.get("title") or title
            detail = document.get("detail")
        except (ValueError, OSError, AttributeError):
            pass
        finally:
            error.close()
        return ApiError(error.code, str(title), detail, url)

    def _get(self, path: str, params: dict | None = None):
        with self._open("GET", path, params) as response:
            return json.loads(response.read().decode("utf-8"))

    def _send(self, method: str, path: str, body) -> object:
        with self._open(method, path, body=body) as response:
            text = response.read().decode("utf-8")
            return json.loads(text) if text.strip() else None

    # ---- projects and runs ---------------------------------------------------------------

    def projects(self) -> list:
        """The entity's projects (dicts: name, runCount, runsByState, metricKeys, configKeys, ...)."""
        return self._get("/projects")

    def project(self, name: str) -> dict:
        return self._get(f"/projects/{urllib.parse.quote(_project_of(name), safe='')}")

    def runs(self, path: str, filters: dict | None = None, order: str | None = "-createdAt",
             per_page: int = 100, columns=None) -> "Runs":
        """The runs of a project matching `filters` (MongoDB-style, see docs/api.md), sorted by `order`
        ("-summary.acc", "config.lr", "-created_at"); all pages are fetched as you iterate."""
        return Runs(self, _project_of(path), filters, _order(order), per_page, columns)

    def run(self, path: str) -> "PublicRun":
        """One run by "project/run_id" (or "entity/project/run_id")."""
        project, run_id = _run_path(path)
        return PublicRun(self, project, self._get(f"/projects/{_q(project)}/runs/{_q(run_id)}"))

    def artifact(self, reference: str, type: str | None = None) -> "PublicArtifact":
        """One artifact version by "project/name:version" (or "entity/project/name:alias"): a dict of
        its digest, files, aliases and lineage, with ``download(root)`` for its files."""
        path, _, version = reference.partition(":")
        parts = [p for p in path.split("/") if p]
        if len(parts) not in (2, 3):
            raise ValueError(f"{reference!r}: name an artifact as 'project/name:version'.")
        data = self._get(f"/projects/{_q(parts[-2])}/artifacts/{_q(parts[-1])}/{_q(version or 'latest')}")
        return PublicArtifact(self, parts[-2], parts[-1], data)


class PublicArtifact(dict):
    """An artifact version as the Query API serves it (a dict: name, version, digest, files, aliases,
    ...), and ``download(root=None)`` to fetch its files, each checked against its SHA-256."""

    def __init__(self, api: Api, project: str, name: str, data: dict):
        super().__init__(data)
        self._api = api
        self.project = project
        self.name = data.get("name") or name
        self.version = data.get("version")

    def download(self, root: str | None = None) -> str:
        """Writes the version's files under `root` (default ./artifacts/<name>:<version>) and returns it."""
        root = os.path.abspath(root or os.path.join("artifacts", f"{self.name}:{self.version}"))
        for file in self.get("files") or []:
            target = os.path.abspath(os.path.join(root, file["path"]))
            if os.path.commonpath([root, target]) != root:
                raise RunstreamError(f"the artifact's file {file['path']!r} would land outside {root}.")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            digest = hashlib.sha256()
            partial = target + ".partial"
            url_path = "/".join(_q(part) for part in file["path"].split("/"))
            with self._api._open("GET", f"/projects/{_q(self.project)}/artifacts/{_q(self.name)}/{_q(self.version)}/files/{url_path}") as response, \
                    open(partial, "wb") as out:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != file["digest"]:
                os.remove(partial)
                raise RunstreamError(f"the downloaded {file['path']!r} does not match its SHA-256 {file['digest']}.")
            os.replace(partial, target)
        return root


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class Runs:
    """A lazily paged list of runs: iterate it, index it, or take len() (the total that matched)."""

    def __init__(self, api: Api, project: str, filters, order, per_page: int, columns):
        self._api = api
        self.project = project
        self.filters = filters
        self.order = order
        self.per_page = max(1, min(1000, int(per_page)))
        self.columns = ",".join(columns) if isinstance(columns, (list, tuple)) else columns
        self._loaded = []
        self._cursor = None
        self._more = True
        self._total = None

    def _next_page(self) -> bool:
        if not self._more:
            return False
        params = {
            "filters": json.dumps(self.filters, separators=(",", ":")) if self.filters else None,
            "order": self.order,
            "limit": self.per_page,
            "cursor": self._cursor,
            "columns": self.columns,
        }
        page = self._api._get(f"/projects/{_q(self.project)}/runs", params)
        if isinstance(page, list):
            # A Query service older than filters and cursors answers with every run at once.
            runs, self._cursor, self._total = page, None, len(page)
        else:
            runs = page.get("runs", [])
            self._cursor = page.get("nextCursor")
            self._total = page.get("total", self._total)
        self._loaded.extend(PublicRun(self._api, self.project, r) for r in runs)
        self._more = bool(self._cursor) and bool(runs)
        return bool(runs)

    def __iter__(self):
        i = 0
        while True:
            while i >= len(self._loaded):
                if not self._next_page():
                    return
            yield self._loaded[i]
            i += 1

    def __len__(self) -> int:
        if self._total is None:
            self._next_page()
        return self._total if self._total is not None else len(self._loaded)

    def __getitem__(self, index):
        if isinstance(index, slice) or index < 0:
            return list(self)[index]
        while index >= len(self._loaded) and self._next_page():
            pass
        return self._loaded[index]

    def __repr__(self):
        return f"<Runs {self.project} ({len(self)})>"


class PublicRun:
    """A run as the Query API serves it: id, name, state, config, summary, tags, notes, history."""

    def __init__(self, api: Api, project: str, data: dict):
        self._api = api
        self.project = project
        self._load(data)

    def _load(self, data: dict) -> None:
        self._data = data
        self.id = data.get("runId")
        self.entity = data.get("entity")
        self.name = data.get("name")
        self.state = data.get("state")
        self.exit_code = data.get("exitCode")
        self.config = data.get("config") or {}
        self.summary = _numbers(data.get("summary") or {})
        self.tags = list(data.get("tags") or [])
        self.notes = data.get("notes")
        self.group = data.get("group")
        self.job_type = data.get("jobType")
        self.last_step = data.get("lastStep")
        self.created_at = data.get("createdAt")
        self.updated_at = data.get("updatedAt")
        self.finished_at = data.get("finishedAt")
        # When the run was deleted (it is out of the project's lists until restored), or None.
        self.deleted_at = data.get("deletedAt")
        # The project the run moved to (then it is deleted here and lives on there), or None.
        self.moved_to = data.get("movedTo")
        # The exception that ended a failed run: {"type", "message", "traceback"}, or None.
        self.failure = data.get("failure")
        self.rejected_frames = data.get("rejectedFrames") or []
        # The artifact versions the run logged and used: dicts with name, digest and version.
        self.artifacts_logged = [dict(a) for a in data.get("artifactsLogged") or []]
        self.artifacts_used = [dict(a) for a in data.get("artifactsUsed") or []]
        # {"runId", "step", "project", "parentSequence"} of the run this one was forked from (fork_from), or None.
        self.forked_from = data.get("forkedFrom")
        # Each resume_from: {"step", "at", "sequence"}; the history after that step, as it was then, is superseded.
        self.rewinds = [dict(r) for r in data.get("rewinds") or []]
        self._saved = (list(self.tags), self.notes, self.name)

    @property
    def artifacts(self) -> dict:
        """{"logged": [...], "used": [...]}: `artifacts_logged` and `artifacts_used` together."""
        return {"logged": self.artifacts_logged, "used": self.artifacts_used}

    def logged_artifacts(self) -> list:
        """The artifact versions the run logged (as wandb's ``Run.logged_artifacts()``)."""
        return list(self.artifacts_logged)

    def used_artifacts(self) -> list:
        """The artifact versions the run used (as wandb's ``Run.used_artifacts()``)."""
        return list(self.artifacts_used)

    @property
    def display_name(self):
        return self.name

    @property
    def path(self) -> str:
        return f"{self.project}/{self.id}"

    @property
    def json(self) -> dict:
        """The run exactly as the API returned it."""
        return dict(self._data)

    def __repr__(self):
        return f"<PublicRun {self.path} ({self.state})>"

    def _base(self) -> str:
        return f"/projects/{_q(self.project)}/runs/{_q(self.id)}"

    def reload(self) -> "PublicRun":
        """Fetches the run again (state, summary and tags as they are now)."""
        self._load(self._api._get(self._base()))
        return self

    def update(self) -> None:
        """Saves changed `tags`, `notes` and `name` (PATCH). The server applies the edit at once: the
        run is read back as edited, and this object takes the server's answer (its tags, notes, updatedAt)."""
        body = {}
        if list(self.tags) != self._saved[0]:
            body["tags"] = list(self.tags)
        if self.notes != self._saved[1]:
            body["notes"] = self.notes or ""
        if self.name != self._saved[2] and self.name:
            body["name"] = self.name
        if body:
            edited = self._api._send("PATCH", self._base(), body)
            if isinstance(edited, dict) and edited.get("runId") == self.id:
                self._load_edited(edited)
            else:
                self._saved = (list(self.tags), self.notes, self.name)

    def delete(self) -> None:
        """Deletes the run from its project (as wandb's ``Run.delete()``). Runstream keeps it as an
        event: the run leaves lists and counts, its history stays, and `restore()` undoes it."""
        self._load_edited(self._api._send("DELETE", self._base(), None))

    def restore(self) -> None:
        """Brings a deleted run back into its project."""
        self._load_edited(self._api._send("POST", f"{self._base()}/restore", None))

    def move(self, project: str) -> None:
        """Moves the run, which must have ended, to another project of its entity (made when it does
        not exist), with its whole history; this object follows it there. The server refuses runs
        that are running, deleted or logged artifacts, saying why."""
        moved = self._api._send("POST", f"{self._base()}/move", {"project": project})
        self.project = project
        self._load_edited(moved)

    def logs(self, tail: int | None = None) -> list:
        """The run's console lines as dicts (line, time, stream "stdout"/"stderr", text): all of
        them, or the last `tail`."""
        if tail is not None:
            return list(self._api._get(f"{self._base()}/logs", {"tail": int(tail)})["lines"])
        lines, start = [], 0
        while start is not None:
            page = self._api._get(f"{self._base()}/logs", {"from": start, "limit": 10_000})
            lines.extend(page["lines"])
            start = page.get("next")
        return lines

    def environment(self):
        """The run's code state and environment (git, program, args, runtime, host, os, packages), or None."""
        try:
            return self._api._get(f"{self._base()}/environment")
        except ApiError as e:
            if getattr(e, "status", None) == 404:
                return None
            raise

    def _load_edited(self, data: dict) -> None:
        # The edit's answer does not resolve artifact versions (a run knows its artifacts by
        # digest); keep the ones already known.
        known = {(a.get("name"), a.get("digest")): a.get("version")
                 for a in self.artifacts_logged + self.artifacts_used if a.get("version")}
        self._load(data)
        for a in self.artifacts_logged + self.artifacts_used:
            if not a.get("version") and (a.get("name"), a.get("digest")) in known:
                a["version"] = known[(a.get("name"), a.get("digest"))]

    def lineage(self) -> dict:
        """{"ancestors": [...], "forks": [...]}: the runs this one was forked from, nearest first, and the runs forked from it."""
        return self._api._get(f"{self._base()}/lineage")

    def media_keys(self) -> list:
        """The run's image, table and histogram keys: dicts of key, kind, steps, firstStep, lastStep."""
        return _api_media.media_keys(self._api, self._base())

    def media(self, key: str, steps: int = 100, step: int | None = None) -> list:
        """A media key's values as MediaStep(step, time_unix_ms, kind, value) at up to `steps` steps
        (sampled evenly, at most 1,000, the first and last kept), or at one `step`. A value is a
        MediaImage (a list of them when several were logged), a MediaTable or a MediaHistogram."""
        return _api_media.media(self._api, self._base(), key, steps=steps, step=step)

    def history(self, keys=None, samples: int | None = 500, x_axis: str = "_step", pandas: bool = True):
        """Metric rows, as wandb's ``history()``: at most `samples` (500) points per key, the last value
        of each bucket over `x_axis` (every step when there are fewer; ``samples=None`` for every row,
        or ``scan_history()``). Media keys come as MediaImage (a list when several), MediaTable and
        MediaHistogram objects at their steps (at most 1,000 steps a key). A pandas DataFrame when
        pandas is installed and `pandas` is true, else a list of dicts."""
        media_keys = _api_media.history_keys(self._api, self._base(), keys, x_axis)
        metric_keys = [k for k in keys if k not in media_keys] if keys else None
        rows = self._metric_history(metric_keys, samples, x_axis) if metric_keys or not keys else []
        rows = _api_media.merge_history(rows, self._api, self._base(), media_keys, samples)
        return _frame(rows, x_axis) if pandas else rows

    def _metric_history(self, keys, samples, x_axis) -> list:
        params = {"keys": ",".join(keys) if keys else None}
        if samples is not None:
            params["samples"] = int(samples)
        if x_axis and x_axis != "_step":
            params["x"] = x_axis
        answer = self._api._get(f"{self._base()}/history", params)
        if isinstance(answer, dict) and "series" in answer:
            rows = _rows_of_series(answer)
        else:
            rows = [_numbers(r) for r in answer]
            if keys:
                wanted = set(keys) | {"_step", "_timestamp", x_axis}
                rows = [{k: v for k, v in r.items() if k in wanted} for r in rows]
        return rows

    def scan_history(self, keys=None, page_size: int | None = None):
        """Iterates every row, streamed from the JSON-lines export."""
        params = {"format": "jsonl", "keys": ",".join(keys) if keys else None}
        with self._api._open("GET", f"{self._base()}/history/export", params) as response:
            for line in io.TextIOWrapper(response, encoding="utf-8"):
                line = line.strip()
                if line:
                    yield _numbers(json.loads(line))


def _rows_of_series(answer: dict) -> list:
    """Sampled series ({"x": "_step", "series": {key: {"x", "last", ...}}}) as rows merged on x."""
    x_name = answer.get("x") or "_step"
    rows = {}
    for key, series in (answer.get("series") or {}).items():
        for x, value in zip(series.get("x") or [], series.get("last") or []):
            x = _number(x)
            rows.setdefault(x, {x_name: x})[key] = _number(value)
    return [rows[x] for x in sorted(rows, key=lambda v: (isinstance(v, str), v))]


def _frame(rows: list, x_axis: str):
    try:
        import pandas
    except ImportError:
        return rows
    frame = pandas.DataFrame(rows)
    if x_axis in frame.columns:
        frame = frame[[x_axis] + [c for c in frame.columns if c != x_axis]]
    return frame
