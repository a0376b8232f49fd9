"""What the portal does for a signed-in body, the same for its pages and its JSON API: check an upload, submit it
for a receipt, list its submissions with the ledger's outcome, show a parent its branch. Every step and every
refusal goes to the audit trail (adep.submissions.record_event)."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
from datetime import datetime
from pathlib import Path

import duckdb

from adep import calendar
from adep.files import atomic_path
from adep.periods import Period
from adep.portal import reads, store
from adep.portal.checking import check_upload, safe_file_name
from adep.settings import Settings
from adep.submissions import RECEIPT_SUFFIX, Receipt, deliver, receipt_key, record_event, sign

_NUMBER = re.compile(r"_(\d{4}Q[1-4]-\d+)\.[A-Za-z]+" + re.escape(RECEIPT_SUFFIX) + "$")


class Refused(Exception):
    """A request the portal answers with an HTTP error: status, a reason for the audit trail, the page's text key."""

    def __init__(self, status: int, reason: str, text: str = "not_found", **detail):
        super().__init__(reason)
        self.status, self.reason, self.text, self.detail = status, reason, text, detail


def refuse(settings: Settings, status: int, reason: str, *, bin_: str | None, address: str | None,
           text: str = "not_found", **detail) -> Refused:
    """Record a refusal in the audit trail and give the exception to raise."""
    record_event(settings, "refusal", bin=bin_, address=address, status=status, reason=reason, **detail)
    return Refused(status, reason, text, **detail)


def start(settings: Settings) -> None:
    """Ready the store and the receipt key, and finish any delivery a stopped portal left half done."""
    store.create(settings)
    receipt_key(settings, create=True)
    settings.intake_dir.mkdir(parents=True, exist_ok=True)
    for number, receipt_json, stored_path in store.undelivered(settings):
        receipt = Receipt(**json.loads(receipt_json))
        deliver(settings, Path(stored_path).read_bytes(), receipt)
        store.mark_delivered(settings, number)
    store.continue_numbers(settings, _numbers_on_disk(settings))


def warm_up(settings: Settings) -> None:
    """Check one blank form once, so the first commissioner's upload does not pay for the checks' first run (the
    reader's and the schemas' one-time set-up: about half the time of a first check). Writes nothing."""
    import logging
    import tempfile

    from adep.forms.writer import write_template

    try:
        period = reads.open_period(settings, store.now_utc())
        with reads.published(settings) as con:
            found = reads.any_filing_body(con, period)
        if not found:
            return
        with tempfile.TemporaryDirectory(prefix="adep-warm-up-") as folder:
            path = write_template(Path(folder) / "blank.xlsx", bin=found[0], period=period, body_name=found[1])
            check_upload(settings, found[0], "blank.xlsx", path.read_bytes(), now=store.now_utc())
    except Exception:  # noqa: BLE001 - only a head start: a failure here changes nothing for any request
        logging.getLogger("adep.portal").debug("warm-up check failed", exc_info=True)


def _numbers_on_disk(settings: Settings) -> list[str]:
    """Receipt numbers of the receipts in intake/, archive/ and rejected/ (their names end with the number), so a
    store restored from an older backup never gives a number twice."""
    found = []
    for folder in (settings.intake_dir, settings.archive_dir, settings.rejected_dir):
        if folder.is_dir():
            found += [m.group(1) for p in folder.rglob("*" + RECEIPT_SUFFIX)
                      if (m := _NUMBER.search(p.name))]
    return found


def upload(settings: Settings, bin_: str, address: str, file_name: str | None, content: bytes, now: datetime) -> dict:
    """Check an uploaded file for the body and keep it: the upload as the API returns it."""
    name = safe_file_name(file_name)
    sha = hashlib.sha256(content).hexdigest()
    result = check_upload(settings, bin_, name, content, now=now, earlier_receipt=store.pending_sha256(settings, bin_, sha))
    upload_id = secrets.token_urlsafe(16)
    stored = store.uploads_dir(settings) / (upload_id + (Path(name).suffix.lower()[:8] or ".xlsx"))
    with atomic_path(stored) as tmp:
        tmp.write_bytes(content)
    store.add_upload(settings, dict(upload_id=upload_id, bin=bin_, created_at=now.isoformat(), file_name=name, sha256=sha,
                                    size_bytes=len(content), period=result["period"], outcome=result["outcome"],
                                    result=result, stored_path=str(stored)))
    errors = [f["rule"] for f in result["findings"] if f["severity"] == "error"]
    record_event(settings, "upload", bin=bin_, address=address, upload_id=upload_id, file_name=name, sha256=sha,
                 size_bytes=len(content), period=result["period"], outcome=result["outcome"], errors=errors,
                 warnings=[f["rule"] for f in result["findings"] if f["severity"] == "warning"])
    if result["outcome"] == "rejected":
        reason = "another_body" if "P02" in errors else "findings"
        record_event(settings, "refusal", bin=bin_, address=address, status=200, reason=reason, upload_id=upload_id,
                     file_bin=result["file_bin"], rules=errors)
    return {"upload_id": upload_id, **result}


