"""The form's name against its BIN: what it costs per file, against the obvious way, on generated registries.

    python benchmarks/name_check_benchmark.py --bodies 5000 20000

For each size: a generated registry (renamed and moved bodies among them) loaded into a fresh home, then
- adep: the registry's names put in normal form once per registry and quarter (the index), then one look-up per
  file, for every body's report named as the registry names it and for the same reports under a neighbour's BIN;
- the obvious way: for each file, every registry name of the quarter put in normal form and compared (on a sample
  of files; the ratio compares files per second).
Prints a table and one JSON line per size.
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

from adep.intake import body_names  # noqa: E402
from adep.periods import Period  # noqa: E402
from adep.registry import load_registry  # noqa: E402
from adep.sample.registry import make_registry, write_registry_csv  # noqa: E402
from adep.settings import load_settings  # noqa: E402
from contracts.names import normal_name  # noqa: E402
from warehouse.connect import connect  # noqa: E402
from warehouse.db import open_writer  # noqa: E402

PERIOD = Period(2026, 3)


def obvious(rows: list[tuple], bin_: str, written: str) -> str | None:
    """Every name of the quarter normalised again for this one file: another body's name, or None."""
    normal = normal_name.__wrapped__(written)
    own = {normal_name.__wrapped__(n) for b, kk, ru in rows if b == bin_ for n in (kk, ru)}
    if normal in own:
        return None
    return next((b for b, kk, ru in rows if b != bin_ and normal in (normal_name.__wrapped__(kk), normal_name.__wrapped__(ru))), None)


def bench(n: int, sample: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(Path(tmp) / "home", environ={}).ensure_dirs()
        registry = make_registry(n, seed=7)
        write_registry_csv(registry, Path(tmp) / "registry.csv")
        with open_writer(settings) as con:
            load_registry(con, Path(tmp) / "registry.csv")
        con = connect(settings)
        try:
            normal_name.cache_clear()
            body_names._CACHE.clear()
            started = time.perf_counter()
            names = body_names.quarter_names(con, PERIOD)
            index = time.perf_counter() - started
            started = time.perf_counter()
            body_names.quarter_names(con, PERIOD)
            lookup = time.perf_counter() - started
            rows = con.execute("select bin, name_kk, name_ru from bodies_in_period(?, ?)", [PERIOD.year, PERIOD.quarter]).fetchall()
        finally:
            con.close()
    bins = [r[0] for r in rows] * 2
    written = [r[1] for r in rows] + [r[2] for r in rows]
    neighbours = bins[1:] + bins[:1]
    started = time.perf_counter()
    own = body_names.name_findings(bins, written, names)
    copied = body_names.name_findings(neighbours, written, names)
    adep_seconds = time.perf_counter() - started
    files = 2 * len(bins)
    started = time.perf_counter()
    for b, w in list(zip(neighbours, written))[:sample]:
        obvious(rows, b, w)
    obvious_rate = sample / (time.perf_counter() - started)
    return dict(bodies=n, registry_rows=len(registry), files=files, index_ms=round(index * 1000, 1),
                cached_index_ms=round(lookup * 1000, 1), per_file_us=round(adep_seconds / files * 1e6, 2),
                files_per_second=round(files / adep_seconds), obvious_files_per_second=round(obvious_rate, 1),
                speedup=round(files / adep_seconds / obvious_rate), own_names_flagged=sum(f is not None for f in own),
                neighbour_copies_rejected=sum(f is not None and f.rule == "G04" for f in copied))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bodies", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--sample", type=int, default=200, help="files the obvious way checks (it is slow)")
    args = parser.parse_args()
    rows = []
    for n in args.bodies:
        row = bench(n, args.sample)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"{'bodies':>7} {'files':>7} {'index ms':>9} {'µs/file':>8} {'files/s':>9} {'obvious/s':>10} {'speed-up':>9}"
          f" {'own flagged':>12} {'copies rejected':>16}")
    for r in rows:
        print(f"{r['bodies']:>7} {r['files']:>7} {r['index_ms']:>9} {r['per_file_us']:>8} {r['files_per_second']:>9}"
              f" {r['obvious_files_per_second']:>10} {r['speedup']:>9} {r['own_names_flagged']:>12}"
              f" {r['neighbour_copies_rejected']:>16}")


if __name__ == "__main__":
    main()
