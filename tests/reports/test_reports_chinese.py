"""Issue 13: the reports in Chinese. Every fixed text of a report has a Chinese translation; the
DARF, reconciliation, monitor pack and destruction certificate made in zh_CN carry their Chinese
titles and headings, print them in an embedded TrueType font that has the glyphs (rendered, the
title is Chinese characters, not the empty boxes Helvetica prints), and keep the verification
code that checks against the audit chain; a CSV is the same data under the same ASCII header
in either language."""

from __future__ import annotations

import ast
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from babel.messages.pofile import read_po
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sample_study import SampleStudy

from dispensary.domain.codes import (
    DestructionReason,
    DiscrepancyKind,
    Flag,
    KitStatus,
    ParticipantStatus,
    ReasonCode,
    Role,
    SignatureMeaning,
)
from dispensary.i18n import Language, catalogue, resource, speaking
from dispensary.reports import catalogue as reports
from dispensary.reports.csvfile import read_rows
from dispensary.reports.words import VOCABULARY, pgettext
from dispensary.services import audit
from dispensary.services.documents import Values
from dispensary.services.report_data import OPEN_KINDS

from .pdfread import pdf_pages_text

REPORTS_DIR = Path(reports.__file__).resolve().parent
PO_FILE = resource("i18n", "zh_CN-reports.po")
LATER_PO_FILES = tuple(
    sorted(p for p in PO_FILE.parent.glob("zh_CN-*.po") if p.name != PO_FILE.name)
)
"""Catalogues of later changes: their entries marked `#: dispensary/reports/...` are the
reports' too."""
ZH = Language.ZH_CN
PERIOD = Values(since=date(2025, 1, 1))
STANDARD_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


# -- the catalogue ------------------------------------------------------------------------------


