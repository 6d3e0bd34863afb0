"""The audit screen's entry shows the signatures recorded with it and who its user is: a
dispense read "Signature: dispensed" and a username, never the signer's printed name, role
and time (21 CFR 11.50)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy

from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.forms import select_where


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield place
    place.ctx.engine.dispose()


def test_the_entry_names_its_signers_with_role_meaning_and_time(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = AuditScreen(pharmacy.session("monitor"))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.action == "return")
    detail = screen.detail.toPlainText()
    assert "User: pharm (Paula Pharm, Pharmacist)" in detail
    signed = detail.split("Signatures:\n", 1)[1]
    assert signed.startswith("  Paula Pharm (Pharmacist): return counted, 2026-")
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.action == "enroll")
    assert "Signatures:\n  (none)" in screen.detail.toPlainText()
