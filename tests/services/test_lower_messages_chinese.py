"""What the services write for a reader, rather than for the records, comes out in the reader's
language (issue 13): a label refusal, where a kit is, a DARF note, the reconciliation's lot rows
and shelf sentence, a refused destruction certificate. What the records keep stays English."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.domain.codes import MovementKind
from dispensary.domain.errors import NotFound
from dispensary.i18n import Language, speaking
from dispensary.services import counts, queries, reconciliation, report_data
from dispensary.services import labels as label_prints
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import TECH_PASSWORD

Password = Callable[[Actor], str]
ZH = Language.ZH_CN


def test_a_label_refusal_is_said_in_chinese(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor
) -> None:
    number = cycle1.number
    with speaking(ZH), pytest.raises(label_prints.PrintRefused) as chinese:
        label_prints.plan_print(ctx, pharmacist, "dispense", [number], reprint=True)
    assert chinese.value.message == (
        f"{number} 的发放标签尚未打印：请正常打印，不要以补打方式打印。"
    )
    with speaking(ZH), pytest.raises(label_prints.ReprintReasonMissing) as reason:
        label_prints.reprint_reason(True, "")
    assert reason.value.message == "补打须记录原因：请填写原因。"
    with pytest.raises(label_prints.PrintRefused) as english:
        label_prints.plan_print(ctx, pharmacist, "dispense", [number], reprint=True)
    assert english.value.message.startswith(f"The dispense label of {number} has not been printed")


def test_a_label_print_is_recorded_in_english_whatever_the_language(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor
) -> None:
    with speaking(ZH):
        plan = label_prints.plan_print(ctx, pharmacist, "dispense", [cycle1.number])
        label_prints.record_label_print(ctx, pharmacist, plan.kind, plan.items, plan.reprint)
    with read_transaction(ctx.engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "label_printed")
        ).one()
        assert entry.entity == "dispense label"
        assert json.loads(entry.new)["items"] == [cycle1.number]


def test_where_a_kit_is_is_said_in_chinese(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor
) -> None:
    kit = cycle1.kits[0].kit
    with speaking(ZH):
        [chinese] = [k for k in queries.inventory(ctx, pharmacist) if k.number == kit]
    assert chinese.where.startswith(f"在受试者 {cycle1.participant} 处（")
    assert chinese.where.endswith(f"2026-01-05 的 {cycle1.number}）")
    [english] = [k for k in queries.inventory(ctx, pharmacist) if k.number == kit]
    assert english.where.startswith(f"with participant {cycle1.participant} (")


def test_a_kit_held_for_the_monitor_is_said_in_chinese_without_a_space_inside_the_words(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """It read "由 01-002 退回，在 试验药物库房1 为监查员留存" (a space between two Chinese
    words), cut in the inventory's narrow column before its point."""
    from dispensary.services import returns

    kit = cycle1.kits[0].kit
    returns.record_return(ctx, pharmacist, kit, 2, pw(pharmacist), dispense=cycle1.number)
    with speaking(ZH):
        [chinese] = [k for k in queries.inventory(ctx, pharmacist) if k.number == kit]
    # What matters first (a narrow column cuts the end): held for the monitor, then where.
    assert chinese.where.startswith(f"由 {cycle1.participant} 退回，留待监查，存于"), chinese.where
    assert "在 " not in chinese.where


def test_a_darf_note_is_written_in_chinese_around_the_recorded_reason(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    kit = stock.late[4]
    counts.record_count(
        ctx, pharmacist, kit, 20, pw(pharmacist), "breakage", "crushed", "tech", TECH_PASSWORD
    )

    def adjustment() -> str:
        records = report_data.darf_records(ctx, pharmacist)
        [line] = [
            line
            for record in records
            for line in record.lines
            if line.kind is MovementKind.ADJUST and kit in line.kits
        ]
        return line.note

    with speaking(ZH):
        # The reason code by its Chinese word, the reason as typed.
        assert adjustment() == "盘点调整（破损：crushed），由 TT 核对"
    assert adjustment() == "Count adjustment (breakage: crushed), verified by TT"


def test_the_reconciliation_names_its_lots_and_the_shelf_in_chinese(
    ctx: Context, stock: Stock, pharmacist: Actor
) -> None:
    with speaking(ZH):
        result = reconciliation.reconcile(ctx, pharmacist)
        shelf = result.physical  # a sentence made when it is shown: in the reader's language
    assert {row.label for row in result.lots} >= {"herombopag-7.5mg 批号 L1"}
    assert shelf == "货架上 24 个药盒中已盘点 0 个，24 个从未盘点"
    assert result.physical == "0 of 24 kits on the shelf counted, 24 never counted"
    english = reconciliation.reconcile(ctx, pharmacist)
    assert {row.label for row in english.lots} >= {"herombopag-7.5mg lot L1"}
    assert {row.key for row in english.lots} == {row.key for row in result.lots}


def test_a_destruction_certificate_of_nothing_is_refused_in_chinese(
    ctx: Context, pharmacist: Actor
) -> None:
    with speaking(ZH), pytest.raises(NotFound) as chinese:
        report_data.destruction_certificate(ctx, pharmacist, None)
    assert chinese.value.message == "没有销毁或退回申办方的记录：无法制作销毁或退回申办方证明。"
