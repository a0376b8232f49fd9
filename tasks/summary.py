"""What an intake run did, for the command line's table, the logs and the benchmark."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from adep.intake.checks import CheckedBatch

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
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def files(self) -> int:
        return sum(getattr(self, k) for k in OUTCOMES)

    def add(self, batch: CheckedBatch) -> None:
        f = batch.files
        loaded = f.status == "loaded"
        self.loaded += int((loaded & (f.warning_count == 0)).sum())
        self.warned += int((loaded & (f.warning_count > 0)).sum())
        self.rejected += int((f.status == "rejected").sum())
        self.duplicate += int((f.status == "duplicate").sum())
        self.superseded += int((f.status == "superseded").sum())
        self.recovered += int((f.status == "recover").sum())

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
    rules_by_key = batch.findings.groupby("key").rule.agg(lambda r: ", ".join(dict.fromkeys(r))) if len(batch.findings) else {}
    lines = []
    for key, row in batch.files.iterrows():
        status = "recovered" if row.status == "recover" else row.status
        detail = ""
        if status in ("rejected", "loaded"):
            detail = f" ({row.error_count} error(s), {row.warning_count} warning(s))"
            if key in rules_by_key:
                detail += f" [{rules_by_key[key]}]"
        name = row.file_name.replace("\n", "\\n").replace("\r", "\\r")  # one line per file, whatever its name
        lines.append(f"{name}: {status}{detail} -> {row.stored_path}")
    for start in range(0, len(lines), LINES_PER_RECORD):
        logger.info("\n".join(lines[start:start + LINES_PER_RECORD]))


def log_skipped(logger, skipped) -> None:
    """One log line per rejected file a rerun left alone, with the reason (skipped: file_name and reason)."""
    lines = [f"{row.file_name}: skipped, {row.reason}".replace("\n", "\\n").replace("\r", "\\r")
             for row in skipped.itertuples()]
    for start in range(0, len(lines), LINES_PER_RECORD):
        logger.info("\n".join(lines[start:start + LINES_PER_RECORD]))
