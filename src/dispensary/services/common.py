"""Small helpers shared by the workflow modules: loading by number with clear refusals."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from dispensary.db.models import (
    FIRST_STUDY,
    Dispense,
    DispenseVoid,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    Return,
    Shipment,
    StudyRecord,
)
from dispensary.domain.accountability import Balance, Movement, balance_of
from dispensary.domain.codes import KitStatus, MovementKind, ParticipantStatus
from dispensary.domain.errors import InOtherStudy, InvalidInput, NotFound, RuleViolation
from dispensary.domain.rules import DISPENSE_PREFIX as DISPENSE_PREFIX  # where callers find them
from dispensary.domain.rules import (
    KitCandidate,
    code_shape,
    effective_status,
    half_width,
    looks_like_dispense_number,
    normalise_code,
    normalise_kit_number,
    normalise_study_number,
)
from dispensary.domain.rules import is_dispense_number as is_dispense_number
from dispensary.i18n import N_, _, listed


def of_study(column: Any, study: int, bound: str = "") -> ColumnElement[bool]:
    """The rows of `study` in a record table whose rows written before the database held
    several studies have no study (rule confirmations, reconciliation sign-offs): those are the
    first study's (models.FIRST_STUDY). `bound`: compared with the parameter of that name,
    for a statement built once per form (`study` says which form)."""
    value: Any = bindparam(bound) if bound else study
    if study == FIRST_STUDY:
        return or_(column == value, column.is_(None))
    return column == value  # type: ignore[no-any-return]


def shipments_of(study: int) -> ColumnElement[bool]:
    """The shipments of `study`: those received for it (migration 0018), and those received
    before, which hold no study and are the study of their kits. A shipment number is unique
    within a study, not the pharmacy: a shipment is looked up by its study and number."""
    return or_(
        Shipment.study_id == study,
        and_(
            Shipment.study_id.is_(None),
            Shipment.id.in_(select(Kit.shipment_id).where(Kit.study_id == study)),
        ),
    )


def shipment_studies(session: Session, number: str) -> dict[int, str]:
    """Every study holding a shipment numbered `number` (any case, as an older release may
    have recorded one), with the number as recorded there."""
    wanted = func.upper(Shipment.number) == number.strip().upper()
    found: dict[int, str] = {}
    for study, recorded in session.execute(
        select(Shipment.study_id, Shipment.number).where(wanted, Shipment.study_id.is_not(None))
    ):
        found.setdefault(int(study), recorded)
    for study, recorded in session.execute(
        select(Kit.study_id, Shipment.number)
        .join(Shipment, Shipment.id == Kit.shipment_id)
        .where(wanted, Shipment.study_id.is_(None))
        .distinct()
    ):
        found.setdefault(int(study or FIRST_STUDY), recorded)
    return dict(sorted(found.items()))


def other_study(
    session: Session, study_id: int, what: str, number: str, reader: Collection[int]
) -> InOtherStudy:
    """The refusal of a record of another study than the one open. Named with that study when
    `reader` (the studies the acting user may open) holds it, so that they switch to it; else
    one sponsor's study is not named to a user of another's: the refusal says the record is of
    another study of this pharmacy and carries no protocol for a window to switch to."""
    if study_id not in reader:
        return InOtherStudy(
            _(
                "{what} is recorded in another study of this pharmacy, one you have no access "
                "to. Check the number; if it belongs to this study, ask an administrator."
            ).format(what=what),
            "",
            0,
            number,
        )
    protocol = session.scalar(select(StudyRecord.protocol).where(StudyRecord.id == study_id))
    return InOtherStudy(
        _(
            "{what} is of study {study}, not of the study open. Switch to study {study} "
            "to work with it."
        ).format(what=what, study=protocol),
        protocol or "",
        study_id,
        number,
    )


def lot_numbers(session: Session, numbers: Collection[str]) -> set[str]:
    """Those of `numbers` (normalised: upper case) that are the number of a lot of this
    pharmacy, of any study, whatever case the lot was recorded in: codes given where a kit is
    meant that are a lot's (the barcode on the sponsor's carton, a manifest's lot in its kit
    column). Read in batches, the lot's index first (lot numbers are written upper case),
    ignoring case only for the numbers it did not find."""
    wanted = sorted(set(numbers))
    found: set[str] = set()
    for start in range(0, len(wanted), KIT_CHUNK):
        chunk = wanted[start : start + KIT_CHUNK]
        found.update(session.scalars(select(Lot.number).where(Lot.number.in_(chunk))))
        rest = [n for n in chunk if n not in found]
        if rest:
            upper = func.upper(Lot.number)
            found.update(session.scalars(select(upper).where(upper.in_(rest))))
    return found


def other_label(session: Session, number: str, participant: bool = False) -> str | None:
    """For a code (normalised) scanned or typed where a kit is expected and that names no kit:
    the other labels at the counter (a dispensing label, a lot's barcode on the sponsor's
    carton) named as what they are, with the kit's own label to scan; None for any other.
    `participant`: the code was given where the participant's study number is expected (a
    dispensing label there opens its return, so only a lot's is named), with that to scan."""
    if participant:
        if lot_numbers(session, [number]):
            return _(
                "{code} is a lot number, not a participant. Scan or type the participant's "
                "study number, then the kits."
            ).format(code=number)
        return None
    if is_dispense_number(number):
        return _(
            "{code} is a dispensing label's number, not a kit. Scan the barcode on the kit's "
            "own label, or type the kit number printed under it."
        ).format(code=number)
    if lot_numbers(session, [number]):
        return _(
            "{code} is a lot number, not a kit. Scan the barcode on the kit's own label, or "
            "type the kit number printed under it."
        ).format(code=number)
    return None


