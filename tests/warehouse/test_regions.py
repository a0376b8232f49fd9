"""Regions: the 17 oblasts and 3 cities in three languages, the registry's spellings mapped to them, never guessed."""
from __future__ import annotations

import re

import pytest

from adep.cli.parser import main
from adep.registry import load_registry
from adep.sample.registry import make_registry
from contracts.regions import region_of, regions
from tests.conftest import make_bin, query
from warehouse.db import open_writer

HEADER = "bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"


def test_the_regions_are_the_17_oblasts_and_3_cities_named_in_three_languages():
    items = regions()
    assert [r.kind for r in items].count("oblast") == 17 and [r.kind for r in items].count("city") == 3
    assert len({r.code for r in items}) == 20 and all(re.fullmatch(r"KZ-\d\d", r.code) for r in items)
    for names in ([r.name_en for r in items], [r.name_kk for r in items], [r.name_ru for r in items]):
        assert len(set(names)) == 20
    assert all(re.search("[ӘәҒғҚқҢңӨөҰұҮүҺһІі]|облысы|қаласы", r.name_kk) for r in items)
    cities = {r.code: (r.name_kk, r.name_ru) for r in items if r.kind == "city"}
    assert cities == {"KZ-71": ("Астана қаласы", "город Астана"), "KZ-75": ("Алматы қаласы", "город Алматы"),
                      "KZ-79": ("Шымкент қаласы", "город Шымкент")}


@pytest.mark.parametrize("written, code", [
    ("Ақмола облысы", "KZ-11"), ("  АҚМОЛА   облысы ", "KZ-11"), ("Акмолинская область", "KZ-11"), ("KZ-11", "KZ-11"),
    ("Akmola Region", "KZ-11"), ("Астана", "KZ-71"), ("г. Алматы", "KZ-75"), ("Алматы облысы", "KZ-19"),
    ("область Жетісу", "KZ-33"), ("Алматы", None), ("Almaty", None), ("Atlantis", None), ("", None),
])
def test_a_region_is_named_only_when_certain(written, code):
    found = region_of(written)
    assert (found.code if found else None) == code


def test_the_warehouse_matches_spellings_as_the_contract_does(home):
    """The views compare spellings in SQL (region_key); the contract in Python: they agree on every spelling."""
    samples = [s for r in regions() for s in r.spellings]
    samples += [s.upper() for s in samples] + [f" {s.replace(' ', '  ')} " for s in samples]
    samples += ["Алматы", "Almaty", "Atlantis", "Астана\u00a0қаласы"]
    with open_writer(home, replace_copy=False) as con:
        got = dict(con.execute("""
            select w.spelling, any_value(s.region_code)
            from (select unnest(?::varchar[]) as spelling) as w
            left join region_spellings as s on region_key(s.spelling) = region_key(w.spelling)
            group by w.spelling""", [samples]).fetchall())
    expected = {s: (region_of(s).code if region_of(s) else None) for s in samples}
    assert got == expected


def test_an_unknown_region_is_reported_at_load_and_kept_as_written(home, tmp_path, capsys):
    b = [make_bin(i) for i in range(1, 5)]
    path = tmp_path / "registry.csv"
    path.write_text("\n".join([
        HEADER,
        f"{b[0]},М1,М1,central_body,,Астана қаласы,2020-01-01,",
        f"{b[1]},А,А,regional_akimat,,Алматы,2020-01-01,",
        f"{b[2]},Б,Б,territorial_unit,{b[0]},Atlantis,2020-01-01,",
        f"{b[3]},В,В,territorial_unit,{b[0]},Алматы,2020-01-01,",
    ]) + "\n", encoding="utf-8")
    assert main(["--home", str(home.home), "registry", "load", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "4 row(s)" in out
    assert "lines 3, 5: region 'Алматы' is not an oblast or city adep knows for certain" in out
    assert "line 4: region 'Atlantis'" in out
    assert query(home.published_path, "select region, region_code, name_ru from registry_regions order by region") == [
        ("Atlantis", None, None), ("Алматы", None, None), ("Астана қаласы", "KZ-71", "город Астана")]

    with open_writer(home) as con:
        result = load_registry(con, path)
    assert len(result.unknown_regions) == 2


def test_the_sample_country_writes_every_region_as_the_registry_does():
    registry = make_registry(700, seed=3)
    written = set(registry.region.dropna())
    assert {region_of(r).code for r in written} == {r.code for r in regions()}
    abroad = registry[registry.kind == "foreign_institution"]
    assert len(abroad) and abroad.region.isna().all()  # embassies stand in no region
