"""`dispensary forecast`: the supply forecast in a terminal (or as JSON for a script): the first
week the shelf falls short, what to order by when, the weeks, the kits that will expire unused.

The services load inside the handler, so that `--help` does not load them."""

from __future__ import annotations

import argparse
from functools import partial
from typing import TYPE_CHECKING, Any

from dispensary.cli.core import EXIT_OK, Fill, _argument, calendar_date, help_text, table
from dispensary.domain.forecast import DEFAULT_WEEKS, MAX_WEEKS
from dispensary.domain.rules import parse_whole, source_words
from dispensary.i18n import N_, _

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.forecast import ForecastResult
    from dispensary.study import Study


def weeks(text: str) -> int:
    """A horizon of 1 to MAX_WEEKS weeks."""
    return _argument(
        partial(parse_whole, what=_("number of weeks"), minimum=1, maximum=MAX_WEEKS), text
    )


def weeks_option(p: argparse.ArgumentParser) -> None:
    """--weeks N: the forecast's horizon (`dispensary forecast`, `report forecast`)."""
    p.add_argument(
        "--weeks",
        type=weeks,
        default=DEFAULT_WEEKS,
        metavar="N",
        help=help_text(
            N_("weeks ahead, 1 to {most} (default: {weeks})"), most=MAX_WEEKS, weeks=DEFAULT_WEEKS
        ),
    )


def count(text: str) -> int:
    return _argument(partial(parse_whole, what=_("number"), minimum=0, maximum=10_000), text)


def cmd_forecast(run: Run) -> int:
    from dispensary.services import forecast

    a = run.args
    ctx = run.context()
    coming = None
    if a.enrol:
        first = a.enrol_from or ctx.clock.today()
        coming = forecast.ExpectedEnrolment(a.enrol, first, a.enrol_every)
    result = forecast.forecast(ctx, run.actor(), weeks=a.weeks, enrolment=coming)
    run.emit(forecast_json(result), forecast_lines(result, ctx.study))
    return EXIT_OK


def forecast_json(result: ForecastResult) -> dict[str, Any]:
    """Stable keys, the same in every language."""
    f = result.forecast
    first = f.first_short
    return {
        "today": result.today,
        "weeks": f.weeks,
        "participants": result.participants,
        "lead_time_days": result.lead_time_days,
        "lead_time_confirmed": result.lead_time_confirmed,
        "expiry_margin_days": result.expiry_margin_days,
        "first_short_week": first.week if first else None,
        "first_short_date": first.start if first else None,
        "held_kits": [k.number for k in f.held],  # held for a count difference: not stock
        # in quarantine, awaiting the sponsor's decision, per product: not stock, not counted
        "quarantined_kits": dict(result.quarantined),
        "rows": [
            {
                "week": r.week,
                "start": r.start,
                "product": r.product,
                "cycles": r.cycles,
                "tablets_needed": r.tablets_needed,
                "kits_needed": r.kits_needed,
                "kits_on_hand": r.kits_on_hand,
                "kits_usable": r.kits_usable,
                "kits_short": r.kits_short,
                "short": r.short,
            }
            for r in f.rows
        ],
        "resupply": [
            {
                "product": o.product,
                "kits": o.kits,
                "tablets": o.tablets,
                "first_short": o.first_short,
                "order_by": o.order_by,
                "late": o.late,
            }
            for o in f.resupply
        ],
        "unused": [
            {
                "kit": k.number,
                "product": k.product,
                "lot": k.lot,
                "expiry": k.expiry,
                "last_day1": k.last_day1,
            }
            for k in f.unused
        ],
    }


def forecast_lines(result: ForecastResult, study: Study) -> list[str]:
    """The forecast as read at a terminal: products by name in the reader's language (the
    JSON keeps the codes a script matches)."""
    f = result.forecast
    first = f.first_short
    name = study.product_name
    lines = [
        _("Supply forecast from {today}, {weeks} weeks; {count} participants on treatment.").format(
            today=result.today.isoformat(), weeks=f.weeks, count=result.participants
        ),
        _("Stock falls short in week {week} ({date}, {product}).").format(
            week=first.week, date=first.start.isoformat(), product=name(first.product)
        )
        if first
        else result.no_shortage(),
    ]
    for order in f.resupply:
        lines.append(
            (
                _("Order {kits} kits of {product} by {date} (already late: order now).")
                if order.late
                else _("Order {kits} kits of {product} by {date}.")
            ).format(kits=order.kits, product=name(order.product), date=order.order_by.isoformat())
        )
    if result.lead_time_days is None:
        lines.append(_("The study file gives no lead time: order dates are the short weeks."))
    elif not result.lead_time_confirmed:
        lines.append(
            _("Lead time {days} days ({source}): a rule to confirm.").format(
                days=result.lead_time_days, source=source_words(result.lead_time_source)
            )
        )
    if result.held_note():  # the kits left out of the stock, said
        lines.append(result.held_note())
    if result.quarantine_note(name):  # in quarantine, awaiting the sponsor: not counted, said
        lines.append(result.quarantine_note(name))
    rows = [
        (
            r.week,
            r.start,
            name(r.product),
            r.cycles,
            study.quantity(r.product, r.tablets_needed),  # "49 capsules" unless all tablets
            r.kits_needed,
            r.kits_on_hand,
            r.kits_usable,
            r.kits_short,
        )
        for r in f.rows
        if r.cycles or r.short
    ]
    lines.append("")
    lines += table(
        [
            _("Week"),
            _("Starts"),
            _("Product"),
            _("Cycles"),
            study.count_heading(),
            _("Kits needed"),
            _("On hand"),
            _("Usable"),
            _("Short"),
        ],
        rows,
        right=[0, 3, 4, 5, 6, 7, 8],
    )
    if f.unused:
        lines.append("")
        lines.append(_("Kits that will expire unused:"))
        lines += table(
            [_("Kit"), _("Product"), _("Lot"), _("Expiry"), _("Last day 1")],
            [(k.number, name(k.product), k.lot, k.expiry, k.last_day1) for k in f.unused],
        )
    return lines


def forecast_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_forecast)
    weeks_option(p)
    p.add_argument(
        "--enrol", type=count, default=0, metavar="N", help=N_("participants still to enrol")
    )
    p.add_argument(
        "--enrol-from",
        type=calendar_date,
        metavar="YYYY-MM-DD",
        help=N_("day 1 of the first one to enrol (default: today)"),
    )
    p.add_argument(
        "--enrol-every",
        type=count,
        default=7,
        metavar="DAYS",
        help=N_("days between two of them (default: 7)"),
    )


PARSERS: dict[str, Fill] = {"forecast": forecast_parser}
