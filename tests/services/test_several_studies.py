"""Several studies in one pharmacy's database: each study's kits, participants and records are
its own; a user reaches only the studies an administrator gave them; a study is added, amended
and closed; a database made by the release before migrates in place."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

import dispensary.services as services_package
from dispensary.db import entry_studies
from dispensary.db.engine import is_sqlite, read_transaction
from dispensary.domain.anchor import AnchorVerdict
from dispensary.domain.errors import (
    DatabaseProblem,
    InOtherStudy,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    UnknownStudy,
)
from dispensary.i18n import Language, speaking
from dispensary.services import (
    audit,
    counts,
    destruction,
    dispensing,
    labels,
    participants,
    permissions,
    queries,
    receiving,
    reconciliation,
    report_data,
    returns,
    setup,
    studies,
    users,
)
from dispensary.services.assessment.counts import CountCheck, CountRequest
from dispensary.services.assessment.receiving import ReceiveCheck, ReceiveRequest
from dispensary.services.assessment.returns import ReturnRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study
from signed import seen_now
from tamper import triggers_off

from .helpers import P75, WITNESSED, dispense, enroll, open_old_release, receive, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
OTHER = "NCT99999999"
RELEASE_ANCHOR = "A-266-NKW0-9VAM-S"
"""`dispensary audit anchor` of the fixture, printed by the release that made it (0007)."""

SITE_WIDE = {
    # The site's, not a study's: accounts, backups, and the list of studies itself.
    "users.add_user",
    "users.set_active",
    "users.unlock",
    "users.reset_password",
    "users.check_reset",
    "users.list_users",
    "users.change_password",
    "users.record_session_event",
    "users.account_state",
    "users.set_language",
    "users.recover_administrator",
    "users.current_actor",
    "users.password_last_set",
    "backup.backup",
    "backup.automatic_backup",
    "backup.backup_into",
    "backup.kept_backups",
    "backup.kept_backup",
    "backup.restore_command",
    "studies.list_studies",
    "studies.add_study",
    "studies.check_new_study",
    "studies.close_study",
    "studies.set_access",
    "studies.switch_study",
    "studies.check_study_named",
    "studies.own_protocols",
    # The pharmacy's own particulars, printed on every study's labels, its idle lock time,
    # and the About box.
    "pharmacy.set_particulars",
    "pharmacy.check_particulars",
    "pharmacy.set_language",
    "pharmacy.set_idle_lock",
    # A workstation's printers and database: the computer's, recorded in the pharmacy's trail.
    "workstation.bind_printers",
    "workstation.move_database",
    "workstation.record_set_up_printers",
    # The site key that signs the anchor log beside the pharmacy's backups.
    "site_key.create",
    "site_key.use",
    "about.about",
}


def other_text(study: Study) -> str:
    return study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{OTHER}"')


def signed_in(ctx: Context, actor: Actor, pw: Password) -> Actor:
    """The actor as sign-in makes it now: with the studies the database gives them."""
    return users.sign_in(ctx, actor.username, pw(actor))


@pytest.fixture
def second(ctx: Context, study: Study, admin: Actor, pw: Password) -> Context:
    """The database with a second study added; its context, seen by the administrator."""
    studies.add_study(ctx, admin, other_text(study), "other.toml", "second protocol opens")
    return studies.switch_study(ctx, signed_in(ctx, admin, pw), OTHER)


def test_a_study_is_added_listed_and_switched_to(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    assert second.study.protocol == OTHER and second.study_id != ctx.study_id
    rows = studies.list_studies(ctx, signed_in(ctx, admin, pw))
    assert [(r.protocol, r.status, r.version) for r in rows] == [
        ("NCT07198672", "open", 1),
        (OTHER, "open", 1),
    ]
    # The pharmacist was given the first study only (the study their account was made in).
    mine = signed_in(ctx, pharmacist, pw)
    assert [r.protocol for r in studies.list_studies(ctx, mine)] == ["NCT07198672"]
    with pytest.raises(NotPermitted, match=f"pharm has no study {OTHER} to work in"):
        studies.switch_study(ctx, mine, OTHER)
    # In the new study's trail: its entry wrote that study's own row.
    entry = audit.list_entries(second, signed_in(ctx, admin, pw), action="study_added")[-1]
    assert entry.entity_id == OTHER and entry.reason == "second protocol opens"
    assert audit.verify(ctx, admin).ok


def test_the_same_protocol_cannot_be_added_twice(
    ctx: Context, study: Study, second: Context, admin: Actor, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, "already in this pharmacy") as info:
        studies.add_study(ctx, admin, other_text(study), "again.toml", "twice")
    # Both routes to amend it: the Studies screen (a Windows pharmacy has no command on its
    # path) and the command.
    assert (
        f"on the Studies screen, select {OTHER}, choose Work in this study, then Update study "
        "file…; or run "
        f"`dispensary --study {OTHER} study update FILE.toml --reason ...`"
    ) in info.value.message


@pytest.mark.parametrize("spelt", [OTHER.lower(), f"{OTHER} ", f" {OTHER.lower()}"])
def test_the_same_protocol_in_another_case_or_with_spaces_is_refused(
    spelt: str, ctx: Context, study: Study, second: Context, admin: Actor, refused: Refused
) -> None:
    """ "nct99999999" or "NCT99999999 " was added as a second study, which --study never
    opened (the first one matched): refused naming the study held."""
    text = study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{spelt}"')
    with refused(ctx, RuleViolation, f"Study {OTHER} is already in this pharmacy"):
        studies.check_new_study(ctx, admin, text, "again.toml")
    with refused(ctx, RuleViolation, f"Study {OTHER} is already in this pharmacy"):
        studies.add_study(ctx, admin, text, "again.toml", "twice")


def test_a_protocol_is_added_without_the_spaces_around_it(
    ctx: Context, study: Study, admin: Actor, pw: Password
) -> None:
    text = study.source_text.replace('protocol = "NCT07198672"', 'protocol = " NCT55555555 "')
    row = studies.add_study(ctx, admin, text, "spaced.toml", "a third protocol")
    assert row.protocol == "NCT55555555"
    opened = studies.switch_study(ctx, signed_in(ctx, admin, pw), "nct55555555")
    assert opened.study.protocol == "NCT55555555" and opened.study_id != ctx.study_id


def test_participant_numbers_and_kits_belong_to_their_study(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0010")
    receive(other, both, "B0001-B0010", lot="LB")
    enroll(ctx, both, "01-001")
    # The same number in another study is refused now (a scan finds a participant by number);
    # a pharmacy that enrolled both before that rule keeps both, each in its own study.
    with refused(other, RuleViolation, "01-001 is already a participant's in another study"):
        enroll(other, both, "01-001", initials="CD")
    with pytest.MonkeyPatch.context() as before_the_rule:
        before_the_rule.setattr(participants, "_check_number_free", lambda *_a: None)
        enroll(other, both, "01-001", initials="CD")  # the same number, another study
    with refused(other, RuleViolation, "already enrolled"):
        enroll(other, both, "01-001", initials="CD")
    assert [p.initials for p in queries.participants(other, both)] == ["CD"]
    assert {k.number[0] for k in queries.inventory(ctx, both)} == {"K"}
    assert {k.number[0] for k in queries.inventory(other, both)} == {"B"}
    # A kit of one study scanned in the other is named as the other study's.
    with pytest.raises(InOtherStudy, match=f"study {OTHER}") as found:
        queries.kit_detail(ctx, both, "B0001")
    assert found.value.protocol == OTHER and found.value.study_id == other.study_id
    with refused(ctx, InOtherStudy, f"Kit B0001 belongs to study {OTHER}"):
        dispense(ctx, both, pw(both), kits=["B0001"])
    # Each study dispenses its own kits; its reconciliation holds its own only.
    dispense(ctx, both, pw(both))
    result = dispense(other, both, pw(both))
    assert all(k.kit.startswith("B") for k in result.kits)
    mine, theirs = reconciliation.reconcile(ctx, both), reconciliation.reconcile(other, both)
    assert {r.key for r in mine.kits} == {f"K{n:04d}" for n in range(1, 11)}
    assert {r.key for r in theirs.kits} == {f"B{n:04d}" for n in range(1, 11)}
    assert [r.key for r in theirs.participants] == ["01-001"] and theirs.products
    assert audit.verify(ctx, admin).ok


def test_a_participant_of_another_study_is_named(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    enroll(other, both, "02-007")
    with pytest.raises(InOtherStudy, match=f"Participant 02-007 is of study {OTHER}"):
        queries.participant(ctx, both, "02-007")
    with pytest.raises(NotFound, match="not enrolled"):
        queries.participant(ctx, both, "02-999")


def test_a_label_of_a_kit_or_shipment_of_another_study_names_that_study(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """`label kit B0001` and `label shipment SH-B` of the other study said "Kit B0001 is not
    in stock" and "There is no shipment": every other step names the study to switch to."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-B")
    receive(ctx, both, "K0001")
    with pytest.raises(InOtherStudy, match=f"Kit B0001 is of study {OTHER}") as found:
        report_data.kit_label_rows(ctx, both, kits=["K0001", "b0001"])
    assert (found.value.protocol, found.value.number) == (OTHER, "B0001")
    with pytest.raises(InOtherStudy, match=f"Shipment SH-B is of study {OTHER}") as found:
        report_data.kit_label_rows(ctx, both, shipment="sh-b")
    assert found.value.protocol == OTHER
    with pytest.raises(NotFound, match="Kit K0009 is not in stock"):
        report_data.kit_label_rows(ctx, both, kits=["K0009"])
    assert [r.number for r in report_data.kit_label_rows(other, both, shipment="SH-B")] == [
        "B0001",
        "B0002",
    ]
    # Of a study the user may not open: the kit as every step refuses it, without the study.
    studies.set_access(ctx, admin, "pharm", OTHER, False, "moved to the first study only")
    mine = signed_in(ctx, pharmacist, pw)
    with pytest.raises(InOtherStudy, match="one you have no access to") as hidden:
        report_data.kit_label_rows(ctx, mine, kits=["B0001"])
    assert OTHER not in hidden.value.message and hidden.value.protocol == ""
    with pytest.raises(NotFound, match="There is no shipment 'SH-B'"):
        report_data.kit_label_rows(ctx, mine, shipment="SH-B")


