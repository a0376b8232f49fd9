"""Kazakhstan's regions (17 oblasts and 3 cities of republican significance) in English, Kazakh and Russian."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

KINDS = ("oblast", "city")


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2:KZ
    position: int
    kind: str
    name_en: str
    name_kk: str
    name_ru: str
    aliases: tuple[str, ...]

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way a registry may write this region: the code, the three names and the usual short forms."""
        return (self.code, self.name_en, self.name_kk, self.name_ru, *self.aliases)


def spelling_key(text: str) -> str:
    """A region as written, compared without regard to case or runs of spaces."""
    return " ".join(text.split()).lower()


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """The regions in their usual order (by code)."""
    text = resources.files("contracts").joinpath("data", "regions.csv").read_text(encoding="utf-8")
    rows = sorted(csv.DictReader(io.StringIO(text)), key=lambda r: int(r["position"]))
    return tuple(
        Region(code=r["code"], position=int(r["position"]), kind=r["kind"], name_en=r["name_en"],
               name_kk=r["name_kk"], name_ru=r["name_ru"],
               aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()))
        for r in rows
    )


@lru_cache(maxsize=1)
def _by_spelling() -> dict[str, Region]:
    known: dict[str, Region] = {}
    for region in regions():
        for spelling in region.spellings:
            other = known.setdefault(spelling_key(spelling), region)
            if other is not region:
                raise ValueError(f"regions.csv: {spelling!r} names both {other.code} and {region.code}")
    return known


def region_of(text: str | None) -> Region | None:
    """The region a registry's region cell names, or None when it names none for certain.

    Only listed spellings count: 'Алматы' alone could be the city or the oblast, so it is not guessed.
    """
    if text is None or not str(text).strip():
        return None
    return _by_spelling().get(spelling_key(str(text)))