def not_a_kit(session: Session, number: str) -> str:
    """Why `number` (normalised) names no kit of this pharmacy."""
    return other_label(session, number) or _(
        "Kit {kit} is not in this pharmacy's stock. Check the number, or receive the "
        "kit's shipment first."
    ).format(kit=number)


class CodeKind(StrEnum):
    """What a code scanned or typed at the counter that names no record looks like."""

    LABEL = "label"  # a dispensing label's number, mistyped
    PARTICIPANT = "participant"  # a participant's study number, mistyped
    KIT = "kit"  # a kit's number, mistyped (or a kit not received)


def unknown_code_kind(session: Session, code: str, study: int) -> CodeKind | None:
    """What a code that names no label, kit or participant looks like: a dispensing label's
    number by its prefix, else a participant's or a kit's by the shape of the numbers `study`
    has of each (code_shape); None when it has the shape of both, or of neither."""
    text = half_width(code).strip().upper()
    if looks_like_dispense_number(text):
        return CodeKind.LABEL
    shape = code_shape(text)
    people = session.scalars(
        select(Participant.study_number).where(
            Participant.study_id == study, func.length(Participant.study_number) == len(text)
        )
    )
    kits = session.scalars(
        select(Kit.number).where(Kit.study_id == study, func.length(Kit.number) == len(text))
    )
    person = any(code_shape(n) == shape for n in people)
    kit = any(code_shape(n) == shape for n in kits)
    if person != kit:
        return CodeKind.PARTICIPANT if person else CodeKind.KIT
    return None


def number_form(number: str) -> str:
    """A number's form: its letters as they are, each digit as 9 (K1002 and K0417 are both
    K9999; 01-001 is 99-999): the numbering a kit's or a participant's number follows."""
    return "".join("9" if c.isascii() and c.isdigit() else c for c in number)


