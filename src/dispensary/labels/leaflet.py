"""The participant's leaflet for one dispense: directions in large type, the supply dates,
what to do about a missed dose, and a tablet diary with one box per day of supply.

It is written in the languages the print plan gives (English when none is given): a Chinese
leaflet is Chinese throughout (headings and the leaflet's own sentences from the message
catalogue, the study's texts from the study file's [label.text.zh_CN], dates the Chinese way).
With several languages (a bilingual study) each language has its own pages, and the diary
follows once, in the main language, its instructions in every language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dispensary import __version__
from dispensary.domain.errors import InvalidInput
from dispensary.domain.regimen import DoseLevel, tablets_needed
from dispensary.i18n import _, speaking
from dispensary.labels import wording
from dispensary.labels.dispensing import kits_text
from dispensary.labels.languages import (
    ENGLISH_ONLY,
    Speech,
    directions,
    friendly_date,
    speeches,
)
from dispensary.labels.particulars import (
    check_complete,
    dispensed_products,
    dispensing_fields,
    pharmacy_name,
)
from dispensary.labels.text import (
    BOLD,
    FONT,
    NBSP,
    check_printable,
    keep_together,
    visible,
    wrap,
)
from dispensary.labels.titles import dispense_title, in_languages, reprinted
from dispensary.pdffonts import (
    bind_spaces,
    cjk_font,
    draw_string,
    font_for,
    latin_only,
    string_width,
)
from dispensary.services.pharmacy import NONE_SET, Particulars
from dispensary.services.results import DispenseResult
from dispensary.study import Study, english_units, is_tablet

PAPERS = {"a4": A4, "letter": LETTER}
BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=14, spaceAfter=4)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=17, leading=21, spaceAfter=6)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName=BOLD, fontSize=13, leading=16, spaceBefore=8, spaceAfter=3
)
LARGE = ParagraphStyle("large", parent=BODY, fontName=BOLD, fontSize=17, leading=22, spaceAfter=6)
MISSED = ParagraphStyle("missed", parent=BODY, fontSize=14, leading=18)
REPRINT = ParagraphStyle(
    "reprint",
    parent=BODY,
    fontName=BOLD,
    fontSize=12,
    textColor=colors.white,
    backColor=colors.black,
    alignment=TA_CENTER,
    borderPadding=2,
)


def _when(day: date, speech: Speech) -> str:
    """A date in a sentence, never broken across lines."""
    return (
        friendly_date(day, speech) if speech.english else keep_together(friendly_date(day, speech))
    )


class SetText(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A paragraph in the CJK font, broken into lines the way a label's text is (labels.text:
    Chinese breaks between characters, never before closing or after opening punctuation),
    which reportlab's own CJK wrapping does not respect. Bold is the font stroked (faux bold)."""

    def __init__(self, text: str, style: ParagraphStyle, lines: Sequence[str] = ()) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.bold = style.fontName == BOLD
        self.font = cjk_font()
        self.lines = list(lines)
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter

    def _break(self, width: float) -> list[str]:
        found = wrap(self.text, self.font, self.style.fontSize, width)
        if found is not None:
            return found
        lines, current = [], ""  # a run wider than the page: cut it anywhere
        for ch in visible(self.text):
            if string_width(current + ch, self.font, self.style.fontSize) > width and current:
                lines.append(current)
                current = ""
            current += ch
        return [*lines, current]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self.lines:
            self.lines = self._break(availWidth)
        self.width = availWidth
        self.height = len(self.lines) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self.lines or self._break(availWidth)
        fits = int(availHeight // self.style.leading)
        if fits < 1 or fits >= len(lines):
            return []
        return [
            SetText(self.text, self.style, lines[:fits]),
            SetText(self.text, self.style, lines[fits:]),
        ]

    def draw(self) -> None:
        style = self.style
        canvas = self.canv
        canvas.saveState()
        if style.backColor is not None:
            pad = style.borderPadding or 0
            canvas.setFillColor(style.backColor)
            canvas.rect(-pad, -pad, self.width + 2 * pad, self.height + 2 * pad, 0, 1)
        canvas.setFillColor(style.textColor)
        for index, line in enumerate(self.lines):
            baseline = (
                self.height
                - (index + 1) * style.leading
                + (style.leading - style.fontSize) / 2
                + style.fontSize * 0.2
            )
            if style.alignment == TA_CENTER:
                x, align = self.width / 2, "centre"
            else:
                x, align = 0.0, "left"
            draw_string(canvas, x, baseline, line, self.font, style.fontSize, self.bold, align)
        canvas.restoreState()


def _p(text: str, style: ParagraphStyle, field: str = "leaflet text") -> Flowable:
    """A paragraph: Helvetica for Latin text, the CJK font (set by SetText) otherwise. A date
    is never broken across lines, nor a number parted from its unit or count word ('21 days',
    '1 tablet', '7.5 mg'): SetText's wrap keeps them whole, as a label does, and in a
    Paragraph (which breaks at any space) their parts are joined by no-break spaces
    (pdffonts.bind_spaces: the label's pieces, without its word joiners)."""
    check_printable(text, field)
    if not latin_only(text):
        return SetText(text, style)
    escaped = bind_spaces(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, style)


def participant_leaflet(
    study: Study,
    dispense: DispenseResult,
    paper: str = "a4",
    reprint: bool = False,
    languages: Sequence[str] = ENGLISH_ONLY,
    pharmacy: Particulars = NONE_SET,
    title: str | None = None,
) -> bytes:
    """A4 or US Letter pages the participant takes home with the tablets, in `languages` (the
    print plan's; the first is the main one); `pharmacy`: its own name once set. `title`: the
    PDF's (the print's, labels.catalogue); else the dispense's, in the leaflet's languages."""
    size = PAPERS.get(paper.strip().lower())
    if size is None:
        raise InvalidInput(f"'{paper}' is not a paper size: use {' or '.join(PAPERS)}.")
    check_complete(
        dispensing_fields(study, dispense, pharmacy),
        _("participant leaflet of {dispense}").format(dispense=dispense.number),
    )
    spoken = speeches(study, languages)
    story: list[Flowable] = []
    for speech in spoken:
        with speaking(speech.language):
            story += _information(study, dispense, speech, reprint, pharmacy)
            story.append(PageBreak())
    with speaking(spoken[0].language):
        story += _diary_pages(study, dispense, spoken, size[0] - 36 * mm)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title
        or in_languages(languages, lambda: reprinted(dispense_title(dispense, True), reprint)),
        author="Dispensary",
        creator=f"Dispensary {__version__}",
    )
    main = spoken[0]

    def footer(canvas: Canvas, number: int, pages: int) -> None:
        canvas.saveState()
        with speaking(main.language):
            page = _("page {page} of {pages}").format(page=number, pages=pages)
            mark = f" \u00b7 {wording.reprint()}" if reprint else ""
        text = (
            f"{study.protocol} \u00b7 {dispense.participant} \u00b7 {dispense.number} \u00b7 "
            f"{page}{mark}"
        )
        font = font_for(text)
        draw_string(canvas, size[0] / 2, 9 * mm, text, font, 8, align="centre")
        canvas.restoreState()

    doc.build(story, canvasmaker=lambda *a, **k: _FooterCanvas(footer, *a, **k))
    return buffer.getvalue()


