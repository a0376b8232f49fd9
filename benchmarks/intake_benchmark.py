"""Intake benchmark: adep's intake, rollups and export against the obvious way, on generated quarters.

    python benchmarks/intake_benchmark.py --bodies 1000 5000 20000

For each size: a generated country and quarter (cached under benchmarks/out/), then in fresh homes
- adep: the intake flow in its own process (wall time with Prefect's start-up, the flow's own time
  without it, CPU per file of the process and of its reader workers, peak memory of each, time per
  step), both rollup stages and the Agency export;
- the obvious way: one Prefect task per file (pandas.read_excel, a pandera check of that one report,
  an insert of its rows), on the same files (on a sample when --obvious-limit is smaller than N;
  the ratio then compares files per second).
Prints a table and one JSON line per size.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
PERIOD = "2026Q3"
ENV = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="WARNING",
           PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", ADEP_SETTLE_SECONDS="0")


def generate(n: int) -> Path:
    """A country of n bodies and its quarter's files, made once and reused."""
    folder = OUT / f"country-{n}"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    code = (
        "from adep.sample.quarter import make_quarter\n"
        "from adep.sample.registry import make_registry, write_registry_csv\n"
        f"reg = make_registry({n}, seed=7)\n"
        f"write_registry_csv(reg, {str(folder / 'registry.csv')!r})\n"
        f"make_quarter(reg, {PERIOD!r}, {str(folder / 'files')!r}, seed=7)\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV, cwd=ROOT)
    (folder / "done").write_text(f"{time.perf_counter() - started:.1f}\n")
    return folder


def fresh_home(country: Path, name: str, limit: int | None = None) -> tuple[Path, int]:
    """A new home with the registry loaded and the quarter's files (or the first `limit`) in intake/."""
    home = OUT / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "intake").mkdir(parents=True)
    files = sorted((country / "files").iterdir())[:limit]
    for f in files:
        shutil.copy2(f, home / "intake" / f.name)
    subprocess.run([sys.executable, "-m", "adep.cli.parser", "--home", str(home), "registry", "load", str(country / "registry.csv")],
                   check=True, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL)
    return home, len(files)


def run_child(code: str, home: Path) -> dict:
    """Run code in a fresh interpreter (as a user's command would) and read the JSON it prints last."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(home)], env=ENV, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    return result


ADEP_CHILD = r"""
import glob, json, resource, sys, threading, time
from flows.intake import intake
from flows.rollup import rollup, rollup_agency, rollup_ministry
from adep.settings import load_settings
from warehouse.db import open_reader
from adep.periods import Period

def watch_readers(peaks, done):
    # Each reader process's own peak (VmHWM), looked up while it runs: the children's ru_maxrss would count the
    # pages a process shares with this one between its fork and its exec.
    while not done.is_set():
        for path in glob.glob("/proc/self/task/*/children"):
            for pid in open(path).read().split():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        if b"multiprocessing" not in fh.read():
                            continue
                    with open(f"/proc/{pid}/status") as fh:
                        kb = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
                    peaks[pid] = max(peaks.get(pid, 0), kb)
                except (OSError, StopIteration):
                    pass
        done.wait(0.1)

if __name__ == "__main__":
    home = sys.argv[1]
    peaks, done = {}, threading.Event()
    watcher = threading.Thread(target=watch_readers, args=(peaks, done), daemon=True)
    watcher.start()
    summary = intake(home=home)
    done.set(); watcher.join()
    readers_rss = max(peaks.values(), default=0)
    t = time.perf_counter(); rollup_ministry(period="%(period)s", home=home); ministry = time.perf_counter() - t
    t = time.perf_counter(); rollup_agency(period="%(period)s", home=home); agency = time.perf_counter() - t
    # both stages again in one flow run, as 'adep rollup PERIOD' runs them (nothing changed: no new version)
    t = time.perf_counter(); rollup(period="%(period)s", stage="all", home=home); both = time.perf_counter() - t
    from adep.outputs.export import write_consolidated
    settings = load_settings(home)
    t = time.perf_counter()
    con = open_reader(settings)
    write_consolidated(con, Period.parse("%(period)s"), "agency", settings.exports_dir / "agency.xlsx")
    con.close()
    export = time.perf_counter() - t
    main_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = max(main_rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps(dict(files=summary.files, flow_seconds=summary.seconds, steps=summary.step_seconds,
                          cpu_seconds=summary.cpu_seconds, main_rss_mb=main_rss / 1024, readers_rss_mb=readers_rss / 1024,
                          outcomes={k: v for k, v in summary.as_dict().items() if isinstance(v, int)},
                          ministry_seconds=ministry, agency_seconds=agency, both_stages_seconds=both, export_seconds=export,
                          peak_rss_mb=rss / 1024)))
