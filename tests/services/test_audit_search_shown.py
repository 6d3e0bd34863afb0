"""The audit trail's text search finds what the reader reads: the old values (the value a
correction replaced) as well as the new, and the values in the reader's language (a count's
reason code `breakage` reads 破损, a kit's status `quarantined` 已隔离, a product by its name).
A Chinese inspector who typed 破损, the word shown in the entry's values, got no entry, and a
year of birth corrected since was found in the enrolment only, never in its correction."""

from __future__ import annotations

from collections.abc import Callable

from dispensary.i18n import Language, speaking
from dispensary.services import audit, participants, quarantine, reconciliation
from dispensary.services.context import Actor, Context
from signed import seen_now

from .helpers import enroll

Password = Callable[[Actor], str]


def actions(ctx: Context, actor: Actor, text: str) -> set[str]:
    return {e.action for e in audit.list_entries(ctx, actor, text=text)}


def test_a_value_corrected_since_is_found_in_its_correction(
    ctx: Context, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist, "01-001", "AB", 1958)
    participants.correct_enrolment(
        ctx, pharmacist, "01-001", birth_year=1968, reason="typo", password=pw(pharmacist)
    )
    assert actions(ctx, monitor, "1958") == {"enroll", "enrolment_corrected"}
    assert actions(ctx, monitor, "1968") == {"enrolment_corrected"}


def test_a_code_is_found_by_its_words_in_the_readers_language(
    busy: Context, monitor: Actor
) -> None:
    # K0005 counted 20 against 21: breakage, adjusted (busy_pharmacy).
    assert actions(busy, monitor, "breakage") == {"count"}
    with speaking(Language.ZH_CN):
        assert actions(busy, monitor, "破损") == {"count"}
        # A count's signature reads 已盘点: a return's outcome `counted` (已清点退回) is not it.
        assert "return" not in actions(busy, monitor, "已盘点")
        assert "return" in actions(busy, monitor, "已清点退回")


def test_a_kit_status_and_a_product_are_found_by_their_words(
    busy: Context, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    quarantine.quarantine(busy, pharmacist, ["K0007"], "cap seal broken")
    # A sign-off records each product's figures by the product's code.
    reconciliation.sign_off(busy, monitor, pw(monitor), seen=seen_now(busy))
    with speaking(Language.ZH_CN):
        assert actions(busy, monitor, "已隔离") == {"quarantine"}
        named = busy.study.product_name("herombopag-7.5mg")
        assert named != "herombopag-7.5mg"
        assert actions(busy, monitor, named) == {"reconciliation_signed_off"}
