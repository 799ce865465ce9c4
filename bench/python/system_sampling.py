"""What sampling system metrics costs a Python training process: the CPU time of one sample (the
/proc reads, no GPU here), and what that is at the default interval of 10 s.

    PYTHONPATH=sdk/python /usr/bin/python3 bench/python/system_sampling.py [samples]
"""

import statistics
import sys
import time

from runstream._system import SystemSampler

samples = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
sampler = SystemSampler(emit=lambda values: None, interval=3600)
costs = []
for _ in range(samples):
    start = time.process_time_ns()
    values = sampler.sample()
    costs.append(time.process_time_ns() - start)
sampler.close()
median_us = statistics.median(costs) / 1000
p99_us = sorted(costs)[int(len(costs) * 0.99)] / 1000
print(f"{samples} samples of {len(values)} metrics: CPU per sample median {median_us:.0f} us, p99 {p99_us:.0f} us; "
      f"at one sample per 10 s: {median_us / 10_000_000 * 100:.4f}% of one core")
