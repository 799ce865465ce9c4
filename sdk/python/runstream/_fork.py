"""fork_from and resume_from: "<run id>?_step=<step>", as wandb writes them."""
from __future__ import annotations

import re

from ._settings import RunstreamError

_REFERENCE = re.compile(r"^(?P<run>[A-Za-z0-9._-]{1,128})\?_step=(?P<step>\d{1,18})$")


def parse_step_reference(argument: str, value) -> tuple[str, int]:
    """(run id, step) of `value`, or a ValueError that names the argument and the form it takes."""
    match = _REFERENCE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{argument}={value!r}: write it as \"<run id>?_step=<step>\", e.g. f\"{{run.id}}?_step=200\".")
    return match["run"], int(match["step"])


def check_step(argument: str, run_id: str, step: int, server) -> None:
    """The run must exist and have logged up to `step`: a fork or a rewind past its history would start from nowhere."""
    if server is None or not server.exists:
        raise RunstreamError(f"{argument}: run '{run_id}' does not exist in this project.")
    if server.last_step < step:
        logged = "no step" if server.last_step < 0 else f"up to step {server.last_step}"
        raise RunstreamError(f"{argument}: run '{run_id}' has logged {logged}; step {step} is past its history.")