def participant_numbered(session: Session, numbers: Collection[str]) -> set[str]:
    """Of `numbers`, those that are a participant's study number in any study of the pharmacy
    (an enrolment voided as entered in error left out): a scan finds the participant by it."""
    wanted = sorted(set(numbers))
    found: set[str] = set()
    for start in range(0, len(wanted), KIT_CHUNK):
        found.update(
            session.scalars(
                select(Participant.study_number).where(
                    Participant.study_number.in_(wanted[start : start + KIT_CHUNK]),
                    Participant.status != ParticipantStatus.VOIDED.value,
                )
            )
        )
    return found


def form_kind(session: Session, number: str, study: int) -> CodeKind | None:
    """The one look-alike check of a new number, of a participant enrolled or of a kit
    received: KIT when it has the form (number_form) of the study's kit numbers and of none
    of its participants' study numbers, PARTICIPANT the other way round; None when it has the
    form of both, or of neither. A number of one's form given to the other could not be told
    from it by a scan (K1003 enrolled before that kit arrives; 01-050 received as a kit)."""
    return form_kinds(session, [number], study).get(number)


def form_kinds(session: Session, numbers: Collection[str], study: int) -> dict[str, CodeKind]:
    """form_kind of each of `numbers` (those of no one kind left out), the study's numbers
    read once for each length among them: a manifest lists thousands of kits."""
    lengths = {len(n) for n in numbers}
    kit_forms: set[str] = set()
    people_forms: set[str] = set()
    for length in sorted(lengths):
        kit_forms.update(
            number_form(n)
            for n in session.scalars(
                select(Kit.number)
                .where(Kit.study_id == study, func.length(Kit.number) == length)
                .distinct()
            )
        )
        people_forms.update(
            number_form(n)
            for n in session.scalars(
                select(Participant.study_number).where(
                    Participant.study_id == study,
                    func.length(Participant.study_number) == length,
                    Participant.status != ParticipantStatus.VOIDED.value,
                )
            )
        )
    found: dict[str, CodeKind] = {}
    for number in numbers:
        form = number_form(number)
        kit, person = form in kit_forms, form in people_forms
        if person != kit:
            found[number] = CodeKind.PARTICIPANT if person else CodeKind.KIT
    return found


def get_kit(session: Session, raw: str, study: int, *, reader: Collection[int]) -> Kit:
    """The kit of this number in `study`; a kit of another study is refused as such (kit
    numbers are unique in the pharmacy: a scan names one kit), that study named only to a
    `reader` who may open it (`other_study`)."""
    number = normalise_kit_number(raw)
    kit = session.scalar(select(Kit).where(Kit.number == number))
    if kit is None:
        raise NotFound(not_a_kit(session, number))
    if kit.study_id != study:
        raise other_study(
            session, int(kit.study_id or 0), _("Kit {kit}").format(kit=number), number, reader
        )
    return kit


def get_lots(session: Session, raw: str, study: int) -> list[Lot]:
    """The lots of this number among the kits of `study`, one per product that has it (a
    recall lists every dispense of the number, whatever its product). A lot that only another
    study holds is answered exactly as a lot no one holds, so a user of one study does not
    learn what another study received."""
    number = normalise_code(raw, N_("lot number"))
    lots = list(
        session.scalars(
            select(Lot)
            .where(
                func.upper(Lot.number) == number,  # recorded upper case; in any case before
                Lot.id.in_(select(Kit.lot_id).where(Kit.study_id == study)),
            )
            .order_by(Lot.id)
        )
    )
    if not lots:
        raise NotFound(
            _("There is no lot '{lot}' in the stock records. Check the number.").format(lot=number)
        )
    return lots


