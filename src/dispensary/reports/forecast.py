"""Supply forecast for the sponsor's supply manager: the week the shelf first falls short, what
to order and by when, the week-by-week need against stock, and the kits that will expire
unused. Drawn from services.forecast's result, never from the database."""

from __future__ import annotations

from reportlab.platypus import Flowable

from dispensary.domain.rules import source_words
from dispensary.i18n import N_, _
from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    long_day,
    para,
    scaled,
)
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import institution, product_name
from dispensary.services.forecast import ForecastResult
from dispensary.services.report_data import ReportMeta
from dispensary.study import Study

TITLE = N_("Supply forecast")
WEEK_HEADER = (
    N_("Week"),
    N_("Starts"),
    N_("Product"),
    N_("Cycles"),
    N_("Tablets needed"),
    N_("Kits needed"),
    N_("Kits on hand"),
    N_("Kits usable"),
    N_("Kits short"),
)
WEEK_SHARES = (7, 13, 22, 8, 12, 11, 11, 10, 10)
ORDER_HEADER = (N_("Product"), N_("Kits"), N_("Tablets"), N_("First short week"), N_("Order by"))
ORDER_SHARES = (34, 10, 12, 22, 22)
UNUSED_HEADER = (N_("Kit"), N_("Product"), N_("Lot"), N_("Expiry"), N_("Last day 1"))
UNUSED_SHARES = (18, 30, 16, 18, 18)
CSV_HEADER = (
    "record",
    "week",
    "week_start",
    "product",
    "cycles",
    "tablets_needed",
    "kits_needed",
    "kits_on_hand",
    "kits_short",
    "kit",
    "lot",
    "expiry",
    "last_day1",
    "order_by",
    "kits_usable",  # added after the others: a script reading by position still reads them
)


def lead_time_text(result: ForecastResult) -> str:
    """The lead time with where it comes from, and whether an administrator confirmed it."""
    if result.lead_time_days is None:
        return _("none in the study file (order by the first short week)")
    days = _("{days} days").format(days=result.lead_time_days)
    if result.lead_time_confirmed:
        return _("{days} ({source})").format(
            days=days, source=source_words(result.lead_time_source)
        )
    return _("{days} ({source}, to confirm)").format(
        days=days, source=source_words(result.lead_time_source)
    )


def verdict(result: ForecastResult, study: Study | None = None) -> str:
    """The forecast in one sentence: covered, or the first short week (its product by the name
    the study file gives it in the report's language, when `study` is given)."""
    first = result.forecast.first_short
    if first is None:
        return result.no_shortage()
    return _("Stock falls short in week {week}, from {date} ({product}).").format(
        week=first.week,
        date=long_day(first.start),
        product=product_name(study, first.product, result.product_names[first.product]),
    )


def _summary(result: ForecastResult, study: Study) -> list[Flowable]:
    lines = [
        _("Participants on treatment: {count}.").format(count=result.participants),
        verdict(result, study),
    ]
    coming = result.enrolment
    if coming is not None and coming.participants:
        lines.insert(
            1,
            _("Enrolment to come: {count}, the first from {date}, one every {days} days.").format(
                count=coming.participants, date=long_day(coming.first_day1), days=coming.every_days
            ),
        )
    lines.append(
        _(
            "Each cycle takes whole kits, first expiry first out, that last until its last day "
            "of supply plus {margin} days, as at the counter."
        ).format(margin=result.expiry_margin_days)
    )
    if result.held_note():  # the kits left out of the stock, said
        lines.append(result.held_note())
    quarantined = result.quarantine_note(
        lambda code: product_name(study, code, result.product_names[code])
    )
    if quarantined:  # in quarantine: not counted, said
        lines.append(quarantined)
    return [para(line) for line in lines]


