"""Turning user values into what travels: JSON for config, doubles for metrics."""

from __future__ import annotations

import json
import math
import numbers


def _jsonable(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    tolist = getattr(value, "tolist", None)          # numpy arrays and scalars
    if callable(tolist):
        return _jsonable(tolist())
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return _jsonable(item())
        except Exception:
            pass
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _jsonable(float(value))
    if hasattr(value, "__fspath__"):
        return str(value)
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return {str(k): _jsonable(v) for k, v in vars(value).items() if not str(k).startswith("_")}
    return str(value)


def to_json_object(value) -> dict:
    """A config as a plain JSON object: dicts, argparse.Namespace and other objects with attributes."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        if hasattr(value, "__dict__"):
            value = vars(value)
        else:
            raise TypeError(f"config must be a dict or an object with attributes (argparse.Namespace); got {type(value).__name__}.")
    return _jsonable(value)


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def to_float(value):
    """The metric value as a float (bools, ints, floats, numpy and tensor scalars), or None when not a number."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, numbers.Real):
        return float(value)
    item = getattr(value, "item", None)
    if callable(item):
        try:
            size = getattr(value, "size", 1)
            size = size() if callable(size) else size
            if size == 1 or (hasattr(size, "numel") and size.numel() == 1):
                return to_float(item())
        except Exception:
            return None
    return None


def flatten(data: dict, prefix: str = "") -> dict:
    """Nested dictionaries become dotted keys: {"train": {"loss": 1}} logs "train.loss"."""
    flat = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def bad_key(key) -> str | None:
    """Why Ingest would refuse this metric or summary key, or None."""
    if not isinstance(key, str):
        return "is not a string"
    if not key:
        return "is empty"
    if len(key) > 256:
        return f"is {len(key)} characters long; the limit is 256"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in key):
        return "contains a control character"
    return None
