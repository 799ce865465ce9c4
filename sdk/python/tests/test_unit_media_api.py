"""Reading media back through the public API, against a small local server that answers as Query does."""

import hashlib
import json
import os
import urllib.parse

import pytest

import runstream
from test_unit_api import Server

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03" + b"rest of a png"
OTHER = PNG + b"another"
DIGEST, OTHER_DIGEST = hashlib.sha256(PNG).hexdigest(), hashlib.sha256(OTHER).hexdigest()
FILES = "/api/v1/projects/p/runs/r/media/files"
TABLE_FILE = json.dumps({"columns": ["image", "label"], "data": [
    [{"_type": "image", "digest": DIGEST, "size": len(PNG), "width": 2, "height": 3, "format": "png", "caption": "c"}, "cat"],
    [None, "dog"]]}).encode()
TABLE_DIGEST = hashlib.sha256(TABLE_FILE).hexdigest()


def image(digest, caption=None):
    return {"digest": digest, "size": 10, "width": 2, "height": 3, "format": "png", "caption": caption, "url": f"{FILES}/{digest}"}


ANSWERS = {
    "/api/v1/projects/p/runs/r": {"runId": "r", "state": "finished"},
    "/api/v1/projects/p/runs/r/history": {"x": "_step", "series": {"loss": {"x": [0, 1, 2], "last": [0.5, 0.25, "NaN"]}}},
    "/api/v1/projects/p/runs/r/media": {"keys": [
        {"key": "preds", "kind": "images", "steps": 2, "firstStep": 0, "lastStep": 3},
        {"key": "errors", "kind": "table", "steps": 1, "firstStep": 1, "lastStep": 1},
        {"key": "weights/fc1", "kind": "histogram", "steps": 1, "firstStep": 2, "lastStep": 2}]},
    "/api/v1/projects/p/runs/r/media?key=preds": {"key": "preds", "kind": "images", "totalSteps": 2, "steps": [
        {"step": 0, "timeUnixMs": 1000, "images": [image(DIGEST, "zero")]},
        {"step": 3, "timeUnixMs": 4000, "images": [image(DIGEST, "a"), image(OTHER_DIGEST, "b")]}]},
    "/api/v1/projects/p/runs/r/media?key=errors": {"key": "errors", "kind": "table", "totalSteps": 1, "steps": [
        {"step": 1, "timeUnixMs": 2000, "table": {"digest": TABLE_DIGEST, "size": len(TABLE_FILE), "columns": ["image", "label"],
                                                   "rowCount": 2, "imageDigests": [DIGEST]}}]},
    "/api/v1/projects/p/runs/r/media?key=weights/fc1": {"key": "weights/fc1", "kind": "histogram", "totalSteps": 1, "steps": [
        {"step": 2, "timeUnixMs": 3000, "histogram": {"edges": [-1.0, 0.0, 1.0], "counts": [3, 4]}}]},
    "/api/v1/projects/p/runs/r/media/table": {"key": "errors", "step": 1, "columns": ["image", "label"], "totalRows": 1, "offset": 0,
                                              "rows": [[dict(image(DIGEST), _type="image"), "cat"]]},
}
FILE_BODIES = {DIGEST: PNG, OTHER_DIGEST: OTHER, TABLE_DIGEST: TABLE_FILE}


@pytest.fixture
def query():
    def route(path):
        parsed = urllib.parse.urlsplit(path)
        if parsed.path.startswith(FILES + "/"):
            body = FILE_BODIES.get(parsed.path.rsplit("/", 1)[1])
            return (200, {"Content-Type": "image/png"}, body) if body else (404, {}, b"{}")
        params = dict(urllib.parse.parse_qsl(parsed.query)) if parsed.path.endswith("/media") else {}
        answer = ANSWERS.get(parsed.path + (f"?key={params['key']}" if "key" in params else ""))
        if answer is None:
            return 404, {"Content-Type": "application/problem+json"}, b'{"title": "Not Found"}'
        if "step" in params:                        # one step, as Query answers ?step=
            answer = dict(answer, steps=[s for s in answer["steps"] if s["step"] == int(params["step"])])
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    server = Server(route)
    yield server
    server.close()


def public_run(query):
    return runstream.Api(url=f"http://127.0.0.1:{query.port}", api_key="k").run("p/r")


