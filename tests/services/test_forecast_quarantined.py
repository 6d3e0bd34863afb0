"""The supply forecast leaves the kits in quarantine out of the stock (only an available kit is
stock) and said nothing of them: "order 83 kits" while 47 waited for the sponsor's decision. It
says how many are in quarantine, of which product, and that they are not counted (counting them
would be a rule nobody wrote): the result, the command's lines and JSON, the report."""

from __future__ import annotations

from dispensary.services import forecast, quarantine
from dispensary.services.context import Actor, Context

from .helpers import P75, receive


def test_the_forecast_says_the_kits_in_quarantine_it_does_not_count(
    ctx: Context, enrolled: str, pharmacist: Actor
) -> None:
    from dispensary.cli.forecast import forecast_json, forecast_lines
    from dispensary.reports.forecast import _summary

    receive(ctx, pharmacist, "K0011-K0013", "L2")
    before = forecast.forecast(ctx, pharmacist)
    assert before.quarantine_note() == "" and forecast_json(before)["quarantined_kits"] == {}
    quarantine.quarantine(ctx, pharmacist, ["K0011", "K0012"], "Temperature excursion")
    ahead = forecast.forecast(ctx, pharmacist)
    assert ahead.quarantined == {P75: 2}
    assert ahead.forecast.product_rows(P75)[0].kits_on_hand == 1  # not counted
    said = (
        "Not counted as stock: 2 kits in quarantine, awaiting the sponsor's decision "
        "(herombopag (hetrombopag olamine) 7.5 mg tablet: 2). Ask the sponsor: released, they "
        "count."
    )
    assert ahead.quarantine_note() == said
    lines = forecast_lines(ahead, ctx.study)
    assert any(line.startswith("Not counted as stock: 2 kits in quarantine") for line in lines)
    assert forecast_json(ahead)["quarantined_kits"] == {P75: 2}
    assert said in [p.text for p in _summary(ahead, ctx.study)]
    from dispensary.i18n import Language, speaking

    with speaking(Language.ZH_CN):
        chinese = forecast_lines(forecast.forecast(ctx, pharmacist), ctx.study)
    assert any(line.startswith("未计入库存：2 个药盒处于隔离中，待申办方决定") for line in chinese)
