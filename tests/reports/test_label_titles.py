"""A label's PDF is titled in the label's language, as a report's PDF is titled in the report's:
its own title (what a viewer's window and a print queue show) and the preview window's were
English ("Dispensing label DSP000073") on a Chinese label, and the preview's in the reader's
language whatever the label's. A Chinese label is titled in Chinese whoever prints it, a
bilingual one in both languages (the main one first), an English one in English."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sample_study import SampleStudy

from dispensary.i18n import ENGLISH, Language, speaking
from dispensary.labels import NO_CALIBRATION, get_stock
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.titles import FILE_JOINER, JOINER
from dispensary.services.documents import Values

from .test_labels_chinese import _dispense, _small_study, confirmed, live_number

__all__ = ["confirmed"]  # the fixture, used by name

CJK = re.compile("[\u4e00-\u9fff]")
ENGLISH_WORDS = ("Kit labels", "Dispensing label", "Participant leaflet")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleStudy]:
    built = _small_study(tmp_path_factory.mktemp("titles"))
    yield built
    built.ctx.engine.dispose()


def pdf_title(pdf: bytes) -> str:
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    return str(metadata.title)


def _sheet(
    sample: SampleStudy, key: str, languages: tuple[str, ...] = ()
) -> label_catalogue.LabelSheet:
    entry = label_catalogue.label(key)
    values = (
        Values(kits=(_dispense(sample).kits[0].kit,))
        if key == "kit"
        else Values(dispense=live_number(sample))
    )
    # A bilingual label takes a larger stock.
    chosen = "a4-sheet-6" if len(languages) > 1 else "thermal-4x2"
    stock = get_stock(chosen) if entry.on_stock else None
    calibration = NO_CALIBRATION if stock is not None else None
    return label_catalogue.plan_label(
        entry, sample.ctx, sample.pharmacist, values, stock, calibration, None, languages
    )


KEYS = ["kit", "dispense", "leaflet"]


@pytest.mark.parametrize("reader", [ENGLISH, Language.ZH_CN], ids=lambda r: r.value)
@pytest.mark.parametrize("key", KEYS)
def test_a_chinese_label_is_titled_in_chinese(
    confirmed: SampleStudy, key: str, reader: Language
) -> None:
    with speaking(reader):  # whoever prints it
        sheet = _sheet(confirmed, key)
    assert sheet.plan is not None and sheet.plan.languages == ("zh_CN",)
    assert CJK.search(sheet.title), sheet.title  # the preview window's title
    assert not any(words in sheet.title for words in ENGLISH_WORDS), sheet.title
    assert pdf_title(sheet.draw()) == sheet.title  # the PDF's own


@pytest.mark.parametrize("key", KEYS)
def test_a_bilingual_label_is_titled_in_both_languages_the_main_one_first(
    confirmed: SampleStudy, key: str
) -> None:
    sheet = _sheet(confirmed, key, ("zh_CN", "en"))
    assert sheet.plan is not None and sheet.plan.languages == ("zh_CN", "en")
    chinese, english = sheet.title.split(JOINER)
    assert CJK.search(chinese) and not CJK.search(english)
    assert any(english.startswith(words) for words in ENGLISH_WORDS), english
    assert pdf_title(sheet.draw()) == sheet.title


@pytest.mark.parametrize("key", KEYS)
def test_an_english_label_is_titled_in_english_for_a_chinese_reader(
    confirmed: SampleStudy, key: str
) -> None:
    with speaking(Language.ZH_CN):
        sheet = _sheet(confirmed, key, ("en",))
    assert sheet.plan is not None and sheet.plan.languages == ("en",)
    assert not CJK.search(sheet.title) and JOINER not in sheet.title, sheet.title
    assert pdf_title(sheet.draw()) == sheet.title


@pytest.mark.parametrize("reader", [ENGLISH, Language.ZH_CN], ids=lambda r: r.value)
@pytest.mark.parametrize("key", KEYS)
def test_a_labels_file_is_named_in_its_languages_as_its_title(
    confirmed: SampleStudy, key: str, reader: Language
) -> None:
    """The name offered on saving was in the reader's words ("Dispensing label DSP000073.pdf"
    for a Chinese label printed by an English reader, "发放标签 ....pdf" for an English one
    printed by a Chinese reader): it follows the label's languages, as the title does."""
    with speaking(reader):
        chinese = _sheet(confirmed, key)
        english = _sheet(confirmed, key, ("en",))
        both = _sheet(confirmed, key, ("zh_CN", "en"))
    assert chinese.file_name.endswith(".pdf") and CJK.search(chinese.file_name), chinese
    assert not any(words in chinese.file_name for words in ENGLISH_WORDS), chinese.file_name
    assert not CJK.search(english.file_name), english.file_name
    assert any(english.file_name.startswith(w) for w in ENGLISH_WORDS), english.file_name
    first, second = both.file_name.removesuffix(".pdf").split(FILE_JOINER)
    assert f"{first}.pdf" == chinese.file_name and f"{second}.pdf" == english.file_name
    assert "/" not in both.file_name


def test_a_calibration_page_is_titled_in_the_readers_language(tmp_path: Path) -> None:
    entry = label_catalogue.label("calibration")
    stock = get_stock("thermal-4x2")
    with speaking(Language.ZH_CN):
        sheet = label_catalogue.calibration_sheet(entry, stock, NO_CALIBRATION)
        pdf = sheet.draw()
    assert CJK.search(sheet.title)
    assert pdf_title(pdf) == sheet.title
