"""One settings object: paths and options, from defaults, ADEP_* environment variables and flags."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adep.errors import UserError

from contracts.reporting import TIMEZONE

ENV_PREFIX = "ADEP_"


@dataclass(frozen=True)
class Settings:
    home: Path = Path("adep-home")
    # Files per task call: big enough that orchestration and the batch-wide checks cost little per file
    # (a check call costs about the same for 500 files as for 2,500), small enough that memory stays flat.
    batch_size: int = 2500
    # Processes that parse workbooks; 0 means one per core.
    workers: int = 0
    # A file whose size or modification time changes within this many seconds is still being copied.
    settle_seconds: float = 1.0
    # Move a deadline that falls on a weekend or public holiday to the next working day (Civil Code).
    shift_deadlines: bool = True
    timezone: str = TIMEZONE
    # Guards against hostile workbooks.
    max_file_bytes: int = 25_000_000
    max_inflated_bytes: int = 200_000_000
    # A form is about 600 cells; a sheet of 200,000 is no form and is refused before it is read.
    max_sheet_cells: int = 200_000
    # DuckDB caches up to 80% of the machine's memory by default; the loads need little, so keep it modest.
    duckdb_memory_limit: str = "256MB"
    # Outliers: robust z-score against the body's own previous quarters.
    outlier_z: float = 6.0
    outlier_min_history: int = 3
    # The submission portal (adep portal): its public address (for the sign-in links handed out with the codes),
    # how long a session lasts, how many failed sign-ins an address may make in 15 minutes, cookies marked Secure
    # even when no proxy says the request came over TLS, and the proxies whose X-Forwarded-* headers are believed.
    portal_url: str = "http://127.0.0.1:8000"
    portal_session_minutes: int = 480
    portal_failed_sign_ins: int = 10
    portal_secure_cookies: bool = False
    portal_trusted_proxies: str = "127.0.0.1"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def intake_dir(self) -> Path:
        return self.home / "intake"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def rejected_dir(self) -> Path:
        return self.home / "rejected"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def is_home(self) -> bool:
        """A folder is an adep home once it holds the loads' warehouse: 'adep registry load' and 'adep demo' make it."""
        return self.warehouse_path.is_file()

    @property
    def published_path(self) -> Path:
        """The read-only copy analysts open; replaced atomically after every run that changed the warehouse."""
        return self.home / "published" / "warehouse.duckdb"

    @property
    def lock_path(self) -> Path:
        return self.home / ".writer.lock"

    @property
    def rules_path(self) -> Path:
        """An operator's copy of the rules (severities edited); the form's own rules when absent."""
        return self.home / "rules.csv"

    @property
    def transfers_path(self) -> Path:
        """Working-day transfers by government order, on top of the public holidays."""
        return self.home / "working_day_transfers.csv"

    @property
    def worker_count(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def ensure_dirs(self) -> "Settings":
        for d in (self.intake_dir, self.archive_dir, self.rejected_dir, self.exports_dir, self.published_path.parent):
            d.mkdir(parents=True, exist_ok=True)
        return self

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class SettingsError(UserError, ValueError):
    """An ADEP_ environment variable that cannot be read as its setting."""


def _coerce(kind: type, text: str):
    if kind is bool:
        return text.strip().lower() in {"1", "true", "yes", "on"}
    return kind(text)


def load_settings(home: str | Path | None = None, environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then ADEP_<FIELD> environment variables, then explicit arguments (command-line flags)."""
    env = os.environ if environ is None else environ
    hints = get_type_hints(Settings)
    values = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if f.name != "extra" and env.get(key):
            try:
                values[f.name] = _coerce(hints[f.name], env[key])
            except ValueError:
                kind = {int: "a whole number", float: "a number"}.get(hints[f.name], hints[f.name].__name__)
                raise SettingsError(f"{key}={env[key]!r} is not {kind}") from None
    if home is not None:
        values["home"] = Path(home)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values)
    try:
        ZoneInfo(settings.timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise SettingsError(f"ADEP_TIMEZONE={settings.timezone!r} is not a time zone such as Asia/Almaty") from None
    return replace(settings, home=Path(settings.home).expanduser().absolute())
