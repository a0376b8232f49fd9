"""Reading a batch of files in parallel processes with the fast reader (no engine imports: workers start light)."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial

from adep.intake.reader import ReadResult, read_path
from adep.settings import Settings
from contracts.findings import finding
from adep.intake.arrivals import Arrival, Batch

# Below this many files a pool costs more to start than it saves.
POOL_THRESHOLD = 150


def read_one(arrival: Arrival, settings: Settings) -> ReadResult:
    if not arrival.is_regular:
        target = os.readlink(arrival.path) if os.path.islink(arrival.path) else "special file"
        result = ReadResult(path=arrival.path, sha256=hashlib.sha256(f"not-a-file:{arrival.name}:{target}".encode()).hexdigest(), size_bytes=0)
        result.readable = False
        result.findings.append(finding("F02", "not_regular"))
        return result
    try:
        return read_path(
            arrival.path,
            max_file_bytes=settings.max_file_bytes,
            max_inflated_bytes=settings.max_inflated_bytes,
            max_sheet_cells=settings.max_sheet_cells,
        )
    except OSError as exc:
        result = ReadResult(path=arrival.path, sha256=hashlib.sha256(f"unreadable:{arrival.path}".encode()).hexdigest(), size_bytes=arrival.size_bytes)
        result.readable = False
        result.findings.append(finding("F01", "unopenable", reason=str(exc.strerror or exc)))
        return result


def make_pool(settings: Settings, n_files: int) -> Executor | None:
    """A pool of reader processes when the work is large enough to pay for it."""
    if settings.worker_count < 2 or n_files < POOL_THRESHOLD:
        return None
    # spawn, not fork: the flow's process runs threads (Prefect's), which fork does not copy safely.
    return ProcessPoolExecutor(max_workers=settings.worker_count, mp_context=multiprocessing.get_context("spawn"))


def read_batch(arrivals: list[Arrival], settings: Settings, pool: Executor | None = None) -> list[ReadResult]:
    return list(start_reading(arrivals, settings, pool))


def start_reading(arrivals: list[Arrival], settings: Settings, pool: Executor | None = None):
    """Results of reading the files, in order; with a pool the work starts at once and runs while the caller does other things."""
    work = partial(read_one, settings=settings)
    if pool is None:
        return (work(a) for a in arrivals)
    chunk = max(1, min(64, len(arrivals) // (settings.worker_count * 4)))
    return pool.map(work, arrivals, chunksize=chunk)


class ReadAhead:
    """Reads the next batch in the worker processes while the current one is checked and loaded."""

    def __init__(self, batches: list[Batch], settings: Settings, pool: Executor | None):
        self.batches, self.settings, self.pool = batches, settings, pool
        self.pending: dict[int, object] = {}
        if pool is not None and batches:
            self._start(0)

    def _start(self, index: int) -> None:
        if index < len(self.batches) and index not in self.pending and self.batches[index] is not None:
            self.pending[index] = start_reading(self.batches[index].arrivals, self.settings, self.pool)

    def read(self, index: int) -> Batch:
        """The batch with its files read; the next batch starts reading before this one is returned."""
        batch = self.batches[index]
        self._start(index)
        results = self.pending.pop(index, None) or start_reading(batch.arrivals, self.settings, self.pool)
        batch.results = list(results)
        if self.pool is not None:
            self._start(index + 1)
        # The caller holds the batch while it works on it; keeping it here too would grow memory with every batch.
        self.batches[index] = None
        return batch
