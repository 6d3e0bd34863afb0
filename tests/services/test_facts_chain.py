"""Every fact in the chain: each audit entry lists the rows its step wrote, `audit verify`
re-hashes them, rebuilds the kits' and participants' status, and names any difference with its
audit entry; a step that would commit rows without its audit entry is refused; an incremental
verification checks only what is new."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispensary.db import facts
from dispensary.db.models import AdherenceNote, AuditEntry, Base, Kit, LedgerEntry
from dispensary.domain.errors import UnrecordedWrite
from dispensary.services import audit, participants
from dispensary.services.context import Actor, Context, FixedClock

from .helpers import dispense, enroll, scalar, sql

Password = Callable[[Actor], str]


def _listed(ctx: Context) -> dict[tuple[str, int], int]:
    """(table, id) -> the last audit entry that lists the row."""
    found: dict[tuple[str, int], int] = {}
    with ctx.engine.connect() as conn:
        for entry_id, text_ in conn.execute(select(AuditEntry.id, AuditEntry.facts)):
            for table, row_id, _hash in facts.parse_facts(text_):
                found[(table, row_id)] = entry_id
    return found


def _entry_of(ctx: Context, table: str, row_id: int) -> int:
    return _listed(ctx)[(table, row_id)]


def test_every_row_of_every_fact_table_is_listed_by_an_audit_entry(busy: Context) -> None:
    listed = _listed(busy)
    with busy.engine.connect() as conn:
        for table in facts.tracked(Base.metadata.sorted_tables):
            for (row_id,) in conn.execute(select(table.c.id)):
                assert (table.name, row_id) in listed, f"{table.name} row {row_id}"
    kinds = {t for t, _ in listed}
    assert {"dispenses", "dispense_kits", "signatures", "returns", "kits", "users"} <= kinds


def test_ledger_rows_name_their_audit_entry_by_foreign_key(busy: Context) -> None:
    with busy.engine.connect() as conn:
        rows = conn.execute(select(LedgerEntry.id, LedgerEntry.audit_entry_id)).all()
        for ledger_id, entry_id in rows:
            new = conn.execute(select(AuditEntry.new).where(AuditEntry.id == entry_id)).scalar()
            assert ledger_id in [i for i, _h in json.loads(new)["ledger"]]


def test_a_step_that_writes_rows_without_its_audit_entry_is_refused(busy: Context) -> None:
    before = scalar(busy, "SELECT COUNT(*) FROM adherence_notes")
    refused = pytest.raises(UnrecordedWrite, match="adherence_notes")
    with Session(busy.engine) as session, refused, session.begin():
        session.add(AdherenceNote(dispense_id=1, reason="x", user_id=1, at=busy.clock.now()))
    refused = pytest.raises(UnrecordedWrite, match="kits row")
    with Session(busy.engine) as session, refused, session.begin():
        kit = session.scalars(select(Kit)).first()
        assert kit is not None
        kit.location = "elsewhere"
    assert scalar(busy, "SELECT COUNT(*) FROM adherence_notes") == before
    assert scalar(busy, "SELECT COUNT(*) FROM kits WHERE location = 'elsewhere'") == 0


def test_rows_written_at_once_without_their_audit_entry_are_refused(busy: Context) -> None:
    """A direct step's Core writes (facts.insert, facts.update) are held to the same rule as
    flushed ones: nothing is committed until an audit entry lists them."""
    before = scalar(busy, "SELECT COUNT(*) FROM adherence_notes")
    refused = pytest.raises(UnrecordedWrite, match="adherence_notes")
    with Session(busy.engine) as session, refused, session.begin():
        note = AdherenceNote(dispense_id=1, reason="x", user_id=1, at=busy.clock.now())
        assert facts.insert(session, note) == note.id
    refused = pytest.raises(UnrecordedWrite, match="kits row")
    with Session(busy.engine) as session, refused, session.begin():
        kit = session.scalars(select(Kit)).first()
        assert kit is not None
        facts.update(session, kit, location="elsewhere")
        assert not session.dirty  # nothing left for a flush: the UPDATE is sent already
    assert scalar(busy, "SELECT COUNT(*) FROM adherence_notes") == before
    assert scalar(busy, "SELECT COUNT(*) FROM kits WHERE location = 'elsewhere'") == 0


def test_a_direct_step_lists_the_rows_it_wrote_at_once(
    ctx: Context, pharmacist: Actor, pw: Password, stock: object
) -> None:
    """The dispense writes its rows with Core statements (Recorder.direct): its audit entry
    still lists each, with the hash `audit verify` recomputes, and the chain verifies."""
    enroll(ctx, pharmacist, "01-050")
    result = dispense(ctx, pharmacist, pw(pharmacist), "01-050")
    listed = _listed(ctx)
    entry = listed[("dispenses", result.dispense_id)]
    kit_id = scalar(ctx, "SELECT id FROM kits WHERE number = :n", n=result.kits[0].kit)
    line = scalar(ctx, "SELECT id FROM dispense_kits WHERE dispense_id = :d", d=result.dispense_id)
    signed = scalar(ctx, "SELECT MAX(id) FROM signatures")
    for row in (("kits", kit_id), ("dispense_kits", line), ("signatures", signed)):
        assert listed[row] == entry
    assert audit.verify(ctx, pharmacist).ok


def test_the_issue_s_edits_together_are_each_named(busy: Context, monitor: Actor) -> None:
    """UPDATE returns SET tablets, UPDATE dispenses SET dose_level and day1, DELETE FROM
    signatures: each named with the audit entry that recorded it."""
    return_id = scalar(busy, "SELECT MIN(id) FROM returns")
    dispense_id = scalar(busy, "SELECT MIN(id) FROM dispenses")
    signature_id = scalar(busy, "SELECT MAX(id) FROM signatures")
    sql(busy, "UPDATE returns SET tablets = 10 WHERE id = :i", i=return_id)
    sql(
        busy,
        "UPDATE dispenses SET dose_level = -1, day1 = '2026-01-01' WHERE id = :i",
        i=dispense_id,
    )
    sql(busy, "DELETE FROM signatures WHERE id = :i", i=signature_id)
    result = audit.verify(busy, monitor)
    assert not result.ok
    words = "\n".join(result.findings)
    for table, row_id in (("returns", return_id), ("dispenses", dispense_id)):
        entry = _entry_of(busy, table, row_id)
        assert (
            f"after audit entry {entry} recorded it (technical detail: {table} row {row_id})"
            in (words)
        )
    entry = _entry_of(busy, "signatures", signature_id)
    assert (
        f"recorded by audit entry {entry}, is missing (technical detail: signatures row "
        f"{signature_id})"
    ) in words
    assert result.first_bad == min(
        _entry_of(busy, "dispenses", dispense_id), _entry_of(busy, "returns", return_id), entry
    )


def test_a_row_added_outside_the_program_is_named(busy: Context, monitor: Actor) -> None:
    sql(
        busy,
        "INSERT INTO adherence_notes (dispense_id, reason, user_id, at) "
        "VALUES (1, 'forged', 1, '2026-01-10 10:00:00.000000')",
    )
    note = scalar(busy, "SELECT MAX(id) FROM adherence_notes")
    result = audit.verify(busy, monitor)
    assert not result.ok
    assert f"adherence_notes row {note} has no audit entry (added outside the program)" in (
        result.message
    )


def test_kit_and_participant_status_are_rebuilt_from_the_facts(
    busy: Context, monitor: Actor
) -> None:
    kit = scalar(busy, "SELECT number FROM kits WHERE status = 'dispensed' ORDER BY id")
    kit_id = scalar(busy, "SELECT id FROM kits WHERE number = :n", n=kit)
    sql(busy, "UPDATE kits SET status = 'available' WHERE number = :n", n=kit)
    sql(busy, "UPDATE participants SET status = 'discontinued' WHERE study_number = '01-001'")
    result = audit.verify(busy, monitor)
    assert not result.ok
    words = "\n".join(result.findings)
    assert f"(technical detail: kits row {kit_id})" in words
    assert f"kit {kit} reads 'available', but its records make it 'dispensed'" in words
    assert "participant 01-001 reads 'discontinued', but its records make it 'on treatment'" in (
        words
    )


def test_a_status_change_through_the_program_verifies(
    busy: Context, monitor: Actor, pharmacist: Actor
) -> None:
    participants.set_status(
        busy, pharmacist, "01-002", "discontinued", "consent withdrawn", password="pharm-pass-1"
    )
    assert audit.verify(busy, monitor).ok


def test_incremental_verification_checks_only_what_is_new(
    busy: Context, clock: FixedClock, monitor: Actor, pharmacist: Actor, pw: Password
) -> None:
    first = audit.verify(busy, monitor)
    assert first.ok and first.point is not None
    assert first.point.position == first.entries

    enroll(busy, pharmacist, "01-003", "EF")
    clock.set_date(date(2026, 2, 16))
    dispense(busy, pharmacist, pw(pharmacist), "01-003")
    again = audit.verify(busy, monitor, since=first.point)
    assert again.ok, again.message
    assert again.new_entries == again.entries - first.entries > 0
    assert again.point is not None and again.point.position == again.entries

    # A new row edited: the incremental check names it.
    newest = scalar(busy, "SELECT MAX(id) FROM dispenses")
    sql(busy, "UPDATE dispenses SET tablets = 99 WHERE id = :i", i=newest)
    late = audit.verify(busy, monitor, since=first.point)
    assert not late.ok and f"(technical detail: dispenses row {newest})" in late.message


def test_incremental_verification_leaves_the_past_to_the_full_one(
    busy: Context, monitor: Actor, pharmacist: Actor
) -> None:
    first = audit.verify(busy, monitor)
    assert first.point is not None
    enroll(busy, pharmacist, "01-003", "EF")
    oldest = scalar(busy, "SELECT MIN(id) FROM returns")
    sql(busy, "UPDATE returns SET tablets = 0 WHERE id = :i", i=oldest)
    assert audit.verify(busy, monitor, since=first.point).ok  # only what is new
    assert not audit.verify(busy, monitor).ok  # the full one reads everything


def test_incremental_verification_sees_a_rewritten_past_entry(
    busy: Context, monitor: Actor
) -> None:
    first = audit.verify(busy, monitor)
    assert first.point is not None
    last = first.point.position
    sql(busy, "UPDATE audit_entries SET entry_hash = :h WHERE id = :i", h="0" * 64, i=last)
    result = audit.verify(busy, monitor, since=first.point)
    assert not result.ok and f"audit entry {last}, verified before" in result.message


def test_a_row_added_since_the_point_is_named_by_the_incremental_check(
    busy: Context, monitor: Actor
) -> None:
    first = audit.verify(busy, monitor)
    assert first.point is not None
    sql(
        busy,
        "INSERT INTO adherence_notes (dispense_id, reason, user_id, at) "
        "VALUES (1, 'forged', 1, '2026-01-10 10:00:00.000000')",
    )
    result = audit.verify(busy, monitor, since=first.point)
    assert not result.ok and "has no audit entry" in result.message


def test_the_fact_hash_reads_the_same_on_every_database(busy: Context) -> None:
    """What the recorder hashed at write time is what a fresh read hashes (one code path)."""
    listed = {(t, i): h for t, i, h in _all_facts(busy)}
    with busy.engine.connect() as conn:
        for table in facts.tracked(Base.metadata.sorted_tables):
            if table.name in facts.MUTABLE:
                continue
            names = [c.name for c in table.columns]
            for row in conn.execute(select(table)):
                assert listed[(table.name, row.id)] == facts.fact_hash(
                    table.name, names, tuple(row)
                )


def _all_facts(ctx: Context) -> list[facts.Fact]:
    with ctx.engine.connect() as conn:
        return [
            f
            for (text_,) in conn.execute(text("SELECT facts FROM audit_entries ORDER BY id"))
            for f in facts.parse_facts(text_)
        ]


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1, 2.5, None, True], "c": 'é\u2028"x\\'},
        ["dispenses", ["id", "at"], [1, "2026-01-05T09:00:00.000000+00:00"]],
        {"at": date(2026, 1, 5), "n": -3},
    ],
)
def test_the_fast_json_is_json_dumps(value: object) -> None:
    """The chains' JSON, made by the C encoder set up once, is json.dumps' text exactly."""
    assert facts.canonical(value) == json.dumps(  # type: ignore[arg-type]
        value, sort_keys=True, separators=(",", ":"), default=lambda d: d.isoformat()
    )
    if not isinstance(value, dict):
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        table, names, values = value  # type: ignore[misc]
        assert (
            facts.content_hash(table, names, values)
            == facts.hashlib.sha256(expected.encode()).hexdigest()
        )


def test_a_finding_names_the_record_as_a_pharmacist_reads_it(busy: Context, monitor: Actor) -> None:
    """ "returns row 1 was changed after audit entry 19 recorded it" named a table, not the
    return, and not what changed; in Chinese the table's English name stood in the sentence."""
    from dispensary.i18n import Language, speaking

    return_id = scalar(busy, "SELECT MIN(id) FROM returns")
    tablets = scalar(busy, "SELECT tablets FROM returns WHERE id = :i", i=return_id)
    kit = scalar(
        busy,
        "SELECT k.number FROM returns r JOIN kits k ON k.id = r.kit_id WHERE r.id = :i",
        i=return_id,
    )
    entry = _entry_of(busy, "returns", return_id)
    signature = next(
        row for (table, row), by in _listed(busy).items() if table == "signatures" and by == entry
    )
    sql(busy, "UPDATE returns SET tablets = :t WHERE id = :i", t=tablets + 7, i=return_id)
    sql(busy, "DELETE FROM signatures WHERE id = :i", i=signature)
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert (
        f"Return {return_id} ({kit}, DSP" in words
        and f"recorded it (technical detail: returns row {return_id}): Quantity recorded as "
        f"{tablets}, now {tablets + 7}"
        in words
    ), words
    assert f"a signature on Return {return_id} ({kit}, DSP" in words, words
    assert f"is missing (technical detail: signatures row {signature})" in words
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    outside = chinese.replace(f"returns 表第 {return_id} 行", "").replace(
        f"signatures 表第 {signature} 行", ""
    )
    assert "returns" not in outside and "signatures" not in outside, chinese
    assert f"数量记录为 {tablets}，现为 {tablets + 7}" in chinese, chinese


