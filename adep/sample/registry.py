"""A sample registry of reporting bodies: a realistic tree of Kazakhstan's state bodies, deterministic from a seed."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from adep.sample import names as names
from contracts.bin import complete_bin
from contracts.reporting import kinds

REGISTRY_COLUMNS = ["bin", "name_kk", "name_ru", "kind", "parent_bin", "region", "valid_from", "valid_to"]
KINDS = tuple(kinds())
IN_FORCE_FROM = "2020-01-01"
CAPITAL = "Astana"
# Embassies and consulates stand in no oblast or city: their region is left empty.
ABROAD = None
# Registry history the sample carries, so period logic meets renamed, moved, abolished and new bodies.
RENAMED_ON = "2025-10-01"
MOVED_ON = "2026-08-15"
ABOLISHED_AFTER = "2026-05-31"
OPENED_ON = "2026-04-01"
# Above this size every service with a territorial network gets district offices, not only the big ones.
DENSE_NETWORK_FROM = 5000


@dataclass
class _Registry:
    """Rows being built, with the BINs handed out so far."""

    rng: random.Random
    rows: list[dict] = field(default_factory=list)
    bins: set[str] = field(default_factory=set)

    def new_bin(self) -> str:
        """A fresh valid BIN shaped like a state body's: registration year and month, legal-entity type, serial."""
        while True:
            year = self.rng.choice(list(range(95, 100)) + list(range(0, 16)))
            first11 = f"{year:02d}{self.rng.randint(1, 12):02d}40{self.rng.randint(0, 99999):05d}"
            bin_ = complete_bin(first11)
            if bin_ and bin_ not in self.bins:
                self.bins.add(bin_)
                return bin_

    def add(self, name_kk: str, name_ru: str, kind: str, parent: str | None, region: str | None) -> str:
        bin_ = self.new_bin()
        self.rows.append(dict(bin=bin_, name_kk=name_kk, name_ru=name_ru, kind=kind, parent_bin=parent,
                              region=region, valid_from=IN_FORCE_FROM, valid_to=None))
        return bin_


def ru_case(name: str, case: str) -> str:
    """A Russian district or city name in the genitive ('gen') or dative ('dat') case, as official names use it."""
    ending = {"gen": ("ого", "района", "города"), "dat": ("ому", "району", "городу")}[case]
    if name.endswith(" район"):
        adjective = name[: -len(" район")]
        for suffix in ("ий", "ый", "ой"):
            if adjective.endswith(suffix):
                return f"{adjective[:-2]}{ending[0]} {ending[1]}"
    if name.startswith("район "):
        return f"{ending[1]} {name[len('район '):]}"
    if name.startswith("город "):
        return f"{ending[2]} {name[len('город '):]}"
    return name


def ru_genitive_of_body(name: str) -> str:
    """'Комитет X' -> 'Комитета X', 'Министерство X' -> 'Министерства X' for names of the form 'unit of body'."""
    first, _, rest = name.partition(" ")
    first = {"Комитет": "Комитета", "Министерство": "Министерства", "Агентство": "Агентства"}.get(first, first)
    return f"{first} {rest}"


def make_registry(n_bodies: int = 3000, seed: int = 0) -> pd.DataFrame:
    """A registry of about n_bodies state bodies as a tree, with a few renamed, moved, abolished and new ones."""
    reg = _Registry(random.Random(seed))
    ministries = add_central_bodies(reg)
    regions = {r[0]: r for r in names.REGIONS}
    for kk, ru in names.EXCLUDED:
        reg.add(kk, ru, "excluded", None, CAPITAL)
    akimats = {key: reg.add(f"{kk} әкімінің аппараты", f"Аппарат акима {ru_gen}", "regional_akimat", None, key)
               for key, kk, ru_gen, *_ in names.REGIONS}
    for key, kk, _gen, po, *_ in names.REGIONS:
        reg.add(f"{kk} бойынша тексеру комиссиясы", f"Ревизионная комиссия {po}", "audit_commission", None, key)
    committees = add_committees(reg, ministries)
    add_foreign_institutions(reg, ministries["foreign"])
    services = [(s, reach) for s, reach in committees] + [
        (dict(bin=ministries[key], kk=kk, ru=ru), "district") for key, kk, ru, own in names.CENTRAL_BODIES if own
    ]
    oblast_units = add_oblast_units(reg, services, regions)
    district_services = [s for s, reach in services if reach == "district"]
    if n_bodies > DENSE_NETWORK_FROM:
        district_services = [s for s, reach in services if reach]
    add_districts(reg, n_bodies, district_services, oblast_units, regions, akimats)
    del reg.rows[n_bodies:]
    add_history(reg)
    frame = pd.DataFrame(reg.rows, columns=REGISTRY_COLUMNS)
    # The Agency's registry writes a region by its official Kazakh name (Ақмола облысы, Астана қаласы).
    frame["region"] = frame["region"].map({key: kk for key, kk, *_ in names.REGIONS})
    return frame.astype("string")


def add_central_bodies(reg: _Registry) -> dict[str, str]:
    """The ministries and agencies that report straight to the Agency."""
    return {key: reg.add(kk, ru, "central_body", None, CAPITAL) for key, kk, ru, _own in names.CENTRAL_BODIES}


def add_committees(reg: _Registry, ministries: dict[str, str]) -> list[tuple[dict, str]]:
    """Departments (committees) of the ministries, each with the reach of its territorial network."""
    out = []
    ministry_names = {key: (kk, ru) for key, kk, ru, _own in names.CENTRAL_BODIES}
    for parent_key, kk, ru, reach in names.COMMITTEES:
        ministry_kk, ministry_ru = ministry_names[parent_key]
        bin_ = reg.add(f"{ministry_kk}нің {kk}", f"{ru} {ru_genitive_of_body(ministry_ru)}",
                       "department", ministries[parent_key], CAPITAL)
        out.append((dict(bin=bin_, kk=kk, ru=ru), reach))
    return out


