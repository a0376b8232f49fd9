"""Every refusal of the portal over HTTP: another body's BIN, another body's upload, bad and revoked codes, the rate
limit, the size limit, forged forms, expired and revoked sessions, unknown routes, hostile files; each one recorded."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from adep.portal import store
from adep.portal.app import SESSION_COOKIE, create_app
from adep.sample import hostile
from adep.submissions import audit_path
from tests.portal.portal_world import (csrf_of, report, signed_in, warned_values,
                                       wrong_values)


def events(world, event: str) -> list[dict]:
    con = sqlite3.connect(audit_path(world.settings))
    try:
        rows = con.execute("select bin, address, detail from audit_events where event = ? order by id", (event,)).fetchall()
    finally:
        con.close()
    return [{"bin": b, "address": a, **json.loads(d)} for b, a, d in rows]


def upload(client, world, name: str, path, headers=None):
    return client.post("/api/v1/uploads", headers=world.bearer(name) if headers is None else headers,
                       files={"file": (path.name, path.read_bytes(), "application/octet-stream")})


def test_a_file_with_another_bodys_bin_is_refused_naming_both_bodies(client, world, tmp_path):
    theirs = report(tmp_path / "copied from the neighbour.xlsx", world.bins["unit_b"])
    response = upload(client, world, "unit_a", theirs)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "rejected" and body["bin"] == world.bins["unit_a"] and body["file_bin"] == world.bins["unit_b"]
    p01 = [f for f in body["findings"] if f["rule"] == "P02"]
    assert len(p01) == 1 and p01[0]["severity"] == "error"
    ru, kk = p01[0]["message_ru"], p01[0]["message_kk"]
    assert "Департамент юстиции Акмолинской области" in ru and "Департамент юстиции области Абай" in ru
    assert world.bins["unit_a"] in ru and world.bins["unit_b"] in ru
    assert "Ақмола облысының әділет департаменті" in kk and "Абай облысының әділет департаменті" in kk
    # Refused to submit, and nothing reaches intake/.
    submit = client.post(f"/api/v1/uploads/{body['upload_id']}/submit", headers=world.bearer("unit_a"), json={"confirm": []})
    assert submit.status_code == 409 and submit.json()["error"] == "has_errors"
    assert not list(world.settings.intake_dir.iterdir())
    refusals = events(world, "refusal")
    assert any(e["reason"] == "another_body" and e["file_bin"] == world.bins["unit_b"] for e in refusals)
    assert any(e["reason"] == "has_errors" and e["status"] == 409 for e in refusals)


def test_another_bodys_upload_id_is_not_found(client, world, tmp_path):
    mine = upload(client, world, "unit_a", report(tmp_path / "a.xlsx", world.bins["unit_a"])).json()
    assert mine["outcome"] == "would_load" and mine["findings"] == [] and mine["to_confirm"] == []
    response = client.post(f"/api/v1/uploads/{mine['upload_id']}/submit", headers=world.bearer("unit_b"), json={"confirm": []})
    assert response.status_code == 404
    unknown = client.post("/api/v1/uploads/no-such-upload/submit", headers=world.bearer("unit_a"), json={"confirm": []})
    assert unknown.status_code == 404
    # Nor can the other body see it as a page.
    other = signed_in(TestClient(client.app), world, "unit_b")
    assert other.get(f"/uploads/{mine['upload_id']}").status_code == 404
    assert [e["upload_id"] for e in events(world, "refusal") if e["reason"] == "unknown_upload"][:1] == [mine["upload_id"]]
    assert not list(world.settings.intake_dir.iterdir())


def test_bad_and_revoked_codes_are_refused(client, world, tmp_path):
    from adep.portal import access

    path = report(tmp_path / "a.xlsx", world.bins["unit_a"])
    assert upload(client, world, "unit_a", path, {"Authorization": f"Bearer {world.bins['unit_a']}:WRONG-CODE"}).status_code == 401
    assert upload(client, world, "unit_a", path, {"Authorization": "Basic abc"}).status_code == 401
    assert upload(client, world, "unit_a", path, {}).status_code == 401
    assert client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {world.bins['unit_b']}:{world.codes['unit_a']}"}).status_code == 401
    assert upload(client, world, "unit_a", path).status_code == 200
    # The code's letters are forgiving of case and dashes, not of a wrong letter.
    sloppy = world.codes["unit_a"].replace("-", " ").lower()
    assert client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {world.bins['unit_a']}:{sloppy}"}).status_code == 200

    access.revoke(world.settings, [world.bins["unit_a"]])
    assert upload(client, world, "unit_a", path).status_code == 401
    failed = events(world, "sign_in_failed")
    assert len(failed) >= 3 and all(e["address"] == "testclient" for e in failed)
    assert failed[-1]["bin"] == world.bins["unit_a"]


def test_only_a_hash_of_each_code_is_kept(world):
    raw = b"".join(p.read_bytes() for p in audit_path(world.settings).parent.glob("portal.sqlite3*"))
    assert world.codes["unit_a"].encode() not in raw and world.codes["unit_a"].replace("-", "").encode() not in raw
    con = sqlite3.connect(audit_path(world.settings))
    try:
        digest, salt = con.execute("select code_hash, salt from access_codes where bin = ?", (world.bins["unit_a"],)).fetchone()
    finally:
        con.close()
    assert digest == store.hash_code(world.codes["unit_a"], bytes.fromhex(salt)) and len(salt) == 32


def test_failed_sign_ins_are_rate_limited_per_address(world):
    settings = replace(world.settings, portal_failed_sign_ins=3)
    with TestClient(create_app(settings)) as client:
        page = client.get("/sign-in")
        for _ in range(3):
            bad = client.post("/sign-in", data={"bin": world.bins["unit_a"], "code": "AAAA-BBBB", "csrf_token": csrf_of(page.text)})
            assert bad.status_code == 401
        # The right code no longer helps from this address, on the page nor through the API.
        good = client.post("/sign-in", data={"bin": world.bins["unit_a"], "code": world.codes["unit_a"],
                                             "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert good.status_code == 429 and SESSION_COOKIE not in good.cookies
        assert client.get("/api/v1/submissions", headers=world.bearer("unit_a")).status_code == 429
    # Another address is not held back.
    with TestClient(create_app(settings), client=("10.0.0.9", 5000)) as other:
        assert other.get("/api/v1/submissions", headers=world.bearer("unit_a")).status_code == 200
    assert [e["reason"] for e in events(world, "refusal")].count("rate_limited") == 2


def test_over_the_size_limit_is_413(world, tmp_path):
    settings = replace(world.settings, max_file_bytes=20_000)
    with TestClient(create_app(settings)) as client:
        big = tmp_path / "big.xlsx"
        big.write_bytes(b"PK" + b"\0" * 200_000)
        response = upload(client, world, "unit_a", big)
        assert response.status_code == 413 and response.json()["error"] == "too_large"
        # A declared length over the limit is refused on its header alone.
        declared = client.post("/api/v1/uploads", headers={**world.bearer("unit_a"), "Content-Length": "900000000",
                                                           "Content-Type": "multipart/form-data; boundary=x"}, content=b"--x--")
        assert declared.status_code == 413
    assert not list(world.settings.intake_dir.iterdir())
    assert len([e for e in events(world, "refusal") if e["status"] == 413]) == 2


def test_forged_forms_are_refused(client, world, tmp_path):
    # Sign-in without the form's token (a page elsewhere posting to the portal).
    response = client.post("/sign-in", data={"bin": world.bins["unit_a"], "code": world.codes["unit_a"]}, follow_redirects=False)
    assert response.status_code == 403 and SESSION_COOKIE not in response.cookies
    signed_in(client, world, "unit_a")
    path = report(tmp_path / "a.xlsx", world.bins["unit_a"], values=warned_values())
    forged = client.post("/uploads", data={"csrf_token": "guess"}, files={"file": (path.name, path.read_bytes())})
    assert forged.status_code == 403
    page = client.get("/body")
    done = client.post("/uploads", data={"csrf_token": csrf_of(page.text)}, files={"file": (path.name, path.read_bytes())},
                       follow_redirects=False)
    assert done.status_code == 303
    upload_id = done.headers["location"].split("/uploads/")[1].split("?")[0]
    submit = client.post(f"/uploads/{upload_id}/submit", data={"confirm": "f1"}, follow_redirects=False)
    assert submit.status_code == 403
    assert client.post("/sign-out", data={}, follow_redirects=False).status_code == 403
    assert not list(world.settings.intake_dir.iterdir())
    assert sorted(e["form"] for e in events(world, "refusal") if e["reason"] == "csrf") == ["sign_in", "sign_out", "submit", "upload"]


def test_expired_and_revoked_sessions_go_back_to_sign_in(client, world):
    from adep.portal import access

    signed_in(client, world, "unit_a")
    assert client.get("/body").status_code == 200
    con = sqlite3.connect(audit_path(world.settings))
    con.execute("update sessions set expires_at = ?", ((store.now_utc() - timedelta(seconds=1)).isoformat(),))
    con.commit()
    con.close()
    response = client.get("/body", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    assert "expired=1" in response.headers["location"]

    signed_in(client, world, "unit_a")
    assert client.get("/body").status_code == 200
    access.revoke(world.settings, [world.bins["unit_a"]])
    response = client.get("/body", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    assert client.get("/template", follow_redirects=False).status_code == 303


def test_unknown_routes_are_404(client, world):
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/api/v1/nothing", headers=world.bearer("unit_a")).status_code == 404
    assert client.get("/receipts/2026Q3-000001", follow_redirects=False).status_code == 303  # not signed in
    signed_in(client, world, "unit_a")
    assert client.get("/receipts/2026Q3-000001").status_code == 404


def test_warnings_must_each_be_confirmed(client, world, tmp_path):
    path = report(tmp_path / "a.xlsx", world.bins["unit_a"], values=warned_values())
    body = upload(client, world, "unit_a", path).json()
    assert body["outcome"] == "would_load" and len(body["to_confirm"]) == 1
    warning = body["findings"][0]
    assert warning["severity"] == "warning" and warning["rule"] == "R02" and warning["cell"] and warning["code"] == "1"
    refused = client.post(f"/api/v1/uploads/{body['upload_id']}/submit", headers=world.bearer("unit_a"),
                          json={"confirm": ["f99"]})
    assert refused.status_code == 409 and refused.json()["missing"] == body["to_confirm"]
    assert not list(world.settings.intake_dir.iterdir())
    done = client.post(f"/api/v1/uploads/{body['upload_id']}/submit", headers=world.bearer("unit_a"),
                       json={"confirm": body["to_confirm"]})
    assert done.status_code == 201
    again = client.post(f"/api/v1/uploads/{body['upload_id']}/submit", headers=world.bearer("unit_a"),
                        json={"confirm": body["to_confirm"]})
    assert again.status_code == 409 and again.json()["error"] == "already_submitted"
    assert [e["finding"] for e in events(world, "confirmation")] == body["to_confirm"]
    # The same bytes once more: already received, refused before anything is sent twice.
    twice = upload(client, world, "unit_a", path).json()
    assert twice["outcome"] == "rejected" and twice["findings"][0]["rule"] == "P03"
    assert done.json()["receipt"]["number"] in twice["findings"][0]["message_en"]


def test_errors_block_submission(client, world, tmp_path):
    body = upload(client, world, "unit_a", report(tmp_path / "a.xlsx", world.bins["unit_a"], values=wrong_values())).json()
    assert body["outcome"] == "rejected" and body["to_confirm"] == []
    errors = [f for f in body["findings"] if f["severity"] == "error"]
    assert errors and all(f["cell"] and f["message_kk"] and f["message_ru"] and f["message_en"] for f in errors)
    response = client.post(f"/api/v1/uploads/{body['upload_id']}/submit", headers=world.bearer("unit_a"), json={"confirm": []})
    assert response.status_code == 409


@pytest.mark.parametrize("make", [
    lambda p: hostile.zip_bomb(p, inflated_bytes=300_000_000),
    hostile.billion_laughs,
    hostile.encrypted_workbook,
    hostile.pdf_file,
    hostile.zip_many_parts,
    lambda p: (p.write_bytes(b""), p)[1],
], ids=["zip_bomb", "entities", "encrypted", "pdf", "many_parts", "empty"])
def test_hostile_files_are_refused_by_the_guard_never_a_5xx(client, world, tmp_path, make):
    path = make(tmp_path / "report.xlsx")
    response = upload(client, world, "unit_a", path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outcome"] == "rejected" and body["findings"][0]["rule"].startswith("F")
    assert not list(world.settings.intake_dir.iterdir())


def test_file_names_never_become_paths(client, world, tmp_path):
    path = report(tmp_path / "a.xlsx", world.bins["unit_a"])
    response = client.post("/api/v1/uploads", headers=world.bearer("unit_a"),
                           files={"file": ("../../etc/.passwd.xlsx", path.read_bytes())})
    assert response.status_code == 200 and response.json()["outcome"] == "would_load"
    done = client.post(f"/api/v1/uploads/{response.json()['upload_id']}/submit", headers=world.bearer("unit_a"),
                       json={"confirm": []}).json()["receipt"]
    assert done["file_name"] == "passwd.xlsx"
    assert sorted(p.name for p in world.settings.intake_dir.iterdir()) == [
        f"2026Q3_{world.bins['unit_a']}_{done['number']}.xlsx", f"2026Q3_{world.bins['unit_a']}_{done['number']}.xlsx.receipt.json"]


def test_a_request_with_no_file_is_400_and_recorded(client, world):
    no_file = client.post("/api/v1/uploads", headers=world.bearer("unit_a"), data={"other": "x"},
                          files={"note": ("", b"")})
    assert no_file.status_code == 400
    not_a_form = client.post("/api/v1/uploads", headers=world.bearer("unit_a"), json={"file": "x"})
    assert not_a_form.status_code == 400
    assert [e["reason"] for e in events(world, "refusal")] == ["bad_form", "bad_form"]


@pytest.mark.parametrize("name", ["q3.xls", "q3.ods"])
def test_old_excel_and_opendocument_files_are_read_and_judged_like_any_other(client, world, name):
    from pathlib import Path

    from tests.conftest import make_bin

    fixture = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / name  # made by LibreOffice, BIN make_bin(17)
    body = upload(client, world, "unit_a", fixture).json()
    assert body["file_bin"] == make_bin(17) and body["period"] == "2026Q3"
    assert "P02" in [f["rule"] for f in body["findings"]] and not [f for f in body["findings"] if f["rule"].startswith("F")]


def test_a_code_sent_in_the_place_of_the_bin_never_reaches_the_audit_trail(client, world):
    from adep.submissions import events_after

    code, bin_ = world.codes["unit_a"], world.bins["unit_a"]
    response = client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {code}:{bin_}"})
    assert response.status_code == 401
    failed = [e for e in events_after(world.settings, 0) if e["event"] == "sign_in_failed"]
    assert failed and failed[-1]["bin"] is None
    assert all(code[:6] not in json.dumps(e) for e in events_after(world.settings, 0))
    # a real BIN with a wrong code is kept: the trail says which body was tried
    client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {bin_}:wrong-code"})
    assert [e for e in events_after(world.settings, 0) if e["event"] == "sign_in_failed"][-1]["bin"] == bin_