class _FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Holds the pages back until the end, then writes each one's footer with the number of
    pages ("page 1 of 2": a participant holding one loose page knows another is missing)."""

    def __init__(self, footer: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._footer(self, number, pages)
            Canvas.showPage(self)
        Canvas.save(self)


def _information(
    study: Study,
    dispense: DispenseResult,
    speech: Speech,
    reprint: bool,
    pharmacy: Particulars = NONE_SET,
) -> list[Flowable]:
    """The leaflet's first page(s) in one language (spoken around the call)."""
    text = speech.text
    next_visit = dispense.day1 + timedelta(days=study.cycle.length_days)
    title = (study.short_title or study.title) if speech.english else text.title
    where = speech.source
    story: list[Flowable] = []
    if reprint:
        story += [_p(wording.reprint(), REPRINT), Spacer(1, 3 * mm)]
    products = _products(study, dispense, speech)
    kits = kits_text(study, dispense, text)
    told = directions(study, dispense, speech)
    doses_from, doses_until = doses_span(study, dispense)
    if speech.english:  # set by reportlab's Paragraph: no word joiners (Helvetica has none)
        kits = visible(kits)  # its no-break spaces kept ('EXP 31 DEC 2030' whole)
    story += [
        _p(
            (
                _("Your study tablets: cycle {cycle}")
                if _tablets_only(study, dispense)
                else _("Your study medicine: cycle {cycle}")
            ).format(cycle=dispense.cycle),
            TITLE,
        ),
        _p(
            _(
                "Participant {participant} ({initials}). Study {protocol}: {title}. "
                "Dispense {number}, {date}."
            ).format(
                participant=dispense.participant,
                initials=dispense.initials,
                protocol=study.protocol,
                title=title,
                number=dispense.number,
                date=_when(dispense.dispensed_on, speech),
            ),
            BODY,
            where("study title ([study] title)", "title"),
        ),
        _p(wording.sentence(products, kits), BODY, "products, kits and lots"),
        _p(_("How to take them"), HEADING),
        _p(
            told,
            LARGE,
            "directions (" + where("[label] directions", "directions") + ")",
        ),
        _p(
            (
                text.leaflet_doses or _("First dose: {first}. Last dose: {last} ({days} days).")
            ).format(
                first=_when(doses_from, speech),
                last=_when(doses_until, speech),
                days=(doses_until - doses_from).days + 1,
            ),
            MISSED,
            "first and last dose (" + where("[label] leaflet_doses", "leaflet_doses") + ")",
        ),
        _p(_("If you miss a dose"), HEADING),
        _p(
            text.missed_dose,
            MISSED,
            "missed dose (" + where("[label] missed_dose", "missed_dose") + ")",
        ),
        _p(_("Bring back"), HEADING),
        _p(
            _("{instruction} Your next visit is due on {date}.").format(
                instruction=text.return_instruction, date=_when(next_visit, speech)
            ),
            MISSED,
            "return instruction ("
            + where("[label] return_instruction", "return_instruction")
            + ")",
        ),
        _p(_("Keep them safe"), HEADING),
        _p(
            wording.sentence(text.storage, text.keep_out_of_reach, text.caution),
            BODY,
            "storage and cautions ("
            + where(
                "[temperature] storage, [label] keep_out_of_reach, caution",
                "storage, keep_out_of_reach, caution",
            )
            + ")",
        ),
        _p(
            # No telephone when the study file gives none ([study] contact_phone is optional).
            (
                _("Questions: {pharmacy}, {site}. {name}, {address}, telephone {phone}.")
                if study.contact_phone
                else _("Questions: {pharmacy}, {site}. {name}, {address}.")
            ).format(
                pharmacy=pharmacy_name(
                    study, pharmacy, "" if speech.english else text.pharmacy_name
                ),
                site=text.site_name or study.site_name,
                name=text.contact_name,
                address=text.contact_address,
                phone=keep_together(study.contact_phone),
            ),
            BODY,
            "contact ("
            + where("[study] contact_name, contact_address", "contact_name, contact_address")
            + ")",
        ),
    ]
    return story


