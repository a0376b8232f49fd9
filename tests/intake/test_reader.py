"""Reading forms by content: every layout of SPEC.md, written by two different spreadsheet writers."""
from __future__ import annotations

import dataclasses
import io
import zipfile

import openpyxl
import pytest

from adep.intake.reader import parse_period, parse_value, read_path
from adep.forms.layout import FormLayout
from adep.forms.writer import write_report
from tests.conftest import PERIOD, SIGNED, clean_values, make_bin

LIMITS = dict(max_file_bytes=25_000_000, max_inflated_bytes=200_000_000, max_sheet_cells=2_000_000)
BIN = make_bin(7)

VARIATIONS = {
    "plain": {},
    "russian": dict(language="ru"),
    "header_below_table": dict(header_position="bottom"),
    "inserted_rows_and_columns": dict(start_row=4, start_col=3),
    "codes_as_numbers": dict(codes_as_numbers=True),
    "codes_with_trailing_dot": dict(code_trailing_dot=True),
    "merged_cells": dict(merged_cells=True),
    "extra_sheet_first": dict(extra_sheets=True),
    "values_as_text": dict(values_as_text=True),
    "zeros_blank": dict(blank_zeros=""),
    "zeros_dash": dict(blank_zeros="-"),
    "zeros_en_dash": dict(blank_zeros="–"),
    "zeros_em_dash": dict(blank_zeros="—"),
    "roman_quarter": dict(roman_quarter=True),
    "roman_quarter_kazakh_i": dict(roman_quarter=True, kazakh_i=True),
    "bin_in_label_cell": dict(bin_in_label_cell=True),
    "bin_as_number": dict(bin_as_number=True),
    "no_value_heading": dict(value_column_heading=False),
    "previous_period_column": dict(extra_value_columns="previous"),
    "blank_column_before_values": dict(extra_value_columns="gap"),
    "russian_header_below_merged": dict(language="ru", header_position="bottom", merged_cells=True, codes_as_numbers=True),
}


def _write(tmp_path, name, layout, values, **kw):
    return write_report(tmp_path / f"{name}.xlsx", bin=BIN, period=PERIOD, body_name="Әділет департаменті",
                        commissioner="Сейітова А.", phone="+7 7172 000000", signed_on=SIGNED, values=values,
                        layout=layout, **kw)


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
@pytest.mark.parametrize("variation", list(VARIATIONS))
def test_every_layout_reads_back(tmp_path, writer, variation):
    values = clean_values(3)
    layout = FormLayout(writer=writer, **VARIATIONS[variation])
    path = _write(tmp_path, variation, layout, values, previous_values={c: 99 for c in values})
    result = read_path(path, **LIMITS)
    assert [f for f in result.findings if f.severity == "error"] == []
    assert result.values == values
    assert result.header["bin"] == BIN
    assert (result.header["year"], result.header["quarter"]) == (2026, 3)
    assert result.header["body_name"] == "Әділет департаменті"
    assert result.header["commissioner"] == "Сейітова А."
    assert result.header["signed_on"] == SIGNED
    if layout.blank_zeros is not None:
        assert {c for c, v in values.items() if v == 0} <= result.blanks


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_formulas_with_saved_values_are_read_and_without_are_findings(tmp_path, writer):
    values = clean_values(1)
    result = read_path(_write(tmp_path, "f", FormLayout(writer=writer, formulas=True), values), **LIMITS)
    if writer == "xlsxwriter":  # xlsxwriter saves the value with the formula, as Excel does
        assert result.values == values
    else:  # openpyxl writes a formula with no saved value: the file was never calculated
        assert "V04" in {f.rule for f in result.findings}
        assert all(f.cell for f in result.findings if f.rule == "V04")


def test_consolidated_mark_is_seen(tmp_path):
    result = read_path(_write(tmp_path, "c", FormLayout(consolidated_mark=True), clean_values()), **LIMITS)
    assert result.header["is_consolidated"] is True
    plain = read_path(_write(tmp_path, "p", FormLayout(), clean_values()), **LIMITS)
    assert plain.header["is_consolidated"] is False


