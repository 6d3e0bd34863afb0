"""The reconciliation's sign-off attests what its signer saw: refused when the records changed
since they were shown (another workstation recorded something), refused when the signer's own
sign-off still stands (nothing recorded since), and it keeps the findings to review with the
total, which every display then says as the signature's dialog does."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.domain.errors import SignatureFailed
from dispensary.i18n import Language, speaking
from dispensary.services import quarantine, reconciliation
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.reconciliation import SignOffCheck, SignOffRefused, findings_words
from signed import release, seen_now

from .conftest import Stock
from .helpers import sql

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def test_figures_the_signer_never_saw_are_not_signed(
    ctx: Context,
    stock: Stock,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The review's steps: the monitor opens the reconciliation, another workstation
    quarantines a kit, the monitor signs: the signature was stored over 1 finding more than
    the dialog said. Refused now, nothing written; signed once what is signed was seen."""
    shown = reconciliation.reconcile(ctx, monitor)
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "seal broken")
    with refused(
        ctx,
        SignOffRefused,
        "The records changed since you opened the reconciliation: look at it again (F5) and "
        "sign off what you see. Nothing was signed.",
    ) as caught:
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 3", seen=shown.seen())
    assert caught.value.code is SignOffCheck.RECORDS_CHANGED
    again = reconciliation.reconcile(ctx, monitor)
    assert len(again.discrepancies) == len(shown.discrepancies) + 1
    result = reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 3", seen=again.seen())
    assert result.signoffs[-1].findings == len(again.discrepancies)
    with speaking(Language.ZH_CN):
        assert caught.value.code.value == "records_changed"
        with refused(ctx, SignOffRefused, "自您打开对账以来，记录已有变动"):
            reconciliation.sign_off(ctx, monitor, pw(monitor), seen=shown.seen())


def test_what_a_screen_saw_is_the_same_whichever_way_it_was_read(
    ctx: Context, stock: Stock, monitor: Actor, pharmacist: Actor
) -> None:
    """A screen's reconciliation is carried forward, the sign-off's read anew: what they saw
    is the same when nothing changed, and not once anything did."""
    kept = reconciliation.reconcile(ctx, monitor)
    assert kept.seen() == seen_now(ctx) == reconciliation.reconcile(ctx, monitor).seen()
    quarantine.quarantine(ctx, pharmacist, ["K0002"], "seal broken")
    assert reconciliation.reconcile(ctx, monitor).seen() != kept.seen()


