"""A run's config and summary: dicts that read like objects and send what changes."""

from __future__ import annotations

import json
import threading

from ._metrics import definition_for, next_summary
from ._settings import ConfigError
from ._values import bad_key, dumps, flatten, to_float, to_json_object


class _Values:
    """A dict of the run's that reads like an object too (``run.config.epochs``) and records every
    write through ``update()``, which each subclass defines. ``_what`` names it in errors."""

    _what = "values"

    def __init__(self, values=None, send=None):
        object.__setattr__(self, "_values", dict(values or {}))
        object.__setattr__(self, "_send", send)
        object.__setattr__(self, "_lock", threading.RLock())

    def __getitem__(self, key):
        with self._lock:
            return self._values[key]

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"The {self._what} has no key {name!r}.") from None

    def __setitem__(self, key, value):
        self.update({key: value})

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __contains__(self, key):
        return key in self._values

    def __iter__(self):
        return iter(list(self._values))

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"{type(self).__name__}({self._values!r})"

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return list(self._values.keys())

    def values(self):
        return list(self._values.values())

    def items(self):
        return list(self._values.items())

    def update(self, values=None, **more):
        raise NotImplementedError


class Config(_Values):
    """The run's hyperparameters: ``run.config["epochs"]``, ``run.config.epochs``, ``run.config.update({...})``.

    Setting a key (``run.config.lr = 0.1``) or calling update() records the change in the run.
    """

    _what = "config"

    def __getitem__(self, key):
        with self._lock:
            if key in self._values:
                return self._values[key]
            if isinstance(key, str) and "." in key:      # a nested value by dotted path: "optimizer.lr"
                node = self._values
                for part in key.split("."):
                    if not isinstance(node, dict) or part not in node:
                        raise KeyError(key)
                    node = node[part]
                return node
        raise KeyError(key)

    def __eq__(self, other):
        if isinstance(other, Config):
            other = other.as_dict()
        return self.as_dict() == other

    def as_dict(self) -> dict:
        with self._lock:
            return json.loads(dumps(self._values))

    def update(self, changes=None, allow_val_change=None, **more):
        """Sets or replaces top-level keys and records the change (a nested dict replaces the whole
        subtree). As in wandb, a key that has a value keeps it: changing it raises ConfigError
        unless ``allow_val_change=True``."""
        values = to_json_object(changes)
        values.update(to_json_object(more))
        if not values:
            return
        with self._lock:
            if not allow_val_change:
                for key, value in values.items():
                    if key in self._values and dumps(self._values[key]) != dumps(value):
                        raise ConfigError(f"config[{key!r}] is {self._values[key]!r}; changing it to {value!r} needs "
                                          f"run.config.update({{{key!r}: ...}}, allow_val_change=True).")
            self._values.update(values)
        if self._send is not None:
            self._send(values)

    def setdefaults(self, defaults) -> None:
        """Sets the keys that are not set yet."""
        values = to_json_object(defaults)
        with self._lock:
            missing = {k: v for k, v in values.items() if k not in self._values}
        self.update(missing)


class Summary(_Values):
    """The run's summary: the last logged value of each key, unless set explicitly
    (``run.summary["best_accuracy"] = 0.97``, ``run.summary["best_model"] = "resnet"``), which is
    sent to the server: numbers, strings and booleans."""

    _what = "summary"

    def __init__(self, send=None, warn=None):
        super().__init__(send=send)
        object.__setattr__(self, "_warn", warn)
        object.__setattr__(self, "_counts", {})       # values per key so far, for mean summaries

    def as_dict(self) -> dict:
        with self._lock:
            return dict(self._values)

    @property
    def _json_dict(self) -> dict:
        """The summary as a plain dict (wandb's ``run.summary._json_dict``)."""
        return self.as_dict()

    def update(self, values=None, **more) -> None:
        """Sets keys explicitly (overriding the last logged value): numbers, strings and booleans are
        sent in one frame; other values are kept locally, with a warning."""
        values = dict(flatten(dict(values or {})), **more)
        sent = {"values": {}, "strings": {}, "booleans": {}}
        for key, value in values.items():
            why = bad_key(key)
            if why is not None:
                self._warn_once(f"summary key {key!r} {why}; it is not sent.")
            elif isinstance(value, bool):
                sent["booleans"][key] = value
            elif isinstance(value, str):
                sent["strings"][key] = value.replace("\0", "\ufffd")
            elif (number := to_float(value)) is not None:
                sent["values"][key] = number
            else:
                self._warn_once(f"summary[{key!r}] is a {type(value).__name__}; it is kept locally, only numbers, "
                                f"strings and booleans are sent.")
        with self._lock:
            self._values.update(values)
        if any(sent.values()) and self._send is not None:
            self._send(sent)

    def _observe(self, values: dict, definitions=None) -> None:
        """Logged values, kept as their definitions say (the last one by default)."""
        with self._lock:
            if not definitions:
                self._values.update(values)
                return
            for key, value in values.items():
                definition = definition_for(definitions, key)
                mode = definition.summary if definition is not None else None
                if mode in (None, "last"):
                    self._values[key] = value
                    continue
                self._counts[key] = self._counts.get(key, 0) + 1
                kept = next_summary(mode, self._values.get(key), value, self._counts[key])
                if kept is None:
                    self._values.pop(key, None)
                else:
                    self._values[key] = kept

    def _warn_once(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)
