"""The guides' examples are the current study's facts (services.guides): a site whose study is
of capsules twice daily in 28-day cycles (REV-CAPS-28, English only) reads its own drug, kits,
cycle and supply in Help > Pharmacist's guide, in English and in Chinese, never the first
study's herombopag, 21 tablets, 7.5 mg, T-DM1 or 21-day cycles; and no guide file writes the
first study's facts itself (they come from its study file)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from counter_fixtures import Counter, study_pharmacy
from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from dispensary.i18n import ENGLISH, Language, resource
from dispensary.services import guides
from dispensary.study import bundled_studies, default_study_path, load_study
from dispensary.ui.guide_view import GuideWindow
from dispensary.ui.main_window import MainWindow
from dispensary.ui.screens import OPENS, screen_classes

FIXTURES = Path(__file__).parents[1] / "fixtures"
FIRST = default_study_path()
CAPSULES = FIXTURES / "REV-CAPS-28.toml"
GUIDE_FILES = sorted(resource("guides").glob("*.md"))


@pytest.fixture
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    """A pharmacy whose (only) study is the study file the test names."""
    counter = study_pharmacy(load_study(request.param), [], tmp_path / "pharmacy.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


def open_guide(qtbot: QtBot, site: Counter, name: str) -> GuideWindow:
    """The pharmacist signs in and opens Help > Pharmacist's guide (by its words on the menu)."""
    window = MainWindow(
        site.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    help_menu = next(menu for title, menu in menus.items() if "&H" in title)
    item = next(a for a in help_menu.actions() if a.text().replace("&", "") == name)
    item.trigger()
    guide = window.guide_window
    assert guide is not None
    qtbot.waitExposed(guide)
    return guide


def shown(guide: GuideWindow, png: str) -> str:
    """The guide's text as shown, its window grabbed to `png` at the dispense example."""
    browser = guide.findChild(QTextBrowser, "guideText")
    assert browser is not None
    text = browser.toPlainText()
    guide.resize(900, 700)
    guide.scroll_to("dispense-a-cycle" if "Dispense" in text else "发放一个周期")
    guide.grab().save(f"/tmp/guide-study-{png}.png")
    return text


FIRST_WORDS = ("herombopag", "海曲泊帕", "T-DM1", "7.5 mg", "2.5 mg", "NCT07198672")


@pytest.mark.parametrize("site", [FIRST], indirect=True, ids=["NCT07198672"])
def test_the_guide_of_the_first_study_gives_its_tablets_and_cycle(
    qtbot: QtBot, site: Counter
) -> None:
    text = shown(open_guide(qtbot, site, "Pharmacist's guide"), "NCT07198672-en")
    assert (
        "In NCT07198672, a cycle lasts 21 days. At the starting dose (7.5 mg once daily), "
        "1 tablet of herombopag (hetrombopag olamine) 7.5 mg tablet once daily make 21 tablets "
        "for the 21 days of supply: 1 kit of 21 tablets."
    ) in text
    assert "a kit of herombopag (hetrombopag olamine) 7.5 mg tablet holds 21 tablets (the" in text
    assert "check the date of the first day of the T-DM1 treatment cycle." in text
    assert "30 days held is more than the 21 days of supply." in text
    assert "{{" not in text


@pytest.mark.parametrize("site", [CAPSULES], indirect=True, ids=["REV-CAPS-28"])
def test_the_guide_of_a_capsule_study_gives_its_capsules_twice_daily_and_28_day_cycles(
    qtbot: QtBot, site: Counter
) -> None:
    text = shown(open_guide(qtbot, site, "Pharmacist's guide"), "REV-CAPS-28-en")
    assert (
        "In REV-CAPS-28, a cycle lasts 28 days. At the starting dose (200 mg twice daily), "
        "2 capsules of revicapib 100 mg capsule twice daily make 112 capsules for the 28 days "
        "of supply: 2 kits of 56 capsules."
    ) in text
    assert "a kit of revicapib 100 mg capsule holds 56 capsules (the study file)" in text
    assert "kit K9201 is listed as revicapib 25 mg capsule" in text
    assert "Not enough revicapib 100 mg capsule in stock: 112 capsules needed" in text
    assert "The kits scanned hold 56 capsules of revicapib 100 mg capsule; 112 capsules" in text
    assert "37 days held is more than the 28 days of supply." in text
    assert "taken 64 capsules of 112 capsules expected" in text
    assert "Below 75 % or above\n" in text or "Below 75 % or above 100 %" in text
    # No day 1 event in its file: the neutral words, and "day 1" where its date is checked.
    assert "(the first day of the study's cycle, as the protocol sets it)" in text
    assert "check the date of day 1." in text
    # No platelet threshold in its file: no platelet example with another study's numbers.
    assert "×10⁹/L are at or above" not in text
    # A capsule kit's count refusal is the one without "tablets".
    assert "500 counted in kit K1140, which was received with 56:" in text
    for word in FIRST_WORDS:
        assert word not in text
    assert "{{" not in text


@pytest.mark.parametrize("site", [FIRST, CAPSULES], indirect=True, ids=["tablets", "capsules"])
def test_the_chinese_guide_gives_the_studys_units_in_chinese(
    qtbot: QtBot, chinese: None, site: Counter
) -> None:
    text = shown(open_guide(qtbot, site, "药师指南(P)"), f"{site.ctx.study.protocol}-zh_CN")
    if site.ctx.study.protocol == "NCT07198672":
        assert (
            "在 NCT07198672 中，一个周期为 21 天。按起始剂量（7.5 mg，每日一次），"
            "海曲泊帕乙醇胺片 7.5 mg，每次 1 片，每日一次，21 天的供药共需 21 片：1 个药盒，每盒 21 片。"
        ) in text
        assert "请核对T-DM1治疗周期第1天的日期。" in text
        assert "例如T-DM1治疗周期第1天" in text
    else:
        assert (
            "在 REV-CAPS-28 中，一个周期为 28 天。按起始剂量（200 mg twice daily），"
            "revicapib 100 mg capsule，每次 2 粒，每日两次，28 天的供药共需 112 粒："
            "2 个药盒，每盒 56 粒。"
        ) in text
        assert "需要 112 粒，有效期至 2026-04-20 及以后的药盒中只有 0 粒 可用。" in text
        assert "药盒 K1140 盘点出 500，而该药盒接收时只有 56：" in text
        assert "停药 37 天超过了 28 天的供药天数。" in text
        assert "请核对第1天的日期。" in text
        assert "以方案的规定为准" in text
        assert "血小板 " not in text or "×10⁹/L 达到或超过" not in text
        for word in FIRST_WORDS:
            assert word not in text
    assert "{{" not in text


def test_no_guide_file_writes_the_first_studys_drug_or_numbers() -> None:
    """The guides hold placeholders where an example names the study's facts: the first
    study's drug, strengths, event of day 1 and counts are in its study file only."""
    first = load_study(FIRST)
    written = set(FIRST_WORDS)
    for language in ("en", "zh_CN"):
        said = guides.facts(first, language)
        for key in ("product", "other_product", "day1_event", "kit_units", "supply_units"):
            written.add(said[key])
    assert len(GUIDE_FILES) == 4
    for path in GUIDE_FILES:
        text = path.read_text(encoding="utf-8")
        for words in written:
            assert words not in text, f"{path.name} writes {words!r}"
        # the first study's kit of 21 and 21-day cycle, in any count of tablets or days
        counts = re.findall(r"\b21 ?(?:tablets?|片|days?|天)|\b(?:received with|holds) 21\b", text)
        assert counts == [], f"{path.name}: {counts}"


def test_every_placeholder_of_the_guides_is_a_fact_the_service_gives() -> None:
    for study in (load_study(FIRST), load_study(CAPSULES), load_study(FIXTURES / "ZX-201.toml")):
        for path in GUIDE_FILES:
            language = ENGLISH.value if path.name.count(".") == 1 else Language.ZH_CN.value
            filled = guides.fill(path.read_text(encoding="utf-8"), study, language)
            assert "{{" not in filled, (study.protocol, path.name)


def test_a_study_without_a_minimum_interval_has_no_interval_example(tmp_path: Path) -> None:
    """A study file that sets no [cycle] min_days_since_previous_day1 (optional): the guide
    leaves out the "Day 1 ... is only N days after" example (it raised TypeError), in both
    languages, and the first study keeps it."""
    text = CAPSULES.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^min_days_(since_previous_day1|source) = .*\n", "", text)
    (tmp_path / "no-interval.toml").write_text(text, encoding="utf-8")
    study = load_study(tmp_path / "no-interval.toml")
    assert study.cycle.min_days_since_previous_day1 is None
    for path in GUIDE_FILES:
        language = ENGLISH.value if path.name.count(".") == 1 else Language.ZH_CN.value
        filled = guides.fill(path.read_text(encoding="utf-8"), study, language)
        assert "{{" not in filled and "days after the previous cycle's day 1" not in filled
        assert "距上一周期的第1天" not in filled
    guide = resource("guides") / "pharmacist.md"
    first = guides.fill(guide.read_text(encoding="utf-8"), load_study(FIRST), "en")
    assert "Day 1 2026-03-10 is only 14 days after the previous cycle's day 1" in first


def test_a_two_drug_study_gives_its_capsules_on_their_days() -> None:
    """DEMO-2DRUG: democapib capsules twice daily on days 1-14 of a 21-day cycle."""
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    assert guides.facts(study, "en")["example_cycle"] == (
        "In DEMO-2DRUG, a cycle lasts 21 days. At the starting dose (democapib 100 mg twice "
        "daily days 1-14 with demotinib 25 mg once daily), 1 capsule of democapib (fictional) "
        "100 mg capsule twice daily on 14 days make 28 capsules for the 21 days of supply: "
        "1 kit of 28 capsules."
    )
    chinese = guides.facts(study, "zh_CN")
    assert (
        "德莫卡匹布胶囊（虚构）100 mg，每次 1 粒，每日两次，共 14 天，21 天的供药共需 28 粒："
        "1 个药盒，每盒 28 粒。" in (chinese["example_cycle"])
    )
    assert chinese["other_product"] == "德莫替尼片（虚构）25 mg"


@pytest.mark.parametrize("site", [FIRST], indirect=True, ids=["NCT07198672"])
def test_an_open_guide_follows_the_study_the_window_switches_to(
    qtbot: QtBot, site: Counter
) -> None:
    guide = open_guide(qtbot, site, "Pharmacist's guide")
    assert "1 kit of 21 tablets" in guide.browser.toPlainText()
    guide.show_study(load_study(CAPSULES))
    text = guide.browser.toPlainText()
    assert "2 kits of 56 capsules" in text and "herombopag" not in text
