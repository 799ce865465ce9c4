from __future__ import annotations

import os
import sys
import urllib.request

import pytest

# The source tree, unless run-tests.sh installed the wheel to test (RUNSTREAM_TEST_INSTALLED=1).
if os.environ.get("RUNSTREAM_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runstream  # noqa: E402
from helpers import unique_project  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test spools into its own directory and runs in its own working directory."""
    monkeypatch.setenv("RUNSTREAM_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("RUNSTREAM_SILENT", "1")
    # Console capture adds frames of whatever a test prints; the tests of capture turn it on.
    monkeypatch.setenv("RUNSTREAM_CONSOLE", "off")
    monkeypatch.setenv("RUNSTREAM_SYSTEM_METRICS", "off")
    monkeypatch.delenv("RUNSTREAM_MODE", raising=False)
    monkeypatch.delenv("RUNSTREAM_PROJECT", raising=False)
    monkeypatch.delenv("RUNSTREAM_RUN_ID", raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    # A failing test may leave its run open: finish it rather than leak it into the next test.
    while runstream.run is not None:
        runstream.run.finish(timeout=5)


@pytest.fixture
def project(request) -> str:
    return unique_project(request.node.name)


_live_problem = None
_live_checked = False


def _check_live() -> str | None:
    if not os.environ.get("RUNSTREAM_API_KEY"):
        return "RUNSTREAM_API_KEY is not set (run-tests.sh reads .platform/api.key)"
    query = os.environ.get("RUNSTREAM_QUERY_URL", "http://127.0.0.1:5102").rstrip("/")
    request = urllib.request.Request(f"{query}/api/v1/projects",
                                     headers={"Authorization": f"Bearer {os.environ['RUNSTREAM_API_KEY']}"})
    try:
        with urllib.request.urlopen(request, timeout=10):
            pass
    except Exception as e:
        return f"the Query service at {query} does not answer ({e}); start the stack with ./platform up"
    return None


@pytest.fixture
def live():
    """The running services; a test that needs them fails (not skips) when they are not there."""
    global _live_checked, _live_problem
    if not _live_checked:
        _live_problem, _live_checked = _check_live(), True
    if _live_problem:
        pytest.fail(_live_problem)


@pytest.fixture
def api(live):
    return runstream.Api()
