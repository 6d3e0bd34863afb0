"""A kit that arrives damaged is received into quarantine, never refused with its shipment: every
kit that arrived is accounted for, and whether it may be used is the sponsor's decision."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import signed
from dispensary.domain.codes import DiscrepancyKind, KitStatus, MovementKind
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import Language, speaking
from dispensary.services import (
    audit,
    destruction,
    kit_history,
    quarantine,
    queries,
    receiving,
    reconciliation,
)
from dispensary.services.assessment import ReceiveRequest
from dispensary.services.assessment.receiving import SEEN_AT_RECEIPT
from dispensary.services.context import Actor, Context

from .helpers import P75, TECH_PASSWORD, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]

MANIFEST = (
    "kit,lot,expiry,tablets,product,Condition\n"
    f"K7101,HT2611B,2027-10-31,21,{P75},ok\n"
    f"K7102,HT2611B,2027-10-31,21,{P75},\n"
    f"K7103,HT2611B,2027-10-31,21,{P75},Leaking\n"
)


def held_for(ctx: Context, kit: str) -> str:
    """The reason of the kit's quarantine, as recorded."""
    return str(
        scalar(
            ctx,
            "SELECT q.reason FROM quarantine_events q JOIN kits k ON k.id = q.kit_id "
            f"WHERE k.number = '{kit}'",
        )
    )


@pytest.mark.parametrize(
    ("column", "value"), [("Condition", "damaged"), ("Damaged", "yes"), ("condition", "Leaking")]
)
def test_a_kit_the_manifest_does_not_say_is_sound_is_read_as_damaged(
    column: str, value: str
) -> None:
    """A per-kit condition column is read, never guessed sound; the line was refused, and the
    whole manifest with it, so a kit that arrived was in no record."""
    sound = "ok" if column.lower() == "condition" else "no"
    text = (
        f"kit,lot,expiry,tablets,product,{column}\n"
        f"K7101,HT2611B,2027-10-31,21,{P75},{sound}\n"
        f"K7102,HT2611B,2027-10-31,21,{P75},\n"
        f"K7103,HT2611B,2027-10-31,21,{P75},{value}\n"
    )
    manifest = receiving.read_manifest(text)
    assert [(k.number, k.damaged) for k in manifest.kits] == [
        ("K7101", ""),
        ("K7102", ""),
        ("K7103", f"{column.lower()}: {value}"),
    ]
    assert manifest.ignored == ()


def test_the_assessment_says_which_kits_go_into_quarantine_as_damaged(
    ctx: Context, pharmacist: Actor
) -> None:
    kits = receiving.mark_damaged(receiving.parse_manifest(MANIFEST), ["k7101"])
    found = receiving.assess_receive(ctx, pharmacist, ReceiveRequest("SH-71", kits))
    assert found.accepted
    assert [(line.number, line.status, line.damaged) for line in found.lines] == [
        ("K7101", KitStatus.QUARANTINED, SEEN_AT_RECEIPT),
        ("K7102", KitStatus.AVAILABLE, ""),
        ("K7103", KitStatus.QUARANTINED, "condition: Leaking"),
    ]
    assert [line.number for line in found.damaged] == ["K7101", "K7103"]
    assert (found.accepted_kits, found.into_quarantine) == (3, False)
    assert receiving.damage_words("condition: Leaking") == (
        "damaged on arrival (manifest condition: Leaking)"
    )
    with speaking(Language.ZH_CN):
        assert receiving.damage_words(SEEN_AT_RECEIPT) == "到货时破损（收货时发现）"
        assert receiving.damage_words("condition: Leaking") == (
            "到货时破损（装箱单 condition: Leaking）"
        )


