"""Command benchmark: the wall time of each adep command an operator types, run as a real process.

    python benchmarks/commands_benchmark.py [--bodies 400] [--repeat 3] [--baseline DIR] [--profile]

In a generated home (a country of --bodies bodies and its last ended quarter, from adep.sample) on the embedded
default (no PREFECT_API_URL), it times: the first command that needs Prefect in a fresh home (which starts
whatever it needs), then each command again in that home: an empty intake, the intake of one file, of the rest of
the quarter, a rerun of one rejected file, both rollup stages, status, export and report. Each figure is the median
of --repeat runs (min beside it), with the CPU time the command used (its own processes; a busy machine stretches
wall time far more than CPU time).

--baseline DIR runs the same commands from another checkout of adep (an earlier version) in a home of its own,
one command of each in turn, so that both meet the same load on a shared machine. --profile runs each command once
more under cProfile and splits its time into imports, Prefect's engine around the flow, the flow's own work and the
rest. Prints tables and one JSON line.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Longer than the default settle interval: files copied into intake/ this long before a command count as arrived.
SETTLED = 1.2
FIRST = "first Prefect command in a fresh home (intake, empty)"
# Seconds each command should take at most, in a home where one command already ran.
TARGETS = {"intake, 1 file": 2.0, "rerun ID": 2.0, "rollup --stage all": 2.0, "status": 1.0, "export": 1.0,
           "report": 1.0}


def generate(work: Path, bodies: int, seed: int = 7):
    """A registry and one quarter of report files (kept apart from the homes, dropped in one by one)."""
    from adep.periods import Period
    from adep.sample.quarter import make_quarter
    from adep.sample.registry import make_registry, write_registry_csv

    period = Period.last_ended(date.today())
    registry = make_registry(bodies, seed=seed)
    write_registry_csv(registry, work / "registry.csv")
    make_quarter(registry, period, work / "files", seed=seed)
    return period, sorted((work / "files").iterdir())


class Runner:
    """Runs adep commands of one checkout in one home, as a user's shell would, and keeps their times."""

    def __init__(self, name: str, source: Path, work: Path, profile: bool):
        self.name = name
        self.source = source
        self.home = work / name / "home"
        self.profiles = work / name / "profiles"
        self.profiles.mkdir(parents=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        # Prefect's own folder for these commands, so the benchmark neither reads nor fills the user's.
        self.env.update(PYTHONPATH=str(source), PREFECT_HOME=str(work / name / "prefect-user"),
                        PREFECT_SERVER_ANALYTICS_ENABLED="false")
        self.profile = profile
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.split: dict[str, dict[str, float]] = {}

    def run(self, label: str | None, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = self._adep([], args)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if check and proc.returncode != 0:
            raise SystemExit(f"adep {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        if label:
            self.wall.setdefault(label, []).append(seconds)
            self.cpu.setdefault(label, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return proc

    def run_profiled(self, label: str, *args: str) -> None:
        """The command once more under cProfile (slower than without), its time split by where it goes."""
        if not self.profile or label in self.split:
            return
        out = self.profiles / (label.replace(" ", "_").replace(",", "") + ".prof")
        started = time.perf_counter()
        self._adep(["-m", "cProfile", "-o", str(out)], args)
        self.split[label] = split_profile(out, time.perf_counter() - started)

    def _adep(self, prefix: list[str], args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *prefix, "-m", "adep.cli", "--home", str(self.home), *args],
                              env=self.env, cwd=self.source, capture_output=True, text=True)


def split_profile(path: Path, wall: float) -> dict[str, float]:
    """Seconds in imports, in Prefect's engine around the flow, in the flow's own body, in the rest (start, exit)."""
    stats = pstats.Stats(str(path)).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}

    def cumulative(match) -> float:
        return sum(v[3] for k, v in stats.items() if match(k))

    imports = cumulative(lambda k: k[2] == "_find_and_load" and "importlib" in k[0])
    engine = cumulative(lambda k: k[0].endswith("prefect/flow_engine.py") and k[2] == "run_flow_sync")
    flow = cumulative(lambda k: k[0].endswith("prefect/flow_engine.py") and k[2] == "call_flow_fn")
    main = cumulative(lambda k: k[0].endswith("adep/cli/parser.py") and k[2] == "main")
    return {"wall": wall, "imports": imports, "prefect engine": max(engine - flow, 0.0), "flow body": flow,
            "rest of main": max(main - imports - engine, 0.0), "start and exit": max(wall - main, 0.0)}


def rejected_file_id(home: Path) -> int:
    import duckdb

    con = duckdb.connect(str(home / "published" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select min(file_id) from intake_log where status = 'rejected'").fetchone()[0]
    finally:
        con.close()


def measure(runner: Runner, period, files: list[Path], registry: Path, repeat: int):
    """Each command in turn; yields after each, so that two checkouts can take turns."""
    (runner.home / "intake").mkdir(parents=True)
    runner.run("registry load (no Prefect)", "registry", "load", str(registry))
    yield
    runner.run(FIRST, "intake")
    yield
    for _ in range(repeat):
        runner.run("intake, empty", "intake")
        yield
    runner.run_profiled("intake, empty", "intake")
    singles, rest = files[:repeat + 1], files[repeat + 1:]
    for i, f in enumerate(singles):
        shutil.copy2(f, runner.home / "intake" / f.name)
        # The file arrived before the operator typed the command, longer ago than the settle interval (1 s).
        time.sleep(SETTLED)
        if i < repeat:
            runner.run("intake, 1 file", "intake")
        else:
            runner.run_profiled("intake, 1 file", "intake")
        yield
    for f in rest:
        shutil.copy2(f, runner.home / "intake" / f.name)
    time.sleep(SETTLED)
    runner.run(f"intake, {len(rest)} files", "intake")
    yield
    file_id = str(rejected_file_id(runner.home))
    commands = {"rerun ID": ("rerun", file_id), "rollup --stage all": ("rollup", str(period), "--stage", "all"),
                "status": ("status", str(period)), "export": ("export", str(period)), "report": ("report", str(period))}
    for _ in range(repeat):
        for label, args in commands.items():
            runner.run(label, *args)
            yield
    for label, args in commands.items():
        runner.run_profiled(label, *args)
    yield


def print_table(runners: list[Runner]) -> None:
    labels = list(runners[0].wall)
    width = max(len(label) for label in labels)
    head = "".join(f"  {r.name + ' wall':>14} {'cpu':>6}" for r in runners)
    print(f"\n{'command':<{width}}{head}   target (median wall)")
    for label in labels:
        cells, verdict = "", ""
        for r in runners:
            wall, cpu = statistics.median(r.wall[label]), statistics.median(r.cpu[label])
            cells += f"  {wall:14.2f} {cpu:6.2f}"
        target = TARGETS.get(label)
        if target is not None:
            wall = statistics.median(runners[-1].wall[label])
            verdict = f"<= {target:.0f} s: {'met' if wall <= target else 'MISSED'}"
        print(f"{label:<{width}}{cells}   {verdict}")
    for r in runners:
        first, again = r.wall[FIRST][0], statistics.median(r.wall["intake, empty"])
        if first > 2 * again:
            print(f"{r.name}: the first Prefect command pays a one-time {first - again:.1f} s (first intake minus an empty one)")
        else:
            print(f"{r.name}: every Prefect command pays about as much as the first ({first:.1f} s, then {again:.1f} s)")


def print_profiles(runner: Runner) -> None:
    if not runner.split:
        return
    parts = ["wall", "imports", "prefect engine", "flow body", "rest of main", "start and exit"]
    width = max(len(label) for label in runner.split)
    print(f"\nwhere the time goes ({runner.name}, under cProfile, which slows Python code; seconds)")
    print(f"{'command':<{width}}" + "".join(f"{p:>16}" for p in parts))
    for label, split in runner.split.items():
        print(f"{label:<{width}}" + "".join(f"{split[p]:16.2f}" for p in parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another adep checkout to time beside this one, in turns")
    parser.add_argument("--profile", action="store_true", help="also split each command's time under cProfile")
    parser.add_argument("--keep", action="store_true", help="keep the generated homes (their path is printed)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="adep-commands-"))
    runners = [Runner("before", args.baseline.resolve(), work, args.profile)] if args.baseline else []
    runners.append(Runner("after" if args.baseline else "adep", ROOT, work, args.profile))
    try:
        period, files = generate(work, args.bodies)
        print(f"{len(files)} files of {period} for {args.bodies} bodies in {work}; "
              + "; ".join(f"{r.name}: {r.source}" for r in runners))
        steps = [measure(r, period, files, work / "registry.csv", args.repeat) for r in runners]
        for _ in itertools.zip_longest(*steps):
            pass
    finally:
        # Whatever the commands left running for their homes stops with the benchmark (older versions had none).
        for r in runners:
            if r.home.exists():
                r.run(None, "server", "stop", check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(runners)
    for r in runners:
        print_profiles(r)
    print(json.dumps({"bodies": args.bodies, "runs": {
        r.name: {"source": str(r.source),
                 "wall": {k: round(statistics.median(v), 3) for k, v in r.wall.items()},
                 "cpu": {k: round(statistics.median(v), 3) for k, v in r.cpu.items()},
                 "profile": {k: {p: round(s, 3) for p, s in v.items()} for k, v in r.split.items()}} for r in runners}}))


if __name__ == "__main__":
    main()
