"""Uploads spooled runs after the fact: offline runs, or runs whose finish could not reach Ingest."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ._sender import SpoolSender
from ._settings import Settings
from ._spool import RunSpool
from ._transport import Transport


@dataclass(frozen=True)
class SyncResult:
    project: str
    run_id: str
    uploaded: int
    unacknowledged: int
    errors: tuple = ()


def sync_all(directory: str, settings: Settings, timeout: float = 120.0):
    """Sends every unacknowledged frame (and stashed artifact content) of every run spool at or below
    `directory`, yielding a SyncResult per run. Repeating it changes nothing: a synced run has
    nothing left to send, and Ingest applies each frame once."""
    transport = Transport(settings)
    try:
        for path in RunSpool.find_all(os.path.abspath(directory)):
            spool = RunSpool.open(path)
            try:
                before = spool.acked
                errors = ()
                if spool.acked < spool.last_sequence or spool.stashed_digests():
                    sender = SpoolSender(spool, transport, settings, heartbeats=False)
                    sender.complete()
                    sender.start()
                    sender.wait_for_acks(timeout)
                    sender.stop()
                    errors = tuple(sender.errors)
                yield SyncResult(spool.project, spool.run_id, spool.acked - before, spool.last_sequence - spool.acked, errors)
            finally:
                spool.close()
    finally:
        transport.close()
