"""What `adep check` prints: for each file, where the intake would file it, its outcome, and its findings in
Kazakh, Russian and English (and, on request, every choice the reader made)."""
from __future__ import annotations

from adep.cli.console import console
from adep.intake.dry_run import Verdict

_SEVERITY = {"error": "ҚАТЕ / ОШИБКА / error", "warning": "ескерту / предупреждение / warning"}


def print_verdicts(verdicts: list[Verdict], *, show_choices: bool = False) -> None:
    for v in verdicts:
        _line(f"{v.number}. {v.path}", style="bold")
        who = f"BIN {v.bin}" if v.bin else "BIN not found"
        if v.body:
            who += f" ({v.body})"
        where = f"{who}, period {v.period or 'not found'}" + (f", sheet '{v.sheet}'" if v.sheet else "")
        _line(f"   Would be filed under: {where}")
        if v.channel == "portal":
            _line(f"   Came through the portal: receipt {v.receipt_number} (its time is the time of arrival)")
        errors = int((v.findings.severity == "error").sum()) if len(v.findings) else 0
        warnings = int((v.findings.severity == "warning").sum()) if len(v.findings) else 0
        outcome = v.outcome
        if v.outcome in ("loaded with warnings", "rejected", "superseded") and (errors or warnings):
            outcome += f" ({errors} error(s), {warnings} warning(s))"
        if v.is_late is not None:
            outcome += f"; {'late' if v.is_late else 'on time'} (deadline {v.deadline})"
        _line(f"   Outcome: {outcome}", style="green" if v.would_load else "red")
        if v.note:
            _line(f"   {v.note[0].upper()}{v.note[1:]}")
        for i, f in enumerate(v.findings.itertuples(), start=1):
            where = ", ".join(x for x in (f"row {f.code}" if isinstance(f.code, str) else "",
                                          f"field {f.field}" if isinstance(f.field, str) else "",
                                          f"cell {f.cell}" if isinstance(f.cell, str) else "") if x)
            _line(f"   {i}) [{_SEVERITY.get(f.severity, f.severity)}] {f.rule} {f.name}" + (f" ({where})" if where else ""))
            _line(f"      ҚАЗ: {f.message_kk}")
            _line(f"      РУС: {f.message_ru}")
            _line(f"      EN: {f.message}")
        if show_choices:
            _line("   How it was read:")
            for choice in v.choices:
                _line(f"      {choice.line()}")
    would = sum(v.would_load for v in verdicts)
    _line(f"{len(verdicts)} file(s) checked: {would} would load, {len(verdicts) - would} would not. "
          "Nothing was loaded, moved or written.", style="bold")


def _line(text: str, style: str | None = None) -> None:
    """One line as it is: file names and findings may hold brackets that are not markup."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
