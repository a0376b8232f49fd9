"""An upload checked as `adep check` checks a file (the intake's own dry run, against the published warehouse), for
the body signed in: the dry run's findings, plus the portal's own two, a file that carries another body's BIN (P02)
and a file already received (P03). Errors block the submission; each warning must be confirmed."""
from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path

from adep.intake.dry_run import dry_run
from adep.periods import Period
from adep.portal import reads
from adep.settings import Settings
from contracts.findings import finding

log = logging.getLogger("adep.portal")

# The dry run's outcomes that the intake would load (with or without warnings; superseding the report in force).
_LOADS = ("loaded", "loaded with warnings", "superseded")


def safe_file_name(name: str | None) -> str:
    """The uploaded file's own name, kept readable but never a path: no folders, no control characters, short."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 110] + dot + suffix[:8]) if dot else name[:120]
    return name or "report.xlsx"


def _earlier_file(outcome: str) -> str:
    """The earlier file a dry run found the same bytes in: 'duplicate of ledger file 17 (a.xlsx, loaded)' -> 'a.xlsx'."""
    named = re.search(r"\((.+), \w+\)$", outcome)
    return named.group(1) if named else outcome.removeprefix("duplicate of ")


def _names(entry: dict | None) -> str | None:
    if not entry:
        return None
    return " / ".join(dict.fromkeys([entry["name_kk"], entry["name_ru"]]))


def _as_item(number: int, raw: dict) -> dict:
    return {"id": f"f{number}", "severity": raw["severity"], "rule": raw["rule"], "code": _text(raw.get("code")),
            "field": _text(raw.get("field")), "cell": _text(raw.get("cell")), "message_kk": raw["message_kk"],
            "message_ru": raw["message_ru"], "message_en": raw["message"]}


def _text(value) -> str | None:
    return None if value is None or value != value or value == "" else str(value)


def check_upload(settings: Settings, bin_: str, file_name: str, content: bytes, *, now: datetime,
                 earlier_receipt: str | None = None) -> dict:
    """What the intake would make of the file were it submitted now, for this body: outcome, findings, to_confirm.

    The file is checked from a copy in a private temporary folder (it arrives now, as the intake would see it).
    A file the reader cannot make sense of is rejected with findings; nothing about a file makes this raise.
    """
    with tempfile.TemporaryDirectory(prefix="adep-upload-") as folder:
        path = Path(folder) / file_name
        path.write_bytes(content)
        stamp = now.timestamp()
        os.utime(path, (stamp, stamp))
        with reads.published(settings) as con:
            try:
                verdict = dry_run([path], con, settings)[0]
            except Exception as exc:  # the guard refuses hostile files; anything else it missed is still a finding
                log.exception("upload of %s for %s could not be checked", file_name, bin_)
                item = finding("F01", "unopenable", reason=type(exc).__name__).as_dict()
                return {"bin": bin_, "file_bin": None, "period": None, "outcome": "rejected",
                        "findings": [_as_item(1, item)], "to_confirm": [], "note": None, "is_late": None,
                        "deadline": None, "body": None}
            raw = verdict.findings.to_dict("records") if len(verdict.findings) else []
            own = list(raw)
            file_bin = verdict.bin if isinstance(verdict.bin, str) and verdict.bin else None
            if file_bin and file_bin != bin_:
                period = Period.parse(verdict.period) if verdict.period else reads.open_period(settings, now)
                other = reads.body(con, file_bin, period) or reads.any_name(con, file_bin)
                mine = reads.body(con, bin_, period) or reads.any_name(con, bin_)
                own.insert(0, finding("P02", field="bin", found=file_bin, other=_names(other), body=_names(mine) or bin_,
                                      bin=bin_).as_dict())
            duplicate = verdict.outcome.startswith("duplicate")
            if earlier_receipt or duplicate:
                found = earlier_receipt or _earlier_file(verdict.outcome)
                own.insert(0, finding("P03", found=found).as_dict())
    findings = [_as_item(i, f) for i, f in enumerate(own, start=1)]
    errors = any(f["severity"] == "error" for f in findings)
    would_load = verdict.outcome in _LOADS and not errors
    return {
        "bin": bin_, "file_bin": file_bin, "period": verdict.period, "outcome": "would_load" if would_load else "rejected",
        "findings": findings,
        "to_confirm": [f["id"] for f in findings if f["severity"] == "warning"] if would_load else [],
        "note": verdict.note, "is_late": verdict.is_late, "deadline": verdict.deadline, "body": verdict.body,
    }
