"""A label print's identity (PrintPlan.token): a print whose record went in but whose answer
was lost (the connection dropped after COMMIT) is recorded again from the prints waiting (Record
the print). Only a first print was guarded (recorded again, it was refused as "printed
before", taken as recorded meanwhile): a reprint's record was written twice, a false second
reprint in the audit trail, and a discard could be written for a print in fact recorded. The
print's identity is recorded with it and looked for inside the write."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from dispensary.domain.audit_actions import AuditAction
from dispensary.services import audit, dispensing, labels
from dispensary.services.context import Actor, Context
from dispensary.services.labels import PrintedMeanwhile
from dispensary.services.results import AuditRow, DispenseResult

from .conftest import Stock

PDF = b"%PDF-1.4 a label"


def _prints(ctx: Context, admin: Actor, action: str) -> list[AuditRow]:
    return audit.list_entries(ctx, admin, action=action)


def test_a_reprint_recorded_twice_under_its_identity_is_one_entry(
    ctx: Context, stock: Stock, technician: Actor, admin: Actor
) -> None:
    labels.record_label_print(ctx, technician, "kit", ["K0001"], False)
    token = labels.new_print_token()
    first = labels.record_label_print(
        ctx, technician, "kit", ["K0001"], True, "4x2", "label torn", token
    )
    assert first.already is None
    # The answer was lost: Record the print sends the same print again.
    again = labels.record_label_print(
        ctx, technician, "kit", ["K0001"], True, "4x2", "label torn", token
    )
    assert again.already is AuditAction.LABEL_REPRINTED
    [entry] = _prints(ctx, admin, "label_reprinted")
    assert json.loads(entry.new)[labels.PRINT_TOKEN] == token
    assert audit.verify(ctx, admin).ok


def test_another_reprint_of_the_same_labels_is_recorded_as_its_own(
    ctx: Context, stock: Stock, technician: Actor, admin: Actor
) -> None:
    labels.record_label_print(ctx, technician, "kit", ["K0001", "K0002"], False)
    for _ in range(2):
        labels.record_label_print(
            ctx,
            technician,
            "kit",
            ["K0001", "K0002"],
            True,
            reason="jammed",
            token=labels.new_print_token(),
        )
    assert len(_prints(ctx, admin, "label_reprinted")) == 2


def test_a_first_print_recorded_twice_says_it_was_recorded_not_printed_before(
    ctx: Context, stock: Stock, technician: Actor, admin: Actor
) -> None:
    token = labels.new_print_token()
    labels.record_label_print(ctx, technician, "kit", ["K0003"], False, token=token)
    again = labels.record_label_print(ctx, technician, "kit", ["K0003"], False, token=token)
    assert again.already is AuditAction.LABEL_PRINTED
    assert len(_prints(ctx, admin, "label_printed")) == 1


def test_a_dispense_voided_after_its_label_was_recorded_is_found_recorded_not_refused(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    token = labels.new_print_token()
    labels.record_label_print(ctx, pharmacist, "dispense", [cycle1.number], False, token=token)
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "wrong participant", pw(pharmacist))
    again = labels.record_label_print(
        ctx, pharmacist, "dispense", [cycle1.number], False, token=token
    )
    assert again.already is AuditAction.LABEL_PRINTED


def test_no_discard_for_a_print_recorded_nor_a_second_discard(
    ctx: Context, stock: Stock, technician: Actor, admin: Actor
) -> None:
    recorded = labels.new_print_token()
    labels.record_label_print(ctx, technician, "kit", ["K0004"], False, token=recorded)
    row = labels.discard_print_record(ctx, technician, "kit", ["K0004"], False, token=recorded)
    assert row.already is AuditAction.LABEL_PRINTED
    assert _prints(ctx, admin, "label_print_record_discarded") == []

    discarded = labels.new_print_token()
    labels.discard_print_record(ctx, technician, "kit", ["K0005"], False, token=discarded)
    again = labels.discard_print_record(ctx, technician, "kit", ["K0005"], False, token=discarded)
    assert again.already is AuditAction.LABEL_PRINT_RECORD_DISCARDED
    [entry] = _prints(ctx, admin, "label_print_record_discarded")
    assert json.loads(entry.new)[labels.PRINT_TOKEN] == discarded
    # Its record asked for after the discard went in (the answer lost): nothing more.
    late = labels.record_label_print(ctx, technician, "kit", ["K0005"], False, token=discarded)
    assert late.already is AuditAction.LABEL_PRINT_RECORD_DISCARDED
    assert labels.already_printed(ctx, technician, "kit", ["K0005"]) == []
    assert audit.verify(ctx, admin).ok


def test_a_print_goes_out_under_its_plans_identity_and_that_plan_is_not_put_out_twice(
    ctx: Context, stock: Stock, technician: Actor, admin: Actor
) -> None:
    labels.record_label_print(ctx, technician, "kit", ["K0006"], False)
    plan = labels.plan_print(ctx, technician, "kit", ["K0006"])
    assert plan.reprint and plan.token
    row = labels.print_labels(ctx, technician, plan, lambda p: PDF, lambda pdf: True, "smudged")
    assert row is not None and row.already is None
    assert labels.print_settled(ctx, technician, plan) is AuditAction.LABEL_REPRINTED
    # The same plan put out again would be taken for this print: refused before it goes out.
    with pytest.raises(PrintedMeanwhile):
        labels.confirm(ctx, technician, plan, "smudged")
    # One more print of the same PDF is a print of its own.
    next_one = labels.another_print(plan)
    assert next_one.token != plan.token
    assert labels.print_settled(ctx, technician, next_one) is None
    labels.print_labels(ctx, technician, next_one, lambda p: PDF, lambda pdf: True, "smudged")
    assert len(_prints(ctx, admin, "label_reprinted")) == 2