def add_foreign_institutions(reg: _Registry, foreign_ministry: str) -> None:
    """Embassies and consulates general, which report to the Ministry of Foreign Affairs."""
    for kk, ru in names.EMBASSIES:
        reg.add(f"Қазақстан Республикасының {kk} Елшілігі", f"Посольство Республики Казахстан {ru}",
                "foreign_institution", foreign_ministry, ABROAD)
    for kk, ru in names.CONSULATES:
        reg.add(f"Қазақстан Республикасының {kk} Бас консулдығы", f"Генеральное консульство Республики Казахстан {ru}",
                "foreign_institution", foreign_ministry, ABROAD)


def add_oblast_units(reg: _Registry, services: list[tuple[dict, str]], regions: dict) -> dict[tuple[str, str], dict]:
    """Territorial departments of each service with a network, one per oblast and city of republican significance."""
    units = {}
    for service, reach in services:
        if not reach:
            continue
        for key, (_k, region_kk, _gen, po, *_rest) in regions.items():
            kk = f"{service['kk']}нің {region_kk} бойынша департаменті"
            ru = f"Департамент {po} {ru_genitive_of_body(service['ru'])}"
            units[(service["bin"], key)] = dict(bin=reg.add(kk, ru, "territorial_unit", service["bin"], key), kk=kk, ru=ru)
    return units


def district_list(regions: dict, extra_per_oblast: int) -> list[tuple[str, str, str]]:
    """Districts and cities of oblast significance as (region, kk, ru), round-robin over regions so a cut is even."""
    per_region: dict[str, list[tuple[str, str]]] = {}
    for key, (_k, _kk, _gen, _po, centre_kk, centre_ru) in regions.items():
        real = ([(f"{centre_kk} қаласы", f"город {centre_ru}")] if centre_kk else []) + names.DISTRICTS[key]
        per_region[key] = list(real)
        if centre_kk:  # the three big cities have a fixed set of city districts
            offset = len(per_region) * 7
            for j in range(extra_per_oblast):
                root_kk, root_ru = names.DISTRICT_ROOTS[(offset + j) % len(names.DISTRICT_ROOTS)]
                lap = (j // len(names.DISTRICT_ROOTS)) + 1
                suffix = f"-{lap}" if lap > 1 else ""
                per_region[key].append((f"{root_kk}{suffix} ауданы", f"район {root_ru}{suffix}"))
    longest = max(len(v) for v in per_region.values())
    return [(key, *per_region[key][i]) for i in range(longest) for key in per_region if i < len(per_region[key])]


def add_districts(reg: _Registry, n_bodies: int, services: list[dict], oblast_units: dict, regions: dict,
                  akimats: dict[str, str]) -> None:
    """Local akimats and the district offices of the services, adding districts until the country is big enough."""
    per_district = 1 + len(services)
    real = district_list(regions, 0)
    missing = n_bodies - len(reg.rows) - len(real) * per_district
    oblasts = sum(1 for r in regions.values() if r[4])
    extra = max(0, math.ceil(missing / per_district / oblasts)) if missing > 0 else 0
    for region, kk, ru in district_list(regions, extra):
        if len(reg.rows) >= n_bodies:
            return
        region_gen = regions[region][2]
        reg.add(f"{kk} әкімінің аппараты", f"Аппарат акима {ru_case(ru, 'gen')} {region_gen}", "local_akimat",
                akimats[region], region)
        for service in services:
            parent = oblast_units[(service["bin"], region)]
            reg.add(f"{service['kk']}нің {kk} бойынша басқармасы",
                    f"Управление {ru_genitive_of_body(service['ru'])} по {ru_case(ru, 'dat')}",
                    "territorial_unit", parent["bin"], region)


def add_history(reg: _Registry) -> None:
    """Give a few bodies a history: a ministry renamed, a committee moved, a consulate closed and one opened."""
    rows = reg.rows
    by_name = {r["name_ru"]: r for r in rows}
    digital = by_name.get("Министерство цифрового развития, инноваций и аэрокосмической промышленности")
    if digital is not None:
        rows.append({**digital, "name_kk": names.RENAMED_DIGITAL[0], "name_ru": names.RENAMED_DIGITAL[1],
                     "valid_from": RENAMED_ON})
        digital["valid_to"] = day_before(RENAMED_ON)
    consumer = next((r for r in rows if r["name_ru"].startswith("Комитет по защите прав потребителей")), None)
    health = by_name.get("Министерство здравоохранения")
    if consumer is not None and health is not None:
        rows.append({**consumer, "parent_bin": health["bin"], "name_ru": consumer["name_ru"].replace(
            "Министерства торговли и интеграции", "Министерства здравоохранения"),
            "name_kk": consumer["name_kk"].replace("Сауда және интеграция министрлігі", "Денсаулық сақтау министрлігі"),
            "valid_from": MOVED_ON})
        consumer["valid_to"] = day_before(MOVED_ON)
    consulates = [r for r in rows if r["name_ru"].startswith("Генеральное консульство")]
    if len(consulates) >= 2:
        consulates[-2]["valid_to"] = ABOLISHED_AFTER
        consulates[-1]["valid_from"] = OPENED_ON


def day_before(iso_day: str) -> str:
    return (pd.Timestamp(iso_day) - pd.Timedelta(days=1)).date().isoformat()


def write_registry_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write the registry in the CSV format operators edit: UTF-8, ISO dates, empty cells for no value."""
    path = Path(path)
    df[REGISTRY_COLUMNS].to_csv(path, index=False, encoding="utf-8", na_rep="")
    return path