def _by_hand(tmp_path, name: str, rows: list[tuple], merges=()):
    """A workbook typed cell by cell, as a person with another program might lay it out."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for ref, value in rows:
        ws[ref] = value
    for m in merges:
        ws.merge_cells(m)
    path = tmp_path / name
    wb.save(path)
    return path


def _table(col_code="B", col_label="C", col_value="E", first_row=8, values=None, codes_as=str):
    from contracts.form import codes
    values = values or clean_values()
    cells = [(f"{col_value}{first_row - 1}", "Общее количество за отчетный период")]
    for i, code in enumerate(codes()):
        r = first_row + i
        cells += [(f"{col_code}{r}", codes_as(code)), (f"{col_label}{r}", f"показатель {code}"), (f"{col_value}{r}", values[code])]
    return cells


def test_a_hand_made_russian_form_with_bin_beside_the_name(tmp_path):
    rows = [("A1", "Отчет о деятельности уполномоченных по этике"),
            ("A3", "Отчетный период: 3 квартал 2026 года"),
            ("A4", "Наименование государственного органа"), ("C4", "ГУ «Аппарат акима района»"), ("F4", BIN),
            ("A60", "Уполномоченный по этике"), ("C60", "Иванов И.И."),
            ("A61", "Телефон"), ("C61", "87010000000"), ("A62", "Дата подписания"), ("C62", "02.10.2026")]
    path = _by_hand(tmp_path, "ru.XLSX", rows + _table(), merges=["A1:F1"])
    result = read_path(path, **LIMITS)
    assert result.findings == []
    assert result.header["bin"] == BIN
    assert result.header["body_name"] == "ГУ «Аппарат акима района»"
    assert result.values == clean_values()


def test_values_of_every_kind_in_one_form(tmp_path):
    values = clean_values()
    mixed = dict(values)
    mixed.update({"1.1": float(values["1.1"]), "1.2": f" {values['1.2']} ", "2.1": "-", "3.3": None, "3.4": "—", "8": "2"})
    path = _by_hand(tmp_path, "mixed.xlsx", [("A2", "Есепті кезең 2026 жылғы 3 тоқсан"), ("A3", f"БСН: {BIN}")] + _table(values=mixed))
    result = read_path(path, **LIMITS)
    expected = dict(values)
    expected.update({"2.1": 0, "3.3": 0, "3.4": 0})
    assert result.values == expected
    assert {"2.1", "3.3", "3.4"} <= result.blanks


@pytest.mark.parametrize("bad,rule", [(2.5, "V01"), (-1, "V02"), ("н/д", "V03"), ("1,5", "V01")])
def test_bad_values_name_the_row_and_cell(tmp_path, bad, rule):
    values = dict(clean_values())
    values["6.2"] = bad
    path = _by_hand(tmp_path, "bad.xlsx", [("A2", "Есепті кезең 2026 жылғы 3 тоқсан"), ("A3", f"БСН: {BIN}")] + _table(values=values))
    result = read_path(path, **LIMITS)
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1 and found[0].code == "6.2" and found[0].cell == "E32"
    assert "6.2" not in result.values


def test_missing_and_duplicated_codes(tmp_path):
    cells = [c for c in _table() if not (c[0] in ("B12", "C12", "E12"))]  # row of code 2.1 deleted
    cells += [("B60", "3.2"), ("C60", "жеке және заңды тұлғалардан"), ("E60", 4)]
    path = _by_hand(tmp_path, "gaps.xlsx", [("A2", "Есепті кезең 2026 жылғы 3 тоқсан"), ("A3", f"БСН: {BIN}")] + cells)
    result = read_path(path, **LIMITS)
    rules = {(f.rule, f.code) for f in result.findings}
    assert ("T02", "2.1") in rules and ("T03", "3.2") in rules


def test_no_table_at_all(tmp_path):
    path = _by_hand(tmp_path, "letter.xlsx", [("A1", "Сопроводительное письмо"), ("A2", "Отчет во вложении")])
    assert [f.rule for f in read_path(path, **LIMITS).findings] == ["T01"]


def _zip_bytes(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("content,rule", [
    (b"", "F01"),
    (b"just some text, not a workbook", "F02"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "F01"),  # an .xls container that does not hold together
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600, "F03"),
    (b"PK\x03\x04 truncated", "F01"),
    ("zip-not-xlsx", "F02"),
    ("ods", "F01"),  # an .ods whose content.xml holds no spreadsheet
    ("entities", "F05"),
])
def test_broken_files_become_findings(tmp_path, content, rule):
    if content == "zip-not-xlsx":
        content = _zip_bytes({"readme.txt": b"hello"})
    elif content == "ods":
        content = _zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    elif content == "entities":
        content = _zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><workbook/>'})
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    result = read_path(path, **LIMITS)
    assert not result.readable
    assert [f.rule for f in result.findings] == [rule]
    assert result.findings[0].message


def test_truncated_real_workbook_is_a_finding(tmp_path):
    path = _write(tmp_path, "whole", FormLayout(), clean_values())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = read_path(path, **LIMITS)
    assert not result.readable and result.findings[0].rule == "F01"


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    content = _zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * 50_000_000})
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(content)
    result = read_path(path, **dict(LIMITS, max_inflated_bytes=10_000_000))
    assert [f.rule for f in result.findings] == ["F04"]


@pytest.mark.parametrize("line,expected", [
    ("Есепті кезең 2026 жылғы 3 тоқсан", (2026, 3)),
    ("Есепті кезең 2026 жылғы III тоқсан", (2026, 3)),
    ("Есепті кезең 2026 жылғы ІІ тоқсан", (2026, 2)),  # Kazakh letter І typed for a Roman I
    ("Отчетный период: 4 квартал 2026 года", (2026, 4)),
    ("за IV квартал 2025 г.", (2025, 4)),
    ("2026 жылғы 1-тоқсан", (2026, 1)),
    ("Есепті кезең 20___ жылғы ___тоқсан", None),
])
def test_period_lines(line, expected):
    assert parse_period(line) == expected


@pytest.mark.parametrize("raw,expected", [(12, (12, False, None)), (12.0, (12, False, None)), ("12", (12, False, None)),
                                          (" 12 ", (12, False, None)), ("", (0, True, None)), (None, (0, True, None)),
                                          ("-", (0, True, None)), ("–", (0, True, None)), ("—", (0, True, None)),
                                          (1.5, (None, False, "V01")), (-3, (None, False, "V02")), ("abc", (None, False, "V03"))])
def test_value_parsing(raw, expected):
    assert parse_value(raw)[:3] == expected


def test_the_variation_list_covers_every_layout_option():
    options = {f.name for f in dataclasses.fields(FormLayout)} - {"writer"}
    used = set().union(*(set(v) for v in VARIATIONS.values()))
    assert options - used <= {"formulas", "consolidated_mark"}  # both have tests of their own above


def test_codes_typed_in_the_same_cell_as_their_labels(tmp_path):
    from contracts.form import codes, indicator
    values = clean_values(2)
    cells = [("A2", "Есепті кезең 2026 жылғы III-тоқсан"), ("A3", f"БСН {BIN}"), ("D5", "Есепті кезеңдегі жалпы саны")]
    for i, code in enumerate(codes()):
        label = indicator(code).label_kk
        cells += [(f"A{6 + i}", f"{code}. {label}" if "." not in code else f"{code} {label}"), (f"D{6 + i}", values[code])]
    result = read_path(_by_hand(tmp_path, "one-cell.xlsx", cells), **LIMITS)
    assert result.findings == [f for f in result.findings if f.severity == "warning"]
    assert result.values == values
    assert (result.header["year"], result.header["quarter"]) == (2026, 3)


def test_formula_noise_and_float_codes_from_computations(tmp_path):
    values = clean_values()
    noisy = dict(values)
    noisy["1"] = values["1"] + 1e-12
    cells = [("A2", "Есепті кезең 2026 жылғы 3 тоқсан"), ("A3", f"БСН: {BIN}")] + _table(values=noisy, codes_as=lambda c: float(c) + 1e-12 if "." in c else c)
    result = read_path(_by_hand(tmp_path, "noise.xlsx", cells), **LIMITS)
    assert result.values == values


def test_a_chart_sheet_does_not_stop_the_reader(tmp_path):
    from openpyxl.chart import BarChart, Reference
    path = _write(tmp_path, "with-chart", FormLayout(writer="openpyxl"), clean_values())
    wb = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(wb.worksheets[0], min_col=1, min_row=1, max_row=5))
    wb.create_chartsheet("Диаграмма").add_chart(chart)
    wb.save(path)
    assert read_path(path, **LIMITS).values == clean_values()


@pytest.mark.parametrize("text,expected", [
    ("03.10.2026", "2026-10-03"), ("2026-10-03", "2026-10-03"), ('2026 жылғы "3" қазан', "2026-10-03"),
    ("«03» октября 2026 г.", "2026-10-03"), ("5 қаңтар 2027 ж.", "2027-01-05"), ("әлі жоқ", None),
])
def test_signing_dates_as_people_write_them(text, expected):
    from adep.intake.reader import parse_date
    day = parse_date(text)
    assert (day.isoformat() if day else None) == expected


def test_the_printed_form_layout_below_the_table(tmp_path):
    """The header block as printed under the table: hints under the blanks, an unlabelled date line."""
    rows = [("A1", "Әдеп жөніндегі уәкілдердің қызметі туралы есеп нысаны"), ("A2", "Есепті кезең 2026 жылғы 3 тоқсан"),
            ("A50", "Мемлекеттік органның атауы:"), ("A51", "«Әділет департаменті» РММ"), ("D50", f"БСН {BIN}"),
            ("A53", "Әдеп жөніндегі уәкіл"), ("A54", "Т.А.Ә. (болған жағдайда) қолы)"), ("A55", "Сейітова Айгүл"),
            ("A57", "Тел.: 8 7172 00 00 00"), ("A59", '2026 жылғы "2" қазан'), ("A60", "мөрдің орны")]
    result = read_path(_by_hand(tmp_path, "printed.xlsx", rows + _table()), **LIMITS)
    assert result.findings == []
    h = result.header
    assert (h["body_name"], h["commissioner"], h["bin"]) == ("«Әділет департаменті» РММ", "Сейітова Айгүл", BIN)
    assert h["phone"] == "8 7172 00 00 00" and h["signed_on"].isoformat() == "2026-10-02"
