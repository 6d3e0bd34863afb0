"""Receiving, as a reviewer found it: a manifest's Chinese condition words, a lot number of
another product, a month-only expiry, an empty manifest, and the words of a few messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.audit_actions import record_named
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import parse_expiry
from dispensary.i18n import Language, speaking
from dispensary.services import audit, labels, queries, receiving
from dispensary.services.assessment import ReceiveCheck, ReceiveRequest
from dispensary.services.context import Actor, Context

from .helpers import LATE, N75, P25, P75, receive, scalar, sql

Refused = Callable[..., Any]


def test_a_gbk_manifest_s_chinese_sound_words_receive_the_kits_onto_the_shelf(
    ctx: Context, pharmacist: Actor
) -> None:
    """完好 (the program's own word for intact), 良好 and 正常 in a condition column, 否 and 无
    in a damaged column, quarantined every kit as damaged: only English words were sound."""
    data = (
        "kit,lot,expiry,tablets,product,condition,damaged\n"
        f"K8401,HT2612Z,2027-10-31,21,{P75},完好,否\n"
        f"K8402,HT2612Z,2027-10-31,21,{P75},良好,无\n"
        f"K8403,HT2612Z,2027-10-31,21,{P75},正常,\n"
        f"K8404,HT2612Z,2027-10-31,21,{P75},破损,否\n"
    ).encode("gbk")
    text, encoding = receiving.manifest_text(data)
    assert encoding == "GB18030"
    manifest = receiving.read_manifest(text)
    assert [(k.number, k.damaged) for k in manifest.kits] == [
        ("K8401", ""),
        ("K8402", ""),
        ("K8403", ""),
        ("K8404", "condition: 破损"),
    ]
    receiving.receive_shipment(ctx, pharmacist, "SH-84", manifest.kits)
    stock = {k.number: k.status for k in queries.inventory(ctx, pharmacist)}
    assert stock == {
        "K8401": KitStatus.AVAILABLE,
        "K8402": KitStatus.AVAILABLE,
        "K8403": KitStatus.AVAILABLE,
        "K8404": KitStatus.QUARANTINED,
    }


def test_a_lot_number_of_another_product_is_refused_naming_its_product(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """HT2612A, a 7.5 mg lot, was accepted for a 2.5 mg kit: per-lot accountability and
    `trace HT2612A` then mixed two products' kits."""
    receive(ctx, pharmacist, "K9101-K9102", "HT2612A", LATE, product=P75)
    text = f"kit,lot,expiry,tablets,product\nK9201,HT2612A,{LATE.isoformat()},42,{P25}\n"
    kits = receiving.parse_manifest(text)
    said = (
        f"Lot HT2612A is a lot of {N75}, but kit K9201 is listed as herombopag (hetrombopag "
        "olamine) 2.5 mg tablet: a lot number belongs to one product. Check the kit's lot "
        "number and product on the manifest"
    )
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-92", kits))
    assert not found.accepted
    assert [(line.code, line.message[: len(said)]) for line in found.lines] == [
        (ReceiveCheck.LOT_PRODUCT, said)
    ]
    with refused(ctx, RuleViolation, said):
        receiving.receive_shipment(ctx, pharmacist, "SH-92", kits)
    assert scalar(ctx, "SELECT count(*) FROM lots") == 1
    with speaking(Language.ZH_CN), refused(ctx, RuleViolation, "一个批号只属于一个药品"):
        receiving.receive_shipment(ctx, pharmacist, "SH-92", kits)
    # Two lines of one list: the first line's product owns the number.
    both = [
        receiving.KitIn("K9301", P75, "HT2613B", LATE, 21),
        receiving.KitIn("K9302", P25, "HT2613B", LATE, 42),
    ]
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-93", both))
    assert [(line.number, line.code) for line in found.lines] == [
        ("K9301", None),
        ("K9302", ReceiveCheck.LOT_PRODUCT),
    ]
    # The lot's own product is received under it as before.
    receiving.receive_shipment(
        ctx, pharmacist, "SH-94", [receiving.KitIn("K9103", P75, "ht2612a", LATE, 21)]
    )
    assert scalar(ctx, "SELECT count(*) FROM lots") == 1
    # A number an older release recorded for both products: a kit of either joins its lot.
    receive(ctx, pharmacist, "K9501", "HT2612C", LATE, product=P25)
    sql(ctx, "UPDATE lots SET number = 'HT2612A' WHERE number = 'HT2612C'")
    receive(ctx, pharmacist, "K9502", "HT2612A", LATE, product=P25)
    receive(ctx, pharmacist, "K9104", "HT2612A", LATE, product=P75)
    assert scalar(ctx, "SELECT count(*) FROM lots") == 2


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2028-09", date(2028, 9, 30)),
        ("2028-02", date(2028, 2, 29)),
        ("2027-02", date(2027, 2, 28)),
        (" 2028-12 ", date(2028, 12, 31)),
        ("2028-06-15", date(2028, 6, 15)),
    ],
)
def test_an_expiry_may_be_given_as_the_month_labels_print(typed: str, day: date) -> None:
    assert parse_expiry(typed) == day


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2028-13", "'2028-13' is not an expiry date: there is no month 13"),
        ("2028/09", "'2028/09' is not an expiry date: write it as YYYY-MM-DD, or as YYYY-MM"),
        ("SEP 2028", "'SEP 2028' is not an expiry date"),
        ("2028-02-30", "'2028-02-30' is not a day of the calendar"),
        ("", "Give the expiry as YYYY-MM-DD."),
    ],
)
def test_an_expiry_that_is_no_date_says_how_to_write_it(typed: str, said: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_expiry(typed)
    assert refused.value.message.startswith(said), refused.value.message


def test_a_manifest_s_month_only_expiry_is_the_month_s_last_day(
    ctx: Context, pharmacist: Actor
) -> None:
    """A cell 2028-06 was refused "not a date", while the receiving screen took 2028-06."""
    kits = receiving.parse_manifest(f"kit,lot,expiry,tablets,product\nK9401,L94,2028-06,21,{P75}\n")
    assert [k.expiry for k in kits] == [date(2028, 6, 30)]
    receiving.receive_shipment(ctx, pharmacist, "SH-94", kits)
    assert [k.expiry for k in queries.inventory(ctx, pharmacist)] == [date(2028, 6, 30)]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\ufeff", " \r\n\t\n"])
def test_an_empty_manifest_is_said_to_be_empty(text: str) -> None:
    """ "missing: expiry, kit, lot. The header was read from line 0: ''" of an empty file."""
    with pytest.raises(InvalidInput) as refused:
        receiving.read_manifest(text, P75)
    message = refused.value.message
    assert message.startswith("The manifest file is empty: nothing was received. Choose the")
    assert "line 0" not in message and "missing" not in message
    with speaking(Language.ZH_CN), pytest.raises(InvalidInput) as refused:
        receiving.read_manifest(text, P75)
    assert refused.value.message.startswith("装箱单文件为空")


def test_one_column_not_read_is_named_in_the_singular_and_chinese_lists_take_the_enumeration_comma() -> (
    None
):
    manifest = receiving.read_manifest(
        f"kit,lot,expiry,tablets,product,备注\nK8301,HT2612Y,2027-10-31,21,{P75},完好\n"
    )
    assert manifest.note == (
        "The manifest's column '备注' is not read by the program (it reads kit, lot, expiry, "
        "tablets, product, condition): check what it says against the kits by hand."
    )
    with speaking(Language.ZH_CN):
        assert "kit、lot、expiry、tablets、product、condition" in manifest.note
        with pytest.raises(InvalidInput) as refused:
            receiving.read_manifest("kit,tablets\nK1,21\n", P75)
        assert "缺少：expiry、lot。" in refused.value.message
        with pytest.raises(InvalidInput) as refused:
            receiving.read_manifest("药物编号,批号\nK1,L1\n", P75)
        assert "kit、lot、expiry、tablets、product" in refused.value.message
        assert ", " not in refused.value.message.split("：", 1)[1]


def test_a_label_print_of_several_kits_is_named_by_its_kits_not_as_a_range(
    ctx: Context, technician: Actor
) -> None:
    """ "Kit labels K8001..K8005 (4)" read as a range with K8004 in it, a kit never received."""
    receive(ctx, technician, "K8001-K8003", "L80", LATE)
    receive(ctx, technician, "K8005", "L80", LATE)
    labels.record_label_print(ctx, technician, "kit", ["K8001", "K8002", "K8003", "K8005"], False)
    receive(ctx, technician, "K8101-K8112", "L81", LATE)
    twelve = [f"K81{n:02d}" for n in range(1, 13)]
    labels.record_label_print(ctx, technician, "kit", twelve, False)
    labels.record_label_print(ctx, technician, "kit", ["K8001"], True, reason="torn")
    entries = audit.list_entries(ctx, technician, action="label_printed")
    entries += audit.list_entries(ctx, technician, action="label_reprinted")
    named = [record_named(e.entity, e.entity_id, e.new) for e in entries]
    assert named == [
        "Kit labels of 4 kits: K8001, K8002, K8003, K8005",
        "Kit labels of 12 kits: K8101, K8102, K8103, K8104, K8105, K8106, K8107, K8108, …",
        "Kit labels K8001",
    ]
    with speaking(Language.ZH_CN):
        first = entries[0]
        assert record_named(first.entity, first.entity_id, first.new) == (
            "药盒标签（4 个药盒）：K8001、K8002、K8003、K8005"
        )
