"""A study of one capsule product (DEMO-28D-BID's demoxatinib made a capsule) and the demo's
DEMO-2DRUG at the counter: the dispense screen's last-return card, the inventory's "Where" of a
kit with a participant and the screens' count labels say capsules as capsules ("3 capsules",
3 粒), not "tablets" / 片; a study of tablets only reads as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import (
    NAMES,
    PASSWORDS,
    Counter,
    Printer,
    Signatures,
    study_pharmacy,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick, refreshed

from dispensary.domain.codes import KitStatus
from dispensary.i18n import Language, speaking
from dispensary.services import queries, returns, users
from dispensary.study import bundled_studies, load_study
from dispensary.ui.count_view import CountScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.return_view import ReturnScreen

STUDIES = bundled_studies()
CAPSULES = "DEMO-28D-BID capsules"
KITS = {
    "DEMO-28D-BID": [("B0001-B0004", "demoxatinib-50mg")],
    CAPSULES: [("B0001-B0004", "demoxatinib-50mg")],
    "DEMO-2DRUG": [("C0001-C0003", "democapib-100mg"), ("T0001-T0003", "demotinib-25mg")],
}


def _study_file(protocol: str, folder: Path) -> Path:
    """The study file of `protocol`; CAPSULES: DEMO-28D-BID's with its product a capsule,
    counted 粒 in Chinese (as DEMO-2DRUG's file counts its capsules)."""
    if protocol != CAPSULES:
        return STUDIES / f"{protocol}.toml"
    text = (STUDIES / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    assert text.count('form = "tablet"') == 1
    text = text.replace('form = "tablet"', 'form = "capsule"')
    text = text.replace('tablet = "片剂"', 'capsule = "胶囊剂"')
    text += '\n[label.text.zh_CN.units]\ncapsule = "{count}粒"\n'
    path = folder / "DEMO-28D-BID.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def pharmacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    """A pharmacy made with the study file the test names, its kits in, 01-001 enrolled."""
    protocol: str = request.param
    study = load_study(_study_file(protocol, tmp_path))
    counter = study_pharmacy(study, KITS[protocol], tmp_path / "pharmacy.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


def _screen(qtbot: QtBot, pharmacy: Counter) -> DispenseScreen:
    widget = refreshed(qtbot, DispenseScreen(pharmacy.session("pharm")), (1166, 700))
    return widget


def _scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _dispense(qtbot: QtBot, pharmacy: Counter) -> tuple[DispenseScreen, str]:
    """01-001's first cycle at level 0 (under 60 kg: one kit of 60), through the screen."""
    screen = _screen(qtbot, pharmacy)
    _scan(qtbot, screen.participant_field, "01-001")
    screen.observation_fields["weight"].setText("55")
    dispense_kits_to_pick(qtbot, screen)
    assert screen.last_result is not None
    return screen, screen.last_result.number


@pytest.mark.parametrize(
    ("pharmacy", "language", "back", "where"),
    [
        (CAPSULES, "en", "cycle 1, 3 capsules back", "(60 capsules, "),
        (CAPSULES, "zh_CN", "退回 3 粒", "（60 粒，"),
        ("DEMO-28D-BID", "en", "cycle 1, 3 tablets back", "(60 tablets, "),
    ],
    indirect=["pharmacy"],
)
def test_a_capsule_kit_is_said_in_capsules_at_the_counter(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    back: str,
    where: str,
    request: pytest.FixtureRequest,
) -> None:
    """The card said "Last return: cycle 1, 3 tablets back" of a capsule kit, and the
    inventory "with participant 01-001 (60 tablets, ...)" (在受试者 01-001 处（60 片，…）)."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen, number = _dispense(qtbot, pharmacy)
    with speaking(Language(language)):
        [kit] = [
            k
            for k in queries.inventory(pharmacy.ctx, pharmacy.actor("pharm"))
            if k.number == "B0001"
        ]
    assert where in kit.where and kit.where.startswith(
        ("with participant 01-001", "在受试者 01-001 处")
    ), kit.where
    pharm = pharmacy.actor("pharm")
    returns.record_return(pharmacy.ctx, pharm, "B0001", 3, PASSWORDS["pharm"], number)
    screen.start_over()
    _scan(qtbot, screen.participant_field, "01-001")
    card = screen.card.text()
    assert back in card, card


def _shown(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)


@pytest.mark.parametrize(
    ("pharmacy", "language", "kits", "labels"),
    [
        (
            "DEMO-2DRUG",
            "en",
            ("C0001", "T0001"),
            ("Quantity &counted", "Capsules &counted", "Tablets &counted"),
        ),
        (
            "DEMO-2DRUG",
            "zh_CN",
            ("C0001", "T0001"),
            ("盘点数量(&C)", "盘点粒数(&C)", "盘点片数(&C)"),
        ),
        (
            "DEMO-28D-BID",
            "en",
            ("B0001", "B0002"),
            ("Tablets &counted", "Tablets &counted", "Tablets &counted"),
        ),
    ],
    indirect=["pharmacy"],
)
def test_the_count_screen_names_the_count_in_the_kits_word(
    qtbot: QtBot,
    pharmacy: Counter,
    language: str,
    kits: tuple[str, str],
    labels: tuple[str, str, str],
    request: pytest.FixtureRequest,
) -> None:
    """The count screen's field said "Tablets counted" (清点片数) over a capsule kit's count."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = CountScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    assert screen.counted_label.text() == labels[0]
    _scan(qtbot, screen.kit, kits[0])
    assert screen.counted_label.text() == labels[1]
    screen.reset()
    assert screen.counted_label.text() == labels[0]
    _scan(qtbot, screen.kit, kits[1])
    assert screen.counted_label.text() == labels[2]


@pytest.mark.parametrize(
    ("pharmacy", "language", "label"),
    [
        (CAPSULES, "en", "Capsules &counted"),
        (CAPSULES, "zh_CN", "清点粒数(&C)"),
        ("DEMO-28D-BID", "en", "Tablets &counted"),
    ],
    indirect=["pharmacy"],
)
def test_the_return_screen_names_the_count_in_the_kits_word(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    label: str,
    request: pytest.FixtureRequest,
) -> None:
    """The Return screen's field said "Tablets counted" (清点片数) of a capsule bottle."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    _dispense(qtbot, pharmacy)
    screen = ReturnScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    screen.scan("B0001")
    assert screen.counted_label is not None
    assert screen.counted_label.text() == label  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("pharmacy", "language", "labels"),
    [
        ("DEMO-2DRUG", "en", ("Capsules in &a kit", "Tablets in &a kit")),
        ("DEMO-2DRUG", "zh_CN", ("每盒粒数(&A)", "每盒片数(&A)")),
        ("DEMO-28D-BID", "en", ("T&ablets in a kit", "T&ablets in a kit")),
    ],
    indirect=["pharmacy"],
)
def test_the_receive_screen_names_a_kits_count_in_the_products_word(
    qtbot: QtBot,
    pharmacy: Counter,
    language: str,
    labels: tuple[str, str],
    request: pytest.FixtureRequest,
) -> None:
    """The receive screen's "Tablets in a kit" (每盒片数) stood over democapib's capsules: it
    follows the product chosen."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = ReceiveScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    label = screen.tablets_label
    assert label is not None
    screen.product.setCurrentIndex(0)
    assert label.text() == labels[0]  # type: ignore[attr-defined]
    screen.product.setCurrentIndex(screen.product.count() - 1)
    assert label.text() == labels[1]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("pharmacy", "language", "said"),
    [
        (
            "DEMO-2DRUG",
            "en",
            (
                "Scan a kit, count what it holds and type the number.",
                "Quantity you counted",
                "Capsules you counted",
                "Kit C0001: count its capsules and type the number.",
                "Type the number of capsules you counted first.",
                "Count of kit C0001: 28 capsules",  # signed before the book is shown
                "Count of kit C0001 recorded: 28 capsules, no change. Scan the next kit.",
            ),
        ),
        (
            "DEMO-2DRUG",
            "zh_CN",
            (
                "扫描药盒，盘点其中药物的数量并输入数字。",
                "您盘点的数量",
                "您盘点的粒数",
                "药盒 C0001：请盘点粒数并输入数字。",
                "请先输入您盘点的粒数。",
                "药盒 C0001 盘点：28 粒",
                "药盒 C0001 的盘点已记录：28 粒，无变动。请扫描下一个药盒。",
            ),
        ),
        (
            "DEMO-28D-BID",
            "en",
            (
                "Scan a kit, count its tablets and type the number.",
                "Tablets you counted",
                "Tablets you counted",
                "Kit B0001: count its tablets and type the number.",
                "Type the number of tablets you counted first.",
                "Count of kit B0001: 60 tablets",
                "Count of kit B0001 recorded: 60 tablets, no change. Scan the next kit.",
            ),
        ),
    ],
    indirect=["pharmacy"],
)
def test_the_count_screen_says_a_capsule_kits_count_in_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    language: str,
    said: tuple[str, ...],
    request: pytest.FixtureRequest,
) -> None:
    """The count screen's hint, placeholder and messages said "count its tablets", "Tablets you
    counted" (您清点的片数) and "Count of kit C0001: 28 tablets" of a capsule kit."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = CountScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    hint, before, placeholder, scanned, empty, signed, recorded = said
    assert any(hint in label.text() for label in screen.findChildren(QLabel))
    assert screen.counted.placeholderText() == before
    kit = "B0001" if "B0001" in scanned else "C0001"
    _scan(qtbot, screen.kit, kit)
    assert screen.counted.placeholderText() == placeholder
    assert screen.message.text() == scanned
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    assert screen.message.text() == empty
    count = "60" if kit == "B0001" else "28"
    _scan(qtbot, screen.counted, count)  # signed and recorded as it is entered
    assert signatures.asked[-1][2] == signed
    assert screen.message.text() == recorded, screen.message.text()


@pytest.mark.parametrize(
    ("pharmacy", "language", "said"),
    [
        (
            CAPSULES,
            "en",
            (
                "60 capsules dispensed on",
                "Capsules in the bottle, counted",
                "Not brought back (0 capsules; flagged, not counted as taken)",
                "): 3 capsules counted, 0 days held.",
                "<b>B0001</b>: 3 capsules back. {number}: 60 capsules dispensed, 3 capsules "
                "returned so far.",
            ),
        ),
        (
            CAPSULES,
            "zh_CN",
            (
                "发放 60 粒",
                "清点瓶内剩余粒数",
                "未带回（计 0 粒；予以标记，不计为已服用）",
                "：清点 3 粒，暂停用药 0 天。",
                "<b>B0001</b>：退回 3 粒。{number}：发放 60 粒，至今已退回 3 粒。",
            ),
        ),
        (
            "DEMO-28D-BID",
            "en",
            (
                "60 tablets dispensed on",
                "Tablets in the bottle, counted",
                "Not brought back (0 tablets; flagged, not counted as taken)",
                "): 3 tablets counted, 0 days held.",
                "<b>B0001</b>: 3 tablets back. {number}: 60 dispensed, 3 returned so far.",
            ),
        ),
    ],
    indirect=["pharmacy"],
)
def test_the_return_screen_says_a_capsule_kits_count_in_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    said: tuple[str, ...],
    request: pytest.FixtureRequest,
) -> None:
    """The Return screen's card ("60 tablets dispensed"), placeholder ("Tablets in the bottle,
    counted", 清点瓶内剩余片数), "Not brought back (0 tablets; ...)", the signature's summary and
    the result ("3 tablets back") said tablets of a capsule kit."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    _dispensed, number = _dispense(qtbot, pharmacy)
    screen = ReturnScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    screen.scan("B0001")
    card, placeholder, not_back, summary, result = said
    assert card in screen.card.text(), screen.card.text()
    assert screen.counted.placeholderText() == placeholder
    assert screen.not_back.text() == not_back
    screen.counted.setText("3")
    screen.sign()
    assert signatures.asked[-1][2].endswith(summary), signatures.asked[-1][2]
    assert result.format(number=number) in screen.result.text(), screen.result.text()


