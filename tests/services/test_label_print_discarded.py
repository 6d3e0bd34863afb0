"""A label print whose record the database refused, discarded by the user: the discard is in
the audit trail (who, when, which labels, whose dispense, why), never a silent loss; a user
who may not print labels is refused by the service, and a refusal writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from dispensary.domain.audit_actions import AuditAction, name_of
from dispensary.domain.errors import NotFound, NotPermitted
from dispensary.i18n import Language, speaking
from dispensary.services import audit, labels
from dispensary.services.context import Actor, Context
from dispensary.services.results import AuditRow, DispenseResult

from .conftest import Stock


def _discards(ctx: Context, admin: Actor) -> list[AuditRow]:
    return audit.list_entries(ctx, admin, action="label_print_record_discarded")


def test_discarding_a_kit_print_record_is_an_audit_entry_of_who_which_kits_and_why(
    ctx: Context, stock: Stock, technician: Actor, admin: Actor
) -> None:
    row = labels.discard_print_record(ctx, technician, "kit", ["k0001", "K0002"], False, "4x2")
    assert row.items == ("K0001", "K0002")
    [entry] = _discards(ctx, admin)
    assert entry.username == technician.username
    assert entry.entity == "kit label"
    new = json.loads(entry.new)
    assert new == {"items": ["K0001", "K0002"], "stock": "4x2", "reprint": False}
    assert "database refused its record" in entry.reason
    # Not a print record: the kits still take a first print, not a reprint.
    assert labels.already_printed(ctx, technician, "kit", ["K0001", "K0002"]) == []
    assert audit.verify(ctx, admin).ok


def test_a_dispense_label_discarded_names_its_participant_and_keeps_the_reason_given(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, admin: Actor
) -> None:
    labels.discard_print_record(
        ctx, pharmacist, "dispense", [cycle1.number], False, reason="label spoiled, not used"
    )
    [entry] = _discards(ctx, admin)
    new = json.loads(entry.new)
    assert new["items"] == [cycle1.number] and new["participant"] == "01-001"
    assert entry.reason == "label spoiled, not used"


def test_a_user_who_may_not_print_is_refused_and_nothing_is_written(
    ctx: Context,
    stock: Stock,
    monitor: Actor,
    admin: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    before = snapshot(ctx)
    with pytest.raises(NotPermitted):
        labels.discard_print_record(ctx, monitor, "kit", ["K0001"], False)
    assert snapshot(ctx) == before


def test_an_unknown_kit_is_refused_and_nothing_is_written(
    ctx: Context, stock: Stock, technician: Actor, snapshot: Callable[[Context], object]
) -> None:
    before = snapshot(ctx)
    with pytest.raises(NotFound):
        labels.discard_print_record(ctx, technician, "kit", ["K0001", "K9999"], False)
    assert snapshot(ctx) == before


def test_the_action_is_named_in_chinese() -> None:
    with speaking(Language.ZH_CN):
        named = name_of(AuditAction.LABEL_PRINT_RECORD_DISCARDED.value)
    assert named != "Label print not recorded" and any("\u4e00" <= c <= "\u9fff" for c in named)
