"""A run's media as the public API reads it back (the Query routes of docs/media.md): the keys,
the values at steps (MediaImage, MediaTable, MediaHistogram), their files, and media in history()."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import urllib.parse
from dataclasses import dataclass

from ._settings import RunstreamError


def _q(value) -> str:
    return urllib.parse.quote(str(value), safe="")


def _file_name(text: str) -> str:
    """A key as part of a file name: '/' and anything odd become '_'."""
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", text).strip("._") or "media"


class _Files:
    """Reads a run's media files: GET <run>/media/files/{digest}, checked against the digest."""

    def __init__(self, api, base: str):
        self.api = api
        self.base = base

    def read(self, digest: str) -> bytes:
        with self.api._open("GET", f"{self.base}/media/files/{_q(digest)}") as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise RunstreamError(f"the media file downloaded for {digest} does not match its SHA-256.")
        return data

    def write(self, digest: str, target: str) -> str:
        """Downloads a file to `target` (atomically) and returns the path."""
        data = self.read(digest)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        partial = target + ".partial"
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, target)
        return target


class MediaImage:
    """A logged image: digest, size (bytes), width, height, format, caption, url; ``download(root)``
    writes its file, ``read()`` returns its bytes, ``to_pil()`` opens it with PIL."""

    def __init__(self, files: _Files, key: str, step, data: dict):
        self._files = files
        self.key = key
        self.step = step
        self.json = dict(data)
        self.digest = data.get("digest")
        self.size = data.get("size")
        self.width = data.get("width")
        self.height = data.get("height")
        self.format = data.get("format") or "png"
        self.caption = data.get("caption")
        self.url = data.get("url") or f"/api/v1{files.base}/media/files/{self.digest}"

    @property
    def path(self) -> str:
        """Where download() puts it under its root: media/images/<key>_<step>_<digest>.<format>."""
        ext = "jpg" if self.format == "jpeg" else self.format
        step = "" if self.step is None else f"_{self.step}"
        return f"media/images/{_file_name(self.key)}{step}_{self.digest[:20]}.{ext}"

    def read(self) -> bytes:
        return self._files.read(self.digest)

    def download(self, root: str = ".", replace: bool = True) -> str:
        """Writes the image under `root` (at `path`) and returns the file's path."""
        target = os.path.join(root, *self.path.split("/"))
        if not replace and os.path.exists(target):
            return target
        return self._files.write(self.digest, target)

    def to_pil(self):
        from PIL import Image
        return Image.open(io.BytesIO(self.read()))

    def __repr__(self):
        caption = f" {self.caption!r}" if self.caption else ""
        return f"<MediaImage {self.key}@{self.step} {self.width}x{self.height} {self.format}{caption}>"


class MediaTable:
    """A logged table: columns, row_count, digest, size. ``data`` (every row, image cells as
    MediaImage) and ``get_dataframe()`` read its file; ``rows()`` pages through it on the server,
    sorted and searched; ``download(root)`` writes the JSON file."""

    def __init__(self, files: _Files, key: str, step, data: dict):
        self._files = files
        self.key = key
        self.step = step
        self.json = dict(data)
        self.digest = data.get("digest")
        self.size = data.get("size")
        self.columns = list(data.get("columns") or [])
        self.row_count = data.get("rowCount")
        self._data = None

    def _cells(self, row: list) -> list:
        return [MediaImage(self._files, self.key, self.step, c) if isinstance(c, dict) and c.get("_type") == "image"
                else c for c in row]

    @property
    def data(self) -> list:
        """Every row (fetched once), image cells as MediaImage."""
        if self._data is None:
            document = json.loads(self._files.read(self.digest).decode("utf-8"))
            self._data = [self._cells(row) for row in document.get("data") or []]
        return self._data

    def get_dataframe(self):
        """The table as a pandas DataFrame (image cells as MediaImage objects)."""
        import pandas
        return pandas.DataFrame(self.data, columns=self.columns)

    to_dataframe = get_dataframe

    def rows(self, offset: int = 0, limit: int = 100, sort: str | None = None, desc: bool = False,
             search: str | None = None) -> dict:
        """A page of rows from the server: {"columns", "totalRows", "offset", "rows"}, sorted by a
        column and filtered by text in any cell (limit at most 1,000)."""
        params = {"key": self.key, "step": self.step, "offset": int(offset), "limit": int(limit), "sort": sort,
                  "desc": "true" if desc else None, "search": search}
        page = self._files.api._get(f"{self._files.base}/media/table", params)
        page["rows"] = [self._cells(row) for row in page.get("rows") or []]
        return page

    def download(self, root: str = ".") -> str:
        """Writes the table's JSON file under `root` and returns its path."""
        name = f"{_file_name(self.key)}_{self.step}_{self.digest[:20]}.table.json"
        return self._files.write(self.digest, os.path.join(root, "media", "tables", name))

    def __repr__(self):
        return f"<MediaTable {self.key}@{self.step} {self.row_count} rows x {len(self.columns)} columns>"


