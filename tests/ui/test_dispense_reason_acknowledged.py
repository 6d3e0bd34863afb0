"""A reason to dispense anyway covers the warnings on screen when it was typed, and no other.
The reviewer's walk on the demo database: 01-002's return of cycle 8 is not recorded yet, the
pharmacist types the reason for it, then scans K5005, a kit of a later lot than K5010 (the first
expiry). The first-expiry warning is shown and asks its own reason (or K5010 scanned in its
place), never signed under the reason written for the return."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import Printer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.config import Settings
from dispensary.services import demo, dispensing, queries, setup, users
from dispensary.services.assessment import DispenseRequest, OverrideMissing
from dispensary.services.context import Context, FixedClock
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.session import AppSession

DEMO_DAY = date(2026, 12, 6)
REASON = "Participant left the bottle at home; PI informed"
RETURN_MISSING = "The return of cycle 8"
LATER_KIT = "Kit K5005 (lot HT2504L) expires 2027-08-13, after kit K5010"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-reason") / "demo.sqlite3"
    demo.build_demo(str(path), DEMO_DAY)
    return path


@pytest.fixture
def ctx(demo_file: Path, tmp_path: Path) -> Iterator[Context]:
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_file, copy)
    clock = FixedClock()
    clock.set_date(DEMO_DAY)
    opened = setup.open_database(str(copy), clock).context
    yield opened
    opened.engine.dispose()


class Signed:
    """Stands in for the signature dialog: the demo pharmacist signs with the demo password."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ask(self, *args: object) -> str:
        self.asked.append(str(args[-1]))
        return demo.DEMO_PASSWORD


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> Signed:
    answers = Signed()
    monkeypatch.setattr(SignatureDialog, "ask", classmethod(lambda cls, *a: answers.ask(*a)))
    return answers


@pytest.fixture
def screen(qtbot: QtBot, ctx: Context) -> DispenseScreen:
    actor = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    widget = DispenseScreen(AppSession(ctx, actor, Settings(backups_kept=3)))
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def text_of(screen: DispenseScreen) -> str:
    return " ".join(screen.message.text().split())


def status_of(ctx: Context, kit: str) -> str:
    pharmacist = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    return queries.kit_detail(ctx, pharmacist, kit).status


def reason_typed_for_the_return(qtbot: QtBot, screen: DispenseScreen) -> None:
    scan(qtbot, screen.participant_field, "01-002")
    said = text_of(screen)
    assert RETURN_MISSING in said and "Kit still to scan: K5010" in said, said
    screen.override.setFocus()
    scan(qtbot, screen.override, REASON)  # typed, then Enter: K5010 still to scan
    assert "Kit still to scan: K5010" in text_of(screen)
    screen.kit_field.setFocus()


def test_a_later_kit_scanned_after_the_reason_shows_its_warning_before_the_signature(
    qtbot: QtBot, screen: DispenseScreen, ctx: Context, signatures: Signed, printer: Printer
) -> None:
    reason_typed_for_the_return(qtbot, screen)
    scan(qtbot, screen.kit_field, "K5005")
    assert signatures.asked == []  # not signed under the reason written for the return
    said = text_of(screen)
    assert LATER_KIT in said and "take kit K5010 instead" in said, said
    assert (
        "The reason typed covers only the warnings shown before it: add the reason for this one"
        in said
    )
    assert focused() is screen.override  # its own reason, typed where the cursor is
    qtbot.keyClick(screen.override, "\r")  # Enter alone: the warning still has no reason
    assert signatures.asked == []
    assert LATER_KIT in text_of(screen)
    assert "A warning was not shown before" not in text_of(screen)  # it was shown
    assert focused() is screen.override
    assert status_of(ctx, "K5005") == "available"
    qtbot.keyClicks(screen.override, "; K5010 damaged, investigator agreed")
    qtbot.keyClick(screen.override, "\r")
    [summary] = signatures.asked
    assert f"Overridden: {LATER_KIT}" in summary and RETURN_MISSING in summary, summary
    assert "K5010 damaged" in summary
    assert "Dispensed DSP" in text_of(screen), text_of(screen)
    assert status_of(ctx, "K5005") == "dispensed"


def test_the_first_expiry_scanned_instead_settles_the_later_kit(
    qtbot: QtBot, screen: DispenseScreen, ctx: Context, signatures: Signed, printer: Printer
) -> None:
    reason_typed_for_the_return(qtbot, screen)
    scan(qtbot, screen.kit_field, "K5005")
    assert signatures.asked == [] and LATER_KIT in text_of(screen)
    screen.kit_field.setFocus()
    scan(qtbot, screen.kit_field, "K5010")  # the swap: K5005 goes back, the return's reason
    [summary] = signatures.asked
    assert "K5005" in summary and "put K5005 back" in summary, summary
    assert LATER_KIT not in summary
    assert status_of(ctx, "K5010") == "dispensed"
    assert status_of(ctx, "K5005") == "available"


def test_the_service_refuses_a_reason_acknowledged_for_the_return_alone(ctx: Context) -> None:
    """The later kit dispensed with the reason naming only the return's warning: refused,
    nothing written; named with both, dispensed."""
    pharmacist = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    row, _history = queries.participant_history(ctx, pharmacist, "01-002")
    found = dispensing.assess_dispense(
        ctx,
        pharmacist,
        DispenseRequest("01-002", kits=("K5005",), override_reason=REASON),
    )
    codes = list(found.override_codes)
    assert codes == ["previous_return_missing", "not_first_expiry"], codes
    sign = {
        "kits": ["K5005"],
        "override_reason": REASON,
        "dose_level": found.dose_level,
    }
    with pytest.raises(OverrideMissing) as missing:
        dispensing.dispense_cycle(
            ctx,
            pharmacist,
            "01-002",
            found.cycle,
            found.day1,
            demo.DEMO_PASSWORD,
            overrides=["previous_return_missing"],
            **sign,
        )
    assert "K5005" in missing.value.message
    assert status_of(ctx, "K5005") == "available"
    result = dispensing.dispense_cycle(
        ctx,
        pharmacist,
        "01-002",
        found.cycle,
        found.day1,
        demo.DEMO_PASSWORD,
        overrides=codes,
        **sign,
    )
    assert result.overrides == tuple(codes) and row.study_number == "01-002"


def test_the_warnings_acknowledged_are_kept_when_the_study_is_opened_again(
    qtbot: QtBot, screen: DispenseScreen, ctx: Context, signatures: Signed
) -> None:
    """The screen built again from an updated study file (restore_state) keeps what the reason
    was typed for: the later kit's warning still asks its own reason, and once given, both."""
    reason_typed_for_the_return(qtbot, screen)
    scan(qtbot, screen.kit_field, "K5005")
    again = DispenseScreen(screen.session)
    qtbot.addWidget(again)
    kept = screen.kept_state()
    assert kept is not None
    again.restore_state(kept)
    assert again.assessment is not None
    assert [str(w.code) for w in again.assessment.overrides_missing] == ["not_first_expiry"]
    qtbot.keyClicks(screen.override, "; K5010 damaged")
    kept = screen.kept_state()
    assert kept is not None
    third = DispenseScreen(screen.session)
    qtbot.addWidget(third)
    third.restore_state(kept)
    assert third.assessment is not None and third.assessment.overrides_missing == ()
    assert signatures.asked == []
