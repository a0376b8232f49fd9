"""The reporting chain of form 1-әу as data: kinds of bodies, the Agency at the top, the due days, the clock."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Kazakhstan keeps one time zone (UTC+5 since March 2024); deadlines are the end of the due day there.
TIMEZONE = "Asia/Almaty"
# The two tiers of the form, and the day of the month after the quarter by which each must have filed:
# the top tier to the Agency by the 10th, the lower tier to its parent body by the 5th.
TOP, LOWER = "top", "lower"
DUE_DAY = {TOP: 10, LOWER: 5}


@dataclass(frozen=True)
class Names:
    """A body's name in the form's two languages, and in English for engineers."""

    kk: str
    ru: str
    en: str


# Where the top tier reports: it is not in the registry, since it files nothing itself.
AGENCY = Names(
    kk="Қазақстан Республикасы Мемлекеттік қызмет істері агенттігі",
    ru="Агентство Республики Казахстан по делам государственной службы",
    en="Agency for Civil Service Affairs of the Republic of Kazakhstan",
)
AGENCY_SHORT = Names(kk="Мемлекеттік қызмет істері агенттігі", ru="Агентство по делам государственной службы",
                     en="the Agency")


@dataclass(frozen=True)
class Kind:
    """A kind of body in the registry: whether it files form 1-әу, and its name in three languages."""

    kind: str
    files_form: bool
    label: Names


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """Kind -> Kind, in the order of data/kinds.csv."""
    text = resources.files("contracts").joinpath("data", "kinds.csv").read_text(encoding="utf-8")
    return {r["kind"]: Kind(r["kind"], r["files_form"].strip().lower() == "true",
                            Names(r["label_kk"], r["label_ru"], r["label_en"]))
            for r in csv.DictReader(io.StringIO(text))}
