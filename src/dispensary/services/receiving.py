"""Receiving a shipment: kits by range or from the sponsor's CSV manifest, one transaction."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import FIRST_STUDY, Kit, LedgerEntry, Lot, Shipment, StudyRecord
from dispensary.domain import reasons
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus, MovementKind
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.lifecycle import NOT_IN_STOCK, KitEvent, status_word, transition
from dispensary.domain.rules import (
    check_count,
    check_date,
    check_flag,
    check_not_future,
    check_text,
    covers_supply,
    half_width,
    new_kit_number,
    normalise_code,
    normalise_kit_number,
    parse_expiry,
    parse_whole,
    supply_cover_until,
)
from dispensary.files import with_detail
from dispensary.i18n import N_, Language, _, listed, sentences, translated
from dispensary.services.assessment import KitIn as KitIn  # where callers have found it
from dispensary.services.assessment import (
    ReceiveAssessment,
    ReceiveCheck,
    ReceiveLine,
    ReceiveRequest,
    Refusal,
    StudyFileChanged,
)
from dispensary.services.assessment.receiving import SEEN_AT_RECEIPT, units_by_product
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    CodeKind,
    form_kinds,
    lot_numbers,
    participant_numbered,
    shipments_of,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.participants import study_loaded_on
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.results import ReceiptExcursion, ReceiveResult
from dispensary.services.stock import receive_kits
from dispensary.services.study_versions import study_file_changed
from dispensary.services.temperature import excursions_exposing

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

    from dispensary.study import Study

T = TypeVar("T")

MAX_KITS = 5000
RANGE = re.compile(r"^([A-Z0-9._-]*?)(\d+)\s*-\s*([A-Z0-9._-]*?)(\d+)$")


def expand_range(text: str) -> list[str]:
    """'K0001-K0050' -> K0001 ... K0050 (same prefix and width); a single number is one kit.
    Read as it reads: "Ｋ０００１－Ｋ０００５" typed in a Chinese input method's full-width mode
    is that range, not one kit numbered K0001-K0005 (a kit number may hold '-')."""
    raw = half_width(text).strip().upper()
    match = RANGE.match(raw)
    if not match:
        return [new_kit_number(raw)]
    prefix, start, prefix2, end = match.groups()
    if prefix != prefix2 or len(start) != len(end):
        raise InvalidInput(
            _(
                "'{range}' is not a kit range: write it as K0001-K0050 (same prefix, same width)."
            ).format(range=text[:60])
        )
    first, last = int(start), int(end)
    if last < first:
        raise InvalidInput(
            _("The kit range {range} runs backwards; write the lower number first.").format(
                range=raw
            )
        )
    if last - first + 1 > MAX_KITS:
        raise InvalidInput(
            _("The range {range} has more than {most} kits; split the shipment.").format(
                range=raw, most=MAX_KITS
            )
        )
    return [normalise_kit_number(f"{prefix}{n:0{len(start)}d}") for n in range(first, last + 1)]


COLUMNS = ("kit", "lot", "expiry", "tablets", "product")
"""The manifest's columns the program reads (in any case)."""
INTACT = N_("intact")
"""A shipment's condition when the user says nothing else: recorded as this one English word
(the command's default), whatever the screen's language, and shown in the reader's words."""
SOUND_WORDS = (
    *("ok", "intact", "good"),
    translated(INTACT, Language.ZH_CN),  # 完好, the program's own word for intact
    *("良好", "正常"),
)
NOT_DAMAGED = (
    *("no", "n", "false", "0", "none"),
    *(
        translated(w, Language.ZH_CN)
        for w in (
            N_("no"),  # 否
            N_("none"),  # 无
        )
    ),
)
CONDITION_COLUMNS = {
    "condition": SOUND_WORDS,
    "kit condition": SOUND_WORDS,
    "damaged": NOT_DAMAGED,
    "damage": NOT_DAMAGED,
}
"""A per-kit condition the sponsor's manifest may give, and the values that say the kit is
sound (an empty cell too), in English or in Chinese (a manifest saved by Chinese Excel): a kit
given any other value is damaged (a kit is not guessed sound), received into quarantine with
the condition as written."""


@dataclass(frozen=True)
class Manifest:
    """The kits of the sponsor's manifest, and the columns of its header the program does not
    read (said to the user: a column dropped silently may have held what mattered)."""

    kits: list[KitIn]
    ignored: tuple[str, ...] = ()
    encoding: str = "UTF-8"  # the file's, as manifest_text read it (a command says GB18030)

    @property
    def note(self) -> str:
        """The columns not read, as said after the kits ("" when every column was read)."""
        if not self.ignored:
            return ""
        return (
            _(
                "The manifest's column {columns} is not read by the program (it reads {known}): "
                "check what it says against the kits by hand."
            )
            if len(self.ignored) == 1
            else _(
                "The manifest's columns {columns} are not read by the program (it reads "
                "{known}): check what they say against the kits by hand."
            )
        ).format(
            # Each name quoted and listed as the reader's language does: 'Comment', 'Qty' in
            # English, “备注”、“Qty” in Chinese (the quotes were written here, ASCII in both).
            columns=_listed(_("'{name}'").format(name=name) for name in self.ignored),
            known=_listed((*COLUMNS, "condition")),
        )


def _listed(names: Iterable[str]) -> str:
    """Names in a sentence: 'kit, lot' in English, 'kit、lot' in Chinese."""
    return listed(names)


UTF8 = "UTF-8"
GB18030 = "GB18030"


def manifest_text(data: bytes) -> tuple[str, str]:
    """A manifest file's bytes as text, and the encoding read: UTF-8 first (a byte order mark
    dropped), then GB18030, the encoding Chinese Excel saves CSV in (GBK's superset), both
    strictly, as a logger file is read. Bytes neither reads whole, or holding a NUL (UTF-16, a
    spreadsheet), raise the UTF-8 reading's error: never read as something else."""
    try:
        return data.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as exc:
        if b"\x00" not in data:
            try:
                return data.decode("gb18030"), GB18030
            except UnicodeDecodeError:
                pass
        raise exc


def encoding_note(encoding: str) -> str:
    """Said after a file read in another encoding than UTF-8, so that a misread is noticed."""
    if encoding == UTF8:
        return ""
    return _("Read as {encoding} text (Chinese Windows), not UTF-8.").format(encoding=encoding)