def _study_functions() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"dispensary.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            takes = list(inspect.signature(fn).parameters)[:2] == ["ctx", "actor"]
            if takes and f"{info.name}.{name}" not in SITE_WIDE:
                found[f"{info.name}.{name}"] = fn
    return found


STUDY_FUNCTIONS = _study_functions()


def test_every_study_service_is_walked() -> None:
    assert len(STUDY_FUNCTIONS) > 60, sorted(STUDY_FUNCTIONS)
    assert "dispensing.dispense_cycle" in STUDY_FUNCTIONS
    assert "queries.inventory" in STUDY_FUNCTIONS


@pytest.mark.parametrize("name", sorted(STUDY_FUNCTIONS))
def test_a_user_without_access_reads_and_changes_nothing_of_a_study(
    name: str,
    ctx: Context,
    second: Context,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Every service function that works in a study refuses, before reading or writing
    anything, a user who was not given access to it, whatever else they ask."""
    fn = STUDY_FUNCTIONS[name]
    outsider = signed_in(ctx, pharmacist, pw)
    assert second.study_id not in outsider.studies
    params = list(inspect.signature(fn).parameters.values())[2:]
    required = [p for p in params if p.default is inspect.Parameter.empty]
    named = {p.name: "1" for p in required if p.kind is inspect.Parameter.KEYWORD_ONLY}
    args = ["1" for p in required if p.name not in named]
    with refused(second, NotPermitted, f"no access to study {OTHER}"):
        fn(second, outsider, *args, **named)


def test_access_is_given_and_taken_away(
    ctx: Context, second: Context, admin: Actor, monitor: Actor, pw: Password, refused: Refused
) -> None:
    assert studies.set_access(ctx, admin, "monitor", OTHER, True, "monitors both") == [
        "NCT07198672",
        OTHER,
    ]
    with refused(ctx, RuleViolation, "already has access"):
        studies.set_access(ctx, admin, "monitor", OTHER, True, "again")
    assert studies.set_access(ctx, admin, "monitor", "NCT07198672", False, "CRA changed") == [OTHER]
    now = signed_in(ctx, monitor, pw)
    assert [r.protocol for r in studies.list_studies(ctx, now)] == [OTHER]
    with refused(ctx, NotPermitted, "Access to study NCT07198672 was withdrawn from monitor"):
        queries.participants(ctx, now)
    with refused(ctx, NotPermitted, "may not manage users"):
        studies.set_access(ctx, now, "monitor", "NCT07198672", True, "myself")
    with refused(ctx, RuleViolation, "an administrator, who reaches every study"):
        studies.set_access(ctx, admin, "admin", OTHER, False, "no")
    with refused(ctx, NotFound, "no study NCT000"):
        studies.set_access(ctx, admin, "monitor", "NCT000", True, "typo")
    taken = audit.list_entries(ctx, signed_in(ctx, admin, pw), action="study_access_taken")
    assert [e.entity_id for e in taken] == ["monitor"]


def test_a_new_account_is_given_the_studies_chosen_in_one_step(
    ctx: Context, second: Context, admin: Actor, pw: Password, refused: Refused
) -> None:
    """The Users window gave a new account only the study the administrator worked in, unasked
    (services' new_account_needs_a_study: a front end asks); the studies chosen are given in
    the step that adds the account, and its entry names them."""
    boss = signed_in(ctx, admin, pw)
    new = ("nora", "technician", "Nora Night", "NN", "night-shift-1")
    with refused(ctx, InvalidInput, "Choose at least one study"):
        users.add_user(ctx, boss, *new, studies=[])
    with refused(ctx, NotFound, "no study NCT000 in this database"):
        users.add_user(ctx, boss, *new, studies=["NCT07198672", "NCT000"])
    row = users.add_user(ctx, boss, *new, studies=[OTHER, "NCT07198672"])
    assert row.studies == ("NCT07198672", OTHER)
    [entry] = audit.list_entries(ctx, boss, action="user_added", text="Nora")
    assert json.loads(entry.new)["study_access"] == f"{OTHER}, NCT07198672"
    # Not named: the study the administrator works in (here the second); none for an
    # administrator's account, who reaches every study.
    assert users.add_user(
        second, boss, "olga", "monitor", "Olga O", "OO", "olga-pass-12"
    ).studies == (OTHER,)
    chief = users.add_user(
        ctx, boss, "zed", "administrator", "Zed Z", "ZZ", "zed-pass-123", studies=[]
    )
    assert chief.studies == ("NCT07198672", OTHER)


def test_a_closed_study_is_read_not_written(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    clock: FixedClock,
) -> None:
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    studies.set_access(ctx, admin, "tech", OTHER, True, "witnesses its destructions")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001-B0002", lot="LB")
    with refused(ctx, RuleViolation, "still has 2 kits in the pharmacy"):
        studies.close_study(ctx, admin, OTHER, "enrolment complete")
    clock.set_date(date(2026, 1, 6))
    destruction.destroy(
        other, both, ["B0001", "B0002"], "tech", "incineration", pw(both), **WITNESSED
    )
    row = studies.close_study(ctx, admin, OTHER, "study closed by the sponsor")
    assert row.status == "closed" and row.closed_reason == "study closed by the sponsor"
    closed = studies.switch_study(ctx, both, OTHER)
    assert closed.closed
    with refused(closed, NotPermitted, f"Study {OTHER} is closed"):
        enroll(closed, both, "09-001")
    assert len(queries.inventory(closed, both)) == 2  # still read
    assert reconciliation.reconcile(closed, both).kits
    with refused(ctx, RuleViolation, "already closed"):
        studies.close_study(ctx, admin, OTHER, "again")
    assert [(r.protocol, r.status) for r in studies.list_studies(ctx, both)] == [
        ("NCT07198672", "open"),
        (OTHER, "closed"),
    ]


def test_a_study_is_not_closed_while_a_kit_is_out_or_a_participant_is_on_treatment(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """Closed with a kit still out, the kit's return was refused ("Study ... is closed") and the
    reconciliation balanced without it: its units were lost from the books."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    studies.set_access(ctx, admin, "tech", OTHER, True, "witnesses its destructions")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001", lot="LB")
    enroll(other, both, "02-001")
    given = dispense(other, both, pw(both), number="02-001")
    with refused(ctx, RuleViolation, "B0001 (02-001, cycle 1)") as caught:
        studies.close_study(ctx, admin, OTHER, "enrolment complete")
    said = str(caught.value)
    assert "1 kits went out to participants and have no return recorded" in said
    assert "participants are still on treatment: 02-001" in said
    assert ". 1 participants are still on treatment" in said  # English sentences spaced
    # In Chinese, the problems one after the other with no space after 。 (i18n.sentences).
    with speaking(Language.ZH_CN), pytest.raises(RuleViolation) as chinese:
        studies.close_study(ctx, admin, OTHER, "enrolment complete")
    assert "。 " not in str(chinese.value) and str(chinese.value).count("。") >= 3, chinese.value
    # Not brought back is a recorded return (of 0): the kit is then accounted for. It is not
    # in the pharmacy, so there is nothing to destroy (and its destruction is refused).
    returns.record_return(
        other, both, "B0001", 0, pw(both), given.number, outcome="not_brought_back"
    )
    with refused(other, RuleViolation, "Kit B0001 was not brought back"):
        destruction.destroy(other, both, ["B0001"], "tech", "incineration", pw(both), **WITNESSED)
    with refused(ctx, RuleViolation, "still on treatment: 02-001") as caught:
        studies.close_study(ctx, admin, OTHER, "enrolment complete")
    assert "no return recorded" not in str(caught.value)
    participants.set_status(
        other, both, "02-001", "completed", "last cycle given", password=pw(both)
    )
    # A kit not brought back is flagged: its reason is recorded before the study closes.
    with refused(ctx, RuleViolation, "Adherence flag: 02-001 cycle 1"):
        studies.close_study(ctx, admin, OTHER, "enrolment complete")
    returns.explain_flag(other, both, given.number, "the participant lost the bottle")
    assert studies.close_study(ctx, admin, OTHER, "enrolment complete").status == "closed"


def test_a_study_is_not_closed_while_its_reconciliation_has_a_finding_to_review(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    clock: FixedClock,
) -> None:
    """Closed with an over-use flag unexplained, the reason was refused ("closed ... not added
    to") while the reconciliation and its screen kept asking for it: a finding never settled.
    The refusal names each finding the reconciliation has to review and where to act on it."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    studies.set_access(ctx, admin, "tech", OTHER, True, "witnesses its destructions")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001", lot="LB")
    enroll(other, both, "02-001")
    given = dispense(other, both, pw(both), number="02-001")
    returns.record_return(other, both, "B0001", 0, pw(both), given.number)  # all taken at once
    destruction.destroy(other, both, ["B0001"], "tech", "incineration", pw(both), **WITNESSED)
    participants.set_status(
        other, both, "02-001", "discontinued", "withdrew consent", password=pw(both)
    )
    open_items = reconciliation.reconcile(other, both).to_review
    assert [d.kind for d in open_items] == ["adherence"]
    with refused(ctx, RuleViolation, "its reconciliation has 1 findings to review") as caught:
        studies.close_study(ctx, admin, OTHER, "enrolment complete")
    said = str(caught.value)
    assert f"Adherence flag: {open_items[0].message}" in said
    assert f"`dispensary --study {OTHER} reconcile`" in said
    assert studies.list_studies(ctx, admin)[-1].status == "open"  # nothing written
    returns.explain_flag(other, both, given.number, "took the cycle's tablets at once, told")
    assert studies.close_study(ctx, admin, OTHER, "enrolment complete").status == "closed"
    assert reconciliation.reconcile(studies.switch_study(ctx, both, OTHER), both).to_review == ()


def test_an_amendment_counts_a_version(
    ctx: Context, study: Study, admin: Actor, pw: Password
) -> None:
    text_v2 = study.source_text.replace("Keep out of reach of children", "Keep away from children")
    studies.update_study(ctx, admin, text_v2, "v2.toml", "sponsor's label text v2")
    [row] = studies.list_studies(ctx, signed_in(ctx, admin, pw))
    assert row.version == 2


def test_open_database_opens_the_study_asked_for(
    ctx: Context, second: Context, clock: FixedClock
) -> None:
    opened = setup.open_database(ctx.database, clock, expect_protocol=OTHER.lower())
    try:
        assert opened.context.study.protocol == OTHER
        assert opened.context.study_id == second.study_id
        assert opened.studies == ("NCT07198672", OTHER)
    finally:
        opened.context.engine.dispose()
    first = setup.open_database(ctx.database, clock)
    try:
        assert first.context.study.protocol == "NCT07198672"
    finally:
        first.context.engine.dispose()


def test_a_study_the_database_does_not_hold_is_refused_naming_those_it_holds(
    ctx: Context, second: Context, clock: FixedClock
) -> None:
    """An unknown protocol is an UnknownStudy, carrying what it asked and what there is, so
    that the command says it as the usage mistake it is (exit 2, naming --study); the message
    itself names no option of the command."""
    with pytest.raises(UnknownStudy) as unknown:
        setup.open_database(ctx.database, clock, expect_protocol="NOPE")
    assert (unknown.value.protocol, unknown.value.studies) == ("NOPE", ("NCT07198672", OTHER))
    assert f"holds studies NCT07198672, {OTHER}, not NOPE" in unknown.value.message
    assert "--study" not in unknown.value.message
    assert isinstance(unknown.value, DatabaseProblem)


def test_a_protocol_not_held_and_one_not_given_are_refused_alike(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """A user who does not administer the studies, naming a protocol, hears the same refusal
    (same words, same kind) whether the pharmacy holds no such study or holds it for another
    sponsor: "there is no study NOPE" beside "no access to study NCT99999999" confirmed a
    guessed protocol. Their own studies are listed; an administrator is told precisely."""
    mine = signed_in(ctx, pharmacist, pw)
    said: dict[str, tuple[type, str]] = {}
    for protocol in (OTHER, "NCT00000000", OTHER.lower()):
        for step in (studies.switch_study, studies.check_study_named):
            with refused(ctx, NotPermitted, f"pharm has no study {protocol} to work in") as no:
                step(ctx, mine, protocol)
            said[f"{step.__name__} {protocol}"] = (
                type(no.value),
                no.value.message.replace(protocol, "<asked>"),
            )
    assert len(set(said.values())) == 1, said
    words = next(iter(said.values()))[1]
    assert "Check the protocol number, or ask an administrator for access" in words
    assert words.endswith("pharm's studies: NCT07198672.") and OTHER not in words
    assert studies.own_protocols(ctx, mine) == ["NCT07198672"]
    studies.check_study_named(ctx, mine, "nct07198672")  # their own: no refusal
    boss = signed_in(ctx, admin, pw)
    with refused(ctx, NotFound, "There is no study NCT00000000 in this pharmacy") as told:
        studies.check_study_named(ctx, boss, "NCT00000000")
    assert told.value.message.endswith(f"Studies: NCT07198672, {OTHER}.")
    studies.check_study_named(ctx, boss, OTHER)
    assert studies.own_protocols(ctx, boss) == ["NCT07198672", OTHER]


def test_the_release_before_migrates_in_place(tmp_path: Path, pw: Password) -> None:
    """A copy of the demo database made by release 0007 (one study, 174 kits, 24
    participants, 118 dispenses): opened, it is upgraded in place with a copy kept; every kit,
    participant and user is the one study's; the audit trail verifies, and against the anchor
    code the old release printed; the counter goes on, and a second study can be added."""
    opened = open_old_release(tmp_path)
    ctx = opened.context
    try:
        assert opened.migrated_from == "0007" and opened.backup
        with ctx.engine.connect() as conn:
            for table in ("kits", "participants"):
                ids = conn.execute(text(f"SELECT DISTINCT study_id FROM {table}")).scalars()
                assert list(ids) == [1], table
            users_given = conn.execute(
                text("SELECT count(DISTINCT user_id) FROM study_access WHERE granted")
            ).scalar()
            assert users_given == conn.execute(text("SELECT count(*) FROM users")).scalar()
            if is_sqlite(ctx.engine):
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        admin = users.sign_in(ctx, "admin", "demo-pass-1")
        assert audit.verify(ctx, admin).ok
        assert audit.check_anchor(ctx, admin, RELEASE_ANCHOR).verdict is AnchorVerdict.MATCHES
        pharmacist = users.sign_in(ctx, "pharmacist", "demo-pass-1")
        assert pharmacist.studies == frozenset({1})
        assert len(queries.participants(ctx, pharmacist)) == 24
        assert len(queries.inventory(ctx, pharmacist)) == 174
        studies.add_study(ctx, admin, other_text(setup_study(ctx)), "other.toml", "second")
        assert audit.verify(ctx, admin).ok
    finally:
        ctx.engine.dispose()


def setup_study(ctx: Context) -> Study:
    return ctx.study


def test_require_names_the_study_and_checks_it_before_the_role(
    ctx: Context, second: Context, pharmacist: Actor
) -> None:
    """The access as the database holds it, before the role; an account the database does not
    hold (removed, or never there) is refused as a deactivated one."""
    with pytest.raises(NotPermitted, match=f"no access to study {OTHER}"):
        permissions.require(pharmacist, permissions.Permission.USERS, second)
    nobody = Actor(9, "x", "X Y", "XY", permissions.Role.PHARMACIST, studies=frozenset({1}))
    with pytest.raises(NotPermitted, match="x can no longer sign: the account is not active"):
        permissions.require(nobody, permissions.Permission.VIEW, ctx)
    permissions.require(pharmacist, permissions.Permission.VIEW, ctx)
    assert P75 and dispensing  # the helpers' product and module are this study's


def test_the_inventory_of_every_study_names_each_kits_study(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0003")
    receive(other, both, "B0001-B0002", lot="LB")
    rows = queries.inventory(ctx, both, every_study=True)
    assert sorted((r.study, r.number) for r in rows) == [
        ("NCT07198672", "K0001"),
        ("NCT07198672", "K0002"),
        ("NCT07198672", "K0003"),
        (OTHER, "B0001"),
        (OTHER, "B0002"),
    ]
    assert {r.study for r in queries.inventory(ctx, both)} == {""}  # one study: no column
    # A user given one study sees that study's shelves only, whichever study is open.
    mine = signed_in(ctx, pharmacist, pw)
    studies.set_access(ctx, admin, "pharm", "NCT07198672", False, "moved to the other study")
    only_other = signed_in(ctx, pharmacist, pw)
    assert mine.studies != only_other.studies
    assert {r.study for r in queries.inventory(ctx, only_other, every_study=True)} == {OTHER}


def test_the_audit_trail_shows_a_user_the_entries_of_their_own_studies(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """A monitor given one study reads the trail of that study and of the site (accounts,
    sign-ins), not what was done in a study they do not monitor."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0002", shipment="SH-MINE")
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    enroll(other, both, "07-001")
    watcher = signed_in(ctx, monitor, pw)
    assert watcher.studies == frozenset({ctx.study_id})
    seen = audit.list_entries(ctx, watcher)
    ids = {e.entity_id for e in seen}
    assert "SH-MINE" in ids and "SH-THEIRS" not in ids and "07-001" not in ids
    assert OTHER not in ids  # the second study's own row
    assert any(e.action == "user_added" for e in seen)  # the site's entries
    chief = signed_in(ctx, admin, pw)
    mine = audit.list_entries(ctx, chief)  # every study's reader: still the open study's trail
    assert "SH-MINE" in {e.entity_id for e in mine}
    assert not {"SH-THEIRS", "07-001", OTHER} & {e.entity_id for e in mine}
    theirs = audit.list_entries(studies.switch_study(ctx, chief, OTHER), chief)
    assert {"SH-THEIRS", "07-001", OTHER} <= {e.entity_id for e in theirs}
    assert "SH-MINE" not in {e.entity_id for e in theirs}
    assert any(e.action == "user_added" for e in theirs)  # the site's, in every study's trail


