"""The process's open runs: runstream.run, and finishing what a script left open at exit."""

from __future__ import annotations

import atexit
import sys
import threading
from typing import TYPE_CHECKING

from ._failure import failure_of

if TYPE_CHECKING:
    from ._run import Run

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
