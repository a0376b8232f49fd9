"""Each rule of the warehouse is written once: the code that needs it uses that one statement."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The classification of a body's share in a rollup: joined / left / moved / regrouped, arrived / revised / withdrawn.
_CLASSIFIES = re.compile(r"\bthen\s+'(joined|left|moved|regrouped|arrived|revised|withdrawn)'", re.IGNORECASE)


def _code(path: Path) -> str:
    """A file's SQL without its comments."""
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


def test_the_change_classification_lives_in_one_table_macro():
    homes = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "warehouse").rglob("*.sql")
                   if _CLASSIFIES.search(_code(p)))
    assert homes == ["warehouse/views/share_changes.sql"]
    users = {p.name for p in (ROOT / "warehouse").rglob("*.sql") if "share_changes(" in _code(p)}
    assert {"rollup_input_changes.sql", "stale_rollups.sql", "differences.sql"} <= users


def test_the_dry_run_decides_supersession_by_the_ledgers_rule():
    text = (ROOT / "adep" / "intake" / "dry_run.py").read_text(encoding="utf-8")
    assert "try_supersede_rule" in text
    assert not re.search(r"is_in_force|core_submissions", text)  # no second rule of its own, no query of the ledger
