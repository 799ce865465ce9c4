"""Uploads spooled runs after the fact: offline runs, or runs whose finish could not reach Ingest."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ._sender import SpoolSender
from ._settings import Settings
from ._spool import RunSpool, SpoolInUse
from ._transport import Transport


@dataclass(frozen=True)
class SyncResult:
    project: str
    run_id: str
    uploaded: int
    unacknowledged: int
    errors: tuple = ()
    # The spool is open in another process (a live run, which sends it itself, or another sync):
    # it was left alone.
    in_use: bool = False


def sync_all(directory: str, settings: Settings, timeout: float = 120.0):
    """Sends every unacknowledged frame (and stashed artifact content) of every run spool at or below
    `directory`, yielding a SyncResult per run. Repeating it changes nothing: a synced run has
    nothing left to send, and Ingest applies each frame once.

    `timeout` is how long to wait for a run without progress: while acknowledgements come or
    artifact content is being uploaded, the wait goes on. A spool another process has open is
    skipped (SyncResult.in_use): a live run's writer may be halfway through a record there."""
    transport = Transport(settings)
    try:
        for path in RunSpool.find_all(os.path.abspath(directory)):
            try:
                spool = RunSpool.open(path)
            except SpoolInUse:
                project, run_id = RunSpool.read_info(path)
                yield SyncResult(project, run_id, 0, 0, in_use=True)
                continue
            try:
                before = spool.acked
                errors = ()
                if spool.acked < spool.last_sequence or spool.stashed_digests():
                    sender = SpoolSender(spool, transport, settings, heartbeats=False)
                    sender.complete()
                    sender.start()
                    sender.wait_for_acks(timeout, idle=True)
                    sender.stop()
                    errors = tuple(sender.errors)
                yield SyncResult(spool.project, spool.run_id, spool.acked - before, spool.last_sequence - spool.acked, errors)
            finally:
                spool.close()
    finally:
        transport.close()
