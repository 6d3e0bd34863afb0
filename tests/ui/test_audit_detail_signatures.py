"""The audit screen's entry shows the signatures recorded with it and who its user is: a
dispense read "Signature: dispensed" and a username, never the signer's printed name, role
and time (21 CFR 11.50)."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import Pharmacy
from window_helpers import refreshed

from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.forms import select_where
from tamper import edit_file


def test_the_entry_names_its_signers_with_role_meaning_and_time(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.action == "return")
    detail = screen.detail.toPlainText()
    assert "User: pharm (Paula Pharm, Pharmacist)" in detail
    signed = detail.split("Signatures:\n", 1)[1]
    assert signed.startswith("  Paula Pharm (Pharmacist): return counted, 2026-")
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.action == "enroll")
    assert "Signatures:\n  (none)" in screen.detail.toPlainText()


def test_a_signer_whose_role_changed_since_reads_with_the_role_held_when_signing(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """Made administrator after counting a return (an edit of the users table: the program
    never changes a role) and signed in since, Paula Pharm read "(Administrator): return
    counted" on the old signature, and the entry's "User:" line said her role now: both say the
    role held when the return was counted; her sign-in since says the role then, Administrator."""
    edit_file(pharmacy.path, "UPDATE users SET role = 'administrator' WHERE username = 'pharm'")
    pharmacy.actor("pharm")  # the sign-in records the role the account has now
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.action == "return")
    detail = screen.detail.toPlainText()
    assert "User: pharm (Paula Pharm, Pharmacist)" in detail  # the role then, not now
    signed = detail.split("Signatures:\n", 1)[1]
    assert signed.startswith("  Paula Pharm (Pharmacist): return counted, 2026-"), signed
    last = max(
        (r for r in screen.model.rows if r.action == "sign_in" and r.username == "pharm"),
        key=lambda r: r.id,
    )
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.id == last.id)
    assert "User: pharm (Paula Pharm, Administrator)" in screen.detail.toPlainText()