class MediaHistogram:
    """A logged histogram: ``bins`` (edges, one more than the counts) and ``histogram`` (counts), as wandb names them."""

    def __init__(self, key: str, step, data: dict):
        self.key = key
        self.step = step
        self.json = dict(data)
        self.bins = list(data.get("edges") or [])
        self.histogram = list(data.get("counts") or [])

    edges = property(lambda self: self.bins)
    counts = property(lambda self: self.histogram)

    def __repr__(self):
        return f"<MediaHistogram {self.key}@{self.step} {len(self.histogram)} bins>"


@dataclass(frozen=True)
class MediaStep:
    """One step of a media key: its step, when it was logged, and its value (a MediaImage, a list of
    them when several were logged, a MediaTable or a MediaHistogram)."""
    step: int
    time_unix_ms: int
    kind: str
    value: object

    @property
    def images(self) -> list:
        """The step's images as a list (empty for tables and histograms)."""
        if self.kind != "images":
            return []
        return list(self.value) if isinstance(self.value, list) else [self.value]


def media_keys(api, base: str) -> list:
    """The run's media keys: dicts of key, kind ("images", "table", "histogram"), steps, firstStep, lastStep."""
    return list(api._get(f"{base}/media").get("keys") or [])


def media(api, base: str, key: str, steps: int = 100, step: int | None = None) -> list:
    """The values of `key` at up to `steps` steps (sampled evenly, first and last kept), or at one `step`."""
    params = {"key": key, "step": int(step)} if step is not None else {"key": key, "steps": int(steps)}
    answer = api._get(f"{base}/media", params)
    files = _Files(api, base)
    return [_step_of(files, answer.get("key") or key, s) for s in answer.get("steps") or []]


def _step_of(files: _Files, key: str, data: dict) -> MediaStep:
    step = data.get("step")
    if data.get("images") is not None:
        images = [MediaImage(files, key, step, i) for i in data["images"]]
        return MediaStep(step, data.get("timeUnixMs"), "images", images[0] if len(images) == 1 else images)
    if data.get("table") is not None:
        return MediaStep(step, data.get("timeUnixMs"), "table", MediaTable(files, key, step, data["table"]))
    return MediaStep(step, data.get("timeUnixMs"), "histogram", MediaHistogram(key, step, data.get("histogram") or {}))


def history_keys(api, base: str, keys, x_axis: str) -> list:
    """The media keys history() includes: those asked for (every one when `keys` is None). Media
    has steps only, so none for another x axis; none from a Query that serves no media."""
    if x_axis not in (None, "_step"):
        return []
    from ._api import ApiError          # here: _api imports this module
    try:
        known = [k["key"] for k in media_keys(api, base)]
    except ApiError as e:
        if e.status == 404:
            return []
        raise
    return known if keys is None else [k for k in keys if k in known]


def merge_history(rows: list, api, base: str, keys: list, samples) -> list:
    """History rows with each media key's values at their steps (new rows for media-only steps)."""
    if not keys:
        return rows
    steps = 1000 if samples is None else max(1, min(1000, int(samples)))
    by_step = {row.get("_step"): row for row in rows}
    for key in keys:
        for value in media(api, base, key, steps=steps):
            by_step.setdefault(value.step, {"_step": value.step})[key] = value.value
    return [by_step[s] for s in sorted(by_step, key=lambda s: (s is None, s if s is not None else 0))]
