"""Receiving: kits by range or manifest, and every reason to refuse a shipment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from dispensary.domain.codes import KitStatus, MovementKind
from dispensary.domain.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import audit, queries, receiving
from dispensary.services.assessment import ReceiveCheck, ReceiveRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.receiving import KitIn

from .helpers import LATE, N25, N75, P25, P75, dispense, enroll, receive, scalar, sql

Refused = Callable[..., Any]


def test_receive_a_range(ctx: Context, technician: Actor) -> None:
    result = receive(ctx, technician, "K0001-K0010", "L1", LATE)
    assert result.kits == tuple(f"K{n:04d}" for n in range(1, 11))
    assert (result.tablets, result.quarantined, result.received_on) == (
        210,
        False,
        ctx.clock.today(),
    )
    stock = queries.inventory(ctx, technician)
    assert {(k.number, k.lot, k.expiry, k.status, k.tablets) for k in stock} == {
        (f"K{n:04d}", "L1", LATE, KitStatus.AVAILABLE, 21) for n in range(1, 11)
    }
    assert {k.location for k in stock} == {ctx.study.storage_area}
    ledger = queries.ledger_rows(ctx, technician)
    assert [(r.kind, r.quantity) for r in ledger] == [(MovementKind.RECEIVE.value, 21)] * 10
    assert {r.reason for r in ledger} == {"shipment SH-K0001-K0010"}
    entries = audit.list_entries(ctx, technician, action="receive")
    assert [e.entity_id for e in entries] == ["SH-K0001-K0010"]
    assert audit.verify(ctx, technician).ok


def test_range_uses_the_kit_size_of_the_product(ctx: Context, technician: Actor) -> None:
    receive(ctx, technician, "S01-S03", "S1", LATE, product=P25)
    assert {k.tablets for k in queries.inventory(ctx, technician)} == {42}


def test_receive_a_manifest(ctx: Context, pharmacist: Actor) -> None:
    manifest = (
        "\ufeffKit,Lot,Expiry,Tablets,Product\n"
        f"A-1,L1,2027-06-30,21,{P75}\n"
        "\n"
        f"a-2 , L9 ,2027-03-31,42,{P25}\n"
    )
    kits = receiving.parse_manifest(manifest)
    assert kits == [
        KitIn("A-1", P75, "L1", date(2027, 6, 30), 21),
        KitIn("A-2", P25, "L9", date(2027, 3, 31), 42),
    ]
    result = receiving.receive_shipment(
        ctx, pharmacist, "DEPOT-77", kits, condition="box dented, kits intact", location="Fridge 2"
    )
    assert result.tablets == 63
    rows = {k.number: k for k in queries.inventory(ctx, pharmacist)}
    assert (rows["A-2"].product, rows["A-2"].lot, rows["A-2"].location) == (P25, "L9", "Fridge 2")


def test_manifest_without_product_column_takes_the_default() -> None:
    kits = receiving.parse_manifest("kit,lot,expiry,tablets\nK1,L1,2027-01-31,21\n", P75)
    assert kits[0].product == P75


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kit,lot,tablets\nK1,L1,21\n", "missing: expiry"),
        (
            "kit,lot,expiry,tablets\nK1,L1,2027-01-31,21\nK2,L1,31/01/2027,21\n",
            "Manifest line 3: '31/01/2027' is not an expiry date",
        ),
        (
            "kit,lot,expiry,tablets\nK1,L1,2027-01-31,twenty\n",
            "Manifest line 2: 'twenty' is not a whole number",
        ),
        (
            "kit,lot,expiry,tablets\nK1,L1,2027-01-31,21\n\nK 2,L1,2027-01-31,21\n",
            "Manifest line 4: 'K 2' is not a kit number",
        ),
        ("kit,lot,expiry,tablets\nK1,,2027-01-31,21\n", "Manifest line 2: Give the lot number"),
        ("kit,lot,expiry,tablets\n", "The manifest lists no kits"),
        (  # an unquoted comma shifts the cells: tablets 21 read from the wrong column
            "kit,lot,expiry,tablets\nK1,L1,2027-01-31,21\nK2,Lot A,1,2027-01-31,21\n",
            "Manifest line 3 has 5 cells where the header names 4",
        ),
    ],
)
def test_bad_manifest_lines_are_named(
    ctx: Context, refused: Refused, text: str, words: str
) -> None:
    with refused(ctx, InvalidInput, words):
        receiving.parse_manifest(text, P75)


def test_manifest_line_without_product(ctx: Context, refused: Refused) -> None:
    with refused(ctx, InvalidInput, "Manifest line 2: no product"):
        receiving.parse_manifest("kit,lot,expiry,tablets\nK1,L1,2027-01-31,21\n")


def test_kit_already_in_stock_is_refused(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    receive(ctx, pharmacist, "K0001-K0010")
    with refused(ctx, RuleViolation, "Kit K0010 is already in stock"):
        receive(ctx, pharmacist, "K0010-K0012", shipment="SH-2")


def test_a_participant_s_study_number_is_not_received_as_a_kit(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """The participants' rule the other way round: enrolling a kit's number is refused (a
    scan would find the kit), and a kit received under a participant's number was not (a scan
    of the kit found the participant). Nor a number of the participants' form no kit has."""
    receive(ctx, pharmacist, "K0001-K0002")
    enroll(ctx, pharmacist, "01-001")
    taken = [KitIn("K0003", P75, "L1", LATE, 21), KitIn("01-001", P75, "L1", LATE, 21)]
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-P", taken))
    assert [(line.number, line.code) for line in found.lines] == [
        ("K0003", None),
        ("01-001", ReceiveCheck.PARTICIPANT_NUMBER),
    ]
    said = "01-001 is a participant's study number in this pharmacy, not a kit number"
    assert found.refusals[0].message.startswith(said)
    with refused(ctx, InvalidInput, said):
        receiving.receive_shipment(ctx, pharmacist, "SH-P", taken)
    alike = [KitIn("01-050", P75, "L1", LATE, 21)]
    with refused(ctx, InvalidInput, "01-050 has the form of this study's participants' study"):
        receiving.receive_shipment(ctx, pharmacist, "SH-P", alike)
    with speaking(Language.ZH_CN), refused(ctx, InvalidInput, "01-001 是本药房受试者的研究编号"):
        receiving.receive_shipment(ctx, pharmacist, "SH-P", taken)
    # The kits' own numbers are received as before.
    assert receive(ctx, pharmacist, "K0003-K0004", shipment="SH-P").kits == ("K0003", "K0004")


