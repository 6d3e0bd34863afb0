"""A dispense of two bottles printed from the label catalogue, as the counter's preview and
Reports and labels print it (DEMO-28D-BID in the demo: two bottles of 60 tablets): the sheet
says it holds a label for each kit, the PDF holds one label per bottle, each scanning as the
dispense, and the print is still one print, recorded once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.i18n import Language, speaking
from dispensary.labels import NO_CALIBRATION, get_stock
from dispensary.labels import catalogue as label_catalogue
from dispensary.services import demo, labels, queries, setup, studies, users
from dispensary.services.context import Actor, Context
from dispensary.services.documents import Values
from dispensary.services.labels import LABEL_ACTIONS
from reports.pdfread import decode_barcodes, page_count, pdf_pages_text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, Actor]]:
    path = tmp_path_factory.mktemp("demo-perkit") / "demo.sqlite3"
    demo.build_demo(str(path), date(2026, 7, 1))
    ctx = setup.open_database(str(path)).context
    actor = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    yield studies.switch_study(ctx, actor, "DEMO-28D-BID"), actor
    ctx.engine.dispose()


def _two_bottles(ctx: Context, actor: Actor) -> str:
    """A dispense of two kits whose label was never printed."""
    for person in queries.participants(ctx, actor):
        _row, history = queries.participant_history(ctx, actor, person.study_number)
        for entry in history:
            number = entry.dispense_number
            if not number:
                continue
            dispense = queries.get_dispense_detail(ctx, actor, number)
            if len(dispense.kits) == 2 and not labels.already_printed(
                ctx, actor, "dispense", [number]
            ):
                try:
                    labels.plan_print(ctx, actor, "dispense", [number], reprint=False)
                except Exception:
                    continue
                return number
    raise AssertionError("the demo has no dispense of two bottles left to label")


def test_a_dispense_of_two_bottles_prints_a_label_each_in_one_recorded_print(
    site: tuple[Context, Actor],
) -> None:
    ctx, actor = site
    number = _two_bottles(ctx, actor)
    dispense = queries.get_dispense_detail(ctx, actor, number)
    stock = get_stock(ctx.study.label.default_stock)
    entry = label_catalogue.label("dispense")
    values = Values(dispense=number)
    sheet = label_catalogue.plan_label(
        entry, ctx, actor, values, stock, NO_CALIBRATION, reprint=False
    )
    who = f"({dispense.participant}, cycle {dispense.cycle})"
    assert sheet.says == f"the 2 dispensing labels of {number} {who}, one for each kit"
    assert sheet.title == f"Dispensing labels {number} {who}: 2 kits, a label for each"
    with speaking(Language.ZH_CN):
        chinese = label_catalogue.plan_label(
            entry, ctx, actor, values, stock, NO_CALIBRATION, reprint=False
        )
    assert chinese.says.endswith("的 2 张发放标签，每个药盒一张"), chinese.says
    # The title is the label's, in its languages whoever prints it (labels.titles): this
    # label is English (its Chinese text still to confirm), for a Chinese reader too.
    assert sheet.plan is not None and sheet.plan.languages == ("en",)
    assert chinese.title == sheet.title
    # The name offered on saving is the label's too, in its languages (labels.titles): an
    # English label's file is named in English for a Chinese reader.
    assert sheet.file_name == f"Dispensing label {number}.pdf"
    assert chinese.file_name == sheet.file_name

    assert sheet.plan is not None
    out: list[bytes] = []
    row = labels.print_labels(
        ctx, actor, sheet.plan, lambda _plan: sheet.draw(), lambda pdf: out.append(pdf) or True
    )
    assert row is not None and row.items == (number,)
    (pdf,) = out
    assert page_count(pdf) == 2  # thermal-4x2: a label a page, one per bottle
    assert [[code for code, _x, _y in page] for page in decode_barcodes(pdf)] == [
        [number],
        [number],
    ]
    for kit, text in zip(dispense.kits, pdf_pages_text(pdf), strict=True):
        assert f"Kit {kit.kit};" in text or f"药盒 {kit.kit}" in text, text
        assert dispense.participant in text
    with read_transaction(ctx.engine) as session:
        prints = [
            json.loads(e.new)
            for e in session.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity == "dispense label",
                    AuditEntry.entity_id == number,
                    AuditEntry.action.in_(LABEL_ACTIONS),
                )
            )
        ]
    assert [p["items"] for p in prints] == [[number]]  # one print, one record
