"""A second check of a dispense at the counter. The service took a checker (`checked_by`, the
command's --checked-by) but no window offered one, so a site that double-checks its
investigational dispenses kept it on paper. The Dispense screen now has an optional Second
check (Alt+E): the second person's user name, then, after the pharmacist's signature, the
second person's own signature window (their user name and password, typed by them). Driven
here with the real widgets and, where it matters, the real second signer's dialog."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from counter_fixtures import PASSWORDS, Counter, Printer, Signatures
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.i18n import Language
from dispensary.services import queries, studies, users
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import SignatureDialog

SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""

SHOTS = os.environ.get("DISPENSARY_TEST_SHOTS", "")  # a folder: save a picture of each window

REAL_ASK_SECOND = SignatureDialog.__dict__["ask_second"]
"""The real second signer's dialog, as collected (the conftest answers it as `ask` is)."""

Typing = Callable[[SignatureDialog], None]


def shoot(widget: QWidget, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


@pytest.fixture
def screen(qtbot: QtBot, counter: Counter) -> DispenseScreen:
    widget = DispenseScreen(counter.session("pharm"))
    qtbot.addWidget(widget)
    widget.resize(*SCREEN_AREA)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


def types(qtbot: QtBot, username: str, password: str) -> Typing:
    """The second person types their user name and password in their dialog, and signs."""

    def typing(dialog: SignatureDialog) -> None:
        assert dialog.username is not None
        qtbot.keyClicks(dialog.username, username)
        qtbot.keyClicks(dialog.password, password)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    return typing


def cancels(dialog: SignatureDialog) -> None:
    dialog.reject()


def answer_second(answers: list[Typing], shots: str = "") -> list[dict[str, Any]]:
    """Answers the real second signer's dialogs in turn as they come up; returns what each
    showed before anything was typed."""
    seen: list[dict[str, Any]] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog) and dialog.property("answered") is None:
            dialog.setProperty("answered", True)
            box = dialog.findChild(QDialogButtonBox)
            assert box is not None
            seen.append(
                {
                    "username": None if dialog.username is None else dialog.username.text(),
                    "says": " ".join(label.text() for label in dialog.findChildren(QLabel)),
                    "sign_enabled": box.button(QDialogButtonBox.StandardButton.Ok).isEnabled(),
                }
            )
            if shots:
                shoot(dialog, f"{shots}-{len(seen)}")
            answers.pop(0)(dialog)
        if answers:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    return seen


def written(counter: Counter) -> tuple[int, int, int]:
    """Dispenses, signatures and audit entries in the database."""
    with counter.ctx.engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)
            for table in ("dispenses", "signatures", "audit_entries")
        )


def failures(counter: Counter, user: str) -> int:
    with counter.ctx.engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                f"SELECT failed_attempts FROM users WHERE username = '{user}'"
            ).scalar()
            or 0
        )


