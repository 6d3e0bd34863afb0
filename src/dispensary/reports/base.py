"""What every report shares: page layout, a header repeated on every page of a section,
one "page N of M" counted over the whole document, and a footer saying when, by whom and from which
database the report was generated, with the audit chain's verification code as it stood when
the report's facts were read (domain.anchor; `dispensary audit verify --anchor CODE`).

A report is a list of sections (a DARF per product is a section; a monitor pack is many
sections); each section has its own page template so its header and orientation follow it.

Language (reports.words): a report is drawn in the current language (`i18n.speaking`). In
Chinese every text is set in the CJK font (dispensary.pdffonts: WenQuanYi Micro Hei, TrueType,
embedded as a subset; it prints Latin letters and digits too, and has no bold or italic face:
a page title is drawn in faux bold, headings are told apart by size), and a paragraph or table
cell holding Chinese wraps between characters (reportlab's wordWrap="CJK", which keeps the
punctuation that may not start a line). An English report is set in Helvetica as before; a
value Helvetica cannot print (a name or note in Chinese) is set in the CJK font, so that no
cell ever shows empty boxes.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from typing import Any, TypeAlias

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
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

from dispensary import __version__, pdffonts
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import N_, _, listed
from dispensary.reports.words import (
    chinese,
    day,
    footer_line,
    long_day,
    long_when,
    period_text,
    verification_text,
    when,
)
from dispensary.services.report_data import ReportMeta

__all__ = [
    "day",
    "long_day",
    "long_when",
    "period_text",
    "when",
]  # re-exported: the renderers import them here

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
SIGNATURE_ROLE = ParagraphStyle("signature_role", parent=BODY, fontName=BOLD, spaceAfter=0)


RAISED = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
UNRAISED = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
"""A power written raised ("×10⁹/L", study.written_unit): neither Helvetica nor the CJK font
has the superscript digits, so a paragraph raises plain ones (<super>)."""


def escape(text: str) -> str:
    """Plain text as paragraph markup: its markup characters shown as typed, its raised
    digits raised in the paragraph's own font."""
    plain = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return RAISED.sub(lambda m: f"<super>{m.group().translate(UNRAISED)}</super>", plain)


# ---------------------------------------------------------------------------------------------
# Fonts and styles in the report's language


def needs_cjk(text: str = "") -> bool:
    """The CJK font for this text: a Chinese report, or a text Helvetica cannot print."""
    return chinese() or not pdffonts.latin_only(text.translate(UNRAISED))


def font(bold: bool = False, italic: bool = False, text: str = "") -> str:
    """The font of a report's text: Helvetica (bold, oblique) in English; the CJK font (one
    face) in Chinese or for a text Helvetica cannot print."""
    if needs_cjk(text):
        return pdffonts.cjk_font()
    return BOLD if bold else ITALIC if italic else FONT


def styled(style: ParagraphStyle, text: str = "") -> ParagraphStyle:
    """The style as the report's language sets it: unchanged in English; in the CJK font,
    wrapping between characters, in Chinese (or for a text Helvetica cannot print)."""
    if not needs_cjk(text):
        return style
    return ParagraphStyle(
        f"{style.name}-cjk", parent=style, fontName=pdffonts.cjk_font(), wordWrap="CJK"
    )


@cache
def _cell_style(size: float, cjk_font: str, right: bool = False) -> ParagraphStyle:
    """A Chinese cell's style; `right`: a number's ("58片" stands under "21" as it would)."""
    return ParagraphStyle(
        f"cell-{size}-{'right' if right else 'left'}",
        fontName=cjk_font,
        fontSize=size,
        leading=size * 1.2,
        wordWrap="CJK",
        alignment=TA_RIGHT if right else TA_LEFT,
    )


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False, align: str = ""
) -> None:
    """One line on the page (titles, the footer, page numbers), left or "right" aligned at x;
    bold Chinese is drawn in faux bold (pdffonts.draw_string)."""
    if needs_cjk(text):
        right = "right" if align == "right" else "left"
        pdffonts.draw_string(canvas, x, y, text, pdffonts.cjk_font(), size, bold, right)
        return
    canvas.setFont(BOLD if bold else FONT, size)
    if align == "right":
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)


def text_lines(text: str, size: float, width: float) -> list[str]:
    """A text broken into lines of the given width (Chinese between characters)."""
    if not needs_cjk(text):
        return list(simpleSplit(text, FONT, size, width))
    return wrapped(text, width + 4, pdffonts.cjk_font(), size).split("\n")


