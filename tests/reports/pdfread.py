"""Reading PDFs back as a person or a scanner would: text with pypdf, barcodes by rasterising
with pypdfium2 and decoding with zxing-cpp; the fonts a PDF uses and whether it carries them,
and the glyphs as pixels (to tell a real character from an empty box)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject


def pdf_pages_text(pdf: bytes) -> list[str]:
    """Text of each page, with runs of whitespace (and non-breaking spaces) made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in reader.pages]


def pdfium_pages_text(pdf: bytes) -> list[str]:
    """Text of each page as pypdfium2 reads it (as a viewer copies it): each line of text on a
    line of its own, the spaces drawn kept, none made up between characters set apart."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages_text(pdf))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def decode_barcodes(pdf: bytes, dpi: int = 300) -> list[list[tuple[str, int, int]]]:
    """For each page, the Code 128 barcodes found: (text, left x, top y) in pixels."""
    document = pdfium.PdfDocument(pdf)
    found = []
    try:
        for page in document:
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
            found.append(
                sorted((r.text, r.position.top_left.x, r.position.top_left.y) for r in results)
            )
    finally:
        document.close()
    return found


def text_sizes(pdf: bytes) -> list[tuple[str, float]]:
    """Every run of text on every page with the size it prints at, in points (the font size
    scaled by the text and current transformation matrices), as pypdf reads it."""
    runs: list[tuple[str, float]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
            text = " ".join(text.replace("\u00a0", " ").split())
            if not text:
                return
            a = tm[0] * cm[0] + tm[1] * cm[2]
            b = tm[0] * cm[1] + tm[1] * cm[3]
            runs.append((text, round(size * (a * a + b * b) ** 0.5, 2)))

        page.extract_text(visitor_text=visit)
    return runs


def smallest_size(runs: list[tuple[str, float]], particular: str) -> float:
    """The smallest size at which any part of `particular` is printed (it may wrap over lines
    and runs): the runs whose text lies within it. Fails when no run carries it."""
    wanted = " ".join(particular.replace("\u00a0", " ").split())
    sizes = [size for text, size in runs if _overlaps(text, wanted)]
    assert sizes, f"'{particular}' is not on the label"
    return min(sizes)


def _overlaps(run: str, wanted: str, least: int = 6) -> bool:
    """The run holds the particular, lies within it, or holds its start or end (it wrapped)."""
    if run in wanted or wanted in run:
        return True
    for k in range(min(len(run), len(wanted)), least - 1, -1):
        if run.endswith(wanted[:k]) or run.startswith(wanted[-k:]):
            return True
    return False


STANDARD_14 = frozenset(
    {
        "Courier",
        "Courier-Bold",
        "Courier-BoldOblique",
        "Courier-Oblique",
        "Helvetica",
        "Helvetica-Bold",
        "Helvetica-BoldOblique",
        "Helvetica-Oblique",
        "Symbol",
        "Times-Bold",
        "Times-BoldItalic",
        "Times-Italic",
        "Times-Roman",
        "ZapfDingbats",
    }
)
"""The fonts every PDF reader has: a PDF may use them without embedding them."""


@dataclass(frozen=True)
class PdfFont:
    name: str  # the BaseFont, e.g. "AAAAAA+WenQuanYiMicroHei-0"
    subtype: str  # Type1, TrueType, Type0...
    embedded: str  # the font file's key (FontFile2: TrueType outlines), "" when not embedded

    @property
    def standard(self) -> bool:
        return self.name in STANDARD_14

    @property
    def subset(self) -> bool:
        """A subset (only the glyphs used): its name starts with six capitals and '+'."""
        tag, plus, _rest = self.name.partition("+")
        return bool(plus) and len(tag) == 6 and tag.isupper() and tag.isalpha()


def pdf_fonts(pdf: bytes) -> list[PdfFont]:
    """Every font of every page (and of the forms it draws), once."""
    found: dict[str, PdfFont] = {}

    def visit(resources: Any) -> None:
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            described = font
            if font.get("/Subtype") == "/Type0":
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            embedded = ""
            if descriptor is not None:
                descriptor = descriptor.get_object()
                embedded = next(
                    (k[1:] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor),
                    "",
                )
            name = str(font.get("/BaseFont", ""))[1:]
            found[name] = PdfFont(name, str(font.get("/Subtype", ""))[1:], embedded)
        for ref in (resources.get("/XObject") or {}).values():
            form = ref.get_object()
            if form.get("/Subtype") == "/Form":
                visit(form.get("/Resources"))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        visit(page.get("/Resources"))
    return list(found.values())


def without_embedded_fonts(pdf: bytes) -> bytes:
    """The same PDF with every embedded font file taken out: a reader must then find the font
    elsewhere (or draw nothing, or boxes)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for page in writer.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    del descriptor[NameObject(key)]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_page(pdf: bytes, dpi: int = 300, page: int = 0) -> Image.Image:
    """A page rasterised in grey, as a printer or a screen shows it."""
    document = pdfium.PdfDocument(pdf)
    try:
        index = page if page >= 0 else len(document) + page
        return document[index].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def char_boxes(pdf: bytes, dpi: int = 300, page: int = 0) -> list[tuple[str, tuple[int, ...]]]:
    """Each character drawn on the page with its box in pixels (left, top, right, bottom) at
    `dpi`, as pdfium reads them."""
    document = pdfium.PdfDocument(pdf)
    try:
        index = page if page >= 0 else len(document) + page
        sheet = document[index]
        height = sheet.get_height()
        text = sheet.get_textpage()
        scale = dpi / 72
        boxes = []
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            left, bottom, right, top = text.get_charbox(i)
            box = (
                int(left * scale),
                int((height - top) * scale),
                int(right * scale) + 1,
                int((height - bottom) * scale) + 1,
            )
            boxes.append((char, box))
        return boxes
    finally:
        document.close()
