"""The submission portal as commissioners meet it: the time from upload to findings for one file, and 20 bodies
uploading and submitting at the same moment.

    .venv/bin/python benchmarks/portal_benchmark.py [--bodies 3000] [--parallel 20] [--repeat 10]

Makes a home from the generated registry (adep/sample, --bodies bodies) in a temporary folder, issues access codes,
starts a real `adep portal` process on a free port and talks to it over HTTP as a script would (the JSON API). The
time to findings is measured at the client, from the first byte of the upload to the parsed answer: the first upload
(the portal's first dry run) and then --repeat more (median and worst). Target: at most 1 s. The parallel run
starts every body's upload at one barrier and prints the wall time until the last receipt, each request's median and
worst time, and whether the receipts are distinct and every file arrived in intake/ once. Prints a table and one JSON
line.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from adep.cli.parser import main as adep_main  # noqa: E402
from adep.forms.writer import write_report  # noqa: E402
from adep.periods import Period  # noqa: E402
from adep.portal.access import issue  # noqa: E402
from adep.sample.registry import make_registry, write_registry_csv  # noqa: E402
from adep.sample.values import clean_values  # noqa: E402
from adep.settings import load_settings  # noqa: E402

PERIOD = Period(2026, 3)
TARGET_SECONDS = 1.0


def make_home(folder: Path, bodies: int, wanted: int):
    registry = make_registry(bodies, seed=1)
    write_registry_csv(registry, folder / "registry.csv")
    home = folder / "home"
    assert adep_main(["--home", str(home), "registry", "load", str(folder / "registry.csv")]) == 0
    settings = load_settings(home, environ={})
    lower = registry[(registry.kind != "excluded") & registry.parent_bin.notna() & registry.valid_to.isna()]
    chosen = lower.drop_duplicates("bin").head(wanted)
    issued = issue(settings, list(chosen.bin), folder / "codes.csv")
    rng = random.Random(7)
    files = {}
    for item in issued:
        path = folder / "files" / f"{item.bin}.xlsx"
        path.parent.mkdir(exist_ok=True)
        write_report(path, bin=item.bin, period=PERIOD, body_name=item.name_kk, commissioner="Уәкіл",
                     phone="+7 700 000 0000", signed_on="2026-10-01", values=clean_values(rng))
        files[item.bin] = path
    return settings, issued, files


def start_portal(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "adep.cli", "--home", str(home), "portal", "--port", "0"],
                               stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"(http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return process, found.group(1)
        if process.poll() is not None:
            raise SystemExit(f"adep portal stopped: {log.read_text()}")
        time.sleep(0.05)
    raise SystemExit("adep portal did not start in 120 s")


def timed_upload(url: str, auth: str, path: Path, client: httpx.Client) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post(url + "/api/v1/uploads", headers={"Authorization": auth},
                           files={"file": (path.name, path.read_bytes())})
    body = response.json()
    return time.perf_counter() - started, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=3000)
    parser.add_argument("--parallel", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adep-portal-bench-") as tmp:
        folder = Path(tmp)
        settings, issued, files = make_home(folder, args.bodies, args.parallel + 1)
        process, url = start_portal(settings.home, folder / "portal.log")
        try:
            first, *crowd = issued
            auth = f"Bearer {first.bin}:{first.code}"
            with httpx.Client(timeout=120) as client:
                cold, body = timed_upload(url, auth, files[first.bin], client)
                assert body.get("outcome") == "would_load", body
                warm = [timed_upload(url, auth, files[first.bin], client)[0] for _ in range(args.repeat)]

            barrier = threading.Barrier(len(crowd))
            per_request: list[float] = []
            receipts: list[str] = []
            problems: list[str] = []

            def send(item) -> None:
                try:
                    with httpx.Client(timeout=300, headers={"Authorization": f"Bearer {item.bin}:{item.code}"}) as c:
                        barrier.wait()
                        t0 = time.perf_counter()
                        up = c.post(url + "/api/v1/uploads", files={"file": (files[item.bin].name, files[item.bin].read_bytes())}).json()
                        t1 = time.perf_counter()
                        done = c.post(f"{url}/api/v1/uploads/{up['upload_id']}/submit", json={"confirm": up["to_confirm"]})
                        t2 = time.perf_counter()
                        per_request.extend([t1 - t0, t2 - t1])
                        receipts.append(done.json()["receipt"]["number"])
                except Exception as exc:  # noqa: BLE001 - counted and shown
                    problems.append(f"{item.bin}: {exc!r}")

            threads = [threading.Thread(target=send, args=(item,)) for item in crowd]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(30)
        arrived = [p for p in settings.intake_dir.iterdir() if p.suffix == ".xlsx"]
    median = statistics.median(warm) if warm else cold
    result = {
        "bodies": args.bodies,
        "upload_to_findings_first_s": round(cold, 3),
        "upload_to_findings_median_s": round(median, 3),
        "upload_to_findings_worst_s": round(max(warm) if warm else cold, 3),
        "target_s": TARGET_SECONDS,
        "median_to_target": round(median / TARGET_SECONDS, 2),
        "parallel": len(crowd),
        "parallel_wall_s": round(wall, 2),
        "parallel_request_median_s": round(statistics.median(per_request), 3) if per_request else None,
        "parallel_request_worst_s": round(max(per_request), 3) if per_request else None,
        "parallel_distinct_receipts": len(set(receipts)),
        "parallel_files_in_intake": len(arrived),
        "problems": problems,
    }
    print(f"{'measure':44} {'value':>10}")
    print(f"{'upload to findings, first (s)':44} {result['upload_to_findings_first_s']:>10}")
    print(f"{'upload to findings, median of ' + str(args.repeat) + ' (s)':44} {result['upload_to_findings_median_s']:>10}")
    print(f"{'upload to findings, worst (s)':44} {result['upload_to_findings_worst_s']:>10}")
    print(f"{'median / target of 1 s':44} {result['median_to_target']:>10}")
    print(f"{str(len(crowd)) + ' bodies upload and submit at once: wall (s)':44} {result['parallel_wall_s']:>10}")
    print(f"{'  one request, median (s)':44} {result['parallel_request_median_s']:>10}")
    print(f"{'  one request, worst (s)':44} {result['parallel_request_worst_s']:>10}")
    print(f"{'  distinct receipts / files in intake/':44} {str(result['parallel_distinct_receipts']) + ' / ' + str(result['parallel_files_in_intake']):>10}")
    for problem in problems:
        print(f"  problem: {problem}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
