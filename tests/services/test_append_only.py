"""The ledger, the audit trail and the voids of dispenses are append-only in code: no UPDATE and
no DELETE of them."""

from __future__ import annotations

import re
from pathlib import Path

import dispensary

SOURCE = Path(dispensary.__file__).resolve().parent
FORBIDDEN = [
    re.compile(r"\bupdate\(\s*(LedgerEntry|AuditEntry|DispenseVoid)\b"),
    re.compile(r"\bdelete\(\s*(LedgerEntry|AuditEntry|DispenseVoid)\b"),
    re.compile(r"\bUPDATE\s+\"?(ledger_entries|audit_entries|dispense_voids)\b", re.IGNORECASE),
    re.compile(
        r"\bDELETE\s+FROM\s+\"?(ledger_entries|audit_entries|dispense_voids)\b", re.IGNORECASE
    ),
    re.compile(r"\.(update|delete)\(\s*\)"),  # query.update() / query.delete() in bulk
    re.compile(r"session\.delete\("),  # nothing is deleted through the ORM at all
    re.compile(r"\bTRUNCATE\b", re.IGNORECASE),
]


def python_files() -> list[Path]:
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 20 and SOURCE / "services" / "audit.py" in files
    return files


def test_no_update_or_delete_of_the_ledger_or_audit_trail() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in python_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any(pattern.search(line) for pattern in FORBIDDEN)
    ]
    assert found == []


def test_the_patterns_catch_what_they_are_for() -> None:
    offending = [
        "session.execute(update(LedgerEntry).values(quantity=0))",
        "session.execute(delete(AuditEntry))",
        "session.execute(update(DispenseVoid).values(reason=''))",
        'text("DELETE FROM dispense_voids")',
        'conn.exec_driver_sql("UPDATE ledger_entries SET quantity = 1")',
        'text("delete from audit_entries where id = 3")',
        "session.delete(row)",
        "session.query(LedgerEntry).filter_by(id=1).delete()",
    ]
    for line in offending:
        assert any(pattern.search(line) for pattern in FORBIDDEN), line