def test_a_study_s_audit_trail_holds_its_label_prints_and_counts_its_limit_in_it(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """A label print writes no record but its entry: the kits it names say whose it is (another
    study's reprint reason was shown to this study's monitor). `limit` is the last N entries of
    this study's trail, not the last N of the pharmacy's filtered afterwards."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0002", shipment="SH-MINE")
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    labels.record_label_print(ctx, both, "kit", ["K0001"], reprint=False)
    labels.record_label_print(other, both, "kit", ["B0001"], reprint=False)
    labels.record_label_print(other, both, "kit", ["B0001"], reprint=True, reason="smudged")
    watcher = signed_in(ctx, monitor, pw)
    printed = [e for e in audit.list_entries(ctx, watcher) if e.entity == "kit label"]
    assert [e.entity_id for e in printed] == ["K0001"]
    last = audit.list_entries(ctx, watcher, limit=3)
    assert len(last) == 3 and "B0001" not in {e.entity_id for e in last}
    everyone = audit.list_entries(studies.switch_study(ctx, both, OTHER), both, limit=3)
    assert [e.entity_id for e in everyone] == ["B0001", "B0001", "monitor"]  # its sign-in


def test_a_label_print_of_another_study_s_kit_or_dispense_is_not_recorded_under_this_one(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
) -> None:
    """A pharmacist given the first study only recorded the print of a kit of the other: it
    was accepted, filed under the first study, and the other study's own pharmacist was then
    refused its first print as "printed before". Each item is found in the study open."""
    studies.set_access(ctx, admin, "pharm2", OTHER, True, "the second study's pharmacist")
    theirs = signed_in(ctx, pharmacist2, pw)
    other = studies.switch_study(ctx, theirs, OTHER)
    receive(other, theirs, "B0001-B0002", lot="LB", shipment="SH-B")
    enroll(other, theirs, "02-001")
    given = dispense(other, theirs, pw(theirs), number="02-001")
    mine = signed_in(ctx, pharmacist, pw)
    before = scalar(ctx, "SELECT count(*) FROM audit_entries")
    for kind, item in (("kit", "B0001"), ("dispense", given.number), ("leaflet", given.number)):
        with pytest.raises(InOtherStudy, match="one you have no access to") as hidden:
            labels.record_label_print(ctx, mine, kind, [item], False, "x")
        assert OTHER not in hidden.value.message and hidden.value.protocol == ""
    assert scalar(ctx, "SELECT count(*) FROM audit_entries") == before
    # The other study's own pharmacist prints them, as first prints.
    labels.record_label_print(other, theirs, "kit", ["B0001"], False, "x")
    labels.record_label_print(other, theirs, "dispense", [given.number], False)


def test_a_return_of_another_study_is_not_corrected_under_this_one(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """A return is named by its number alone: one of the other study was corrected with the
    open study's rules (its adherence against this study's dose), even by a pharmacist who
    cannot open the other study."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001-B0002", lot="LB")
    enroll(other, both, "02-001")
    given = dispense(other, both, pw(both), number="02-001")
    back = returns.record_return(other, both, given.kits[0].kit, 3, pw(both), given.number)
    before = scalar(ctx, "SELECT count(*) FROM audit_entries")
    with pytest.raises(InOtherStudy, match=f"Return {back.return_id} is of study {OTHER}"):
        returns.correct_return(ctx, both, back.return_id, 5, "recount", pw(both))
    assert scalar(ctx, "SELECT count(*) FROM audit_entries") == before  # nothing written
    corrected = returns.correct_return(other, both, back.return_id, 5, "recount", pw(both))
    assert corrected.tablets_returned == 5


