"""Shared test helpers: unique project names, polling, reading a spool."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time

import runstream
from runstream._spool import RunSpool

SDK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SDK))
INSTALLED = os.environ.get("RUNSTREAM_TEST_INSTALLED") == "1"
# Scripts run with the interpreter that has the SDK under test: the venv's when the wheel is installed.
PYTHON = sys.executable if INSTALLED or not os.path.exists("/usr/bin/python3") else "/usr/bin/python3"


def unique_project(label: str) -> str:
    """A project of its own for each test: letters, digits and '-' only, at most 128 characters."""
    label = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-").lower()[:80]
    return f"pytest-{label}-{secrets.token_hex(4)}"


def wait_for(probe, timeout: float = 30.0, interval: float = 0.2, what: str = "the condition"):
    """Polls `probe` until it returns something truthy (a 404 counts as not yet), and returns it."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = probe()
            if last:
                return last
        except runstream.ApiError as e:
            if e.status != 404:
                raise
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {last!r}")
        time.sleep(interval)


def wait_for_run(api, project: str, run_id: str, state: str = "finished", timeout: float = 30.0, check=None):
    """The run once the Query API shows it in `state` (and `check(run)` holds, when given)."""
    def probe():
        run = api.run(f"{project}/{run_id}")
        if run.state != state:
            return None
        return run if check is None or check(run) else None
    return wait_for(probe, timeout, what=f"run {project}/{run_id} to be {state}")


def spooled_frames(directory: str) -> list:
    """Every frame still in a run's spool directory (acknowledged ones may have been trimmed)."""
    spool = RunSpool.open(directory)
    try:
        return list(spool.read_from(1))
    finally:
        spool.close()


def run_python(args, env=None, timeout: float = 180.0, cwd=None) -> subprocess.CompletedProcess:
    """Runs a script with the SDK under test: the installed wheel, or the source tree on PYTHONPATH."""
    full_env = dict(os.environ)
    if not INSTALLED:
        full_env["PYTHONPATH"] = SDK + (os.pathsep + full_env["PYTHONPATH"] if full_env.get("PYTHONPATH") else "")
    full_env.update(env or {})
    return subprocess.run([PYTHON, *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def media_rows(frames) -> list:
    """(step, {key: MediaCell}) of every media row among `frames`, each frame's key indexes resolved."""
    rows = []
    for frame in frames:
        if frame.WhichOneof("payload") == "media":
            for row in frame.media.rows:
                rows.append((row.step, {frame.media.keys[c.key_index]: c for c in row.cells}))
    return rows


def stashed_content(directory: str, digest: str) -> bytes:
    """A file a run keeps in its spool for upload, checked to be stored under its own SHA-256."""
    import hashlib
    with open(os.path.join(directory, "content", digest), "rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == digest
    return data