def marked_texts() -> dict[str, str]:
    """Every text marked for translation in reports/*.py (`_("...")`, `N_("...")`,
    `pgettext("context", "...")`), with where it is first marked."""
    found: dict[str, str] = {}
    for path in sorted(REPORTS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = node.args
            texts = [
                a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if node.func.id in ("_", "N_") and texts:
                key = texts[0]
            elif node.func.id == "pgettext" and len(texts) == 2:
                key = f"{texts[0]}|{texts[1]}"
            else:
                continue
            found.setdefault(key, f"{path.name}:{node.lineno}")
    return found


def po_entries() -> dict[str, tuple[str, bool]]:
    header = PO_FILE.read_text(encoding="utf-8")
    assert '"Language: zh_CN\\n"' in header and "charset=utf-8" in header
    with PO_FILE.open("rb") as handle:
        read = list(read_po(handle, locale="zh_CN"))
    for later in LATER_PO_FILES:
        with later.open("rb") as handle:
            read += [
                m
                for m in read_po(handle, locale="zh_CN")
                if any(where.startswith("dispensary/reports/") for where, _line in m.locations)
            ]
    return {
        str(m.id): (m.string if isinstance(m.string, str) else "", m.fuzzy) for m in read if m.id
    }


def test_every_text_of_the_reports_has_a_chinese_translation() -> None:
    texts = marked_texts()
    assert len(texts) > 300  # the AST walk finds the reports' texts
    entries = po_entries()
    untranslated = [f"{text!r} ({where})" for text, where in texts.items() if text not in entries]
    empty = [
        f"{text!r} ({texts[text]})" for text in texts if text in entries and not entries[text][0]
    ]
    fuzzy = [f"{text!r} ({texts[text]})" for text in texts if text in entries and entries[text][1]]
    assert not untranslated, "not in zh_CN-reports.po (nor zh_CN-gaps.po):\n" + "\n".join(
        untranslated
    )
    assert not empty, "empty in zh_CN-reports.po:\n" + "\n".join(empty)
    assert not fuzzy, "fuzzy in zh_CN-reports.po:\n" + "\n".join(fuzzy)
    stale = sorted(set(entries) - set(texts))
    assert not stale, f"no longer in the reports (remove them): {stale}"


def test_translations_keep_every_placeholder_and_the_program_reads_them() -> None:
    """A translation that loses {count} would drop a number; one that adds a name would fail.
    The catalogue the program reads (every zh_CN*.po) gives each text in Chinese."""
    read = catalogue(ZH)
    for text, (chinese, _fuzzy) in po_entries().items():
        assert set(PLACEHOLDER.findall(chinese)) == set(PLACEHOLDER.findall(text)), text
        assert read.get(text), f"{text!r} is not translated in the catalogue the program reads"
    with speaking(ZH):
        assert pgettext("kit source", "From") == "来源"
        assert pgettext("date", "Dispensed") == "发放日期"
    with speaking(Language.EN):
        assert pgettext("kit source", "From") == "From"


def test_every_coded_value_a_report_shows_is_listed_for_translation() -> None:
    """Statuses, roles, flags, reason codes, discrepancy kinds, open items and signature
    meanings reach the reports from the records: each must be in words.VOCABULARY (and so in
    the catalogue) or a Chinese report prints it in English."""
    labels = {
        member.label
        for enum in (
            KitStatus,
            DiscrepancyKind,
            Role,
            ReasonCode,
            ParticipantStatus,
            Flag,
            DestructionReason,
        )
        for member in enum
    }
    shown = (
        labels
        | set(OPEN_KINDS)
        | {
            SignatureMeaning.DESTROYED.value,
            SignatureMeaning.WITNESSED.value,
            "quarantine",
            "release",
            "reject",
        }
    )
    assert shown - set(VOCABULARY) == set()


# -- the PDFs -----------------------------------------------------------------------------------

CHINESE = [
    (
        "darf",
        PERIOD,
        [
            "研究药物清点记录表（DARF）",
            "方案编号",
            "研究者",
            "批号",
            "上期结余",
            "期末结余",
            "审核人（药师）",
            "核查人（监查员）",
            "海曲泊帕一级预防",  # the study's Chinese title (study file [label.text.zh_CN])
        ],
    ),
    (
        "reconciliation",
        Values(),
        ["对账", "按药品", "按批号", "差异", "库存", "签名", "药师", "监查员"],
    ),
    (
        "monitor",
        PERIOD,
        [
            "监查资料包：未结事项",
            "未结事项（不论起始时间）",
            "对账（截至资料包生成当日）",
            "药物清点记录表：",
            "销毁及退回申办方记录",
            "稽查轨迹校验",
            "链校验通过",
        ],
    ),
    (
        "certificate",
        Values(destruction="1"),
        ["销毁证明", "申办方", "药房", "销毁日期", "电子签名", "见证人", "申办方监查员", "药盒"],
    ),
]
ENGLISH_WORDS = ["Page ", "Verification code", "Generated ", "Signature", "Institution", "Protocol"]


@pytest.fixture(scope="module")
def made(sample: SampleStudy) -> dict[str, bytes]:
    """The four reports made in Chinese, as the screen makes them (language given)."""
    return {
        key: reports.make_report(
            reports.report(key), sample.ctx, sample.monitor, values, language=ZH
        ).data
        for key, values, _words in CHINESE
    }


@pytest.mark.parametrize(("key", "words"), [(key, words) for key, _v, words in CHINESE])
def test_a_chinese_report_reads_in_chinese(
    made: dict[str, bytes], key: str, words: list[str]
) -> None:
    pages = pdf_pages_text(made[key])
    text = " ".join(pages)
    for expected in words:
        assert expected in text, expected
    # One counter a page, over the document or (the DARF) over each product's record: runs
    # of 1 to M, the whole document's one run.
    counters = [re.findall(r"第 (\d+) 页，共 (\d+) 页", page) for page in pages]
    assert all(len(found) == 1 for found in counters), counters
    numbers = [(int(found[0][0]), int(found[0][1])) for found in counters]
    expected: list[tuple[int, int]] = []
    while len(expected) < len(numbers):
        total = numbers[len(expected)][1]
        expected += [(n, total) for n in range(1, total + 1)]
    assert numbers == expected
    if key != "darf":
        assert numbers[-1] == (len(pages), len(pages))
    for english in ENGLISH_WORDS:
        assert english not in text, english
    assert "■" not in text  # what reportlab draws for a character Helvetica lacks


@pytest.mark.parametrize("key", [key for key, _v, _w in CHINESE])
def test_every_font_is_embedded_and_all_text_is_set_in_the_cjk_font(
    made: dict[str, bytes], key: str
) -> None:
    reader = PdfReader(io.BytesIO(made[key]))
    embedded = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/")
            if name in STANDARD_14:
                continue
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{name} is not embedded as TrueType"
            embedded.add(name.split("+")[-1])
    assert embedded == {"WenQuanYiMicroHei-0"}
    drawn_in: set[str] = set()

    def visit(text: str, _cm: object, _tm: object, font: object, _size: object) -> None:
        if text.strip() and isinstance(font, dict):
            drawn_in.add(str(font.get("/BaseFont")).split("+")[-1])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert drawn_in == {"WenQuanYiMicroHei-0"}  # no Chinese text left to Helvetica


def _title_band(pdf: bytes, dpi: int = 200) -> Image.Image:
    """The left half of the band in which a page's title is drawn (12 pt at the top margin)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        width = page.get_width()
        image: Image.Image = page.render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()
    scale = dpi / 72
    top = 12 * mm - 4
    return image.crop((0, int(top * scale), int(width / 2 * scale), int((top + 18) * scale)))


def _in_helvetica(title: str, size: tuple[float, float]) -> bytes:
    """The same title where the report draws it, in Helvetica-Bold: what it would print had
    the CJK font not been used."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(12 * mm, size[1] - 12 * mm - 10, title)
    canvas.save()
    return buffer.getvalue()


def glyph_shapes(band: Image.Image) -> list[Image.Image]:
    """The inked shapes of a line of text, left to right: runs of columns with ink, each
    cropped to its ink and thresholded (a character, or a part of one)."""
    ink = band.point(lambda v: 255 if v < 128 else 0)
    width, height = ink.size
    pixels = ink.load()
    assert pixels is not None
    inked = [any(pixels[x, y] for y in range(height)) for x in range(width)]
    shapes: list[Image.Image] = []
    start = None
    for x, on in enumerate([*inked, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            piece = ink.crop((start, 0, x, height))
            box = piece.getbbox()
            if box is not None:
                shapes.append(piece.crop(box))
            start = None
    return shapes


def solid(shape: Image.Image) -> bool:
    """A filled box: what a font without the glyph prints (reportlab's ■ for Helvetica); not
    the flat bar of a dash (a title's ISO date, 2026-06-01)."""
    histogram = shape.histogram()
    filled = histogram[255] / (shape.width * shape.height) > 0.85
    return filled and shape.width > 8 and shape.height > 8


def signature(shape: Image.Image) -> bytes:
    """The shape at 8 x 8, thresholded: equal for two boxes, different for two characters."""
    return shape.resize((8, 8)).point(lambda v: 255 if v > 96 else 0).tobytes()


@pytest.mark.parametrize("key", [key for key, _v, _w in CHINESE])
def test_rendered_the_chinese_title_is_glyphs_not_boxes(made: dict[str, bytes], key: str) -> None:
    """Rendered with pdfium, the title band shows Chinese characters, each its own shape; the
    same title in Helvetica (the font removed) is a row of filled boxes."""
    pdf = made[key]
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    size = (float(box.width), float(box.height))
    title = next(words[0].split("：")[0] for k, _v, words in CHINESE if k == key)
    cjk = sum(1 for ch in title if ord(ch) > 0x2E80)
    boxes = glyph_shapes(_title_band(_in_helvetica(title, size)))
    assert sum(1 for shape in boxes if solid(shape)) >= cjk
    ours = glyph_shapes(_title_band(pdf))
    assert len(ours) >= cjk
    assert not any(solid(shape) for shape in ours)
    assert len({signature(shape) for shape in ours}) >= 0.8 * cjk  # the characters differ


# -- what does not change with the language ---------------------------------------------------


def test_every_page_still_carries_a_verification_code_that_checks(
    sample: SampleStudy, made: dict[str, bytes]
) -> None:
    code = audit.current_anchor(sample.ctx, sample.monitor)
    for key, pdf in made.items():
        for text in pdf_pages_text(pdf):
            assert f"校验码 {code}" in text, key
            assert "由 Mona Monitor（monitor，监查员）于" in text, key
    printed = re.search(r"校验码 (A-[0-9A-Z-]+)", pdf_pages_text(made["darf"])[0])
    assert printed is not None and printed.group(1) == code
    assert audit.check_anchor(sample.ctx, sample.monitor, printed.group(1)).ok


@pytest.mark.parametrize("key", [r.key for r in reports.REPORTS if r.csv is not None])
def test_a_csv_is_the_same_data_under_the_same_header_in_either_language(
    sample: SampleStudy, key: str
) -> None:
    """Only the '#' notes are in the reader's language: the header row (ASCII keys) and every
    value are the same, so that a script reads a Chinese export as an English one."""
    values = {
        "participant": Values(participant="01-005"),
        "lot": Values(lot="L2401"),
    }.get(key, PERIOD)
    entry = reports.report(key)
    texts = {
        language: reports.make_report(
            entry, sample.ctx, sample.monitor, values, "csv", language=language
        ).data.decode("utf-8-sig")
        for language in (Language.EN, ZH)
    }
    data = {
        language: [line for line in text.splitlines() if not line.startswith("#")]
        for language, text in texts.items()
    }
    assert data[ZH][0] == data[Language.EN][0]
    assert data[ZH][0].isascii()
    if entry.csv_names:  # the label column names the products as the PDF does (the only one)
        label = data[ZH][0].split(",").index("label")
        data = {
            language: [
                ",".join(cell for i, cell in enumerate(line.split(",")) if i != label)
                for line in lines
            ]
            for language, lines in data.items()
        }
    assert data[ZH] == data[Language.EN]
    assert read_rows(texts[ZH])
    notes = [line for line in texts[ZH].splitlines() if line.startswith("#")]
    assert notes[1] == "# 研究 NCT07198672"  # participant numbers repeat between studies
    assert notes[3].startswith("# 校验码 A-")
    assert "# Study NCT07198672" in texts[Language.EN].splitlines()


def test_the_language_is_the_reports_own_and_english_is_unchanged(sample: SampleStudy) -> None:
    """The language given to make_report is used for that report only: the one made after it
    without a language is English again, word for word as before."""
    entry = reports.report("darf")
    chinese = reports.make_report(entry, sample.ctx, sample.monitor, PERIOD, language=ZH)
    english = reports.make_report(entry, sample.ctx, sample.monitor, PERIOD)
    assert chinese.title == "研究药物清点记录表（DARF）"
    assert english.title == "Investigational Agent Accountability Record (DARF)"
    # The name offered on saving is in the reader's language, as the title is.
    assert english.file_name == f"DARF all products {sample.ctx.clock.today().isoformat()}.pdf"
    assert chinese.file_name == (
        f"研究药物清点记录表 全部药品 {sample.ctx.clock.today().isoformat()}.pdf"
    )  # the title's name (it said 药物清点记录表)
    text = pdf_pages_text(english.data)[0]
    for words in (
        "Investigational Agent Accountability Record (DARF)",
        "Balance brought forward on 2025-01-01: 0.",
        "Page 1 of ",
        "Verification code A-",
        "Protocol title Primary Prevention of Thrombocytopenia",
    ):
        assert words in text, words


def test_a_chinese_report_line_never_begins_with_closing_punctuation() -> None:
    """reportlab's CJK wrapping left Chinese commas and semicolons at a line's start (a
    reconciliation line began "；只有实物盘点…", the physical count); they hang at the line before's end."""
    from reportlab.platypus import Paragraph

    from dispensary import pdffonts
    from dispensary.reports import base

    text = (
        "与实物核对：货架上 56 个药盒中已盘点 1 个，1 个最近一次盘点与账面不符，55 个从未盘点。"
        "台账自身平衡并不说明实物库存情况；只有实物盘点才能说明（见第 3 页）、《说明书》？"
    )
    with speaking(ZH):
        style = base.styled(base.BODY)
    assert pdffonts.is_cjk(style.fontName)
    starts: list[str] = []
    for width in range(50, 400, 2):
        for markup in (text, f"<b>{text[:10]}</b>{text[10:]}"):  # one piece, and many
            paragraph = Paragraph(markup, style)
            paragraph.wrap(width, 10_000)
            for line in paragraph.blPara.lines[1:]:
                words = line[1] if isinstance(line, tuple) else line.words
                first = "".join(str(w) for w in words)[:1]
                if first in pdffonts.NO_LINE_START:
                    starts.append(f"{width}: {first}")
    assert not starts
