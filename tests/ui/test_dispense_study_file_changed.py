"""A study file updated at another workstation while the pharmacist signs a dispense: the
window kept the file it read until F5, and the dispense went out under the old file's rules.
Now the service refuses it (nothing written), and the Dispense screen opens the study again
with the new file, as F5 does, keeping the participant, the count typed and the kit scanned,
and shows the dispense as the new file assesses it, to sign again."""

from __future__ import annotations

from typing import Any

import pytest
from counter_fixtures import PASSWORDS, Counter, Printer, Signatures
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from window_helpers import main_window, scan

from dispensary.db.models import Dispense
from dispensary.services import queries, studies
from dispensary.services.study_versions import file_sha256
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import SignatureDialog

OLD_DOSE = "5 mg once daily (reduced)"
NEW_DOSE = "5 mg once daily (first reduction)"


def dispensed(counter: Counter) -> list[tuple[int, tuple[str, ...]]]:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return [(r.cycle, r.kits) for r in rows]


def test_a_dispense_signed_after_a_study_file_update_is_refused_and_checked_again_as_typed(
    qtbot: QtBot,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = main_window(qtbot, counter.session("pharm"))
    window.go_actions[DispenseScreen].trigger()
    screen = window.current_screen()
    assert isinstance(screen, DispenseScreen)
    amended = counter.ctx.study.source_text.replace(f'name = "{OLD_DOSE}"', f'name = "{NEW_DOSE}"')
    assert amended != counter.ctx.study.source_text

    def ask(_parent: Any, signer: str, meaning: str, summary: str) -> str | None:
        """The administrator loads the amendment at another workstation while the pharmacist
        types the password."""
        if not signatures.asked:
            studies.update_study(
                counter.ctx, counter.actor("admin"), amended, "v2.toml", "amendment 2"
            )
        return signatures.ask(_parent, signer, meaning, summary)

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(lambda cls, *a: ask(*a)))

    scan(qtbot, screen.participant_field, "01-001")
    screen.platelets.setText("150")
    scan(qtbot, screen.kit_field, "K0101")  # covers the cycle: the signature is asked
    assert len(signatures.asked) == 1

    # Refused, nothing written; the study opened again with version 2, the dispense as typed.
    assert dispensed(counter) == []
    qtbot.waitUntil(lambda: window.current_screen() is not screen)
    again = window.current_screen()
    assert isinstance(again, DispenseScreen)
    assert window.session.ctx.version == 2
    assert again.dose.itemText(again.dose.findData(-1)).endswith(NEW_DOSE)
    assert again.participant is not None and again.participant.study_number == "01-001"
    assert again.platelets.text() == "150"
    assert [k.number for k in again.scanned] == ["K0101"]
    assert again.message.kind == "warning", again.message.text()
    assert again.message.text().startswith(
        "Nothing was saved: the study file of NCT07198672 was updated after this screen was "
        "opened. The screen read it again (version 2)"
    ), again.message.text()
    assert "press Enter to sign" in again.message.text()
    assert again.sign_button.isEnabled()
    assert "version 2" in window.notice.text(), window.notice.text()

    # Signed again: dispensed with the file in force.
    qtbot.keyClick(again.kit_field, Qt.Key.Key_Return)
    assert len(signatures.asked) == 2
    assert dispensed(counter) == [(1, ("K0101",))]
    with counter.ctx.engine.connect() as conn:
        assert conn.scalar(select(Dispense.study_sha256)) == file_sha256(amended)
        assert conn.scalar(select(Dispense.platelet_count)) == 150
    assert PASSWORDS  # the signer answered with their own password
