"""A dispense's label and leaflet say what the participant was told: worded from the study file
the dispense was made with (services.study_versions), not from the file as updated since. A
reprint made after `study update` carries the original directions and missed-dose text, as a
first print made after it does; a dispense made after the update gets the new wording; every
dispense and label print names the version of the study file in the audit trail; and a
dispense recorded before the version was (a database of an older release) is worded from the
version in force when its audit entry was written."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from dispensary.db import migrate
from dispensary.db.engine import is_sqlite
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import DatabaseProblem, StudyFileError
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.stock import NO_CALIBRATION, get_stock
from dispensary.services import audit, labels, queries, studies, study_versions, users
from dispensary.services.assessment import StudyFileChanged
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.documents import Values
from dispensary.services.results import DispenseResult
from dispensary.study import Study
from reports.pdfread import pdf_text

from .conftest import Stock
from .helpers import dispense, enroll, open_old_release

Password = Callable[[Actor], str]
STOCK = "thermal-4x2"
OLD_DIRECTIONS = "on an empty stomach"
NEW_DIRECTIONS = "with a glass of water"
OLD_MISSED = "skip it and take the next dose at the usual time"
NEW_MISSED = "take it within six hours, else skip it"


def _flat(pdf: bytes) -> str:
    """The PDF's text as one line: wrapping and non-breaking spaces do not split a phrase."""
    return " ".join(pdf_text(pdf).replace("\u00a0", " ").split())


def _print(
    ctx: Context, actor: Actor, key: str, number: str, reprint: bool = False
) -> tuple[str, labels.PrintPlan]:
    """The label or leaflet of a dispense as the command line and the screens print it (the
    catalogue's plan, drawn, put out, recorded): its text and its plan."""
    entry = label_catalogue.label(key)
    stock = get_stock(STOCK) if entry.on_stock else None
    sheet = label_catalogue.plan_label(
        entry,
        ctx,
        actor,
        Values(dispense=number),
        stock,
        NO_CALIBRATION if stock else None,
        reprint,
    )
    assert sheet.plan is not None
    drawn: list[bytes] = []

    def out(pdf: bytes) -> bool:
        drawn.append(pdf)
        return True

    reason = "damaged" if reprint else ""
    row = labels.print_labels(ctx, actor, sheet.plan, lambda _plan: sheet.draw(), out, reason)
    assert row is not None and row.reprint is reprint
    return _flat(drawn[0]), sheet.plan


def _updated(ctx: Context, admin: Actor, study: Study) -> Context:
    """The study file updated (`study update`): the label's directions and the missed-dose
    text changed; the context of a workstation that opened the study after it."""
    text = study.source_text.replace(OLD_DIRECTIONS, NEW_DIRECTIONS).replace(OLD_MISSED, NEW_MISSED)
    assert NEW_DIRECTIONS in text and NEW_MISSED in text
    new = studies.update_study(ctx, admin, text, "v2.toml", "sponsor's label text v2")
    return replace(ctx, study=new)


def _print_entries(ctx: Context, actor: Actor, number: str) -> list[dict[str, object]]:
    entries = audit.list_entries(ctx, actor)
    return [
        {"action": e.action, "entity": e.entity, **json.loads(e.new)}
        for e in entries
        if e.action in labels.LABEL_ACTIONS and e.entity_id == number
    ]


def test_a_reprint_after_a_study_update_says_what_the_participant_was_told(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    cycle1: DispenseResult,
    pw: Password,
    clock: FixedClock,
) -> None:
    number = cycle1.number
    label, first = _print(ctx, pharmacist, "dispense", number)
    leaflet, _plan = _print(ctx, pharmacist, "leaflet", number)
    assert OLD_DIRECTIONS in label and OLD_DIRECTIONS in leaflet and OLD_MISSED in leaflet
    assert first.study_version == 1
    # Another participant's cycle 1, dispensed before the update, its label not printed yet.
    other = enroll(ctx, pharmacist, "01-002").study_number
    waiting = dispense(ctx, pharmacist, pw(pharmacist), other)

    v2 = _updated(ctx, admin, study)
    assert NEW_DIRECTIONS in v2.study.label.directions

    again, plan = _print(v2, pharmacist, "dispense", number, reprint=True)
    assert "REPRINT" in again
    assert OLD_DIRECTIONS in again and NEW_DIRECTIONS not in again
    assert again.replace("REPRINT", "").split() == label.split()  # the same label, marked
    assert plan.study_version == 1
    leaflet_again, _plan = _print(v2, pharmacist, "leaflet", number, reprint=True)
    assert OLD_MISSED in leaflet_again and NEW_MISSED not in leaflet_again
    assert OLD_DIRECTIONS in leaflet_again and NEW_DIRECTIONS not in leaflet_again

    # The dispense as its screens show it afterwards: the directions it was given.
    shown = queries.get_dispense_detail(v2, pharmacist, number)
    assert shown.directions == cycle1.directions and OLD_DIRECTIONS in shown.directions

    # A first print made after the update: the directions the dispense showed.
    late, _plan = _print(v2, pharmacist, "dispense", waiting.number)
    assert OLD_DIRECTIONS in late and NEW_DIRECTIONS not in late
    assert OLD_DIRECTIONS in waiting.directions

    # A dispense made after the update: the new wording, on its label and leaflet.
    third = enroll(v2, pharmacist, "01-003").study_number
    after = dispense(v2, pharmacist, pw(pharmacist), third)
    assert NEW_DIRECTIONS in after.directions
    new_label, new_plan = _print(v2, pharmacist, "dispense", after.number)
    new_leaflet, _plan = _print(v2, pharmacist, "leaflet", after.number)
    assert NEW_DIRECTIONS in new_label and OLD_DIRECTIONS not in new_label
    assert NEW_MISSED in new_leaflet and OLD_MISSED not in new_leaflet
    assert new_plan.study_version == 2

    # The trail names the version of the study file each dispense and print was worded from.
    v1_sha, v2_sha = (
        study_versions.file_sha256(study.source_text),
        study_versions.file_sha256(v2.study.source_text),
    )
    made = {
        e.entity_id: json.loads(e.new)
        for e in audit.list_entries(ctx, admin, action=AuditAction.DISPENSE)
    }
    assert made[number]["study_sha256"] == v1_sha
    assert made[after.number]["study_sha256"] == v2_sha
    printed = _print_entries(ctx, admin, number)
    assert [(p["action"], p["reprint"]) for p in printed] == [
        (AuditAction.LABEL_PRINTED, False),
        (AuditAction.LABEL_PRINTED, False),
        (AuditAction.LABEL_REPRINTED, True),
        (AuditAction.LABEL_REPRINTED, True),
    ]
    assert {(p["study_version"], p["study_sha256"]) for p in printed} == {(1, v1_sha)}
    assert [
        (p["study_version"], p["study_sha256"]) for p in _print_entries(ctx, admin, after.number)
    ] == [(2, v2_sha)] * 2
    assert audit.verify(ctx, admin).ok


