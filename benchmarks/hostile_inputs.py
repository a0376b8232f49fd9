"""Hostile inputs: for each kind, the time adep's reader takes to reject it and its peak memory.

    .venv/bin/python benchmarks/hostile_inputs.py

Each file is built in a temporary folder (adep/sample/hostile.py) and read by adep.intake.reader.read_path in a
fresh process (adep/intake/probe.py, capped at 2 GB of address space), so the peak memory is that file's
alone. Each time is also given as a share of the budget of 5 s a hostile file may take to be rejected (a ratio
above 1 is over it). Prints a table and one JSON line.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adep.sample.hostile import HOSTILE  # noqa: E402

BUDGET_SECONDS = 5.0


def probe(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "adep.intake.probe", str(path), "--limit-mb", "2048"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return dict(seconds=float("nan"), peak_kb=0, baseline_kb=0, rules=[f"died ({done.returncode})"], message=done.stderr[-200:])
    return json.loads(done.stdout)


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, (build, name, _) in HOSTILE.items():
            path = build(Path(tmp) / name)
            got = probe(path)
            rows.append(dict(kind=kind, file_bytes=path.stat().st_size, ms=round(got["seconds"] * 1000, 1),
                             of_budget=round(got["seconds"] / BUDGET_SECONDS, 3),
                             peak_mb=round(got["peak_kb"] / 1024, 1), over_baseline_mb=round((got["peak_kb"] - got["baseline_kb"]) / 1024, 1),
                             rule=",".join(got["rules"]), message=got["message"][:90]))
            path.unlink()
    print(f"{'input':36} {'file bytes':>12} {'ms':>8} {'/budget':>8} {'peak MB':>8} {'+MB':>6}  rule  message")
    for r in rows:
        print(f"{r['kind']:36} {r['file_bytes']:>12,} {r['ms']:>8} {r['of_budget']:>8} {r['peak_mb']:>8} "
              f"{r['over_baseline_mb']:>6}  {r['rule']:5} {r['message']}")
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