@pytest.mark.parametrize("pharmacy", ["DEMO-2DRUG"], indirect=True)
def test_the_return_screen_says_each_product_of_a_two_product_dispense(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    """DEMO-2DRUG's dispense of 28 capsules and 30 tablets was "58 tablets dispensed"."""
    dispense = _screen(qtbot, pharmacy)
    _scan(qtbot, dispense.participant_field, "01-001")
    dispense_kits_to_pick(qtbot, dispense)
    assert dispense.last_result is not None
    number = dispense.last_result.number
    screen = ReturnScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    screen.scan("C0001")
    assert "28 capsules, 30 tablets dispensed on" in screen.card.text(), screen.card.text()
    assert screen.counted.placeholderText() == "Capsules in the bottle, counted"
    screen.counted.setText("8")
    screen.sign()
    assert signatures.asked[-1][2].endswith("): 8 capsules counted, 0 days held.")
    assert (
        f"<b>C0001</b>: 8 capsules back. {number}: 28 capsules, 30 tablets dispensed, 8 capsules,"
        " 0 tablets returned so far." in screen.result.text()
    ), screen.result.text()
    assert "58" not in screen.result.text() + screen.card.text()


@pytest.mark.parametrize(
    ("pharmacy", "language", "per_kit", "empty", "received"),
    [
        (
            "DEMO-2DRUG",
            "en",
            "28",
            "Give the number of capsules in each kit.",
            "Shipment SH-C received: 2 kits, 56 capsules. Print the kit labels",
        ),
        (
            "DEMO-2DRUG",
            "zh_CN",
            "28",
            "请填写每盒粒数。",
            "货件 SH-C 已接收：2 个药盒，共 56 粒。",
        ),
        (
            "DEMO-28D-BID",
            "en",
            "60",
            "Give the number of tablets in each kit.",
            "Shipment SH-C received: 2 kits, 120 tablets. Print the kit labels",
        ),
    ],
    indirect=["pharmacy"],
)
def test_the_receive_screen_says_a_capsule_shipment_in_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    printer: Printer,
    language: str,
    per_kit: str,
    empty: str,
    received: str,
    request: pytest.FixtureRequest,
) -> None:
    """The receive screen asked for "the number of tablets in each kit" (每盒片数) of democapib
    and said "received: 2 kits, 56 tablets" of its capsules."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = ReceiveScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    screen.product.setCurrentIndex(0)
    qtbot.keyClicks(screen.shipment, "SH-C")
    qtbot.keyClicks(screen.lot, "L9")
    qtbot.keyClicks(screen.expiry, "2028-06-30")
    screen.tablets.clear()
    _scan(qtbot, screen.range_field, "X0001-X0002")
    assert screen.message.text() == empty, screen.message.text()
    qtbot.keyClicks(screen.tablets, per_kit)
    _scan(qtbot, screen.range_field, "X0001-X0002")
    screen.receive()
    assert received in screen.message.text(), screen.message.text()


@pytest.mark.parametrize(
    ("pharmacy", "language", "note"),
    [
        ("DEMO-2DRUG", "en", "Written off (adjusted): what physical counts took off the book"),
        ("DEMO-2DRUG", "zh_CN", "核销（盘点调整）：实物盘点从账面核销的数量"),
        ("DEMO-28D-BID", "en", "Written off (adjusted): tablets physical counts took off the"),
    ],
    indirect=["pharmacy"],
)
def test_the_reconciliation_note_counts_capsules_as_they_are(
    qtbot: QtBot,
    pharmacy: Counter,
    language: str,
    note: str,
    request: pytest.FixtureRequest,
) -> None:
    """The window's written-off note said "tablets physical counts took off" in a study of
    capsules, as the report's and the command's note no longer do (written_off_note)."""
    from dispensary.ui.reconcile_view import ReconcileScreen

    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = ReconcileScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    assert screen.written_off.text().startswith(note), screen.written_off.text()
    assert screen.written_off.toolTip().startswith(note), screen.written_off.toolTip()


@pytest.mark.parametrize(
    ("pharmacy", "language", "available", "leaving"),
    [
        (CAPSULES, "en", "4 kits shown; 240 capsules available", "<b>60 capsules</b> would leave"),
        (CAPSULES, "zh_CN", "可用 240 粒", "共 <b>60 粒</b> 将出库"),
        ("DEMO-28D-BID", "en", "4 kits shown; 240 tablets available", "<b>60</b> tablets"),
    ],
    indirect=["pharmacy"],
)
def test_the_inventory_says_a_capsule_studys_stock_in_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    language: str,
    available: str,
    leaving: str,
    request: pytest.FixtureRequest,
) -> None:
    """The Inventory window's header said "可用 112 片" and its destroy panel "共 56 片将出库"
    of a study of one capsule product."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = InventoryScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    qtbot.waitUntil(lambda: "kits" in screen.summary.text() or "药盒" in screen.summary.text())
    assert available in screen.summary.text(), screen.summary.text()
    screen.open_kit("B0001")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    said = screen.destroy_verdict.text()
    assert leaving in said, said
    assert ("片" not in said and " tablets" not in said) or pharmacy.ctx.study.tablets_only, said