def get_lot_records(
    session: Session, raw: str, study: int, name: Callable[[str], str] | None = None
) -> list[Lot]:
    """The records of the lot of this number among the kits of `study`, of one product: the
    one look-up of a lot for a recall (the lot report). Several records only when an older
    release recorded the lot in two cases ('ht2611a' beside HT2611A): one lot, whose kits
    are all recalled. A lot that only another study holds is answered exactly as a lot no one
    holds, so a user of one study does not learn what another study received. `name`: a
    product as a refusal names it to its reader (the study's `product_name`), else its code."""
    lots = get_lots(session, raw, study)
    if len({lot.product for lot in lots}) > 1:
        number = lots[0].number.upper()
        products = listed(sorted({name(x.product) if name else x.product for x in lots}))
        raise RuleViolation(
            _(
                "Lot {lot} is recorded for several products ({products}); trace each "
                "product's lot from the inventory."
            ).format(lot=number, products=products)
        )
    return lots


KIT_CHUNK = 500
"""Kits read per statement by their numbers or ids (SQLite's bound variables are limited)."""


def find_kits(
    session: Session, raws: Sequence[str], study: int, *, reader: Collection[int]
) -> list[Kit | RuleViolation]:
    """`get_kit` of each number named, in order: the kit, or the refusal get_kit raises (not
    raised here). The kits are read by number in batches, with their lot and shipment, so that
    the statements sent do not grow with the kits named; a number found in no batch (not in
    stock, of another study, not a kit number) is refused by get_kit itself, once a number."""
    numbers: list[str | RuleViolation] = []
    for raw in raws:
        try:
            numbers.append(normalise_kit_number(raw))
        except RuleViolation as exc:
            numbers.append(exc)
    wanted = sorted({n for n in numbers if isinstance(n, str)})
    found: dict[str, Kit] = {}
    for start in range(0, len(wanted), KIT_CHUNK):
        rows = session.scalars(
            select(Kit)
            .options(joinedload(Kit.lot), joinedload(Kit.shipment))
            .where(Kit.number.in_(wanted[start : start + KIT_CHUNK]))
        )
        found.update((k.number, k) for k in rows)
    refused: dict[str, RuleViolation] = {}
    kits: list[Kit | RuleViolation] = []
    for raw, number in zip(raws, numbers, strict=True):
        if isinstance(number, RuleViolation):
            kits.append(number)
            continue
        kit = found.get(number)
        if kit is not None and kit.study_id == study:
            kits.append(kit)
            continue
        if number not in refused:
            try:
                # (found since: as get_kit finds it)
                kits.append(get_kit(session, raw, study, reader=reader))
                continue
            except RuleViolation as exc:
                refused[number] = exc
        kits.append(refused[number])
    return kits


def get_kits(
    session: Session, raws: Sequence[str], study: int, *, reader: Collection[int]
) -> list[Kit]:
    kits: list[Kit] = []
    seen: set[str] = set()
    for raw in raws:
        kit = get_kit(session, raw, study, reader=reader)
        if kit.number in seen:
            continue
        seen.add(kit.number)
        kits.append(kit)
    return kits


_PARTICIPANT = select(Participant).where(
    Participant.study_id == bindparam("study"), Participant.study_number == bindparam("number")
)
"""Built once: every step about a participant reads it (its SQL and cache key made once)."""


def get_participant(
    session: Session, raw: str, study: int, *, reader: Collection[int]
) -> Participant:
    """The participant of this study number in `study`. A number enrolled in no study is
    refused; one enrolled in exactly one other study is refused as that study's (named to a
    `reader` who may open it)."""
    number = normalise_study_number(raw)
    participant = session.scalar(_PARTICIPANT, {"study": study, "number": number})
    if participant is None:
        others = list(
            session.scalars(
                select(Participant.study_id).where(Participant.study_number == number).limit(2)
            )
        )
        if len(others) == 1 and others[0] is not None:
            raise other_study(
                session,
                int(others[0]),
                _("Participant {participant}").format(participant=number),
                number,
                reader,
            )
        raise NotFound(
            _(
                "Participant {participant} is not enrolled. Check the study number or enrol them "
                "first."
            ).format(participant=number)
        )
    return participant


