"""Files that have arrived in intake/ and finished copying, and batches of them on their way through intake.

A report the portal delivered has its receipt beside it (`<name>.receipt.json`, adep.submissions): the receipt is
never a report itself, travels with its report wherever the report is filed, and gives the report its time of
arrival once it is verified (adep.intake.receipts). A receipt whose report never came is left alone.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from adep.settings import Settings
from adep.submissions import RECEIPT_SUFFIX, Receipt, is_receipt

# Files that spreadsheet programs and browsers leave while working: not reports, and not ours to move.
_SCRATCH_PREFIXES = ("~$", ".~lock.", ".")
_SCRATCH_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download")


@dataclass(frozen=True)
class Arrival:
    """A file in intake/: where it is, how big, and when it arrived.

    received_at is the file's own time (its modification time), or the time of its receipt when one beside it
    carries the home's signature; the checks confirm the receipt against the file's bytes and BIN
    (adep.intake.receipts) and fall back to file_time when it does not hold.
    """

    path: str
    name: str
    size_bytes: int
    received_at: datetime
    is_regular: bool = True
    file_time: datetime | None = None  # the file's own time, whatever its receipt says
    receipt: Receipt | None = None  # the receipt beside the file, as read (not yet verified)
    receipt_problem: str | None = None  # why the receipt beside the file could not be read

    @property
    def own_time(self) -> datetime:
        return self.file_time or self.received_at


def _scan(intake: Path, receipts: set[str] | None = None) -> dict[str, os.stat_result]:
    """Every file in intake/ but scratch files and receipts, with its status; the receipts' paths go to `receipts`."""
    found = {}
    for root, dirs, files in os.walk(intake, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            if name.startswith(_SCRATCH_PREFIXES) or name.lower().endswith(_SCRATCH_SUFFIXES):
                continue
            if is_receipt(name):
                if receipts is not None:
                    receipts.add(os.path.join(root, name))
                continue
            path = os.path.join(root, name)
            try:
                found[path] = os.lstat(path)
            except FileNotFoundError:
                continue
    return found


def discover(settings: Settings) -> tuple[list[Arrival], list[str]]:
    """Files that are complete (size and time unchanged over the settle interval), and those still arriving."""
    from adep.intake.receipts import with_receipt
    from adep.submissions import receipt_key

    key = receipt_key(settings)
    receipts: set[str] = set()
    first = _scan(settings.intake_dir, receipts)
    # A file nothing has touched for the settle interval (its change time, which copying cannot backdate the way it
    # can the modification time, is that old) has settled already; only a pass that finds a fresh file waits.
    fresh_since = time.time() - settings.settle_seconds
    if settings.settle_seconds > 0 and any(max(st.st_ctime, st.st_mtime) > fresh_since for st in first.values()):
        time.sleep(settings.settle_seconds)
        receipts.clear()
        second = _scan(settings.intake_dir, receipts)
    else:
        second = first
    now = datetime.now(timezone.utc)
    ready, waiting = [], []
    for path, st in sorted(second.items()):
        before = first.get(path)
        if before is None or (before.st_size, before.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            waiting.append(path)
            continue
        regular = os.path.isfile(path) and not os.path.islink(path)
        # Arrival time is when the file landed in the folder (its modification time), never in the future, unless a
        # receipt signed by the portal says when it was received.
        received = min(datetime.fromtimestamp(st.st_mtime, timezone.utc), now)
        arrival = Arrival(path, display_name(os.path.basename(path)), st.st_size if regular else 0, received, regular)
        ready.append(with_receipt(arrival, key) if path + RECEIPT_SUFFIX in receipts else arrival)
    # In order of arrival: the first of two identical files is the original, the later of two reports supersedes.
    ready.sort(key=lambda a: (a.received_at, a.name))
    return ready, waiting


def display_name(name: str) -> str:
    """A file's name as text the ledger and the logs can hold.

    A name that is not UTF-8 (a zip made on Windows in cp866 or cp1251) reaches Python with surrogate escapes,
    which the warehouse refuses: one such file failed the load of its whole batch, and every later run with it.
    Its undecodable bytes are shown as U+FFFD; the file itself is found by its path, which keeps the real bytes.
    """
    return os.fsencode(name).decode("utf-8", "replace")


class Batch:
    """Files of one batch and what reading them gave.

    A plain class on purpose: the engine walks lists and dataclasses passed between tasks, and this holds thousands.
    """

    def __init__(self, arrivals: list[Arrival]):
        self.arrivals = arrivals
        self.results: list = []

    def __len__(self) -> int:
        return len(self.arrivals)


def batches(arrivals: list[Arrival], size: int) -> list[Batch]:
    return [Batch(arrivals[i:i + size]) for i in range(0, len(arrivals), max(1, size))]


def rerun_batch(settings: Settings, chosen: "pd.DataFrame") -> tuple[Batch, list[int]]:
    """Rejected files chosen from the ledger, as a batch to read again from where they are kept."""
    from adep.intake.receipts import with_receipt
    from adep.submissions import receipt_key

    key = receipt_key(settings)
    arrivals = []
    for row in chosen.itertuples():
        path = settings.home / row.stored_path
        received = row.received_at.to_pydatetime() if hasattr(row.received_at, "to_pydatetime") else row.received_at
        # A file that came with a receipt is judged again by its receipt, kept beside it; its own time is the one
        # its file keeps (moving a file keeps its modification time).
        try:
            st = path.stat()  # once: the file's size, and a portal file's own time
        except OSError:
            st = None  # gone or unreadable: the read then says so as a finding
        own = datetime.fromtimestamp(st.st_mtime, timezone.utc) if row.channel == "portal" and st else received
        arrival = Arrival(str(path), row.file_name, st.st_size if st else 0, own, file_time=own)
        arrivals.append(with_receipt(arrival, key))
    return Batch(arrivals), [int(i) for i in chosen.file_id]

