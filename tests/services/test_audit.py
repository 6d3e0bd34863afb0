"""The audit trail: a hash chain over every entry and every ledger row; any edit is found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dispensary.domain.audit_actions import record_named
from dispensary.domain.errors import NotFound, NotPermitted
from dispensary.i18n import Language, speaking
from dispensary.services import audit
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import VerifyResult

from .helpers import WITNESSED, enroll, receive, scalar, sql

Password = Callable[[Actor], str]


def writer_of(ctx: Context, ledger_id: int) -> int:
    """The audit entry that names the ledger row (it lists [id, hash] pairs it wrote)."""
    entry: int = scalar(
        ctx,
        "SELECT id FROM audit_entries WHERE new LIKE :pattern ORDER BY id",
        pattern=f'%"ledger":%[{ledger_id},"%',
    )
    return entry


def broken(ctx: Context, actor: Actor) -> VerifyResult:
    result = audit.verify(ctx, actor)
    assert not result.ok
    assert result.message.startswith("Tampering or damage found")
    return result


def test_chain_verifies_after_a_realistic_month(busy: Context, monitor: Actor) -> None:
    result = audit.verify(busy, monitor)
    assert result.ok and result.first_bad is None
    assert result.entries == scalar(busy, "SELECT COUNT(*) FROM audit_entries")
    assert result.ledger_entries == scalar(busy, "SELECT COUNT(*) FROM ledger_entries") > 30


def test_every_role_may_verify(busy: Context, admin: Actor, technician: Actor) -> None:
    assert audit.verify(busy, admin).ok and audit.verify(busy, technician).ok


def test_edited_audit_entry(busy: Context, monitor: Actor) -> None:
    sql(busy, "UPDATE audit_entries SET reason = 'nothing to see' WHERE id = 7")
    result = broken(busy, monitor)
    assert result.first_bad == 7 and "audit entry 7 was changed" in result.message


def test_edited_ledger_quantity(busy: Context, monitor: Actor) -> None:
    row = scalar(busy, "SELECT MIN(id) FROM ledger_entries WHERE kind = 'dispense'")
    sql(busy, "UPDATE ledger_entries SET quantity = 20 WHERE id = :i", i=row)
    result = broken(busy, monitor)
    assert result.first_bad == writer_of(busy, row)
    assert f"ledger row {row} was changed" in result.message


def test_deleted_ledger_row(busy: Context, monitor: Actor) -> None:
    # A receipt nothing refers to: K0010's, in the middle of the ledger.
    row = scalar(
        busy,
        "SELECT l.id FROM ledger_entries l JOIN kits k ON k.id = l.kit_id WHERE k.number = 'K0010'",
    )
    sql(busy, "DELETE FROM ledger_entries WHERE id = :i", i=row)
    result = broken(busy, monitor)
    assert result.first_bad == writer_of(busy, row)
    assert f"ledger row {row} is missing" in result.message


def test_deleted_last_audit_entry(busy: Context, monitor: Actor) -> None:
    last = scalar(busy, "SELECT MAX(id) FROM audit_entries")
    sql(busy, "DELETE FROM audit_entries WHERE id = :i", i=last)
    result = broken(busy, monitor)
    assert result.first_bad == last
    assert "audit entries at the end are missing" in result.message


def test_inserted_ledger_row(busy: Context, monitor: Actor) -> None:
    last = scalar(busy, "SELECT MAX(id) FROM ledger_entries")
    sql(
        busy,
        "INSERT INTO ledger_entries (id, at, entry_date, kind, quantity, from_returned, kit_id,"
        " lot_id, product, reason, user_id, prev_hash, row_hash)"
        " SELECT :i, at, entry_date, 'adjust', 5, from_returned, kit_id, lot_id, product,"
        " 'found', user_id, row_hash, row_hash FROM ledger_entries WHERE id = :last",
        i=last + 1,
        last=last,
    )
    result = broken(busy, monitor)
    assert f"ledger row {last + 1}" in result.message


def test_list_entries_filters(busy: Context, monitor: Actor) -> None:
    every = audit.list_entries(busy, monitor)
    assert [e.id for e in every] == list(range(1, len(every) + 1))
    assert {e.action for e in audit.list_entries(busy, monitor, action="dispense")} == {"dispense"}
    assert all(e.username == "tech" for e in audit.list_entries(busy, monitor, username="tech"))
    assert [e.action for e in audit.list_entries(busy, monitor, text="DSP000002")] == [
        "dispense",
        "dispense_voided",
    ]
    # Case aside on PostgreSQL too; % and _ are characters, not wildcards.
    assert [e.action for e in audit.list_entries(busy, monitor, text="dsp000002")] == [
        "dispense",
        "dispense_voided",
    ]
    assert audit.list_entries(busy, monitor, text="DSP_00002") == []
    assert audit.list_entries(busy, monitor, text="%") == []
    later = audit.list_entries(busy, monitor, since=datetime(2026, 1, 26, tzinfo=UTC))
    assert later and all(e.at >= datetime(2026, 1, 26, tzinfo=UTC) for e in later)
    earlier = audit.list_entries(busy, monitor, until=datetime(2026, 1, 26, tzinfo=UTC))
    assert len(earlier) + len(later) == len(every)
    newest = audit.list_entries(busy, monitor, limit=3)
    assert [e.id for e in newest] == [e.id for e in every[-3:]]


def test_entries_about_a_participant_or_a_kit_are_found_through_the_records(
    busy: Context, monitor: Actor
) -> None:
    """A return names only its kit and dispense, its correction not even those, a void and an
    adherence note only the dispense: each is found by the participant's number and by the kit's
    (the records read now, nothing added to the trail), by a typed text as by the filters."""

    def about(**given: str) -> list[str]:
        return [e.action for e in audit.list_entries(busy, monitor, **given)]

    person = ["enroll", "dispense", "dispense_voided", "dispense", "return"]
    assert about(participant="01-002") == person
    assert about(text="01-002") == person
    # K0011: received, dispensed to 01-001, returned, recounted and destroyed.
    kit = ["receive", "dispense", "return", "return_corrected", "destroy"]
    assert about(kit="K0011") == kit
    assert about(kit="k0011") == kit
    assert about(text="K0011") == kit
    # The void names the dispense only; the count its kit only.
    assert about(kit="K0001") == ["receive", "dispense", "dispense_voided"]
    assert about(kit="K0005") == ["receive", "count"]
    assert about(participant="01-001", action="return_corrected") == ["return_corrected"]
    with pytest.raises(NotFound, match="01-00 is not enrolled"):  # a number, exact: not a part
        about(participant="01-00")
    assert about(kit="K0011", participant="01-002") == []


def test_a_return_and_its_correction_name_the_kit_dispense_and_participant(
    busy: Context, monitor: Actor
) -> None:
    """The correction stores only its counts and the return it corrects: its kit, dispense and
    participant are read from the return row it names."""
    returned = audit.list_entries(busy, monitor, text="DSP000001", action="return")
    corrected = audit.list_entries(busy, monitor, text="DSP000001", action="return_corrected")
    assert [r.return_of for r in returned + corrected] == [("K0011", "DSP000001", "01-001")] * 2
    assert (
        record_named(
            corrected[0].entity,
            corrected[0].entity_id,
            corrected[0].new,
            str,
            corrected[0].return_of,
        )
        == f"Return {corrected[0].entity_id} (K0011, DSP000001, 01-001)"
    )
    with speaking(Language.ZH_CN):
        shown = record_named("return", "2", "", str, ("K0011", "DSP000001", "01-001"))
    assert shown == "退回 2（K0011，DSP000001，01-001）"


def test_a_typed_action_name_finds_its_entries_in_the_readers_language(
    busy: Context, monitor: Actor
) -> None:
    """ "退回" is the name a Chinese reader sees for a return (and its correction): typed, it
    finds them, as "Return" does in English."""
    with speaking(Language.ZH_CN):
        found = {e.action for e in audit.list_entries(busy, monitor, text="退回")}
    assert {"return", "return_corrected"} <= found
    assert {e.action for e in audit.list_entries(busy, monitor, text="return corr")} == {
        "return_corrected"
    }


def test_a_refused_step_leaves_the_chain_as_it_was(
    busy: Context, pharmacist: Actor, monitor: Actor
) -> None:
    from dispensary.services import destruction

    before = audit.verify(busy, monitor)
    with pytest.raises(NotPermitted):
        destruction.destroy(
            busy, pharmacist, ["K0002"], "tech", "incineration", "wrong-pw-1", **WITNESSED
        )
    after = audit.verify(busy, monitor)
    # Nothing of the step; the wrong signature password is counted in an entry of its own.
    assert (after.ok, after.entries, after.ledger_entries) == (
        True,
        before.entries + 1,
        before.ledger_entries,
    )
    assert [e.action for e in audit.list_entries(busy, monitor)[-1:]] == ["signature_failed"]


def test_timestamps_round_trip_through_the_chain(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    # Microseconds, and a clock that reports local time (UTC+8) rather than UTC.
    clock.current = datetime(2026, 1, 5, 17, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    receive(ctx, pharmacist, "K0001-K0002")
    enroll(ctx, pharmacist)
    result = audit.verify(ctx, pharmacist)
    assert result.ok, result.message
    [entry] = audit.list_entries(ctx, pharmacist, action="enroll")
    assert entry.at == datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)
