"""The versions of a study file, and the one a dispense was made with: the one rule by which a
dispense's label and leaflet, first print and reprint, say what the participant was told.

A study file is stored once per study (StudyRecord.source_text) and replaced by an update
(services.studies.update_study), which keeps the old and the new text in its audit entry: the
trail holds every version. Version 1 is the text the study was loaded with, version n + 1 the
text of its n-th update, as StudyRecord.version counts them.

A dispense records the SHA-256 of the study file text it was made with (its `study_sha256`,
written from the text its directions were made from, hashed with the dispense's other columns
in its fact); a dispense made before that column (migration 0017) was made with the version in
force when its audit entry was written: the audit entries are numbered in the order they are
written, under the write lock, so the updates before it are exactly those numbered lower.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.models import FIRST_STUDY, AuditEntry, Dispense, StudyRecord
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import DatabaseProblem, StudyFileError
from dispensary.i18n import N_, _
from dispensary.services.assessment.dispense import StudyFileChanged
from dispensary.services.context import Context
from dispensary.study import Study, parse_study


@dataclass(frozen=True)
class StudyVersion:
    """One version of a study file: its number (1: as loaded), its text and the text's SHA-256,
    and the audit entry of the update that put it in force (0: the study as loaded)."""

    number: int
    sha256: str
    text: str
    since_entry: int


@lru_cache(maxsize=16)
def file_sha256(text: str) -> str:
    """The SHA-256 of a study file's text (UTF-8), as a dispense records it. Kept for the few
    texts a process meets: every signed step compares the file it was assessed with."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


STEP_CHECKED_AGAIN = {
    "dispense": N_(
        "The study file of {study} was updated at {time} by {user} (version {version}) after "
        "this window or command read it. Nothing was written: reload the window (F5) or run "
        "the command again, then check the dispense again."
    ),
    "enrolment": N_(
        "The study file of {study} was updated at {time} by {user} (version {version}) after "
        "this window or command read it. Nothing was written: reload the window (F5) or run "
        "the command again, then check the enrolment again."
    ),
    "correction": N_(
        "The study file of {study} was updated at {time} by {user} (version {version}) after "
        "this window or command read it. Nothing was written: reload the window (F5) or run "
        "the command again, then check the correction again."
    ),
    "receipt": N_(
        "The study file of {study} was updated at {time} by {user} (version {version}) after "
        "this window or command read it. Nothing was written: reload the window (F5) or run "
        "the command again, then check the receipt again."
    ),
    "return": N_(
        "The study file of {study} was updated at {time} by {user} (version {version}) after "
        "this window or command read it. Nothing was written: reload the window (F5) or run "
        "the command again, then check the return again."
    ),
    "logger": N_(
        "The study file of {study} was updated at {time} by {user} (version {version}) after "
        "this window or command read it. Nothing was imported: reload the window (F5) and "
        "import the logger file again, or run the command again."
    ),
}
"""The refusal of each step that applies the study file's rules at write time, by the step."""