def test_the_second_person_of_a_step_works_in_its_study(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """A dispense's checker, a count's verifier and a destruction's witness sign a record of
    the study: one without access to it cannot (they signed records they could not open)."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001-B0004", lot="LB")
    enroll(other, both, "02-001")
    before = scalar(ctx, "SELECT count(*) FROM audit_entries")
    outside = "pharm2 has no access to study NCT99999999, so cannot sign its records"
    with pytest.raises(NotPermitted, match=outside):
        dispense(
            other, both, pw(both), number="02-001", checked_by="pharm2",
            checker_password="pharm2-pass-1",
        )  # fmt: skip
    with pytest.raises(NotPermitted, match=outside.replace("pharm2", "tech")):
        destruction.destroy(other, both, ["B0004"], "tech", "incineration", pw(both), **WITNESSED)
    with pytest.raises(NotPermitted, match=outside):
        counts.record_count(
            other, both, "B0003", 20, pw(both), "lost", "gone", "pharm2", "pharm2-pass-1"
        )
    assessed = counts.assess_count(
        other, both, CountRequest("B0003", 20, "lost", "gone", "pharm2", None)
    )
    assert [r.code for r in assessed.refusals] == [CountCheck.VERIFIER_ACCESS]
    assert scalar(ctx, "SELECT count(*) FROM audit_entries") == before  # nothing written
    for user in ("pharm2", "tech"):
        studies.set_access(ctx, admin, user, OTHER, True, "works in both")
    dispense(
        other, both, pw(both), number="02-001", checked_by="pharm2",
        checker_password="pharm2-pass-1",
    )  # fmt: skip
    destruction.destroy(other, both, ["B0004"], "tech", "incineration", pw(both), **WITNESSED)


def test_the_latest_entries_of_a_small_study_are_found_behind_other_studies_entries(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """The latest N of a study among many others' entries are found by the study index
    (db/entry_studies.py), however far back they lie, and no other study's come with them."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    for number in range(1, 8):
        enroll(ctx, both, f"01-{number:03d}")
    found = audit.list_entries(other, both, limit=2)
    assert len(found) == 2 and found[-1].entity_id == "SH-THEIRS"
    assert not [e for e in found if e.entity_id.startswith("01-")]
    mine = audit.list_entries(ctx, both, limit=7)
    assert [e.entity_id for e in mine] == [f"01-{n:03d}" for n in range(1, 8)]
    whole = audit.list_entries(other, both, limit=None)
    assert "SH-THEIRS" in [e.entity_id for e in whole]
    assert not [e for e in whole if e.entity_id.startswith("01-")]


def test_a_kit_number_of_another_study_is_refused_at_receiving_naming_that_study(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """A kit number is received once in the pharmacy: one recorded in another study was
    refused as "already in stock", where the pharmacist found no such kit in their study."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    before = scalar(ctx, "SELECT count(*) FROM audit_entries")
    with pytest.raises(RuleViolation, match=f"Kit B0002 is already recorded, in study {OTHER}"):
        receive(ctx, both, "B0002-B0003", shipment="SH-MINE")
    assert scalar(ctx, "SELECT count(*) FROM audit_entries") == before


def _study_index(ctx: Context) -> list[tuple[int, int]]:
    with ctx.engine.connect() as conn:
        query = "SELECT audit_entry_id, study_id FROM audit_entry_studies ORDER BY 1, 2"
        return [(int(e), int(s)) for e, s in conn.execute(text(query))]


def test_the_study_index_written_with_each_entry_is_what_the_migration_back_fills(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """The Recorder indexes each entry as it writes it; migration 0012 indexes the entries
    written before it with the same functions: the two agree on every kind of entry (a study's
    records, a label print, an account's, a study's own row)."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0002", shipment="SH-MINE")
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    enroll(other, both, "07-001")
    labels.record_label_print(other, both, "kit", ["B0001"], reprint=False)
    written = _study_index(ctx)
    number = {entry: study for entry, study in written}
    first, theirs = ctx.study_id, other.study_id
    assert {s for _e, s in written} == {0, first, theirs}
    assert len({e for e, _s in written}) == scalar(ctx, "SELECT count(*) FROM audit_entries")
    label = scalar(ctx, "SELECT max(id) FROM audit_entries WHERE entity = 'kit label'")
    assert number[label] == theirs
    with ctx.engine.begin() as conn, triggers_off(conn):
        conn.execute(text("DELETE FROM audit_entry_studies"))
        entry_studies.back_fill(conn)
    assert _study_index(ctx) == written


def test_an_entry_moved_to_another_study_in_the_index_is_named_by_the_next_check(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """An edit of the index (triggers dropped) would hide an entry from its study's trail: the
    Today screen's check, which derives each new entry's studies again, names it; an entry
    taken out of the index is named by the full verification too."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    watcher = signed_in(ctx, monitor, pw)
    point = audit.verify(ctx, watcher).point
    assert point is not None
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    entry = scalar(ctx, "SELECT max(id) FROM audit_entries")
    assert audit.verify(ctx, watcher, since=point).ok
    with ctx.engine.begin() as conn, triggers_off(conn):
        conn.execute(
            text("UPDATE audit_entry_studies SET study_id = :s WHERE audit_entry_id = :e"),
            {"s": ctx.study_id, "e": entry},
        )
    assert "SH-THEIRS" in {e.entity_id for e in audit.list_entries(ctx, both)}  # now shown here
    check = audit.verify(ctx, watcher, since=point)
    assert not check.ok and check.first_bad == entry
    assert (
        f"audit entry {entry} is indexed as concerning NCT07198672, but its records are of {OTHER}"
    ) in check.message
    with ctx.engine.begin() as conn, triggers_off(conn):
        conn.execute(
            text("DELETE FROM audit_entry_studies WHERE audit_entry_id = :e"), {"e": entry}
        )
    whole = audit.verify(ctx, watcher)
    assert not whole.ok and whole.first_bad == entry
    assert "is missing from the index of the studies each entry concerns" in whole.message


def test_a_lot_two_studies_share_keeps_its_first_receipt_in_its_own_study(
    ctx: Context, second: Context, admin: Actor, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """Two studies of the same product receive into one lot (a lot is the pharmacy's): the
    receipt that made the lot stays the other study's when this one's kits join the lot, so
    the Today screen's check, which derives both new receipts' studies again, passes (the
    lot's study was the lowest among its kits: a false alarm of tampering)."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    watcher = signed_in(ctx, monitor, pw)
    point = audit.verify(ctx, watcher).point
    assert point is not None
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-THEIRS")
    receive(ctx, both, "K0001-K0002", lot="LB", shipment="SH-OURS")
    check = audit.verify(ctx, watcher, since=point)
    assert check.ok, check.message
    assert "SH-THEIRS" not in {e.entity_id for e in audit.list_entries(ctx, watcher)}


def _worked_by_pharm2_only(ctx: Context, admin: Actor, pharmacist2: Actor, pw: Password) -> Context:
    """The second study, worked by pharm2 alone (moved off the first): kits B0001-B0004
    received, 02-007 enrolled. The context is pharm2's."""
    studies.set_access(ctx, admin, "pharm2", OTHER, True, "moves to the second protocol")
    studies.set_access(ctx, admin, "pharm2", "NCT07198672", False, "moves to the second protocol")
    mover = signed_in(ctx, pharmacist2, pw)
    other = studies.switch_study(ctx, mover, OTHER)
    receive(other, mover, "B0001-B0004", lot="LB", shipment="SH-THEIRS")
    enroll(other, mover, "02-007")
    return other


def test_a_monitor_lists_the_accounts_of_their_own_studies_with_those_studies_only(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist2: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """A sponsor's monitor reads who may act in their study, never another sponsor's protocol
    number nor who works on it alone; the administrator, who gives and takes access, reads
    every account with every study it works in."""
    _worked_by_pharm2_only(ctx, admin, pharmacist2, pw)
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    watcher = signed_in(ctx, monitor, pw)
    shown = {r.username: r.studies for r in users.list_users(ctx, watcher)}
    mine = ("NCT07198672",)
    assert shown == {"admin": mine, "monitor": mine, "pharm": mine, "tech": mine}
    assert not users.reads_every_account(watcher)
    boss = signed_in(ctx, admin, pw)
    assert users.reads_every_account(boss)
    every = {r.username: r.studies for r in users.list_users(ctx, boss)}
    assert every["pharm"] == every["admin"] == ("NCT07198672", OTHER)
    assert every["pharm2"] == (OTHER,) and len(every) == 5
    # Given no study at all, a reader still finds their own account, and no one else's.
    studies.set_access(ctx, admin, "monitor", "NCT07198672", False, "CRA changed")
    alone = users.list_users(ctx, signed_in(ctx, monitor, pw))
    assert [(r.username, r.studies) for r in alone] == [("monitor", ())]


def test_a_record_of_a_study_the_user_cannot_open_is_refused_without_naming_that_study(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A kit, participant, dispense or return of another sponsor's study, met by a user who was
    not given it: refused as recorded in another study of this pharmacy (the same refusal, the
    same code), that study's protocol neither said nor carried for a window to switch to."""
    other = _worked_by_pharm2_only(ctx, admin, pharmacist2, pw)
    mover = signed_in(ctx, pharmacist2, pw)
    given = dispense(other, mover, pw(mover), number="02-007")
    back = returns.record_return(other, mover, given.kits[0].kit, 3, pw(mover), given.number)
    mine = signed_in(ctx, pharmacist, pw)
    receive(ctx, mine, "K0001-K0004")
    enroll(ctx, mine, "01-001")
    elsewhere = "is recorded in another study of this pharmacy, one you have no access to"
    with pytest.raises(InOtherStudy, match=f"Kit B0004 {elsewhere}") as found:
        queries.kit_detail(ctx, mine, "B0004")
    assert (found.value.protocol, found.value.study_id, found.value.number) == ("", 0, "B0004")
    with pytest.raises(InOtherStudy, match=f"Participant 02-007 {elsewhere}") as found:
        queries.participant_history(ctx, mine, "02-007")
    assert "Check the number; if it belongs to this study, ask an administrator" in str(
        found.value.message
    )
    with pytest.raises(InOtherStudy, match=f"Dispense {given.number} {elsewhere}"):
        returns.assess_return(ctx, mine, ReturnRequest(scanned=given.number))
    # At the return counter, the kit and the participant too (never "not in stock").
    with pytest.raises(InOtherStudy, match=f"Kit B0004 {elsewhere}"):
        returns.assess_return(ctx, mine, ReturnRequest(scanned="B0004"))
    with pytest.raises(InOtherStudy, match=f"Participant 02-007 {elsewhere}"):
        returns.assess_return(ctx, mine, ReturnRequest(scanned="02-007"))
    with pytest.raises(InOtherStudy, match=f"Dispense {given.number} {elsewhere}"):
        queries.get_dispense_detail(ctx, mine, given.number)
    with refused(ctx, InOtherStudy, f"Kit B0004 {elsewhere}"):
        dispense(ctx, mine, pw(mine), kits=["B0004"])
    with refused(ctx, InOtherStudy, f"Return {back.return_id} {elsewhere}"):
        returns.correct_return(ctx, mine, back.return_id, 5, "recount", pw(mine))
    with refused(
        ctx, RuleViolation, "Kit B0003 is already recorded, in another study of this"
    ) as taken:
        receive(ctx, mine, "B0003-B0005", shipment="SH-MINE")
    # No step moves a kit between studies: the advice is what can be done, not "ask an
    # administrator" (who has no step for it either).
    assert "ask an administrator" not in taken.value.message
    assert "tell the sponsor, and the pharmacy's administrator, who can see the study" in (
        taken.value.message
    )
    listed = receiving.kits_from_range(ctx, "B0003-B0005", P75, "L1", date(2027, 6, 30), None)
    assessed = receiving.assess_receive(ctx, mine, ReceiveRequest("SH-MINE", listed))
    assert [(r.code, OTHER in r.message) for r in assessed.refusals] == [
        (ReceiveCheck.IN_STOCK, False),
        (ReceiveCheck.IN_STOCK, False),
    ]
    with refused(ctx, NotPermitted, "pharm has no study NCT0719867 to work in") as unknown:
        studies.switch_study(ctx, mine, "NCT0719867")  # a typo: the user's own studies listed
    assert unknown.value.message.endswith("pharm's studies: NCT07198672.")


def test_a_shipment_number_is_unique_within_its_study_not_the_pharmacy(
    ctx: Context,
    second: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Two sponsors may both number a delivery SH-THEIRS: each study receives its own (it was
    refused as a number "recorded once in this pharmacy"), with nothing said of the other; a
    number is refused as received only in the study that received it. Each study's labels,
    shipment list and kits are its own shipment's. Given a number the open study does not
    hold but two others the user may open do, the refusal says so and asks which study."""
    _worked_by_pharm2_only(ctx, admin, pharmacist2, pw)
    mine = signed_in(ctx, pharmacist, pw)
    listed = receiving.kits_from_range(ctx, "K0001-K0002", P75, "L1", date(2027, 6, 30), None)
    assessed = receiving.assess_receive(ctx, mine, ReceiveRequest("SH-THEIRS", listed))
    assert assessed.refusals == () and assessed.accepted
    assert receive(ctx, mine, "K0001-K0002", shipment="SH-THEIRS").kits == ("K0001", "K0002")
    with refused(ctx, RuleViolation, "Shipment SH-THEIRS has already been received"):
        receive(ctx, mine, "K0003-K0004", shipment="sh-theirs")
    assert [row.number for row in report_data.kit_label_rows(ctx, mine, shipment="SH-THEIRS")] == [
        "K0001",
        "K0002",
    ]
    assert [number for number, _day, _kits in queries.shipments(ctx, mine)] == ["SH-THEIRS"]
    assert [k.number for k in queries.shipment_kits(ctx, mine, "SH-THEIRS")] == ["K0001", "K0002"]
    assert scalar(ctx, "SELECT count(*) FROM shipments WHERE number = 'SH-THEIRS'") == 2
    # A third study holding neither: a user of all three is asked which one they mean.
    third = study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT33333333"')
    studies.add_study(ctx, admin, third, "third.toml", "third protocol opens")
    studies.set_access(ctx, admin, "pharm", "NCT33333333", True, "covers the third protocol")
    two = signed_in(ctx, pharmacist, pw)
    with pytest.raises(InOtherStudy, match="Shipment SH-THEIRS is of study NCT07198672, not"):
        report_data.kit_label_rows(
            studies.switch_study(ctx, two, "NCT33333333"), two, shipment="SH-THEIRS"
        )
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers every protocol")
    every = signed_in(ctx, pharmacist, pw)
    elsewhere = studies.switch_study(ctx, every, "NCT33333333")
    with pytest.raises(NotFound) as asked:
        report_data.kit_label_rows(elsewhere, every, shipment="SH-THEIRS")
    assert asked.value.message == (
        "There is no shipment 'SH-THEIRS' in the study open; studies NCT07198672, NCT99999999 "
        "each have a shipment of that number. Switch to the study you mean (on the command "
        "line, name it with --study PROTOCOL)."
    )
    assert audit.verify(ctx, signed_in(ctx, admin, pw)).ok


def test_a_lot_of_a_study_the_user_cannot_open_is_refused_without_its_expiry(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A lot is the pharmacy's (one row, one expiry): a kit of lot LB with another expiry than
    the one another sponsor's study recorded for it is refused, without that expiry or study;
    one that agrees is received. A user who works in that study reads the expiry recorded."""
    _worked_by_pharm2_only(ctx, admin, pharmacist2, pw)  # lot LB, expiry 2027-06-30
    mine = signed_in(ctx, pharmacist, pw)
    hidden = "Kit K0001 cannot be received under lot LB: that lot number is in use in another"
    with refused(ctx, RuleViolation, hidden) as lot:
        receive(ctx, mine, "K0001-K0002", lot="LB", expiry=date(2027, 9, 30))
    assert "2027-06-30" not in lot.value.message and OTHER not in lot.value.message
    # Nothing of expiries (it said "another expiry than the 2027-09-30 kit K0001 says"), and
    # advice that can be followed.
    assert "2027-09-30" not in lot.value.message and "expir" not in lot.value.message
    assert lot.value.message.endswith(
        "Check the lot number with the sponsor; if it is right, contact the pharmacy's "
        "administrator."
    )
    listed = receiving.kits_from_range(ctx, "K0001-K0002", P75, "LB", date(2027, 9, 30), None)
    assessed = receiving.assess_receive(ctx, mine, ReceiveRequest("SH-MINE", listed))
    assert [
        line.message.startswith(f"Kit {k} cannot be received under lot LB: that lot")
        for k, line in zip(("K0001", "K0002"), assessed.lines, strict=True)
    ] == [True, True]
    assert "2027-06-30" not in " ".join(r.message for r in assessed.refusals)
    # Nor its code: `lot_expiry` told a script (check receive --json) that the other study's
    # lot has another expiry than the one given, to be tried date by date.
    assert [line.code for line in assessed.lines] == [ReceiveCheck.LOT_ELSEWHERE] * 2
    assert {r.code for r in assessed.refusals} == {ReceiveCheck.LOT_ELSEWHERE}
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    told = receiving.assess_receive(ctx, both, ReceiveRequest("SH-MINE", listed))
    assert [line.code for line in told.lines] == [ReceiveCheck.LOT_EXPIRY] * 2
    with refused(ctx, RuleViolation, "Lot LB is recorded with expiry 2027-06-30, but kit K0001"):
        receive(ctx, both, "K0001-K0002", lot="LB", expiry=date(2027, 9, 30))
    assert receive(ctx, mine, "K0001-K0002", lot="LB").kits == ("K0001", "K0002")


def test_a_step_of_thousands_of_rows_is_indexed_within_sqlite_s_variable_limit(
    ctx: Context, pharmacist: Actor
) -> None:
    """A receipt of 1,200 kits lists 1,200 rows: their studies are read in batches, not one
    statement of 1,200 variables (999 at most in older SQLite builds: the step failed whole)."""
    if not is_sqlite(ctx.engine):
        pytest.skip("SQLite's limit of variables in one statement")

    def limited(dbapi: Any, _record: Any) -> None:
        dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    ctx.engine.dispose()
    event.listen(ctx.engine, "connect", limited)
    try:
        receive(ctx, pharmacist, "K0001-K1200", shipment="SH-BIG")
    finally:
        event.remove(ctx.engine, "connect", limited)
        ctx.engine.dispose()
    entry = scalar(ctx, "SELECT id FROM audit_entries WHERE entity_id = 'SH-BIG'")
    assert (entry, ctx.study_id) in _study_index(ctx)


def test_a_study_file_is_assessed_for_adding_with_nothing_written(
    ctx: Context, study: Study, admin: Actor, refused: Refused
) -> None:
    """The Studies screen checks the file before it asks the reason; the add checks again."""
    assert studies.check_new_study(ctx, admin, other_text(study), "other.toml").protocol == OTHER
    assert [r.protocol for r in studies.list_studies(ctx, admin)] == [study.protocol]
    with refused(ctx, RuleViolation, "then Update study file…; or run"):
        studies.check_new_study(ctx, admin, study.source_text, "again.toml")


def test_a_destruction_of_another_study_dated_before_a_sign_off_does_not_mark_it(
    ctx: Context,
    second: Context,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """A destruction names kits, not a study: one of the other study's kits, dated before this
    study's sign-off and written after it, is not this study's record (it marks the sign-offs
    of its own study only)."""
    for user in ("pharm", "tech"):
        studies.set_access(ctx, admin, user, OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0002")
    receive(other, both, "B0001-B0002", lot="LB")
    clock.set_date(date(2026, 1, 27))
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    clock.set_date(date(2026, 1, 28))
    destruction.destroy(
        other, both, ["B0001"], "tech", "incineration", pw(both),
        destroyed_on=date(2026, 1, 26), **WITNESSED,
    )  # fmt: skip
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == ()
    mine = destruction.destroy(
        ctx, both, ["K0001"], "tech", "incineration", pw(both),
        destroyed_on=date(2026, 1, 26), **WITNESSED,
    )  # fmt: skip
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == (f"destruction No. {mine.destruction_id} dated before it",)


def test_a_late_receipt_marks_the_sign_offs_of_its_own_study_only(
    ctx: Context,
    second: Context,
    clock: FixedClock,
    admin: Actor,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """A shipment received before a sign-off's day and recorded after it marks the sign-offs
    of the study it was received for, not another study's; a shipment received before
    migration 0018 (no study of its own) is the study of its kits."""
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    clock.set_date(date(2026, 1, 27))
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit", seen=seen_now(ctx))
    clock.set_date(date(2026, 1, 28))
    receive(other, both, "B0001-B0002", lot="LB", shipment="SH-B", received_on=date(2026, 1, 26))
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == ()  # the other study's receipt
    receive(ctx, both, "K0001-K0002", shipment="SH-A", received_on=date(2026, 1, 26))
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == ("receipt of shipment SH-A dated before it",)
    # As a release before 0018 recorded them: no study on the shipment, its kits' study.
    with ctx.engine.begin() as conn, triggers_off(conn):
        conn.execute(text("UPDATE shipments SET study_id = NULL"))
    with read_transaction(ctx.engine) as session:
        [signed] = reconciliation.signoff_rows(session, ctx.study_id, ctx.study, clock)
    assert signed.changed_since == ("receipt of shipment SH-A dated before it",)


def test_a_kit_of_another_study_counted_back_under_this_study_s_dispense_names_no_one_of_it(
    ctx: Context,
    second: Context,
    admin: Actor,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A bottle of another sponsor's study brought to this study's return counter: refused as
    that study's record, never "it was dispensed to 02-007 (DSP...)", which would tell a user
    of one study who takes part in another; a user who may open that study is told to switch."""
    other = _worked_by_pharm2_only(ctx, admin, pharmacist2, pw)
    mover = signed_in(ctx, pharmacist2, pw)
    dispense(other, mover, pw(mover), number="02-007", kits=["B0004"])
    mine = signed_in(ctx, pharmacist, pw)
    receive(ctx, mine, "K0001-K0004")
    enroll(ctx, mine, "01-001")
    own = dispense(ctx, mine, pw(mine))
    elsewhere = "Kit B0004 is recorded in another study of this pharmacy, one you have no access"
    with refused(ctx, RuleViolation, elsewhere) as found:
        returns.record_return(ctx, mine, "B0004", 3, pw(mine), own.number)
    assert "02-007" not in found.value.message
    assessed = returns.assess_return(ctx, mine, ReturnRequest(dispense=own.number, kit="B0004"))
    assert [r.message for r in assessed.refusals if "B0004" in r.message] == [
        elsewhere + " to. Check the number; if it belongs to this study, ask an administrator."
    ]
    studies.set_access(ctx, admin, pharmacist.username, OTHER, True, "covers the second too")
    both = signed_in(ctx, pharmacist, pw)
    switch = returns.assess_return(ctx, both, ReturnRequest(dispense=own.number, kit="B0004"))
    assert [r.message for r in switch.refusals if "B0004" in r.message] == [
        f"Kit B0004 is of study {OTHER}, not of the study open. Switch to study {OTHER} to work "
        "with it."
    ]
