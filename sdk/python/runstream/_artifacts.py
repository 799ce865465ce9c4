"""Artifacts as a run sees them: one to log (built from files), one logged, one used."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import _content
from ._pb import pb
from ._settings import RunstreamError, check_name


class Artifact:
    """Files to log as one version of an artifact, as with ``wandb.Artifact``::

        artifact = runstream.Artifact("trained-model", type="model")
        artifact.add_file("model.onnx")
        artifact.add_dir("tokenizer/", name="tokenizer")
        run.log_artifact(artifact, aliases=["best"])
    """

    def __init__(self, name: str, type: str, description: str | None = None):
        self.name = check_name(name, "Artifact name")
        self.type = check_name(type, "Artifact type")
        self.description = description
        self._entries = []

    def add_file(self, local_path: str, name: str | None = None) -> None:
        """Adds a file, at `name` inside the artifact (its file name by default)."""
        if not os.path.isfile(local_path):
            raise FileNotFoundError(f"No file at '{local_path}'.")
        self._entries.append(((name or os.path.basename(local_path)).replace(os.sep, "/"), os.path.abspath(local_path)))

    def add_dir(self, local_path: str, name: str | None = None) -> None:
        """Adds every file below a directory, under `name` inside the artifact (its root by default)."""
        if not os.path.isdir(local_path):
            raise NotADirectoryError(f"No directory at '{local_path}'.")
        self._entries.extend(_content.entries_of(local_path, prefix=name))

    @property
    def entries(self) -> list:
        return list(self._entries)

    def __repr__(self):
        return f"Artifact({self.name!r}, type={self.type!r}, files={len(self._entries)})"


@dataclass(frozen=True)
class LoggedArtifact:
    """What `run.log_artifact` sent. The server numbers versions by content: logging the same
    content again makes no new version."""
    name: str
    type: str
    digest: str
    size: int
    files: tuple
    aliases: tuple = ()

    def __str__(self):
        return f"{self.name} ({self.type}, {len(self.files)} file(s), sha256 {self.digest[:12]})"


@dataclass(frozen=True)
class ArtifactFile:
    path: str
    digest: str
    size: int


@dataclass
class UsedArtifact:
    """An artifact version a run uses (`run.use_artifact("name:latest")`); `download()` fetches its files."""
    name: str
    type: str
    version: str
    digest: str
    size: int
    files: tuple
    aliases: tuple
    _project: str = field(repr=False, default="")
    _transport: object = field(repr=False, default=None)
    _timeout: float = field(repr=False, default=120.0)

    @property
    def qualified_name(self) -> str:
        return f"{self.name}:{self.version}"

    def download(self, root: str | None = None) -> str:
        """Downloads every file (checking its SHA-256) into `root`, by default ./artifacts/<name>:<version>;
        returns the directory. Files already there with the right content are kept."""
        root = os.path.abspath(root or os.path.join("artifacts", f"{self.name}:{self.version}"))
        os.makedirs(root, exist_ok=True)
        reference = pb.ArtifactRef(project=self._project, name=self.name, version=self.version)
        for f in self.files:
            target = _content.safe_join(root, f.path)
            if os.path.isfile(target) and _content.hash_file(target)[0] == f.digest:
                continue
            if hasattr(pb, "ArtifactFileRef"):
                request = pb.ArtifactFileRef(artifact=reference, path=f.path)
            else:
                request = pb.ContentRef(digest=f.digest)
            _content.download_file(self._transport, request, target, f.digest, self._timeout)
        return root

    def file(self, root: str | None = None) -> str:
        """The path of the artifact's only file, after downloading it."""
        if len(self.files) != 1:
            raise RunstreamError(f"{self.qualified_name} holds {len(self.files)} files; use download().")
        return _content.safe_join(self.download(root), self.files[0].path)


def parse_reference(reference: str, default_project: str) -> tuple[str, str, str]:
    """(project, name, version) from "name", "name:alias", "project/name:v3" or "entity/project/name:v3"."""
    if not reference:
        raise ValueError("Name the artifact, e.g. 'trained-model:latest'.")
    path, _, version = reference.partition(":")
    parts = path.split("/")
    if len(parts) > 3 or any(not p for p in parts):
        raise ValueError(f"Artifact reference {reference!r}: use 'name[:version]', 'project/name[:version]'.")
    name = parts[-1]
    project = parts[-2] if len(parts) >= 2 else default_project
    return project, check_name(name, "Artifact name"), check_name(version or "latest", "Artifact version")
