"""Receiving a shipment: kits by range or from the sponsor's CSV manifest, one transaction."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import write_transaction
from dispensary.db.models import Kit, Lot, Shipment
from dispensary.domain.codes import KitStatus, MovementKind
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import (
    check_count,
    check_date,
    check_flag,
    check_not_future,
    check_text,
    normalise_kit_number,
    parse_date,
    parse_whole,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import stock_movement
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import require
from dispensary.services.results import ReceiveResult

MAX_KITS = 5000
RANGE = re.compile(r"^([A-Z0-9._-]*?)(\d+)\s*-\s*([A-Z0-9._-]*?)(\d+)$")


@dataclass(frozen=True)
class KitIn:
    """One kit as the shipment paperwork lists it."""

    number: str
    product: str
    lot: str
    expiry: date
    tablets: int


def expand_range(text: str) -> list[str]:
    """'K0001-K0050' -> K0001 ... K0050 (same prefix and width); a single number is one kit."""
    raw = text.strip().upper()
    match = RANGE.match(raw)
    if not match:
        return [normalise_kit_number(raw)]
    prefix, start, prefix2, end = match.groups()
    if prefix != prefix2 or len(start) != len(end):
        raise InvalidInput(
            f"'{text[:60]}' is not a kit range: write it as K0001-K0050 (same prefix, same width)."
        )
    first, last = int(start), int(end)
    if last < first:
        raise InvalidInput(f"The kit range {raw} runs backwards; write the lower number first.")
    if last - first + 1 > MAX_KITS:
        raise InvalidInput(f"The range {raw} has more than {MAX_KITS} kits; split the shipment.")
    return [normalise_kit_number(f"{prefix}{n:0{len(start)}d}") for n in range(first, last + 1)]


def parse_manifest(
    text: str,
    default_product: str | None = None,
    lot: str | None = None,
    expiry: date | None = None,
    tablets: int | None = None,
) -> list[KitIn]:
    """The sponsor's CSV: kit,lot,expiry,tablets[,product]; a bad line is named by its number.
    The defaults (the receiving options) fill a missing column and its empty cells."""
    defaults = {
        "product": default_product or "",
        "lot": lot or "",
        "expiry": expiry.isoformat() if expiry else "",
        "tablets": str(tablets) if tablets is not None else "",
    }
    try:
        return _parse_manifest(text, defaults)
    except csv.Error as exc:  # NUL bytes, a stray carriage return, a field past the limit
        raise InvalidInput(f"The manifest is not a CSV file that can be read ({exc}).") from exc


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
                f"The manifest's header names the column '{name[:40]}' twice (columns "
                f"{columns[name] + 1} and {position + 1}); keep one and receive it again."
            )
        columns[name] = position
    return columns


def _kit_line(values: dict[str, str]) -> KitIn:
    """One kit of the manifest; numbers and dates as the domain reads them everywhere (digits
    0-9, YYYY-MM-DD in the plausible window)."""
    expiry = parse_date(values["expiry"], "expiry")
    tablets = parse_whole(values["tablets"], "tablet count")
    product = values.get("product")
    if not product:
        raise InvalidInput("no product; add a product column.")
    number = normalise_kit_number(values["kit"])
    lot = check_text(values["lot"], "lot number", limit=60)
    return KitIn(number, product, lot, expiry, tablets)


def _parse_manifest(text: str, defaults: dict[str, str]) -> list[KitIn]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    columns = _header(next(reader, []))
    needed = {"kit", "lot", "expiry", "tablets"}
    missing = sorted(needed - set(columns) - {k for k, v in defaults.items() if v})
    if missing:
        raise InvalidInput(
            "The manifest must be a CSV file with a header line naming the columns "
            f"kit, lot, expiry, tablets (and product); missing: {', '.join(missing)}."
        )
    kits: list[KitIn] = []
    for row in reader:
        line_no = reader.line_num  # counts the blank lines the reader skips
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        values = {
            name: (cells[at] if at < len(cells) else "") or defaults.get(name, "")
            for name, at in columns.items()
        } | {name: v for name, v in defaults.items() if name not in columns}
        try:
            kits.append(_kit_line(values))
        except InvalidInput as exc:
            raise InvalidInput(f"Manifest line {line_no}: {exc.message}") from exc
        if len(kits) > MAX_KITS:
            raise InvalidInput(f"The manifest has more than {MAX_KITS} kits; split it.")
    if not kits:
        raise InvalidInput("The manifest lists no kits.")
    return kits


def kits_from_range(
    ctx: Context, kit_range: str, product: str, lot: str, expiry: date, tablets: int | None
) -> list[KitIn]:
    per_kit = ctx.study.product(product).tablets_per_kit if tablets is None else tablets
    return [KitIn(n, product, lot, expiry, per_kit) for n in expand_range(kit_range)]


def receive_shipment(
    ctx: Context,
    actor: Actor,
    shipment: str,
    kits: Sequence[KitIn],
    received_on: date | None = None,
    condition: str = "intact",
    temperature_ok: bool = True,
    location: str | None = None,
) -> ReceiveResult:
    """Adds the kits to stock; a shipment whose temperature record fails goes to quarantine."""
    require(actor, "receive")
    today = ctx.clock.today()
    day = check_not_future(received_on, today, "date received")
    number = check_text(shipment, "shipment number", limit=60)
    condition_text = check_text(condition, "condition", limit=200)
    place = check_text(
        ctx.study.storage_area if location is None else location, "storage location", limit=80
    )
    if isinstance(kits, str) or not all(isinstance(k, KitIn) for k in kits):
        raise InvalidInput("List the shipment's kits (by range or from the manifest).")
    if not kits:
        raise InvalidInput("A shipment needs at least one kit.")
    kits = [_checked_kit(ctx, kit, day) for kit in kits]
    numbers = [k.number for k in kits]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise InvalidInput(f"Kit {duplicates[0]} is listed twice in this shipment; check the list.")
    status = (
        KitStatus.AVAILABLE
        if check_flag(temperature_ok, "temperature record acceptable")
        else KitStatus.QUARANTINED
    )

    with write_transaction(ctx.engine) as session:
        if session.scalar(select(Shipment).where(Shipment.number == number)):
            raise RuleViolation(
                f"Shipment {number} has already been received. Check the shipment number."
            )
        existing = set(session.scalars(select(Kit.number).where(Kit.number.in_(numbers))))
        if existing:
            raise RuleViolation(
                f"Kit {sorted(existing)[0]} is already in stock; a kit number is received once. "
                "Check the label or the manifest."
            )
        rec = Recorder(session, actor, ctx.clock.now())
        record = Shipment(
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
        for kit_in in kits:
            lot = lots.get((kit_in.product, kit_in.lot)) or _lot(session, kit_in)
            lots[(kit_in.product, kit_in.lot)] = lot
            _check_lot_expiry(lot, kit_in)
            stock_kit = Kit(
                number=kit_in.number,
                lot_id=lot.id,
                shipment_id=record.id,
                product=kit_in.product,
                tablets=kit_in.tablets,
                status=status.value,
                location=place,
            )
            session.add(stock_kit)
            session.flush()
            rec.ledger(
                stock_movement(
                    stock_kit, MovementKind.RECEIVE, kit_in.tablets, day, f"shipment {number}"
                )
            )
        total = sum(k.tablets for k in kits)
        rec.audit(
            "receive",
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
            },
        )
        return ReceiveResult(number, day, tuple(numbers), total, not temperature_ok)


def _checked_kit(ctx: Context, kit: KitIn, day: date) -> KitIn:
    """Every field of a listed kit as the paperwork must give it (typed kits are not trusted
    more than a manifest line)."""
    number = normalise_kit_number(kit.number)
    product = check_text(kit.product, "product", limit=40)
    ctx.study.product(product)  # refuses unknown products
    lot = check_text(kit.lot, f"lot number of kit {number}", limit=60)
    expiry = check_date(kit.expiry, f"expiry of kit {number}")
    tablets = check_count(kit.tablets, f"tablet count of kit {number}")
    if tablets == 0:
        raise InvalidInput(f"Kit {number} has no tablets; check the count.")
    if expiry < day:
        raise RuleViolation(
            f"Kit {number} (lot {lot}) expired on {expiry.isoformat()}. "
            "Do not receive expired stock: contact the sponsor."
        )
    return KitIn(number, product, lot, expiry, tablets)


def _lot(session: Session, kit_in: KitIn) -> Lot:
    lot = session.scalar(select(Lot).where(Lot.product == kit_in.product, Lot.number == kit_in.lot))
    if lot is None:
        lot = Lot(product=kit_in.product, number=kit_in.lot, expiry=kit_in.expiry)
        session.add(lot)
        session.flush()
    return lot


def _check_lot_expiry(lot: Lot, kit_in: KitIn) -> None:
    """A lot has one expiry: in the records, and across the lines of one manifest."""
    if lot.expiry != kit_in.expiry:
        raise RuleViolation(
            f"Lot {kit_in.lot} is recorded with expiry {lot.expiry.isoformat()}, but kit "
            f"{kit_in.number} says {kit_in.expiry.isoformat()}. Check the paperwork with the sponsor."
        )
