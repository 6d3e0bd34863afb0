"""Every study the demo pharmacy holds prints its dispensing label on its own default stock, in
English and in Chinese where its file gives Chinese text: not refused, and every character drawn
inside the label (DEMO-2DRUG's two drugs' directions overfilled the 4 x 2 inch roll in English,
so the label a new user first printed there was refused)."""

from __future__ import annotations

import pytest

from dispensary.labels import dispensing_label, get_stock
from dispensary.labels.dispensing import sample_dispense
from dispensary.study import bundled_studies, load_study

from .pdfread import char_boxes, page_count

DPI = 300
STUDY_FILES = sorted(path.stem for path in bundled_studies().glob("*.toml"))
WAYS = [(protocol, language) for protocol in STUDY_FILES for language in ("en", "zh_CN")]


def test_the_demo_studies_are_bundled() -> None:
    assert {"NCT07198672", "DEMO-28D-BID", "DEMO-2DRUG", "DEMO-IRT-BLIND"} <= set(STUDY_FILES)


@pytest.mark.parametrize(("protocol", "language"), WAYS)
def test_the_dispensing_label_fits_the_studys_own_stock(protocol: str, language: str) -> None:
    study = load_study(bundled_studies() / f"{protocol}.toml")
    if language not in study.label_languages:
        pytest.skip(f"{protocol} gives no {language} label text")
    stock = get_stock(study.label.default_stock)
    sample = sample_dispense(study)  # a kit of each product of its longest dose: a label each
    pdf = dispensing_label(study, sample, stock, languages=(language,))
    scale = DPI / 72
    for page in range(page_count(pdf)):
        drawn = [(char, box) for char, box in char_boxes(pdf, DPI, page) if not char.isspace()]
        assert len(drawn) > 100, drawn
        labels = min(stock.per_page, len(sample.kits) - page * stock.per_page)
        slots = []
        for slot in range(labels):
            x, y = stock.origin(slot)
            top = (stock.page_height - y - stock.label_height) * scale
            slots.append(
                (x * scale, top, (x + stock.label_width) * scale, top + stock.label_height * scale)
            )

        def inside(box: tuple[int, ...], slots: list[tuple[float, ...]] = slots) -> bool:
            return any(
                box[0] >= left - 1
                and box[1] >= top - 1
                and box[2] <= right + 1
                and box[3] <= bottom + 1
                for left, top, right, bottom in slots
            )

        outside = [(char, box) for char, box in drawn if not inside(box)]
        assert outside == [], (protocol, language, stock.name, page, outside[:5])
