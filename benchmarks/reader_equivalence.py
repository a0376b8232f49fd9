"""Reader equivalence: read a generated quarter, store everything the reader and the batch checks said, and compare
a later run with the stored one, so that a change made for speed is shown to change no result.

    python benchmarks/reader_equivalence.py --store      # before a change: writes benchmarks/out/equivalence.json
    python benchmarks/reader_equivalence.py              # after it: prints every difference, exits 1 if any

Per file: readable, report found, fingerprint, header fields, values, blanks, cells, findings (rule, template, code,
field, cell, parameters) and choices; per batch: the header and rule findings of the batch checks, the values
frame that is loaded, and the findings file a rejected report would get. The files: the generated 5,000-body
quarter of intake_benchmark.py and a quarter with many damaged files (both made once, under benchmarks/out/).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from intake_benchmark import generate  # noqa: E402

from adep.intake.arrivals import Arrival  # noqa: E402
from adep.intake.checks import HEADER_FIELDS, _files_frame, _values_frame  # noqa: E402
from adep.intake.reader import read_path  # noqa: E402
from adep.settings import Settings  # noqa: E402
from contracts.form import codes, rules  # noqa: E402
from contracts.schemas import header_findings, rule_findings  # noqa: E402

STORE = ROOT / "benchmarks" / "out" / "equivalence.json"


def _finding(f) -> list:
    return [f.severity, f.rule, f.template, f.code, f.field, f.cell, f.params_json]


def _plain(v):
    return v.isoformat() if hasattr(v, "isoformat") else v


def damaged_quarter() -> Path:
    """A quarter with many damaged files (four in five), made once and reused."""
    folder = ROOT / "benchmarks" / "out" / "equivalence-extra"
    if not folder.exists():
        from adep.sample.quarter import make_quarter
        from adep.sample.registry import make_registry

        make_quarter(make_registry(1500, seed=11), "2026Q3", folder, seed=11, error_share=0.4, warning_share=0.4)
    return folder


def read_all(files: list[Path]) -> tuple[dict, list, float]:
    limits = Settings.__dataclass_fields__
    kw = {k: limits[k].default for k in ("max_file_bytes", "max_inflated_bytes", "max_sheet_cells")}
    out, results = {}, []
    started = time.process_time()
    for p in files:
        results.append(read_path(p, **kw))
    cpu = time.process_time() - started
    for p, r in zip(files, results):
        out[p.name] = dict(
            readable=r.readable, report_found=r.report_found, sha256=r.sha256, size=r.size_bytes,
            header={k: _plain(v) for k, v in sorted(r.header.items())},
            values=dict(sorted(r.values.items())), blanks=sorted(r.blanks), cells=dict(sorted(r.cells.items())),
            findings=[_finding(f) for f in r.findings], choices=[str(c) for c in r.choices],
        )
    return out, results, cpu


def batch_checks(files: list[Path], results: list) -> dict:
    import pandas as pd

    now = datetime(2026, 10, 5, tzinfo=timezone.utc)
    arrivals = [Arrival(str(p), p.name, r.size_bytes, now) for p, r in zip(files, results)]
    frame = _files_frame(arrivals, results)
    readable = frame.index[frame.readable & ~frame.is_structurally_broken]
    headers = frame.loc[readable, HEADER_FIELDS + ["bin_cell", "period_text", "period_cell"]]
    out = {}
    for key, items in header_findings(headers).items():
        out.setdefault(files[key].name, []).extend(["header", *_finding(f)] for f in items)
    wide = pd.DataFrame([results[k].values for k in readable], index=readable, columns=list(codes())).astype("Int64")
    cells = pd.DataFrame([results[k].cells for k in readable], index=readable, columns=list(codes()))
    for key, items in rule_findings(wide, cells, rules()).items():
        out.setdefault(files[key].name, []).extend(["rule", *_finding(f)] for f in items)
    values = _values_frame(results, readable)
    out["(values frame)"] = [str(values.dtypes.to_dict()), values.astype(object).where(values.notna(), None).values.tolist()]
    return dict(sorted(out.items()))


def findings_texts(files: list[Path], results: list) -> dict:
    """The findings file each report with findings would get (as if rejected)."""
    import pandas as pd
    from types import SimpleNamespace

    from adep.outputs.findings_file import format_findings
    from contracts.findings import FINDING_COLUMNS

    out = {}
    for i, (p, r) in enumerate(zip(files, results)):
        if not r.findings:
            continue
        h = r.header
        row = SimpleNamespace(file_name=p.name, file_id=i + 1, bin=h.get("bin"), year=h.get("year"), quarter=h.get("quarter"))
        found = pd.DataFrame([f.as_dict() for f in r.findings], columns=FINDING_COLUMNS).rename(columns={"name": "rule_name"})
        out[p.name] = format_findings(row, found)
    return out


def diff(old, new, path="", shown=None, limit=8) -> int:
    """Count the differences under path; print the first few of each kind (reader/*/choices, checks/*, texts/*)."""
    if old == new:
        return 0
    if isinstance(old, dict) and isinstance(new, dict):
        return sum(diff(old.get(k), new.get(k), f"{path}/{k}", shown, limit) for k in sorted(set(old) | set(new), key=str))
    kind = _kind(path)
    shown = _SHOWN if shown is None else shown
    shown[kind] = shown.get(kind, 0) + 1
    if shown[kind] <= limit:
        print(f"DIFF {path}:\n  before: {json.dumps(old, ensure_ascii=False)[:400]}\n  after:  {json.dumps(new, ensure_ascii=False)[:400]}")
    return 1


_SHOWN: dict[str, int] = {}


def _kind(path: str) -> str:
    """reader/FILE/findings -> 'reader/findings'; checks/FILE -> 'checks'; texts/FILE -> 'texts'."""
    parts = path.strip("/").split("/")
    return f"{parts[0]}/{parts[2]}" if parts[0] == "reader" and len(parts) > 2 else parts[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", action="append", type=Path,
                    help="folders of workbooks (default: the generated 5,000-body quarter and the hostile inputs)")
    ap.add_argument("--store", action="store_true", help="store this run as the reference")
    args = ap.parse_args()
    folders = args.folder or [generate(5000) / "files", damaged_quarter()]
    files = sorted(f for folder in folders for f in folder.iterdir() if f.is_file())
    reader, results, cpu = read_all(files)
    run = dict(reader=reader, checks=batch_checks(files, results), texts=findings_texts(files, results))
    print(f"{len(files)} files read, reader CPU {cpu / max(len(files), 1) * 1000:.3f} ms/file; "
          f"{sum(len(v['findings']) for v in reader.values())} findings, {sum(len(v['choices']) for v in reader.values())} choices")
    if args.store:
        STORE.parent.mkdir(parents=True, exist_ok=True)
        STORE.write_text(json.dumps(run, ensure_ascii=False, default=str))
        print(f"stored as {STORE}")
        return
    stored = json.loads(STORE.read_text())
    run = json.loads(json.dumps(run, ensure_ascii=False, default=str))
    n = sum(diff(stored[k], run[k], k) for k in ("reader", "checks", "texts"))
    print(f"{n} difference(s)" + (": " + ", ".join(f"{kind} {count}" for kind, count in sorted(_SHOWN.items())) if n else ""))
    raise SystemExit(1 if n else 0)


if __name__ == "__main__":
    main()
