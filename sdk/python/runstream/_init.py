"""init(): where a run starts (new, resumed, forked or rewound) and the checks before it."""

from __future__ import annotations

import json
import os
import random
import string
import time

from ._active import _remember, current
from ._environment import collect as collect_environment
from ._fork import check_step, parse_step_reference
from ._pb import pb
from ._run import Run, _check_tags
from ._settings import RunstreamError, Settings, apply_init_settings, check_name, resolve
from ._spool import RunSpool, SpoolInUse
from ._transport import FATAL, RETRYABLE, Transport
from ._uplink import Uplink
from ._values import dumps, to_json_object

_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_run_id() -> str:
    """8 random base-36 characters, like W&B's run ids."""
    rng = random.SystemRandom()
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(8))


def resume_mode(resume) -> str:
    if resume in (None, False, "never"):
        return "never"
    if resume in (True, "allow", "auto"):
        return "allow"
    if resume == "must":
        return "must"
    raise ValueError(f"resume={resume!r}: use 'allow' (or True), 'must' or 'never'.")


def decide_start(run_id: str, mode: str, server, spool_last_sequence: int, spool_last_step: int):
    """(resuming, last sequence, next step, server config JSON) from what the server and the spool know.

    The larger of the two wins: the spool holds frames the server has not applied yet, the server
    knows runs continued on other machines.
    """
    exists = (server is not None and server.exists) or spool_last_sequence > 0
    if not exists:
        if mode == "must":
            raise RunstreamError(f"Run '{run_id}' does not exist, and resume='must'.")
        return False, 0, 0, None
    if mode == "never":
        raise RunstreamError(f"Run '{run_id}' exists already; pass resume='allow' or 'must' to continue it, "
                             f"or leave id unset for a new run.")
    server_sequence = server.last_sequence if server is not None and server.exists else 0
    server_step = server.last_step if server is not None and server.exists else -1
    last_sequence = max(server_sequence, spool_last_sequence)
    last_step = max(server_step, spool_last_step)
    config_json = server.config_json if server is not None and server.exists else None
    return True, last_sequence, last_step + 1, config_json


def _ask_server(settings: Settings, transport: Transport, spool: RunSpool, project: str, run_id: str):
    """Where Ingest says the run stands; None when Ingest cannot be reached but the local spool knows
    the run (a preempted job restarting during an outage goes on from the spool, with a warning)."""
    try:
        return transport.call("GetRun", transport.stub.GetRun, pb.RunRef(project=project, run_id=run_id),
                              timeout=settings.init_timeout)
    except RunstreamError as e:
        code = getattr(e, "code", None)
        if code in FATAL or code not in RETRYABLE:
            raise
        if spool.last_sequence == 0:
            # Nothing here says whether the run exists: numbering its frames from 1 could collide
            # with frames Ingest applied already (they would be dropped as duplicates).
            raise RunstreamError(f"{e}. This machine's spool ({spool.directory}) does not know run '{run_id}' "
                                 f"either, so init cannot tell whether it exists and where it stands; retry when "
                                 f"Ingest is back (RUNSTREAM_INIT_TIMEOUT sets how long init waits).") from e
        settings.warn(f"cannot ask Ingest about run '{run_id}' ({e}); going on from the local spool "
                      f"{spool.directory} (frame {spool.last_sequence}, step {spool.last_step}). "
                      f"Frames are spooled and sent when Ingest is back.")
        return None


def _run_progress(settings: Settings, transport: Transport, project: str, run_id: str):
    """Where Ingest says a run stands, with no fallback: a fork or a rewind cannot start from a guess."""
    return transport.call("GetRun", transport.stub.GetRun, pb.RunRef(project=project, run_id=run_id), timeout=settings.init_timeout)


