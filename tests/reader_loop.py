"""An analyst's process: query the published copy in a loop until told to stop, one JSON line per query.

Run as `python -m tests.reader_loop PUBLISHED STOPFILE`. Each query opens the copy afresh as connect() does (a
notebook re-running a cell), counts the ledger and the values in force, and closes it; a failure is recorded,
never raised, so the test sees every one.
"""
from __future__ import annotations

import json
import os
import sys
import time

from warehouse.db import open_published


def main() -> None:
    published, stop = sys.argv[1], sys.argv[2]
    while not os.path.exists(stop):
        started = time.perf_counter()
        try:
            con = open_published(published, timezone="Asia/Almaty")
            try:
                files = con.execute("select count(*) from intake_log").fetchall()[0][0]
                values = con.execute("select count(*) from report_values").fetchall()[0][0]
            finally:
                con.close()
            line = dict(ok=True, files=files, values=values)
        except Exception as exc:  # recorded for the test to report
            line = dict(ok=False, error=f"{type(exc).__name__}: {exc}")
        line["seconds"] = time.perf_counter() - started
        print(json.dumps(line), flush=True)
        time.sleep(0.01)


if __name__ == "__main__":
    main()