def display_width(text: str) -> int:
    """Characters counted as Latin ones: an ideograph takes the room of two."""
    return sum(2 if pdffonts.is_wide(ch) else 1 for ch in text)


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (markup characters are shown as typed)."""
    return Paragraph(escape(text), styled(style, text))


def kit_ranges(kits: Sequence[str]) -> str:
    """'K0001-K0085 (85 kits)': runs of consecutive kit numbers written as ranges, listed with
    the reader's separator (i18n.listed: "K0001-K0003、K0007" in Chinese, as every list)."""
    runs: list[list[str]] = []
    for number in kits:
        if runs and _follows(runs[-1][-1], number):
            runs[-1].append(number)
        else:
            runs.append([number])
    text = listed(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
    if len(kits) <= 2:
        return text
    return _("{ranges} ({count} kits)").format(ranges=text, count=len(kits))


def kit_list(kits: Sequence[str]) -> str:
    """The kits in the order their numbers run (K2 before K10), then as kit_ranges: a set of kits
    listed whatever order it was recorded in (a destruction's, a certificate's) reads as its
    runs, 'K1001-K1060', never 'K1068-K1069, K1065-K1066'."""
    return kit_ranges(sorted(kits, key=kit_order))


def kit_order(number: str) -> tuple[str, int, str]:
    """K2 before K10: kit numbers in the order they run, so that ranges read as runs."""
    head = number.rstrip("0123456789")
    return head, len(number), number


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
    """Holds pages back until the end, then writes 'Page N of M' on each: of the whole
    document, or (`per_section`) of its section, counted anew at each section's first page."""

    def __init__(self, *args: Any, per_section: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.per_section = per_section
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
            if self.per_section:
                self._numbers(seen[self.section_index], totals[self.section_index])
            else:
                self._numbers(number, count)
            Canvas.showPage(self)
        Canvas.save(self)

    def _numbers(self, page: int, pages: int) -> None:
        """One counter on a page, never two (per section and per sheet disagreed on the same
        page): of the whole document, whose sections' own pages are named on its contents page,
        or of a section that is a record of its own (each product's DARF)."""
        width, height = self._pagesize
        self.saveState()
        text = _("Page {page} of {pages}").format(page=page, pages=pages)
        draw_text(self, width - MARGIN, height - MARGIN - 9, text, 9, bold=True, align="right")
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
        """One row; a row of fewer pairs than columns (`span`: one long value) gives its last
        value the rest of the row, not empty cells beside it."""
        span = span or len(pairs) < columns
        row: list[Any] = []
        for label, value in pairs:
            row += [
                Paragraph(escape(label), styled(FIELD_LABEL, label)),
                Paragraph(escape(value), styled(FIELD_VALUE, value)),
            ]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
        index = len(rows) - 1
        for column in range(0, 2 * len(pairs), 2):
            style.append(("BACKGROUND", (column, index), (column, index), GREY))
        if span:
            last = 2 * len(pairs) - 1
            style.append(("SPAN", (last, index), (2 * columns - 1, index)))

    for label, value in fields:
        if display_width(value) > 60:
            # In the order given: a short field waiting for its neighbour goes first, on a row
            # of its own (held back, the certificate's Method was printed last, alone, below
            # the protocol title and away from the destruction's other particulars).
            if pending:
                add(pending, span=False)
                pending = []
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
    pages_per_section: bool = False,
) -> bytes:
    """Renders the sections into one PDF; `contents` adds a contents page listing them (with
    `contents_fields` in its header: what the document is, for whom, by whom). Pages are
    numbered over the whole document, or with `pages_per_section` each section from its own
    page 1 (records filed apart, such as each product's DARF)."""
    page = PAPERS.get(paper.strip().lower())
    if page is None:
        raise InvalidInput(f"'{paper}' is not a paper size: use {' or '.join(PAPERS)}.")
    if not sections:
        raise InvalidInput("A report needs at least one section.")
    all_sections = list(sections)
    if contents:
        toc = TableOfContents()
        toc.levelStyles = [styled(TOC_STYLE)]
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
    # A trail that does not verify: said first, on the first page, before any figure.
    story: list[Flowable] = [chain_broken_banner(meta)] if meta.chain_broken else []
    for index, section in enumerate(all_sections):
        size = landscape(page) if section.landscape else page
        templates.append(_template(index, section, size, meta, len(all_sections) > 1))
        if index:
            story += [NextPageTemplate(f"s{index}"), PageBreak()]
        if section.contents_title:
            story.append(_Marker(section.contents_title))
        story += section.story
    doc.addPageTemplates(templates)
    canvas = partial(_NumberingCanvas, per_section=pages_per_section)
    if contents:
        doc.multiBuild(story, canvasmaker=canvas)
    else:
        doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()


CHAIN_BROKEN_BANNER = N_(
    "CHAIN BROKEN: the audit trail does not verify, so records may have been changed outside "
    "the program, and the figures in this document may not be those recorded. It carries no "
    "verification code. First finding: {finding}"
)


def chain_broken_banner(meta: ReportMeta) -> Paragraph:
    """The red band a report opens with when its audit trail does not verify."""
    text = _(CHAIN_BROKEN_BANNER).format(finding=meta.chain_broken)
    style = ParagraphStyle(
        "chain-broken",
        parent=BODY,
        fontName=BOLD,
        fontSize=10,
        leading=13,
        textColor=colors.white,
        backColor=RED,
        borderPadding=6,
        leftIndent=6,  # the band drawn 6 pt around the text stays within the margins
        rightIndent=6,
        spaceBefore=6,
        spaceAfter=10,
    )
    return Paragraph(escape(text), styled(style, text))


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

    # The footer's right-hand column: the verification code (or, in red, that there is none).
    code = verification_text(meta.anchor, meta.chain_broken)
    reserved = max(30 * mm, stringWidth(code, font(bold=True, text=code), 7) + 6 * mm)
    footer = text_lines(footer_line(meta), 7, inner - reserved)[:3]

    def decorate(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.section_index = index
        canvas.multi_section = multi
        canvas.saveState()
        draw_text(canvas, MARGIN, height - MARGIN - 10, section.title, 12, bold=True)
        if header is not None:  # drawn once, then named on each page (a PDF form)
            form = f"section-header-{index}"
            if not canvas.hasForm(form):
                canvas.beginForm(form)
                header.drawOn(canvas, MARGIN, height - MARGIN - title_height - header_height)
                canvas.endForm()
            canvas.doForm(form)
        canvas.setFillColor(colors.HexColor("#333333"))
        for line_no, line in enumerate(footer):
            draw_text(canvas, MARGIN, MARGIN + FOOTER - 9 - line_no * 8.5, line, 7)
        if code:
            if meta.chain_broken:
                canvas.setFillColor(RED)
            draw_text(canvas, width - MARGIN, MARGIN + FOOTER - 9, code, 7, True, "right")
        canvas.restoreState()

    return PageTemplate(id=f"s{index}", frames=[frame], onPage=decorate, pagesize=size)


# ---------------------------------------------------------------------------------------------
# Tables


@lru_cache(maxsize=16384)
def wrapped(text: str, width: float, font: str = FONT, size: float = 7.5) -> str:
    """Pre-wrapped cell text (fast for long tables; Table cells honour newlines).

    Lines break at spaces, never inside a date (pdffonts.WRITTEN_DATE: "2026-12-07", "7 Dec
    2026"; data_table widens a column to its widest date). A word wider than the column is
    broken across lines rather than overflowing it, before a date in it where that fits, and
    inside one only when the date alone is wider than the column (drawn whole over two lines,
    never lost). Kept for the next cell alike: a long table repeats its dates, doses, lots
    and recorders.
    """
    if not text:
        return ""
    room = max(width - 4, 10)
    if "\n" not in text and stringWidth(text, font, size) <= room:
        return text
    lines: list[str] = []
    for paragraph in text.split("\n"):
        for line in _split_at_spaces(_dates_bound(paragraph), font, size, room):
            while stringWidth(line, font, size) > room and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and stringWidth(line[:cut], font, size) > room:
                    cut -= 1
                cut = _outside_dates(line, _after_hyphen(line, cut))
                lines.append(line[:cut].replace(NO_BREAK_SPACE, " ").rstrip())
                line = line[cut:]
            lines.append(line.replace(NO_BREAK_SPACE, " "))
    return "\n".join(lines)


NO_BREAK_SPACE = pdffonts.NO_BREAK[0]
_SPACES = re.compile(f"[^\\S{NO_BREAK_SPACE}]+")


def _dates_bound(text: str) -> str:
    """The text with the spaces inside each date (pdffonts.WRITTEN_DATE) made no-break ones."""
    return pdffonts.WRITTEN_DATE.sub(lambda m: m.group().replace(" ", NO_BREAK_SPACE), text)


def _split_at_spaces(text: str, font: str, size: float, room: float) -> list[str]:
    """Lines of words, as reportlab's simpleSplit makes them, broken at plain spaces only (its
    str.split broke at the no-break spaces of a date too)."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    words: list[str] = []
    used = -space
    for word in (w for w in _SPACES.split(text) if w):
        width = stringWidth(word, font, size)
        if words and used + space + width > room:
            lines.append(" ".join(words))
            words, used = [], -space
        words.append(word)
        used += space + width
    if words:
        lines.append(" ".join(words))
    return lines


def _after_hyphen(line: str, cut: int) -> int:
    """Where a word too wide for its column is cut, at or before `cut`: after the last hyphen
    that fits, outside a date, so that a range of codes breaks between them ("B2003-" /
    "B2004", never "B2003-B200" / "4"); `cut` where no hyphen fits, and in Chinese, which
    breaks between any two characters (a hyphen there would shorten the line for nothing)."""
    if not pdffonts.latin_only(line):
        return cut
    dates = [(m.start(), m.end()) for m in pdffonts.WRITTEN_DATE.finditer(line)]
    after = [
        i + 1
        for i in range(1, cut - 1)
        if line[i] == "-" and line[i - 1].isalnum() and not any(a < i < b for a, b in dates)
    ]
    return after[-1] if after else cut


def _outside_dates(line: str, cut: int) -> int:
    """Where a word too wide for its column is cut, at or before `cut`: before a date it
    would cut in two; a line that begins with a date wider than the column itself, after the
    last of its hyphens or spaces that fits ("2026-12-" / "07"), never inside a number."""
    for found in pdffonts.WRITTEN_DATE.finditer(line):
        if found.start() < cut < found.end():
            if found.start() > 0:
                return found.start()
            parts = [i + 1 for i in range(1, cut) if line[i] in "- " + NO_BREAK_SPACE]
            return parts[-1] if parts else cut
    return cut


def cell(
    text: str, width: float, size: float = 7.5, bold: bool = False, right: bool = False
) -> str | Paragraph:
    """A table cell: pre-wrapped text (fast), or, for Chinese, a paragraph that wraps between
    characters and keeps the punctuation that may not start a line where it belongs; `right`:
    a number's paragraph, set to the right as the grid sets a number's text (a count with its
    unit, "58片", was set to the left under plain numbers set to the right)."""
    if pdffonts.latin_only(text):
        return wrapped(text, width, font(bold=bold), size)
    if "\n" in text:
        # A newline starts a line, as in the pre-wrapped text (one signature a line). Such a
        # paragraph is of several pieces, which reportlab breaks between any two characters
        # ("2026年12月" / "7日"): each line is broken here as a one-piece paragraph is
        # (pdffonts.split_cjk, never inside a date or a number with its unit).
        text = "\n".join(_cjk_lines(text, width - 2 * PAD_SIDE, size))
    shown = escape(text).replace("\n", "<br/>")
    return Paragraph(shown, _cell_style(size, pdffonts.cjk_font(), right))


def _cjk_lines(text: str, width: float, size: float) -> list[str]:
    """The lines of a Chinese cell's text at the given width, as a one-piece paragraph of it
    breaks them (pdffonts.split_cjk)."""
    face = pdffonts.cjk_font()
    lines: list[str] = []
    for paragraph in text.split("\n"):
        widths = [stringWidth(ch, face, size) for ch in paragraph]
        lines += [line for _room, line in pdffonts.split_cjk(paragraph, widths, width)] or [""]
    return lines


@lru_cache(maxsize=16384)
def widest_date(text: str, font: str, size: float) -> float:
    """The width of the widest date in a text (pdffonts.WRITTEN_DATE), 0 without one: the
    least width of a column whose cells keep each date on one line."""
    return max(
        (stringWidth(m.group(), font, size) for m in pdffonts.WRITTEN_DATE.finditer(text)),
        default=0.0,
    )


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    highlight: Sequence[tuple[int, colors.Color]] = (),
    size: float = 7.5,
    bold_rows: Sequence[int] = (),
    unbroken: Sequence[int] = (),
    split_rows: bool = False,
    repeated: Sequence[int] = (),
    kept_with_previous: Sequence[int] = (),
) -> Flowable:
    """A ruled table whose header repeats on every page; long texts wrap, never cut.

    A row that does not fit in the room left on a page moves whole to the next one. With
    `split_rows` a row taller than a whole page (the audit trail's longest entries) is cut
    between its lines and goes on over the next page, where the `repeated` columns (the
    entry's number, time and user) are printed again, the last of them marked "(continued)"
    (a row taller than a page could not be placed at all). The rows of `kept_with_previous`
    (a void) never start a page: the row before them goes over with them.

    Header words are never broken: a column too narrow for its longest header word is
    widened, the room taken from columns with space to spare. So are numbers (`numeric`), the
    codes of the `unbroken` columns (a lot number reads HT2503A, never HT2503/A), and the
    dates in any column (2026-12-07, never 2026-12-/07; a cell breaks its lines around them).
    """
    regular = font()
    whole = frozenset(numeric) | frozenset(unbroken)
    least = [
        max((stringWidth(row[column], regular, size) for row in rows), default=0.0) + 4.5
        if column in whole
        else max((widest_date(row[column], regular, size) for row in rows), default=-4.5) + 4.5
        for column in range(len(widths))
    ]
    widths = header_widths(header, widths, size, least)
    header_cells = [cell(h, w, size, bold=True) for h, w in zip(header, widths, strict=True)]
    bold = frozenset(bold_rows)
    right = frozenset(numeric)
    body = [
        [
            cell(text, width, size, index in bold, column in right)
            for column, (text, width) in enumerate(zip(row, widths, strict=True))
        ]
        for index, row in enumerate(rows)
    ]
    grid = _Grid(header_cells, body, widths, frozenset(numeric), dict(highlight), bold, size)
    grid.split_rows = split_rows
    grid.texts, grid.repeated = rows, tuple(repeated)
    grid.kept = frozenset(kept_with_previous)
    return RuledRows(grid)


Cell: TypeAlias = "str | Paragraph"
"""A table cell: pre-wrapped text (one line per newline), or a paragraph (Chinese)."""

PAD_TOP, PAD_BOTTOM, PAD_SIDE = 1.5, 2.0, 2.0


def split_text(text: str, shown: Paragraph, width: float, lines: int) -> tuple[str, str]:
    """`text` cut after the first `lines` lines of its paragraph `shown` wrapped at `width`:
    the characters those lines hold (spaces aside) counted off the text, the rest going on
    from the next one, its own spaces kept; the spaces (or line break) at the cut dropped."""
    shown.wrap(width, 1e6)
    held = 0
    for line in shown.blPara.lines[:lines]:
        words = line.words if hasattr(line, "words") else line[1]
        said = "".join(w if isinstance(w, str) else getattr(w, "text", "") for w in words)
        held += sum(not c.isspace() for c in said)
    cut = 0
    while held and cut < len(text):
        held -= not text[cut].isspace()
        cut += 1
    return text[:cut].rstrip(), text[cut:].lstrip()


class _Grid:
    """The cells of a ruled table, measured once: every page's part draws from it."""

    def __init__(
        self,
        header: Sequence[Cell],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        numeric: frozenset[int],
        backgrounds: dict[int, colors.Color],
        bold: frozenset[int],
        size: float,
    ) -> None:
        self.header, self.rows = list(header), rows
        self.widths = list(widths)
        self.columns = [sum(self.widths[:i]) for i in range(len(self.widths) + 1)]
        self.numeric, self.backgrounds, self.bold = numeric, backgrounds, bold
        self.size, self.leading = size, size * 1.2
        self.regular, self.heavy = font(), font(bold=True)
        self.header_height = self._height(self.header)
        self.heights = [self._height(row) for row in rows]
        self.split_rows = False
        self.texts: Sequence[Sequence[str]] = ()  # each row's text, for its continuation
        self.repeated: tuple[int, ...] = ()  # columns printed again on a row's continuation
        self.kept: frozenset[int] = frozenset()  # rows never first on a page

    def continued(self, index: int) -> list[Cell]:
        """The cells of the `repeated` columns of row `index` where its rest goes on over the
        next page: the same texts, the last marked "(continued)"."""
        texts = self.texts[index]
        shown: list[Cell] = []
        for column in self.repeated:
            text = texts[column]
            if column == self.repeated[-1]:
                text += "\n" + _("(continued)")
            shown.append(
                cell(
                    text, self.widths[column], self.size, index in self.bold, column in self.numeric
                )
            )
        return shown

    def split_row(self, index: int, room: float) -> _Grid | None:
        """A copy of the grid with row `index` cut in two between lines, the first part at
        most `room` high (text lines kept whole; a paragraph's text cut after the lines that
        fit, `split_text`); None when not even a line of it fits."""
        inner = room - PAD_TOP - PAD_BOTTOM
        lines_kept = int((inner + 1e-6) // self.leading)
        if lines_kept < 1:
            return None
        first: list[Cell] = []
        rest: list[Cell] = []
        texts = self.texts[index] if self.texts else None
        rest_texts: list[str] = []  # the rest's own, should it be cut again on the next page
        again = dict(zip(self.repeated, self.continued(index), strict=True)) if self.texts else {}
        for column, (value, width) in enumerate(zip(self.rows[index], self.widths, strict=True)):
            if column in again:
                first.append(value)
                rest.append(again[column])
                rest_texts.append(texts[column] if texts else "")
                continue
            if isinstance(value, str):
                lines = value.split("\n")
                first.append("\n".join(lines[:lines_kept]))
                rest.append("\n".join(lines[lines_kept:]))
                rest_texts.append(rest[-1])
                continue
            inside = width - 2 * PAD_SIDE
            if value.wrap(inside, 1e6)[1] <= inner:
                first.append(value)
                rest.append("")
                rest_texts.append("")
                continue
            if texts is not None:
                # Cut in the text, each part a paragraph of its own: reportlab's own rest of
                # a paragraph wrapped between characters (Chinese) lost the spaces before the
                # characters its lines were broken at ("2026-01-05到期").
                head, tail = split_text(texts[column], value, inside, lines_kept)
                bold, right = index in self.bold, column in self.numeric
                first.append(cell(head, width, self.size, bold, right) if head else "")
                rest.append(cell(tail, width, self.size, bold, right) if tail else "")
                rest_texts.append(tail)
                continue
            parts = value.split(inside, inner)
            if len(parts) == 2:
                first.append(parts[0])
                rest.append(parts[1])
            else:
                first.append("")
                rest.append(value)
            rest_texts.append("")
        if self._height(first) > room + 1e-6 or self._height(rest) >= self.heights[index]:
            return None
        cut = copy.copy(self)
        cut.rows = [*self.rows[:index], first, rest, *self.rows[index + 1 :]]
        cut.heights = [
            *self.heights[:index],
            self._height(first),
            self._height(rest),
            *self.heights[index + 1 :],
        ]
        cut.backgrounds = {(i if i <= index else i + 1): c for i, c in self.backgrounds.items()}
        if index in self.backgrounds:
            cut.backgrounds[index + 1] = self.backgrounds[index]
        cut.bold = frozenset(i if i <= index else i + 1 for i in self.bold) | (
            {index + 1} if index in self.bold else frozenset()
        )
        if self.texts:
            # The rest's own texts, for its cells cut again on the next page; the columns
            # printed again keep the row's.
            cut.texts = [*self.texts[: index + 1], rest_texts, *self.texts[index + 1 :]]
        cut.kept = frozenset(i if i <= index else i + 1 for i in self.kept)
        return cut

    def alignment(self, index: int, column: int) -> str:
        """How a cell is set, "RIGHT" or "LEFT" (`index` -1: the header): a number's cell to
        the right, in every language, whether it is text (a plain number) or a paragraph (a
        number with its Chinese unit, "58片"); every other cell and the header to the left."""
        value = self.header[column] if index < 0 else self.rows[index][column]
        if isinstance(value, str):
            return "RIGHT" if index >= 0 and column in self.numeric else "LEFT"
        return "RIGHT" if value.style.alignment == TA_RIGHT else "LEFT"

    def _height(self, row: Sequence[Cell]) -> float:
        tallest = 0.0
        for value, width in zip(row, self.widths, strict=True):
            if isinstance(value, str):
                height = self.leading * (value.count("\n") + 1)
            else:
                height = value.wrap(width - 2 * PAD_SIDE, 1e6)[1]
            tallest = max(tallest, height)
        return tallest + PAD_TOP + PAD_BOTTOM


class RuledRows(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A long ruled table drawn straight onto the page, split between rows with its header
    row on every page: the look platypus' Table gave (grey grid, black box, grey header,
    shaded rows, numbers to the right), without its per-cell styles and its measuring of the
    rest of the table again at every page, which took most of a 2,000-line DARF's time."""

    def __init__(self, grid: _Grid, start: int = 0, end: int | None = None) -> None:
        super().__init__()
        self.grid = grid
        self.start = start
        self.end = len(grid.rows) if end is None else end
        self.hAlign = "CENTER"  # as a Table is placed
        self.width = grid.columns[-1]
        self.height = grid.header_height + sum(grid.heights[self.start : self.end])

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """The rows that fit in the room left, whole, and the rest for the next page. A row
        that would fit on a page of its own is never cut: it goes over whole (cut at the foot
        of a page, its first lines stood under a second header and its rest went on with its
        number, time and user empty). Only a row taller than a page is cut, and then begun in
        the room left, under the rows before it, with the same header."""
        grid = self.grid
        room = available_height - grid.header_height
        end = self.start
        while end < self.end and grid.heights[end] <= room + 1e-6:
            room -= grid.heights[end]
            end += 1
        while self.start < end < self.end and end in grid.kept:
            end -= 1  # a void goes over with the line it undoes
            room += grid.heights[end]
        if end < self.end and grid.split_rows and grid.heights[end] > self._page_room():
            cut = grid.split_row(end, room)
            if cut is not None:
                return [RuledRows(cut, self.start, end + 1), RuledRows(cut, end + 1, self.end + 1)]
        if end == self.start:
            return []
        if end == self.end:
            return [self]
        return [RuledRows(grid, self.start, end), RuledRows(grid, end, self.end)]

    def _page_room(self) -> float:
        """The room for rows on a page of their own: the frame's height under the header (the
        frame being split in, which reportlab names while it asks for the split)."""
        frame = getattr(self, "_frame", None)
        height = float(frame._aH) if frame is not None else 0.0
        return height - self.grid.header_height

    def draw(self) -> None:
        grid, canvas = self.grid, self.canv
        rows: list[tuple[Sequence[Cell], float, int]] = [(grid.header, grid.header_height, -1)]
        rows += [(grid.rows[i], grid.heights[i], i) for i in range(self.start, self.end)]
        canvas.saveState()
        top = self.height
        text = canvas.beginText()
        paragraphs: list[tuple[Paragraph, float, float]] = []
        for values, height, index in rows:
            shade = GREY if index < 0 else grid.backgrounds.get(index)
            if shade is not None:
                canvas.setFillColor(shade)
                canvas.rect(0, top - height, self.width, height, stroke=0, fill=1)
            face = grid.heavy if index < 0 or index in grid.bold else grid.regular
            text.setFont(face, grid.size, grid.leading)
            for column, value in enumerate(values):
                left, width = grid.columns[column], grid.widths[column]
                if not isinstance(value, str):
                    _w, tall = value.wrap(width - 2 * PAD_SIDE, 1e6)
                    paragraphs.append((value, left + PAD_SIDE, top - PAD_TOP - tall))
                    continue
                right = grid.alignment(index, column) == "RIGHT"
                baseline = top - PAD_TOP - grid.size
                for line in value.split("\n"):
                    x = left + PAD_SIDE
                    if right:
                        x = left + width - PAD_SIDE - stringWidth(line, face, grid.size)
                    text.setTextOrigin(x, baseline)
                    text.textOut(line)
                    baseline -= grid.leading
            top -= height
        canvas.setFillColor(colors.black)
        canvas.drawText(text)
        for paragraph, x, y in paragraphs:
            paragraph.drawOn(canvas, x, y)
        self._rules([height for _values, height, _index in rows])
        canvas.restoreState()

    def _rules(self, heights: Sequence[float]) -> None:
        """The grid (0.25 pt grey) and the box (0.6 pt black) over the cells, as Table's
        GRID and BOX draw them (round caps and joins)."""
        canvas, width, height = self.canv, self.width, self.height
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.25)
        lines = [(x, 0.0, x, height) for x in self.grid.columns]
        y = height
        lines.append((0.0, y, width, y))
        for row_height in heights:
            y -= row_height
            lines.append((0.0, y, width, y))
        canvas.lines(lines)
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.6)
        canvas.lines(
            [
                (0, height, width, height),
                (0, 0, width, 0),
                (0, 0, 0, height),
                (width, 0, width, height),
            ]
        )


def header_widths(
    header: Sequence[str], widths: Sequence[float], size: float, least: Sequence[float] = ()
) -> list[float]:
    """Column widths in which every header word fits on one line (same total width).

    A header reads "Dispensed", never "Dispense/d": each short column gets the width of its
    longest header word, paid for by the columns wider than their own longest word. A Chinese
    header may break between characters, but a short word of it (up to four characters, 批号,
    受试者编号) is kept whole where the columns have room. `least` is a column's own minimum
    (a number is never broken either: line 156461 of a DARF, not 15646/1). Where the columns
    have too little room to spare for all, the short ones share what there is.
    """
    bold = font(bold=True)
    minimum = list(least) or [0.0] * len(header)
    needed = [
        max(
            max((stringWidth(word, bold, size) for word in header_words(text)), default=0.0) + 4.5,
            floor,
        )
        for text, floor in zip(header, minimum, strict=True)
    ]
    result = list(widths)
    short = sum(max(n - w, 0.0) for n, w in zip(needed, result, strict=True))
    spare = sum(max(w - n, 0.0) for n, w in zip(needed, result, strict=True))
    if short <= 0 or spare <= 0:
        return result
    if spare < short:
        # Not room for all: each short column gets its share of the spare room (a date or a
        # word wider than what is left is broken as the last resort, drawn whole, never lost).
        given = spare / short
        return [w + (n - w) * given if n > w else n for n, w in zip(needed, result, strict=True)]
    share = short / spare
    return [n if n > w else w - (w - n) * share for n, w in zip(needed, result, strict=True)]


def header_words(text: str) -> list[str]:
    """The parts of a column title not to break: its Latin words, and its runs of Chinese
    characters (each counted up to its first four)."""
    words: list[str] = []
    latin = wide = ""
    for ch in text + " ":
        if pdffonts.is_wide(ch):
            if latin:
                words.append(latin)
                latin = ""
            wide += ch
            continue
        if wide:
            words.append(wide[:4])
            wide = ""
        if ch.isspace():
            if latin:
                words.append(latin)
            latin = ""
        else:
            latin += ch
    return words


def heading(text: str) -> list[Flowable]:
    """A section heading that starts a new page when less than a few lines would follow it.
    In the CJK font (no bold face) a heading that fits on one line is drawn in faux bold."""
    if needs_cjk(text):
        return [CondPageBreak(25 * mm), _BoldLine(text, HEADING)]
    return [CondPageBreak(25 * mm), para(text, HEADING)]


class _BoldLine(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """One line of CJK text in faux bold (pdffonts.draw_string); a paragraph when it does not
    fit on one line."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._fallback: Paragraph | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        size = self.style.fontSize
        if stringWidth(self.text, pdffonts.cjk_font(), size) > available_width:
            self._fallback = para(self.text, self.style)
            return self._fallback.wrap(available_width, available_height)  # type: ignore[no-any-return]
        self._fallback = None
        self.width = available_width
        return available_width, float(self.style.leading)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        if self._fallback is not None:
            self._fallback.drawOn(self.canv, 0, 0)
            return
        size = self.style.fontSize
        baseline = self.style.leading - size  # as a paragraph sets its first line
        pdffonts.draw_string(
            self.canv, 0, baseline, self.text, pdffonts.cjk_font(), size, bold=True
        )


EMPTY = ParagraphStyle("empty", parent=BODY, fontName=ITALIC)


def empty_note(text: str) -> Paragraph:
    return para(text, EMPTY)


def numbering_note() -> Paragraph:
    """Under a log whose numbers are the pharmacy's (audit entries, returns): they run over all
    its studies, so a study's own jump (224 to 227) is no deletion to an inspector."""
    return para(
        _(
            "Numbers are the pharmacy's, shared by all its studies: a gap in them is another "
            "study's entries, not a deletion."
        ),
        SMALL,
    )


def signature_block(roles: Sequence[str], width: float) -> Table:
    """Lines for handwritten signatures: name, signature and date per role."""
    rows: list[list[Any]] = [["", _("Name"), _("Signature"), _("Date")]]
    rows += [
        [para(role, SIGNATURE_ROLE) if needs_cjk(role) else role, "", "", ""] for role in roles
    ]
    table = Table(
        rows,
        colWidths=[width * 0.22, width * 0.3, width * 0.3, width * 0.18],
        rowHeights=[14] + [28] * len(roles),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font(), 9),
                ("FONT", (0, 0), (-1, 0), font(bold=True), 9),
                ("FONT", (0, 1), (0, -1), font(bold=True), 9),
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
