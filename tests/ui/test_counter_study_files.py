"""The dispense screen made by each fictional test study file: the fields its study declares
(a weight, the IRT's confirmation and kit) and the assessment it shows, with no code of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import (
    NAMES,
    OPENING_DAY,
    PASSWORDS,
    Counter,
    Printer,
    Signatures,
    study_pharmacy,
)
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick, refreshed

from dispensary.services import participants, queries, returns, setup, users
from dispensary.services.context import FixedClock
from dispensary.study import bundled_studies, load_study
from dispensary.ui.app import apply_style
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen

STUDIES = bundled_studies()
KITS = {
    "DEMO-28D-BID": [("B0001-B0004", "demoxatinib-50mg")],
    "DEMO-2DRUG": [("C0001-C0003", "democapib-100mg"), ("T0001-T0003", "demotinib-25mg")],
    "DEMO-IRT-BLIND": [("R0001-R0004", "demoprazole-blinded")],
}


@pytest.fixture
def pharmacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    """A pharmacy made with the study file the test names, its kits in, 01-001 enrolled."""
    protocol: str = request.param
    study = load_study(STUDIES / f"{protocol}.toml")
    counter = study_pharmacy(study, KITS[protocol], tmp_path / "pharmacy.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


def _screen(qtbot: QtBot, pharmacy: Counter) -> DispenseScreen:
    widget = refreshed(qtbot, DispenseScreen(pharmacy.session("pharm")), (1166, 700))
    return widget


def _scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _dispensed(pharmacy: Counter) -> list[tuple[int, tuple[str, ...], int]]:
    _row, rows = queries.participant_history(pharmacy.ctx, pharmacy.actor("pharm"), "01-001")
    return [(r.cycle, r.kits, r.tablets) for r in rows]


@pytest.mark.parametrize("pharmacy", ["DEMO-28D-BID"], indirect=True)
def test_the_weight_chooses_the_dose_band(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    screen = _screen(qtbot, pharmacy)
    assert list(screen.observation_fields) == ["weight"]
    assert not screen.irt_kit.isVisible()
    _scan(qtbot, screen.participant_field, "01-001")
    assert not screen.sign_button.isEnabled()  # the weight is asked first
    assert (
        "Weight (kg) is required: study DEMO-28D-BID asks it at every dispense."
        in screen.message.text()
    )
    screen.observation_fields["weight"].setText("72")
    assert screen.dose_level() == 1  # 60 kg or more: level 1
    assert [k.number for k in screen.kits_model.rows] == ["B0001", "B0002"]
    screen.observation_fields["weight"].setText("55")
    assert screen.dose_level() == 0 and screen.sign_button.isEnabled()
    dispense_kits_to_pick(qtbot, screen)
    assert _dispensed(pharmacy) == [(1, ("B0001",), 60)]
    result = screen.last_result
    assert result is not None and [(o.key, o.value) for o in result.observations] == [
        ("weight", 55.0)
    ]


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
def test_two_drugs_go_out_together(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    screen = _screen(qtbot, pharmacy)
    assert screen.observation_fields == {}
    _scan(qtbot, screen.participant_field, "01-001")
    assert [k.number for k in screen.kits_model.rows] == ["C0001", "T0001"]
    dispense_kits_to_pick(qtbot, screen)
    assert _dispensed(pharmacy) == [(1, ("C0001", "T0001"), 58)]
    [(_title, _pdf)] = printer.shown
    # What is signed and what the screen says: each drug with its count, not 58 "tablets".
    [(_signer, _meaning, summary)] = signatures.asked
    assert "C0001, T0001 — 28 × 100 mg capsule, 30 × 25 mg tablet, day 1" in summary, summary
    done = screen.message.text()
    assert "28 × 100 mg capsule, 30 × 25 mg tablet in C0001 (28), T0001 (30)" in done, done
    assert "58" not in summary + done


@pytest.mark.parametrize("pharmacy", ["DEMO-IRT-BLIND"], indirect=True)
def test_only_the_kit_the_irt_assigned(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    screen = _screen(qtbot, pharmacy)
    assert screen.irt_kit.isVisible() and screen.irt_confirmation.isVisible()
    _scan(qtbot, screen.participant_field, "01-001")
    assert not screen.sign_button.isEnabled()
    assert "enter the IRT confirmation number" in screen.message.text()
    assert list(screen.kits_model.rows) == []  # no first expiry first out
    screen.irt_confirmation.setText("IRT-77")
    screen.irt_kit.setText("R0003")
    screen.irt_kit.editingFinished.emit()
    assert [k.number for k in screen.kits_model.rows] == ["R0003"]
    screen.sign()  # typed, not scanned: the bottle is scanned first
    assert _dispensed(pharmacy) == [] and signatures.asked == []
    _scan(qtbot, screen.kit_field, "R0003")
    assert _dispensed(pharmacy) == [(1, ("R0003",), 21)]
    assert screen.last_result is not None
    assert screen.last_result.irt_confirmation == "IRT-77"


def test_the_platelet_field_takes_the_study_files_unit_and_range(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A study file that declares its own platelet count (here up to 1,500 x 10^9/L): the count
    typed is refused by the file's range, rather than the program's default of 5,000 (said by
    the service as it is typed; the field keeps what was typed)."""
    text = (STUDIES / "NCT07198672.toml").read_text(encoding="utf-8")
    declared = (
        '\n[[observations]]\nkey = "platelets"\nname = "Platelets"\nunit = "x 10^9/L"\n'
        "required = false\nmin = 0\nmax = 1500\n"
    )
    (tmp_path / "own.toml").write_text(text + declared, encoding="utf-8")
    study = load_study(tmp_path / "own.toml")
    assert study.platelet_observation().maximum == 1500
    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    ctx = setup.init_database(
        str(tmp_path / "pharmacy.sqlite3"), study, "admin", NAMES["admin"], "AA",
        PASSWORDS["admin"], clock,
    )  # fmt: skip
    try:
        admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
        users.add_user(
            ctx, admin, "pharm", "pharmacist", NAMES["pharm"], "PP", PASSWORDS["pharm"], False
        )
        pharm = users.sign_in(ctx, "pharm", PASSWORDS["pharm"])
        participants.enroll(
            ctx,
            pharm,
            "01-001",
            "AB",
            1970,
            "F",
            "Dr Example",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )
        screen = _screen(qtbot, Counter(ctx, clock, tmp_path / "pharmacy.sqlite3"))
        _scan(qtbot, screen.participant_field, "01-001")
        assert screen.platelets.isEnabled()
        qtbot.keyClicks(screen.platelets, "1800")
        assert screen.platelets.text() == "1800"
        assert screen.message.kind == "error"
        assert "enter a count from 0 to 1500" in screen.message.text(), "over the file's 1,500"
        screen.platelets.clear()
        qtbot.keyClicks(screen.platelets, "1450")
        assert "is not possible" not in screen.message.text()  # what remains: no stock here
        assert "×10⁹/L" in screen.platelets_label.text()  # as the study file wrote x 10^9/L
    finally:
        ctx.engine.dispose()