def test_a_signature_moved_to_another_account_names_who_signed(
    busy: Context, monitor: Actor
) -> None:
    """A signature moved to another account (UPDATE signatures SET user_id) read "the signature
    'dispensed' of <the account it was moved to>...": the forger named as the signer. The
    signer the audit entry recorded is named, and the one the row now shows."""
    from dispensary.i18n import Language, speaking

    signature = scalar(busy, "SELECT MIN(id) FROM signatures WHERE meaning = 'dispensed'")
    signer = scalar(
        busy,
        "SELECT u.full_name FROM signatures s JOIN users u ON u.id = s.user_id WHERE s.id = :i",
        i=signature,
    )
    other = scalar(busy, "SELECT full_name FROM users WHERE username = 'tech'")
    sql(
        busy,
        "UPDATE signatures SET user_id = (SELECT id FROM users WHERE username = 'tech') "
        "WHERE id = :i",
        i=signature,
    )
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert f"the signature 'dispensed' of {signer} on Dispense DSP" in words, words
    assert f"it now shows {other} as the signer" in words, words
    assert f"of {other}" not in words, words
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    assert f"{signer}在发放 DSP" in chinese and f"现显示签名人为 {other}" in chinese, chinese


def test_an_account_changed_reads_in_the_readers_words(busy: Context, monitor: Actor) -> None:
    """A role changed alone also reported "Must change password recorded as no, now 0" (the word
    the entry records against the number the row holds), and Chinese read "角色记录为 technician，
    现为 pharmacist", "记录为 no": codes, not words."""
    from dispensary.i18n import Language, speaking

    sql(busy, "UPDATE users SET role = 'pharmacist' WHERE username = 'tech'")
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert "Role recorded as technician, now pharmacist" in words, words
    assert "Must change password" not in words, words
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    assert "角色记录为 药房技术员，现为 药师" in chinese, chinese
    assert "须更改密码" not in chinese, chinese

    sql(busy, "UPDATE users SET must_change_password = TRUE WHERE username = 'tech'")
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert "Must change password recorded as no, now yes" in words, words
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    assert "须更改密码记录为 否，现为 是" in chinese, chinese
    assert "technician" not in chinese and "pharmacist" not in chinese, chinese


