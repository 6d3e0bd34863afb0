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
