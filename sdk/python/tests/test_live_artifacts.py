"""Artifacts: versions deduplicated by content, use_artifact and download, lineage."""

import os

import pytest

import runstream
from helpers import wait_for

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("live")]


def make_model(directory, weights: bytes):
    (directory / "sub").mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text('{"layers": 2}')
    (directory / "sub" / "weights.bin").write_bytes(weights)
    return str(directory)


def versions_of(api, project, name):
    return api._get(f"/projects/{project}/artifacts/{name}")["versions"]


def test_versions_are_deduplicated_by_content(project, api, tmp_path):
    model = make_model(tmp_path / "model", b"\x00weights-1")
    with runstream.init(project=project) as first:
        one = first.log_artifact(model, name="net", type="model")
    with runstream.init(project=project) as second:
        two = second.log_artifact(model, name="net", type="model")
    assert one.digest == two.digest and one.files == ("config.json", "sub/weights.bin")

    v0 = wait_for(lambda: (lambda a: a if {first.id, second.id} <= set(a["loggedBy"]) else None)(
        api.artifact(f"{project}/net:v0")), what="both runs to log v0")
    assert v0["digest"] == one.digest and v0["aliases"] == ["latest"]
    assert len(versions_of(api, project, "net")) == 1

    make_model(tmp_path / "model", b"\x00weights-2")
    with runstream.init(project=project) as third:
        three = third.log_artifact(model, name="net", type="model", aliases=["best"])
    assert three.digest != one.digest
    latest = wait_for(lambda: (lambda a: a if a["version"] == "v1" else None)(api.artifact(f"{project}/net:latest")),
                      what="v1 to become latest")
    assert latest["digest"] == three.digest and set(latest["aliases"]) == {"latest", "best"}
    assert [v["version"] for v in versions_of(api, project, "net")] == ["v0", "v1"]


def test_use_artifact_downloads_the_same_bytes(project, api, tmp_path):
    weights = os.urandom(3 * 1024 * 1024 + 17)            # several upload and download chunks
    artifact = runstream.Artifact("dataset", type="dataset", description="random bytes")
    artifact.add_dir(make_model(tmp_path / "data", weights), name="train")
    (tmp_path / "README.txt").write_text("read me")
    artifact.add_file(str(tmp_path / "README.txt"))
    with runstream.init(project=project, job_type="produce") as producer:
        logged = producer.log_artifact(artifact)
    assert logged.files == ("README.txt", "train/config.json", "train/sub/weights.bin")
    wait_for(lambda: api.artifact(f"{project}/dataset:latest"), what="the artifact")

    with runstream.init(project=project, job_type="consume") as consumer:
        used = consumer.use_artifact("dataset:latest", type="dataset")
        assert (used.version, used.digest, used.type) == ("v0", logged.digest, "dataset")
        root = used.download()
        assert root == str(tmp_path / "artifacts" / "dataset:v0")
        assert open(os.path.join(root, "train", "sub", "weights.bin"), "rb").read() == weights
        assert open(os.path.join(root, "README.txt")).read() == "read me"
        other = used.download(str(tmp_path / "elsewhere"))
        assert open(os.path.join(other, "train", "config.json")).read() == '{"layers": 2}'
        with pytest.raises(runstream.RunstreamError):
            consumer.use_artifact("dataset:latest", type="model")
        with pytest.raises(runstream.RunstreamError):
            consumer.use_artifact("no-such-artifact:latest")

    version = wait_for(lambda: (lambda a: a if consumer.id in a.get("usedBy", []) else None)(
        api.artifact(f"{project}/dataset:v0")), what="the lineage to record the consumer")
    assert producer.id in version["loggedBy"]

    # Each run lists its artifact versions.
    expected = [{"name": "dataset", "digest": logged.digest, "version": "v0"}]
    produced = api.run(f"{project}/{producer.id}")
    assert (produced.artifacts_logged, produced.artifacts_used) == (expected, [])
    consumed = api.run(f"{project}/{consumer.id}")
    assert (consumed.artifacts_logged, consumed.artifacts_used) == ([], expected)
    assert consumed.artifacts == {"logged": [], "used": expected}


def test_an_artifact_of_another_project_records_its_lineage_there(project, api, tmp_path):
    (tmp_path / "data.txt").write_text("shared data")
    with runstream.init(project=project, job_type="produce") as producer:
        logged = producer.log_artifact(str(tmp_path / "data.txt"), name="shared", type="dataset")
    wait_for(lambda: api.artifact(f"{project}/shared:latest"), what="the artifact")

    consumer_project = project + "-consumer"
    with runstream.init(project=consumer_project, job_type="consume") as consumer:
        used = consumer.use_artifact(f"{project}/shared:latest")
        assert (used.version, used.digest) == ("v0", logged.digest)
        assert open(used.file(str(tmp_path / "down"))).read() == "shared data"

    # The lineage is in the artifact's own project, not in a same-named one of the consumer's.
    version = wait_for(lambda: (lambda a: a if consumer.id in a.get("usedBy", []) else None)(
        api.artifact(f"{project}/shared:v0")), what="the lineage to record the consumer in the artifact's project")
    assert version["digest"] == logged.digest
    assert [(a["name"], a["digest"]) for a in api.run(f"{consumer_project}/{consumer.id}").artifacts_used] == \
        [("shared", logged.digest)]


def test_the_public_api_downloads_an_artifact_version(project, api, tmp_path):
    model = make_model(tmp_path / "model", b"\x01weights-for-download")
    with runstream.init(project=project) as run:
        run.log_artifact(model, name="downloadable", type="model")
    artifact = wait_for(lambda: api.artifact(f"{project}/downloadable:latest"), what="the artifact")
    assert artifact["version"] == "v0" and artifact.version == "v0"      # still the dict it was
    root = artifact.download(str(tmp_path / "out"))
    assert root == str(tmp_path / "out")
    assert (tmp_path / "out" / "config.json").read_text() == '{"layers": 2}'
    assert (tmp_path / "out" / "sub" / "weights.bin").read_bytes() == b"\x01weights-for-download"
