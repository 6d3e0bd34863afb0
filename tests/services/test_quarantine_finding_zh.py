"""The Chinese finding of a kit held in quarantine said 隔离 twice: its cause "因“…”隔离", then
"：自 … 起隔离，待申办方决定". The cause now stands where Chinese puts it, after the day the
kits are held since ("自 2026-01-03 起因“…”隔离，待申办方决定"), for a reason typed and for an
excursion, one kit or several; the English is unchanged."""

from __future__ import annotations

from datetime import date

from dispensary.i18n import Language, speaking
from dispensary.services import quarantine, reconciliation, temperature
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import Discrepancy

from .helpers import receive
from .test_quarantine import LOG

ACTION = "请询问申办方；然后凭申办方的参考编号解除隔离，或将{kits}销毁。"


def _held(ctx: Context, monitor: Actor) -> list[Discrepancy]:
    found = reconciliation.reconcile(ctx, monitor).discrepancies
    return [d for d in found if d.kind == "quarantine_open"]


def _said_once(text: str) -> None:
    """隔离 once where the finding says why and since when the kits are held (its first
    sentence); the action after it releases them (解除隔离)."""
    first, rest = text.split("。", 1)
    assert first.count("隔离") == 1, text
    assert rest.count("隔离") == rest.count("解除隔离") == 1, text


def test_one_kit_held_for_a_reason(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor
) -> None:
    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0101-K0103")
    quarantine.quarantine(ctx, pharmacist, ["K0101"], "Cap seal broken.")
    [english] = _held(ctx, monitor)
    assert english.message == (
        "Quarantined for 'Cap seal broken.': 1 kit in quarantine since 2026-01-03, awaiting the "
        "sponsor's decision (K0101). Ask the sponsor; then release the kits with the sponsor's "
        "reference, or destroy them."
    )
    assert english.detail == (
        "Quarantined for 'Cap seal broken.': in quarantine since 2026-01-03, awaiting the "
        "sponsor's decision. Ask the sponsor; then release the kit with the sponsor's "
        "reference, or destroy it."
    )
    with speaking(Language.ZH_CN):
        [chinese] = _held(ctx, monitor)
    assert chinese.message == (
        "1 个药盒自 2026-01-03 起因“Cap seal broken.”隔离，待申办方决定（K0101）。"
        + ACTION.format(kits="药盒")
    )
    assert chinese.detail == (
        "自 2026-01-03 起因“Cap seal broken.”隔离，待申办方决定。" + ACTION.format(kits="该药盒")
    )
    _said_once(chinese.message)
    _said_once(chinese.detail)


def test_several_kits_held_for_a_reason_or_an_excursion(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor
) -> None:
    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0101-K0104")  # IP store 1
    quarantine.quarantine(ctx, pharmacist, ["K0101", "K0102"], "Cap seal broken.")
    clock.set_date(date(2026, 1, 6))
    [excursion, _second] = temperature.import_logger(ctx, pharmacist, "IP store 1", LOG, "a.csv")
    number = excursion.excursion_id
    seal, storm = _held(ctx, monitor)
    assert seal.message.startswith(
        "Quarantined for 'Cap seal broken.': 2 kits in quarantine since 2026-01-03, awaiting the "
        "sponsor's decision (K0101, K0102)."
    ), seal.message
    assert storm.message.startswith(
        f"Temperature excursion {number} on 2026-01-04: 2 kits in quarantine since 2026-01-06, "
        "awaiting the sponsor's decision (K0103, K0104)."
    ), storm.message
    with speaking(Language.ZH_CN):
        seal, storm = _held(ctx, monitor)
    assert seal.message.startswith(
        "2 个药盒自 2026-01-03 起因“Cap seal broken.”隔离，待申办方决定（K0101、K0102）。"
    ), seal.message
    assert storm.message.startswith(
        f"2 个药盒自 2026-01-06 起因 2026-01-04 的温度超标 {number} 隔离，待申办方决定"
        "（K0103、K0104）。"
    ), storm.message
    for finding in (seal, storm):
        first = finding.message.split("。", 1)[0]
        assert first.count("隔离") == 1, finding.message
        assert finding.message.endswith(ACTION.format(kits="药盒")), finding.message


def test_kits_held_on_the_day_of_their_excursion(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor
) -> None:
    """Imported the day it began, an excursion's finding says its day once, in its cause."""
    clock.set_date(date(2026, 1, 4), hour=7)
    receive(ctx, pharmacist, "K0101-K0102")
    clock.set_date(date(2026, 1, 4), hour=12)
    log = "\n".join(LOG.splitlines()[:6]) + "\n"  # the 4th's readings only
    [excursion] = temperature.import_logger(ctx, pharmacist, "IP store 1", log, "a.csv")
    number = excursion.excursion_id
    [english] = _held(ctx, monitor)
    assert english.message.startswith(
        f"Temperature excursion {number} on 2026-01-04: 2 kits in quarantine, awaiting the "
        "sponsor's decision (K0101, K0102)."
    ), english.message
    with speaking(Language.ZH_CN):
        [chinese] = _held(ctx, monitor)
    assert chinese.message == (
        f"2 个药盒因 2026-01-04 的温度超标 {number} 隔离，待申办方决定（K0101、K0102）。"
        + ACTION.format(kits="药盒")
    )
    _said_once(chinese.message)
