"""Artifact digests must equal the C# SDK's, so the same content dedupes across SDKs."""

import hashlib
import os

import pytest

from runstream import _content
from runstream._content import ManifestFile, build, entries_of, manifest_digest


def test_manifest_digest_matches_the_csharp_sdk():
    # The C# example's model artifact as the server recorded it (digest made by LocalArtifact.cs).
    files = [ManifestFile("cat-classifier.model.json", "",
                          "d0986fc89ec0d26cedf4321ec85860ead3360befb8a2c85c8b4d2929d67c9dd8", 107)]
    assert manifest_digest(files) == "e139474a6f0a299c89548a7bd6a7b2be26d27d2d2f6593154db5ac1ce61280ec"


def test_a_directory_is_hashed_file_by_file_in_ordinal_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.bin").write_bytes(b"\x00\x01")
    (tmp_path / "a.txt").write_text("alpha")
    (tmp_path / "B.txt").write_text("upper")
    artifact = build(entries_of(str(tmp_path)), str(tmp_path))
    assert [f.path for f in artifact.files] == ["B.txt", "a.txt", "b/x.bin"]
    lines = "".join(f"{p}\t{hashlib.sha256(c).hexdigest()}\t{len(c)}\n"
                    for p, c in [("B.txt", b"upper"), ("a.txt", b"alpha"), ("b/x.bin", b"\x00\x01")])
    assert artifact.digest == hashlib.sha256(lines.encode()).hexdigest()
    assert artifact.size == 12


def test_same_content_same_digest_and_a_change_changes_it(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for d in (one, two):
        d.mkdir()
        (d / "w.txt").write_text("weights")
    assert build(entries_of(str(one)), "one").digest == build(entries_of(str(two)), "two").digest
    (two / "w.txt").write_text("weights2")
    assert build(entries_of(str(one)), "one").digest != build(entries_of(str(two)), "two").digest


def test_a_file_is_named_by_its_base_name(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"onnx")
    artifact = build(entries_of(str(tmp_path / "model.onnx")), "model.onnx")
    assert [f.path for f in artifact.files] == ["model.onnx"]


def test_utf16_ordinal_order_like_dotnet():
    # U+FF5E sorts after the surrogate pair of U+1F600 in .NET's ordinal (UTF-16) order.
    paths = ["\uff5e.txt", "\U0001F600.txt"]
    assert sorted(paths, key=_content._ordinal) == ["\U0001F600.txt", "\uff5e.txt"]


def test_empty_and_missing_paths_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        entries_of(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError):
        build(entries_of(str(tmp_path / "empty")), "empty")


@pytest.mark.parametrize("path", ["C:x", "C:/Windows/x", "model.bin:stream", "a/b:c", "/etc/passwd", "../x", "a/../../x",
                                  "a//b", "./a", "a/./b", "a\\b", "a\x00b", "a\nb", ""])
def test_download_paths_that_could_land_elsewhere_are_refused(tmp_path, path):
    with pytest.raises(_content.RunstreamError):
        _content.safe_join(str(tmp_path), path)


def test_download_paths_inside_the_root_are_joined(tmp_path):
    assert _content.safe_join(str(tmp_path), "a/b.txt") == os.path.join(str(tmp_path), "a", "b.txt")
    assert _content.safe_join(str(tmp_path), "name with spaces..v1") == os.path.join(str(tmp_path), "name with spaces..v1")


def test_a_symbolic_link_out_of_the_download_root_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "root" / "link")
    with pytest.raises(_content.RunstreamError):
        _content.safe_join(str(tmp_path / "root"), "link/x.bin")


def test_an_artifact_path_ingest_would_refuse_is_refused_when_logging(tmp_path):
    (tmp_path / "epoch:3.ckpt").write_bytes(b"w")
    with pytest.raises(ValueError, match="':'"):
        build(entries_of(str(tmp_path / "epoch:3.ckpt")), "checkpoint")
