"""The audit screen names the return a correction replaces as its Record column names a
return, "Return 114 (K0001, DSP000001, 01-001)", not by the return row's bare number: "Corrects:
114" beside "Return 115 (K0001, DSP000001, 01-001)" left a reader to guess what 114 was
(services.audit.list_entries reads the return row; the words are
audit_actions.referred_shown's, as for the count a count adjusts)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from back_office_fixtures import PASSWORDS, Pharmacy
from window_helpers import refreshed

from dispensary.services import audit, returns
from dispensary.ui.audit_view import NEW_VALUES, RECORD, AuditScreen
from dispensary.ui.forms import select_where

SHOTS = Path("/tmp/fix-words6-shots")


def _corrected(pharmacy: Pharmacy) -> tuple[int, str, int]:
    """The return of 01-001 recounted (10 tablets, then 9): the return corrected, its kit, and
    the number ("No.") of the audit entry that recorded it."""
    pharm = pharmacy.actor("pharm")
    [entry] = audit.list_entries(pharmacy.ctx, pharm, action="return")
    returns.correct_return(
        pharmacy.ctx, pharm, int(entry.entity_id), 9, "recounted", PASSWORDS["pharm"]
    )
    return int(entry.entity_id), str(json.loads(entry.new)["kit"]), entry.id


def _shown(qtbot: Any, pharmacy: Pharmacy, shot: str) -> tuple[str, str, str]:
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), None)
    [row] = [r for r in screen.model.rows if r.action == "return_corrected"]
    select_where(screen.table, screen.proxy, screen.model, lambda r: r.id == row.id)
    at = screen.model.index(screen.model.rows.index(row), NEW_VALUES)
    record = screen.model.index(screen.model.rows.index(row), RECORD)
    if SHOTS.is_dir():
        screen.resize(1500, 800)
        screen.grab().save(str(SHOTS / f"{shot}.png"))
    return screen.detail.toPlainText(), str(screen.model.data(at)), str(screen.model.data(record))


def test_the_return_a_correction_replaces_is_named_as_a_return(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    number, kit, recorded = _corrected(pharmacy)
    detail, cell, record = _shown(qtbot, pharmacy, "return-corrected-en")
    assert re.fullmatch(rf"Return \d+ \({kit}, DSP000001, 01-001\)", record), record
    words = f"Corrects: Return {number} ({kit}, DSP000001, 01-001, entry No. {recorded})"
    assert f"  {words}\n" in detail, detail
    assert words in cell, cell
    assert f"Corrects: {number}\n" not in detail


def test_the_return_a_correction_replaces_is_named_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    number, kit, recorded = _corrected(pharmacy)
    detail, cell, _record = _shown(qtbot, pharmacy, "return-corrected-zh")
    words = f"更正对象：退回 {number}（{kit}，DSP000001，01-001，条目编号 {recorded}）"
    assert words in detail and words in cell, (detail, cell)
