"""Which study an audit entry is filed under (db/entry_studies.py): a reader of one study sees
its entries and the site's, never another study's participant, kit or dispense. Each action is
walked: the rows its step writes, the items a label print names, the study a temperature check
names, the status change a correction names, or the site's own (accounts, backups)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from dispensary.db import entry_studies, migrate
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import ParticipantStatus
from dispensary.services import audit, labels, participants, quarantine, reconciliation, studies
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study
from signed import seen_now

from .helpers import enroll, scalar
from .test_append_only import every_fact  # noqa: F401 (a fixture)
from .test_migrations import _migrate
from .test_several_studies import OTHER, other_text, signed_in

Password = Callable[[Actor], str]

RECORDS = "the rows its step writes"
LABEL_ITEMS = "the kits or dispenses its label print names"
NAMED = "the study its step names (it wrote no record of one)"
CORRECTED = "the entry it corrects (it may write no record of a study)"
SITE = "the site's: it concerns no study's participant, kit or dispense"
ACCOUNT = "the studies its new account is given in the step (study_access), else the site's"

HOW_FILED: dict[AuditAction, str] = {
    AuditAction.SIGN_IN: SITE,
    AuditAction.SIGN_IN_FAILED: SITE,
    AuditAction.SIGN_IN_REFUSED: SITE,
    AuditAction.SIGNATURE_FAILED: SITE,  # the account and the meaning, never the record
    AuditAction.SIGN_OUT: SITE,
    AuditAction.LOCKED: SITE,
    AuditAction.UNLOCKED: SITE,
    AuditAction.USER_ADDED: ACCOUNT,
    AuditAction.USER_ACTIVATED: SITE,
    AuditAction.USER_DEACTIVATED: SITE,
    AuditAction.USER_UNLOCKED: SITE,
    AuditAction.ACCOUNT_LOCKED: SITE,
    AuditAction.PASSWORD_CHANGED: SITE,
    AuditAction.PASSWORD_RESET: SITE,
    AuditAction.ADMINISTRATOR_RECOVERED: SITE,
    AuditAction.LANGUAGE_SET: SITE,
    AuditAction.STUDY_LOADED: RECORDS,  # the study row
    AuditAction.STUDY_ADDED: RECORDS,
    AuditAction.STUDY_UPDATED: RECORDS,
    AuditAction.STUDY_CLOSED: RECORDS,
    AuditAction.STUDY_ACCESS_GIVEN: RECORDS,  # study_access
    AuditAction.STUDY_ACCESS_TAKEN: RECORDS,
    AuditAction.RULE_CONFIRMED: RECORDS,  # rule_confirmations
    AuditAction.TRAINING_DATABASE: SITE,
    AuditAction.RECEIVE: RECORDS,  # kits, lots, shipments
    AuditAction.QUARANTINE: RECORDS,  # quarantine_events, kits
    AuditAction.RELEASE: RECORDS,
    AuditAction.ENROLL: RECORDS,  # participants
    AuditAction.PARTICIPANT_STATUS: RECORDS,  # the participant's status
    AuditAction.PARTICIPANT_STATUS_CORRECTED: CORRECTED,  # its date alone: a signature only
    AuditAction.ENROLMENT_CORRECTED: RECORDS,  # the participant's row, a value changed
    AuditAction.ENROLMENT_VOIDED: RECORDS,  # enrolment_voids, the participant's status
    AuditAction.DISPENSE: RECORDS,  # dispenses, dispense_kits, kits
    AuditAction.DISPENSE_VOIDED: RECORDS,  # dispense_voids
    AuditAction.RETURN: RECORDS,  # returns
    AuditAction.RETURN_CORRECTED: RECORDS,  # a new returns row
    AuditAction.ADHERENCE_EXPLAINED: RECORDS,  # adherence_notes
    AuditAction.COUNT: RECORDS,  # physical_counts
    AuditAction.COUNT_ADJUSTED: RECORDS,
    AuditAction.DESTROY: RECORDS,  # the kits destroyed
    AuditAction.TEMPERATURE_EXCURSION: NAMED,  # or the kits it quarantined
    AuditAction.TEMPERATURE_CHECKED: NAMED,
    AuditAction.RECONCILIATION_SIGNED_OFF: RECORDS,  # reconciliation_signoffs
    AuditAction.LABEL_PRINTED: LABEL_ITEMS,
    AuditAction.LABEL_REPRINTED: LABEL_ITEMS,
    AuditAction.LABEL_PRINT_RECORD_DISCARDED: LABEL_ITEMS,
    AuditAction.PHARMACY_PARTICULARS_SET: SITE,
    AuditAction.PHARMACY_LANGUAGE_SET: SITE,
    AuditAction.PHARMACY_IDLE_LOCK_SET: SITE,
    AuditAction.LABEL_PRINTERS_BOUND: SITE,
    AuditAction.DATABASE_LOCATION_CHANGED: SITE,
    AuditAction.SITE_KEY_CREATED: SITE,
    AuditAction.SITE_KEY_SET: SITE,
    AuditAction.BACKUP: SITE,
    AuditAction.BACKUP_AUTOMATIC: SITE,
    AuditAction.DATABASE_RESTORED: SITE,
    AuditAction.FACTS_BASELINE: SITE,
}
"""How each action's study is known. A new action is placed here, by how its entry finds its
study, before it can be written: one of a study's that wrote no record of it would be filed
as the site's and shown to every study's readers."""


def test_every_action_is_known_by_how_its_study_is_found() -> None:
    assert set(HOW_FILED) == set(AuditAction), sorted(set(AuditAction) ^ set(HOW_FILED))
    # The ways that are not the rows written are the index's own (db/entry_studies.py).
    assert {a.value for a, how in HOW_FILED.items() if how == LABEL_ITEMS} == {
        "label_printed",
        "label_reprinted",
        "label_print_record_discarded",
    }
    assert set(entry_studies._LABEL_ENTITIES) == {"kit label", "dispense label", "leaflet label"}
    assert entry_studies.CORRECTS == "status_change"


def _index(ctx: Context) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    with ctx.engine.connect() as conn:
        for entry, study in conn.execute(
            text("SELECT audit_entry_id, study_id FROM audit_entry_studies")
        ):
            found.setdefault(int(entry), set()).add(int(study))
    return found


def _actions(ctx: Context) -> dict[int, str]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, action FROM audit_entries"))
        return {int(entry): str(action) for entry, action in rows}


@pytest.mark.usefixtures("every_fact")
def test_each_action_of_a_study_s_participants_and_stock_is_filed_under_that_study(
    ctx: Context, clock: FixedClock, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """A pharmacy with a record in every table (test_append_only.every_fact: receipts,
    dispenses, a void, counts, returns and a correction, a destruction, a quarantine and an
    excursion, a sign-off, a rule confirmed, an enrolment voided), then every change of a
    participant's record, a date-only correction of a status change among them, a release and
    label prints: each entry of a study's action is filed under the study, each of the site's
    under the site."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 2, 10))
    participants.set_status(
        ctx, pharmacist, "01-002", ParticipantStatus.DISCONTINUED, "withdrew", password=secret,
        effective_on=date(2026, 2, 5),
    )  # fmt: skip
    participants.correct_status(  # the date alone: no participants row written
        ctx, pharmacist, "01-002", effective_on=date(2026, 2, 4), reason="typo", password=secret
    )
    participants.correct_status(  # the status: the participant's row changes
        ctx, pharmacist, "01-002", status="completed", reason="wrong box", password=secret
    )
    participants.correct_enrolment(
        ctx, pharmacist, "01-001", initials="XY", reason="misread", password=secret
    )
    quarantine.release(ctx, pharmacist, ["K0002"], "sponsor: use", "TE-1", password=secret)
    labels.record_label_print(ctx, pharmacist, "kit", ["K0003"], reprint=False)
    labels.record_label_print(ctx, pharmacist, "dispense", ["DSP000004"], reprint=False)
    index, actions = _index(ctx), _actions(ctx)
    assert set(index) == set(actions)
    assert "participant_status_corrected" in actions.values()
    filed = {SITE: [{0}], ACCOUNT: [{0}, {ctx.study_id}]}
    wrong = [
        (entry, action, sorted(index[entry]))
        for entry, action in sorted(actions.items())
        if index[entry] not in filed.get(HOW_FILED[AuditAction(action)], [{ctx.study_id}])
    ]
    assert wrong == [], wrong
    walked = {AuditAction(a) for a in actions.values()}
    # Not walked here: a study's own rows (the study, its access), a logger file with no
    # excursion (the study it names), a reprint (its items), an adjusted count (its row).
    assert {a for a, how in HOW_FILED.items() if how != SITE} - walked == {
        AuditAction.STUDY_ADDED,
        AuditAction.STUDY_UPDATED,
        AuditAction.STUDY_CLOSED,
        AuditAction.STUDY_ACCESS_GIVEN,
        AuditAction.STUDY_ACCESS_TAKEN,
        AuditAction.TEMPERATURE_CHECKED,
        AuditAction.LABEL_REPRINTED,
        AuditAction.LABEL_PRINT_RECORD_DISCARDED,
        AuditAction.COUNT_ADJUSTED,
    }
    assert audit.verify(ctx, admin).ok


