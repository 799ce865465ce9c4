"""The exception that ended a run, as the run page shows it: type, message and traceback."""

from __future__ import annotations

import traceback

from ._pb import pb

# Ingest's limits on a failure's fields; longer text is cut (the traceback keeps its end, where the error is).
_MAX_TYPE = 1024
_MAX_MESSAGE = 64 * 1024
_MAX_TRACEBACK = 256 * 1024


def failure_of(exc_type, exc, tb) -> "pb.RunFailure":
    name = exc_type.__name__ if exc_type.__module__ in ("builtins", "__main__") else f"{exc_type.__module__}.{exc_type.__qualname__}"
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    if len(text) > _MAX_TRACEBACK:
        text = "…\n" + text[-(_MAX_TRACEBACK - 2):]
    return pb.RunFailure(type=_clean(name)[:_MAX_TYPE], message=_clean(str(exc))[:_MAX_MESSAGE], traceback=_clean(text))


def _clean(text: str) -> str:
    return text.replace("\0", "\ufffd")
