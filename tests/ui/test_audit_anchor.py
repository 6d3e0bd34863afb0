"""The audit screen's verification code: the code now, and a code typed in (then Enter) checked
against the chain as it is, as a monitor would with a code from an earlier report."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from window_helpers import refreshed

from chain_rewrite import rewrite_history
from dispensary.services import audit
from dispensary.ui.audit_view import AuditScreen


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "monitor") -> AuditScreen:
    return refreshed(qtbot, AuditScreen(pharmacy.session(user)), None)


def type_code(qtbot: Any, screen: AuditScreen, code: str) -> None:
    screen.anchor_field.clear()
    qtbot.keyClicks(screen.anchor_field, code)
    qtbot.keyClick(screen.anchor_field, Qt.Key.Key_Return)


def test_the_screen_shows_the_code_now_and_checks_a_typed_one(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    shown = screen.anchor_code.text()
    assert shown == audit.current_anchor(pharmacy.ctx, screen.session.actor)
    assert not screen.anchor_verdict.isVisible()
    type_code(qtbot, screen, shown.lower())
    assert screen.anchor_verdict.isVisible()
    assert screen.anchor_verdict.text().startswith("CODE MATCHES.")
    assert "the whole chain verifies" in screen.anchor_verdict.text()


def test_an_earlier_code_against_a_rewritten_history(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    earlier = screen.anchor_code.text()
    rewrite_history(pharmacy.path, "UPDATE audit_entries SET reason = 'edited' WHERE id = 9")
    screen.refresh()
    assert screen.anchor_code.text() != earlier
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.text().startswith("CHAIN INTACT")  # every hash was recomputed
    type_code(qtbot, screen, earlier)
    verdict = screen.anchor_verdict.text()
    assert verdict.startswith("CODE DOES NOT MATCH.")
    assert "rewritten after the code was taken" in verdict
    assert "call the study monitor or the sponsor's QA" in verdict


def test_a_misread_code_is_refused_in_plain_words(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    code = screen.anchor_code.text()
    type_code(qtbot, screen, code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert "misread or mistyped" in screen.message.text()
    assert not screen.anchor_verdict.isVisible()
    type_code(qtbot, screen, "")
    assert "Type the verification code" in screen.message.text()
    type_code(qtbot, screen, "hello")
    assert "looks like A-" in screen.message.text()


def test_a_code_that_does_not_match_replaces_the_chain_verdict(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A green CHAIN INTACT stood above a red CODE DOES NOT MATCH: the code's verdict now
    replaces the chain's and says the chain is consistent in itself but was rewritten, and
    Verify chain shows that same verdict while the code stands."""
    screen = make_screen(qtbot, pharmacy)
    earlier = screen.anchor_code.text()
    rewrite_history(pharmacy.path, "UPDATE audit_entries SET reason = 'edited' WHERE id = 9")
    screen.refresh()
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.isVisible() and screen.verdict.text().startswith("CHAIN INTACT")
    type_code(qtbot, screen, earlier)
    assert not screen.verdict.isVisible()
    verdict = screen.anchor_verdict.text()
    assert verdict.startswith("CODE DOES NOT MATCH. The audit trail is consistent in itself")
    assert "it is not the trail this code was taken from" in verdict
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert not screen.verdict.isVisible()
    assert screen.anchor_verdict.isVisible()
    assert screen.anchor_verdict.text() == verdict
    type_code(qtbot, screen, screen.anchor_code.text())  # the code now matches
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.text().startswith("CHAIN INTACT")
    assert not screen.anchor_verdict.isVisible()