""" % {"period": PERIOD}


OBVIOUS_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import duckdb, pandas as pd
from prefect import flow, task
from adep.intake.reader import locate_table, parse_value
from contracts.form import codes, rules
from contracts.schemas import values_schema

@task
def load_one(path: str, db: str) -> str:
    # The obvious way: one task per file, pandas.read_excel, a pandera check of this report, insert its rows.
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    for frame in sheets.values():
        grid = frame.where(frame.notna(), "").values.tolist()
        table = locate_table(grid)
        if table:
            break
    else:
        return "rejected"
    values = {}
    for code, rows in table.rows.items():
        raw = grid[rows[0]][table.value_col] if table.value_col < len(grid[rows[0]]) else ""
        values[code] = parse_value(raw)[0]
    report = pd.DataFrame([values], columns=list(codes())).astype("Int64")
    try:
        values_schema(rules()).validate(report, lazy=True)
        status = "loaded"
    except Exception:
        status = "rejected"
    con = duckdb.connect(db)
    con.execute("create table if not exists report_values (file varchar, code varchar, value bigint)")
    con.executemany("insert into report_values values (?, ?, ?)", [(path, c, v) for c, v in values.items()])
    con.close()
    return status

@flow
def obvious(folder: str, db: str) -> int:
    return len([load_one(str(p), db) for p in sorted(Path(folder).iterdir())])

if __name__ == "__main__":
    home = Path(sys.argv[1])
    t = time.perf_counter()
    n = obvious(str(home / "intake"), str(home / "obvious.duckdb"))
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(dict(files=n, flow_seconds=seconds, peak_rss_mb=rss / 1024)))
"""


def bench(n: int, obvious_limit: int) -> dict:
    country = generate(n)
    home, files = fresh_home(country, f"home-adep-{n}")
    adep = run_child(ADEP_CHILD, home)
    ohome, ofiles = fresh_home(country, f"home-obvious-{n}", obvious_limit)
    obvious = run_child(OBVIOUS_CHILD, ohome)
    adep_rate = adep["files"] / adep["flow_seconds"]
    obvious_rate = obvious["files"] / obvious["flow_seconds"]
    return dict(
        bodies=n, files=files,
        adep_wall_seconds=round(adep["wall_seconds"], 2), adep_flow_seconds=round(adep["flow_seconds"], 2),
        files_per_second_excluding_startup=round(adep_rate, 1),
        files_per_second_including_startup=round(adep["files"] / adep["wall_seconds"], 1),
        peak_rss_mb=round(adep["peak_rss_mb"], 1),
        main_rss_mb=round(adep["main_rss_mb"], 1), readers_rss_mb=round(adep["readers_rss_mb"], 1),
        # what the intake cost in CPU, per file: on a shared machine the wall time depends on the neighbours, this
        # does not; on a machine of its own with c cores a run takes at least (main + readers) / c per file
        cpu_ms_per_file={k: round(v / max(adep["files"], 1) * 1000, 3) for k, v in adep["cpu_seconds"].items()},
        steps={k: round(v, 3) for k, v in adep["steps"].items()},
        outcomes=adep["outcomes"],
        ministry_seconds=round(adep["ministry_seconds"], 3), agency_seconds=round(adep["agency_seconds"], 3),
        export_seconds=round(adep["export_seconds"], 3),
        both_stages_one_flow_seconds=round(adep["both_stages_seconds"], 3),
        rollups_and_export_seconds=round(adep["ministry_seconds"] + adep["agency_seconds"] + adep["export_seconds"], 3),
        obvious_files=ofiles, obvious_flow_seconds=round(obvious["flow_seconds"], 2),
        obvious_files_per_second=round(obvious_rate, 1),
        speedup_vs_obvious=round(adep_rate / obvious_rate, 1),
    )


def print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="adep intake benchmark", show_edge=False)
    columns = [("bodies", "bodies"), ("files", "files"), ("files/s (no start-up)", "files_per_second_excluding_startup"),
               ("files/s (with start-up)", "files_per_second_including_startup"), ("CPU ms/file main+readers", "cpu"),
               ("peak RSS MB main/readers", "rss"),
               ("rollups+export s", "rollups_and_export_seconds"), ("obvious files/s", "obvious_files_per_second"),
               ("speed-up", "speedup_vs_obvious")]
    for title, _ in columns:
        table.add_column(title, justify="right")
    for row in rows:
        cpu = row["cpu_ms_per_file"]
        shown = dict(row, cpu=f"{cpu.get('main', 0):.2f}+{cpu.get('readers', 0):.2f}",
                     rss=f"{row['main_rss_mb']:.0f}/{row['readers_rss_mb']:.0f}")
        table.add_row(*(str(shown[key]) for _, key in columns))
    Console(width=160).print(table)
    for row in rows:
        print(f"steps at {row['bodies']} bodies: " + ", ".join(f"{k} {v:.2f} s" for k, v in row["steps"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bodies", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--obvious-limit", type=int, default=1000,
                        help="files the obvious way processes (it takes about 50 ms a file); the ratio compares rates")
    args = parser.parse_args()
    rows = []
    for n in args.bodies:
        row = bench(n, args.obvious_limit)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()