def _tablets_only(study: Study, dispense: DispenseResult) -> bool:
    """Every product of the dispense is a tablet: the leaflet's titles say "tablets"; else
    "medicine" (a capsule is no tablet, and two drugs may be one of each)."""
    return all(is_tablet(study.form_of(code)) for code, _count in dispensed_products(dispense))


def _products(study: Study, dispense: DispenseResult, speech: Speech) -> str:
    """What is in the bag: 'A 10 mg tablets: 21' for one product; for several each with its
    own count in its own form's word ('A 100 mg: 28 capsules; B 25 mg: 30 tablets')."""
    text = speech.text
    counted = dispensed_products(dispense)
    if len(counted) == 1:
        product = study.product(dispense.kits[0].product)
        return _("{product} {form}s: {count}").format(
            product=text.products[product.code],
            form=product.form,
            count=dispense.tablets,
            tablets=text.counted(dispense.tablets, product.form),
        )
    each = []
    for code, count in counted:
        form = study.product(code).form
        each.append(
            wording.product_units(text.products[code], count, form, text.counted(count, form))
        )
    return wording.products_units(each)


DIARY_JOINER = " +\n"  # a drug a line in the diary's Take column
NOTE = 30 * mm  # the diary's Note column at its narrowest


def _dose_text(
    study: Study,
    dose: DoseLevel,
    speech: Speech,
    cycle_day: int | None = None,
    diary: bool = False,
) -> str:
    """One dose in units of each product ("1 tablet"; "democapib (fictional) 100 mg: 1 capsule
    + demotinib (fictional) 25 mg: 1 tablet" for two drugs, each named as its label's heading
    names it): never the units of two products added together, nor a count without its drug.
    On a `cycle_day` (1: day 1) the whole day of each product taken that day (`_day_of`):
    "democapib (fictional) 100 mg: 2 capsules (2 doses of 1) + demotinib (fictional) 25 mg: 1
    tablet", only "demotinib (fictional) 25 mg: 1 tablet" on day 15 of a capsule twice daily
    on days 1-14; "" when none is. A diary row is ticked for all of the day's doses: one dose
    there is half a twice-daily drug's day. `diary`: for the diary's Take cell, a drug a line,
    its part of the day never broken (a line may break after its name only)."""
    parts: list[str] = []
    for code in dose.products:
        if cycle_day is not None:
            if dose.doses_on(code, cycle_day):
                parts.append(_day_of(study, dose, code, cycle_day, speech))
            else:
                continue
        else:
            units = sum(c.tablets_per_dose for c in dose.of_product(code))
            parts.append(counted(units, study.product(code).form, speech))
        if len(dose.products) > 1:
            part = keep_together(parts[-1]) if diary else parts[-1]
            parts[-1] = _("{product}: {units}").format(
                product=speech.text.products[code], units=part
            )
    return (DIARY_JOINER if diary else " + ").join(parts)


