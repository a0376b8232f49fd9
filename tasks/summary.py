"""What an intake run did, for the command line's table, the logs and the benchmark."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from adep.intake.checks import CheckedBatch
from adep.intake.run import IntakeRun
from adep.progress import advance

OUTCOMES = ("loaded", "warned", "rejected", "duplicate", "superseded", "recovered")


@dataclass
class IntakeSummary:
    loaded: int = 0  # in force, no warnings
    warned: int = 0  # in force, with warnings
    rejected: int = 0
    duplicate: int = 0
    superseded: int = 0  # good reports replaced by a later one in the same run
    recovered: int = 0  # files whose filing an interrupted run had left unfinished
    waiting: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # rerun: rejected files left alone, by reason
    audit_events: int = 0  # events of the portal's audit trail carried into the warehouse
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)
    # CPU seconds the run took in this process ("main") and in its reader processes ("readers"): on a machine
    # shared with other work they tell what the run costs when its wall time cannot
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def files(self) -> int:
        return sum(getattr(self, k) for k in OUTCOMES)

    def __post_init__(self) -> None:
        # The run's reports in force by ledger id (True: with warnings). When the ledger says a later batch took
        # one of them out of force (CheckedBatch.gave_way), it is counted as superseded instead: the counts do not
        # depend on where the batches happen to end.
        self._in_force: dict[int, bool] = {}
        self._started = time.perf_counter()

    def add(self, batch: CheckedBatch) -> None:
        """Count a batch's files by the status the ledger gave them."""
        f = batch.files
        loaded = f.status == "loaded"
        self.loaded += int((loaded & (f.warning_count == 0)).sum())
        self.warned += int((loaded & (f.warning_count > 0)).sum())
        self.rejected += int((f.status == "rejected").sum())
        self.duplicate += int((f.status == "duplicate").sum())
        self.superseded += int((f.status == "superseded").sum())
        self.recovered += int((f.status == "recover").sum())
        for file_id in batch.gave_way:
            warned = self._in_force.pop(file_id, None)
            if warned is not None:  # counted in force by an earlier batch of this run
                if warned:
                    self.warned -= 1
                else:
                    self.loaded -= 1
                self.superseded += 1
        now = f[loaded]
        self._in_force.update(zip((int(i) for i in now.file_id), (now.warning_count > 0).tolist()))

    def add_skipped(self, reasons) -> None:
        """Count the files a rerun left alone, by reason."""
        for reason in reasons:
            self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def as_dict(self) -> dict:
        d = asdict(self)
        d["files"] = self.files
        d["waiting"] = len(self.waiting)
        return d

    def as_line(self) -> str:
        parts = ", ".join(f"{getattr(self, k)} {k}" for k in OUTCOMES if getattr(self, k))
        rate = self.files / self.seconds if self.seconds else 0
        skipped = "; ".join(f"{n} skipped, {reason}" for reason, n in self.skipped.items())
        return f"intake: {self.files} file(s) in {self.seconds:.1f} s ({rate:.0f}/s): {parts or 'nothing to do'}" + (
            f"; {len(self.waiting)} still being copied, left for the next pass" if self.waiting else "") + (
            f"; {skipped}" if skipped else "")


LINES_PER_RECORD = 250


def log_outcomes(logger, batch: CheckedBatch) -> None:
    """One log line per file with its name, outcome and the rules it broke, so the log answers 'what happened to my file'.

    The lines travel a few hundred to a log record: the engine spends ~0.4 ms on each record, which for a
    national quarter of one record per file would cost more than checking the files.
    """
    rules_by_key = {}
    for key, rule in zip(batch.findings["key"].tolist(), batch.findings["rule"].tolist()):
        rules_by_key.setdefault(key, {})[rule] = None  # each rule once, in the order found
    f = batch.files
    lines = []
    # plain columns, not rows: a pandas row per file costs more than the line it makes
    for key, name, status, errors, warnings, stored in zip(f.index.tolist(), f.file_name.tolist(), f.status.tolist(),
                                                           f.error_count.tolist(), f.warning_count.tolist(), f.stored_path.tolist()):
        status = "recovered" if status == "recover" else status
        detail = ""
        if status in ("rejected", "loaded"):
            detail = f" ({errors} error(s), {warnings} warning(s))"
            if key in rules_by_key:
                detail += f" [{', '.join(rules_by_key[key])}]"
        name = name.replace("\n", "\\n").replace("\r", "\\r")  # one line per file, whatever its name
        lines.append(f"{name}: {status}{detail} -> {stored}")
    for start in range(0, len(lines), LINES_PER_RECORD):
        logger.info("\n".join(lines[start:start + LINES_PER_RECORD]))


def log_skipped(logger, skipped) -> None:
    """One log line per rejected file a rerun left alone, with the reason (skipped: file_name and reason)."""
    lines = [f"{row.file_name}: skipped, {row.reason}".replace("\n", "\\n").replace("\r", "\\r")
             for row in skipped.itertuples()]
    for start in range(0, len(lines), LINES_PER_RECORD):
        logger.info("\n".join(lines[start:start + LINES_PER_RECORD]))


def _run_logger():
    """The flow run's logger: the per-file lines and the run's line belong to the run, where operators look for them."""
    from prefect.context import FlowRunContext
    from prefect.logging.loggers import flow_run_logger

    context = FlowRunContext.get()
    return flow_run_logger(context.flow_run, context.flow) if context and context.flow_run else get_run_logger()


@task(cache_policy=NONE)
def count_outcomes(summary: IntakeSummary, batch: CheckedBatch, total: int) -> IntakeSummary:
    """Count a loaded batch's files by the status the ledger gave them, log one line per file, advance the progress."""
    summary.add(batch)
    log_outcomes(_run_logger(), batch)
    advance("intake", summary.files, total)
    return summary


@task(cache_policy=NONE)
def count_skipped(summary: IntakeSummary, skipped: pd.DataFrame) -> IntakeSummary:
    """Count and log the rejected files a rerun left alone, with the reason."""
    summary.add_skipped(skipped.reason)
    log_skipped(_run_logger(), skipped)
    return summary


@task(cache_policy=NONE)
def close_summary(summary: IntakeSummary, run: IntakeRun | None = None, what: str = "intake") -> IntakeSummary:
    """The run's seconds (by step, and the CPU it took, for an intake pass), and its one line in the log."""
    if run is not None:
        summary.seconds, summary.step_seconds, summary.cpu_seconds = run.costs()
    else:
        summary.seconds = time.perf_counter() - summary._started
    _run_logger().info(f"{what}: " + summary.as_line().removeprefix("intake: "))
    return summary
