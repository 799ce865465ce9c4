"""What logging images costs a Python training loop: 1,000 64x64 RGB images, one per step,
``run.log({"img": runstream.Image(array)})``.

Measured per repeat (a run of its own), medians over the repeats:

- the time spent inside log() calls, summed over the 1,000 calls (target: under 50 ms): log() only
  hands the image to the media worker;
- the time spent in the runstream.Image(array) constructor (it copies the array), reported apart;
- from the first call until finish() returns: every image encoded as PNG, kept in the spool,
  uploaded and its frame acknowledged by Ingest (offline: spooled);
- live only: until the Query API lists all 1,000 steps of the key.

Against the running stack when Query answers (RUNSTREAM_URL, RUNSTREAM_QUERY_URL, RUNSTREAM_API_KEY,
the key defaulting to a checkout's .platform/api.key), else in offline mode. Writes a Markdown table
to bench/results/python-media-log.md.

    PYTHONPATH=sdk/python /usr/bin/python3 bench/python_media_log.py [--images 1000] [--repeats 5] [--offline]
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
try:
    import runstream
except ImportError:  # a checkout without PYTHONPATH
    sys.path.insert(0, os.path.join(REPO, "sdk", "python"))
    import runstream
from runstream import _media_encode


def stack_is_up() -> bool:
    try:
        runstream.Api(timeout=3, retry_for=0).projects()
        return True
    except Exception:
        return False


def one_repeat(images, mode: str, spool: str, project: str) -> dict:
    run = runstream.init(project=project, mode=mode, dir=spool,
                         settings={"console": "off", "x_disable_stats": True, "disable_git": True})
    in_log = in_image = 0
    started = time.perf_counter_ns()
    for array in images:
        before = time.perf_counter_ns()
        image = runstream.Image(array)
        made = time.perf_counter_ns()
        run.log({"img": image})
        in_log += time.perf_counter_ns() - made
        in_image += made - before
    loop = time.perf_counter_ns() - started
    result = run.finish(timeout=300)
    done = time.perf_counter_ns() - started
    if not result.complete and mode == "online":
        raise SystemExit(f"run {run.id} did not complete: {result}")
    figures = {"log_ms": in_log / 1e6, "image_ms": in_image / 1e6, "loop_ms": loop / 1e6, "done_s": done / 1e9,
               "errors": len(result.errors)}
    if mode == "online":
        figures["queryable_s"] = wait_until_listed(run, len(images), started)
    return figures


def wait_until_listed(run, steps: int, started: int, timeout: float = 120.0) -> float:
    api = runstream.Api()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            keys = {k["key"]: k for k in api.run(run.path).media_keys()}
            if keys.get("img", {}).get("steps") == steps:
                return (time.perf_counter_ns() - started) / 1e9
        except runstream.ApiError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"run {run.id}: Query did not list {steps} steps of 'img' within {timeout:.0f} s")


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f", {int(f.readline().split()[1]) / (1 << 20):.0f} GiB"
    except OSError:
        pass
    system = platform.platform(terse=True)
    try:
        with open("/etc/os-release") as f:
            system = dict(line.rstrip().split("=", 1) for line in f if "=" in line).get("PRETTY_NAME", system).strip('"')
    except OSError:
        pass
    load = ", load average %.1f at the start" % os.getloadavg()[0] if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} cores (shared with other work{load}){memory}, {system}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--offline", action="store_true", help="spool only, even when the stack is up")
    parser.add_argument("--output", default=os.path.join(HERE, "results", "python-media-log.md"))
    args = parser.parse_args()
    if not os.environ.get("RUNSTREAM_API_KEY") and os.path.isfile(os.path.join(REPO, ".platform", "api.key")):
        with open(os.path.join(REPO, ".platform", "api.key")) as f:
            runstream.login(key=f.read().strip())
    mode = "offline" if args.offline or not stack_is_up() else "online"
    header = machine()
    rng = np.random.default_rng()          # fresh pixels every time: no repeat finds its files on the server
    repeats = []
    with tempfile.TemporaryDirectory() as spool:
        for repeat in range(args.repeats):
            # Random pixels: the worst case for PNG (nothing to compress).
            images = [rng.integers(0, 256, (args.size, args.size, 3), dtype=np.uint8) for _ in range(args.images)]
            figures = one_repeat(images, mode, spool, "bench-media-log")
            repeats.append(figures)
            print(f"repeat {repeat + 1}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)

    def median(name):
        return statistics.median(r[name] for r in repeats)

    def spread(name, unit, digits):
        values = sorted(r[name] for r in repeats)
        return f"{values[0]:.{digits}f}-{values[-1]:.{digits}f} {unit}"

    encoder = "PIL " + getattr(_media_encode.PILImage, "__version__", "") if _media_encode.PILImage else "built-in"
    where = "against the running stack (Ingest, Query)" if mode == "online" else "offline (spool only; the stack was not up)"
    rows = [
        ("time inside log(), 1,000 calls", f"**{median('log_ms'):.1f} ms** ({median('log_ms') / args.images * 1000:.0f} us a call; "
                                          f"{spread('log_ms', 'ms', 1)})", "< 50 ms"),
        ("time inside runstream.Image(array) (the copy)", f"{median('image_ms'):.1f} ms ({spread('image_ms', 'ms', 1)})", ""),
        ("the loop's wall time (Image + log, 1,000 steps)", f"{median('loop_ms'):.0f} ms ({spread('loop_ms', 'ms', 0)})", ""),
        ("first call to finish() returned: encoded, spooled" + (", uploaded, acknowledged" if mode == "online" else ""),
         f"{median('done_s'):.2f} s ({spread('done_s', 's', 2)})", ""),
    ]
    if mode == "online":
        rows.append(("first call until Query lists all 1,000 steps", f"{median('queryable_s'):.2f} s ({spread('queryable_s', 's', 2)})", ""))
    rows.append(("frames refused", str(sum(r["errors"] for r in repeats)), "0"))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Python SDK: logging {args.images:,} {args.size}x{args.size} RGB images ({when})",
        "",
        f"Machine: {header}. Run {where}; PNG encoder: {encoder}. "
        f"Medians of {args.repeats} repeats (each a run of its own; min-max in brackets); random pixels, the worst case for PNG.",
        "`PYTHONPATH=sdk/python /usr/bin/python3 bench/python_media_log.py`",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
        "log() only queues the image; the media thread encodes it and writes it to the spool, and the sender "
        "uploads each file with an UploadContent call of its own (4 at a time) before the frames that name "
        "them. The Image() time is the copy of the array, which allocates fresh memory while the worker is "
        "behind, and the waits for the interpreter lock and the cores that the background threads share "
        "with the loop.",
        "",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    return 0 if median("log_ms") < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
