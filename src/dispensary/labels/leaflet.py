"""The participant's leaflet for one dispense: directions in large type, the supply dates,
what to do about a missed dose, and a tablet diary with one box per day of supply.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

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
from dispensary.labels.dispensing import kits_text
from dispensary.labels.particulars import check_complete, dispensing_fields
from dispensary.labels.text import BOLD, FONT, check_printable
from dispensary.services.results import DispenseResult
from dispensary.study import Study

PAPERS = {"a4": A4, "letter": LETTER}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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


def friendly_date(day: date) -> str:
    """'Wed 10 Sep 2025': the weekday helps, and the month in letters cannot be misread."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    check_printable(text, "leaflet text")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, style)


def participant_leaflet(
    study: Study, dispense: DispenseResult, paper: str = "a4", reprint: bool = False
) -> bytes:
    """A4 or US Letter pages the participant takes home with the tablets."""
    size = PAPERS.get(paper.strip().lower())
    if size is None:
        raise InvalidInput(f"'{paper}' is not a paper size: use {' or '.join(PAPERS)}.")
    check_complete(dispensing_fields(study, dispense), f"participant leaflet of {dispense.number}")
    dose = study.dose_level(dispense.dose_level)
    per_dose = sum(c.tablets_per_dose for c in dose.components)
    product = study.product(dispense.kits[0].product)
    next_visit = dispense.day1 + timedelta(days=study.cycle.length_days)

    story: list[Flowable] = []
    if reprint:
        story += [_p("REPRINT", REPRINT), Spacer(1, 3 * mm)]
    story += [
        _p(f"Your study tablets: cycle {dispense.cycle}", TITLE),
        _p(
            f"Participant {dispense.participant} ({dispense.initials}). "
            f"Study {study.protocol}: {study.short_title or study.title}. "
            f"Dispense {dispense.number}, {friendly_date(dispense.dispensed_on)}.",
            BODY,
        ),
        _p(
            f"{product.name} {product.strength} {product.form}s: {dispense.tablets}. "
            f"{kits_text(dispense).replace(chr(0xA0), ' ')}.",
            BODY,
        ),
        _p("How to take them", HEADING),
        _p(dispense.directions, LARGE),
        _p(
            f"First dose: the evening of {friendly_date(first_evening(dispense))}. Last dose: "
            f"the evening of {friendly_date(dispense.last_day)} ({evenings(dispense)} days).",
            MISSED,
        ),
        _p("If you miss a dose", HEADING),
        _p(study.label.missed_dose, MISSED),
        _p("Bring back", HEADING),
        _p(
            f"{study.label.return_instruction} Your next visit is due on "
            f"{friendly_date(next_visit)}.",
            MISSED,
        ),
        _p("Keep them safe", HEADING),
        _p(
            f"{study.temperature.storage} {study.label.keep_out_of_reach}. {study.label.caution}.",
            BODY,
        ),
        _p(
            f"Questions: {study.pharmacy_name}, {study.site_name}. {study.contact_name}, "
            f"{study.contact_address}, telephone {study.contact_phone}.",
            BODY,
        ),
        PageBreak(),
        _p(f"Tablet diary: cycle {dispense.cycle}", TITLE),
        _p(
            f"Participant {dispense.participant} ({dispense.initials}), dispense "
            f"{dispense.number}. Tick the box each evening when you have taken "
            f"{counted(per_dose, product.form)}; write a note if you missed or "
            "vomited a dose. Bring this page back at your next visit.",
            BODY,
        ),
        Spacer(1, 2 * mm),
        _diary(dispense, per_dose, product.form, size[0] - 36 * mm),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Participant leaflet {dispense.number}",
        author="Dispensary",
        creator=f"Dispensary {__version__}",
    )

    def footer(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        text = (
            f"{study.protocol} \u00b7 {dispense.participant} \u00b7 {dispense.number} \u00b7 "
            f"page {canvas.getPageNumber()}" + (" \u00b7 REPRINT" if reprint else "")
        )
        canvas.drawCentredString(size[0] / 2, 9 * mm, text)
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def first_evening(dispense: DispenseResult) -> date:
    """The first dose: the dispense's start date (the later of day 1 and the dispense date),
    never a day 1 already past."""
    return dispense.start_date or dispense.day1


def evenings(dispense: DispenseResult) -> int:
    """The evenings from the first dose to the cycle's last day of supply."""
    return max(1, (dispense.last_day - first_evening(dispense)).days + 1)


def counted(number: int, form: str) -> str:
    """'1 tablet', '2 tablets': the diary reads as the participant would say it."""
    return f"{number} {form}" if number == 1 else f"{number} {form}s"


def _diary(dispense: DispenseResult, per_dose: int, form: str, width: float) -> Table:
    header = ["Day", "Date (evening)", "Take", "Taken", "Note"]
    rows: list[list[str]] = [header]
    days = evenings(dispense)
    for n in range(days):
        day = first_evening(dispense) + timedelta(days=n)
        rows.append([str(n + 1), friendly_date(day), counted(per_dose, form), "", ""])
    table = Table(
        rows,
        colWidths=[14 * mm, 40 * mm, 24 * mm, 18 * mm, width - 96 * mm],
        rowHeights=[7 * mm] + [8 * mm] * days,
        repeatRows=1,
        hAlign="LEFT",
    )
    style = [
        ("FONT", (0, 0), (-1, 0), BOLD, 10),
        ("FONT", (0, 1), (-1, -1), FONT, 10),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ]
    for row in range(1, days + 1):
        style.append(("BOX", (3, row), (3, row), 1.4, colors.black))
    table.setStyle(TableStyle(style))
    return table
