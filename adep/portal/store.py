"""The portal's own store (HOME/portal/portal.sqlite3, beside the audit trail): access codes' hashes, sessions,
uploads, receipts with their number sequence, and failed sign-ins for the rate limit.

The portal never writes the warehouse; everything it must remember lives here. Each call opens its own short
connection (SQLite in WAL mode), so the many threads of a busy portal never share one, and a receipt number is
taken inside one immediate transaction, so two submissions at the same moment never get the same number.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from adep.settings import Settings
from adep.submissions import open_trail, portal_dir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS access_codes (
    bin TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,      -- scrypt of the code with its salt, hex; the code itself is never kept
    salt TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,  -- sha256 of the cookie's value; the value itself is never kept
    bin TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address TEXT
);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    bin TEXT NOT NULL,
    created_at TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    period TEXT,
    outcome TEXT NOT NULL,        -- would_load | rejected
    result TEXT NOT NULL,         -- JSON: findings, to_confirm, note, is_late, deadline
    stored_path TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS receipts (
    number TEXT PRIMARY KEY,
    upload_id TEXT NOT NULL UNIQUE,
    bin TEXT NOT NULL,
    period TEXT NOT NULL,
    received_at TEXT NOT NULL,
    receipt TEXT NOT NULL,        -- the signed receipt as written into intake/
    confirmed TEXT NOT NULL,      -- JSON list of the warnings confirmed
    delivered INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS receipt_sequence (
    period TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_sign_ins (
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failed_sign_ins_by_address ON failed_sign_ins (address, at);
CREATE INDEX IF NOT EXISTS uploads_by_bin ON uploads (bin, created_at);
"""