def test_a_changed_ledger_row_and_dispensed_kit_name_the_kit_and_tablets(
    busy: Context, monitor: Actor
) -> None:
    """ "ledger row 10 was changed" named no kit or quantity, and a changed kit of a dispense
    read "a record of Dispense DSP000001": the kit, the tablets recorded and now, as a return's
    finding says them."""
    from dispensary.i18n import Language, speaking

    row, kit, quantity, dispense = (
        busy.engine.connect()
        .execute(
            text(
                "SELECT l.id, k.number, l.quantity, d.number FROM ledger_entries l "
                "JOIN kits k ON k.id = l.kit_id JOIN dispenses d ON d.id = l.dispense_id "
                "WHERE l.kind = 'dispense' AND l.reverses_id IS NULL ORDER BY l.id LIMIT 1"
            )
        )
        .one()
    )
    sql(busy, "UPDATE ledger_entries SET quantity = quantity + 1 WHERE id = :i", i=row)
    kits = (
        busy.engine.connect()
        .execute(
            text(
                "SELECT dk.id, k.number, dk.tablets, d.number FROM dispense_kits dk "
                "JOIN kits k ON k.id = dk.kit_id JOIN dispenses d ON d.id = dk.dispense_id "
                "ORDER BY dk.id DESC LIMIT 1"
            )
        )
        .one()
    )
    sql(busy, "UPDATE dispense_kits SET tablets = tablets + 3 WHERE id = :i", i=kits[0])
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert (
        f"ledger row {row} was changed: the dispense of kit {kit} that audit entry " in words
        and f"(Dispense {dispense}): Quantity recorded as {quantity}, now {quantity + 1}" in words
    ), words
    assert (
        f"kit {kits[1]} on Dispense {kits[3]} was changed after audit entry" in words
        and f"(technical detail: dispense_kits row {kits[0]}): Quantity recorded as {kits[2]}, "
        f"now {kits[2] + 3}"
        in words
    ), words
    assert "a record of Dispense" not in words, words
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    assert f"记录的药盒 {kit} 的发放（发放 {dispense}）：数量记录为 {quantity}" in chinese, chinese
    assert f"发放 {kits[3]}中的药盒 {kits[1]}在稽查轨迹条目" in chinese, chinese


