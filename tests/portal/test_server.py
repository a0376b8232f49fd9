"""A real `adep portal` process under load and abuse: 20 bodies submitting at the same moment, a body far over the
size limit refused before it is sent, a portal killed in the middle of an upload."""
from __future__ import annotations

import hashlib
import socket
import threading
import time

import httpx
import pytest

from adep.portal.access import issue
from adep.submissions import read_receipt, receipt_key, verify
from tests.conftest import make_bin
from tests.portal.portal_world import PortalProcess, build_world, report
from tests.server_world import wait_for

pytestmark = pytest.mark.server

CROWD = 20


@pytest.fixture(scope="module")
def crowd_world(tmp_path_factory):
    """The small country plus 20 units under the ministry, each with a code."""
    folder = tmp_path_factory.mktemp("crowd")
    world = build_world(folder)
    lines = (folder / "registry.csv").read_text(encoding="utf-8").splitlines()
    extra = {f"unit_{k}": make_bin(400 + k) for k in range(CROWD)}
    lines += [f"{b},Бөлім {k},Отдел {k},territorial_unit,{world.bins['ministry']},Абай облысы,2020-01-01,"
              for k, b in enumerate(extra.values())]
    (folder / "registry.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from adep.cli.parser import main

    assert main(["--home", str(world.settings.home), "registry", "load", str(folder / "registry.csv")]) == 0
    issued = issue(world.settings, list(extra.values()), folder / "crowd.csv")
    world.bins.update(extra)
    world.codes.update({name: next(i.code for i in issued if i.bin == b) for name, b in extra.items()})
    return world


@pytest.fixture
def portal(crowd_world):
    process = PortalProcess(crowd_world.settings.home)
    yield process
    process.stop()


def test_twenty_bodies_submitting_at_once_get_distinct_receipts_and_each_file_arrives_once(crowd_world, portal, tmp_path):
    world = crowd_world
    names = [f"unit_{k}" for k in range(CROWD)]
    files = {name: report(tmp_path / f"{name}.xlsx", world.bins[name], body=f"Бөлім {name.split('_')[1]}") for name in names}
    start = threading.Barrier(CROWD)
    receipts: dict[str, dict] = {}
    problems: list[str] = []

    def send(name: str) -> None:
        try:
            with httpx.Client(base_url=portal.url, headers=world.bearer(name), timeout=120) as client:
                start.wait()
                up = client.post("/api/v1/uploads", files={"file": (files[name].name, files[name].read_bytes())})
                assert up.status_code == 200, up.text
                assert up.json()["outcome"] == "would_load", up.json()
                done = client.post(f"/api/v1/uploads/{up.json()['upload_id']}/submit", json={"confirm": up.json()["to_confirm"]})
                assert done.status_code == 201, done.text
                receipts[name] = done.json()["receipt"]
        except Exception as exc:  # noqa: BLE001 - gathered and shown below
            problems.append(f"{name}: {exc!r}")

    threads = [threading.Thread(target=send, args=(name,)) for name in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not problems, problems
    numbers = [r["number"] for r in receipts.values()]
    assert len(set(numbers)) == CROWD
    assert sorted(numbers) == [f"2026Q3-{n:06d}" for n in range(1, CROWD + 1)]
    reports = sorted(p for p in world.settings.intake_dir.iterdir() if p.suffix == ".xlsx")
    assert len(reports) == CROWD
    key = receipt_key(world.settings)
    by_sha = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in reports}
    for name, receipt in receipts.items():
        path = by_sha[hashlib.sha256(files[name].read_bytes()).hexdigest()]
        on_disk = read_receipt(path)
        assert verify(on_disk, key) and on_disk.number == receipt["number"] and on_disk.bin == world.bins[name]
    assert not [p for p in world.settings.intake_dir.iterdir() if p.name.startswith(".")]


def _raw_request(url: str, head: bytes, body_part: bytes) -> tuple[bytes, float]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + body_part)
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer, time.monotonic() - started


def test_over_the_size_limit_is_refused_before_the_body_is_sent(crowd_world, portal):
    world = crowd_world
    auth = world.bearer("unit_0")["Authorization"].encode()
    boundary = b"adepboundary"
    declared = b"POST /api/v1/uploads HTTP/1.1\r\nHost: portal\r\nAuthorization: " + auth + (
        b"\r\nContent-Type: multipart/form-data; boundary=" + boundary + b"\r\nContent-Length: 500000000\r\n\r\n")
    answer, _ = _raw_request(portal.url, declared, b"--" + boundary + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # No length declared (chunked): counted as it streams, refused once past the limit, the rest never read.
    chunked_head = b"POST /api/v1/uploads HTTP/1.1\r\nHost: portal\r\nAuthorization: " + auth + (
        b"\r\nContent-Type: multipart/form-data; boundary=" + boundary + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    part = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n')
    size = world.settings.max_file_bytes + 200_000
    payload = part + b"\0" * size
    step = 1 << 20
    chunks = b"".join(b"%x\r\n" % len(payload[i:i + step]) + payload[i:i + step] + b"\r\n"
                      for i in range(0, len(payload), step))
    answer, _ = _raw_request(portal.url, chunked_head, chunks)  # no final chunk: the body never ends
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert httpx.get(portal.url + "/healthz").text == "ok"


def test_a_portal_killed_in_the_middle_of_an_upload_leaves_nothing_in_intake(crowd_world, tmp_path):
    world = crowd_world
    before = sorted(p.name for p in world.settings.intake_dir.iterdir())
    process = PortalProcess(world.settings.home)
    try:
        auth = world.bearer("unit_1")["Authorization"].encode()
        host, port = process.url.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)), timeout=30)
        good = report(tmp_path / "half.xlsx", world.bins["unit_1"], body="Бөлім 1").read_bytes()
        body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="half.xlsx"\r\n\r\n' + good + b"\r\n--b--\r\n")
        sock.sendall(b"POST /api/v1/uploads HTTP/1.1\r\nHost: portal\r\nAuthorization: " + auth +
                     b"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n" % len(body))
        sock.sendall(body[: len(body) // 2])
        time.sleep(0.5)
        process.kill()
        sock.close()
    finally:
        process.stop()
    assert sorted(p.name for p in world.settings.intake_dir.iterdir()) == before
    # Started again, the portal is whole: it answers and takes the same file.
    again = PortalProcess(world.settings.home)
    try:
        wait_for(lambda: httpx.get(again.url + "/healthz").status_code == 200, 30, "the portal again")
        up = httpx.post(again.url + "/api/v1/uploads", headers=world.bearer("unit_1"), files={"file": ("half.xlsx", good)},
                        timeout=60)
        assert up.status_code == 200 and up.json()["outcome"] in ("would_load", "rejected")
    finally:
        again.stop()
