"""Findings: one shape for everything a check can say about a file, whatever produced it."""
from __future__ import annotations

from dataclasses import asdict, dataclass

FINDING_COLUMNS = ["severity", "rule", "name", "code", "field", "cell", "message"]


@dataclass(frozen=True)
class Finding:
    """One problem in one file: what rule, which row code or header field, which cell, and what to do."""

    severity: str  # "error" rejects the report, "warning" loads it and records the finding
    rule: str  # R01..R27 for the form's arithmetic, F.. for file, table, value, header and registry checks
    name: str  # dotted name of the check, e.g. appeal_sources.exceed_total
    message: str
    code: str | None = None  # row code of the form, when the finding is about a row
    field: str | None = None  # header field, when the finding is about the header
    cell: str | None = None  # cell address such as C17, when there is one

    def as_dict(self) -> dict:
        return asdict(self)


# Checks that are not arithmetic rules of the form: id, dotted name, severity.
# Kept as data beside the form's rules so every finding carries an id an operator can look up.
STRUCTURAL = {
    "F01": ("file.unreadable", "error"),
    "F02": ("file.wrong_type", "error"),
    "F03": ("file.encrypted", "error"),
    "F04": ("file.too_large", "error"),
    "F05": ("file.unsafe_content", "error"),
    "T01": ("table.not_found", "error"),
    "T02": ("table.missing_code", "error"),
    "T03": ("table.duplicate_code", "error"),
    "V01": ("value.not_whole", "error"),
    "V02": ("value.negative", "error"),
    "V03": ("value.not_a_number", "error"),
    "V04": ("value.formula_without_value", "error"),
    "H01": ("header.period_missing", "error"),
    "H02": ("header.bin_missing", "error"),
    "H03": ("header.bin_invalid", "error"),
    "H04": ("header.body_name_missing", "warning"),
    "H05": ("header.commissioner_missing", "warning"),
    "H06": ("header.phone_missing", "warning"),
    "H07": ("header.signed_on_missing", "warning"),
    "G01": ("registry.unknown_bin", "error"),
    "G02": ("registry.excluded_body", "error"),
    "G03": ("period.not_ended", "error"),
    "G04": ("period.name_mismatch", "warning"),
    "O01": ("value.outlier", "warning"),
}


def finding(rule: str, message: str, *, code: str | None = None, field: str | None = None, cell: str | None = None) -> Finding:
    name, severity = STRUCTURAL[rule]
    return Finding(severity=severity, rule=rule, name=name, message=message, code=code, field=field, cell=cell)
