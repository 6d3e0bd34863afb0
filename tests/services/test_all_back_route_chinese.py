"""Every return recorded: the refusal of a participant with nothing left to count back, and that
of a dispense whose every kit is back (`all_back`), name the route to change a count in English,
the command `dispensary correct-return` with `dispensary history` to find the return's number.
Their Chinese names it too (an older translation said only "record a correction from the
participant's history", naming neither), and no route-less translation is left in a catalogue
for the program to fall back on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dispensary.domain.errors import NotFound
from dispensary.i18n import Language, catalogue_files, speaking
from dispensary.services import returns
from dispensary.services.assessment import ReturnCheck, ReturnRequest
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

ROUTE = ("`dispensary correct-return`", "`dispensary history 01-001`")
CHINESE = "如需修改清点数"


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN], ids=lambda x: x.value)
def test_every_return_recorded_names_the_route_to_correct_a_count(
    ctx: Context,
    cycle1_ended: DispenseResult,
    technician: Actor,
    pw: Callable[[Actor], str],
    language: Language,
) -> None:
    returns.record_return(ctx, technician, "K0011", 0, pw(technician), dispense=cycle1_ended.number)
    with speaking(language):
        with pytest.raises(NotFound) as info:
            returns.assess_return(ctx, technician, ReturnRequest(scanned="01-001"))
        found = returns.assess_return(ctx, technician, ReturnRequest(scanned=cycle1_ended.number))
    (refusal,) = found.refusals
    assert refusal.code is ReturnCheck.ALL_BACK
    for message in (info.value.message, refusal.message):
        assert all(route in message for route in ROUTE), message
        if language is Language.ZH_CN:
            assert CHINESE in message, message  # Chinese, not the English fallen back on


def test_no_catalogue_keeps_a_route_less_chinese_of_every_return_recorded() -> None:
    """The outdated entries (their English no longer in the program) said only "在该受试者的
    历史记录中登记更正": an English put back as it was would read without its route."""
    stale = [
        path.name
        for path in catalogue_files(Language.ZH_CN)
        if "请在该受试者的历史记录中登记更正" in path.read_text(encoding="utf-8")
    ]
    assert stale == []