def as_api(upload_id: str, result: dict) -> dict:
    keys = ("bin", "period", "outcome", "findings", "to_confirm", "file_bin", "body", "is_late", "deadline", "note")
    return {"upload_id": upload_id, **{k: result.get(k) for k in keys}}


def get_upload(settings: Settings, bin_: str, address: str, upload_id: str) -> dict:
    """The body's own upload; 404 (recorded) for an unknown id and for another body's alike."""
    found = store.upload(settings, upload_id, bin_)
    if found is None:
        raise refuse(settings, 404, "unknown_upload", bin_=bin_, address=address, upload_id=upload_id[:64])
    return found


def submit(settings: Settings, bin_: str, address: str, upload_id: str, confirm: list[str], now: datetime) -> Receipt:
    """Give the upload its receipt and deliver both into intake/; refused (409) with errors or unconfirmed warnings."""
    found = get_upload(settings, bin_, address, upload_id)
    result = found["result"]
    if found["receipt_number"]:
        raise refuse(settings, 409, "already_submitted", bin_=bin_, address=address, text="submitted",
                     upload_id=upload_id, receipt_number=found["receipt_number"])
    if found["outcome"] != "would_load":
        raise refuse(settings, 409, "has_errors", bin_=bin_, address=address, text="rejected_help", upload_id=upload_id)
    confirmed = [c for c in dict.fromkeys(confirm) if c in result["to_confirm"]]
    missing = [c for c in result["to_confirm"] if c not in confirmed]
    if missing:
        raise refuse(settings, 409, "not_confirmed", bin_=bin_, address=address, text="not_confirmed",
                     upload_id=upload_id, missing=missing)
    content = Path(found["stored_path"]).read_bytes()
    if hashlib.sha256(content).hexdigest() != found["sha256"]:
        raise refuse(settings, 409, "stored_copy_changed", bin_=bin_, address=address, text="forged", upload_id=upload_id)
    received_at = calendar.local_time(now, settings.timezone).isoformat(timespec="seconds")
    key = receipt_key(settings, create=True)
    try:
        with store.connection(settings, write=True) as con:
            number = store.take_receipt_number(con, found["period"])
            receipt = sign(Receipt(number, received_at, found["sha256"], bin_, found["period"], found["file_name"],
                                   upload_id), key)
            con.execute("INSERT INTO receipts (number, upload_id, bin, period, received_at, receipt, confirmed, delivered) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 0)", (number, upload_id, bin_, found["period"], now.isoformat(),
                                                            receipt.to_json(), json.dumps(confirmed)))
    except sqlite3.IntegrityError:  # the same upload submitted twice at the same moment: the other one won
        raise refuse(settings, 409, "already_submitted", bin_=bin_, address=address, text="submitted",
                     upload_id=upload_id) from None
    deliver(settings, content, receipt)
    store.mark_delivered(settings, number)
    findings = {f["id"]: f for f in result["findings"]}
    for finding_id in confirmed:
        f = findings[finding_id]
        record_event(settings, "confirmation", bin=bin_, address=address, upload_id=upload_id, finding=finding_id,
                     rule=f["rule"], code=f["code"], cell=f["cell"])
    record_event(settings, "submission", bin=bin_, address=address, upload_id=upload_id, receipt_number=number,
                 sha256=receipt.sha256, period=receipt.period, file_name=receipt.file_name, received_at=received_at)
    return receipt


def receipt_api(receipt: Receipt) -> dict:
    return {k: getattr(receipt, k) for k in ("number", "received_at", "sha256", "bin", "period", "file_name")}


def submissions(settings: Settings, bin_: str, con: duckdb.DuckDBPyConnection | None = None) -> list[dict]:
    """The body's submissions, newest first: the receipt, and the ledger's outcome once the intake has taken it in.
    Read through con when the caller has the published copy open already."""
    given = store.receipts(settings, bin_)
    receipts = [Receipt(**r["receipt"]) for r in given]
    if con is not None:
        outcomes = reads.ledger_outcomes(con, receipts)
    else:
        try:
            with reads.published(settings) as opened:
                outcomes = reads.ledger_outcomes(opened, receipts)
        except reads.NotPublished:
            outcomes = {}
    out = []
    for entry, receipt in zip(given, receipts):
        ledger = outcomes.get(receipt.number)
        out.append({"receipt": receipt_api(receipt), "upload_id": entry["upload_id"], "confirmed": entry["confirmed"],
                    "status": ledger["status"] if ledger else "waiting",
                    "ledger": None if ledger is None else {
                        "file_id": ledger["file_id"], "status": ledger["status"], "channel": ledger["channel"],
                        "received_at": _iso(ledger["received_at"]), "days_late": ledger["days_late"]},
                    "findings": ledger["findings"] if ledger else []})
    return out


def subtree(settings: Settings, bin_: str, period: Period) -> list[dict]:
    with reads.published(settings) as con:
        rows = reads.subtree(con, bin_, period)
    for row in rows:
        row["received_at"] = _iso(row["received_at"])
    return rows


def _iso(moment) -> str | None:
    if moment is None or moment != moment:
        return None
    return moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