def _two_studies(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, monitor: Actor, pw: Password
) -> tuple[Actor, Actor]:
    """A second study; the pharmacist works in both; the monitor reads the second only."""
    studies.add_study(ctx, admin, other_text(study), "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    studies.set_access(ctx, admin, "monitor", OTHER, True, "monitors the second protocol")
    studies.set_access(ctx, admin, "monitor", ctx.study.protocol, False, "not this one")
    return signed_in(ctx, pharmacist, pw), signed_in(ctx, monitor, pw)


def _date_corrected(ctx: Context, clock: FixedClock, both: Actor, pw: Password) -> None:
    """01-001 of the first study discontinued from 15 January, corrected to the 12th."""
    enroll(ctx, both, "01-001")
    clock.set_date(date(2026, 1, 20))
    participants.set_status(
        ctx, both, "01-001", ParticipantStatus.DISCONTINUED, "withdrew", password=pw(both),
        effective_on=date(2026, 1, 15),
    )  # fmt: skip
    participants.correct_status(
        ctx, both, "01-001", effective_on=date(2026, 1, 12), reason="typo", password=pw(both)
    )


def _listed(ctx: Context, actor: Actor) -> list[Any]:
    return [e for e in audit.list_entries(ctx, actor) if e.entity_id == "01-001"]


def test_a_date_only_status_correction_is_not_shown_to_another_study_s_reader(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """The correction of a status change's date writes no participants row: it was filed as
    the site's, and the monitor of the other study read 01-001, its status and dates in their
    trail. It is the study's of the status change it corrects: shown there only."""
    both, watcher = _two_studies(ctx, study, admin, pharmacist, monitor, pw)
    assert watcher.studies == frozenset({studies.switch_study(ctx, admin, OTHER).study_id})
    _date_corrected(ctx, clock, both, pw)
    corrected = scalar(
        ctx, "SELECT max(id) FROM audit_entries WHERE action = 'participant_status_corrected'"
    )
    assert _index(ctx)[corrected] == {ctx.study_id}
    theirs = studies.switch_study(ctx, watcher, OTHER)
    assert _listed(theirs, watcher) == []
    assert [e.id for e in audit.list_entries(theirs, watcher, text="01-001")] == []
    chief = signed_in(ctx, admin, pw)
    mine = [e.action for e in _listed(ctx, chief)]
    assert mine == ["enroll", "participant_status", "participant_status_corrected"]
    assert _listed(studies.switch_study(ctx, chief, OTHER), chief) == []
    assert audit.verify(ctx, admin).ok
    point = audit.verify(ctx, admin).point
    assert point is not None
    clock.set_date(date(2026, 1, 21))
    participants.correct_status(
        ctx, both, "01-001", effective_on=date(2026, 1, 13), reason="again", password=pw(both)
    )
    assert audit.verify(ctx, admin, since=point).ok  # the check that derives it again agrees


def test_0020_files_the_corrections_indexed_as_the_site_s_under_their_study(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database at 0019, its date-only correction indexed as the site's (as the Recorder of
    that release wrote it): the upgrade files it under its study, its append-only triggers
    kept; the other study's reader no longer sees it; the trail verifies."""
    from .test_append_only import expected_triggers, installed_triggers

    both, watcher = _two_studies(ctx, study, admin, pharmacist, monitor, pw)
    with monkeypatch.context() as as_0019:
        as_0019.setattr(entry_studies, "_corrected_studies", lambda *_a: None)
        _date_corrected(ctx, clock, both, pw)
    corrected = scalar(
        ctx, "SELECT max(id) FROM audit_entries WHERE action = 'participant_status_corrected'"
    )
    before = _index(ctx)
    assert before[corrected] == {0}
    _migrate(ctx, "0019")
    assert migrate.current_revision(ctx.engine) == "0019"
    theirs = studies.switch_study(ctx, watcher, OTHER)
    assert [e.action for e in _listed(theirs, watcher)] == ["participant_status_corrected"]
    migrate.upgrade(ctx.engine)
    assert migrate.current_revision(ctx.engine) == migrate.head_revision() == "0020"
    refiled = _index(ctx)
    assert refiled == before | {corrected: {ctx.study_id}}
    assert installed_triggers(ctx) == sorted(expected_triggers(ctx.engine.dialect.name == "sqlite"))
    assert _listed(theirs, watcher) == []
    assert [e.action for e in _listed(ctx, signed_in(ctx, admin, pw))][-1] == (
        "participant_status_corrected"
    )
    assert audit.verify(ctx, admin).ok
    _migrate(ctx, "0019")
    migrate.upgrade(ctx.engine)  # again: nothing more to re-file
    assert {e: s for e, s in _index(ctx).items() if e in refiled} == refiled


def test_a_sign_off_is_made_again_after_a_date_only_status_correction(
    ctx: Context, clock: FixedClock, monitor: Actor, pharmacist: Actor, pw: Password
) -> None:
    """A sign-off stands while nothing of its study is recorded after it (found by the study
    index): the correction of a status change's date, filed as the site's, left the monitor's
    sign-off "still standing" over a participant's changed dates."""
    enroll(ctx, pharmacist, "01-001")
    clock.set_date(date(2026, 1, 20))
    participants.set_status(
        ctx, pharmacist, "01-001", ParticipantStatus.DISCONTINUED, "withdrew",
        password=pw(pharmacist), effective_on=date(2026, 1, 15),
    )  # fmt: skip
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 2", seen=seen_now(ctx))
    participants.correct_status(
        ctx, pharmacist, "01-001", effective_on=date(2026, 1, 12), reason="typo",
        password=pw(pharmacist),
    )  # fmt: skip
    again = reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 2", seen=seen_now(ctx))
    assert [s.username for s in again.signoffs] == ["monitor", "monitor"]