def parse_manifest(
    text: str,
    default_product: str | None = None,
    lot: str | None = None,
    expiry: date | None = None,
    tablets: int | None = None,
) -> list[KitIn]:
    """The sponsor's CSV: kit,lot,expiry,tablets[,product]; a bad line is named by its number.
    The defaults (the receiving options) fill a missing column and its empty cells."""
    return read_manifest(text, default_product, lot, expiry, tablets).kits


def read_manifest(
    text: str,
    default_product: str | None = None,
    lot: str | None = None,
    expiry: date | None = None,
    tablets: int | None = None,
) -> Manifest:
    """As parse_manifest, with the header's columns the program does not read named; a kit a
    condition column (condition, damaged) does not say is sound is read as damaged (`_condition`:
    received into quarantine)."""
    defaults = {
        "product": default_product or "",
        "lot": lot or "",
        "expiry": expiry.isoformat() if expiry else "",
        "tablets": str(tablets) if tablets is not None else "",
    }
    if not text.lstrip("\ufeff").strip():  # 0 bytes, or blank lines: no header to name
        raise InvalidInput(
            _(
                "The manifest file is empty: nothing was received. Choose the manifest sent with "
                "the shipment (a CSV file whose first line names the columns kit, lot, expiry, "
                "tablets), or ask the sponsor or depot to send it again."
            )
        )
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _parse_manifest(reader, defaults)
    except csv.Error as exc:  # a stray carriage return, a field past the limit
        raise InvalidInput(
            with_detail(
                _(
                    "Manifest line {line} cannot be read as CSV. Nothing was received. Check "
                    "that the file is the manifest sent with the shipment, saved as CSV, then "
                    "try again."
                ).format(line=reader.line_num),
                exc,
            )
        ) from exc


def _header(names: Sequence[str]) -> dict[str, int]:
    """Column name -> position. A column named twice is refused: which of the two a reader
    took would silently decide a kit's lot or count."""
    columns: dict[str, int] = {}
    for position, raw in enumerate(names):
        name = raw.strip().lower()
        if not name:
            continue
        if name in columns:
            raise InvalidInput(
                _(
                    "The manifest's header names the column '{name}' twice (columns {first} and "
                    "{second}); keep one and receive it again."
                ).format(name=name[:40], first=columns[name] + 1, second=position + 1)
            )
        columns[name] = position
    return columns


def _header_read(header: Sequence[str], line: int) -> list[str]:
    """Which line was taken for the header, and why its columns were not found: a semicolon-
    separated file and a header in another language got the bare "missing" list."""
    shown = ",".join(header)
    shown = shown if len(shown) <= 60 else shown[:60] + "…"
    said = [_("The header was read from line {line}: '{header}'.").format(line=line, header=shown)]
    if len(header) == 1 and ";" in header[0]:
        said.append(
            _(
                "Its columns are separated by semicolons: save the manifest as CSV with commas "
                "(,) between the columns, then load it again."
            )
        )
    elif any(not cell.isascii() for cell in header):
        said.append(
            _(
                "Its columns are named in another language: name them {columns} in the first "
                "line (in English), then load it again."
            ).format(columns=_listed(COLUMNS))
        )
    return said


def _kit_line(values: dict[str, str]) -> KitIn:
    """One kit of the manifest; numbers and dates as the domain reads them everywhere (digits
    0-9, YYYY-MM-DD in the plausible window; an expiry YYYY-MM too, the month's last day)."""
    expiry = parse_expiry(values["expiry"], N_("expiry"))
    tablets = parse_whole(values["tablets"], N_("count (the tablets column)"))
    product = values.get("product")
    if not product:
        raise InvalidInput(_("no product; add a product column."))
    number = new_kit_number(values["kit"])
    lot = normalise_code(values["lot"], N_("lot number"))
    return KitIn(number, product, lot, expiry, tablets)


def _parse_manifest(reader: CsvReader, defaults: dict[str, str]) -> Manifest:
    header = next(reader, [])
    columns = _header(header)
    ignored = tuple(
        cell.strip()[:40]
        for cell in header
        if cell.strip() and cell.strip().lower() not in (*COLUMNS, *CONDITION_COLUMNS)
    )
    conditions = [name for name in columns if name in CONDITION_COLUMNS]
    needed = {"kit", "lot", "expiry", "tablets"}
    missing = sorted(needed - set(columns) - {k for k, v in defaults.items() if v})
    if missing:
        raise InvalidInput(
            sentences(  # no space after a Chinese full stop
                [
                    _(
                        "The manifest must be a CSV file with a header line naming the columns "
                        "kit, lot, expiry, tablets (and product); missing: {missing}."
                    ).format(missing=_listed(missing)),
                    *_header_read(header, reader.line_num),
                ]
            )
        )
    kits: list[KitIn] = []
    for row in reader:
        line_no = reader.line_num  # counts the blank lines the reader skips
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if any(cells[len(header) :]):
            # A value with an unquoted comma ("Lot A,1") shifts every cell after it: which
            # cell was meant cannot be told, so nothing is guessed.
            raise InvalidInput(
                _(
                    "Manifest line {line} has {cells} cells where the header names {columns}: "
                    "a value with a comma in it must be in double quotes. Correct the file and "
                    "receive it again; nothing was received."
                ).format(line=line_no, cells=len(cells), columns=len(header))
            )
        values = {
            name: (cells[at] if at < len(cells) else "") or defaults.get(name, "")
            for name, at in columns.items()
        } | {name: v for name, v in defaults.items() if name not in columns}
        try:
            kit = _kit_line(values)
            kits.append(replace(kit, damaged=_condition({n: values[n] for n in conditions})))
        except InvalidInput as exc:
            raise InvalidInput(
                _("Manifest line {line}: {refusal}").format(line=line_no, refusal=exc.message)
            ) from exc
        if len(kits) > MAX_KITS:
            raise InvalidInput(
                _("The manifest has more than {most} kits; split it.").format(most=MAX_KITS)
            )
    if not kits:
        raise InvalidInput(_("The manifest lists no kits."))
    return Manifest(kits, ignored)


