"""The findings catalogue (data/findings.csv): every finding id's dotted name, severity and wording in three languages.

A template id may have variants (`F01/empty`) that share the id's name and severity and say more about one cause.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "kk", "ru")


@dataclass(frozen=True)
class Template:
    """One row of the catalogue: the wording of a finding id (or of one variant of it) in each language."""

    id: str
    name: str
    severity: str
    text: dict[str, str] = field(hash=False, compare=False)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Template]:
    """Template id -> Template, from data/findings.csv; variants inherit their id's name and severity."""
    text = resources.files("contracts").joinpath("data", "findings.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if (r.get("id") or "").strip()]
    out: dict[str, Template] = {}
    for r in rows:
        key = r["id"].strip()
        base = out.get(key.split("/")[0])
        out[key] = Template(key, (r["name"] or "").strip() or (base.name if base else ""),
                            (r["severity"] or "").strip() or (base.severity if base else ""),
                            {lang: (r.get(lang) or "").strip() for lang in LANGUAGES})
    return out


def structural_ids() -> dict[str, tuple[str, str]]:
    """The checks that are not arithmetic rules of the form: id -> (dotted name, severity)."""
    return {k: (t.name, t.severity) for k, t in catalogue().items()
            if "/" not in k and ":" not in k and not k.startswith("R")}
