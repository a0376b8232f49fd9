"""Rerun benchmark: what `rerun --failed` costs when nothing has changed, against `rerun --all`.

    python benchmarks/rerun_benchmark.py --bodies 3000

For each size: the generated country and quarter of intake_benchmark.py (cached under benchmarks/out/), loaded by
the intake flow in a fresh home; a second intake pass brings a corrected report from a few bodies whose first
file was rejected (so those files are resolved). Then, with nothing else changed, in one process:
- `rerun --failed`: decides for every rejected file whether a change could help (resolved by a later report?
  same bytes, registry entry and rules as at its last attempt?) and leaves them alone;
- `rerun --all`: reads and checks every rejected file again (they stay rejected, each with a new attempt);
- `rerun --failed` once more: after --all every file's last attempt is again current, so all are left alone.
Prints one JSON line per size with the flows' own times (no engine start-up) and what each did.
"""
from __future__ import annotations

import argparse
import json
import shutil

from intake_benchmark import OUT, PERIOD, fresh_home, generate, run_child

CHILD = r"""
import json, os, sys
from pathlib import Path
import duckdb
from adep.forms.writer import write_report
from adep.periods import Period
from flows.intake import intake
from flows.rerun import rerun


def send_corrections(home: Path, count: int) -> None:
    # A corrected report from `count` bodies whose file was rejected: the figures of a report that loaded,
    # arriving a day after the last file of the quarter.
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    bins = con.execute("select distinct bin from core_files where status = 'rejected' and bin is not null "
                       "and year * 10 + quarter = ? order by bin limit ?", [%(period)d, count]).fetchall()
    values = dict(con.execute("select code, value from report_values "
                              "where file_id = (select min(file_id) from report_values)").fetchall())
    when = con.execute("select epoch(max(received_at)) + 86400 from core_files").fetchall()[0][0]
    con.close()
    for (bin_,) in bins:
        path = write_report(home / "intake" / f"corrected {bin_}.xlsx", bin=bin_, period=Period(%(year)d, %(quarter)d),
                            body_name="corrected", commissioner="C", phone="1", signed_on=None, values=values)
        os.utime(path, (when, when))


if __name__ == "__main__":
    home, count = Path(sys.argv[1]), %(count)d
    first = intake(home=str(home))
    send_corrections(home, count)
    second = intake(home=str(home))
    runs = {}
    for name, kwargs in (("failed", {}), ("all", {"force": True}), ("failed_again", {})):
        summary = rerun(failed=True, home=str(home), **kwargs)
        runs[name] = dict(seconds=round(summary.seconds, 2), rerun=summary.files, rejected=summary.rejected,
                          skipped=summary.skipped)
    print(json.dumps(dict(intake_files=first.files, intake_seconds=round(first.seconds, 2),
                          intake_steps={k: round(v, 2) for k, v in first.step_seconds.items()},
                          corrected_loaded=second.loaded + second.warned, reruns=runs)))
"""


def bench(n: int, corrected: int) -> dict:
    country = generate(n)
    home, files = fresh_home(country, f"home-rerun-{n}")
    year, quarter = int(PERIOD[:4]), int(PERIOD[-1])
    result = run_child(CHILD % {"period": year * 10 + quarter, "year": year, "quarter": quarter, "count": corrected}, home)
    shutil.rmtree(home, ignore_errors=True)
    return dict(bodies=n, files=files, **result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bodies", type=int, nargs="+", default=[3000])
    parser.add_argument("--corrected", type=int, default=20, help="bodies whose rejected file gets a corrected one")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for n in args.bodies:
        print(json.dumps(bench(n, args.corrected)), flush=True)


if __name__ == "__main__":
    main()
