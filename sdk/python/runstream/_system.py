"""System metrics, sampled in a background thread and logged under "system/": CPU, memory, disk and
network I/O of the machine and the process, read from /proc (Linux), and each GPU's utilisation,
memory, temperature and power when `nvidia-smi` is there. What cannot be read is left out, never an error.

Rows go at the run's current step (a step of their own would move the run's step count), and the
server keeps "system/" keys out of the run's summary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

_MB = 1024 * 1024
NVIDIA_QUERY = "utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw"


def parse_nvidia_smi(csv: str) -> dict:
    """`nvidia-smi --query-gpu=NVIDIA_QUERY --format=csv,noheader,nounits` as system/ metrics, per GPU.
    Fields a GPU does not report ("[N/A]", "[Not Supported]") are left out."""
    values = {}
    for index, line in enumerate(l for l in csv.splitlines() if l.strip()):
        fields = [f.strip() for f in line.split(",")]
        numbers = []
        for f in fields:
            try:
                numbers.append(float(f))
            except ValueError:
                numbers.append(None)
        numbers += [None] * (5 - len(numbers))
        util, used, total, temperature, power = numbers[:5]
        prefix = f"system/gpu.{index}."
        if util is not None:
            values[prefix + "gpu"] = util
        if used is not None:
            values[prefix + "memory_used_mb"] = used
            if total:
                values[prefix + "memory_percent"] = 100.0 * used / total
        if temperature is not None:
            values[prefix + "temp"] = temperature
        if power is not None:
            values[prefix + "power_watts"] = power
    return values


class SystemSampler:
    """Samples every `interval` seconds and hands each sample (a dict of system/ metrics) to `emit`."""

    def __init__(self, emit, interval: float):
        self._emit = emit
        self._interval = interval
        self._stop = threading.Event()
        self._last_cpu = _cpu_times()
        self._last_process = (time.monotonic(), _process_seconds())
        self._start_io = (_disk_bytes(), _network_bytes())
        self._nvidia = shutil.which("nvidia-smi")
        self._thread = threading.Thread(target=self._run, name="runstream-system", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                sample = self.sample()
            except Exception:  # a sample that fails is skipped; training goes on
                continue
            if sample:
                self._emit(sample)

    def sample(self) -> dict:
        values = {}
        cpu = _cpu_times()
        if cpu and self._last_cpu:
            busy = (cpu[0] - self._last_cpu[0])
            total = (cpu[1] - self._last_cpu[1])
            if total > 0:
                values["system/cpu.percent"] = 100.0 * busy / total
        self._last_cpu = cpu
        now, seconds = time.monotonic(), _process_seconds()
        elapsed = now - self._last_process[0]
        if elapsed > 0:
            values["system/proc.cpu.percent"] = 100.0 * (seconds - self._last_process[1]) / elapsed
        self._last_process = (now, seconds)
        memory = _meminfo()
        if "MemTotal" in memory and "MemAvailable" in memory:
            values["system/memory.percent"] = 100.0 * (1 - memory["MemAvailable"] / memory["MemTotal"])
            values["system/memory.available_mb"] = memory["MemAvailable"] / _MB
        rss = _process_rss()
        if rss is not None:
            values["system/proc.memory.rss_mb"] = rss / _MB
        disk, network = _disk_bytes(), _network_bytes()
        if disk and self._start_io[0]:
            values["system/disk.read_mb"] = (disk[0] - self._start_io[0][0]) / _MB
            values["system/disk.write_mb"] = (disk[1] - self._start_io[0][1]) / _MB
        if network and self._start_io[1]:
            values["system/network.recv_mb"] = (network[0] - self._start_io[1][0]) / _MB
            values["system/network.sent_mb"] = (network[1] - self._start_io[1][1]) / _MB
        if self._nvidia:
            try:
                done = subprocess.run([self._nvidia, f"--query-gpu={NVIDIA_QUERY}", "--format=csv,noheader,nounits"],
                                      capture_output=True, text=True, timeout=5)
                if done.returncode == 0:
                    values.update(parse_nvidia_smi(done.stdout))
            except (OSError, subprocess.SubprocessError):
                pass
        return values

    def close(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def _read(path: str):
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _cpu_times():
    """(busy, total) jiffies of all CPUs since boot."""
    text = _read("/proc/stat")
    if not text:
        return None
    fields = [int(x) for x in text.splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def _process_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _meminfo() -> dict:
    values = {}
    for line in (_read("/proc/meminfo") or "").splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[name] = int(parts[0]) * 1024
    return values


def _process_rss():
    for line in (_read("/proc/self/status") or "").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def _disk_bytes():
    """(read, written) bytes of the whole disks since boot (partitions are not counted twice)."""
    text = _read("/proc/diskstats")
    if not text:
        return None
    read = written = 0
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 10:
            continue
        name = parts[2]
        if name.startswith(("loop", "ram")) or os.path.exists(f"/sys/block/{name}") is False:
            continue
        read += int(parts[5]) * 512
        written += int(parts[9]) * 512
    return read, written


def _network_bytes():
    """(received, sent) bytes of every interface but loopback since boot."""
    text = _read("/proc/net/dev")
    if not text:
        return None
    received = sent = 0
    for line in text.splitlines()[2:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if name.strip() == "lo" or len(parts) < 9:
            continue
        received += int(parts[0])
        sent += int(parts[8])
    return received, sent
