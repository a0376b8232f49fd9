"""What the submission portal hands to the intake: each accepted report with its receipt, and the portal's audit trail.

The portal never writes the warehouse. It writes two things the intake reads:

- **Into `intake/`**, for each submitted report, the report itself and its receipt beside it
  (`<report name>.receipt.json`). The receipt says who sent the report and when, by the portal's clock, and is
  signed with the home's receipt key (HMAC-SHA256), so a receipt written by anyone else, or a report whose bytes
  are not those the portal received, is told apart. The receipt is written first and the report second, each
  through a hidden temporary file renamed into place, so the intake never sees half of either, and never a report
  whose receipt is still to come.
- **The audit trail**, `portal/portal.sqlite3` (table `audit_events`): every sign-in, failed sign-in, upload,
  refusal, confirmation and submission, with who, when and from which address. The intake carries new events into
  the warehouse.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

from adep.files import atomic_path
from contracts.bin import is_valid_bin
from adep.settings import Settings

RECEIPT_SUFFIX = ".receipt.json"
REPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# What the audit trail records (the `event` column).
AUDIT_EVENTS = (
    "sign_in", "sign_in_failed", "sign_out", "upload", "refusal", "confirmation", "submission",
    "access_issued", "access_revoked",
)

_AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,          -- ISO 8601, UTC
    event TEXT NOT NULL,       -- one of AUDIT_EVENTS
    bin TEXT,                  -- the body that acted (signed in, or claimed at a failed sign-in); NULL when unknown
    address TEXT,              -- the client's address
    detail TEXT NOT NULL       -- JSON: upload id, receipt number, file name, reason of a refusal, ...
)
"""


class ReceiptError(ValueError):
    """A receipt that cannot be read, or does not prove what it says."""


@dataclass(frozen=True)
class Receipt:
    """Proof of one submission: its number, the server's time of receipt, the bytes' fingerprint, the body, the period."""

    number: str  # unique within the home, e.g. '2026Q3-000123'
    received_at: str  # ISO 8601 with the settings' time zone offset, e.g. '2026-10-04T15:02:11+05:00'
    sha256: str
    bin: str
    period: str  # e.g. '2026Q3'
    file_name: str  # the name the file was uploaded under
    upload_id: str = ""
    signature: str = ""

    def payload(self) -> bytes:
        """The signed bytes: every field but the signature, as canonical JSON."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "signature"}
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @property
    def received_at_utc(self) -> datetime:
        return datetime.fromisoformat(self.received_at).astimezone(timezone.utc)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def portal_dir(settings: Settings) -> Path:
    """The portal's own folder in the home: its receipt key and its store (codes' hashes, sessions, audit trail)."""
    return settings.home / "portal"


def receipt_key(settings: Settings, *, create: bool = False) -> bytes | None:
    """The home's secret for signing receipts (32 random bytes, readable by the owner only); None when there is none."""
    path = portal_dir(settings) / "receipt.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    return key


def sign(receipt: Receipt, key: bytes) -> Receipt:
    return replace(receipt, signature=hmac.new(key, receipt.payload(), hashlib.sha256).hexdigest())


def verify(receipt: Receipt, key: bytes | None) -> bool:
    """Whether the receipt was signed with this key (compared in constant time)."""
    if not key or not receipt.signature:
        return False
    expected = hmac.new(key, receipt.payload(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, receipt.signature)


def receipt_path(report_path: str | Path) -> Path:
    """Where a report's receipt stands: beside it, under the report's name plus `.receipt.json`."""
    report_path = Path(report_path)
    return report_path.with_name(report_path.name + RECEIPT_SUFFIX)


def is_receipt(name: str) -> bool:
    return name.endswith(RECEIPT_SUFFIX)


def delivery_name(receipt: Receipt) -> str:
    """The report's name in intake/: period, BIN and receipt number, with the uploaded file's own extension."""
    suffix = Path(receipt.file_name).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        suffix = ".xlsx"
    return f"{receipt.period}_{receipt.bin}_{receipt.number}{suffix}"


def deliver(settings: Settings, content: bytes, receipt: Receipt) -> Path:
    """Put a submitted report and its signed receipt into intake/: the receipt first, then the report, each atomically.

    A crash between the two leaves a receipt with no report, which the intake leaves alone; never a report without
    its receipt, which the intake would take as a file dropped into the folder.
    """
    if hashlib.sha256(content).hexdigest() != receipt.sha256:
        raise ReceiptError("the receipt's sha256 is not that of the content")
    report = settings.intake_dir / delivery_name(receipt)
    with atomic_path(receipt_path(report)) as tmp:
        tmp.write_text(receipt.to_json(), encoding="utf-8")
        _fsync(tmp)
    with atomic_path(report) as tmp:
        tmp.write_bytes(content)
        _fsync(tmp)
    return report


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_receipt(report_path: str | Path) -> Receipt | None:
    """The receipt beside a report; None when it has none; ReceiptError when it is there but cannot be read."""
    path = receipt_path(report_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReceiptError(f"the receipt {path.name} cannot be read: {exc}") from exc
    try:
        data = json.loads(text)
        names = {f.name for f in fields(Receipt)}
        receipt = Receipt(**{k: str(v) for k, v in data.items() if k in names})
        receipt.received_at_utc  # noqa: B018 - a time that is not ISO 8601 is an unreadable receipt
    except (ValueError, TypeError) as exc:
        raise ReceiptError(f"the receipt {path.name} is not a receipt: {exc}") from exc
    return receipt


# --- the audit trail ---------------------------------------------------------------------------------------------

def audit_path(settings: Settings) -> Path:
    return portal_dir(settings) / "portal.sqlite3"


_MADE: set[tuple[str, int]] = set()  # trail files (path, inode) whose table this process has already made


def open_trail(settings: Settings) -> sqlite3.Connection:
    """A short connection to HOME/portal/portal.sqlite3 (the trail, and the portal's store beside it), in WAL mode
    and autocommit; the trail's table is made on the first use of each file in this process, not at every event."""
    path = audit_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    made = (str(path), os.stat(path).st_ino)  # a file deleted and made again is a new one
    if made not in _MADE:
        con.execute(_AUDIT_SCHEMA)
        _MADE.add(made)
    return con


def record_event(settings: Settings, event: str, *, bin: str | None, address: str | None, **detail) -> None:
    """Append one event to the audit trail."""
    if event not in AUDIT_EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    if bin is not None and not is_valid_bin(bin):
        # what was typed as a BIN is kept only when it is one: a code typed into the BIN field, or sent as
        # 'Bearer CODE:BIN', must never reach the trail (nor the warehouse it is carried into) in clear
        bin, detail = None, {**detail, "bin_typed": "not a BIN"}
    con = open_trail(settings)
    try:
        con.execute("INSERT INTO audit_events (at, event, bin, address, detail) VALUES (?, ?, ?, ?, ?)",
                    (datetime.now(timezone.utc).isoformat(), event, bin, address,
                     json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)))
    finally:
        con.close()


def events_after(settings: Settings, last_id: int) -> list[dict]:
    """Audit events with an id above last_id, oldest first (what the intake has not carried yet)."""
    if not audit_path(settings).exists():
        return []
    con = open_trail(settings)
    try:
        rows = con.execute("SELECT id, at, event, bin, address, detail FROM audit_events WHERE id > ? ORDER BY id",
                           (last_id,)).fetchall()
    finally:
        con.close()
    return [dict(zip(("id", "at", "event", "bin", "address", "detail"), row)) for row in rows]
