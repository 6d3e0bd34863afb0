"""What every report shares: page layout, a header repeated on every page of a section,
one "page N of M" counted over the whole document, and a footer saying when, by whom and from which
database the report was generated, with the audit chain's verification code as it stood when
the report's facts were read (domain.anchor; `dispensary audit verify --anchor CODE`).

A report is a list of sections (a DARF per product is a section; a monitor pack is many
sections); each section has its own page template so its header and orientation follow it.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from dispensary import __version__
from dispensary.domain.errors import InvalidInput
from dispensary.services.report_data import ReportMeta

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
PAPERS = {"a4": A4, "letter": LETTER}
MARGIN = 12 * mm
FOOTER = 10 * mm
GREY = colors.HexColor("#e9e9e9")
LIGHT = colors.HexColor("#f6f6f6")
AMBER = colors.HexColor("#fff3cd")
RED = colors.HexColor("#c62828")
GREEN = colors.HexColor("#2e7d32")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, spaceAfter=3)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.2)
HEADING = ParagraphStyle(
    "heading",
    parent=BODY,
    fontName=BOLD,
    fontSize=11,
    leading=14,
    spaceBefore=8,
    spaceAfter=4,
)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=16, leading=20, spaceAfter=8)
FIELD_LABEL = ParagraphStyle("field_label", parent=SMALL, fontName=BOLD)
FIELD_VALUE = ParagraphStyle("field_value", parent=SMALL)
TOC_STYLE = ParagraphStyle("toc", parent=BODY, fontSize=10, leading=15)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (markup characters are shown as typed)."""
    return Paragraph(escape(text), style)


def when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def kit_ranges(kits: Sequence[str]) -> str:
    """'K0001-K0085 (85 kits)': runs of consecutive kit numbers written as ranges."""
    runs: list[list[str]] = []
    for number in kits:
        if runs and _follows(runs[-1][-1], number):
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
    return text + (f" ({len(kits)} kits)" if len(kits) > 2 else "")


def _follows(previous: str, number: str) -> bool:
    head_a, digits_a = _split_number(previous)
    head_b, digits_b = _split_number(number)
    return (
        bool(digits_a)
        and head_a == head_b
        and len(digits_a) == len(digits_b)
        and int(digits_b) == int(digits_a) + 1
    )


def _split_number(number: str) -> tuple[str, str]:
    stripped = number.rstrip("0123456789")
    return stripped, number[len(stripped) :]


def period_text(since: date | None, until: date | None) -> str:
    if since is None and until is None:
        return "whole record"
    if since is None:
        return f"up to {day(until)}"
    if until is None:
        return f"from {day(since)}"
    return f"{day(since)} to {day(until)}"


@dataclass
class Section:
    """Pages with one header: `fields` (label, value) are repeated at the top of each page."""

    title: str
    story: list[Flowable]
    fields: Sequence[tuple[str, str]] = ()
    landscape: bool = False
    contents_title: str = ""  # listed on the contents page under this name
    field_columns: int = 0  # 0: 2 in portrait, 3 in landscape


@dataclass
class _Layout:
    size: tuple[float, float]
    header: Table | None
    header_height: float
    sections: list[int] = field(default_factory=list)


class _NumberingCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Holds pages back until the end, then writes 'Page N of M' per section on each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self.section_index = 0
        self.section_titles: list[str] = []
        self.multi_section = False

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals = Counter(state["section_index"] for state in self._held)
        seen: Counter[int] = Counter()
        count = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            seen[self.section_index] += 1
            self._numbers(seen[self.section_index], totals[self.section_index], number, count)
            Canvas.showPage(self)
        Canvas.save(self)

    def _numbers(self, page: int, pages: int, sheet: int, sheets: int) -> None:
        """One counter, of the whole document: two (per section and per sheet) disagreed on
        the same page. A section's own pages are named in its title on the contents page."""
        width, height = self._pagesize
        self.saveState()
        self.setFont(BOLD, 9)
        self.drawRightString(width - MARGIN, height - MARGIN - 9, f"Page {sheet} of {sheets}")
        self.restoreState()


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab has no type hints
    def __init__(self, buffer: io.BytesIO, contents: bool, **kwargs: Any) -> None:
        super().__init__(buffer, **kwargs)
        self.contents = contents

    def afterFlowable(self, flowable: Flowable) -> None:
        title = getattr(flowable, "contents_title", "")
        if self.contents and title:
            self.notify("TOCEntry", (0, title, self.page))


