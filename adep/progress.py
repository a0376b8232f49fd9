"""Progress and step timings of a run, reported to whoever shows them (the command line's progress bar)."""
from __future__ import annotations

import resource
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

_listeners: list[Callable[[str, int, int], None]] = []


def subscribe(listener: Callable[[str, int, int], None]) -> Callable[[], None]:
    """Call listener(stage, done, total) as work advances; returns a function that unsubscribes."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def advance(stage: str, done: int, total: int) -> None:
    for listener in list(_listeners):
        listener(stage, done, total)


@dataclass
class StepTimer:
    """Seconds spent in each named step of a run, summed over batches."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def cpu_used() -> dict[str, float]:
    """CPU seconds used so far by this process and by its child processes that have ended (the reader processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"main": own.ru_utime + own.ru_stime, "readers": children.ru_utime + children.ru_stime}