def _condition(conditions: dict[str, str]) -> str:
    """The kit's condition as the manifest writes it when it does not say the kit is sound
    ("condition: Leaking"), "" when sound. Such a kit is received, as every kit that arrived is
    accounted for, but into quarantine: whether it may be dispensed is the sponsor's decision."""
    for name, value in conditions.items():
        if value and value.lower() not in CONDITION_COLUMNS[name]:
            written = f"{name}: {value}"
            return check_text(written, N_("kit condition"), limit=CONDITION_LIMIT)
    return ""


CONDITION_LIMIT = 100
"""A kit's condition as the manifest writes it, column and value, at most (a longer one is
refused with its line: the record keeps it whole)."""


def damaged_reason(condition: str, temperature_of: str = "") -> str:
    """The quarantine's reason of a kit received damaged, as stored (English): seen at receipt,
    or the manifest's condition as written. `temperature_of`: the shipment, when its temperature
    record is not acceptable: the kit is held for both causes, named in its one quarantine."""
    if temperature_of:
        if condition == SEEN_AT_RECEIPT:
            return reasons.written(reasons.TEMPERATURE_DAMAGED_SEEN, shipment=temperature_of)
        return reasons.written(
            reasons.TEMPERATURE_DAMAGED_LISTED, shipment=temperature_of, condition=condition
        )
    if condition == SEEN_AT_RECEIPT:
        return reasons.DAMAGED_SEEN
    return reasons.written(reasons.DAMAGED_LISTED, condition=condition)


def damage_words(condition: str) -> str:
    """A damaged kit's cause in the reader's words ("damaged on arrival (manifest condition:
    Leaking)", "到货时破损（收货时发现）"), as its quarantine records it."""
    return reasons.in_reader_words(damaged_reason(condition), reasons.DAMAGED_FORMS)


def mark_damaged(kits: Sequence[KitIn], numbers: Iterable[str]) -> list[KitIn]:
    """The kits with those numbers marked damaged, as seen at receipt (the command's
    --damaged): a number not on the shipment's list is refused, naming it (a kit marked but not
    listed would be received as nothing). A kit the manifest gives as damaged keeps the
    manifest's condition."""
    wanted: dict[str, str] = {}
    for raw in numbers:
        text = raw.strip()
        if text:
            wanted.setdefault(normalise_kit_number(text), text)
    in_manifest = {kit.number.upper() for kit in kits}
    missing = [shown for number, shown in wanted.items() if number not in in_manifest]
    if missing:
        raise InvalidInput(
            _(
                "Kit {kits} is marked damaged but is not on this shipment's list: give the "
                "number of a kit of the shipment (as on its label)."
            ).format(kits=listed(missing))
        )
    return [
        replace(kit, damaged=kit.damaged or SEEN_AT_RECEIPT)
        if kit.number.upper() in wanted
        else kit
        for kit in kits
    ]


def condition_words(recorded: str) -> str:
    """A shipment's condition as recorded, in the reader's words: the default word translated
    ("完好"), anything a user typed as typed."""
    return _(INTACT) if recorded.strip() == INTACT else recorded


def condition_recorded(shown: str) -> str:
    """A condition as a screen's field holds it, as it is recorded: the default word in the
    reader's language ("完好") or nothing at all as INTACT, anything else as typed (a receipt in
    Chinese recorded "完好", one in English "intact": two words for one condition)."""
    text = shown.strip()
    return INTACT if not text or text in (INTACT, _(INTACT)) else shown


def kits_from_range(
    ctx: Context, kit_range: str, product: str, lot: str, expiry: date, tablets: int | None
) -> list[KitIn]:
    per_kit = ctx.study.product(product).tablets_per_kit if tablets is None else tablets
    return [KitIn(n, product, lot, expiry, per_kit) for n in expand_range(kit_range)]


def listed_kits(
    ctx: Context,
    actor: Actor,
    kit_range: str,
    product: str,
    lot: str,
    expiry: date,
    tablets: int | None,
) -> list[KitIn]:
    """`kits_from_range` of a list a person typed (the command's --kits): a text that is no kit
    range but a participant's study number (01-001), or of their numbers' form, is kept as one
    kit, so that the receipt's assessment refuses it as a participant's (participant_number),
    as the receiving screen says, not as a kit range written wrongly."""
    require(actor, Permission.RECEIVE, ctx)
    per_kit = ctx.study.product(product).tablets_per_kit if tablets is None else tablets
    try:
        numbers = expand_range(kit_range)
    except InvalidInput:
        try:
            number = new_kit_number(kit_range.strip().upper())
        except InvalidInput:
            number = ""
        if number:
            with read_transaction(ctx.engine) as session:
                if _participant_like(session, ctx, [number]):
                    return [KitIn(number, product, lot, expiry, per_kit)]
        raise
    return [KitIn(n, product, lot, expiry, per_kit) for n in numbers]


def _participant_like(session: Session, ctx: Context, numbers: Collection[str]) -> dict[str, bool]:
    """Of `numbers`, those that are a participant's study number (True), or have the form of
    this study's participants' numbers and of none of its kits' (False): never a kit's. Of the
    participants' form only once the study has kits of their own form: a study may number its
    participants as its kits (P0001, then kits P1001-P1002 received)."""
    people = participant_numbered(session, numbers)
    has_kits = session.scalar(select(Kit.id).where(Kit.study_id == ctx.study_id).limit(1))
    kinds = form_kinds(session, set(numbers), ctx.study_id) if has_kits else {}
    return {
        n: n in people
        for n in sorted(set(numbers))
        if n in people or kinds.get(n) is CodeKind.PARTICIPANT
    }


