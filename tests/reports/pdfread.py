"""Reading PDFs back as a person or a scanner would: text with pypdf, barcodes by rasterising
with pypdfium2 and decoding with zxing-cpp."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader


def pdf_pages_text(pdf: bytes) -> list[str]:
    """Text of each page, with runs of whitespace (and non-breaking spaces) made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in reader.pages]


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
