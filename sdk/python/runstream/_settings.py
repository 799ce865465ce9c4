"""Where runs go and how: arguments first, then ``runstream.login()``, then the environment."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field

DEFAULT_URL = "http://127.0.0.1:5101"
DEFAULT_QUERY_URL = "http://127.0.0.1:5102"

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")

# Set by runstream.login(); below explicit arguments, above the environment.
_login: dict = {}


class RunstreamError(Exception):
    """Something the SDK cannot do: a bad argument, an unreachable server, a refused request."""


class ConfigError(RunstreamError):
    """A config value changed without ``allow_val_change=True`` (wandb's ``ConfigError``)."""


class InitSettings(dict):
    """``runstream.Settings(console="off", ...)``, for ``init(settings=...)`` as ``wandb.Settings``:
    console ("wrap" or "off"), disable_git (no code state), x_disable_stats (no system metrics),
    x_stats_sampling_interval (seconds). Other keys are accepted and ignored, with a warning."""

    def __init__(self, **values):
        super().__init__(**values)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def check_name(value, what: str) -> str:
    """Project names, run ids, artifact names and types: 1 to 128 letters, digits, '-', '_' or '.'."""
    if not isinstance(value, str) or not _NAME.match(value) or value in (".", ".."):
        raise ValueError(f"{what} {value!r} must be 1 to 128 letters, digits, '-', '_' or '.'.")
    return value


def _env(name: str):
    value = os.environ.get(name)
    return value if value not in (None, "") else None


def _float_env(name: str, default: float) -> float:
    value = _env(name)
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class Settings:
    url: str = DEFAULT_URL
    api_key: str | None = None
    query_url: str = DEFAULT_QUERY_URL
    ca_file: str | None = None
    spool_root: str = "runstream"
    mode: str = "online"
    # How long finish() waits for the last acknowledgement, in seconds.
    finish_timeout: float = 30.0
    # Rows logged within this window share a frame.
    flush_interval: float = 0.5
    max_rows_per_frame: int = 1000
    heartbeat_interval: float = 5.0
    # How long init() keeps trying to reach Ingest when it must ask about an existing run.
    init_timeout: float = 30.0
    quiet: bool = False
    # "wrap": the run records what the process prints (RUNSTREAM_CONSOLE=off: it does not).
    console: str = "wrap"
    # Record the git state, command line, Python, host and packages at init (RUNSTREAM_DISABLE_ENVIRONMENT=true: do not).
    save_environment: bool = True
    # Seconds between samples of system metrics (RUNSTREAM_SYSTEM_INTERVAL); 0 (or RUNSTREAM_SYSTEM_METRICS=off): none.
    system_interval: float = 10.0
    warn_sink: object = field(default=None, repr=False)

    @property
    def offline(self) -> bool:
        return self.mode == "offline"

    @property
    def disabled(self) -> bool:
        return self.mode == "disabled"

    def warn(self, message: str) -> None:
        if self.warn_sink is not None:
            self.warn_sink(message)
            return
        print(f"runstream: {message}", file=sys.stderr, flush=True)

    def info(self, message: str) -> None:
        if not self.quiet:
            self.warn(message)


def resolve(url=None, api_key=None, query_url=None, dir=None, mode=None, finish_timeout=None) -> Settings:
    """Settings from explicit values, then login(), then RUNSTREAM_* variables, then defaults."""
    mode = mode or _login.get("mode") or _env("RUNSTREAM_MODE") or "online"
    if mode not in ("online", "offline", "disabled"):
        raise ValueError(f"mode {mode!r} must be 'online', 'offline' or 'disabled'.")
    return Settings(
        url=url or _login.get("url") or _env("RUNSTREAM_URL") or DEFAULT_URL,
        api_key=api_key or _login.get("api_key") or _env("RUNSTREAM_API_KEY"),
        query_url=query_url or _login.get("query_url") or _env("RUNSTREAM_QUERY_URL") or DEFAULT_QUERY_URL,
        ca_file=_env("RUNSTREAM_CA_FILE"),
        spool_root=os.path.abspath(dir or _env("RUNSTREAM_DIR") or "runstream"),
        mode=mode,
        finish_timeout=float(finish_timeout) if finish_timeout is not None else _float_env("RUNSTREAM_FINISH_TIMEOUT", 30.0),
        init_timeout=_float_env("RUNSTREAM_INIT_TIMEOUT", 30.0),
        quiet=_true_env("RUNSTREAM_SILENT"),
        console="off" if (_env("RUNSTREAM_CONSOLE") or "").lower() in ("off", "0", "false", "no") else "wrap",
        save_environment=not _true_env("RUNSTREAM_DISABLE_ENVIRONMENT"),
        system_interval=0.0 if (_env("RUNSTREAM_SYSTEM_METRICS") or "").lower() in ("off", "0", "false", "no")
        else max(0.0, _float_env("RUNSTREAM_SYSTEM_INTERVAL", 10.0)),
    )


def _true_env(name: str) -> bool:
    return (_env(name) or "").lower() in ("1", "true", "yes")


_INIT_SETTINGS = ("console", "disable_git", "x_disable_stats", "_disable_stats", "x_stats_sampling_interval")


def apply_init_settings(settings: Settings, chosen) -> None:
    """Applies init(settings=...) (a runstream.Settings, a dict, or any object with those attributes)."""
    if chosen is None:
        return
    values = dict(chosen) if isinstance(chosen, dict) else {k: getattr(chosen, k) for k in _INIT_SETTINGS if hasattr(chosen, k)}
    for name, value in values.items():
        if name == "console":
            settings.console = "off" if str(value).lower() in ("off", "false", "0") else "wrap"
        elif name == "disable_git":
            settings.save_environment = not value
        elif name in ("x_disable_stats", "_disable_stats"):
            if value:
                settings.system_interval = 0.0
        elif name == "x_stats_sampling_interval":
            settings.system_interval = max(0.0, float(value))
        else:
            settings.warn(f"the setting {name}={value!r} is not supported; it is ignored.")