def test_a_second_sign_off_with_nothing_recorded_since_is_refused(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The review's steps: the same signer signed twice seconds apart, nothing changed in
    between: both were kept and listed. The second is refused now and says the first stands;
    another person's is accepted, and so is the signer's once something was recorded (even
    what puts the figures back as they were), or on another day."""
    figures = seen_now(ctx)
    first = reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 3", seen=figures)
    [signed] = first.signoffs
    at = signed.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    with refused(
        ctx,
        SignOffRefused,
        f"Your sign-off of {at} UTC still stands: nothing has been recorded since, and it "
        "attests these same figures. Nothing was signed; sign off again once the records change.",
    ) as caught:
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 3", seen=seen_now(ctx))
    assert caught.value.code is SignOffCheck.STILL_STANDS
    # Another person (and role) signs the same figures: theirs is their own attestation.
    both = reconciliation.sign_off(ctx, pharmacist, pw(pharmacist), seen=seen_now(ctx))
    assert [s.username for s in both.signoffs] == ["monitor", "pharm"]
    # Another's sign-off since is no change: the monitor's still stands.
    with refused(ctx, SignOffRefused, "still stands"):
        reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    # A kit quarantined and released: the same figures, but records were written since.
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "seal broken")
    release(ctx, pharmacist, ["K0001"], "seal intact after all", "SP-1")
    assert seen_now(ctx) == figures  # the figures are back as they were
    third = reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    assert [s.username for s in third.signoffs] == ["monitor", "pharm", "monitor"]
    with refused(ctx, SignOffRefused, "still stands"):
        reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    # The next day's visit signs the same figures again.
    clock.set_date(date(2026, 1, 6))
    fourth = reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    assert len(fourth.signoffs) == 4


def test_a_sign_off_keeps_and_says_the_findings_to_review(
    ctx: Context,
    stock: Stock,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """Only the total was stored: the command said "4 items to review", the record and every
    display after "5 findings". The number to review is stored with it (and in the audit
    entry, by its name) and said as the signature's dialog says it; a sign-off stored before
    says the total alone."""
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "seal broken")
    shown = reconciliation.reconcile(ctx, monitor)
    found, review = len(shown.discrepancies), len(shown.to_review)
    result = reconciliation.sign_off(ctx, monitor, pw(monitor), seen=shown.seen())
    [signed] = result.signoffs
    assert (signed.findings, signed.to_review) == (found, review)
    assert findings_words(found, review) in signed.attested
    with read_transaction(ctx.engine) as session:
        entry = session.query(AuditEntry).filter_by(action="reconciliation_signed_off").one()
    assert json.loads(entry.new)["to_review"] == review
    # The words, as the dialog's: both numbers only when they differ.
    assert findings_words(5, 3) == "5 findings (3 to review)"
    assert findings_words(5, 5) == "5 findings"
    assert findings_words(1, 0) == "1 finding (0 to review)"
    assert findings_words(5, None) == "5 findings"
    with speaking(Language.ZH_CN):
        assert findings_words(5, 3) == "5 项发现（待审核 3）"
    # A sign-off stored before the number to review was: the total alone.
    old = json.dumps({"products": [["P25", 210, 168, 0, True]], "discrepancies": 5})
    sql(
        ctx,
        "INSERT INTO reconciliation_signoffs (user_id, role, summary, note, at, study_id) "
        f"VALUES ({monitor.user_id}, 'monitor', '{old}', 'old', "
        f"'{datetime(2026, 1, 5, 10, tzinfo=UTC).isoformat()}', {ctx.study_id})",
    )
    with read_transaction(ctx.engine) as session:
        rows = reconciliation.signoff_rows(session, ctx.study_id, ctx.study, ctx.clock)
    assert (rows[-1].note, rows[-1].findings, rows[-1].to_review) == ("old", 5, None)
    assert rows[-1].attested.startswith("balanced, 5 findings; held: ")
    assert "to review" not in rows[-1].attested


def test_a_wrong_password_is_said_and_counted_whatever_else_is_refused(
    ctx: Context,
    stock: Stock,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The records changed since the figures were shown and the password is wrong: the signer
    was told only that the records changed, and the wrong password went uncounted (the figures
    were checked first), as it did when their own sign-off still stood. The wrong password is
    said and counted now, in an entry of its own, whichever else the sign-off is refused for;
    with the right one the other refusal is said, as before."""
    shown = reconciliation.reconcile(ctx, monitor)
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "seal broken")
    wrong = "Mona Monitor: The signature password for monitor is wrong; nothing was saved."
    with refused(ctx, SignatureFailed, wrong) as caught:  # records_changed
        reconciliation.sign_off(ctx, monitor, "not-the-password", seen=shown.seen())
    assert "4 attempts left" in caught.value.message
    with refused(ctx, SignOffRefused, "The records changed since you opened"):
        reconciliation.sign_off(ctx, monitor, pw(monitor), seen=shown.seen())
    reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    with refused(ctx, SignatureFailed, wrong) as caught:  # still_stands
        reconciliation.sign_off(ctx, monitor, "not-the-password", seen=seen_now(ctx))
    # The right password since reset the count: one wrong one in a row.
    assert "4 attempts left" in caught.value.message
    with refused(ctx, SignOffRefused, "still stands"):
        reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    with read_transaction(ctx.engine) as session:
        failed = session.query(AuditEntry).filter_by(action="signature_failed").all()
    assert [json.loads(e.new)["meaning"] for e in failed] == ["reconciliation signed off"] * 2


def test_the_products_held_a_sign_off_attested_are_listed_as_the_language_lists(
    ctx: Context, monitor: Actor
) -> None:
    """The sign-off's "Attested" separated its products with ，(a comma of clauses) in Chinese:
    they are listed as every message lists, with 、 (i18n.listed); ", " in English."""
    summary = json.dumps(
        {
            "products": [["P25", 210, 168, 3, True], ["P10", 60, 40, 2, True]],
            "discrepancies": 1,
            "to_review": 1,
        }
    )
    sql(
        ctx,
        "INSERT INTO reconciliation_signoffs (user_id, role, summary, note, at, study_id) "
        f"VALUES ({monitor.user_id}, 'monitor', '{summary}', 'two', "
        f"'{datetime(2026, 1, 5, 10, tzinfo=UTC).isoformat()}', {ctx.study_id})",
    )

    def attested() -> str:
        with read_transaction(ctx.engine) as session:
            rows = reconciliation.signoff_rows(session, ctx.study_id, ctx.study, ctx.clock)
        return rows[-1].attested

    english = attested()
    assert english.endswith(
        f"; held: {ctx.study.product_name('P25')} 3 tablets, {ctx.study.product_name('P10')} "
        "2 tablets"
    ), english
    with speaking(Language.ZH_CN):
        chinese = attested()
        p25, p10 = ctx.study.product_name("P25"), ctx.study.product_name("P10")
    assert f"{p25}：3 片、{p10}：2 片" in chinese, chinese
    assert "，" + p10 not in chinese
