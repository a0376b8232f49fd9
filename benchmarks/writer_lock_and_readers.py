"""The one-writer lock and the readers' copy: how long a refused writer waits, and how long a reader's query takes
while writes and publications go on.

    .venv/bin/python benchmarks/writer_lock_and_readers.py [--writes 20]

1. The lock: while one writer holds a home's lock, a second asks for it with --wait of 0, 0.5 and 2 s; the table
   gives the time it took to be refused and its ratio to the wait asked for (1.0 is exact; the lock is retried every
   0.2 s, so up to about 0.2 s over is expected).
2. The readers: an analyst's loop opens the published copy afresh, counts the registry and closes it, again and
   again, while the writer loads the registry --writes times, each write publishing a new copy. The table gives the
   reads' median and longest time beside the writes' median: a reader never waits for a writer, so its longest read
   should stay far below a write.
Prints tables and one JSON line.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adep.registry import load_registry  # noqa: E402
from adep.settings import load_settings  # noqa: E402
from contracts.bin import complete_bin  # noqa: E402
from warehouse.db import WarehouseBusy, open_published, open_writer, writer_lock  # noqa: E402


def registry_file(path: Path, n: int) -> Path:
    """A ministry and n territorial units under it."""
    bins = []
    k = 0
    while len(bins) < n + 1:
        k += 1
        b = complete_bin(f"{980000000 + k:09d}01")
        if b:
            bins.append(b)
    lines = ["bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to",
             f"{bins[0]},Министрлік,Министерство,central_body,,Астана,2020-01-01,"]
    lines += [f"{b},Бөлім {i},Отдел {i},territorial_unit,{bins[0]},Абай облысы,2020-01-01," for i, b in enumerate(bins[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lock_waits(settings) -> list[dict]:
    rows = []
    for asked in (0.0, 0.5, 2.0):
        with writer_lock(settings):
            started = time.perf_counter()
            try:
                with writer_lock(settings, wait_seconds=asked):
                    pass
            except WarehouseBusy:
                pass
            took = time.perf_counter() - started
        rows.append(dict(asked_s=asked, took_s=round(took, 3), ratio=round(took / asked, 2) if asked else None))
    return rows


def reads_during_writes(settings, csv: Path, writes: int) -> dict:
    stop = threading.Event()
    reads: list[float] = []
    failures: list[str] = []

    def analyst() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                con = open_published(settings.published_path, timezone=settings.timezone)
                try:
                    con.execute("select count(*) from core_registry").fetchall()
                finally:
                    con.close()
            except Exception as exc:  # counted, never raised: the figure is how many failed
                failures.append(f"{type(exc).__name__}: {exc}")
            reads.append(time.perf_counter() - started)
            time.sleep(0.01)

    reader = threading.Thread(target=analyst)
    reader.start()
    write_times = []
    try:
        for _ in range(writes):
            started = time.perf_counter()
            with open_writer(settings) as con:
                load_registry(con, csv)
            write_times.append(time.perf_counter() - started)
    finally:
        stop.set()
        reader.join()
    return dict(reads=len(reads), failed_reads=len(failures), read_median_s=round(statistics.median(reads), 4),
                read_max_s=round(max(reads), 4), write_median_s=round(statistics.median(write_times), 4),
                longest_read_to_write=round(max(reads) / statistics.median(write_times), 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(Path(tmp) / "home", environ={}).ensure_dirs()
        csv = registry_file(Path(tmp) / "registry.csv", 300)
        with open_writer(settings) as con:
            load_registry(con, csv)
        locks = lock_waits(settings)
        readers = reads_during_writes(settings, csv, args.writes)
    print(f"{'wait asked (s)':>15} {'refused after (s)':>18} {'ratio':>6}")
    for r in locks:
        print(f"{r['asked_s']:>15} {r['took_s']:>18} {r['ratio'] if r['ratio'] is not None else '-':>6}")
    print()
    print(f"{'reads':>6} {'failed':>7} {'read median (s)':>16} {'longest read (s)':>17} {'write median (s)':>17} {'longest read / write':>21}")
    print(f"{readers['reads']:>6} {readers['failed_reads']:>7} {readers['read_median_s']:>16} {readers['read_max_s']:>17} "
          f"{readers['write_median_s']:>17} {readers['longest_read_to_write']:>21}")
    print(json.dumps(dict(lock=locks, readers=readers)))


if __name__ == "__main__":
    main()
