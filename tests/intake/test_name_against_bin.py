"""The form's name against its BIN, on the sample registry's real bodies: another body's name with this BIN is
rejected naming both; renames, Kazakh and Russian spellings, legal forms and names shared across oblasts never trip
it; a name like none of the body's is a warning."""
from __future__ import annotations

import pytest

from adep.forms.writer import write_report
from adep.intake.body_names import name_findings, quarter_names
from adep.periods import Period
from adep.registry import load_registry
from adep.sample.registry import make_registry, write_registry_csv
from contracts.names import normal_name, resembles
from flows.intake import intake
from tests.conftest import LATE, ON_TIME, PERIOD, SIGNED, arrived, clean_values, query
from warehouse.connect import connect
from warehouse.db import open_writer


@pytest.fixture
def country(home, tmp_path):
    """The sample registry of 1,000 bodies (renamed and moved bodies among them) loaded into the home."""
    registry = make_registry(1000, seed=0)
    write_registry_csv(registry, tmp_path / "registry.csv")
    with open_writer(home) as con:
        load_registry(con, tmp_path / "registry.csv")
    return registry


def _names(home, period: Period = PERIOD):
    con = connect(home)
    try:
        return quarter_names(con, period)
    finally:
        con.close()


def _rules(home, pairs, period: Period = PERIOD) -> list[str | None]:
    found = name_findings([b for b, _ in pairs], [n for _, n in pairs], _names(home, period))
    return [f.rule if f else None for f in found]


def test_every_name_every_body_has_had_is_its_own_in_every_quarter(home, country):
    renamed = country[country.bin.duplicated(keep=False)]
    assert renamed.bin.nunique() == 2 and len(renamed) == 4  # the ministry renamed, the committee moved and renamed
    for period in (Period(2025, 3), Period(2026, 3)):
        pairs = [(r.bin, name) for r in country.itertuples() for name in (r.name_kk, r.name_ru)]
        assert set(_rules(home, pairs, period)) == {None}
    # the ministry's name before its rename, on a report of a quarter after it, and the other way round
    ministry = renamed.sort_values("valid_from").drop_duplicates("bin", keep="first")
    for row in ministry.itertuples():
        later = renamed[(renamed.bin == row.bin) & (renamed.valid_from > row.valid_from)].iloc[0]
        assert _rules(home, [(row.bin, row.name_kk), (row.bin, later.name_ru)], Period(2026, 3)) == [None, None]
        assert _rules(home, [(row.bin, later.name_kk)], Period(2025, 1)) == [None]


def test_spellings_quotes_legal_forms_and_keyboards_are_one_name(home, country):
    akimat = country[country.kind == "local_akimat"].iloc[0]
    kk, ru = akimat.name_kk, akimat.name_ru
    written = [
        f"ГУ «{ru}»", f"КГУ \"{ru.upper()}\"", f"  {ru.lower()}  ", f"{kk} мемлекеттік мекемесі",
        f"РММ «{kk}»", kk.replace("ә", "а").replace("қ", "к").replace("і", "и"),  # typed on a Russian keyboard
        ru.replace("а", "a", 1),  # a Latin 'a' slipped in
        f"Коммунальное государственное учреждение «{ru}»",
    ]
    assert normal_name(f"ГУ «{ru}»") == normal_name(ru) == normal_name(f"КГУ \"{ru.upper()}\"")
    assert _rules(home, [(akimat.bin, w) for w in written]) == [None] * len(written)


def test_a_name_shared_with_other_districts_is_never_a_mismatch(home, country):
    shared = country[country.kind == "local_akimat"].groupby("name_kk").bin.agg(list)
    name, bins = next((n, b) for n, b in shared.items() if len(b) > 1)  # 'Абай ауданы' is in two oblasts
    assert _rules(home, [(b, name) for b in bins]) == [None] * len(bins)


def test_a_name_like_none_of_the_bodys_is_a_warning(home, country):
    akimat = country[country.kind == "local_akimat"].iloc[0]
    typo = akimat.name_ru.replace("Аппарат", "Апарат")
    assert _rules(home, [(akimat.bin, "Министерство образования и науки"),  # no body's name, not this body's
                         (akimat.bin, typo),  # a typing slip resembles the name
                         (akimat.bin, "Орган")]) == ["G05", None, None]  # a word that names no body says nothing
    assert resembles(normal_name("Аппарат акима Бурабайского района"), {"аппарат", "акима", "щучинского", "района"}) is False


def _report(home, name: str, bin_: str, body_name: str, seed: int, when):
    return arrived(write_report(home.intake_dir / name, bin=bin_, period=PERIOD, body_name=body_name,
                                commissioner="Уәкіл", phone="+7 700 000 0000", signed_on=SIGNED,
                                values=clean_values(seed)), when)


@pytest.mark.usefixtures("prefect_harness")
def test_a_district_that_sends_its_neighbours_file_under_its_own_name_is_rejected_naming_both(home, country):
    """The issue's case: the district copies its neighbour's file, types its own name over it, leaves its BIN."""
    akimats = country[country.kind == "local_akimat"]
    oblast = akimats.groupby("region").bin.count().idxmax()
    district, neighbour = akimats[akimats.region == oblast].iloc[:2].itertuples()
    _report(home, "neighbour.xlsx", neighbour.bin, neighbour.name_kk, seed=1, when=ON_TIME)
    _report(home, "district.xlsx", neighbour.bin, district.name_ru, seed=2, when=LATE)
    renamed = country[country.bin.duplicated(keep="last")].iloc[0]  # the renamed ministry, by its old name
    _report(home, "ministry.xlsx", renamed.bin, renamed.name_kk, seed=3, when=ON_TIME)

    summary = intake(home=str(home.home))

    status = dict(query(home, "select file_name, status from intake_log"))
    assert status == {"neighbour.xlsx": "loaded", "district.xlsx": "rejected", "ministry.xlsx": "loaded"}
    assert summary.warned == 0
    (message, kk, ru), = query(home, "select message, message_kk, message_ru from findings "
                                     "where file_name = 'district.xlsx' and rule = 'G04'")
    for line in (message, kk, ru):
        assert district.bin in line and neighbour.bin in line
        assert district.name_ru in line and neighbour.name_ru in line
    # the neighbour's genuine report stays in force: its figures are not replaced by the copy
    (in_force,), = query(home, "select f.file_name from core_submissions as s join core_files as f using (file_id) "
                               "where s.is_in_force and s.bin = ?", [neighbour.bin])
    assert in_force == "neighbour.xlsx"