def get_dispense(session: Session, raw: str, study: int, *, reader: Collection[int]) -> Dispense:
    """By dispense number (as on the label's barcode) or by database id, in `study`; one of
    another study refused as that study's (named to a `reader` who may open it)."""
    if not isinstance(raw, str):
        raise InvalidInput(
            _("A dispense is named by its number (DSP...), not {value}.").format(
                value=f"{raw!r:.40}"
            )
        )
    text = half_width(raw).strip().upper()
    # A number no dispense can have (a NUL, bytes that are not text) is looked up nowhere: the
    # PostgreSQL driver would fail on it rather than find nothing.
    found = text.isprintable()
    dispense = session.scalar(select(Dispense).where(Dispense.number == text)) if found else None
    if dispense is None and found and text.isascii() and text.isdigit() and len(text) < 10:
        dispense = session.get(Dispense, int(text))
    if dispense is None:
        raise NotFound(
            _(
                "There is no dispense '{dispense}'. Scan the barcode on the dispensing "
                "label, or look the dispense up under the participant."
            ).format(dispense=raw.strip()[:40])
        )
    owner = session.scalar(
        select(Participant.study_id).where(Participant.id == dispense.participant_id)
    )
    if owner != study:
        raise other_study(
            session,
            int(owner or 0),
            _("Dispense {dispense}").format(dispense=dispense.number),
            dispense.number,
            reader,
        )
    return dispense


def not_voided(dispense: Any = Dispense) -> ColumnElement[bool]:
    """A condition on Dispense (or an alias of it): no void is recorded for it (its kits left
    the pharmacy)."""
    return ~exists().where(DispenseVoid.dispense_id == dispense.id)


def last_live_dispense(participant_id: Any) -> ScalarSelect[int]:
    """The id of the last dispense not voided of the participant `participant_id` names (a
    column of an enclosing query): queries.live_dispenses' last, its highest cycle and then
    attempt. One walk back along the dispenses' (participant, cycle, attempt) index per
    participant, so the Today screen and the forecast read one row per participant, not
    every dispense of everyone on treatment."""
    live = aliased(Dispense)
    return (
        select(live.id)
        .where(live.participant_id == participant_id, not_voided(live))
        .order_by(live.cycle.desc(), live.attempt.desc())
        .limit(1)
        .scalar_subquery()
    )


def is_voided(session: Session, dispense: Dispense) -> bool:
    """Whether the dispense was voided: its void row, written by `void_dispense`, says so."""
    found = session.scalar(select(DispenseVoid.id).where(DispenseVoid.dispense_id == dispense.id))
    return found is not None


