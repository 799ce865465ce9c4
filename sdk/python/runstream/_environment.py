"""What the program is and runs on, recorded at init: its git state, command line, Python, host and packages."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys

from ._pb import pb

MAX_DIFF_LENGTH = 512 * 1024       # the diff of a dirty tree is cut here (diff_truncated says so)
_MAX_FIELD = 4096                  # Ingest's limit on each string of the environment


def collect() -> "pb.RunEnvironment":
    program = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] not in ("", "-c", "-m") else (sys.argv[0] if sys.argv else "")
    environment = pb.RunEnvironment(
        program=_cut(program),
        args=[_cut(a) for a in sys.argv[1:1001]],
        runtime=f"Python {platform.python_version()}",
        host=_cut(socket.gethostname()),
        os=_cut(platform.platform()),
        packages=_packages(),
    )
    git = git_state(os.path.dirname(program) if os.path.isfile(program) else os.getcwd())
    if git is not None:
        environment.git.CopyFrom(git)
    return environment


def git_state(directory: str):
    """The checkout's commit, branch, remote and dirty state (with its diff); None outside a checkout or without git."""
    commit = _git(directory, "rev-parse", "HEAD")
    if not commit:
        return None
    state = pb.GitState(commit=commit, branch=_git(directory, "rev-parse", "--abbrev-ref", "HEAD") or "",
                        remote_url=_git(directory, "remote", "get-url", "origin") or "",
                        dirty=bool(_git(directory, "status", "--porcelain", "--untracked-files=no")))
    if state.dirty:
        diff = _git(directory, "diff", "HEAD", strip=False) or ""
        state.diff_truncated = len(diff) > MAX_DIFF_LENGTH
        state.diff = diff[:MAX_DIFF_LENGTH]
    return state


def _git(directory: str, *args, strip: bool = True):
    try:
        done = subprocess.run(["git", *args], cwd=directory, capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    text = done.stdout.decode("utf-8", errors="replace").replace("\0", "")
    return text.strip() if strip else text


def _packages() -> list:
    try:
        from importlib import metadata
        found = {f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if d.metadata["Name"]}
    except Exception:
        return []
    return sorted(_cut(p) for p in found)[:10_000]


def _cut(text: str) -> str:
    return text.replace("\0", "")[:_MAX_FIELD]
