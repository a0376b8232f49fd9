"""Read one file with adep's reader in this (fresh) process and print what it cost: seconds, peak memory, rules.

Run as `python -m adep.intake.probe PATH [--limit-mb N]`; used by tests/intake/test_hostile.py and
benchmarks/hostile_inputs.py so each file's peak memory is its own, not the peak of the process that made it.
"""
from __future__ import annotations

import argparse
import json
import resource
import time


def peak_rss_kb() -> int:
    """This process's peak resident memory since it started (VmHWM; ru_maxrss carries the parent's peak over exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--limit-mb", type=int, default=0, help="address-space limit, so a runaway allocation fails here")
    args = parser.parse_args()
    from adep.intake.reader import read_path
    from adep.settings import Settings

    defaults = Settings()
    baseline = peak_rss_kb()
    if args.limit_mb:
        resource.setrlimit(resource.RLIMIT_AS, (args.limit_mb << 20, args.limit_mb << 20))
    started = time.perf_counter()
    result = read_path(args.path, max_file_bytes=defaults.max_file_bytes, max_inflated_bytes=defaults.max_inflated_bytes,
                       max_sheet_cells=defaults.max_sheet_cells)
    seconds = time.perf_counter() - started
    print(json.dumps(dict(seconds=seconds, peak_kb=peak_rss_kb(), baseline_kb=baseline, readable=result.readable,
                          rules=[f.rule for f in result.findings if f.severity == "error"],
                          message=result.findings[0].message if result.findings else "")))


if __name__ == "__main__":
    main()
