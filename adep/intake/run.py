"""One pass of the intake over intake/, as the flow drives it step by step: the reader processes (started while the
warehouse opens, sized for the files found), the batches read ahead of the checks, and what the pass costs: the
seconds of each step and the CPU of this process and of the readers."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import Executor

import duckdb

from adep.intake import checks
from adep.intake.arrivals import Arrival, Batch
from adep.intake.read_pool import ReadAhead, files_waiting, make_pool, plan_batches
from adep.progress import StepTimer, cpu_used
from adep.settings import Settings


class IntakeRun:
    """The reading side and the clocks of one intake pass. A plain class: the engine passes it between tasks as is."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.timer = StepTimer()
        self.started, self.cpu = time.perf_counter(), cpu_used()
        # the reader processes start while the warehouse opens (a guess from intake/'s size; confirmed by plan)
        self.pool: Executor | None = make_pool(settings, files_waiting(settings))
        self.reader: ReadAhead | None = None

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Count the block's seconds to the named step (summed over batches)."""
        with self.timer.step(name):
            yield

    def plan(self, arrivals: list[Arrival], con: duckdb.DuckDBPyConnection) -> int:
        """Split the arrivals into batches and start reading the first ones; returns how many batches there are.

        With reader processes, the checks are prepared (their first call imports them) while the first batch reads.
        """
        if self.pool is None:
            self.pool = make_pool(self.settings, len(arrivals))
        self.reader = ReadAhead(plan_batches(arrivals, self.settings.batch_size, self.pool), self.settings, self.pool)
        if self.pool is not None:
            checks.check_reports([], [], con, self.settings)
        return len(self.reader.batches)

    def read(self, index: int) -> Batch:
        """The batch with its files read (the next batches start reading meanwhile)."""
        with self.step("read"):
            return self.reader.read(index)

    def stop(self) -> None:
        """Stop the reader processes; after a failure, files read ahead are not waited for."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def costs(self) -> tuple[float, dict[str, float], dict[str, float]]:
        """Seconds since the pass started, seconds by step, CPU seconds of this process and the readers since then."""
        return (time.perf_counter() - self.started, dict(self.timer.seconds),
                {k: v - self.cpu[k] for k, v in cpu_used().items()})


def step_of(run: IntakeRun | None, name: str) -> contextlib.AbstractContextManager:
    """The run's clock for a step, or none (a rerun keeps no step times)."""
    return run.step(name) if run is not None else contextlib.nullcontext()
