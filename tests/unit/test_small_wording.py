"""Messages that say a thing once, in the words of what was entered: a label position on a
sheet, a kit already destroyed, a number that is not a count."""

from __future__ import annotations

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.lifecycle import KitEvent, transition
from dispensary.domain.rules import PHYSICAL_COUNT, check_count
from dispensary.i18n import Language, speaking
from dispensary.labels.render import check_position
from dispensary.labels.stock import STOCKS


def test_a_label_position_off_the_sheet_names_the_sheet_once() -> None:
    sheet = STOCKS["a4-sheet"]
    with pytest.raises(InvalidInput) as refused:
        check_position(sheet, 11)
    said = refused.value.message
    assert said == (
        "There is no label position 11 on a page of a4-sheet: give 1 to 10, counting row by "
        "row from the top-left label."
    )
    assert " a a4" not in said
    with speaking(Language.ZH_CN), pytest.raises(InvalidInput) as chinese:
        check_position(sheet, 11)
    assert chinese.value.message.startswith("a4-sheet 的一页上没有第 11 个标签位置")


def test_a_kit_already_destroyed_is_said_once() -> None:
    with pytest.raises(RuleViolation) as refused:
        transition(KitStatus.DESTROYED, KitEvent.DESTROY, kit="K0008")
    assert refused.value.message == "Kit K0008 is already destroyed. Check the kit you scanned."


def test_a_negative_number_that_is_not_a_count_says_what_to_enter() -> None:
    with pytest.raises(InvalidInput) as held:
        check_count(-3, "days the drug was held")
    assert (
        held.value.message == "The days the drug was held cannot be negative (-3): enter 0 or more."
    )
    with pytest.raises(InvalidInput) as counted:
        check_count(-1, "number of tablets counted", counted=PHYSICAL_COUNT)
    assert counted.value.message.endswith("cannot be negative (-1). Count again.")