def _orders(result: ForecastResult, paper: str, study: Study) -> list[Flowable]:
    story: list[Flowable] = [*heading(_("Suggested re-supply"))]
    orders = result.forecast.resupply
    if not orders:
        story.append(empty_note(_("No re-supply is needed within the forecast.")))
        return story
    rows = [
        [
            product_name(study, o.product, result.product_names[o.product]),
            str(o.kits),
            study.quantity(o.product, o.tablets),
            day(o.first_short),
            day(o.order_by),
        ]
        for o in orders
    ]
    widths = scaled(ORDER_SHARES, frame_width(False, paper))
    late = [(i, AMBER) for i, o in enumerate(orders) if o.late]
    story.append(
        data_table(
            [study.count_heading() if h == "Tablets" else _(h) for h in ORDER_HEADER],
            rows,
            widths,
            numeric=(1, 2),
            highlight=late,
        )
    )
    if late:
        story.append(
            para(
                _(
                    "Highlighted: the latest order date is past; order at once, and plan for "
                    "the short week."
                )
            )
        )
    return story


def _product(result: ForecastResult, study: Study, code: str) -> str:
    """The product by the name the study file gives it in the report's language, as the rest
    of the report names it (not its code, "herombopag-7.5mg")."""
    return product_name(study, code, result.product_names.get(code, code))


def _weeks(result: ForecastResult, paper: str, study: Study) -> list[Flowable]:
    story: list[Flowable] = [*heading(_("Week by week"))]
    rows = [r for r in result.forecast.rows if r.cycles or r.kits_on_hand]
    if not rows:
        story.append(empty_note(_("No cycle is due and no kit is on hand.")))
        return story
    table = [
        [
            str(r.week),
            day(r.start),
            _product(result, study, r.product),
            str(r.cycles),
            study.quantity(r.product, r.tablets_needed),  # "84 capsules" unless all tablets
            str(r.kits_needed),
            str(r.kits_on_hand),
            str(r.kits_usable),
            str(r.kits_short),
        ]
        for r in rows
    ]
    widths = scaled(WEEK_SHARES, frame_width(False, paper))
    short = [(i, AMBER) for i, r in enumerate(rows) if r.short]
    story.append(
        data_table(
            [
                _("Quantity needed") if h == "Tablets needed" and not study.tablets_only else _(h)
                for h in WEEK_HEADER
            ],
            table,
            widths,
            numeric=(3, 4, 5, 6, 7, 8),
            highlight=short,
        )
    )
    story.append(para(usable_note(result, study)))
    return story


def usable_note(result: ForecastResult, study: Study | None = None) -> str:
    """What "Kits usable" counts, beside "Kits on hand", and how "Kits short" follows: the
    rule of domain.forecast (rules.least_usable_tablets) in plain words, a full kit always
    usable, a part-used one when it holds what a cycle needs beyond its full kits. Its example
    in the study's unit: "52 capsules" of a capsule study, which read "52 tablets"."""
    if study is not None and not study.tablets_only and study.products:
        code = study.products[0].code
        return _(
            "Kits usable: of the kits on hand at the week's start, those the week's cycles can "
            "be given: the kits they take and, in a week that is not short, the kits left that "
            "the counter would hand out for a cycle starting on any day of the week (lasting "
            "until its last day of supply plus {margin} days). A full kit is always usable; a "
            "part-used kit is usable when it holds at least what a coming cycle needs beyond "
            "its full kits (for example {example} when a cycle takes {cycle} from kits of "
            "{kit}). Not usable: a kit that expires too soon for it; a part-used kit holding "
            "less that no cycle takes; in a short week, the kits left. Kits short: the new kits "
            "to order, kits needed less kits usable."
        ).format(
            margin=result.expiry_margin_days,
            example=study.units(code, 52),
            cycle=study.units(code, 112),
            kit=study.units(code, 60),
        )
    return _(
        "Kits usable: of the kits on hand at the week's start, those the week's cycles can be "
        "given: the kits they take and, in a week that is not short, the kits left that the "
        "counter would hand out for a cycle starting on any day of the week (lasting until its "
        "last day of supply plus {margin} days). A full kit is always usable; a part-used kit "
        "is usable when it holds at least what a coming cycle needs beyond its full kits (for "
        "example 52 tablets when a cycle takes 112 from kits of 60). Not usable: a kit that expires too soon "
        "for it; a part-used kit holding less that no cycle takes; in a short week, the kits "
        "left. Kits short: the new kits to order, kits needed less kits usable."
    ).format(margin=result.expiry_margin_days)


