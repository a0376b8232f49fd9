"""Access codes for the bodies that file the form: made here, handed out once in a CSV, kept only as hashes.

A code is 16 letters and digits from an alphabet without look-alikes (about 79 bits), written in four groups
('K7QM-3XHD-P9TA-WN2R'); dashes, spaces and letter case do not matter when it is typed.
"""
from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from adep.errors import UserError
from adep.files import atomic_path
from adep.periods import Period
from adep.portal import reads, store
from adep.settings import Settings
from adep.submissions import record_event
from contracts.bin import is_valid_bin

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CSV_COLUMNS = ["bin", "name_kk", "name_ru", "code", "link"]


@dataclass(frozen=True)
class Issued:
    bin: str
    name_kk: str
    name_ru: str
    code: str
    link: str


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def sign_in_link(settings: Settings, bin_: str) -> str:
    """The sign-in page with the BIN filled in (never the code)."""
    return settings.portal_url.rstrip("/") + "/sign-in?" + urlencode({"bin": bin_})


def _periods(settings: Settings) -> list[Period]:
    """The quarter being reported on now and the one under way: a body of either may sign in."""
    last = reads.open_period(settings, store.now_utc())
    return [last, last.next()]


def issue(settings: Settings, bins: list[str] | None, out: Path) -> list[Issued]:
    """A new code for each body (bins None: every body that files the form), written to out as CSV.

    All bodies are checked before any code changes, so a mistyped BIN changes nothing.
    """
    if out.exists() and out.is_dir():
        raise UserError(f"--out {out} is a folder: give the CSV file to write")
    with reads.published(settings) as con:
        filing = {b["bin"]: b for b in reads.filing_bodies(con, _periods(settings))}
        if bins is None:
            chosen = list(filing.values())
        else:
            bad = [b for b in bins if not is_valid_bin(b)]
            if bad:
                raise UserError(f"not a valid BIN (12 digits with a check digit): {', '.join(bad)}")
            unknown = [b for b in dict.fromkeys(bins) if b not in filing]
            if unknown:
                raise UserError(f"no body that files form 1-әу has the BIN {', '.join(unknown)} in the registry now "
                                "(unknown, ended, or excluded from the form): no code was made")
            chosen = [filing[b] for b in dict.fromkeys(bins)]
    if not chosen:
        raise UserError("the registry lists no body that files form 1-әу: load the registry first")
    store.create(settings)
    issued = [Issued(b["bin"], b["name_kk"], b["name_ru"], new_code(), sign_in_link(settings, b["bin"])) for b in chosen]
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:  # written (owner-only) before any code changes, so no code is ever lost
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            tmp.chmod(0o600)
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            writer.writerows([i.bin, i.name_kk, i.name_ru, i.code, i.link] for i in issued)
        for item in issued:
            store.set_code(settings, item.bin, item.code)
            record_event(settings, "access_issued", bin=item.bin, address=None)
    return issued


def revoke(settings: Settings, bins: list[str]) -> tuple[list[str], list[str]]:
    """End each body's code and sessions at once: (revoked, had no code)."""
    bad = [b for b in bins if not is_valid_bin(b)]
    if bad:
        raise UserError(f"not a valid BIN (12 digits with a check digit): {', '.join(bad)}")
    store.create(settings)
    done, none = [], []
    for bin_ in dict.fromkeys(bins):
        if store.revoke_code(settings, bin_):
            done.append(bin_)
            record_event(settings, "access_revoked", bin=bin_, address=None)
        else:
            none.append(bin_)
    return done, none
