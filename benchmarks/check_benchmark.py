"""`adep check` over a whole quarter at once: the dry run's cost per file as the folder grows.

    python benchmarks/check_benchmark.py --bodies 500 2000

For each size: a generated registry loaded into a fresh home and its quarter of report files (adep.sample), then
one dry run (adep.intake.dry_run, what `adep check FOLDER` runs) of every file against the published copy. The
time is split into reading the files and the rest (the checks, the supersede rule tried in a rolled-back
transaction, the verdicts); the rest per file must stay flat as the folder grows (it once grew with the folder:
each file's note and body name were looked up by a pass or a query of their own). Prints a table and one JSON line.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adep.intake import dry_run as dry_run_module  # noqa: E402
from adep.registry import load_registry  # noqa: E402
from adep.sample.quarter import make_quarter  # noqa: E402
from adep.sample.registry import make_registry, write_registry_csv  # noqa: E402
from adep.settings import load_settings  # noqa: E402
from warehouse.db import open_published, open_writer  # noqa: E402


def measure(bodies: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        home = load_settings(tmp / "home", environ={}).ensure_dirs()
        registry = make_registry(bodies, seed=3)
        write_registry_csv(registry, tmp / "registry.csv")
        with open_writer(home) as con:
            load_registry(con, tmp / "registry.csv")
        make_quarter(registry, "2026Q3", tmp / "quarter", seed=7)
        paths = sorted((tmp / "quarter").iterdir())
        reading = 0.0
        read_one = dry_run_module.read_one

        def timed_read(*args, **kwargs):
            nonlocal reading
            started = time.perf_counter()
            try:
                return read_one(*args, **kwargs)
            finally:
                reading += time.perf_counter() - started

        dry_run_module.read_one = timed_read
        con = open_published(home.published_path, timezone=home.timezone)
        try:
            started = time.perf_counter()
            verdicts = dry_run_module.dry_run(paths, con, home)
            total = time.perf_counter() - started
        finally:
            con.close()
            dry_run_module.read_one = read_one
    rest = total - reading
    return dict(bodies=bodies, files=len(paths), would_load=sum(v.would_load for v in verdicts),
                seconds=round(total, 2), reading_s=round(reading, 2), rest_s=round(rest, 2),
                rest_ms_per_file=round(rest / len(paths) * 1000, 2), ms_per_file=round(total / len(paths) * 1000, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, nargs="+", default=[500, 2000])
    rows = [measure(n) for n in parser.parse_args().bodies]
    print(f"{'bodies':>7} {'files':>6} {'seconds':>8} {'reading':>8} {'rest':>6} {'ms/file':>8} {'rest ms/file':>13}")
    for r in rows:
        print(f"{r['bodies']:>7} {r['files']:>6} {r['seconds']:>8} {r['reading_s']:>8} {r['rest_s']:>6} "
              f"{r['ms_per_file']:>8} {r['rest_ms_per_file']:>13}")
    if len(rows) > 1:
        print(f"rest per file, largest over smallest folder: {rows[-1]['rest_ms_per_file'] / rows[0]['rest_ms_per_file']:.2f}x")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
