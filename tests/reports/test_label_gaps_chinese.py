"""A label missing a particular is refused in the reader's language (`--lang zh_CN` read "The
dispensing label of … cannot be printed: missing …" in English), naming each gap and where to
fill it in: the study file's key as written, the pharmacy's particulars on the Settings screen,
and what the administrator does next. English keeps its words and keys."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from dispensary.i18n import Language, speaking
from dispensary.labels import IncompleteLabel, get_stock
from dispensary.labels.dispensing import dispensing_layout, sample_dispense
from dispensary.labels.kit import kit_layout
from dispensary.labels.leaflet import participant_leaflet
from dispensary.services.report_data import KitLabelRow
from dispensary.study import bundled_studies, load_study

ZH, EN = Language.ZH_CN, Language.EN
STUDY = load_study(bundled_studies() / "NCT07198672.toml")
ENGLISH_WORDS = re.compile(r"cannot|missing|fill in|study file|dispense |receipt|label of")


def _refusal(language: Language, call: object) -> str:
    assert callable(call)
    with speaking(language), pytest.raises(IncompleteLabel) as info:
        call()
    return info.value.message


def test_a_missing_study_file_particular_is_refused_in_chinese_saying_what_to_do() -> None:
    # (A telephone is optional: left out of the study file, none is printed and none missed.)
    study = dataclasses.replace(STUDY, contact_address="", pharmacy_name="")
    dispense = sample_dispense(study)
    roll = get_stock("thermal-4x2")
    zh = _refusal(ZH, lambda: dispensing_layout(study, dispense, roll, False))
    assert zh == (
        f"无法打印发放标签 {dispense.number}，缺少以下内容："
        "1. 联系地址（请填写研究文件 [study] contact_address）；"
        "药房名称（请填写研究文件 [study] pharmacy_name，或管理员“设置”界面中的“标签上的药房信息”）。"
        "请管理员填写研究文件，并用它更新研究（dispensary study update），然后重新打印。"
    ), zh
    assert not ENGLISH_WORDS.search(zh), zh
    en = _refusal(EN, lambda: dispensing_layout(study, dispense, roll, False))
    assert en == (
        f"The dispensing label of {dispense.number} cannot be printed: missing "
        "1. contact address (fill in study file [study] contact_address); pharmacy name "
        "(fill in study file [study] pharmacy_name, or 'The pharmacy on its labels' on an "
        "administrator's Settings screen). An administrator fills in the study file and "
        "updates the study with it (dispensary study update); then print again."
    ), en
    leaflet = _refusal(ZH, lambda: participant_leaflet(study, dispense))
    assert leaflet.startswith(f"无法打印受试者说明单 {dispense.number}，缺少以下内容："), leaflet


def test_a_products_and_a_kits_gaps_are_said_in_chinese() -> None:
    product = dataclasses.replace(STUDY.products[0], strength="")
    study = dataclasses.replace(STUDY, products=(product, *STUDY.products[1:]))
    kit = KitLabelRow("K0001", product.code, "", date(2030, 1, 31), 30, "S", date(2026, 1, 1))
    zh = _refusal(ZH, lambda: kit_layout(study, kit, get_stock("thermal-4x2"), False))
    assert zh.startswith("无法打印药盒标签 K0001，缺少以下内容："), zh
    assert f"2. 规格（请填写研究文件 [[products]] 中代码为 {product.code} 的 strength）" in zh
    assert "4. 批号（请填写药盒 K0001 接收时记录的批号）" in zh
    assert not ENGLISH_WORDS.search(zh), zh
    en = _refusal(EN, lambda: kit_layout(study, kit, get_stock("thermal-4x2"), False))
    assert f"2. strength (fill in study file [[products]] (code {product.code}) strength)" in en
    assert "4. lot number (fill in the receipt of kit K0001 (lot))" in en


def test_a_gap_outside_the_study_file_asks_no_study_update() -> None:
    kit = KitLabelRow(
        "K0001", STUDY.products[0].code, "", date(2030, 1, 31), 30, "S", date(2026, 1, 1)
    )
    en = _refusal(EN, lambda: kit_layout(STUDY, kit, get_stock("thermal-4x2"), False))
    assert en == (
        "The kit label of K0001 cannot be printed: missing 4. lot number (fill in the receipt "
        "of kit K0001 (lot))."
    )