def receive_shipment(
    ctx: Context,
    actor: Actor,
    shipment: str,
    kits: Sequence[KitIn],
    received_on: date | None = None,
    condition: str = "intact",
    temperature_ok: bool = True,
    location: str | None = None,
    missing: Sequence[str] = (),
) -> ReceiveResult:
    """Adds the kits to stock; a shipment whose temperature record fails goes to quarantine,
    and so does each kit that arrived damaged (`KitIn.damaged`: the manifest's condition, or
    marked at receipt), with that cause: every kit that arrived is accounted for. `missing`:
    kits of the sponsor's manifest that did not arrive (not scanned at the check-off), recorded
    in the receipt's audit entry as missing, not received."""
    require(actor, Permission.RECEIVE, ctx, recorded=True)
    today = ctx.clock.today()
    request = ReceiveRequest(shipment, kits, received_on, condition, temperature_ok, location)
    checked = _checked_receipt(ctx, request, today)
    if checked.refusals:  # the paperwork, before the records are read
        first = checked.refusals[0]
        raise first.error(first.message)
    day, number, condition_text, place = (
        checked.day,
        checked.number,
        checked.condition,
        checked.place,
    )
    event = checked.event
    why = reasons.written(reasons.SHIPMENT_TEMPERATURE, shipment=number)

    with write_transaction(ctx.engine) as session:
        now = ctx.clock.now()
        found = _plan_receipt(session, ctx, checked, Readable(session, actor), now)
        if found.refusals:
            first = found.refusals[0]
            raise first.error(first.message)
        kits = [line.kit for line in found.lines]
        numbers = [k.number for k in kits]
        absent = _missing(missing, numbers)
        damaged = {k.number: k.damaged for k in kits if k.damaged}  # as written
        exposed = found.excursions[0] if found.excursions else None
        # A damaged kit of a shipment whose temperature record is not acceptable is held for
        # both causes (one linked to an excursion is released naming the excursion).
        warm = number if event is KitEvent.RECEIVE_QUARANTINED and exposed is None else ""
        if exposed is not None:  # as an import quarantines the kits there: linked to it
            event = KitEvent.RECEIVE_QUARANTINED
            why = reasons.written(
                reasons.EXCURSION, lowest=f"{exposed.lowest:g}", highest=f"{exposed.highest:g}"
            )
        rec = Recorder(session, actor, now, study=ctx, action=Permission.RECEIVE)
        record = Shipment(
            study_id=ctx.study_id,
            number=number,
            received_on=day,
            condition=condition_text,
            temperature_ok=temperature_ok,
            received_by_id=actor.user_id,
            created_at=rec.now,
        )
        session.add(record)
        session.flush()
        lots: dict[tuple[str, str], Lot] = {}
        received: list[tuple[Kit, LedgerEntry]] = []
        for kit_in in kits:
            lot = lots.get((kit_in.product, kit_in.lot)) or _lot(session, kit_in)
            lots[(kit_in.product, kit_in.lot)] = lot
            _check_lot_expiry(session, lot, kit_in, Readable(session, actor))
            stock_kit = Kit(
                number=kit_in.number,
                lot_id=lot.id,
                shipment_id=record.id,
                product=kit_in.product,
                tablets=kit_in.tablets,
                location=place,
                study_id=ctx.study_id,
            )
            receipt = stock_movement(
                stock_kit,
                MovementKind.RECEIVE,
                kit_in.tablets,
                day,
                reasons.written(reasons.SHIPMENT, shipment=number),
            )
            received.append((stock_kit, receipt))
        receive_kits(
            session,
            rec,
            received,
            event,
            today=today,
            reason=why,
            excursion_id=exposed.excursion_id if exposed is not None else None,
            held={number: damaged_reason(said, warm) for number, said in damaged.items()},
        )
        total = sum(k.tablets for k in kits)
        rec.audit(
            AuditAction.RECEIVE,
            "shipment",
            number,
            {
                "received_on": day,
                "kits": numbers,
                "tablets": total,
                "condition": condition_text,
                "temperature_ok": temperature_ok,
                "location": place,
                "lots": sorted({f"{k.product}/{k.lot}/{k.expiry.isoformat()}" for k in kits}),
                # the kits that arrived damaged, each with its condition as written: received,
                # into quarantine
                **({"damaged": damaged} if damaged else {}),
                # the manifest's kits that did not arrive: recorded, not received
                **({"missing": list(absent)} if absent else {}),
                # the excursions on record the kits were exposed to: into quarantine for them
                **(
                    {"excursions": [e.excursion_id for e in found.excursions]}
                    if found.excursions
                    else {}
                ),
            },
        )
        return ReceiveResult(
            number,
            day,
            tuple(numbers),
            total,
            not temperature_ok,
            units_by_product((k.product, k.tablets) for k in kits),
            found.warnings,
            found.excursions,
            place,
            tuple(damaged.items()),
            absent,
        )


def _missing(missing: Sequence[str], received: Collection[str]) -> tuple[str, ...]:
    """The manifest's kits recorded missing from the shipment, each once as its number reads;
    one that is received too is refused (it cannot have both arrived and not)."""
    if isinstance(missing, str):
        raise InvalidInput(_("List the manifest's kits missing from the shipment."))
    absent = tuple(dict.fromkeys(normalise_kit_number(n) for n in missing))
    both = [n for n in absent if n in set(received)]
    if both:
        raise InvalidInput(
            _(
                "Kit {kits} is recorded both as received and as missing from the shipment: a "
                "kit that arrived is received, one that did not is missing. Check the list."
            ).format(kits=listed(both))
        )
    return absent


def assess_receive(ctx: Context, actor: Actor, request: ReceiveRequest) -> ReceiveAssessment:
    """Read-only: a verdict on each kit line, what goes into quarantine and the totals, and what
    `receive_shipment` would refuse, computed by the same policy in one read transaction.
    Malformed paperwork (no kits, a date in the future, no shipment number) raises, as it does
    for the receipt."""
    require(actor, Permission.RECEIVE, ctx)
    checked = _checked_receipt(ctx, request, ctx.clock.today())
    with read_transaction(ctx.engine) as session:
        return _plan_receipt(session, ctx, checked, Readable(session, actor), ctx.clock.now())


@dataclass(frozen=True)
class _Receipt:
    """The shipment's own fields, checked before any record is read."""

    day: date  # today when the date given is refused
    number: str
    condition: str
    place: str
    event: KitEvent  # received onto the shelf, or into quarantine
    kits: tuple[KitIn, ...]  # as listed
    refusals: tuple[Refusal[ReceiveCheck], ...]  # of the paperwork: date, number, condition


