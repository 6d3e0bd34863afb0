"""SQLAlchemy 2 typed models: the things of DOMAIN.md, the append-only ledger and the audit trail.

Business rules do not live here (no fat models): the services apply them. Constraints that the
database itself can hold (unique kit number, non-negative counts, one dispense per cycle) are
declared here as a second line of defence.

The records of what happened (`APPEND_ONLY`) are never updated or deleted: db.guards refuses
it in the program, migration 0004's triggers in the database. Only the tables of `UPDATED` are
changed in place (see the end of this file).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    column,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from dispensary.db import facts, guards

BATCH_ENTRY = "(entity_id LIKE '%..%' OR length(entity_id) >= 60)"
"""An audit entry about several things at once (a label print of several kits names the first
and the last, "K1..K9 (9)", cut at 60 characters): ix_audit_entries_batches lists only these."""

CORRECTION = "corrects_id IS NOT NULL"
"""A return that corrects another: ix_returns_corrections lists only these."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored and returned as timezone-aware UTC on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


class UTCDay(FunctionElement[date]):
    """The UTC day of a timestamp (UTCDateTime): SQLite's date() of the stored UTC text,
    PostgreSQL's date of the timestamp at UTC (immutable, so an index's condition may use it,
    unlike a cast that follows the session's time zone)."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(UTCDay)
def _utc_day(element: UTCDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(UTCDay, "postgresql")
def _utc_day_postgresql(element: UTCDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


def dated_before_written(day: Any, written: Any) -> ColumnElement[bool]:
    """A record dated before the UTC day it was written: a paper record entered later, or a
    typed date. Only such a record can change what an earlier sign-off attested (one written
    after a sign-off and dated before its day), so the partial indexes of `late_index` hold
    only these rows, and the sign-offs' look-up (services/reconciliation._changes_after) asks
    for them in these same words, which is what lets the index serve it. The UTC day (an index
    cannot follow the workstation's zone): west of UTC it holds some of the day's own evening
    work too, which the look-up leaves out by the local day; east of UTC a record typed in the
    local small hours and dated the day before is not in it, and the look-up reads those by
    their time (`written_index`), after a sign-off made in those hours."""
    return day < UTCDay(written)  # type: ignore[no-any-return]


def late_index(table: str, day: str) -> Index:
    """The index, by time written, of a record table's rows dated before the day they were
    written (`dated_before_written`): a few rows however long the history (migration 0014)."""
    clause = dated_before_written(column(day), column("created_at"))
    return Index(f"ix_{table}_late", "created_at", sqlite_where=clause, postgresql_where=clause)


def written_index(table: str) -> Index:
    """The index of a record table's rows by the time they were written (migration 0016): east
    of UTC the sign-offs' look-up reads the records written from a sign-off made in the local
    small hours to the UTC midnight after it by their time (`late_index` does not hold those
    dated the UTC day they were written), a few hours' rows however long the history."""
    return Index(f"ix_{table}_written", "created_at")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StudyRecord(Base):
    """The study file the database was created for, stored so the database is self-describing."""

    __tablename__ = "study"
    id: Mapped[int] = mapped_column(primary_key=True)
    protocol: Mapped[str] = mapped_column(String(40), unique=True)
    source_text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Issue 14 (last; NULL on a study loaded before): the study file's version in this
    # database (1 when loaded, +1 by each amendment), and when and why it was closed.
    version: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChainHead(Base):
    """One row: the last hashes of the audit and ledger chains, locked by every write."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_hash: Mapped[str] = mapped_column(String(64))
    audit_count: Mapped[int] = mapped_column(Integer)
    ledger_hash: Mapped[str] = mapped_column(String(64))
    ledger_count: Mapped[int] = mapped_column(Integer)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_attempts >= 0", name="failed_nonneg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    initials: Mapped[str] = mapped_column(String(4))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when an administrator set the password: the user chooses their own before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Issue 13 (last, NULL on older rows): the language of the user's windows ("en", "zh_CN");
    # NULL: not chosen yet, the workstation's language applies.
    language: Mapped[str | None] = mapped_column(String(10))


class PasswordHistory(Base):
    """The hashes of a user's earlier passwords, so a recent one is not chosen again."""

    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Shipment(Base):
    """A delivery received. Its number is the sponsor's: unique within a study, not the
    pharmacy (two sponsors may both send an SH1; migration 0018)."""

    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("study_id", "number", name="uq_shipments_study_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    received_on: Mapped[date] = mapped_column(Date)
    condition: Mapped[str] = mapped_column(String(200))
    temperature_ok: Mapped[bool] = mapped_column(Boolean)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The study it was received for (migration 0018), set on every shipment received since.
    # A shipment received before holds NULL: it is the study of its kits (services.common.
    # shipments_of). Last, so that the facts of those rows hash as they did (db/facts.py).
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"))
    kits: Mapped[list[Kit]] = relationship(back_populates="shipment")


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("product", "number", name="uq_lots_product_number"),
        # First expiry first out walks a product's lots in this order (migration 0010).
        Index("ix_lots_fefo", "product", "expiry", "number"),
        # The inventory screen sorts and searches pages of kits by lot (migration 0010).
        Index("ix_lots_number", "number"),
        Index("ix_lots_expiry_product_number", "expiry", "product", "number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    product: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(60))
    expiry: Mapped[date] = mapped_column(Date)


class Kit(Base):
    """One labelled container. `status` is kept consistent with the ledger in each transaction."""

    __tablename__ = "kits"
    __table_args__ = (
        CheckConstraint("tablets >= 0", name="tablets_nonneg"),
        # A lot's kits on the shelf in kit number order: a dispense reads only the first few
        # (migration 0010).
        Index("ix_kits_shelf", "lot_id", "status", "product", "study_id", "number"),
        # The inventory screen's pages, filtered and sorted in SQL (migration 0010).
        Index("ix_kits_study_number", "study_id", "number"),
        Index("ix_kits_study_product_number", "study_id", "product", "number"),
        Index("ix_kits_study_status_number", "study_id", "status", "number"),
        Index("ix_kits_lot_number", "lot_id", "number"),
        Index("ix_kits_shipment_number", "shipment_id", "number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    product: Mapped[str] = mapped_column(String(40), index=True)
    tablets: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    location: Mapped[str] = mapped_column(String(80))
    # Issue 14 (last): the study the kit was received for; set on every kit (migration 0008
    # gives the kits received before it the database's one study).
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"), index=True)
    lot: Mapped[Lot] = relationship()
    shipment: Mapped[Shipment] = relationship(back_populates="kits")


class Participant(Base):
    """A participant, known by study number and initials only; the number is unique within the
    participant's study (two studies may both have a 001-001)."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("study_id", "study_number", name="uq_participants_study_number"),
        # A number looked up in every study (a scan that is a participant's, not a kit's;
        # a participant of another study): migration 0010.
        Index("ix_participants_study_number", "study_number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    study_number: Mapped[str] = mapped_column(String(20))
    initials: Mapped[str] = mapped_column(String(4))
    birth_year: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(1))
    enrolled_on: Mapped[date] = mapped_column(Date)
    eligibility_confirmed_by: Mapped[str] = mapped_column(String(120))
    eligibility_confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    eligibility_checklist: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Issue 14 (last): the participant's study (migration 0008 sets it on older rows).
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"), index=True)


class EnrolmentVoid(Base):
    """An enrolment entered in error (a mistyped number, a kit's number), voided while nothing
    had been dispensed to the participant: a fact of its own, one row per voided enrolment,
    naming the participant's row, who voided it, when and why. Never updated or deleted; the
    participant's row stays as enrolled, its status "voided" (migration 0013)."""

    __tablename__ = "enrolment_voids"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Dispense(Base):
    __tablename__ = "dispenses"
    __table_args__ = (
        UniqueConstraint("participant_id", "cycle", "attempt", name="uq_dispenses_cycle"),
        CheckConstraint("cycle >= 1", name="cycle_positive"),
        CheckConstraint("tablets > 0", name="tablets_positive"),
        late_index("dispenses", "dispensed_on"),
        written_index("dispenses"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    day1: Mapped[date] = mapped_column(Date)
    dose_level: Mapped[int] = mapped_column(Integer)
    dispensed_on: Mapped[date] = mapped_column(Date)
    days_supply: Mapped[int] = mapped_column(Integer)
    tablets: Mapped[int] = mapped_column(Integer)
    dispensed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dose_ordered_by: Mapped[str] = mapped_column(String(120), default="")
    platelet_count: Mapped[float | None] = mapped_column(Float)
    warning_override: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 0017 (last; NULL on a dispense made before): the SHA-256 of the study file text the
    # dispense was made with (services/study_versions.py): its label and leaflet, first print
    # and reprint, are worded from that version, whatever the study file says since.
    study_sha256: Mapped[str | None] = mapped_column(String(64))
    participant: Mapped[Participant] = relationship()
    kits: Mapped[list[DispenseKit]] = relationship(back_populates="dispense")


class DispenseKit(Base):
    __tablename__ = "dispense_kits"
    __table_args__ = (
        UniqueConstraint("dispense_id", "kit_id", name="uq_dispense_kits_pair"),
        CheckConstraint("tablets > 0", name="tablets_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dispense_id: Mapped[int] = mapped_column(ForeignKey("dispenses.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    tablets: Mapped[int] = mapped_column(Integer)
    dispense: Mapped[Dispense] = relationship(back_populates="kits")
    kit: Mapped[Kit] = relationship()


class DispenseVoid(Base):
    """A dispense made in error, voided: a fact of its own, one row per voided dispense. Its
    kits' reversing ledger rows name the dispense; this row says that it was voided, by whom,
    when and why. Never updated or deleted (a void is not undone: the cycle is dispensed again)."""

    __tablename__ = "dispense_voids"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispense_id: Mapped[int] = mapped_column(ForeignKey("dispenses.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class DispenseObservation(Base):
    """A value recorded with a dispense that the study file declares ([[observations]]: a
    weight, a count), or the IRT's confirmation number: one row each, never updated or deleted.
    The platelet count stays in `dispenses.platelet_count`, where older databases hold it."""

    __tablename__ = "dispense_observations"
    __table_args__ = (UniqueConstraint("dispense_id", "key", name="uq_dispense_observations_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dispense_id: Mapped[int] = mapped_column(ForeignKey("dispenses.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[float | None] = mapped_column(Float)  # a measured value
    text: Mapped[str | None] = mapped_column(String(80))  # a reference (the IRT confirmation)
    unit: Mapped[str] = mapped_column(String(20), default="")


class Return(Base):
    """Tablets counted back from one kit of one dispense; a correction names the one it replaces."""

    __tablename__ = "returns"
    __table_args__ = (
        CheckConstraint("tablets >= 0", name="tablets_nonneg"),
        CheckConstraint("held_days >= 0", name="held_nonneg"),
        late_index("returns", "returned_on"),
        written_index("returns"),
        # The corrections (rare) by time written: those made after a sign-off (migration 0014).
        Index(
            "ix_returns_corrections",
            "created_at",
            sqlite_where=text(CORRECTION),
            postgresql_where=text(CORRECTION),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dispense_id: Mapped[int] = mapped_column(ForeignKey("dispenses.id"), index=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    tablets: Mapped[int] = mapped_column(Integer)
    returned_on: Mapped[date] = mapped_column(Date)
    held_days: Mapped[int] = mapped_column(Integer, default=0)
    condition: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    counted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Issue 12 (last, NULL on older rows): the outcome (None: counted; "not_brought_back": the
    # participant did not bring the kit back, its tablets are unaccounted for, not taken), and
    # the period the investigator held the drug, with who ordered it.
    outcome: Mapped[str | None] = mapped_column(String(20))
    held_from: Mapped[date | None] = mapped_column(Date)
    held_until: Mapped[date | None] = mapped_column(Date)
    held_ordered_by: Mapped[str | None] = mapped_column(String(120))


class AdherenceNote(Base):
    """The pharmacist's explanation of an under- or over-use flag on a dispense."""

    __tablename__ = "adherence_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    dispense_id: Mapped[int] = mapped_column(ForeignKey("dispenses.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RuleConfirmation(Base):
    """An administrator's confirmation of a study-file rule whose source is not the registry or
    the protocol (a site decision), for the source and the text it had then (its `digest`):
    a new source, or the rule's text changed, needs a new one (migration 0019)."""

    __tablename__ = "rule_confirmations"
    __table_args__ = (
        UniqueConstraint(
            "study_id", "rule", "source", "digest", name="uq_rule_confirmations_digest"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Issue 14 (last): the study whose rule it is; NULL on a confirmation made before the
    # database held several studies, which is its first study's (FIRST_STUDY).
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"))
    # The SHA-256 of what the rule said when confirmed (study.rule_digest): the confirmation
    # covers that text only. NULL on a confirmation made before migration 0019: it covers the
    # text of the study file in force when it was made (services.studies.confirmed_rules).
    digest: Mapped[str | None] = mapped_column(String(64))


DESTRUCTION_KITS_INDEX = "ix_destructions_kits"
"""PostgreSQL's GIN index of each destruction's list of kits read as jsonb (migration 0011):
a kit destroyed empty has no ledger row, only its destruction names it, and the inventory
looks a page's such kits up by it (services/queries._whereabouts). SQLite has none."""


class Destruction(Base):
    __tablename__ = "destructions"
    __table_args__ = (
        Index(
            DESTRUCTION_KITS_INDEX,
            text("(kits::jsonb)"),
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},  # no pending list read whole at each look-up
        ).ddl_if(dialect="postgresql"),
        late_index("destructions", "destroyed_on"),
        written_index("destructions"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    destroyed_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(200))
    witness: Mapped[str] = mapped_column(String(120))
    reference: Mapped[str] = mapped_column(String(120), default="")
    to_sponsor: Mapped[bool] = mapped_column(Boolean, default=False)
    kits: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of kit numbers
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # issue 12 (last: older rows hash without them). The witness is a user who signed; rows
    # written before keep only the witness's name as typed (`witness`), with these NULL.
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason_code: Mapped[str | None] = mapped_column(String(30))


class PhysicalCount(Base):
    __tablename__ = "physical_counts"
    __table_args__ = (
        CheckConstraint("counted >= 0", name="counted_nonneg"),
        late_index("physical_counts", "counted_on"),
        written_index("physical_counts"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    counted: Mapped[int] = mapped_column(Integer)
    book: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    counted_on: Mapped[date] = mapped_column(Date)
    counted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuarantineEvent(Base):
    __tablename__ = "quarantine_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # quarantine, release, reject
    reason: Mapped[str] = mapped_column(Text)
    excursion_id: Mapped[int | None] = mapped_column(ForeignKey("excursions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A release's: the sponsor's decision it was released on (migration 0015); NULL on a
    # quarantine and on the releases recorded before, which their facts' hashes leave out.
    sponsor_reference: Mapped[str | None] = mapped_column(String(120))


class Excursion(Base):
    """A temperature excursion read from a data logger's export."""

    __tablename__ = "excursions"
    id: Mapped[int] = mapped_column(primary_key=True)
    storage_area: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lowest: Mapped[float] = mapped_column(Float)
    highest: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """One stock movement. Append-only: never updated, never deleted; hash-chained."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_nonzero"),
        # A kit's balance read from the index alone (dispense, reconciliation; 0010 replaced
        # the index of kit and kind it extends).
        Index("ix_ledger_kit_balance", "kit_id", "kind", "from_returned", "quantity"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    from_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    product: Mapped[str] = mapped_column(String(40), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), index=True)
    dispense_id: Mapped[int | None] = mapped_column(ForeignKey("dispenses.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"), index=True)
    destruction_id: Mapped[int | None] = mapped_column(ForeignKey("destructions.id"), index=True)
    count_id: Mapped[int | None] = mapped_column(ForeignKey("physical_counts.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The audit entry of the step that wrote the row (from migration 0005 on; checked at commit,
    # as the entry is written after its rows).
    audit_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_entries.id", deferrable=True, initially="DEFERRED"), index=True
    )
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class Signature(Base):
    """An electronic signature: the password was re-entered, with its meaning shown."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_record", "record_type", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    meaning: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReconciliationSignOff(Base):
    __tablename__ = "reconciliation_signoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Issue 14 (last): the study reconciled; NULL before several studies: the first study's.
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"))


class StudyAccess(Base):
    """A user given (or no longer given) access to a study by an administrator: the latest row
    of a user and study holds. Administrators reach every study without one."""

    __tablename__ = "study_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id"))
    granted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: the upgrade
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what, when, old and new values, why: a hash chain that `audit verify` recomputes."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # The entries about one thing (a participant's, a label print's by its one item).
        Index("ix_audit_entries_entity", "entity", "entity_id"),
        # The label prints of several items at once (their entity_id is "first..last (n)"),
        # so that a print's check reads those and the prints of its own items only.
        Index(
            "ix_audit_entries_batches",
            "entity",
            sqlite_where=text(BATCH_ENTRY),
            postgresql_where=text(BATCH_ENTRY),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(60))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # [[table, id, content hash], ...] of every row the step wrote (db/facts.py; from 0005 on).
    facts: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditEntryStudy(Base):
    """Which studies an audit entry concerns (0: none, the site's own), derived from the rows
    its step wrote when it was written (db/entry_studies.py): a study's trail is found by the
    index on (study_id, audit_entry_id), not by reading the pharmacy's whole trail."""

    __tablename__ = "audit_entry_studies"
    __table_args__ = (
        Index("ix_audit_entry_studies_entry", "audit_entry_id", "study_id", unique=True),
        Index("ix_audit_entry_studies_study", "study_id", "audit_entry_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entries.id"))
    study_id: Mapped[int]


def _explicit_id(
    _mapper: Any, _connection: Any, target: LedgerEntry | AuditEntry | Dispense
) -> None:
    """Ledger, audit and dispense ids are handed out in order under the write lock (a gap is
    evidence of a deletion). Their database sequences are never used, so on PostgreSQL they lag
    behind: an insert drawing from one would collide later. Refuse it at once instead."""
    if target.id is None:
        raise ValueError(f"a {type(target).__name__} needs an explicit id (see services/audit.py)")


for _model in (LedgerEntry, AuditEntry, Dispense):
    event.listen(_model, "before_insert", _explicit_id)


APPEND_ONLY: tuple[type[Base], ...] = (
    LedgerEntry,
    AuditEntry,
    Signature,
    Dispense,
    DispenseKit,
    DispenseVoid,
    DispenseObservation,
    EnrolmentVoid,
    Return,
    AdherenceNote,
    PhysicalCount,
    Destruction,
    QuarantineEvent,
    ReconciliationSignOff,
    Shipment,
    Excursion,
    RuleConfirmation,
    StudyAccess,
    AuditEntryStudy,
)
"""The records of what happened: inserted, never updated, never deleted. A mistake is put right
by a new record that names the one it corrects. Guarded here (db.guards) and by the database's
triggers (migration 0004; 0006 for rule confirmations); the application's PostgreSQL role may
not UPDATE or DELETE them."""

UPDATED: tuple[type[Base], ...] = (StudyRecord, Setting, ChainHead, User, Kit, Participant)
"""The only tables whose rows the program changes in place: the study file (`study update`),
settings, the chain head, accounts, and the kits' and participants' current state (projections
of the ledger and the audit trail, kept in step with them in each transaction). The others
(lots, password history) are only inserted, though not guarded as facts. Nothing is deleted
from any table."""

FIRST_STUDY = 1
"""The study a database was created for (`init` stores it first). A rule confirmation or a
reconciliation sign-off written before the database held several studies has no study_id:
it is this study's."""

guards.install(APPEND_ONLY)
facts.install_recording()
