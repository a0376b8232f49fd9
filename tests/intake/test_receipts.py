"""Receipts in the intake: a report the portal delivered is dated by its signed receipt, and travels with it; a receipt
that does not hold is never trusted; a receipt with no report is left alone. The dry run agrees."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adep.forms.writer import write_report
from adep.intake.dry_run import dry_run
from adep.submissions import Receipt, deliver, receipt_key, receipt_path, sign
from flows.intake import intake
from flows.rerun import rerun
from tests.conftest import LATE, ON_TIME, PERIOD, SIGNED, arrived, clean_values, query
from warehouse.connect import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")

# The portal received the report on time (2 October, 14:00 in Almaty); the file's own time says 20 October.
RECEIVED = "2026-10-02T14:00:00+05:00"


def _content(home, bin_: str, name: str = "Департамент А", seed: int = 0) -> bytes:
    path = write_report(home.home / "building.xlsx", bin=bin_, period=PERIOD, body_name=name, commissioner="Уәкіл",
                        phone="+7 700 000 0000", signed_on=SIGNED, values=clean_values(seed))
    content = path.read_bytes()
    path.unlink()
    return content


def _receipt(content: bytes, bin_: str, number: str = "2026Q3-000001", **changes) -> Receipt:
    fields = dict(number=number, received_at=RECEIVED, sha256=hashlib.sha256(content).hexdigest(), bin=bin_,
                  period=str(PERIOD), file_name="1-әу.xlsx", upload_id="u1")
    fields.update(changes)
    return Receipt(**fields)


def _delivered(home, bin_: str, number: str = "2026Q3-000001", *, key: bytes | None = None, content: bytes | None = None,
               **changes) -> Path:
    """A report delivered as the portal does (receipt first, then the report), its file dated late."""
    content = content if content is not None else _content(home, bin_)
    receipt = sign(_receipt(content, bin_, number, **changes), key or receipt_key(home, create=True))
    if receipt.sha256 != hashlib.sha256(content).hexdigest():  # a receipt for other bytes: written by hand
        path = home.intake_dir / f"{receipt.period}_{bin_}_{number}.xlsx"
        receipt_path(path).write_text(receipt.to_json(), encoding="utf-8")
        path.write_bytes(content)
    else:
        path = deliver(home, content, receipt)
    return arrived(path, LATE)


def _log(home) -> dict[str, dict]:
    frame = query(home, "select * from intake_log", frame=True)
    frame = frame.astype(object).where(frame.notna(), None)
    return {row["file_name"]: row for row in frame.to_dict("records")}


def _findings(home, file_id: int) -> list[str]:
    return [t for (t,) in query(home, "select template from findings where file_id = ? order by template", [file_id])]


def test_a_portal_report_is_dated_by_its_receipt_and_a_folder_report_by_its_file(home, registered):
    portal = _delivered(home, registered["unit_a"])
    folder = arrived(write_report(home.intake_dir / "b.xlsx", bin=registered["unit_b"], period=PERIOD,
                                  body_name="Департамент Б", commissioner="Уәкіл", phone="+7 700 000 0000",
                                  signed_on=SIGNED, values=clean_values()), LATE)

    summary = intake(home=str(home.home))

    assert summary.files == 2  # the receipt is no file of its own
    log = _log(home)
    p, f = log[portal.name], log[folder.name]
    assert (p["status"], p["channel"], p["receipt_number"]) == ("loaded", "portal", "2026Q3-000001")
    assert p["received_at"] == datetime(2026, 10, 2, 9, 0, tzinfo=timezone.utc)  # the receipt's, not the file's
    assert p["days_late"] == 0
    assert (f["status"], f["channel"], f["receipt_number"]) == ("loaded", "folder", None)
    assert f["received_at"] == LATE and f["days_late"] > 0
    (late,) = query(home, "select is_late from core_submissions where file_id = ?", [int(p["file_id"])])[0]
    assert late is False
    # the receipt went where its report went, and kept its bytes
    stored = home.home / p["stored_path"]
    assert stored.exists() and receipt_path(stored).exists()
    assert json.loads(receipt_path(stored).read_text(encoding="utf-8"))["number"] == "2026Q3-000001"
    assert list(home.intake_dir.iterdir()) == []


@pytest.mark.parametrize("case, template", [
    ("another key", "P01/signature"),
    ("no key", "P01/no_key"),
    ("other bytes", "P01/sha256"),
    ("another bin", "P01/bin"),
    ("unreadable", "P01/unreadable"),
])
def test_a_receipt_that_does_not_hold_is_never_trusted(home, registered, case, template):
    bin_ = registered["unit_a"]
    if case == "another key":
        receipt_key(home, create=True)
        path = _delivered(home, bin_, key=b"k" * 32)
    elif case == "no key":
        path = _delivered(home, bin_)
        (home.home / "portal" / "receipt.key").unlink()
    elif case == "other bytes":
        path = _delivered(home, bin_, sha256=hashlib.sha256(b"the bytes the portal received").hexdigest())
    elif case == "another bin":
        path = _delivered(home, bin_, bin=registered["unit_b"])  # a receipt issued to unit_b, on unit_a's file
    else:
        path = _delivered(home, bin_)
        receipt_path(path).write_text("{not json", encoding="utf-8")

    intake(home=str(home.home))

    row = _log(home)[path.name]
    assert row["status"] == "rejected"
    assert template in _findings(home, int(row["file_id"]))
    # never trusted: neither its time nor its number; the file is dated by its own time
    assert (row["channel"], row["receipt_number"], row["received_at"]) == ("folder", None, LATE)
    stored = home.home / row["stored_path"]
    assert stored.exists() and receipt_path(stored).exists()  # kept beside the rejected file
    text = Path(str(stored) + ".findings.txt").read_text(encoding="utf-8")
    assert "2026Q3-000001" in text or case == "unreadable"


def test_a_receipt_without_its_report_is_left_alone(home, registered):
    content = _content(home, registered["unit_a"])
    receipt = sign(_receipt(content, registered["unit_a"]), receipt_key(home, create=True))
    orphan = receipt_path(home.intake_dir / "2026Q3_x_2026Q3-000001.xlsx")
    orphan.write_text(receipt.to_json(), encoding="utf-8")

    summary = intake(home=str(home.home))

    assert summary.files == 0 and orphan.exists()
    assert query(home, "select count(*) from intake_log") == [(0,)]


def test_the_rerun_keeps_using_the_receipt(home, registered):
    path = _delivered(home, registered["unit_a"])
    key_file = home.home / "portal" / "receipt.key"
    key = key_file.read_bytes()
    key_file.unlink()  # the key lost: the receipt cannot be verified
    intake(home=str(home.home))
    row = _log(home)[path.name]
    assert row["status"] == "rejected" and "P01/no_key" in _findings(home, int(row["file_id"]))

    key_file.write_bytes(key)  # restored from the backup
    # same bytes, registry and rules as at the first attempt: still taken by --failed, since its receipt was refused
    summary = rerun(failed=True, home=str(home.home))
    assert summary.skipped == {} and summary.loaded == 1

    row = _log(home)[path.name]
    assert (row["status"], row["channel"], row["receipt_number"]) == ("loaded", "portal", "2026Q3-000001")
    assert row["received_at"] == datetime(2026, 10, 2, 9, 0, tzinfo=timezone.utc)
    stored = home.home / row["stored_path"]
    assert stored.parts[-3] == "archive" and receipt_path(stored).exists()


def test_the_dry_run_takes_the_receipt_as_the_intake_does(home, registered):
    good = _delivered(home, registered["unit_a"])
    forged = _delivered(home, registered["unit_a"], "2026Q3-000002", key=b"k" * 32,
                        content=_content(home, registered["unit_a"], seed=1))
    con = connect(home)
    try:
        verdicts = {Path(v.path).name: v for v in dry_run([good, forged], con, home)}
    finally:
        con.close()
    assert verdicts[good.name].would_load and verdicts[good.name].is_late is False  # dated by the receipt
    assert (verdicts[good.name].channel, verdicts[good.name].receipt_number) == ("portal", "2026Q3-000001")
    assert (verdicts[forged.name].channel, verdicts[forged.name].receipt_number) == ("folder", None)
    assert not verdicts[forged.name].would_load
    assert "P01/signature" in verdicts[forged.name].findings.template.tolist()


def test_adep_check_reads_the_receipt_beside_a_report_and_never_a_receipt_as_a_report(home, registered, capsys):
    from adep.cli.parser import main

    report = _delivered(home, registered["unit_a"])
    assert main(["--home", str(home.home), "check", str(report), str(receipt_path(report))]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "1 file(s) checked: 1 would load" in out
    assert "receipt 2026Q3-000001" in out
    assert main(["--home", str(home.home), "check", str(receipt_path(report))]) == 2


def test_a_crash_between_moving_the_receipt_and_its_report_is_finished_by_the_next_run(home, registered):
    path = _delivered(home, registered["unit_a"])
    intake(home=str(home.home))
    row = _log(home)[path.name]
    stored = home.home / row["stored_path"]
    # as a crash leaves it: the receipt moved first, the report still in intake/, the ledger committed
    stored.replace(path)
    assert receipt_path(stored).exists() and not receipt_path(path).exists()

    summary = intake(home=str(home.home))

    assert (summary.recovered, summary.files) == (1, 1)
    assert stored.exists() and receipt_path(stored).exists() and list(home.intake_dir.iterdir()) == []
    assert query(home, "select count(*), max(receipt_number) from intake_log") == [(1, "2026Q3-000001")]
