"""Receipts in the intake: a report that came through the portal is dated by its signed receipt, never by its file.

Two channels bring reports into intake/:

- **portal**: the portal wrote the report and, beside it, its receipt (adep.submissions). The receipt is signed with
  the home's key, names the bytes (sha256) and the body (BIN) it was issued for, and says when the portal received
  the report. Once all of that holds, the ledger takes `received_at` from the receipt and records its number.
- **folder**: anything else dropped into intake/ is dated by the file's modification time, as before.

A receipt that does not hold (not signed with the home's key, no key in the home to check it, other bytes, another
BIN, unreadable) is never trusted: the file is rejected with a finding that says why (P01), and it is dated by its
own time like any file dropped into the folder.
"""
from __future__ import annotations

import os
from dataclasses import replace

import pandas as pd

from adep.intake.arrivals import Arrival
from adep.submissions import ReceiptError, read_receipt, receipt_path, verify
from contracts.findings import Finding, finding

PORTAL, FOLDER = "portal", "folder"


def with_receipt(arrival: Arrival, key: bytes | None) -> Arrival:
    """The arrival with the receipt beside it, if any; dated by the receipt when the home's signature is on it."""
    own = arrival.own_time
    if not os.path.lexists(receipt_path(arrival.path)):  # also a name too long to have a receipt beside it
        return replace(arrival, file_time=own)
    try:
        receipt = read_receipt(arrival.path)
    except ReceiptError as exc:
        return replace(arrival, file_time=own, receipt_problem=str(exc))
    if receipt is None:
        return replace(arrival, file_time=own)
    received = receipt.received_at_utc if verify(receipt, key) else own
    return replace(arrival, received_at=received, file_time=own, receipt=receipt)


def receipt_finding(arrival: Arrival, sha256: str | None, header_bin: str | None, key: bytes | None) -> Finding | None:
    """Why the receipt beside a file is not to be trusted (P01), or None when it holds or there is none."""
    if arrival.receipt_problem:
        return finding("P01", "unreadable", detail=arrival.receipt_problem)
    receipt = arrival.receipt
    if receipt is None:
        return None
    number = receipt.number or "?"
    if not key:
        return finding("P01", "no_key", number=number)
    if not verify(receipt, key):
        return finding("P01", "signature", number=number)
    if sha256 is not None and receipt.sha256 != sha256:
        return finding("P01", "sha256", number=number)
    if header_bin and receipt.bin != header_bin:
        return finding("P01", "bin", field="bin", number=number, receipt_bin=receipt.bin, found=header_bin)
    return None


def check_receipts(files: pd.DataFrame, arrivals: list[Arrival], found: dict[int, list[Finding]],
                   key: bytes | None) -> None:
    """Set each file's channel, receipt number and time of arrival; a receipt that does not hold becomes P01.

    Runs before the checks that read the time of arrival (the quarter over, lateness).
    """
    channel, number, received = [], [], []
    for k, arrival, sha, header_bin in zip(files.index, arrivals, files.sha256.tolist(), files.bin.tolist()):
        if arrival.receipt is None and not arrival.receipt_problem:
            channel.append(FOLDER)
            number.append(None)
            received.append(arrival.received_at)
            continue
        problem = receipt_finding(arrival, sha, header_bin if isinstance(header_bin, str) else None, key)
        if problem is None:
            channel.append(PORTAL)
            number.append(arrival.receipt.number)
            received.append(arrival.receipt.received_at_utc)
        else:
            found[k].append(problem)
            channel.append(FOLDER)
            number.append(None)
            received.append(arrival.own_time)
    files["channel"] = pd.Series(channel, index=files.index, dtype=object)
    files["receipt_number"] = pd.Series(number, index=files.index, dtype=object)
    times = pd.Series(pd.to_datetime(received, utc=True), index=files.index)
    files["received_at"] = times.astype(files.received_at.dtype) if len(files) else times