def init(project: str | None = None, name: str | None = None, notes: str | None = None, tags=None,
         group: str | None = None, job_type: str | None = None, config=None, id: str | None = None,
         resume=None, mode: str | None = None, dir: str | None = None, reinit=None, entity: str | None = None,
         *, fork_from: str | None = None, resume_from: str | None = None, url: str | None = None, api_key: str | None = None, query_url: str | None = None,
         finish_timeout: float | None = None, settings=None, **unsupported) -> Run:
    """Starts a run, as ``wandb.init`` does, and returns it; use it as ``with runstream.init(...) as run:``.

    Settings not passed come from ``runstream.login()`` or the environment: RUNSTREAM_URL (Ingest,
    default http://127.0.0.1:5101), RUNSTREAM_API_KEY, RUNSTREAM_DIR (spool root, default
    ./runstream), RUNSTREAM_MODE=offline, RUNSTREAM_QUERY_URL, RUNSTREAM_PROJECT, RUNSTREAM_RUN_ID.
    `entity` is accepted for compatibility and ignored: the API key determines the entity.
    `settings` takes ``runstream.Settings(console="off", disable_git=True, x_disable_stats=True,
    x_stats_sampling_interval=10)`` (or a dict); other wandb arguments are ignored with a warning.

    With `id` set, init first asks Ingest where that run stands, and `resume` decides: "allow"
    (or True) continues it if it exists, "must" requires it, "never" (the default) refuses it.
    When Ingest does not answer within RUNSTREAM_INIT_TIMEOUT (30 s), init goes on from what this
    machine's spool knows of the run, with a warning (a preempted job restarting during an outage
    keeps going); with no spool of the run either, it raises. Otherwise init does not wait on the
    network.

    `fork_from="<run id>?_step=200"` starts a new run whose history is that run's up to step 200 (read
    through it: a reference, not a copy) and whose own steps start at 201; it starts with that run's
    config, updated with `config`. `resume_from="<run id>?_step=200"` continues that run from step 200:
    what it logged after it is superseded (kept in its event history) and its steps go on at 201. Both
    ask Ingest about the run first, and refuse a run that does not exist or never reached the step.
    """
    started_ms = int(time.time() * 1000)
    chosen = settings
    settings = resolve(url=url, api_key=api_key, query_url=query_url, dir=dir, mode=mode, finish_timeout=finish_timeout)
    apply_init_settings(settings, chosen)
    for name in sorted(unsupported):
        settings.warn(f"init() does not support {name}={unsupported[name]!r}; it is ignored.")
    project = check_name(project or os.environ.get("RUNSTREAM_PROJECT") or "uncategorized", "project")
    explicit_id = id or os.environ.get("RUNSTREAM_RUN_ID") or None
    resume = resume_mode(resume)
    fork = parse_step_reference("fork_from", fork_from) if fork_from is not None else None
    rewind = parse_step_reference("resume_from", resume_from) if resume_from is not None else None
    if fork is not None and rewind is not None:
        raise ValueError("fork_from and resume_from together: fork_from starts a new run, resume_from continues one; pass one of them.")
    if rewind is not None:
        if explicit_id is not None and explicit_id != rewind[0]:
            raise ValueError(f"resume_from={resume_from!r} continues run '{rewind[0]}', but id is '{explicit_id}'.")
        explicit_id, resume = rewind[0], "must"
    if (fork is not None or rewind is not None) and settings.offline:
        raise RunstreamError(f"{'fork_from' if fork else 'resume_from'} needs Ingest to say where the run stands; it does not work offline.")
    run_id = check_name(explicit_id or new_run_id(), "id")
    tags = _check_tags(tags)
    config_values = to_json_object(config)

    reinit = "finish_previous" if reinit in (None, True) else ("return_previous" if reinit is False else reinit)
    if reinit not in ("finish_previous", "return_previous", "create_new"):
        raise ValueError(f"reinit={reinit!r}: use 'finish_previous', 'return_previous' or 'create_new'.")
    previous = current()
    if previous is not None and reinit == "return_previous":
        return previous
    if previous is not None and reinit == "finish_previous":
        previous.finish()

    if settings.disabled:
        run = Run(settings, project, run_id, name, notes, tags, group, job_type, None, None, None, 0, config_values, False)
        _remember(run)
        return run

    try:
        spool = RunSpool.open_or_create(settings.spool_root, project, run_id)
    except SpoolInUse as e:
        raise RunstreamError(f"Run '{run_id}' is open in another process (or another run of this one): "
                             f"its spool {e.directory} is in use.") from None
    transport = None
    try:
        transport = None if settings.offline else Transport(settings)
        resuming, last_sequence, next_step, server_config = False, 0, 0, None
        if explicit_id:
            server = None
            if rewind is not None:
                server = _run_progress(settings, transport, project, run_id)
                check_step("resume_from", run_id, rewind[1], server)
            elif transport is not None:
                server = _ask_server(settings, transport, spool, project, run_id)
            resuming, last_sequence, next_step, server_config = decide_start(
                run_id, resume, server, spool.last_sequence, spool.last_step)
            spool.skip_to(last_sequence)
        elif spool.last_sequence > 0:
            raise RunstreamError(f"A spool for run '{run_id}' exists already in {spool.directory}.")
        if fork is not None and resuming:
            # A preempted fork restarting with its id: the fork was made when the run started.
            settings.warn(f"run '{run_id}' exists already and is resumed; fork_from applies only when a run starts.")
            fork = None
        if fork is not None:
            parent = _run_progress(settings, transport, project, fork[0])
            check_step("fork_from", fork[0], fork[1], parent)
            server_config = parent.config_json
        if fork is not None or rewind is not None:
            next_step = (fork or rewind)[1] + 1
        known = json.loads(server_config) if server_config else {}
        if not resuming:
            known.update(config_values)
        uplink = Uplink(settings, spool, transport)
    except BaseException:
        spool.close()
        if transport is not None:
            transport.close()
        raise

    run = Run(settings, project, run_id, name, notes, tags, group, job_type, spool, transport, uplink,
              next_step, known, resuming)
    if resuming:
        uplink.enqueue_frame(pb.RunFrame(resumed=pb.RunResumed(rewind_to_step=rewind[1]) if rewind is not None else pb.RunResumed()))
        if config_values:
            # What init was given is what the resumed run goes on with.
            run.config.update(config_values, allow_val_change=True)
    else:
        # The start is now, not when the frame is written: steps logged meanwhile come after it.
        uplink.enqueue_frame(pb.RunFrame(client_time_unix_ms=started_ms, started=pb.RunStarted(
            name=name or "", notes=notes or "", tags=tags, group=group or "", job_type=job_type or "",
            config_json=dumps(known), environment=collect_environment() if settings.save_environment else None,
            fork_from=pb.ForkPoint(run_id=fork[0], step=fork[1]) if fork is not None else None)))
    _remember(run)
    if settings.offline:
        settings.info(f"run {run_id} of project {project} is offline; spooling to {spool.directory}")
    else:
        settings.info(f"{'resumed' if resuming else 'started'} run {run_id} of project {project}: {run.url}")
    return run