def _header_table(fields: Sequence[tuple[str, str]], width: float, columns: int) -> Table:
    """Label/value pairs in columns; a long value (a protocol title) takes a full row."""
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    pending: list[tuple[str, str]] = []

    def add(pairs: Sequence[tuple[str, str]], span: bool) -> None:
        row: list[Any] = []
        for label, value in pairs:
            row += [Paragraph(escape(label), FIELD_LABEL), Paragraph(escape(value), FIELD_VALUE)]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
        index = len(rows) - 1
        for column in range(0, 2 * len(pairs), 2):
            style.append(("BACKGROUND", (column, index), (column, index), GREY))
        if span:
            style.append(("SPAN", (1, index), (2 * columns - 1, index)))

    for label, value in fields:
        if len(value) > 60:
            add([(label, value)], span=True)
            continue
        pending.append((label, value))
        if len(pending) == columns:
            add(pending, span=False)
            pending = []
    if pending:
        add(pending, span=False)
    label_width = 30 * mm
    value_width = width / columns - label_width
    table = Table(rows, colWidths=[label_width, value_width] * columns)
    table.setStyle(TableStyle(style))
    return table


def build_report(
    meta: ReportMeta,
    title: str,
    sections: Sequence[Section],
    paper: str = "a4",
    contents: bool = False,
    contents_fields: Sequence[tuple[str, str]] = (),
) -> bytes:
    """Renders the sections into one PDF; `contents` adds a contents page listing them (with
    `contents_fields` in its header: what the document is, for whom, by whom)."""
    page = PAPERS.get(paper.strip().lower())
    if page is None:
        raise InvalidInput(f"'{paper}' is not a paper size: use {' or '.join(PAPERS)}.")
    if not sections:
        raise InvalidInput("A report needs at least one section.")
    all_sections = list(sections)
    if contents:
        toc = TableOfContents()
        toc.levelStyles = [TOC_STYLE]
        toc.dotsMinLevel = 0
        all_sections.insert(0, Section(title, [toc], fields=contents_fields))

    buffer = io.BytesIO()
    doc = _Document(
        buffer,
        contents,
        pagesize=page,
        title=title,
        author=f"{meta.generated_by} ({meta.username})",
        subject=f"{meta.protocol}: {title}",
        creator=f"Dispensary {__version__}",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
    )
    templates = []
    story: list[Flowable] = []
    for index, section in enumerate(all_sections):
        size = landscape(page) if section.landscape else page
        templates.append(_template(index, section, size, meta, len(all_sections) > 1))
        if index:
            story += [NextPageTemplate(f"s{index}"), PageBreak()]
        if section.contents_title:
            story.append(_Marker(section.contents_title))
        story += section.story
    doc.addPageTemplates(templates)
    if contents:
        doc.multiBuild(story, canvasmaker=_NumberingCanvas)
    else:
        doc.build(story, canvasmaker=_NumberingCanvas)
    return buffer.getvalue()