def test_a_workstation_still_on_the_old_file_is_refused_its_dispense(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    stock: Stock,
    enrolled: str,
    pw: Password,
) -> None:
    """A workstation that opened the study before another updated its file no longer
    dispenses with the old file's rules and directions: the service checks the dispense
    against the file in force and refuses it, nothing written, until the study is read again
    (F5); the dispense then records, and its label says, version 2."""
    v2 = _updated(ctx, admin, study)
    with pytest.raises(StudyFileChanged, match="version 2"):
        dispense(ctx, pharmacist, pw(pharmacist))  # `ctx` still holds version 1
    assert queries.participant_history(v2, pharmacist, enrolled)[1] == []
    made = dispense(v2, pharmacist, pw(pharmacist))
    assert NEW_DIRECTIONS in made.directions
    label, plan = _print(v2, pharmacist, "dispense", made.number)
    assert NEW_DIRECTIONS in label and OLD_DIRECTIONS not in label
    assert plan.study_version == 2
    assert audit.verify(ctx, admin).ok


def test_a_dispense_of_an_older_release_is_worded_from_the_file_then_in_force(
    tmp_path: Path, ctx: Context
) -> None:
    """A database of release 0007 (its dispenses record no study file version): upgraded,
    its study file updated, a dispense made before is reprinted with the wording it was given
    (the version in force when its audit entry was written), one made after gets the new one,
    and the trail verifies throughout."""
    if not is_sqlite(ctx.engine):
        pytest.skip("the database of release 0007 is a SQLite file")
    opened = open_old_release(tmp_path)
    old = opened.context
    try:
        assert opened.migrated_from is not None
        assert migrate.current_revision(old.engine) == migrate.head_revision()
        admin = users.sign_in(old, "admin", "demo-pass-1")
        pharmacist = users.sign_in(old, "pharmacist", "demo-pass-1")
        assert audit.verify(old, admin).ok, "the dispenses on record verify as they did"
        number = next(
            e.entity_id
            for e in audit.list_entries(old, admin, action=AuditAction.DISPENSE)
            if _still_out(old, pharmacist, e.entity_id)
        )
        assert OLD_DIRECTIONS in old.study.label.directions
        v2 = _updated(old, admin, old.study)
        label, plan = _print(v2, pharmacist, "dispense", number, _printed(v2, "dispense", number))
        assert OLD_DIRECTIONS in label and NEW_DIRECTIONS not in label
        assert plan.study_version == 1
        leaflet, _plan = _print(v2, pharmacist, "leaflet", number, _printed(v2, "leaflet", number))
        assert OLD_MISSED in leaflet and NEW_MISSED not in leaflet
        assert audit.verify(old, admin).ok
    finally:
        old.engine.dispose()


def _printed(ctx: Context, kind: str, number: str) -> bool:
    """Whether the demo printed this kind of label of the dispense (then this is a reprint)."""
    reader = users.sign_in(ctx, "pharmacist", "demo-pass-1")
    return bool(labels.already_printed(ctx, reader, kind, [number]))


def _still_out(ctx: Context, actor: Actor, number: str) -> bool:
    """A dispense whose bottle the participant still has (one may be labelled again)."""
    try:
        labels.plan_print(ctx, actor, "dispense", [number])
    except labels.NoLabelForKit:
        return False
    return True


def test_an_older_file_that_no_longer_reads_refuses_the_label_naming_the_version(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    cycle1: DispenseResult,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Were the file a dispense was made with refused by a later parser, its label is refused
    naming the version, rather than worded from another file."""
    v2 = _updated(ctx, admin, study)
    study_versions._parsed.cache_clear()

    def stricter(text: str, origin: str) -> Study:
        raise StudyFileError(f"{origin}: [label] directions: no longer allowed")

    monkeypatch.setattr(study_versions, "parse_study", stricter)
    with pytest.raises(DatabaseProblem, match="Version 1 of the study file, which dispense"):
        _print(v2, pharmacist, "dispense", cycle1.number)
    assert labels.already_printed(v2, pharmacist, "dispense", [cycle1.number]) == []
    study_versions._parsed.cache_clear()