def _day_of(study: Study, dose: DoseLevel, code: str, cycle_day: int, speech: Speech) -> str:
    """A product's units on one day of the cycle, as the regimen counts them (tablets_needed),
    with its doses when it is taken more than once that day: "2 capsules (2 doses of 1)",
    "2粒（分2次，每次1粒）", "3 tablets (1 dose of 1; 1 dose of 2)" of a product given in two
    parts; "1 tablet" once a day."""
    form = study.product(code).form
    total = counted(tablets_needed(dose, code, 1, cycle_day), form, speech)
    doses = dose.doses_on(code, cycle_day)
    if len(doses) == 1 and doses[0][0] == 1:  # one dose that day: nothing to split
        return total
    split = wording.punctuation("; ").join(
        (_("{doses} doses of {number}") if times > 1 else _("1 dose of {number}")).format(
            doses=times, number=units, each=counted(units, form, speech)
        )
        for times, units in doses
    )
    return _("{total} ({doses})").format(total=total, doses=split)


def _cycle_day(dispense: DispenseResult, day: date) -> int:
    """The day of the cycle a date is (1: day 1)."""
    return (day - dispense.day1).days + 1


def _takes(
    study: Study, dispense: DispenseResult, speech: Speech, diary: bool = False
) -> list[str]:
    """What to take each day of the diary, in the diary's order: only the drugs taken that
    day of the cycle, "none today" on a day no drug is. `diary`: for its cells
    (`_dose_text`)."""
    dose = study.dose_level(dispense.dose_level)
    first = first_day(dispense)
    takes = []
    for n in range(days_of_doses(dispense)):
        day = first + timedelta(days=n)
        took = _dose_text(study, dose, speech, _cycle_day(dispense, day), diary)
        takes.append(took or _("none today"))
    return takes


def _diary_pages(
    study: Study, dispense: DispenseResult, spoken: Sequence[Speech], width: float
) -> list[Flowable]:
    """The diary, once, in the main language; its instructions in every language."""
    main = spoken[0]
    dose = study.dose_level(dispense.dose_level)
    takes = _takes(study, dispense, main, diary=True)
    story: list[Flowable] = [
        _p(
            (
                _("Tablet diary: cycle {cycle}")
                if _tablets_only(study, dispense)
                else _("Medicine diary: cycle {cycle}")
            ).format(cycle=dispense.cycle),
            TITLE,
        )
    ]
    for speech in spoken:
        with speaking(speech.language):
            # The file's own {dose} is one dose ("... each time"); a product in several parts
            # has no one dose, so it is named as the Take column shows it.
            parts = any(len(dose.of_product(code)) > 1 for code in dose.products)
            if len(set(takes)) == 1 and not (parts and speech.text.diary_tick):
                own = bool(speech.text.diary_tick)  # {dose}: one dose ("... each time")
                taken = (
                    _dose_text(study, dose, speech) if own else _takes(study, dispense, speech)[0]
                )
            else:  # a drug taken on some days of the cycle only, or in several parts
                taken = _("what the Take column shows for that day")
            tick = speech.text.diary_tick or _(
                "Tick the box each day when you have taken {dose}; write a note if you missed "
                "or vomited a dose."
            )
            story.append(
                _p(
                    _(
                        "Participant {participant} ({initials}), dispense {number}. {tick} "
                        "Bring this page back at your next visit."
                    ).format(
                        participant=dispense.participant,
                        initials=dispense.initials,
                        number=dispense.number,
                        tick=tick.format(dose=taken),
                    ),
                    BODY,
                    "diary instruction (" + speech.source("[label] diary_tick", "diary_tick") + ")",
                )
            )
    story += [Spacer(1, 2 * mm), _diary(dispense, takes, width, main)]
    return story


