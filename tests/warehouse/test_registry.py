"""The registry: versions over time, bad rows reported by line with nothing half-loaded."""
from __future__ import annotations

import pytest

from adep.registry import RegistryError, load_registry
from tests.conftest import make_bin
from warehouse.db import open_writer

HEADER = "bin,name_kk,name_ru,kind,parent_bin,region,valid_from,valid_to"


def _csv(tmp_path, lines, name="reg.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER] + lines) + "\n", encoding="utf-8")
    return path


def _rows(con):
    return con.execute("select bin, parent_bin, valid_from::varchar, valid_to::varchar from core_registry order by bin, valid_from").fetchall()


def test_load_then_update_with_a_move_between_parents(home, tmp_path):
    m1, m2, unit = make_bin(1), make_bin(2), make_bin(3)
    first = _csv(tmp_path, [f"{m1},М1,М1,central_body,,Астана,2020-01-01,", f"{m2},М2,М2,central_body,,Астана,2020-01-01,",
                            f"{unit},Б,Б,territorial_unit,{m1},Алматы,2020-01-01,"])
    second = _csv(tmp_path, [f"{m1},М1,М1,central_body,,Астана,2020-01-01,", f"{m2},М2,М2,central_body,,Астана,2020-01-01,",
                             f"{unit},Б,Б,territorial_unit,{m1},Алматы,2020-01-01,2026-08-14",
                             f"{unit},Б,Б,territorial_unit,{m2},Алматы,2026-08-15,"], "reg2.csv")
    with open_writer(home) as con:
        assert load_registry(con, first).rows == 3
        load = load_registry(con, second)
        assert (load.registry_load_id, load.rows, load.bodies) == (2, 4, 3)
        # the version in force on the last day of the quarter gives the parent
        q3 = dict(con.execute("select bin, parent_bin from bodies_in_period(2026, 3)").fetchall())
        q2 = dict(con.execute("select bin, parent_bin from bodies_in_period(2026, 2)").fetchall())
    assert q3[unit] == m2 and q2[unit] == m1


@pytest.mark.parametrize("bad_line,expected", [
    ("{bad_bin},X,X,central_body,,Астана,2020-01-01,", "line 3: BIN"),
    ("{b3},X,X,territorial_unit,{unknown},Астана,2020-01-01,", "line 3: parent BIN"),
    ("{b1},X,X,central_body,,Астана,2021-01-01,", "overlaps the version on line 2"),
    ("{b3},X,X,space_agency,,Астана,2020-01-01,", "line 3: kind"),
    ("{b3},X,X,central_body,,Астана,01.01.2020,", "line 3: valid_from"),
])
def test_a_bad_row_is_reported_by_line_and_nothing_changes(home, tmp_path, bad_line, expected):
    b1, b3, unknown = make_bin(1), make_bin(3), make_bin(9)
    bad_bin = b1[:11] + str((int(b1[11]) + 1) % 10)
    good = _csv(tmp_path, [f"{b1},М1,М1,central_body,,Астана,2020-01-01,"], "good.csv")
    bad = _csv(tmp_path, [f"{b1},М1,М1,central_body,,Астана,2020-01-01,",
                          bad_line.format(bad_bin=bad_bin, b1=b1, b3=b3, unknown=unknown)], "bad.csv")
    with open_writer(home) as con:
        load_registry(con, good)
        before = _rows(con)
        with pytest.raises(RegistryError) as err:
            load_registry(con, bad)
        assert _rows(con) == before
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_a_cycle_is_refused(home, tmp_path):
    a, b = make_bin(1), make_bin(2)
    path = _csv(tmp_path, [f"{a},A,A,department,{b},Астана,2020-01-01,", f"{b},B,B,department,{a},Астана,2020-01-01,"])
    with open_writer(home) as con, pytest.raises(RegistryError, match="cycle"):
        load_registry(con, path)


def test_the_command_line_reports_bad_rows(home, tmp_path, capsys):
    from adep.cli.parser import main

    path = _csv(tmp_path, ["123,X,X,central_body,,Астана,2020-01-01,"])
    assert main(["--home", str(home.home), "registry", "load", str(path)]) == 1
    out = capsys.readouterr().out
    assert "line 2" in out and "not loaded" in out


# --- the registry as people keep it: Excel's CSV on a Russian Windows, UTF-8 with or without BOM, an .xlsx sheet ---

def _leading_zero_bin() -> str:
    from contracts.bin import complete_bin

    return next(b for n in range(100) if (b := complete_bin(f"0812400{n:04d}")))


def _people(kazakh: bool = False) -> list[list[str]]:
    """A ministry and two units, one with a leading zero in its BIN; names in Russian (Windows-1251 can hold them)."""
    m, a, b = make_bin(1), make_bin(2), _leading_zero_bin()
    first = "Қаржы министрлігі" if kazakh else "Министерство финансов"
    return [["bin", "name_kk", "name_ru", "kind", "parent_bin", "region", "valid_from", "valid_to"],
            [m, first, "Министерство финансов", "central_body", "", "Астана", "2020-01-01", ""],
            [a, "Департамент по Абайской области", "Департамент по Абайской области", "territorial_unit", m,
             "Абайская область", "2020-01-01", ""],
            [b, "Комитет казначейства", "Комитет казначейства", "department", m, "Астана", "2020-01-01", "2030-12-31"]]


def _text(rows: list[list[str]], sep: str = ",") -> str:
    return "\r\n".join(sep.join(r) for r in rows) + "\r\n"


def _loaded(home) -> list[tuple]:
    with open_writer(home) as con:
        return con.execute("select bin, name_kk, name_ru, kind, parent_bin, region, valid_from::varchar, "
                           "valid_to::varchar from core_registry order by bin").fetchall()


def _load(home, path):
    with open_writer(home) as con:
        return load_registry(con, path)


def test_windows_1251_utf8_and_utf8_with_bom_read_alike(home, tmp_path):
    rows = _people()
    kinds = {
        # what Excel saves as 'CSV (comma delimited)' on a Russian Windows: Windows-1251, semicolons, CRLF
        "excel-1251.csv": _text(rows, ";").encode("cp1251"),
        "utf8.csv": _text(rows).encode("utf-8"),
        "utf8-bom.csv": b"\xef\xbb\xbf" + _text(rows).encode("utf-8"),
    }
    loaded = {}
    for name, data in kinds.items():
        (tmp_path / name).write_bytes(data)
        result = _load(home, tmp_path / name)
        assert (result.rows, result.bodies) == (3, 3)
        loaded[name] = _loaded(home)
    assert kinds["excel-1251.csv"] != kinds["utf8.csv"]
    assert loaded["excel-1251.csv"] == loaded["utf8.csv"] == loaded["utf8-bom.csv"]
    by_bin = {r[0]: r for r in loaded["excel-1251.csv"]}
    assert (by_bin[make_bin(1)][2], by_bin[make_bin(2)][5]) == ("Министерство финансов", "Абайская область")
    assert _load(home, tmp_path / "excel-1251.csv").read_as == "Windows-1251 text"


def test_kazakh_letters_lost_by_windows_1251_are_refused_naming_the_lines(home, tmp_path):
    rows = _people(kazakh=True)
    rows[2][5] = "Абай облысы"  # no Kazakh letter: this line is fine
    rows[3][1] = "Қазынашылық комитеті"
    path = tmp_path / "excel.csv"
    path.write_bytes(_text(rows, ";").encode("cp1251", errors="replace"))  # as Excel writes it: ? for each lost letter
    assert b"?" in path.read_bytes()
    good = tmp_path / "good.csv"
    good.write_text(_text(_people()), encoding="utf-8")
    _load(home, good)
    before = _loaded(home)
    with pytest.raises(RegistryError) as err:
        _load(home, path)
    (problem,) = err.value.problems
    assert problem.startswith("lines 2, 4:") and "Kazakh letters" in problem
    assert "'CSV UTF-8'" in problem and ".xlsx" in problem
    assert _loaded(home) == before  # a mangled name is never loaded


def test_the_registry_as_an_xlsx_sheet(home, tmp_path):
    from datetime import date

    from openpyxl import Workbook

    rows = _people(kazakh=True)
    csv_path = tmp_path / "same.csv"
    csv_path.write_text(_text(rows), encoding="utf-8")
    _load(home, csv_path)
    from_csv = _loaded(home)

    book = Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "The registry is on the next sheet."
    sheet = book.create_sheet("Тізілім")
    sheet.append(rows[0])
    for r in rows[1:]:
        cells = list(r)
        cells[0] = int(r[0])  # a BIN typed into a number cell: the leading zero is gone
        cells[6] = date.fromisoformat(r[6])  # dates as date cells
        cells[7] = date.fromisoformat(r[7]) if r[7] else None
        sheet.append(cells)
    sheet.append([None] * 8)  # a blank row at the end, as sheets often have
    path = tmp_path / "registry.xlsx"
    book.save(path)

    result = _load(home, path)
    assert (result.rows, result.read_as) == (3, "sheet 'Тізілім' of an .xlsx workbook")
    assert _loaded(home) == from_csv
    assert _leading_zero_bin() in [r[0] for r in from_csv]


def test_an_xlsx_without_one_registry_sheet_is_refused(home, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "bin"])
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(RegistryError, match="no sheet with the registry's columns"):
        _load(home, path)