RATE_WINDOW = timedelta(minutes=15)
# scrypt's cost: about 50 ms and 16 MB per check, far more than a guess is worth against a code of 80 random bits.
_SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded files are kept until submitted (and after, as the portal's own copy)."""
    return portal_dir(settings) / "uploads"


@contextmanager
def connection(settings: Settings, *, write: bool = False):
    """A short connection to the store; write=True holds SQLite's write lock for the whole block (one transaction)."""
    con = open_trail(settings)
    try:
        con.execute("PRAGMA synchronous=FULL")
        if write:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        else:
            yield con
    finally:
        con.close()


def create(settings: Settings) -> None:
    """Make the store's tables (idempotent) and the private folder for uploads."""
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    portal_dir(settings).chmod(0o700)
    with connection(settings) as con:
        con.executescript(_SCHEMA)


# --- access codes ------------------------------------------------------------------------------------------------

def normalize_code(code: str) -> str:
    """A code as typed or pasted: spaces and dashes between its groups, any letter case."""
    return "".join(ch for ch in str(code) if ch not in " -\t").upper()


def hash_code(code: str, salt: bytes) -> str:
    return hashlib.scrypt(normalize_code(code).encode("utf-8"), salt=salt, **_SCRYPT).hex()


def set_code(settings: Settings, bin_: str, code: str) -> None:
    """Keep a new code's hash for the body (replacing any earlier code) and end the body's sessions."""
    salt = secrets.token_bytes(16)
    digest = hash_code(code, salt)
    with connection(settings, write=True) as con:
        con.execute("INSERT OR REPLACE INTO access_codes (bin, code_hash, salt, issued_at) VALUES (?, ?, ?, ?)",
                    (bin_, digest, salt.hex(), _iso(now_utc())))
        con.execute("DELETE FROM sessions WHERE bin = ?", (bin_,))


def revoke_code(settings: Settings, bin_: str) -> bool:
    """End the body's code and its sessions at once; False when it had no code."""
    with connection(settings, write=True) as con:
        gone = con.execute("DELETE FROM access_codes WHERE bin = ?", (bin_,)).rowcount
        con.execute("DELETE FROM sessions WHERE bin = ?", (bin_,))
    return bool(gone)


def stored_code(settings: Settings, bin_: str) -> tuple[str, bytes] | None:
    with connection(settings) as con:
        row = con.execute("SELECT code_hash, salt FROM access_codes WHERE bin = ?", (bin_,)).fetchone()
    return (row[0], bytes.fromhex(row[1])) if row else None


# A code checked once is remembered for the same stored hash, so a script's every request does not pay scrypt.
# A new or revoked code changes or removes the stored hash, so the memory never outlives the code.
_verified: dict[str, str] = {}


def code_matches(settings: Settings, bin_: str, code: str) -> bool:
    """Whether the code is the body's current one (compared in constant time)."""
    stored = stored_code(settings, bin_)
    if stored is None or not code:
        hash_code(code or "-", b"0" * 16)  # the same work for an unknown BIN, so timing says nothing
        return False
    digest, salt = stored
    key = hashlib.sha256(f"{bin_}\0{normalize_code(code)}\0{digest}".encode()).hexdigest()
    if _verified.get(key) == digest:
        return True
    ok = hmac.compare_digest(hash_code(code, salt), digest)
    if ok:
        if len(_verified) > 10_000:
            _verified.clear()
        _verified[key] = digest
    return ok


# --- failed sign-ins ---------------------------------------------------------------------------------------------

def failures(settings: Settings, address: str) -> int:
    since = _iso(now_utc() - RATE_WINDOW)
    with connection(settings) as con:
        return con.execute("SELECT count(*) FROM failed_sign_ins WHERE address = ? AND at > ?",
                           (address, since)).fetchone()[0]


def add_failure(settings: Settings, address: str) -> None:
    with connection(settings, write=True) as con:
        con.execute("DELETE FROM failed_sign_ins WHERE at <= ?", (_iso(now_utc() - RATE_WINDOW),))
        con.execute("INSERT INTO failed_sign_ins (address, at) VALUES (?, ?)", (address, _iso(now_utc())))


# --- sessions ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Session:
    bin: str
    csrf: str
    expires_at: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(settings: Settings, bin_: str, address: str) -> tuple[str, Session]:
    """A new session for the body: the cookie's value (kept only as a hash) and the session."""
    token = secrets.token_urlsafe(32)
    created = now_utc()
    session = Session(bin_, secrets.token_urlsafe(24), _iso(created + timedelta(minutes=settings.portal_session_minutes)))
    with connection(settings, write=True) as con:
        con.execute("DELETE FROM sessions WHERE expires_at <= ?", (_iso(created),))
        con.execute("INSERT INTO sessions (token_hash, bin, csrf, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?)",
                    (_token_hash(token), bin_, session.csrf, _iso(created), session.expires_at, address))
    return token, session


def session_of(settings: Settings, token: str | None) -> Session | None:
    """The live session of a cookie's value; None when unknown, expired, or ended by a revoked or new code."""
    if not token:
        return None
    with connection(settings) as con:
        row = con.execute("SELECT bin, csrf, expires_at FROM sessions WHERE token_hash = ?", (_token_hash(token),)).fetchone()
    if not row or row[2] <= _iso(now_utc()):
        return None
    return Session(*row)


def end_session(settings: Settings, token: str | None) -> None:
    if token:
        with connection(settings, write=True) as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


# --- uploads and receipts ----------------------------------------------------------------------------------------

def add_upload(settings: Settings, row: dict) -> None:
    with connection(settings, write=True) as con:
        con.execute("INSERT INTO uploads (upload_id, bin, created_at, file_name, sha256, size_bytes, period, outcome, "
                    "result, stored_path) VALUES (:upload_id, :bin, :created_at, :file_name, :sha256, :size_bytes, "
                    ":period, :outcome, :result, :stored_path)", {**row, "result": json.dumps(row["result"], ensure_ascii=False)})


def _upload_row(cursor, row) -> dict:
    out = {d[0]: v for d, v in zip(cursor.description, row)}
    out["result"] = json.loads(out["result"])
    return out


def upload(settings: Settings, upload_id: str, bin_: str) -> dict | None:
    """One upload of the body; None for an unknown id or another body's (the same answer, so ids reveal nothing)."""
    with connection(settings) as con:
        cur = con.execute("SELECT u.*, r.number AS receipt_number FROM uploads AS u "
                          "LEFT JOIN receipts AS r USING (upload_id) WHERE u.upload_id = ? AND u.bin = ?", (upload_id, bin_))
        row = cur.fetchone()
        return _upload_row(cur, row) if row else None


def pending_sha256(settings: Settings, bin_: str, sha256: str) -> str | None:
    """The receipt number of an earlier submission of the same bytes by the body, if any."""
    with connection(settings) as con:
        row = con.execute("SELECT r.number FROM receipts AS r JOIN uploads AS u USING (upload_id) "
                          "WHERE u.bin = ? AND u.sha256 = ? ORDER BY r.received_at LIMIT 1", (bin_, sha256)).fetchone()
    return row[0] if row else None


def take_receipt_number(con: sqlite3.Connection, period: str) -> str:
    """The next number of the period's sequence ('2026Q3-000124'), inside the caller's immediate transaction."""
    row = con.execute("SELECT last FROM receipt_sequence WHERE period = ?", (period,)).fetchone()
    last = (row[0] if row else 0) + 1
    con.execute("INSERT OR REPLACE INTO receipt_sequence (period, last) VALUES (?, ?)", (period, last))
    return f"{period}-{last:06d}"


def continue_numbers(settings: Settings, numbers: list[str]) -> None:
    """Make each period's sequence continue after the highest of these receipt numbers ('2026Q3-000124')."""
    highest: dict[str, int] = {}
    for number in numbers:
        period, _, serial = number.rpartition("-")
        if period and serial.isdigit():
            highest[period] = max(highest.get(period, 0), int(serial))
    if not highest:
        return
    with connection(settings, write=True) as con:
        for period, last in highest.items():
            con.execute("INSERT INTO receipt_sequence (period, last) VALUES (?, ?) "
                        "ON CONFLICT (period) DO UPDATE SET last = max(last, excluded.last)", (period, last))


def receipts(settings: Settings, bin_: str) -> list[dict]:
    """The body's receipts, newest first."""
    with connection(settings) as con:
        cur = con.execute("SELECT number, upload_id, receipt, confirmed, delivered FROM receipts WHERE bin = ? "
                          "ORDER BY received_at DESC, number DESC", (bin_,))
        return [{"number": n, "upload_id": u, "receipt": json.loads(r), "confirmed": json.loads(c), "delivered": bool(d)}
                for n, u, r, c, d in cur.fetchall()]


def receipt(settings: Settings, number: str, bin_: str) -> dict | None:
    return next((r for r in receipts(settings, bin_) if r["number"] == number), None)


def undelivered(settings: Settings) -> list[tuple[str, str, str]]:
    """Receipts given whose report may not be in intake/ yet (a portal stopped between the two): number, receipt, file."""
    with connection(settings) as con:
        return con.execute("SELECT r.number, r.receipt, u.stored_path FROM receipts AS r JOIN uploads AS u USING (upload_id) "
                           "WHERE NOT r.delivered").fetchall()


def mark_delivered(settings: Settings, number: str) -> None:
    with connection(settings, write=True) as con:
        con.execute("UPDATE receipts SET delivered = 1 WHERE number = ?", (number,))
