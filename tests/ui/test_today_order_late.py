"""The Today screen's forecast says an order whose latest date is past is late: "order now",
as `dispensary forecast` and the forecast report do, never only "order ... by" a day gone."""

from __future__ import annotations

from counter_fixtures import Counter
from pytestqt.qtbot import QtBot
from window_helpers import main_window, today_screen

from dispensary.domain.forecast import Resupply
from dispensary.services import participants


def short_in_week_1(counter: Counter) -> None:
    """Twelve on treatment, ten kits of 7.5 mg on the shelf: short in week 1, within the
    study's lead time (21 days), so the latest day to order is already past."""
    pharm = counter.actor("pharm")
    for n in range(3, 13):
        participants.enroll(
            counter.ctx,
            pharm,
            f"01-{n:03d}",
            "EF",
            1975,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
        )


def forecast_text(qtbot: QtBot, counter: Counter) -> tuple[str, list[Resupply]]:
    short_in_week_1(counter)
    window = main_window(qtbot, counter.session("pharm"), (1366, 768))
    dashboard = today_screen(window)
    section = dashboard.forecast
    qtbot.waitUntil(lambda: not dashboard.checking and section.result is not None)
    assert section.result is not None
    late = [o for o in section.result.forecast.resupply if o.late]
    assert late, "the scenario needs an order already late"
    return section.summary.text(), late


def test_a_late_order_says_order_now(qtbot: QtBot, counter: Counter) -> None:
    text, late = forecast_text(qtbot, counter)
    for order in late:
        day = order.order_by.isoformat()
        assert f"by {day} (already late: order now)." in text, text


def test_in_chinese(qtbot: QtBot, counter: Counter, chinese: None) -> None:
    text, _late = forecast_text(qtbot, counter)
    assert "已逾期：请立即订购" in text, text