def voided_ids(session: Session, dispense_ids: Collection[int] | None = None) -> set[int]:
    """The ids of the voided dispenses among these (of every dispense, without ids), read in
    bounded batches."""
    query = select(DispenseVoid.dispense_id)
    if dispense_ids is None:
        return set(session.scalars(query))
    ids = sorted(set(dispense_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        found.update(session.scalars(query.where(DispenseVoid.dispense_id.in_(batch))))
    return found


def stock_movement(
    kit: Kit,
    kind: MovementKind,
    quantity: int,
    day: date,
    reason: str,
    *,
    participant_id: int | None = None,
    dispense_id: int | None = None,
    return_id: int | None = None,
    count_id: int | None = None,
    destruction_id: int | None = None,
    from_returned: bool = False,
) -> LedgerEntry:
    """A ledger row that moves tablets of one kit; the kit gives its lot and product, so the
    DARF and the lot trace read the same lot the kit carries. `Recorder.ledger` chains it."""
    return LedgerEntry(
        entry_date=day,
        kind=kind.value,
        quantity=quantity,
        from_returned=from_returned,
        kit_id=kit.id,
        lot_id=kit.lot_id,
        product=kit.product,
        participant_id=participant_id,
        dispense_id=dispense_id,
        return_id=return_id,
        count_id=count_id,
        destruction_id=destruction_id,
        reason=reason,
    )


def reversing_movement(entry: LedgerEntry, day: date, reason: str) -> LedgerEntry:
    """A correction is never an edit: a row of the opposite quantity that names the row it
    reverses and carries everything else of it (kit, lot, participant, dispense, return)."""
    return LedgerEntry(
        entry_date=day,
        kind=entry.kind,
        quantity=-entry.quantity,
        from_returned=entry.from_returned,
        kit_id=entry.kit_id,
        lot_id=entry.lot_id,
        product=entry.product,
        participant_id=entry.participant_id,
        dispense_id=entry.dispense_id,
        return_id=entry.return_id,
        count_id=entry.count_id,
        destruction_id=entry.destruction_id,
        reverses_id=entry.id,
        reason=reason,
    )


def kit_movements(session: Session, kit_id: int) -> list[Movement]:
    rows = session.scalars(select(LedgerEntry).where(LedgerEntry.kit_id == kit_id))
    return [Movement(MovementKind(r.kind), r.quantity, r.from_returned) for r in rows]


def _contents(balance: Balance) -> int:
    """Tablets physically in a kit (or kits) of this balance: on the shelf, or held after
    their return."""
    return balance.on_hand + balance.held_returned


def kit_contents(session: Session, kit: Kit) -> int:
    """Tablets physically in the kit now: on the shelf, or held after its return."""
    return _contents(balance_of(kit_movements(session, kit.id)))


def contents_of_sums(sums: Iterable[tuple[str, object, int]]) -> int:
    """Tablets in the kits whose ledger rows add up to these sums (kind, from the returns,
    total quantity): balance_of adds each movement's quantity to its figures, so one movement
    of each sum balances as the rows themselves; SQL sums, the domain keeps the rule."""
    return _contents(
        balance_of(
            Movement(MovementKind(kind), int(total), bool(from_returned))
            for kind, from_returned, total in sums
        )
    )


def contents_of_kits(session: Session, kits: Sequence[Kit]) -> dict[int, int]:
    """`kit_contents` for many kits in one ledger query: FEFO looks at every kit on the shelf."""
    return contents_by_id(session, [k.id for k in kits])


_KIT_SUMS = (
    select(
        LedgerEntry.kit_id,
        LedgerEntry.kind,
        LedgerEntry.from_returned,
        func.sum(LedgerEntry.quantity),
    )
    .where(LedgerEntry.kit_id.in_(bindparam("kits", expanding=True)))
    .group_by(LedgerEntry.kit_id, LedgerEntry.kind, LedgerEntry.from_returned)
)


def contents_by_id(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """contents_of_kits of kits known by id: each kit's ledger rows summed per kind and
    origin in SQL (from the kit balance index alone), balanced by the domain."""
    return {kit_id: _contents(b) for kit_id, b in balances_by_id(session, ids).items()}


def balances_by_id(session: Session, ids: Sequence[int]) -> dict[int, Balance]:
    """`balance_of(kit_movements(...))` of many kits known by id, in one ledger query per
    KIT_CHUNK kits: each kit's rows summed per kind and origin in SQL (from the kit balance
    index alone); balance_of adds each movement's quantity to its figures, so one movement of
    each sum balances as the rows themselves."""
    sums: dict[int, list[Movement]] = {k: [] for k in ids}
    ids = list(sums)
    conn = session.connection()
    for start in range(0, len(ids), KIT_CHUNK):
        rows = conn.execute(_KIT_SUMS, {"kits": ids[start : start + KIT_CHUNK]})
        for kit_id, kind, from_returned, total in rows:
            sums[kit_id].append(Movement(MovementKind(kind), int(total), bool(from_returned)))
    return {kit_id: balance_of(movements) for kit_id, movements in sums.items()}


def fefo_order(session: Session) -> tuple[Any, ...]:
    """The order of first expiry first out (`rules.usable_kits`: expiry, lot, kit number), for
    SQL to hand the kits out in: strings compared as Python compares them (code points: the
    bytes, SQLite's default; PostgreSQL's "C" collation), so that the first kits SQL returns
    are the first ones the rule would choose from the whole shelf. The lot's id after its
    number changes no order (a product's lot numbers are unique) but tells SQLite each lot is
    one row of the order: it then reads a lot's kits in number order from ix_kits_shelf, not
    the whole lot sorted (1 ms of a dispense at 1,500 kits in a lot)."""
    lot, number = Lot.number, Kit.number
    if session.get_bind().dialect.name == "postgresql":
        return (Lot.expiry, lot.collate("C"), Lot.id, number.collate("C"))
    return (Lot.expiry, lot, Lot.id, number)


def candidate(kit: Kit, tablets: int | None = None, held: bool = False) -> KitCandidate:
    """The kit as the rules see it; `held`: its count difference is open
    (counts.open_differences), so it is no stock (rules.in_stock)."""
    return KitCandidate(
        number=kit.number,
        product=kit.product,
        lot=kit.lot.number,
        expiry=kit.lot.expiry,
        status=KitStatus(kit.status),
        tablets=kit.tablets if tablets is None else tablets,
        held=held,
    )


def status_now(kit: Kit, today: date) -> KitStatus:
    return effective_status(KitStatus(kit.status), kit.lot.expiry, today)


def last_events(session: Session, kits: Sequence[Kit]) -> dict[int, tuple[date, str]]:
    """Each kit's latest day its records give (its receipt, its last ledger movement, its last
    return) and what happened then, by kit id: a destruction or a count cannot be dated before
    it. Two statements per KIT_CHUNK kits: each kit's last movement (by date, then as written), and
    each kit's last return; a tie is the receipt's, then the movement's."""
    moved: dict[int, tuple[date, str]] = {}
    returned: dict[int, date] = {}
    ids = [k.id for k in kits]
    for start in range(0, len(ids), KIT_CHUNK):
        batch = ids[start : start + KIT_CHUNK]
        ranked = (
            select(
                LedgerEntry.kit_id,
                LedgerEntry.entry_date,
                LedgerEntry.kind,
                func.row_number()
                .over(
                    partition_by=LedgerEntry.kit_id,
                    order_by=(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc()),
                )
                .label("rank"),
            )
            .where(LedgerEntry.kit_id.in_(batch))
            .subquery()
        )
        rows = session.execute(
            select(ranked.c.kit_id, ranked.c.entry_date, ranked.c.kind).where(ranked.c.rank == 1)
        )
        for kit_id, day, kind in rows:
            moved[kit_id] = (day, _DONE[MovementKind(kind)])
        last_returns = session.execute(
            select(Return.kit_id, func.max(Return.returned_on))
            .where(Return.kit_id.in_(batch))
            .group_by(Return.kit_id)
        )
        returned.update((kit_id, day) for kit_id, day in last_returns if day is not None)
    events: dict[int, tuple[date, str]] = {}
    for kit in kits:
        found = [(kit.shipment.received_on, N_("received"))]
        if kit.id in moved:
            found.append(moved[kit.id])
        if kit.id in returned:
            found.append((returned[kit.id], N_("returned")))
        events[kit.id] = max(found, key=lambda f: f[0])
    return events


def last_written(session: Session, kit_id: int) -> tuple[str, date] | None:
    """The kit's ledger movement written last (whatever its date), as what happened to the
    kit, in English (translated where shown), and its day; None before any."""
    row = session.execute(
        select(LedgerEntry.kind, LedgerEntry.entry_date)
        .where(LedgerEntry.kit_id == kit_id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (_DONE[MovementKind(row[0])], row[1])


_DONE = {  # what happened to the kit, in English (translated where shown)
    MovementKind.RECEIVE: N_("received"),
    MovementKind.DISPENSE: N_("dispensed"),
    MovementKind.RETURN: N_("returned"),
    MovementKind.DESTROY: N_("destroyed"),
    MovementKind.ADJUST: N_("counted"),
}