def _checked_receipt(ctx: Context, request: ReceiveRequest, today: date) -> _Receipt:
    """The paperwork's fields: a field that cannot be recorded is a refusal (the kit lines are
    still assessed); a flag or kit list that is not one raises."""
    refusals: list[Refusal[ReceiveCheck]] = []

    def field(check: Callable[[], T], fallback: T) -> T:
        try:
            return check()
        except InvalidInput as exc:
            refusals.append(Refusal(ReceiveCheck.PAPERWORK, exc.message, InvalidInput))
            return fallback

    day = field(lambda: check_not_future(request.received_on, today, N_("date received")), today)
    number = field(lambda: normalise_code(request.shipment, N_("shipment number")), "")
    condition = field(lambda: check_text(request.condition, N_("condition"), limit=200), "")
    location = ctx.study.storage_area if request.location is None else request.location
    place = field(lambda: check_text(location, N_("storage location"), limit=80), "")
    event = (
        KitEvent.RECEIVE
        if check_flag(request.temperature_ok, N_("temperature record acceptable"))
        else KitEvent.RECEIVE_QUARANTINED
    )
    kits = request.kits
    if isinstance(kits, str) or not all(isinstance(k, KitIn) for k in kits):
        raise InvalidInput(_("List the shipment's kits (by range or from the manifest)."))
    if not kits:
        raise InvalidInput(_("A shipment needs at least one kit."))
    return _Receipt(day, number, condition, place, event, tuple(kits), tuple(refusals))


def _plan_receipt(
    session: Session, ctx: Context, checked: _Receipt, reader: Collection[int], now: datetime
) -> ReceiveAssessment:
    """The one receiving policy: every rule, in the order receive_shipment meets them.
    `reader`: the studies the user may open, the only other studies a refusal names; `now`:
    when the receipt is entered (a receipt dated earlier is judged against the excursions on
    record since its day)."""
    number, event = checked.number, checked.event
    today = ctx.clock.today()
    verdicts = [_checked_line(ctx, kit, checked.day, today) for kit in checked.kits]
    refusals = [*checked.refusals]
    before = _before_study(session, ctx, checked.day)
    if before is not None:
        refusals.insert(0, before)
    # The products and tablets per kit above are the study file's the process read: refused
    # first when it is no longer the file in force (updated since, here or elsewhere).
    stale = study_file_changed(session, ctx, step="receipt")
    if stale is not None:
        refusals.insert(0, Refusal(ReceiveCheck.STUDY_FILE_CHANGED, stale, StudyFileChanged))
    refusals += [refusal for _kit, refusal in verdicts if refusal is not None]
    read = [at for at, (_kit, refusal) in enumerate(verdicts) if refusal is None]
    numbers = [verdicts[at][0].number for at in read]
    line_refusals: dict[int, Refusal[ReceiveCheck]] = {}
    first_line: dict[str, int] = {}
    for at in read:  # a kit listed again is refused on each line after the first
        kit = verdicts[at][0]
        if kit.number in first_line:
            line_refusals[at] = Refusal(
                ReceiveCheck.DUPLICATE,
                _(
                    "Kit {kit} is already on this shipment's list (line {line}); a kit number is "
                    "received once."
                ).format(kit=kit.number, line=first_line[kit.number] + 1),
                InvalidInput,
            )
        first_line.setdefault(kit.number, at)
    listed = Counter(numbers)  # counted once: a manifest lists hundreds of kits
    refusals += [_duplicate(n) for n in sorted(n for n, times in listed.items() if times > 1)]
    # A lot's number, recorded or on this list, is never a kit's (common.other_label names it
    # so where a kit is scanned); a dispensing label's is refused by new_kit_number.
    lots = lot_numbers(session, numbers) | {verdicts[at][0].lot.upper() for at in read}
    not_kits = {n: _lot_number(n) for n in sorted(lots.intersection(numbers))}
    # A participant's study number is never a kit's either: the participants' rule the other
    # way round (participants._check_number_free), by the one look-alike check (form_kind).
    for n, enrolled in _participant_like(session, ctx, set(numbers) - set(not_kits)).items():
        not_kits[n] = _participant_number(n, enrolled)
    refusals += [not_kits[n] for n in sorted(not_kits)]
    # A shipment number is the sponsor's: unique within the study, not the pharmacy (another
    # sponsor's study may have received an SH1 of its own, and is not told of here).
    taken = (
        session.scalar(
            select(Shipment.id)
            .where(func.upper(Shipment.number) == number, shipments_of(ctx.study_id))
            .limit(1)
        )
        if number
        else None
    )
    if taken is not None:
        refusals.append(Refusal(ReceiveCheck.SHIPMENT_RECEIVED, _shipment_taken(number)))
    in_stock: dict[str, Refusal[ReceiveCheck]] = {}
    for batch in range(0, len(numbers), 500):
        for kit_in_stock in session.scalars(
            select(Kit).where(Kit.number.in_(numbers[batch : batch + 500]))
        ):
            owner = kit_in_stock.study_id or FIRST_STUDY
            if owner != ctx.study_id:  # "already in stock" would send them looking in this one
                in_stock[kit_in_stock.number] = Refusal(
                    ReceiveCheck.IN_STOCK,
                    _in_other_study(session, kit_in_stock.number, owner, reader),
                )
                continue
            try:  # a kit number is received once: the lifecycle table refuses it
                transition(KitStatus(kit_in_stock.status), event, kit=kit_in_stock.number)
            except RuleViolation as exc:
                said = exc.message
                if kit_in_stock.status not in (KitStatus.AVAILABLE, KitStatus.QUARANTINED):
                    said = _received_before(kit_in_stock)  # "in stock" of a destroyed kit
                refusal = Refusal(ReceiveCheck.IN_STOCK, said, type(exc))
                in_stock[kit_in_stock.number] = refusal
    refusals += [in_stock[n] for n in sorted(in_stock)]
    expiries: dict[tuple[str, str], date] = {}
    recorded_lots: dict[tuple[str, str], int] = {}  # the lot's row, for a lot recorded before
    new_lots: set[int] = set()
    # A lot number belongs to one product in the study: the product its kits were recorded
    # with, or the first line's that lists it (per-lot accountability and a trace by lot
    # number would mix two products' kits).
    lot_products = _lot_products(session, ctx, {verdicts[at][0].lot for at in read})
    for at in read:
        kit = verdicts[at][0]
        key = (kit.product, kit.lot)
        of_products = lot_products.setdefault(kit.lot, [kit.product])
        if kit.product not in of_products:
            refusal = Refusal(
                ReceiveCheck.LOT_PRODUCT, _lot_product_refusal(ctx, kit, of_products[0])
            )
            refusals.append(refusal)
            line_refusals.setdefault(at, refusal)
            continue
        if key not in expiries:
            recorded = _recorded_lot(session, kit.product, kit.lot)
            if recorded is None:
                new_lots.add(at)
                expiries[key] = kit.expiry
            else:
                recorded_lots[key] = recorded.id
                expiries[key] = recorded.expiry
        if expiries[key] != kit.expiry:
            lot_id = recorded_lots.get(key)
            # A lot only studies the user may not open hold: nor its expiry, nor even that it
            # has another (the code `lot_expiry` said so, to a script reading --json): only
            # that its number is in use elsewhere in the pharmacy.
            refusal = (
                Refusal(
                    ReceiveCheck.LOT_EXPIRY,
                    _lot_expiry_refusal(kit.lot, expiries[key], kit.number, kit.expiry),
                )
                if lot_id is None or _seen_by(session, Kit.lot_id == lot_id, reader)
                else Refusal(
                    ReceiveCheck.LOT_ELSEWHERE,
                    _hidden_lot_refusal(kit.lot, kit.number, kit.expiry),
                )
            )
            refusals.append(refusal)
            line_refusals.setdefault(at, refusal)
    excursions = tuple(
        ReceiptExcursion(e.id, e.started_at, e.ended_at, e.lowest, e.highest)
        for e in (
            excursions_exposing(session, ctx, checked.place, checked.day, now)
            if checked.place
            else []
        )
    )
    if excursions:  # received into an area during an excursion on record: exposed to it
        event = KitEvent.RECEIVE_QUARANTINED
    status = transition(NOT_IN_STOCK, event, kit="")
    held = transition(NOT_IN_STOCK, KitEvent.RECEIVE_QUARANTINED, kit="")
    lines = []
    for at, (kit, refused) in enumerate(verdicts):
        why = (
            refused or not_kits.get(kit.number) or line_refusals.get(at) or in_stock.get(kit.number)
        )
        lines.append(
            ReceiveLine(
                line=at + 1,
                kit=kit,
                accepted=why is None,
                code=why.code if why is not None else None,
                message=why.message if why is not None else "",
                status=held if kit.damaged else status,  # a damaged kit: into quarantine
                new_lot=at in new_lots,
            )
        )
    tablets = [k.tablets for k, _refusal in verdicts]
    accepted = [line.tablets for line in lines if line.accepted]
    cover_until = supply_cover_until(
        ctx.clock.today(), ctx.study.cycle.days_of_supply, ctx.study.cycle.expiry_margin_days
    )
    short_lived = dict.fromkeys(  # each lot once, in the order listed
        (line.lot, line.expiry)
        for line in lines
        if line.accepted and not covers_supply(line.expiry, cover_until)
    )
    return ReceiveAssessment(
        warnings=tuple(_short_lot_warning(lot, expiry, cover_until) for lot, expiry in short_lived),
        shipment=number,
        received_on=checked.day,
        lines=tuple(lines),
        refusals=tuple(refusals),
        quarantined=checked.event is KitEvent.RECEIVE_QUARANTINED,
        location=checked.place,
        kits=len(lines),
        tablets=_whole_tablets(tablets),
        accepted_kits=len(accepted),
        accepted_tablets=_whole_tablets(accepted),
        excursions=excursions,
    )


