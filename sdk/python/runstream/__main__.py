"""python3 -m runstream sync DIR [--url URL] [--timeout SECONDS]"""

from __future__ import annotations

import argparse
import os
import sys

from ._settings import RunstreamError, resolve
from ._sync import sync_all


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m runstream", description="Runstream's Python SDK command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    sync = commands.add_parser("sync", help="upload spooled runs (offline runs, or runs whose finish could not reach Ingest)")
    sync.add_argument("directory", help="a spool directory: the root (RUNSTREAM_DIR, ./runstream), a project's or a run's")
    sync.add_argument("--url", help="Ingest's address (default: RUNSTREAM_URL, then http://127.0.0.1:5101)")
    sync.add_argument("--api-key", help="default: RUNSTREAM_API_KEY")
    sync.add_argument("--timeout", type=float, default=120.0,
                      help="seconds to wait for a run without progress (an acknowledgement, or artifact bytes uploaded)")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.directory):
        print(f"runstream sync: no directory '{args.directory}'.", file=sys.stderr)
        return 2
    settings = resolve(url=args.url, api_key=args.api_key, mode="online")
    runs = incomplete = in_use = 0
    try:
        for result in sync_all(args.directory, settings, timeout=args.timeout):
            runs += 1
            if result.in_use:
                in_use += 1
                print(f"{result.project}/{result.run_id}: skipped, its spool is in use by another process "
                      f"(a live run sends it itself)", flush=True)
                continue
            status = "synced" if result.unacknowledged == 0 else f"{result.unacknowledged} frame(s) still unsent"
            refused = f", {len(result.errors)} refused" if result.errors else ""
            print(f"{result.project}/{result.run_id}: {result.uploaded} frame(s) uploaded{refused}, {status}", flush=True)
            if result.unacknowledged > 0:
                incomplete += 1
    except (RunstreamError, ValueError, OSError) as e:
        print(f"runstream sync: {e}", file=sys.stderr)
        return 1
    skipped = f", {in_use} skipped (in use)" if in_use else ""
    print(f"no spooled runs under {args.directory}" if runs == 0 else f"{runs} run(s), {incomplete} incomplete{skipped}")
    # Skipped runs are not synced either: a script must not delete their spools.
    return 0 if incomplete == 0 and in_use == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