def test_a_damaged_kit_is_received_into_quarantine_and_accounted_for(
    ctx: Context, pharmacist: Actor
) -> None:
    kits = receiving.mark_damaged(receiving.parse_manifest(MANIFEST), ["K7102"])
    result = receiving.receive_shipment(ctx, pharmacist, "SH-71", kits)
    assert (result.kits, result.tablets, result.quarantined) == (
        ("K7101", "K7102", "K7103"),
        63,
        False,
    )
    assert result.damaged == (("K7102", SEEN_AT_RECEIPT), ("K7103", "condition: Leaking"))
    stock = {k.number: k.status for k in queries.inventory(ctx, pharmacist)}
    assert stock == {
        "K7101": KitStatus.AVAILABLE,
        "K7102": KitStatus.QUARANTINED,
        "K7103": KitStatus.QUARANTINED,
    }
    # On hand (received into the ledger), but not usable: the balance holds every kit.
    ledger = queries.ledger_rows(ctx, pharmacist)
    assert [(r.kind, r.quantity) for r in ledger] == [(MovementKind.RECEIVE.value, 21)] * 3
    assert (held_for(ctx, "K7102"), held_for(ctx, "K7103")) == (
        "damaged on arrival (seen at receipt)",
        "damaged on arrival (manifest condition: Leaking)",
    )
    [entry] = audit.list_entries(ctx, pharmacist, action="receive")
    new = json.loads(entry.new)
    assert new["damaged"] == {"K7102": "seen at receipt", "K7103": "condition: Leaking"}
    assert new["kits"] == ["K7101", "K7102", "K7103"]
    assert audit.verify(ctx, pharmacist).ok
    checked = reconciliation.reconcile(ctx, pharmacist)
    [product] = [row for row in checked.products if row.received]
    assert (product.received, product.on_hand, product.balanced) == (63, 63, True)
    held = {d.subject for d in checked.discrepancies if d.kind is DiscrepancyKind.QUARANTINE_OPEN}
    assert held == {"K7102", "K7103"}
    history = kit_history.kit_history(ctx, pharmacist, "K7103")
    assert [(e.what, e.detail) for e in history.events][1] == (
        "Quarantined",
        "damaged on arrival (manifest condition: Leaking)",
    )
    with speaking(Language.ZH_CN):
        zh = kit_history.kit_history(ctx, pharmacist, "K7102")
        assert zh.events[1].detail == "到货时破损（收货时发现）"


def test_a_kit_received_damaged_is_released_on_the_sponsor_s_decision_or_destroyed(
    ctx: Context, pharmacist: Actor, pw: Password
) -> None:
    kits = receiving.parse_manifest(MANIFEST.replace(",ok\n", ",crushed\n"))
    receiving.receive_shipment(ctx, pharmacist, "SH-71", kits)
    [verdict] = quarantine.assess_release(ctx, pharmacist, ["K7103"])
    assert [c.text for c in verdict.held_for] == [
        f"quarantined {ctx.clock.today().isoformat()}: damaged on arrival (manifest condition: "
        "Leaking)"
    ]
    released = signed.release(ctx, pharmacist, ["K7103"], "sponsor: usable", "DEC-9")
    assert released.status is KitStatus.AVAILABLE
    [entry] = audit.list_entries(ctx, pharmacist, action="release")
    assert json.loads(entry.new)["held_for"]["K7103"][0]["reason"] == (
        "damaged on arrival (manifest condition: Leaking)"
    )
    gone = destruction.destroy(
        ctx,
        pharmacist,
        ["K7101"],
        "tech",
        "incineration",
        pw(pharmacist),
        witness_password=TECH_PASSWORD,
        reference="AUTH-9",
        reason_code="damaged",
    )
    assert gone.kits == ("K7101",)
    stock = {k.number: k.status for k in queries.inventory(ctx, pharmacist)}
    assert (stock["K7101"], stock["K7102"], stock["K7103"]) == (
        KitStatus.DESTROYED,
        KitStatus.AVAILABLE,
        KitStatus.AVAILABLE,
    )


