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
# Files a worker reads per call: enough that the call's cost is small beside the reading, few enough that both
# workers finish a batch together.
CHUNK = 64
# Batches being read ahead of the one the run is checking and loading: the workers never wait for the checks.
AHEAD = 2


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


def read_chunk(arrivals: list[Arrival], settings: Settings) -> list[ReadResult]:
    return [read_one(a, settings) for a in arrivals]


def make_pool(settings: Settings, n_files: int) -> Executor | None:
    """A pool of reader processes when the work is large enough to pay for it, its processes starting at once.

    They start (a fresh interpreter each, importing the reader) while the caller opens the warehouse and looks
    for files, instead of after.
    """
    if settings.worker_count < 2 or n_files < POOL_THRESHOLD:
        return None
    # spawn, not fork: the flow's process runs threads (Prefect's), which fork does not copy safely.
    pool = ProcessPoolExecutor(max_workers=settings.worker_count, mp_context=multiprocessing.get_context("spawn"))
    for _ in range(settings.worker_count):  # the pool starts one process per call it has no idle process for
        pool.submit(os.getpid)
    return pool


def files_waiting(settings: Settings) -> int:
    """How many entries intake/ holds at its top level: a cheap first guess of the run's size, before discovery."""
    try:
        with os.scandir(settings.intake_dir) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0


def plan_batches(arrivals: list[Arrival], size: int, pool: Executor | None) -> list[Batch]:
    """The run's batches in order of arrival; with a pool the last one is small.

    Nothing overlaps the checks and loads of the last batch (the workers have nothing left to read), so a small
    last batch shortens the part of the run that uses one core.
    """
    size = max(1, size)
    tail = max(CHUNK * 2, size // 6)
    if pool is None or len(arrivals) <= size or size <= tail:
        return [Batch(arrivals[i:i + size]) for i in range(0, len(arrivals), size)]
    cuts = list(range(0, len(arrivals) - tail, size))
    bounds = cuts + [max(cuts[-1] + 1, len(arrivals) - tail), len(arrivals)]
    return [Batch(arrivals[a:b]) for a, b in zip(bounds, bounds[1:]) if b > a]


def read_batch(arrivals: list[Arrival], settings: Settings, pool: Executor | None = None) -> list[ReadResult]:
    return list(start_reading(arrivals, settings, pool))


def start_reading(arrivals: list[Arrival], settings: Settings, pool: Executor | None = None):
    """Results of reading the files, in order; with a pool the work starts at once and runs while the caller does other things."""
    if pool is None:
        work = partial(read_one, settings=settings)
        return (work(a) for a in arrivals)
    futures = [pool.submit(read_chunk, arrivals[i:i + CHUNK], settings) for i in range(0, len(arrivals), CHUNK)]
    return (result for future in futures for result in future.result())


class ReadAhead:
    """Reads the next batches in the worker processes while the current one is checked and loaded."""

    def __init__(self, batches: list[Batch], settings: Settings, pool: Executor | None):
        self.batches, self.settings, self.pool = batches, settings, pool
        self.pending: dict[int, object] = {}
        if pool is not None:
            for index in range(min(AHEAD, len(batches))):
                self._start(index)

    def _start(self, index: int) -> None:
        if index < len(self.batches) and index not in self.pending and self.batches[index] is not None:
            self.pending[index] = start_reading(self.batches[index].arrivals, self.settings, self.pool)

    def read(self, index: int) -> Batch:
        """The batch with its files read; the batches after it start reading before this one is returned."""
        batch = self.batches[index]
        self._start(index)
        results = self.pending.pop(index, None) or start_reading(batch.arrivals, self.settings, self.pool)
        if self.pool is not None:
            for ahead in range(index + 1, index + 1 + AHEAD):
                self._start(ahead)
        batch.results = list(results)
        # The caller holds the batch while it works on it; keeping it here too would grow memory with every batch.
        self.batches[index] = None
        return batch