def test_a_platelet_count_declared_without_a_hold_rule_has_its_field(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A study file that asks the platelet count in [[observations]] but sets no [platelets]
    hold: the count is asked (the field was hidden, as only a hold rule showed it, so a
    required count could not be typed), and the window shows it as the service asks it."""
    text = (STUDIES / "NCT07198672.toml").read_text(encoding="utf-8")
    start = text.index("[platelets]")
    text = text[:start] + text[text.index("[eligibility]") :]
    declared = (
        '\n[[observations]]\nkey = "platelets"\nname = "Platelets"\nunit = "x 10^9/L"\n'
        "required = false\nmin = 0\nmax = 1500\n"
    )
    (tmp_path / "own.toml").write_text(text + declared, encoding="utf-8")
    study = load_study(tmp_path / "own.toml")
    assert not study.platelet_hold_at_or_above and study.asks_platelets
    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    ctx = setup.init_database(
        str(tmp_path / "pharmacy.sqlite3"), study, "admin", NAMES["admin"], "AA",
        PASSWORDS["admin"], clock,
    )  # fmt: skip
    try:
        admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
        users.add_user(
            ctx, admin, "pharm", "pharmacist", NAMES["pharm"], "PP", PASSWORDS["pharm"], False
        )
        pharm = users.sign_in(ctx, "pharm", PASSWORDS["pharm"])
        participants.enroll(
            ctx, pharm, "01-001", "AB", 1970, "F", "Dr Example",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )  # fmt: skip
        screen = _screen(qtbot, Counter(ctx, clock, tmp_path / "pharmacy.sqlite3"))
        assert screen.platelets.isVisible() and screen.platelets_label.isVisible()
        _scan(qtbot, screen.participant_field, "01-001")
        assert screen.platelets.isEnabled()
        qtbot.keyClicks(screen.platelets, "1450")
        assert screen.platelets.text() == "1450"
    finally:
        ctx.engine.dispose()

    # A study that neither holds nor asks the count: no field (a count given is refused).
    plain = load_study(STUDIES / "DEMO-28D-BID.toml")
    assert not plain.asks_platelets


def _cell_shown_whole(view: QTableView, row: int, column: int) -> bool:
    """The text of a cell readable in full: on one line in its column, or wrapped onto lines
    the row is tall enough for (not cut with an ellipsis)."""
    text = str(view.model().index(row, column).data())
    width = view.columnWidth(column) - 8  # the cell's margins
    metrics = view.fontMetrics()
    if metrics.horizontalAdvance(text) <= width:
        return True
    wrapped = metrics.boundingRect(
        QRect(0, 0, width, 10_000),
        int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere),
        text,
    )
    return view.wordWrap() and wrapped.height() <= view.rowHeight(row)


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[None]:
    """The program's style sheet (its fonts and paddings size what is measured)."""
    apply_style(qapp)
    yield
    qapp.setStyleSheet("")


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_two_drugs_fit_1366x768(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    styled: None,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    """The dose level of a two-drug study names both drugs on one long line: the screen keeps
    what a 1366x768 window gives it (Sign and dispense on screen), the level read whole in the
    tooltip, and the proposed kits' products are read whole."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = _screen(qtbot, pharmacy)
    _scan(qtbot, screen.participant_field, "01-001")
    dispense_kits_to_pick(qtbot, screen)  # a last dispense on the card, then the next cycle's kits
    # The next cycle is due a cycle later, its return recorded (the day the pick list is given: a
    # cycle refused as too early, or before the return, has no kits to pick).
    dispense = screen.last_result
    assert dispense is not None
    pharmacy.clock.set_date(date.fromordinal(OPENING_DAY.toordinal() + 21))
    pharm = pharmacy.actor("pharm")
    returns.record_return(pharmacy.ctx, pharm, "C0001", 0, PASSWORDS["pharm"], dispense.number)
    returns.record_return(pharmacy.ctx, pharm, "T0001", 0, PASSWORDS["pharm"], dispense.number)
    screen.start_over()
    _scan(qtbot, screen.participant_field, "01-001")
    qtbot.wait(50)
    assert [k.number for k in screen.kits_model.rows] == ["C0002", "T0002"], screen.message.text()
    assert screen.minimumSizeHint().width() <= 1166, screen.minimumSizeHint()
    assert screen.width() == 1166
    assert screen.dose.toolTip() == screen.dose.currentText()
    assert "demotinib" in screen.dose.currentText() or "德莫替尼" in screen.dose.currentText()
    view = screen.kits_view
    for row in range(screen.kits_model.rowCount()):
        assert _cell_shown_whole(view, row, 1), view.model().index(row, 1).data()


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
@pytest.mark.parametrize(
    ("language", "cover", "summary"),
    [
        (
            "en",
            "28 capsules (100 mg capsule) in 1 kit; 28 capsules needed\n"
            "30 tablets (25 mg tablet) in 1 kit; 21 tablets needed",
            "6 kits shown; available:\n84 capsules (100 mg capsule)\n90 tablets (25 mg tablet)",
        ),
        (
            "zh_CN",
            "德莫卡匹布胶囊（虚构）100 mg：1 盒共 28 粒；需要 28 粒\n"
            "德莫替尼片（虚构）25 mg：1 盒共 30 片；需要 21 片",
            "显示 6 个药盒；可用：\n德莫卡匹布胶囊（虚构）100 mg 84 粒\n德莫替尼片（虚构）25 mg 90 片",
        ),
    ],
)
def test_two_products_are_counted_each_in_its_own_unit(
    qtbot: QtBot,
    pharmacy: Counter,
    language: str,
    cover: str,
    summary: str,
    request: pytest.FixtureRequest,
) -> None:
    """Capsules and tablets are never added up as "58 tablets": the dispense screen's cover
    and the inventory's summary give each product its count in its own unit's word."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = _screen(qtbot, pharmacy)
    _scan(qtbot, screen.participant_field, "01-001")
    assert screen.cover_label.text() == cover
    # The kit tables' count column: "Quantity" (数量) over each kit's count in its own word,
    # not "Tablets" (片数) over capsules.
    heading, capsules, tablets = (
        ("Quantity", "28 capsules", "30 tablets")
        if language == "en"
        else ("数量", "28 粒", "30 片")
    )
    kits = screen.kits_model
    assert kits.headerData(4, Qt.Orientation.Horizontal) == heading
    assert [kits.index(r, 4).data() for r in range(kits.rowCount())] == [capsules, tablets]
    inventory = InventoryScreen(pharmacy.session("pharm"))
    qtbot.addWidget(inventory)
    inventory.resize(1166, 700)
    inventory.show()
    inventory.refresh()
    qtbot.waitUntil(lambda: "6" in inventory.summary.text())
    assert inventory.summary.text() == summary
    assert inventory.width() == 1166  # a line each: the filters' row keeps its width
    shelf = inventory.model
    assert shelf.headerData(5, Qt.Orientation.Horizontal) == heading
    shown = {shelf.index(r, 5).data() for r in range(shelf.rowCount())}
    assert {capsules, tablets} <= shown, shown


@pytest.mark.parametrize("pharmacy", ["DEMO-28D-BID"], indirect=True)
def test_a_part_return_names_the_kit_still_to_count(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    """Two kits went out, one came back counted: the card says the other is still to count,
    not "Last return: ... tablets back" as if the return were complete."""
    screen = _screen(qtbot, pharmacy)
    _scan(qtbot, screen.participant_field, "01-001")
    screen.observation_fields["weight"].setText("72")  # level 1: two kits
    dispense_kits_to_pick(qtbot, screen)
    assert _dispensed(pharmacy) == [(1, ("B0001", "B0002"), 120)]
    dispense = screen.last_result
    assert dispense is not None
    pharm = pharmacy.actor("pharm")
    returns.record_return(pharmacy.ctx, pharm, "B0001", 3, PASSWORDS["pharm"], dispense.number)
    screen.start_over()
    _scan(qtbot, screen.participant_field, "01-001")
    card = screen.card.text()
    assert "kit B0002 still to count (3 tablets back so far)" in card, card
    assert "Last return" not in card
    returns.record_return(pharmacy.ctx, pharm, "B0002", 0, PASSWORDS["pharm"], dispense.number)
    screen.start_over()
    _scan(qtbot, screen.participant_field, "01-001")
    assert "still to count" not in screen.card.text()
    assert "Last return: cycle 1, 3 tablets back" in screen.card.text()


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
def test_a_return_of_two_products_is_said_in_each_product_s_units(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    """Capsules and tablets came back: the card said "Last return: cycle 1, 5 tablets back"
    (and "... so far" for a part return), one sum called tablets."""
    screen = _screen(qtbot, pharmacy)
    _scan(qtbot, screen.participant_field, "01-001")
    dispense_kits_to_pick(qtbot, screen)
    dispense = screen.last_result
    assert dispense is not None
    pharm = pharmacy.actor("pharm")
    returns.record_return(pharmacy.ctx, pharm, "C0001", 2, PASSWORDS["pharm"], dispense.number)
    screen.start_over()
    _scan(qtbot, screen.participant_field, "01-001")
    card = screen.card.text()
    assert "kit T0001 still to count (2 × 100 mg capsule back so far)" in card, card
    returns.record_return(pharmacy.ctx, pharm, "T0001", 3, PASSWORDS["pharm"], dispense.number)
    screen.start_over()
    _scan(qtbot, screen.participant_field, "01-001")
    card = screen.card.text()
    assert "Last return: cycle 1, 2 × 100 mg capsule, 3 × 25 mg tablet back" in card, card
    assert "5 tablets" not in card


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_history_screen_gives_each_product_its_figures(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    """The participant's history showed one line "58 / 19 / ..." for 28 capsules and 30
    tablets: a line per product now, each with its own dispensed, returned, taken and
    expected in its own word, and a flag's "taken N of M expected" per product."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    from dispensary.ui.participants_view import PRODUCT_COLUMN, ParticipantsScreen

    screen = _screen(qtbot, pharmacy)
    _scan(qtbot, screen.participant_field, "01-001")
    dispense_kits_to_pick(qtbot, screen)
    dispense = screen.last_result
    assert dispense is not None
    pharm = pharmacy.actor("pharm")
    pharmacy.clock.set_date(date.fromordinal(OPENING_DAY.toordinal() + 21))
    returns.record_return(pharmacy.ctx, pharm, "C0001", 10, PASSWORDS["pharm"], dispense.number)
    returns.record_return(pharmacy.ctx, pharm, "T0001", 9, PASSWORDS["pharm"], dispense.number)
    people = ParticipantsScreen(pharmacy.session("pharm"))
    qtbot.addWidget(people)
    people.resize(1300, 760)
    people.show()
    people.refresh()
    assert people.handle_scan("01-001")
    history = people.history
    assert not people.history_table.isColumnHidden(PRODUCT_COLUMN)
    cells = [
        [history.index(r, c).data() for c in range(PRODUCT_COLUMN, PRODUCT_COLUMN + 6)]
        for r in range(history.rowCount())
    ]
    capsules, tablets = ("{} capsules", "{} tablets") if language == "en" else ("{} 粒", "{} 片")
    assert [row[1:] for row in cells] == [
        [*(capsules.format(n) for n in (28, 10, 18, 28)), "64%"],
        [*(tablets.format(n) for n in (30, 9, 21, 21)), "100%"],
    ], cells
    assert history.headerData(PRODUCT_COLUMN + 1, Qt.Orientation.Horizontal) == (
        "Quantity" if language == "en" else "数量"
    )
    said = people.flags.text()
    if language == "en":
        assert "democapib (fictional) 100 mg capsule taken 18 capsules of 28 capsules" in said
        assert "demotinib (fictional) 25 mg tablet taken 21 tablets of 21 tablets" in said
    else:
        assert "德莫卡匹布胶囊（虚构）100 mg：应服 28 粒，已服 18 粒" in said, said


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
@pytest.mark.parametrize(
    ("language", "total"),
    [
        ("en", "Kits to receive: 3 (56 capsules, 30 tablets)"),
        ("zh_CN", "待接收药盒：3（共 56 粒、30 片）"),
    ],
)
def test_the_receive_total_counts_each_product_in_its_word(
    qtbot: QtBot, pharmacy: Counter, language: str, total: str, request: pytest.FixtureRequest
) -> None:
    """2 capsule kits and a tablet kit: the total said "3 (86 tablets)" / "（共 86 片）"."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    from dispensary.ui.receive_view import ReceiveScreen

    screen = ReceiveScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.show()
    manifest = pharmacy.path.parent / "manifest.csv"
    manifest.write_text(
        "kit,product,lot,expiry,tablets\n"
        "ZC001,democapib-100mg,LC9,2028-06-30,28\n"
        "ZC002,democapib-100mg,LC9,2028-06-30,28\n"
        "ZT001,demotinib-25mg,LT9,2028-06-30,30\n",
        encoding="utf-8",
    )
    screen.load_manifest(manifest)
    assert screen.count_label.text() == total
