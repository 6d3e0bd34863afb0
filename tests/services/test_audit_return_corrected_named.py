"""A return correction's entry names the return it replaces by that row's number alone
(`corrects`): the audit trail read "Corrects: 1" beside a Record "Return 2 (K0011, DSP000001,
01-001)". The trail (its report's PDF, the window) names the return corrected as the Record
column names a return, by its kit, dispense and participant, in the reader's language; the
CSV and `audit list --json` keep the stored number, beside the return's kit, dispense and
participant (the same for a correction and the return it corrects)."""

from __future__ import annotations

import json

from dispensary.services import audit
from dispensary.services.context import Actor, Context

from .conftest import CorrectedReturn
from .helpers import read_audit_trail


def test_the_return_a_correction_replaces_is_named_by_its_kit_dispense_and_participant(
    ctx: Context, corrected_return: CorrectedReturn, monitor: Actor
) -> None:
    kit, number = corrected_return.kit, corrected_return.dispense
    first, fixed = corrected_return.first, corrected_return.fixed

    found = {e.entry.id: e for e in audit.export_entries(ctx, monitor)}
    [corrected] = [e for e in found.values() if e.entry.action == "return_corrected"]
    assert json.loads(corrected.entry.new)["corrects"] == first.return_id
    assert corrected.entry.entity_id == str(fixed.return_id)
    assert corrected.entry.referred[:4] == ("return", kit, number, "01-001")
    assert (corrected.kit, corrected.dispense, corrected.participant) == (kit, number, "01-001")
    assert (corrected.count_kit, corrected.count_on) == ("", "")  # names no count
    assert all(e.entry.referred == () for e in found.values() if e.entry.action == "return")

    trail = read_audit_trail(ctx, monitor)
    text = trail.english
    assert f"Corrects: Return {first.return_id} ({kit}, {number}, 01-001, entry No." in text
    assert f"Corrects: {first.return_id};" not in text
    row = trail.rows[str(corrected.entry.id)]
    assert json.loads(row["new"])["corrects"] == first.return_id  # as stored
    assert (row["return_kit"], row["return_dispense"], row["return_participant"]) == (
        kit,
        number,
        "01-001",
    )
    assert f"更正对象：退回 {first.return_id}（{kit}，{number}，01-001，条目" in trail.chinese
