"""Finishing what an interrupted run left undone: files the ledger places where they are not yet."""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import duckdb
from prefect import task
from prefect.cache_policies import NONE

from adep.settings import Settings
from tasks.load import write_findings_files


def _sha256(path: Path) -> str | None:
    """The bytes' fingerprint of a regular file; None for links, pipes and anything that is not one (never followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        h = hashlib.sha256()
        with os.fdopen(fd, "rb", closefd=False) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def finish_filing(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Move every file whose load committed but whose move did not happen (a crash in between); returns how many.

    The ledger is the truth: a file belongs where core_files.stored_path says. It may still be in intake/
    (first pass) or at its previous place in rejected/ (a rerun); either way it is found by its bytes.
    """
    ledger = con.execute("select file_id, file_name, stored_path, sha256 from core_files").df()
    home = settings.home
    missing = ledger[[not os.path.lexists(home / p) for p in ledger.stored_path]]
    if missing.empty:
        return 0
    # Where a file may still be: its previous place (named by its ledger id) or intake/ (named as it arrived).
    by_id: dict[int, list[Path]] = {}
    for folder in (settings.rejected_dir, settings.archive_dir):
        for root, _, names in os.walk(folder):
            for name in names:
                head = name.split("-", 1)[0]
                if head.isdigit() and not name.endswith(".txt"):
                    by_id.setdefault(int(head), []).append(Path(root) / name)
    moved, rejected = 0, []
    for row in missing.itertuples():
        candidates = by_id.get(int(row.file_id), []) + [settings.intake_dir / row.file_name]
        for source in candidates:
            if _sha256(source) == row.sha256:
                target = home / row.stored_path
                target.parent.mkdir(parents=True, exist_ok=True)
                old_findings = Path(f"{source}.findings.txt")
                os.replace(source, target)
                if old_findings.exists() and old_findings.parent != target.parent:
                    os.replace(old_findings, f"{source}.findings-earlier.txt")
                if row.stored_path.startswith("rejected/"):
                    rejected.append(int(row.file_id))
                moved += 1
                break
    if rejected:
        write_findings_files(con, settings, rejected)
    return moved


@task(cache_policy=NONE)
def finish_interrupted_filing(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Files a crashed run loaded but did not move: moved now, so every file is in exactly one place."""
    return finish_filing(con, settings)