def first_day(dispense: DispenseResult) -> date:
    """The first day of doses: the dispense's start date (the later of day 1 and the dispense
    date), never a day 1 already past."""
    return dispense.start_date or dispense.day1


def doses_span(study: Study, dispense: DispenseResult) -> tuple[date, date]:
    """The first and last day a drug of the dose is taken: a drug on days 8-21 of the cycle
    only has its first dose on day 8 and its last on day 21, not on the dispense's start and
    the last day of supply (the directions' start date beside "First dose: <day 1>" would
    contradict it). The dispense's days when every day has a dose, or none has."""
    dose = study.dose_level(dispense.dose_level)
    first = first_day(dispense)
    taken = [
        first + timedelta(days=n)
        for n in range(days_of_doses(dispense))
        if any(
            dose.doses_on(code, _cycle_day(dispense, first + timedelta(days=n)))
            for code in dose.products
        )
    ]
    return (taken[0], taken[-1]) if taken else (first, dispense.last_day)


def days_of_doses(dispense: DispenseResult) -> int:
    """The days from the first dose to the cycle's last day of supply."""
    return max(1, (dispense.last_day - first_day(dispense)).days + 1)


def counted(number: int, form: str, speech: Speech | None = None) -> str:
    """'1 tablet', '2 tablets': the diary reads as the participant would say it ('2片')."""
    if speech is not None and not speech.english:
        return speech.text.counted(number, form)
    return english_units(number, form)


def _diary(dispense: DispenseResult, takes: Sequence[str], width: float, speech: Speech) -> Table:
    """One row per day: what to take that day (`takes`, one per day) and a box; the date's
    heading names the study's dosing time where its file gives one ("Date (evening)")."""
    header = [_("Day"), speech.text.diary_date or _("Date"), _("Take"), _("Taken"), _("Note")]
    rows: list[list[str]] = [header]
    days = days_of_doses(dispense)
    for n in range(days):
        day = first_day(dispense) + timedelta(days=n)
        rows.append([str(n + 1), friendly_date(day, speech), takes[n], "", ""])
    cells = [cell for line in rows for cell in line]
    for cell in cells:
        check_printable(cell, "tablet diary")
    chinese = not all(latin_only(cell) for cell in cells)
    regular, bold = (cjk_font(), cjk_font()) if chinese else (FONT, BOLD)
    widest = max(
        string_width(line, regular, 10) for cell in [header[2], *takes] for line in cell.split("\n")
    )
    # "1 tablet" on one line; two drugs each on its own line, wrapped where it is wider than
    # the page leaves beside a Note column of NOTE.
    take = min(max(24 * mm, widest + 14), width - 72 * mm - NOTE)
    for day_row in rows[1:]:
        wrapped = wrap(day_row[2], regular, 10, take - 12)
        if wrapped is not None:
            day_row[2] = "\n".join(line.replace(NBSP, " ") for line in wrapped)
        else:  # a part wider than the column: drawn unbroken, as the wrap has no room
            day_row[2] = visible(day_row[2]).replace(NBSP, " ")
    heights = [max(8 * mm, 12 * (day_row[2].count("\n") + 1) + 6) for day_row in rows[1:]]
    table = Table(
        rows,
        colWidths=[14 * mm, 40 * mm, take, 18 * mm, width - 72 * mm - take],
        rowHeights=[7 * mm, *heights],
        repeatRows=1,
        hAlign="LEFT",
    )
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), bold, 10),
        ("FONT", (0, 1), (-1, -1), regular, 10),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ]
    for row in range(1, days + 1):
        style.append(("BOX", (3, row), (3, row), 1.4, colors.black))
    table.setStyle(TableStyle(style))
    return table