@pytest.mark.parametrize(
    ("pharmacy", "language", "kit", "signed", "done"),
    [
        (CAPSULES, "en", ", 60 capsules, ", "(60 capsules) on ", "1 kit, 60 capsules, "),
        (CAPSULES, "zh_CN", "，60 粒，", "（60 粒）", "1 个药盒（60 粒）"),
        ("DEMO-28D-BID", "en", ", 60 tablets, ", "(60 tablets) on ", "1 kit, 60 tablets, "),
    ],
    indirect=["pharmacy"],
)
def test_the_inventory_selection_and_destruction_say_capsules_as_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    language: str,
    kit: str,
    signed: str,
    done: str,
    request: pytest.FixtureRequest,
) -> None:
    """A capsule kit selected said "expired, 60 tablets" (60 片), the destruction's signed
    summary "B0001 (60 tablets)" and its done message "1 kit, 60 tablets, destroyed"."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    admin = pharmacy.actor("admin")
    users.add_user(
        pharmacy.ctx, admin, "tech", "technician", NAMES["tech"], "TT", PASSWORDS["tech"], False
    )  # the witness
    pharmacy.clock.set_date(date(2030, 1, 1))  # the kits expired: no reason code needed
    screen = InventoryScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.refresh()
    screen.open_kit("B0001")
    selected = screen.selection_label.text()
    assert kit in selected, selected
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-1")
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert signatures.asked, screen.message.text()
    summary = signatures.asked[-1][2]
    assert signed in summary, summary
    assert done in screen.message.text(), screen.message.text()


@pytest.mark.parametrize(
    ("pharmacy", "language", "header"),
    [
        ("DEMO-2DRUG", "en", "0 kits shown; 0 capsules + 0 tablets available"),
        ("DEMO-2DRUG", "zh_CN", "可用 0 粒 + 0 片"),
    ],
    indirect=["pharmacy"],
)
def test_the_inventory_header_of_nothing_available_counts_each_form(
    qtbot: QtBot, pharmacy: Counter, language: str, header: str, request: pytest.FixtureRequest
) -> None:
    """A study of capsules and tablets with no kit shown said "0 tablets available"."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = InventoryScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    screen.status.setCurrentIndex(screen.status.findData(KitStatus.DESTROYED.value))
    screen.refresh()
    qtbot.waitUntil(lambda: "0" in screen.summary.text() and "…" not in screen.summary.text())
    assert header in screen.summary.text(), screen.summary.text()


@pytest.mark.parametrize(
    ("pharmacy", "language", "tip"),
    [
        (CAPSULES, "en", "Ctrl+Enter, or Enter in the count field"),
        (CAPSULES, "zh_CN", "Ctrl+Enter，或在数量栏中按 Enter"),
        ("DEMO-28D-BID", "en", "Ctrl+Enter, or Enter in the tablets field"),
    ],
    indirect=["pharmacy"],
)
def test_the_return_screen_s_sign_button_names_the_count_field_not_tablets(
    qtbot: QtBot, pharmacy: Counter, language: str, tip: str, request: pytest.FixtureRequest
) -> None:
    """The Sign button's tip said "Enter in the tablets field" (片数栏) of a capsule study."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = ReturnScreen(pharmacy.session("pharm"))
    _shown(qtbot, screen)
    assert screen.sign_button.toolTip() == tip, screen.sign_button.toolTip()
