"""The dose change of a dispense of two drugs as the counter and Reports and labels print it:
the demo's DEMO-2DRUG participant 21-001, on level 0 for three cycles, reduced to level -1 at
cycle 4 (the investigator's order). The print plan finds the previous level; the capsule's
label alone is marked, with the capsule's own dose as it was, in Chinese as the demo's
confirmed text prints it, and each label still scans as the dispense."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from dispensary.i18n import Language, speaking
from dispensary.labels import NO_CALIBRATION, get_stock
from dispensary.labels import catalogue as label_catalogue
from dispensary.services import demo, dispensing, queries, returns, setup, studies, users
from dispensary.services.assessment.dispense import DispenseRequest
from dispensary.services.context import Actor, Context
from dispensary.services.documents import Values
from reports.pdfread import decode_barcodes, pdf_pages_text

PERSON = "21-001"
ORDERED = "B. Example, M.D."


@pytest.fixture(scope="module")
def reduced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, Actor, str]]:
    path = tmp_path_factory.mktemp("demo-dosechg") / "demo.sqlite3"
    demo.build_demo(str(path), date(2026, 7, 1))
    ctx = setup.open_database(str(path)).context
    admin = users.sign_in(ctx, "admin", demo.DEMO_PASSWORD)
    studies.confirm_rule(
        studies.switch_study(ctx, admin, "DEMO-2DRUG"),
        admin,
        "label.text.zh_CN",
        "Test: the site's translation, checked against the approved label",
    )
    actor = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    ctx = studies.switch_study(ctx, actor, "DEMO-2DRUG")
    _row, history = queries.participant_history(ctx, actor, PERSON)
    last = queries.get_dispense_detail(
        ctx, actor, [e.dispense_number for e in history if e.dispense_number][-1]
    )
    assert last.dose_level == 0
    day1 = last.day1 + timedelta(days=ctx.study.cycle.length_days)
    for kit in last.kits:
        returns.record_return(
            ctx, actor, kit.kit, 2, demo.DEMO_PASSWORD, last.number, returned_on=day1
        )
    request = DispenseRequest(
        PERSON, cycle=last.cycle + 1, day1=day1, dose_level=-1, dose_ordered_by=ORDERED
    )
    shown = dispensing.assess_dispense(ctx, actor, request)
    result = dispensing.dispense_cycle(
        ctx,
        actor,
        PERSON,
        last.cycle + 1,
        day1,
        demo.DEMO_PASSWORD,
        dose_level=-1,
        dose_ordered_by=ORDERED,
        overrides=shown.override_codes,
        dispensed_on=day1,
    )
    yield ctx, actor, result.number
    ctx.engine.dispose()


def test_only_the_capsules_label_is_marked_with_its_own_dose(
    reduced: tuple[Context, Actor, str],
) -> None:
    ctx, actor, number = reduced
    with speaking(Language.ZH_CN):
        sheet = label_catalogue.plan_label(
            label_catalogue.label("dispense"),
            ctx,
            actor,
            Values(dispense=number),
            get_stock(ctx.study.label.default_stock),
            NO_CALIBRATION,
            reprint=False,
        )
        pdf = sheet.draw()
    assert sheet.plan is not None
    assert sheet.plan.previous_dose == 0 and sheet.plan.languages == ("zh_CN",)
    assert [code for page in decode_barcodes(pdf) for code, _x, _y in page] == [number, number]
    text = "".join("".join(pdf_pages_text(pdf)).split())
    capsule, tablet = text.split(number)[1:]
    assert capsule.startswith("剂量已变更（原为每日两次，每次1粒，第1–14天）"), capsule
    assert "德莫替尼" not in capsule and "每日一次，每次1粒" in capsule, capsule
    assert "剂量已变更" not in tablet and "德莫卡匹布" not in tablet, tablet