def _unused(result: ForecastResult, paper: str, study: Study) -> list[Flowable]:
    unused = result.forecast.unused
    story: list[Flowable] = [
        *heading(_("Kits that will expire unused ({count})").format(count=len(unused)))
    ]
    if not unused:
        story.append(empty_note(_("Every kit on hand can still be used after the forecast.")))
        return story
    rows = [
        [k.number, _product(result, study, k.product), k.lot, day(k.expiry), day(k.last_day1)]
        for k in unused
    ]
    widths = scaled(UNUSED_SHARES, frame_width(False, paper))
    story.append(data_table([_(h) for h in UNUSED_HEADER], rows, widths))
    story.append(
        para(
            _(
                "Last day 1: the last cycle start a kit still lasts for; after it the counter "
                "refuses the kit."
            )
        )
    )
    return story


def forecast_section(study: Study, result: ForecastResult, paper: str) -> Section:
    f = result.forecast
    fields = [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("As of"), long_day(result.today)),
        (
            _("Horizon"),
            (
                _("{weeks} week, to {date}") if f.weeks == 1 else _("{weeks} weeks, to {date}")
            ).format(weeks=f.weeks, date=long_day(f.last_day)),
        ),
        (_("Lead time"), lead_time_text(result)),
        (_("Expiry margin"), _("{days} days").format(days=result.expiry_margin_days)),
    ]
    story = [
        *_summary(result, study),
        *_orders(result, paper, study),
        *_weeks(result, paper, study),
        *_unused(result, paper, study),
    ]
    return Section(_(TITLE), story, fields=fields, contents_title=_(TITLE))


def forecast_pdf(
    meta: ReportMeta, study: Study, result: ForecastResult, paper: str = "a4"
) -> bytes:
    return build_report(meta, _(TITLE), [forecast_section(study, result, paper)], paper)


def forecast_csv(meta: ReportMeta, result: ForecastResult) -> str:
    """One row per week and product, per product to order and per kit that will expire unused
    (`record`: week, resupply, unused)."""
    f = result.forecast
    rows: list[list[object]] = [
        [
            "week",
            r.week,
            day(r.start),
            r.product,
            r.cycles,
            r.tablets_needed,
            r.kits_needed,
            r.kits_on_hand,
            r.kits_short,
            "",
            "",
            "",
            "",
            "",
            r.kits_usable,
        ]
        for r in f.rows
    ]
    rows += [
        [
            "resupply",
            "",
            day(o.first_short),
            o.product,
            "",
            o.tablets,
            o.kits,
            "",
            "",
            "",
            "",
            "",
            "",
            day(o.order_by),
            "",
        ]
        for o in f.resupply
    ]
    rows += [
        [
            "unused",
            "",
            "",
            k.product,
            "",
            "",
            "",
            "",
            "",
            k.number,
            k.lot,
            day(k.expiry),
            day(k.last_day1),
            "",
            "",
        ]
        for k in f.unused
    ]
    return to_csv(
        meta,
        (
            _("{title} (as of {date}, {weeks} week; {verdict})")
            if f.weeks == 1
            else _("{title} (as of {date}, {weeks} weeks; {verdict})")
        ).format(
            title=_(TITLE), date=long_day(result.today), weeks=f.weeks, verdict=verdict(result)
        ),
        CSV_HEADER,
        rows,
    )