def queries(query, path_end: str) -> list:
    return [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(p).query)) for p, _ in query.requests
            if urllib.parse.urlsplit(p).path.endswith(path_end)]


def test_history_has_media_objects_at_their_steps(query):
    rows = public_run(query).history(pandas=False)
    assert [r["_step"] for r in rows] == [0, 1, 2, 3]                   # step 3 has media only
    assert rows[0]["loss"] == 0.5 and rows[0]["preds"].caption == "zero"
    first = rows[0]["preds"]
    assert isinstance(first, runstream.MediaImage) and (first.digest, first.width, first.height, first.step) == (DIGEST, 2, 3, 0)
    assert [i.caption for i in rows[3]["preds"]] == ["a", "b"]           # several images: a list
    assert isinstance(rows[1]["errors"], runstream.MediaTable) and rows[1]["errors"].row_count == 2
    histogram = rows[2]["weights/fc1"]
    assert (histogram.bins, histogram.histogram) == ([-1.0, 0.0, 1.0], [3, 4])
    assert queries(query, "/media")[1:] == [{"key": k, "steps": "500"} for k in ("preds", "errors", "weights/fc1")]


def test_history_of_media_keys_only_asks_for_those(query):
    frame = public_run(query).history(keys=["preds"])
    assert list(frame.columns) == ["_step", "preds"] and list(frame["_step"]) == [0, 3]
    assert not queries(query, "/history")                              # no metric was asked for
    public_run(query).history(keys=["loss"], pandas=False)
    assert [q.get("key") for q in queries(query, "/media")] == [None, "preds", None]


def test_a_query_without_media_routes_still_gives_metric_history(query, monkeypatch):
    monkeypatch.delitem(ANSWERS, "/api/v1/projects/p/runs/r/media")
    rows = public_run(query).history(pandas=False)
    assert [sorted(r) for r in rows] == [["_step", "loss"]] * 3


def test_media_keys_and_values_of_one_step(query):
    run = public_run(query)
    assert [k["key"] for k in run.media_keys()] == ["preds", "errors", "weights/fc1"]
    [value] = run.media("preds", step=3)
    assert (value.step, value.time_unix_ms, value.kind, [i.digest for i in value.images]) == (3, 4000, "images", [DIGEST, OTHER_DIGEST])
    assert queries(query, "/media")[-1] == {"key": "preds", "step": "3"}
    run.media("preds", steps=7)
    assert queries(query, "/media")[-1] == {"key": "preds", "steps": "7"}


def test_an_image_downloads_and_is_checked_against_its_digest(query, tmp_path, monkeypatch):
    [zero, three] = public_run(query).media("preds")
    path = zero.value.download(str(tmp_path))
    assert path == os.path.join(str(tmp_path), "media", "images", f"preds_0_{DIGEST[:20]}.png")
    assert open(path, "rb").read() == PNG
    assert three.value[1].read() == OTHER
    monkeypatch.setitem(FILE_BODIES, OTHER_DIGEST, b"tampered")
    with pytest.raises(runstream.RunstreamError, match="does not match"):
        three.value[1].download(str(tmp_path / "again"))
    assert not os.path.exists(tmp_path / "again" / "media" / "images" / f"preds_3_{OTHER_DIGEST[:20]}.png")


def test_a_table_reads_back_as_a_dataframe_with_image_objects(query, tmp_path):
    pytest.importorskip("pandas")
    [step] = public_run(query).media("errors")
    table = step.value
    frame = table.get_dataframe()
    assert list(frame.columns) == ["image", "label"] and list(frame["label"]) == ["cat", "dog"]
    cell = frame["image"][0]
    assert isinstance(cell, runstream.MediaImage) and (cell.digest, cell.caption, cell.step) == (DIGEST, "c", 1)
    assert cell.url == f"{FILES}/{DIGEST}" and frame["image"][1] is None
    assert open(cell.download(str(tmp_path)), "rb").read() == PNG
    assert open(table.download(str(tmp_path)), "rb").read() == TABLE_FILE

    page = table.rows(offset=0, limit=10, sort="label", desc=True, search="ca")
    assert page["totalRows"] == 1 and isinstance(page["rows"][0][0], runstream.MediaImage)
    assert queries(query, "/media/table")[-1] == {"key": "errors", "step": "1", "offset": "0", "limit": "10", "sort": "label",
                                                  "desc": "true", "search": "ca"}
