"""SQL lives in .sql files under warehouse/ (read through warehouse.queries); Python keeps inline only the statements
of transaction control and schema bookkeeping. This counts the SQL statements written inline in the project's .py
files and holds the number: a new query goes into warehouse/sql/ (or a view), not into a string."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("adep", "contracts", "flows", "tasks", "warehouse")

# The statements still inline, by file: transaction control (warehouse/transaction.py), the schema's own bookkeeping
# (warehouse/db.py: versions, the fingerprint of the views, the indicator table, attaching the published copy), the
# indicator labels the column comments are written from (warehouse/comments.py); the submission portal's own SQLite
# files beside the warehouse (adep/submissions.py: the audit trail; adep/portal/store.py and one insert of
# adep/portal/service.py: codes, sessions, uploads, receipts). The portal's reads of the published warehouse are
# in warehouse/sql/portal/ like every other query.
ALLOWED = {"warehouse/db.py": 15, "warehouse/transaction.py": 5, "warehouse/comments.py": 1, "adep/submissions.py": 3,
           "adep/portal/store.py": 22, "adep/portal/service.py": 1}

_STATEMENT = re.compile(
    r"""^\s*(
        (select|with)\b[\s\S]*\b(from|as)\b
      | insert\s+into\b | update\s+\w+\s+set\b | delete\s+from\b
      | (create|drop|alter)\s+(or\s+replace\s+)?(temp\s+|temporary\s+)?(table|view|macro|index|schema|sequence)\b
      | (attach|detach)\b[\s\S]*\bas\b | use\s+\w+\s*$ | set\s+\w+\s*=
      | (begin(\s+transaction)?|commit|rollback|checkpoint)\s*$
    )""", re.IGNORECASE | re.VERBOSE)


def _strings(tree: ast.AST):
    """Every string literal that is not a docstring, f-strings as one text."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    inner = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in inner:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)


def inline_statements(root: Path = ROOT) -> dict[str, int]:
    """SQL statements written as string literals, by .py file (relative to root) of the project's packages."""
    counts = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found = sum(1 for text in _strings(ast.parse(path.read_text(encoding="utf-8"))) if _STATEMENT.match(text))
            if found:
                counts[path.relative_to(root).as_posix()] = found
    return counts


def test_the_counter_sees_sql_and_nothing_else(tmp_path):
    (tmp_path / "adep").mkdir()
    (tmp_path / "adep" / "x.py").write_text(
        'def f(con):\n    """select the rows from the table, as a docstring"""\n'
        '    con.execute("select a from t where b = ?", [1])\n'
        '    con.execute(f"""\n        insert into t\n        select * from {name}\n    """)\n'
        '    con.execute("begin transaction")\n'
        '    print("load or update the registry from a CSV file")\n'
        '    raise ValueError(f"from ministry version {v}; select one")\n', encoding="utf-8")
    assert inline_statements(tmp_path) == {"adep/x.py": 3}


def test_no_new_inline_sql():
    counts = inline_statements()
    assert {f: n for f, n in counts.items() if n > ALLOWED.get(f, 0)} == {}, (
        "SQL written inline in Python: put the statement in warehouse/sql/ and read it with warehouse.queries.sql")
    assert sum(counts.values()) <= sum(ALLOWED.values())
