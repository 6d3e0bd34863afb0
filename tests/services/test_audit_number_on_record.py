"""The audit trail of one kit or participant (`audit list --kit/--participant`, the audit
report, its CSV) looks the number up as every step does: a number on record nowhere (a typo,
K0015 for K0051) is refused, saying so, and one of another study is refused as that study's.
An empty list came back, and the report said "0 entries; the chain verifies": a kit with no
history, as an inspector read it."""

from __future__ import annotations

import pytest

from dispensary.domain.errors import DispensaryError, NotFound
from dispensary.services import audit, report_data
from dispensary.services.audit import AuditFilter
from dispensary.services.context import Actor, Context


def test_a_kit_on_record_nowhere_is_refused(busy: Context, monitor: Actor) -> None:
    assert [e.action for e in audit.list_entries(busy, monitor, kit="k0005")] == [
        "receive",
        "count",
    ]
    with pytest.raises(NotFound, match="Kit K9999 is not in this pharmacy's stock"):
        audit.list_entries(busy, monitor, kit="K9999")
    with pytest.raises(NotFound, match="Kit K9999"):
        report_data.audit_report(busy, monitor, AuditFilter(kit="K9999"))
    with pytest.raises(NotFound, match="Kit K9999"):
        audit.export_entries(busy, monitor, kit="K9999")


def test_a_participant_not_enrolled_is_refused(busy: Context, monitor: Actor) -> None:
    assert audit.list_entries(busy, monitor, participant="01-002")
    for typed in ("01-099", "01-00"):  # a number, exact: not a part of one
        with pytest.raises(NotFound, match=f"Participant {typed} is not enrolled"):
            audit.list_entries(busy, monitor, participant=typed)
    with pytest.raises(DispensaryError, match="Participant 01-099"):
        report_data.audit_report(busy, monitor, AuditFilter(participant="01-099"))