def excursion_notice(excursions: Sequence[ReceiptExcursion], area: str) -> str:
    """What a receipt into `area` (as the reader names it) on or before the end of excursions
    on record there means for its kits ("" when none): said by the receiving screen and the
    commands, before and after the receipt."""
    if not excursions:
        return ""
    said = listed(
        _("excursion {number} ({start} to {end}, {lowest}-{highest} °C)").format(
            number=e.excursion_id,
            start=when_utc(e.started_at),
            end=when_utc(e.ended_at),
            lowest=f"{e.lowest:g}",
            highest=f"{e.highest:g}",
        )
        for e in excursions
    )
    return _(
        "The kits were in {area} on or before the end of a temperature excursion on record "
        "there: {excursions}. They go into quarantine, linked to excursion {first}, until the "
        "sponsor decides whether they may be used."
    ).format(area=area, excursions=said, first=excursions[0].excursion_id)


def when_utc(at: datetime) -> str:
    """A time of an excursion as the temperature records say it: "2026-12-05 23:20 UTC"."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


PAPER_RECORDS = timedelta(days=366)
"""How long before the study was loaded in this pharmacy its first shipment may be dated: the
records kept on paper before the program was used are entered from the first shipment on (as
the README's walk-through does), not a date years before (2019 typed for 2026)."""


def receipts_from(session: Session, ctx: Context) -> date:
    """The first day a shipment of the study may be dated: the day it was loaded in this
    pharmacy, or its first stock's receipt if recorded as earlier (records kept on paper,
    `participants.study_here_since`); before any stock, up to PAPER_RECORDS before loading."""
    loaded = study_loaded_on(session, ctx)
    received = session.scalar(
        select(func.min(Shipment.received_on))
        .join(Kit, Kit.shipment_id == Shipment.id)
        .where(Kit.study_id == ctx.study_id)
    )
    if received is None:
        return loaded - PAPER_RECORDS if loaded > date.min + PAPER_RECORDS else loaded
    return min(loaded, received)


def _before_study(session: Session, ctx: Context, day: date) -> Refusal[ReceiveCheck] | None:
    """A date received before the study was in this pharmacy is a typo (2019 for 2026): what to
    do, or None."""
    since = receipts_from(session, ctx)
    if day >= since:
        return None
    return Refusal(
        ReceiveCheck.BEFORE_STUDY,
        _(
            "The date received {day} is before {protocol} was in this pharmacy (from {since}: "
            "the day it was loaded, or its first shipment's date if earlier). Check the date on "
            "the packing list and give a date on or after {since}. Records kept on paper before "
            "the program was used are entered from the study's first shipment, dated at most a "
            "year before the study was loaded."
        ).format(day=day.isoformat(), protocol=ctx.study.protocol, since=since.isoformat()),
        InvalidInput,
    )


def _short_lot_warning(lot: str, expiry: date, cover_until: date) -> str:
    """A lot received that expires before a cycle dispensed today would end: received (it is
    in the pharmacy and accounted for), but every dispense refuses its kits."""
    return _(
        "Lot {lot} expires {expiry}, before the supply of a cycle dispensed today must last "
        "({cover_until}): it cannot cover a cycle, and every dispense will refuse its kits. "
        "Contact the sponsor about it."
    ).format(lot=lot, expiry=expiry.isoformat(), cover_until=cover_until.isoformat())


def _received_before(kit: Kit) -> str:
    """A kit number received before whose kit has left the shelf (dispensed, returned,
    destroyed): "already in stock" sent the user looking on the shelf for it."""
    return _(
        "Kit {kit} was already received on {received} (shipment {shipment}) and is now {status}: "
        "a kit number is received once. Check the label or the manifest."
    ).format(
        kit=kit.number,
        received=kit.shipment.received_on.isoformat(),
        shipment=kit.shipment.number,
        status=status_word(kit.status),
    )


def _whole_tablets(counts: list[int]) -> int:
    """The tablets of the lines that give them as a whole number (a line whose count could not
    be read is refused for it, and adds nothing)."""
    return sum(t for t in counts if isinstance(t, int) and not isinstance(t, bool))


def _in_other_study(session: Session, kit: str, owner: int, reader: Collection[int]) -> str:
    """A kit number received before in another study: that study named to a user who may open
    it; to anyone else, another sponsor's study is not named (common.other_study). No step
    moves a kit from one study to another, nor takes a receipt back: what can be done is to
    check the number, and, if it is right, take it to the sponsor, who numbers the kits, and to
    the pharmacy's administrator, who may open every study and see where it was received
    ("ask an administrator", as it said, promised a step no one has)."""
    if owner not in reader:
        return _(
            "Kit {kit} is already recorded, in another study of this pharmacy, one you have no "
            "access to: a kit number is received once in the pharmacy, and this kit cannot be "
            "received under it. Check the number against the shipment's list and the kit's "
            "label; if it is right, tell the sponsor, and the pharmacy's administrator, who can "
            "see the study it is recorded in."
        ).format(kit=kit)
    protocol = session.scalar(select(StudyRecord.protocol).where(StudyRecord.id == owner))
    return _(
        "Kit {kit} is already recorded, in study {study}: a kit number is received once in the "
        "pharmacy. Check the number against the shipment's list."
    ).format(kit=kit, study=protocol)


def _seen_by(session: Session, kits: ColumnElement[bool], reader: Collection[int]) -> bool:
    """Whether the kits of a lot (`kits`, a condition on Kit) are of a study the user may
    open, or of none: a pharmacy's lots are shared by its studies (one row each), and what
    another sponsor's study received is not told to this one's user."""
    owners = {
        study or FIRST_STUDY
        for study in session.scalars(select(Kit.study_id).where(kits).distinct())
    }
    return not owners or not owners.isdisjoint(reader)


def _shipment_taken(number: str) -> str:
    """A shipment number this study recorded before (another study's is no concern of it)."""
    return _("Shipment {shipment} has already been received. Check the shipment number.").format(
        shipment=number
    )


def _lot_number(number: str) -> Refusal[ReceiveCheck]:
    return Refusal(
        ReceiveCheck.LOT_NUMBER,
        _(
            "{code} is a lot number, not a kit number: each kit is received under the number "
            "on its own label. Check the kit list (or the manifest's kit and lot columns) "
            "against the shipment's paperwork."
        ).format(code=number),
        InvalidInput,
    )


def _participant_number(number: str, taken: bool) -> Refusal[ReceiveCheck]:
    """A kit number that is a participant's study number (`taken`), or has the form of this
    study's participants' numbers and of none of its kits': a scan of the kit's label would
    find the participant, or could not tell the two apart."""
    if taken:
        said = _(
            "{code} is a participant's study number in this pharmacy, not a kit number: a scan "
            "of the kit would find the participant. Check the kit list (or the manifest's kit "
            "column) against the number on each kit's own label."
        )
    else:
        said = _(
            "{code} has the form of this study's participants' study numbers, not of its kit "
            "numbers: a scan could not tell the kit from a participant. Check the kit list (or "
            "the manifest's kit column) against the number on each kit's own label."
        )
    return Refusal(ReceiveCheck.PARTICIPANT_NUMBER, said.format(code=number), InvalidInput)


def _duplicate(number: str) -> Refusal[ReceiveCheck]:
    return Refusal(
        ReceiveCheck.DUPLICATE,
        _("Kit {kit} is listed twice in this shipment; check the list.").format(kit=number),
        InvalidInput,
    )


def _checked_line(
    ctx: Context, kit: KitIn, day: date, today: date
) -> tuple[KitIn, Refusal[ReceiveCheck] | None]:
    """Every field of a listed kit as the paperwork must give it (typed kits are not trusted
    more than a manifest line): the kit as it would be recorded, and why it is refused."""
    try:
        number = new_kit_number(kit.number)
        product = check_text(kit.product, N_("product"), limit=40)
    except InvalidInput as exc:
        return kit, Refusal(ReceiveCheck.KIT_FIELD, exc.message, InvalidInput)
    try:
        per_kit = ctx.study.product(product).tablets_per_kit  # refuses unknown products
    except RuleViolation as exc:
        return kit, Refusal(ReceiveCheck.PRODUCT_UNKNOWN, exc.message, type(exc))
    try:
        lot = normalise_code(kit.lot, _("lot number of kit {kit}").format(kit=number))
        expiry = check_date(kit.expiry, _("expiry of kit {kit}").format(kit=number))
    except InvalidInput as exc:
        return kit, Refusal(ReceiveCheck.KIT_FIELD, exc.message, InvalidInput)
    try:
        damaged = check_text(kit.damaged, N_("kit condition"), False, CONDITION_LIMIT)
    except InvalidInput as exc:
        return kit, Refusal(ReceiveCheck.KIT_FIELD, exc.message, InvalidInput)
    try:  # a code of its own: the receiving screen puts the cursor in its tablets field
        tablets = check_count(
            kit.tablets,
            _("number of {unit_word} in kit {kit}").format(
                unit_word=ctx.study.unit_words((product,)), kit=number
            ),
        )
    except InvalidInput as exc:
        return kit, Refusal(ReceiveCheck.TABLET_COUNT, exc.message, InvalidInput)
    read = KitIn(number, product, lot, expiry, tablets, damaged)
    if tablets == 0:
        message = _("Kit {kit} is listed with {none}; check the count.").format(
            kit=number, none=ctx.study.units(product, 0)
        )
        return read, Refusal(ReceiveCheck.NO_TABLETS, message, InvalidInput)
    if tablets != per_kit:
        # A kit is made up at the depot with the study's count: another count is a typing
        # slip or a mis-packed kit, and an available kit of 210 or 19 tablets would be
        # dispensed (or refused at the counter) and counted in the accountability.
        refusal = _kit_count_refusal(number, tablets, ctx.study, product, per_kit)
        return read, Refusal(ReceiveCheck.KIT_COUNT, refusal)
    if expiry < day:
        return read, Refusal(
            ReceiveCheck.EXPIRED,
            _(
                "Kit {kit} (lot {lot}) expired on {expiry}. "
                "Do not receive expired stock: contact the sponsor."
            ).format(kit=number, lot=lot, expiry=expiry.isoformat()),
        )
    if expiry < today:  # a receipt entered late: not expired then, expired now
        return read, Refusal(
            ReceiveCheck.EXPIRED,
            _(
                "Kit {kit} (lot {lot}) expired on {expiry}, before today: expired stock is not "
                "received into stock. Set the kit aside and contact the sponsor about it."
            ).format(kit=number, lot=lot, expiry=expiry.isoformat()),
        )
    return read, None


def _kit_count_refusal(kit: str, count: int, study: Study, product: str, per_kit: int) -> str:
    """A kit whose count is not the study's: what to check, and who decides. Each count in
    its product's word (Study.units: "280 capsules", 280粒): a capsule kit was "listed with 280
    tablets"."""
    return _(
        "Kit {kit} is listed with {listed}, but a kit of {product} holds {per_kit} (the study "
        "file). Check the count against the kit and the shipment's paperwork and correct it; if "
        "the kit really holds {listed}, do not receive it: contact the sponsor or depot."
    ).format(
        kit=kit,
        listed=study.units(product, count),
        product=study.product_name(product),
        per_kit=study.units(product, per_kit),
    )


def _recorded_lot(session: Session, product: str, number: str) -> Lot | None:
    """The lot of this number (upper case) recorded for the product: the one recorded so, else
    one recorded in another case before lot numbers were upper-cased (a database may hold
    'ht2611a'): a kit of it joins that lot, never a second lot of one number."""
    return session.scalar(
        select(Lot)
        .where(Lot.product == product, func.upper(Lot.number) == number)
        .order_by((Lot.number == number).desc(), Lot.id)
        .limit(1)
    )


def _lot_products(session: Session, ctx: Context, numbers: Collection[str]) -> dict[str, list[str]]:
    """The product each of these lot numbers (upper case) is recorded for among the study's
    kits (two, first recorded first, where an older release let one number be recorded for two:
    a kit of either still joins its lot)."""
    found: dict[str, list[str]] = {}
    wanted = sorted(numbers)
    for start in range(0, len(wanted), 500):
        for number, product in session.execute(
            select(func.upper(Lot.number), Lot.product)
            .where(
                func.upper(Lot.number).in_(wanted[start : start + 500]),
                Lot.id.in_(select(Kit.lot_id).where(Kit.study_id == ctx.study_id)),
            )
            .order_by(Lot.id)
        ):
            if product not in found.setdefault(number, []):
                found[number].append(product)
    return found


def _lot_product_refusal(ctx: Context, kit: KitIn, owner: str) -> str:
    """A kit listed under a lot number that is another product's (recorded in the study, or on
    an earlier line of the list): the product the lot belongs to named, and what to check."""
    return _(
        "Lot {lot} is a lot of {owner}, but kit {kit} is listed as {product}: a lot number "
        "belongs to one product. Check the kit's lot number and product on the manifest (or as "
        "typed) against the kit's label; if they are right, contact the sponsor."
    ).format(
        lot=kit.lot,
        owner=ctx.study.product_name(owner),
        kit=kit.number,
        product=ctx.study.product_name(kit.product),
    )


def _lot(session: Session, kit_in: KitIn) -> Lot:
    lot = _recorded_lot(session, kit_in.product, kit_in.lot)
    if lot is None:
        lot = Lot(product=kit_in.product, number=kit_in.lot, expiry=kit_in.expiry)
        session.add(lot)
        session.flush()
    return lot


def _check_lot_expiry(session: Session, lot: Lot, kit_in: KitIn, reader: Collection[int]) -> None:
    """A lot has one expiry: in the records, and across the lines of one manifest; another
    study's lot is refused as _plan_receipt refuses it."""
    if lot.expiry != kit_in.expiry:
        raise RuleViolation(
            _lot_expiry_refusal(kit_in.lot, lot.expiry, kit_in.number, kit_in.expiry)
            if _seen_by(session, Kit.lot_id == lot.id, reader)
            else _hidden_lot_refusal(kit_in.lot, kit_in.number, kit_in.expiry)
        )


def _hidden_lot_refusal(lot: str, kit: str, says: date) -> str:
    """A lot recorded only in studies the user may not open, with another expiry: a lot has
    one expiry in the pharmacy (one row), so the kit is refused. Said without that study and
    without a word of expiries (`says` is not said): "with another expiry than the 2028-03-31
    kit says" pointed the user at the expiry another sponsor's study recorded, to be tried
    date by date. What they may be told: the lot number is in use in a study they cannot
    open; the sponsor confirms the number, and the pharmacy's administrator (who may open
    every study) sees where it is recorded."""
    return _(
        "Kit {kit} cannot be received under lot {lot}: that lot number is in use in another "
        "study of this pharmacy, one you cannot open. Check the lot number with the sponsor; "
        "if it is right, contact the pharmacy's administrator."
    ).format(lot=lot, kit=kit)


def _lot_expiry_refusal(lot: str, recorded: date, kit: str, says: date) -> str:
    return _(
        "Lot {lot} is recorded with expiry {recorded}, but kit {kit} says {says}. Check the "
        "paperwork with the sponsor."
    ).format(lot=lot, recorded=recorded.isoformat(), kit=kit, says=says.isoformat())