class _Marker(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """Takes no space; tells the contents page where a section starts."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.contents_title = title

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        return None


def _template(
    index: int, section: Section, size: tuple[float, float], meta: ReportMeta, multi: bool
) -> PageTemplate:
    width, height = size
    inner = width - 2 * MARGIN
    columns = section.field_columns or (3 if section.landscape else 2)
    header = _header_table(section.fields, inner, columns) if section.fields else None
    header_height = header.wrap(inner, height)[1] if header is not None else 0.0
    title_height = 16.0
    top = height - MARGIN - title_height - (header_height + 3 * mm if header is not None else 0)
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER,
        inner,
        top - MARGIN - FOOTER - 2 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=f"f{index}",
    )

    # The footer's right-hand column: the verification code.
    code = f"Verification code {meta.anchor}" if meta.anchor else ""
    reserved = max(30 * mm, stringWidth(code, BOLD, 7) + 6 * mm)

    def decorate(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.section_index = index
        canvas.multi_section = multi
        canvas.saveState()
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN, height - MARGIN - 10, section.title)
        if header is not None:
            header.drawOn(canvas, MARGIN, height - MARGIN - title_height - header_height)
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#333333"))
        for line_no, line in enumerate(simpleSplit(meta.line, FONT, 7, inner - reserved)[:3]):
            canvas.drawString(MARGIN, MARGIN + FOOTER - 9 - line_no * 8.5, line)
        if code:
            canvas.setFont(BOLD, 7)
            canvas.drawRightString(width - MARGIN, MARGIN + FOOTER - 9, code)
        canvas.restoreState()

    return PageTemplate(id=f"s{index}", frames=[frame], onPage=decorate, pagesize=size)


# ---------------------------------------------------------------------------------------------
# Tables


def wrapped(text: str, width: float, font: str = FONT, size: float = 7.5) -> str:
    """Pre-wrapped cell text (fast for long tables; Table cells honour newlines).

    A word wider than the column is broken across lines rather than overflowing it.
    """
    if not text:
        return ""
    room = max(width - 4, 10)
    if "\n" not in text and stringWidth(text, font, size) <= room:
        return text
    lines: list[str] = []
    for line in simpleSplit(text, font, size, room):
        while stringWidth(line, font, size) > room and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > room:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    highlight: Sequence[tuple[int, colors.Color]] = (),
    size: float = 7.5,
    bold_rows: Sequence[int] = (),
) -> Table:
    """A ruled table whose header repeats on every page; long texts wrap, never cut.

    Header words are never broken: a column too narrow for its longest header word is
    widened, the room taken from columns with space to spare.
    """
    widths = header_widths(header, widths, size)
    header_cells = [wrapped(h, w, BOLD, size) for h, w in zip(header, widths, strict=True)]
    bold = set(bold_rows)
    body = [
        [
            wrapped(text, width, BOLD if index in bold else FONT, size)
            for text, width in zip(row, widths, strict=True)
        ]
        for index, row in enumerate(rows)
    ]
    table = Table([header_cells, *body], colWidths=list(widths), repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), BOLD, size, size * 1.2),
        ("FONT", (0, 1), (-1, -1), FONT, size, size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for column in numeric:
        style.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
    for row_index, colour in highlight:
        style.append(("BACKGROUND", (0, row_index + 1), (-1, row_index + 1), colour))
    for row_index in bold_rows:
        style.append(("FONT", (0, row_index + 1), (-1, row_index + 1), BOLD, size, size * 1.2))
    table.setStyle(TableStyle(style))
    return table


def header_widths(header: Sequence[str], widths: Sequence[float], size: float) -> list[float]:
    """Column widths in which every header word fits on one line (same total width).

    A header reads "Dispensed", never "Dispense/d": each short column gets the width of its
    longest header word, paid for by the columns wider than their own longest word.
    """
    needed = [
        max((stringWidth(word, BOLD, size) for word in text.split()), default=0.0) + 4.5
        for text in header
    ]
    result = list(widths)
    short = sum(max(n - w, 0.0) for n, w in zip(needed, result, strict=True))
    spare = sum(max(w - n, 0.0) for n, w in zip(needed, result, strict=True))
    if short <= 0 or spare < short:
        return result
    share = short / spare
    return [n if n > w else w - (w - n) * share for n, w in zip(needed, result, strict=True)]


def heading(text: str) -> list[Flowable]:
    """A section heading that starts a new page when less than a few lines would follow it."""
    return [CondPageBreak(25 * mm), para(text, HEADING)]


def empty_note(text: str) -> Paragraph:
    return para(text, ParagraphStyle("empty", parent=BODY, fontName=ITALIC))


def signature_block(roles: Sequence[str], width: float) -> Table:
    """Lines for handwritten signatures: name, signature and date per role."""
    rows = [["", "Name", "Signature", "Date"]]
    rows += [[role, "", "", ""] for role in roles]
    table = Table(
        rows,
        colWidths=[width * 0.22, width * 0.3, width * 0.3, width * 0.18],
        rowHeights=[14] + [28] * len(roles),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), BOLD, 9),
                ("FONT", (0, 1), (0, -1), BOLD, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), GREY),
            ]
        )
    )
    return table


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def frame_width(section_landscape: bool, paper: str = "a4") -> float:
    page = PAPERS.get(paper.strip().lower(), A4)
    size = landscape(page) if section_landscape else page
    return float(size[0] - 2 * MARGIN)


def scaled(fractions: Sequence[float], width: float) -> list[float]:
    """Column widths from relative shares of the frame width."""
    total = sum(fractions)
    return [width * f / total for f in fractions]
