"""define_metric: how the run's summary keeps a metric and which key is its x axis, applied here
(run.summary) as the server applies it (the run's summary in the API and the dashboard)."""

from __future__ import annotations

import math
from typing import NamedTuple

SUMMARIES = ("last", "min", "max", "mean", "none")


class MetricDefinition(NamedTuple):
    name: str
    summary: str | None
    step_metric: str | None


def definition_for(definitions: dict, key: str):
    """The key's own definition, else the longest "prefix*" that matches it."""
    if key in definitions:
        return definitions[key]
    best, length = None, -1
    for name, definition in definitions.items():
        if name.endswith("*") and len(name) - 1 > length and key.startswith(name[:-1]):
            best, length = definition, len(name) - 1
    return best


def next_summary(mode, current, value: float, count: int):
    """The summary after `value`, the `count`-th value of the key; None when it keeps nothing."""
    if mode == "min":
        return value if current is None or math.isnan(current) or value < current else current
    if mode == "max":
        return value if current is None or math.isnan(current) or value > current else current
    if mode == "mean":
        return current + (value - current) / count if current is not None and count > 1 else value
    if mode == "none":
        return None
    return value


def summary_mode(summary, goal) -> str | None:
    """wandb's spellings: "best" with a goal, or a list ("min,max"), of which the first is kept."""
    if summary is None:
        return None
    first = str(summary).split(",")[0].strip().lower()
    if first == "best":
        first = "max" if str(goal or "").lower().startswith("max") else "min"
    if first not in SUMMARIES:
        raise ValueError(f"summary={summary!r}: use one of {', '.join(SUMMARIES)} (or 'best' with goal='minimize'/'maximize').")
    return first