def study_file_changed(
    session: Session, ctx: Context, made_with: str = "", step: str = "dispense"
) -> str | None:
    """Why a step assessed with the study file of SHA-256 `made_with` ("": the context's) is
    refused now, or None: the study's file in force in the database (not the copy the process
    read when the window opened or the command started) must be that file, and so must the
    context's, whose rules the step applies. A window keeps the file it read until F5; an
    update made since, at this or another workstation, is named with who made it and when.
    The one rule of every step that applies the study file at write time (STEP_CHECKED_AGAIN:
    the dispense, an enrolment and its correction, a receipt, a return (its adherence flags), a
    logger file's import judged by the study's temperature range), each refused with the code
    `study_file_changed`."""
    loaded = file_sha256(ctx.study.source_text)
    if (made_with or loaded) == loaded:
        # The usual answer in one small statement: the database compares the text, so the
        # stored file (tens of KB) is neither loaded nor hashed at every step.
        same = select(StudyRecord.id).where(
            StudyRecord.id == ctx.study_id, StudyRecord.source_text == ctx.study.source_text
        )
        if session.execute(same).first() is not None:
            return None
    record = session.get(StudyRecord, ctx.study_id)
    if record is None:
        return None  # refused elsewhere (the study is not recorded)
    if file_sha256(record.source_text) == (made_with or loaded) == loaded:
        return None
    update = session.execute(
        select(AuditEntry.at, AuditEntry.username)
        .where(
            AuditEntry.entity == "study",
            AuditEntry.entity_id == record.protocol,
            AuditEntry.action == AuditAction.STUDY_UPDATED,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    at, user = (update.at, update.username) if update is not None else (record.loaded_at, "-")
    return _(STEP_CHECKED_AGAIN[step]).format(
        study=record.protocol,
        time=_utc(at) if at is not None else "-",
        user=user,
        version=record.version or 1,
    )


def _utc(at: datetime) -> str:
    """A time in a refusal as the other refusals give one: "2026-01-05 09:00 UTC", the same at
    every workstation and in every language (the local time named no zone)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def refuse_study_file_changed(
    session: Session, ctx: Context, step: str, made_with: str = ""
) -> None:
    """Raises StudyFileChanged (nothing written) when `study_file_changed` refuses the step."""
    stale = study_file_changed(session, ctx, made_with, step)
    if stale is not None:
        raise StudyFileChanged(stale)


def _source_text(recorded: str) -> str | None:
    try:
        value = json.loads(recorded).get("source_text") if recorded else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def study_versions(session: Session, study_id: int) -> list[StudyVersion]:
    """Every version of the study's file, the first first: from the audit entries of its
    updates (each keeps the text it replaced and the new one), the current text last."""
    record = session.get(StudyRecord, study_id)
    if record is None:
        raise DatabaseProblem(
            _("Study {study} is not recorded in this database.").format(study=study_id)
        )
    updates = session.execute(
        select(AuditEntry.id, AuditEntry.old, AuditEntry.new)
        .where(
            AuditEntry.entity == "study",
            AuditEntry.entity_id == record.protocol,
            AuditEntry.action == AuditAction.STUDY_UPDATED,
        )
        .order_by(AuditEntry.id)
    ).all()
    texts: list[tuple[str, int]] = []
    for entry, old, new in updates:
        before, after = _source_text(old), _source_text(new)
        if not texts:
            texts.append((before if before is not None else record.source_text, 0))
        texts.append((after if after is not None else record.source_text, entry))
    if not texts or texts[-1][0] != record.source_text:
        # The text stored is the last version; a trail that does not end with it is named by
        # `audit verify` (the study row's facts), not here.
        texts.append((record.source_text, texts[-1][1] if texts else 0))
    return [
        StudyVersion(number, file_sha256(text), text, since)
        for number, (text, since) in enumerate(texts, start=1)
    ]


def _entry_of(session: Session, record: Dispense) -> int | None:
    """The audit entry that recorded the dispense (the first about it: a void comes later)."""
    return session.scalar(
        select(func.min(AuditEntry.id)).where(
            AuditEntry.entity == "dispense",
            AuditEntry.entity_id == record.number,
            AuditEntry.action == AuditAction.DISPENSE,
        )
    )


def dispense_version(session: Session, record: Dispense) -> StudyVersion:
    """The version of its study's file the dispense was made with: the one whose SHA-256 it
    recorded; for a dispense made before it recorded one, the version in force when it was
    written. Refused when the records hold no version of that SHA-256 (the trail altered)."""
    versions = study_versions(session, record.participant.study_id or FIRST_STUDY)
    entry = _entry_of(session, record)
    before = [v for v in versions if entry is None or v.since_entry < entry] or versions[:1]
    if record.study_sha256 is None:
        return before[-1]
    made_with = [v for v in before if v.sha256 == record.study_sha256] or [
        v for v in versions if v.sha256 == record.study_sha256
    ]
    if not made_with:
        raise DatabaseProblem(
            _(
                "Dispense {dispense} was made with a study file (SHA-256 {sha}) that neither "
                "the study nor its audit trail holds: its label cannot be worded as it was. "
                "Ask the administrator to run `dispensary audit verify`."
            ).format(dispense=record.number, sha=record.study_sha256[:16])
        )
    return made_with[-1]


@lru_cache(maxsize=16)
def _parsed(text: str, origin: str) -> Study:
    return parse_study(text, origin)


def study_of_version(ctx: Context, version: StudyVersion, dispense: str = "") -> Study:
    """The study as that version of its file says it (the study open when it is the same
    text). Refused, naming the version, when an older text no longer reads as a study file."""
    if version.text == ctx.study.source_text:
        return ctx.study
    try:
        return _parsed(version.text, f"{ctx.database} (stored study, version {version.number})")
    except StudyFileError as exc:
        raise DatabaseProblem(
            _(
                "Version {version} of the study file, which dispense {dispense} was made with, "
                "no longer reads as a study file ({why}): its label cannot be worded as it was."
            ).format(version=version.number, dispense=dispense, why=exc.message)
        ) from exc


def study_of_dispense(
    session: Session, ctx: Context, record: Dispense
) -> tuple[Study, StudyVersion]:
    """The study as the file the dispense was made with says it, and that version: what its
    label and leaflet are worded from."""
    version = dispense_version(session, record)
    return study_of_version(ctx, version, record.number), version