def test_a_damaged_kit_of_a_shipment_whose_temperature_failed_is_held_for_both_causes(
    ctx: Context, pharmacist: Actor
) -> None:
    """The damage replaced the shipment's cause: the release dialog and the quarantine events
    never said the kit was temperature-exposed, so a release for the damage alone covered it."""
    kits = receiving.mark_damaged(receiving.parse_manifest(MANIFEST), ["K7102"])
    result = receiving.receive_shipment(ctx, pharmacist, "SH-71", kits, temperature_ok=False)
    assert result.quarantined
    assert (held_for(ctx, "K7101"), held_for(ctx, "K7102"), held_for(ctx, "K7103")) == (
        "shipment SH-71 received with its temperature record not acceptable",
        "shipment SH-71 received with its temperature record not acceptable; kit damaged on "
        "arrival (seen at receipt)",
        "shipment SH-71 received with its temperature record not acceptable; kit damaged on "
        "arrival (manifest condition: Leaking)",
    )
    today = ctx.clock.today().isoformat()
    verdicts = quarantine.assess_release(ctx, pharmacist, ["K7102", "K7103"])
    assert [[c.text for c in v.held_for] for v in verdicts] == [
        [
            f"quarantined {today}: shipment SH-71 received with its temperature record not "
            "acceptable; kit damaged on arrival (seen at receipt)"
        ],
        [
            f"quarantined {today}: shipment SH-71 received with its temperature record not "
            "acceptable; kit damaged on arrival (manifest condition: Leaking)"
        ],
    ]
    with speaking(Language.ZH_CN):
        [zh] = quarantine.assess_release(ctx, pharmacist, ["K7102"])
        assert [c.text for c in zh.held_for] == [
            f"{today} 隔离：货件 SH-71 接收时温度记录不合格；药盒到货时破损（收货时发现）"
        ]
        history = kit_history.kit_history(ctx, pharmacist, "K7103")
        assert history.events[1].detail == (
            "货件 SH-71 接收时温度记录不合格；药盒到货时破损（装箱单 condition: Leaking）"
        )


def test_a_kit_marked_damaged_must_be_on_the_list(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    kits = receiving.parse_manifest(MANIFEST)
    with pytest.raises(InvalidInput) as marked:
        receiving.mark_damaged(kits, ["K7101", "K9999"])
    assert marked.value.message.startswith(
        "Kit K9999 is marked damaged but is not on this shipment's list"
    )
    # A manifest's condition is kept when the kit is marked too: it is what was written.
    [*_, last] = receiving.mark_damaged(kits, ["K7103"])
    assert last.damaged == "condition: Leaking"
    long = MANIFEST.replace("Leaking", "x" * 200)
    with pytest.raises(InvalidInput) as too_long:
        receiving.read_manifest(long)
    assert too_long.value.message.startswith("Manifest line 4: The kit condition is")


def test_the_manifest_s_kits_that_did_not_arrive_are_recorded_missing_not_received(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """The check-off against the manifest: kits not scanned were only free text (or nothing);
    now the receipt's audit entry lists them, structured, as missing and not received."""
    kits = receiving.parse_manifest(MANIFEST)
    with refused(ctx, InvalidInput, "Kit K7101 is recorded both as received and as missing"):
        receiving.receive_shipment(ctx, pharmacist, "SH-71", kits, missing=["k7101"])
    arrived = [k for k in kits if k.number != "K7102"]
    result = receiving.receive_shipment(
        ctx, pharmacist, "SH-71", arrived, missing=["k7102", "K7102"]
    )
    assert (result.kits, result.missing) == (("K7101", "K7103"), ("K7102",))
    assert "K7102" not in {k.number for k in queries.inventory(ctx, pharmacist)}
    [entry] = audit.list_entries(ctx, pharmacist, action="receive")
    new = json.loads(entry.new)
    assert (new["kits"], new["missing"]) == (["K7101", "K7103"], ["K7102"])
    assert audit.verify(ctx, pharmacist).ok