@pytest.mark.parametrize("name,data,expected", [
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b"\xef\xbb\xbf\r\n  \r\n", "is empty"),
    ("header.csv", (HEADER + "\n").encode(), "a header line but no bodies"),
    ("registry.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "is a PDF document"),
    ("registry.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old Excel .xls"),
    ("unicode.txt", "bin\tname".encode("utf-16"), "UTF-16"),
    ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not text"),
    ("report.docx", b"PK\x03\x04" + b"\x00" * 100, "not an .xlsx workbook"),
])
def test_anything_else_is_refused_in_one_problem(home, tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(RegistryError) as err:
        _load(home, path)
    assert len(err.value.problems) == 1 and expected in err.value.problems[0], err.value.problems


def test_the_command_line_loads_an_xlsx_and_says_how_it_read_the_file(tmp_path, capsys):
    from openpyxl import Workbook

    from adep.cli.parser import main

    book = Workbook()
    for row in _people(kazakh=True):
        book.active.append(row)
    path = tmp_path / "bodies.xlsx"
    book.save(path)
    home = tmp_path / "new-home"
    assert main(["--home", str(home), "registry", "load", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "3 row(s), 3 bodies" in out and "read as sheet 'Sheet' of an .xlsx workbook" in out
    assert (home / "warehouse.duckdb").is_file()  # registry load makes a home