def test_kit_listed_twice_in_one_shipment(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    kits = [KitIn("K1", P75, "L1", LATE, 21), KitIn("K1", P75, "L1", LATE, 21)]
    with refused(ctx, InvalidInput, "Kit K1 is listed twice"):
        receiving.receive_shipment(ctx, pharmacist, "SH-1", kits)


def test_shipment_received_twice_is_refused(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0001-K0002", shipment="SH-1")
    with refused(ctx, RuleViolation, "Shipment SH-1 has already been received"):
        receive(ctx, pharmacist, "K0003-K0004", shipment="SH-1")


def test_expired_kit_is_refused(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    yesterday = ctx.clock.today() - timedelta(days=1)
    with refused(ctx, RuleViolation, "Kit K0002 (lot OLD) expired on 2026-01-04"):
        receiving.receive_shipment(
            ctx,
            pharmacist,
            "SH-1",
            [KitIn("K0001", P75, "L1", LATE, 21), KitIn("K0002", P75, "OLD", yesterday, 21)],
        )


def test_kit_expiring_today_is_received(ctx: Context, pharmacist: Actor) -> None:
    """It is still in date today (it may be destroyed or returned to the sponsor tomorrow)."""
    result = receive(ctx, pharmacist, "K0001", "L1", ctx.clock.today())
    assert result.kits == ("K0001",)
    [kit] = queries.inventory(ctx, pharmacist)
    assert (kit.number, kit.status, kit.expiry) == ("K0001", KitStatus.AVAILABLE, ctx.clock.today())


def test_lot_with_another_expiry_is_refused(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0001-K0002", "L1", LATE)
    with refused(ctx, RuleViolation, "Lot L1 is recorded with expiry 2027-06-30, but kit K0003"):
        receive(ctx, pharmacist, "K0003", "L1", date(2027, 7, 31))


def test_lot_with_two_expiries_in_one_manifest_is_refused(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    kits = [KitIn("K1", P75, "L1", LATE, 21), KitIn("K2", P75, "L1", date(2027, 7, 31), 21)]
    with refused(ctx, RuleViolation, "Lot L1 is recorded with expiry 2027-06-30, but kit K2"):
        receiving.receive_shipment(ctx, pharmacist, "SH-1", kits)


def test_same_lot_number_of_another_product_is_refused(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """It was recorded as a second lot of one number: the lot's accountability and its trace
    mixed two products (test_receiving_review_a names the product the lot belongs to)."""
    receive(ctx, pharmacist, "K0001", "L1", LATE)
    with refused(ctx, RuleViolation, f"Lot L1 is a lot of {N75}, but kit S0001 is listed as"):
        receive(ctx, pharmacist, "S0001", "L1", date(2027, 1, 31), product=P25)
    assert {(k.product, k.expiry) for k in queries.inventory(ctx, pharmacist)} == {(P75, LATE)}


def test_failed_temperature_record_quarantines_the_shipment(
    ctx: Context, pharmacist: Actor
) -> None:
    result = receive(ctx, pharmacist, "K0001-K0003", temperature_ok=False)
    assert result.quarantined
    assert {k.status for k in queries.inventory(ctx, pharmacist)} == {KitStatus.QUARANTINED}
    # Quarantined stock is on the books (received) but cannot be handed out.
    assert sum(r.quantity for r in queries.ledger_rows(ctx, pharmacist)) == 63


def test_unknown_product_is_refused(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    with refused(ctx, NotFound, "Product 'aspirin' is not in study NCT07198672"):
        receiving.receive_shipment(
            ctx, pharmacist, "SH-1", [KitIn("K1", "aspirin", "L1", LATE, 21)]
        )


@pytest.mark.parametrize(
    ("kits", "options", "error", "words"),
    [
        ([], {}, InvalidInput, "A shipment needs at least one kit"),
        ([KitIn("K1", P75, "L1", LATE, 0)], {}, InvalidInput, "Kit K1 is listed with 0 tablets"),
        ([KitIn("K1", P75, "L1", LATE, -3)], {}, InvalidInput, "cannot be negative"),
        (
            [KitIn("K1", P75, "L1", LATE, 21)],
            {"received_on": date(2026, 1, 6)},
            InvalidInput,
            "date received 2026-01-06 is in the future",
        ),
        (
            [KitIn("K1", P75, "L1", LATE, 21)],
            {"condition": " "},
            InvalidInput,
            "Give the condition",
        ),
    ],
)
def test_malformed_shipments_are_refused(
    ctx: Context,
    pharmacist: Actor,
    refused: Refused,
    kits: list[KitIn],
    options: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        receiving.receive_shipment(ctx, pharmacist, "SH-1", kits, **options)


def test_shipment_number_is_required(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    with refused(ctx, InvalidInput, "Give the shipment number"):
        receiving.receive_shipment(ctx, pharmacist, "  ", [KitIn("K1", P75, "L1", LATE, 21)])


def test_kit_ranges() -> None:
    assert receiving.expand_range("k0008-k0011") == ["K0008", "K0009", "K0010", "K0011"]
    assert receiving.expand_range("K0008 - K0008") == ["K0008"]
    assert receiving.expand_range("X12") == ["X12"]
    with pytest.raises(InvalidInput, match="runs backwards"):
        receiving.expand_range("K0010-K0001")
    with pytest.raises(InvalidInput, match="same prefix, same width"):
        receiving.expand_range("K0001-J0010")
    with pytest.raises(InvalidInput, match="same prefix, same width"):
        receiving.expand_range("K001-K0010")
    with pytest.raises(InvalidInput, match="more than 5000 kits"):
        receiving.expand_range("K00001-K09999")


def test_a_kit_range_typed_in_full_width_is_the_range_it_reads() -> None:
    """A Chinese input method in full-width mode types "Ｋ９００１－Ｋ９００３": it was not seen as
    a range but made one kit numbered K9001-K9003 (a kit number may hold '-'), received as one
    kit of 21 tablets where three were in the box. Read as it reads, as a kit number is."""
    assert receiving.expand_range("Ｋ９００１－Ｋ９００３") == ["K9001", "K9002", "K9003"]
    assert receiving.expand_range("ｋ９００１　－　ｋ９００２") == ["K9001", "K9002"]
    with pytest.raises(InvalidInput, match="runs backwards"):
        receiving.expand_range("Ｋ９００３－Ｋ９００１")


HOW_A_RANGE_IS_WRITTEN = "Give a range by its first and last kit, as K0001-K0050"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("K1400-", HOW_A_RANGE_IS_WRITTEN),  # a range missing its end
        ("k1400 -", HOW_A_RANGE_IS_WRITTEN),
        ("-K1400", HOW_A_RANGE_IS_WRITTEN),
        ("K1400-K1405-", HOW_A_RANGE_IS_WRITTEN),
        ("K1400.", HOW_A_RANGE_IS_WRITTEN),
        ("K1400--K1405", "write it as K0001-K0050 (same prefix, same width)"),
        ("K1400-J1405", "write it as K0001-K0050 (same prefix, same width)"),
        ("K1405-K1400", "runs backwards; write the lower number first"),
    ],
)
def test_a_malformed_range_is_refused_not_received_as_a_kit(
    ctx: Context, pharmacist: Actor, refused: Refused, text: str, words: str
) -> None:
    """'K1400-' was received as kit K1400-: a second record of kit K1400 once it came too."""
    with refused(ctx, InvalidInput, words):
        receive(ctx, pharmacist, text)


@pytest.mark.parametrize("number", ["K1400-", "-K1400", "K1400_"])
def test_a_kit_number_with_a_separator_at_an_end_is_refused_however_listed(
    ctx: Context, pharmacist: Actor, refused: Refused, number: str
) -> None:
    """The manifest and a kit listed as it is (the receive screen's lines) meet the same rule."""
    manifest = f"kit,lot,expiry,tablets\nK1399,L1,2027-01-31,21\n{number},L1,2027-01-31,21\n"
    with refused(ctx, InvalidInput, f"Manifest line 3: '{number}' is not a kit number"):
        receiving.parse_manifest(manifest, P75)
    listed = ReceiveRequest("SH-1", [KitIn(number, P75, "L1", LATE, 21)])
    [line] = receiving.assess_receive(ctx, pharmacist, listed).lines
    assert not line.accepted and HOW_A_RANGE_IS_WRITTEN in line.message
    with refused(ctx, InvalidInput, HOW_A_RANGE_IS_WRITTEN):
        receiving.receive_shipment(ctx, pharmacist, "SH-1", [KitIn(number, P75, "L1", LATE, 21)])


@pytest.mark.parametrize("who", ["monitor", "admin"])
def test_only_pharmacy_staff_receive(
    ctx: Context, who: str, request: pytest.FixtureRequest, refused: Refused
) -> None:
    actor: Actor = request.getfixturevalue("monitor" if who == "monitor" else "admin")
    with refused(ctx, NotPermitted, f"{actor.username} ({actor.role.value}) may not receive stock"):
        receive(ctx, actor)


@pytest.mark.parametrize(
    ("product", "tablets", "per_kit"),
    [(P75, 210, 21), (P75, 99999, 21), (P75, 19, 21), (P25, 21, 42)],
)
def test_a_kit_count_other_than_the_study_files_is_refused_at_receipt(
    ctx: Context, pharmacist: Actor, refused: Refused, product: str, tablets: int, per_kit: int
) -> None:
    """A kit of 210 (or 19) tablets of a 21-tablet product was received as available: the DARF
    gained the tablets, a dispense used it. The study file's count per kit is the kit's."""
    kits = [
        KitIn("K7201", product, "HT2611A", LATE, per_kit),
        KitIn("K7202", product, "HT2611A", LATE, tablets),
    ]
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-C1", kits))
    assert [line.accepted for line in found.lines] == [True, False]
    assert found.lines[1].code == ReceiveCheck.KIT_COUNT
    message = found.lines[1].message
    assert f"Kit K7202 is listed with {tablets} tablets" in message
    named = {P75: N75, P25: N25}[product]  # as the reader names it
    assert f"a kit of {named} holds {per_kit} tablets (the study file)" in message
    assert "contact the sponsor or depot" in message
    with refused(ctx, RuleViolation, "Kit K7202 is listed with"):
        receiving.receive_shipment(ctx, pharmacist, "SH-C1", kits)
    assert queries.inventory(ctx, pharmacist) == []


def test_the_manifest_s_columns_not_read_are_named() -> None:
    """'Shipped Qty' and 'Comment' were dropped without a word."""
    manifest = receiving.read_manifest(
        "\ufeffKit,Lot,Expiry,Tablets,Product,Shipped Qty,Comment\n"
        f'K7001,HT2611A,2027-10-31,21,{P75},1,"box dented, ok"\n'
    )
    assert [k.number for k in manifest.kits] == ["K7001"]
    assert manifest.ignored == ("Shipped Qty", "Comment")
    assert manifest.note.startswith(
        "The manifest's columns 'Shipped Qty', 'Comment' are not read by the program"
    )
    plain = receiving.read_manifest(f"kit,lot,expiry,tablets,product\nK1,L1,2027-10-31,21,{P75}\n")
    assert (plain.ignored, plain.note) == ((), "")


def test_lot_and_shipment_numbers_are_upper_cased_and_found_in_any_case(
    ctx: Context, pharmacist: Actor, pw: Callable[[Actor], str], refused: Refused
) -> None:
    """'ht2611a' was a second lot beside HT2611A, missed by `inventory --lot HT2611A` and
    `trace HT2611A`; 'sh-m1' a second shipment beside SH-M1."""
    receiving.receive_shipment(ctx, pharmacist, "SH-M1", [KitIn("K7001", P75, "HT2611A", LATE, 21)])
    receiving.receive_shipment(ctx, pharmacist, "sh-m2", [KitIn("K7002", P75, "ht2611a", LATE, 21)])
    rows = queries.inventory(ctx, pharmacist)
    assert {(k.number, k.lot) for k in rows} == {("K7001", "HT2611A"), ("K7002", "HT2611A")}
    assert [k.number for k in queries.shipment_kits(ctx, pharmacist, "sh-m2")] == ["K7002"]
    assert scalar(ctx, "SELECT count(*) FROM lots") == 1
    with refused(ctx, RuleViolation, "Shipment SH-M1 has already been received"):
        receiving.receive_shipment(ctx, pharmacist, "sh-m1", [KitIn("K7003", P75, "L", LATE, 21)])

    # A lot recorded in lower case before: a kit of it joins it; found by any case.
    receiving.receive_shipment(ctx, pharmacist, "SH-M3", [KitIn("K7101", P75, "lx", LATE, 21)])
    sql(ctx, "UPDATE lots SET number = 'lx' WHERE number = 'LX'")
    receiving.receive_shipment(ctx, pharmacist, "SH-M4", [KitIn("K7102", P75, "Lx", LATE, 21)])
    assert scalar(ctx, "SELECT count(*) FROM lots") == 2
    for typed in ("LX", "lx", " Lx "):
        found = queries.inventory(ctx, pharmacist, lot=typed)
        assert [k.number for k in found] == ["K7101", "K7102"]
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist), kits=["K7102"])
    assert [row.kits for row in queries.lot_trace(ctx, pharmacist, "LX")] == [("K7102",)]
    assert {r.kit for r in queries.ledger_rows(ctx, pharmacist, lot="lx")} == {"K7101", "K7102"}


def test_a_lot_that_cannot_cover_a_cycle_is_received_with_a_warning_and_not_dispensable(
    ctx: Context, pharmacist: Actor, clock: FixedClock, pw: Callable[[Actor], str]
) -> None:
    """Expiry 2026-12-15 received 2026-12-05, cycles of 21 days: received silently, counted
    available to dispense, and refused by every dispense."""
    clock.set_date(date(2026, 12, 5))
    short = [KitIn(f"K72{n:02d}", P75, "HT2612S", date(2026, 12, 15), 21) for n in (1, 2)]
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-S", short))
    assert found.accepted
    [warning] = found.warnings
    assert warning.startswith(
        "Lot HT2612S expires 2026-12-15, before the supply of a cycle dispensed today must last"
    )
    assert "every dispense will refuse its kits. Contact the sponsor" in warning
    result = receiving.receive_shipment(ctx, pharmacist, "SH-S", short)
    assert result.warnings == found.warnings
    receive(ctx, pharmacist, "K0001", "L1", LATE)
    rows = {k.number: k for k in queries.inventory(ctx, pharmacist)}
    assert {n: (k.status, k.dispensable) for n, k in rows.items()} == {
        "K7201": (KitStatus.AVAILABLE, False),
        "K7202": (KitStatus.AVAILABLE, False),
        "K0001": (KitStatus.AVAILABLE, True),
    }
    assert receive(ctx, pharmacist, "K0002", "L1", LATE).warnings == ()
    enroll(ctx, pharmacist)
    with pytest.raises(RuleViolation, match="before the supply must last"):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K7201"], override_reason="x")


def test_a_gbk_manifest_is_read_as_gb18030_and_said() -> None:
    """Chinese Excel's CSV (GBK) was refused as not text."""
    data = f"kit,lot,expiry,tablets,product,备注\nK8301,HT2612Y,2027-10-31,21,{P75},完好\n"
    text, encoding = receiving.manifest_text(data.encode("gbk"))
    assert (text, encoding) == (data, "GB18030")
    assert receiving.encoding_note(encoding) == "Read as GB18030 text (Chinese Windows), not UTF-8."
    assert receiving.manifest_text(("\ufeff" + data).encode()) == (data, "UTF-8")
    assert receiving.encoding_note("UTF-8") == ""
    with pytest.raises(UnicodeDecodeError):
        receiving.manifest_text(data.encode("utf-16"))  # NULs: never read as GB18030


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            f"kit;lot;expiry;tablets;product\nK7921;HT2611M;2027-10-31;21;{P75}\n",
            "The header was read from line 1: 'kit;lot;expiry;tablets;product'. Its columns are "
            "separated by semicolons",
        ),
        (
            "药物编号,批号,有效期,片数\nK7931,HT2611N,2027-10-31,21\n",
            "The header was read from line 1: '药物编号,批号,有效期,片数'. Its columns are named "
            "in another language: name them kit, lot, expiry, tablets, product in the first line",
        ),
    ],
)
def test_a_header_without_the_columns_says_which_line_was_read_and_why(
    text: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        receiving.read_manifest(text, P75)
    assert "missing: expiry, kit, lot, tablets. " + words in refused.value.message
    with speaking(Language.ZH_CN), pytest.raises(InvalidInput) as refused:
        receiving.read_manifest(text, P75)
    assert "缺少：expiry、kit、lot、tablets。表头取自第 1 行：" in refused.value.message  # no space


def test_a_kit_received_before_and_gone_from_the_shelf_is_named_so(
    ctx: Context, pharmacist: Actor, pw: Callable[[Actor], str], refused: Refused
) -> None:
    """ "Kit K1005 is already in stock" of a kit destroyed (or dispensed) sent the user looking
    for it on the shelf."""
    receive(ctx, pharmacist, "K1005", "L1", LATE, shipment="SH-1")
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist), kits=["K1005"])
    kits = [KitIn("K1005", P75, "L1", LATE, 21)]
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-2", kits))
    said = (
        f"Kit K1005 was already received on {ctx.clock.today().isoformat()} (shipment SH-1) and "
        "is now dispensed: a kit number is received once."
    )
    assert found.lines[0].message.startswith(said)
    with refused(ctx, RuleViolation, said):
        receiving.receive_shipment(ctx, pharmacist, "SH-2", kits)