def test_a_kit_event_and_status_are_said_in_words(busy: Context, monitor: Actor) -> None:
    """Chinese read "记录了“destroy”" and a kit's status as its code: the event and the status
    are said in the reader's words."""
    from dispensary.i18n import Language, speaking

    sql(busy, "UPDATE kits SET status = 'destroyed' WHERE number = 'K0002'")
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    assert "药盒 K0002 的状态为“已销毁”，但按其记录应为“可用”" in chinese, chinese
    sql(busy, "UPDATE kits SET status = 'available' WHERE number = 'K0002'")
    kit = scalar(busy, "SELECT MIN(kit_id) FROM ledger_entries WHERE kind = 'dispense'")
    sql(busy, "DELETE FROM ledger_entries WHERE kind = 'receive' AND kit_id = :k", k=kit)
    number = scalar(busy, "SELECT number FROM kits WHERE id = :k", k=kit)
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert f"kit {number}: audit entry" in words and "records 'dispensed'" in words, words
    with speaking(Language.ZH_CN):
        chinese = "\n".join(audit.verify(busy, monitor).findings)
    assert f"药盒 {number}：稽查轨迹条目" in chinese and "记录了“已发放”" in chinese, chinese


def test_an_entry_filed_under_the_site_and_a_study_says_what_it_means(
    busy: Context, monitor: Actor
) -> None:
    """ "audit entry 315 is indexed both as the site's own and as a study's" was jargon: the
    monitor reads that it would show in every study's trail."""
    entry = scalar(busy, "SELECT MAX(audit_entry_id) FROM audit_entry_studies WHERE study_id = 1")
    last = scalar(busy, "SELECT MAX(id) FROM audit_entry_studies")
    sql(
        busy,
        "INSERT INTO audit_entry_studies (id, audit_entry_id, study_id) VALUES (:i, :e, 0)",
        i=last + 1,
        e=entry,
    )
    words = "\n".join(audit.verify(busy, monitor).findings)
    assert (
        f"audit entry {entry} is filed both under the whole site and under a study: it would "
        "show in every study's audit trail, not only its own" in words
    ), words
    assert "indexed both" not in words
