"""`adep portal access issue|revoke`: one code per body that files the form, in a CSV handed out once; a new code
replaces the old one, a revoked code stops at once; mistakes are one line and a non-zero exit."""
from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from adep.cli.parser import main
from adep.portal.app import create_app


def read_csv(path):
    with open(path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_all_bodies_that_file_get_a_code_and_a_link_without_it(built):
    rows = read_csv(built.settings.home.parent / "codes.csv")
    assert list(rows[0]) == ["bin", "name_kk", "name_ru", "code", "link"]
    assert {r["bin"] for r in rows} == {b for n, b in built.bins.items() if n != "defence"}  # the excluded body files nothing
    assert len({r["code"] for r in rows}) == len(rows)
    for r in rows:
        assert r["link"].endswith(f"/sign-in?bin={r['bin']}") and r["code"] not in r["link"]
        assert len(r["code"].replace("-", "")) == 16


def test_a_new_code_replaces_the_old_and_revoke_ends_it(world, tmp_path, capsys):
    home = str(world.settings.home)
    client = TestClient(create_app(world.settings))
    assert client.get("/api/v1/submissions", headers=world.bearer("unit_a")).status_code == 200
    assert main(["--home", home, "portal", "access", "issue", world.bins["unit_a"], "--out", str(tmp_path / "new.csv")]) == 0
    new = read_csv(tmp_path / "new.csv")
    assert [r["bin"] for r in new] == [world.bins["unit_a"]] and new[0]["code"] != world.codes["unit_a"]
    assert client.get("/api/v1/submissions", headers=world.bearer("unit_a")).status_code == 401
    fresh = {"Authorization": f"Bearer {world.bins['unit_a']}:{new[0]['code']}"}
    assert client.get("/api/v1/submissions", headers=fresh).status_code == 200
    # Other bodies' codes are untouched.
    assert client.get("/api/v1/submissions", headers=world.bearer("unit_b")).status_code == 200

    capsys.readouterr()
    assert main(["--home", home, "portal", "access", "revoke", world.bins["unit_a"], world.bins["district_a1"]]) == 0
    out = capsys.readouterr().out
    assert world.bins["unit_a"] in out and "effective now" in out
    assert client.get("/api/v1/submissions", headers=fresh).status_code == 401
    assert client.get("/api/v1/submissions", headers=world.bearer("district_a1")).status_code == 401
    assert main(["--home", home, "portal", "access", "revoke", world.bins["unit_a"]]) == 0
    assert "Had no code" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["issue", "123456789012", "--out", "x.csv"], "not a valid BIN"),
    (["issue", "--out", "x.csv"], "say which bodies"),
    (["issue", "DEFENCE", "--out", "x.csv"], "no body that files form 1-әу"),
    (["revoke", "12"], "not a valid BIN"),
])
def test_mistakes_are_one_line(world, tmp_path, capsys, args, words):
    args = [world.bins["defence"] if a == "DEFENCE" else a for a in args]
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    before = (world.settings.home / "portal" / "portal.sqlite3").read_bytes()
    capsys.readouterr()
    assert main(["--home", str(world.settings.home), "portal", "access", *args]) == 2
    out = capsys.readouterr().out.strip()
    assert words in out and len(out.splitlines()) == 1 and "Traceback" not in out
    assert not (tmp_path / "x.csv").exists()
    assert (world.settings.home / "portal" / "portal.sqlite3").read_bytes() == before


def test_a_folder_that_is_no_home_is_refused(tmp_path, capsys):
    assert main(["--home", str(tmp_path / "nowhere"), "portal", "access", "issue", "--all", "--out", str(tmp_path / "c.csv")]) == 2
    assert "is not an adep home" in capsys.readouterr().out
    assert not (tmp_path / "nowhere").exists()


# the second portal's thread fails to bind, as the test intends; its traceback is that thread's, not a failure
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_serve_can_run_the_portal_beside_the_flows(world, capsys):
    import httpx

    from adep.cli.portal import start_beside_flows
    from adep.errors import UserError
    from tests.intake_world import free_port

    port = free_port()
    server = start_beside_flows(world.settings, f"127.0.0.1:{port}")
    try:
        assert f"http://127.0.0.1:{port}" in capsys.readouterr().out
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).text == "ok"
        with pytest.raises(UserError, match="not HOST:PORT"):
            start_beside_flows(world.settings, "8000")
        with pytest.raises(UserError, match="is the port taken"):
            start_beside_flows(world.settings, f"127.0.0.1:{port}")
    finally:
        server.should_exit = True
