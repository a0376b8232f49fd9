"""The findings file written beside a rejected workbook: what is wrong, where, and what to do."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import json
from collections import namedtuple

from adep.files import write_text_atomic

from contracts.messages import render_finding

_SEVERITY = {"error": "ҚАТЕ / ОШИБКА / error", "warning": "ескерту / предупреждение / warning"}


def format_findings(file_row, findings: pd.DataFrame) -> str:
    period = f"{int(file_row.year)}Q{int(file_row.quarter)}" if pd.notna(file_row.year) and pd.notna(file_row.quarter) else "?"
    if period == "?" and _period_text(findings):
        period = f"? ('{_period_text(findings)}')"  # the text the header holds, which names no single quarter
    errors = int((findings.severity == "error").sum())
    warnings = int((findings.severity == "warning").sum())
    lines = [
        f"Файл / File: {file_row.file_name}   (adep file id {file_row.file_id})",
        f"БСН / БИН / BIN: {file_row.bin if isinstance(file_row.bin, str) else '?'}    Кезең / Период / Period: {period}",
        "Есеп қабылданбады / Отчёт не принят / The report was rejected:"
        f" {errors} error(s), {warnings} warning(s).",
        "Түзетіп, қайта жіберіңіз / Исправьте и отправьте снова / Correct the file and send it again.",
        "",
    ]
    for i, f in enumerate(_rows(findings), start=1):
        where = ", ".join(x for x in (
            f"row {f.code}" if pd.notna(f.code) and f.code else "",
            f"field {f.field}" if pd.notna(f.field) and f.field else "",
            f"cell {f.cell}" if pd.notna(f.cell) and f.cell else "",
        ) if x)
        lines.append(f"{i}. [{_SEVERITY.get(f.severity, f.severity)}] {f.rule} {f.rule_name}" + (f" ({where})" if where else ""))
        words = finding_lines(f)
        lines.append(f"   ҚАЗ: {words['kk']}")
        lines.append(f"   РУС: {words['ru']}")
        lines.append(f"   EN: {words['en']}")
    return "\n".join(lines) + "\n"


def _rows(findings: pd.DataFrame):
    """The findings as itertuples gives them, made from whole columns: pandas' per-row indexing costs more than the
    wording, for each rejected file."""
    row = namedtuple("Pandas", ["Index", *map(str, findings.columns)], rename=True)
    return map(row._make, zip(findings.index.tolist(), *(findings[c].tolist() for c in findings.columns)))


def finding_lines(f) -> dict[str, str]:
    """A recorded finding in Kazakh, Russian and English, worded from the catalogue and its parameters."""
    template, params = _text(getattr(f, "template", None)), _text(getattr(f, "params", None))
    if not template or not params:  # recorded before findings kept their parameters: its English line is all there is
        text = _text(f.message) or f.rule
        return {"en": text, "kk": _text(getattr(f, "message_kk", None)) or text, "ru": _text(getattr(f, "message_ru", None)) or text}
    return render_finding(template, code=_text(f.code), cell=_text(f.cell), field=_text(f.field),
                          params=json.loads(params), rule=f.rule)


def _period_text(findings: pd.DataFrame) -> str | None:
    """The period text an H01 finding quotes, if any."""
    if "params" not in findings.columns:
        return None
    for rule, params in zip(findings.rule, findings.params):
        if rule == "H01" and isinstance(params, str) and params:
            found = json.loads(params).get("found")
            if found:
                return str(found)
    return None


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def write_findings_file(path: Path, file_row, findings: pd.DataFrame) -> Path:
    """Write a rejected file's findings beside it, whole or not at all."""
    return write_text_atomic(path, format_findings(file_row, findings))