def ask_for_a_check(qtbot: QtBot, screen: DispenseScreen, who: str) -> None:
    """The participant scanned, Second check asked for with Alt+E, the checker's user name
    typed where the cursor goes; then back to the kit field (Alt+K) for the kit."""
    scan(qtbot, focused(), "01-001")
    assert focused() is screen.kit_field
    assert not screen.checker.isEnabled()  # no check unless asked for
    qtbot.keyClick(focused(), Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(screen.second_check.isChecked)  # the box's click, as a mnemonic clicks
    assert focused() is screen.checker
    qtbot.keyClicks(screen.checker, who)
    qtbot.keyClick(screen.checker, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert focused() is screen.kit_field


def test_a_dispense_with_a_second_check_names_both_on_the_record(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(SignatureDialog, "ask_second", REAL_ASK_SECOND)
    ask_for_a_check(qtbot, screen, "tech")
    assert screen.checker_who.text() == "Tom Tech (Technician)"  # who the user name is
    shoot(screen, "dispense-second-check-named")
    seen = answer_second([types(qtbot, "tech", PASSWORDS["tech"])], shots="dispense-checker")
    scan(qtbot, focused(), "K0101")  # the kit covers the cycle: the signatures follow

    # The pharmacist signed first, told who checks; then the second person, in their own
    # window, their user name empty for them to type.
    [(signer, meaning, summary)] = signatures.asked
    assert (signer, meaning) == ("Paula Pharm", "dispensed")
    assert "Second check by Tom Tech (Technician), who signs after you." in summary
    [asked] = seen
    assert (asked["username"], asked["sign_enabled"]) == ("", False)
    assert "By signing, <b>Tom Tech</b> confirms: <b>checked</b>." in asked["says"]
    result = screen.last_result
    assert result is not None
    assert screen.message.kind == "ok", screen.message.text()
    assert "Checked by Tom Tech." in screen.message.text()
    record = queries.get_dispense_detail(counter.ctx, counter.actor("pharm"), result.number)
    assert (record.pharmacist, record.pharmacist_username) == ("Paula Pharm", "pharm")
    assert (record.checked_by, record.checked_by_username) == ("Tom Tech", "tech")
    with counter.ctx.engine.connect() as connection:
        meanings = connection.exec_driver_sql(
            "SELECT u.username, s.meaning FROM signatures s JOIN users u ON u.id = s.user_id"
            " WHERE s.record_type = 'dispense' ORDER BY s.id"
        ).all()
    assert [tuple(m) for m in meanings] == [("pharm", "dispensed"), ("tech", "checked")]
    # The next participant's dispense asks for its own check.
    assert not screen.second_check.isChecked() and screen.checker.text() == ""


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("pharm", "The second check must be done by another person."),
        (
            "monitor",
            "monitor (monitor) may not check a dispense: the second check needs a user with "
            "the role pharmacist or technician.",
        ),
        ("tech2", "tech2 has no access to study NCT07198672, so cannot sign its records."),
    ],
)
def test_a_checker_the_service_refuses_is_said_before_anyone_signs(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    who: str,
    refusal: str,
) -> None:
    admin = counter.actor("admin")
    other = counter.ctx.study.source_text.replace(
        'protocol = "NCT07198672"', 'protocol = "NCT99999999"'
    )
    studies.add_study(counter.ctx, admin, other, "other.toml", "a second protocol")
    users.add_user(
        counter.ctx, admin, "tech2", "technician", "Tia Tech", "TI", "tech2pass11", False,
        studies=["NCT99999999"],
    )  # fmt: skip
    before = written(counter)
    ask_for_a_check(qtbot, screen, who)
    assert refusal in screen.checker_who.text()  # under the name typed, as the field is left
    scan(qtbot, focused(), "K0101")

    assert signatures.asked == []  # nobody signed: the refusal came first
    assert written(counter) == before  # nothing written
    assert screen.message.kind == "error"
    assert refusal in screen.message.text()
    assert screen.checker_who.isHidden()  # said once, in the message bar
    # What was typed and scanned is kept; the cursor is in the checker's field to type another.
    assert screen.second_check.isChecked() and screen.checker.text() == who
    assert [k.number for k in screen.scanned] == ["K0101"]
    assert focused() is screen.checker
    shoot(screen, f"dispense-second-check-refused-{who}")


def test_a_wrong_password_of_the_checker_saves_nothing_and_they_type_again(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second person mistypes their password: refused as the service words it, counted
    against them, nothing written; their window comes again saying why; they cancel. The
    dispense as typed and scanned waits; the pharmacist signs again and the checker signs."""
    monkeypatch.setattr(SignatureDialog, "ask_second", REAL_ASK_SECOND)
    ask_for_a_check(qtbot, screen, "tech")
    before = written(counter)
    seen = answer_second([types(qtbot, "tech", "wrong-pass-1"), cancels])
    scan(qtbot, focused(), "K0101")

    wrong = (
        "The second checker's password is wrong: tech, who checks the dispense, signs with "
        "their own password. Nothing was saved; ask tech to type it again. 4 attempts left "
        "before the account of tech locks."
    )
    assert len(signatures.asked) == 1  # the pharmacist signed once
    assert screen.message.kind == "error" and wrong in screen.message.text(), screen.message.text()
    assert wrong in seen[1]["says"]  # said in their window typed again
    assert seen[1]["username"] == ""
    # No dispense, no signature: only the failed signature, in the trail (Part 11).
    dispenses, signed, trail = written(counter)
    assert (dispenses, signed, trail) == (before[0], before[1], before[2] + 1)
    assert failures(counter, "tech") == 1
    assert screen.last_result is None
    assert screen.second_check.isChecked() and screen.checker.text() == "tech"
    assert [k.number for k in screen.scanned] == ["K0101"]

    # Enter signs again: the pharmacist, then the checker with the right password.
    answer_second([types(qtbot, "tech", PASSWORDS["tech"])])
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    result = screen.last_result
    assert result is not None, screen.message.text()
    assert result.checked_by == "Tom Tech"
    assert failures(counter, "tech") == 0


def test_the_user_name_typed_by_another_person_is_refused_and_nothing_saved(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pharmacist types their own name and password in the checker's window: refused, the
    checker signs with their own; nothing written."""
    monkeypatch.setattr(SignatureDialog, "ask_second", REAL_ASK_SECOND)
    ask_for_a_check(qtbot, screen, "tech")
    before = written(counter)
    answer_second([types(qtbot, "pharm", PASSWORDS["pharm"]), cancels])
    scan(qtbot, focused(), "K0101")
    assert (
        "The user name typed is not Tom Tech's: the second checker signs with their own user "
        "name and password. Nothing was saved." in screen.message.text()
    )
    assert written(counter)[:2] == before[:2]  # no dispense, no signature
    assert screen.last_result is None
    assert [k.number for k in screen.scanned] == ["K0101"]


def test_a_checker_who_does_not_sign_saves_nothing(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(SignatureDialog, "ask_second", REAL_ASK_SECOND)
    ask_for_a_check(qtbot, screen, "tech")
    before = written(counter)
    answer_second([cancels])
    scan(qtbot, focused(), "K0101")
    assert "Nothing was saved: the second person did not sign." in screen.message.text()
    assert written(counter) == before
    assert [k.number for k in screen.scanned] == ["K0101"]


def test_a_dispense_without_a_check_is_unchanged(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    second: list[object] = []
    monkeypatch.setattr(
        SignatureDialog, "ask_second", classmethod(lambda cls, *a: second.append(a))
    )
    scan(qtbot, focused(), "01-001")
    # A name typed, then the check unticked: no check asked for, nobody named.
    screen.second_check.setChecked(True)
    qtbot.keyClicks(screen.checker, "tech")
    screen.second_check.setChecked(False)
    screen.kit_field.setFocus()
    scan(qtbot, focused(), "K0101")
    assert [a[:2] for a in signatures.asked] == [("Paula Pharm", "dispensed")]
    assert "Second check" not in signatures.asked[0][2]
    assert second == []
    result = screen.last_result
    assert result is not None and result.checked_by == ""
    assert "Checked by" not in screen.message.text()
    record = queries.get_dispense_detail(counter.ctx, counter.actor("pharm"), result.number)
    assert (record.checked_by, record.checked_by_username) == ("", "")


def test_the_second_check_reads_in_chinese(
    qtbot: QtBot, counter: Counter, chinese: None, styled: None
) -> None:
    """The form's row and the checker's name under it, in Chinese, at the screen's size."""
    screen = DispenseScreen(counter.session("pharm"))
    qtbot.addWidget(screen)
    screen.resize(*SCREEN_AREA)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    assert screen.second_check.text() == "第二人核对(&E)"
    screen.second_check.setChecked(True)  # Alt+E, as the English test presses it
    qtbot.keyClicks(screen.checker, "tech")
    screen.checker.editingFinished.emit()  # the field left
    assert screen.checker_who.text() == "Tom Tech（药房技术员）"
    shoot(screen, f"dispense-second-check-{Language.ZH_CN.value}")


def test_the_second_check_in_the_window_at_1366x768(
    qtbot: QtBot,
    counter: Counter,
    signatures: Signatures,
    language: Language,
    styled: None,
) -> None:
    """In the program's window at its smallest screen, in each language: Alt+E from the kit
    field asks for the check, the person's name and role, or their refusal, read whole under
    the field; the kit list keeps its room."""
    from counter_fixtures import Stopwatch

    from dispensary.ui.dashboard import DashboardScreen
    from dispensary.ui.main_window import MainWindow
    from dispensary.ui.screens import OPENS, screen_classes

    main = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(main)
    main.scan_catcher.burst.clock = Stopwatch(0.004)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    dashboard = main.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking, timeout=30_000)
    screen = main.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    screen.participant_field.setFocus()
    scan(qtbot, screen.participant_field, "01-001")
    qtbot.waitUntil(main.isActiveWindow, timeout=3000)  # keys reach its shortcuts
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(screen.second_check.isChecked)
    assert focused() is screen.checker
    qtbot.keyClicks(screen.checker, "monitor")
    screen.kit_field.setFocus()
    qtbot.waitUntil(lambda: bool(screen.checker_who.text()))
    who = screen.checker_who
    # The refusal reads whole: every line of it within the label's height.
    assert who.height() >= who.heightForWidth(who.width()), who.text()
    assert screen.kits_view.height() > 200
    shoot(main, f"dispense-second-check-window-refused-{language.value}")
    screen.checker.setFocus()
    screen.checker.clear()
    qtbot.keyClicks(screen.checker, "tech")
    screen.kit_field.setFocus()
    qtbot.waitUntil(lambda: "Tom Tech" in screen.checker_who.text())
    shoot(main, f"dispense-second-check-window-named-{language.value}")
