"""The audit trail screen: filters, the full entry, and the chain verdict; actions, records and
values as a monitor or an inspector reads them, in English and in Chinese."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, release_signed
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from window_helpers import refreshed

from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import NotSignedIn
from dispensary.i18n import Language, speaking
from dispensary.reports.audit import _values as audit_values
from dispensary.services import audit, participants, returns, studies, users
from dispensary.ui.audit_view import AuditScreen
from reports.pdfread import pdfium_pages_text
from tamper import edit_file

ACTION, RECORD, REASON, NEW = 3, 4, 5, 6
"""The columns read here."""


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "monitor") -> AuditScreen:
    return refreshed(qtbot, AuditScreen(pharmacy.session(user)), None)


def actions(screen: AuditScreen) -> list[str]:
    return [r.action for r in screen.model.rows]


def test_filters_by_user_action_text_and_dates(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtmodeltester.check(screen.model)
    assert "dispense" in actions(screen)
    assert screen.count.text().startswith(f"{len(screen.model.rows)} entries")

    screen.user.setCurrentIndex(screen.user.findData("pharm"))
    screen.action.setCurrentIndex(screen.action.findData("receive"))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert [r.entity_id for r in screen.model.rows] == ["SH-1", "SH-2"]

    screen.action.setCurrentIndex(0)
    qtbot.keyClicks(screen.text, "01-002")
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert actions(screen) == ["enroll"]
    assert screen.count.text() == "1 entry shown"

    screen.text.clear()
    screen.user.setCurrentIndex(0)
    screen.dates.set_range(date(2026, 1, 26), date(2026, 1, 26))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert "return" in actions(screen)
    assert "dispense" not in actions(screen)


def test_a_former_member_of_the_study_can_be_picked_and_their_entries_shown(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """Their entries stay in the study's trail; the filter offered only the accounts the user
    list gives a monitor (those working in the monitor's studies now), so not theirs."""
    admin = pharmacy.session("admin").actor
    protocol = pharmacy.ctx.study.protocol
    studies.set_access(pharmacy.ctx, admin, "pharm", protocol, False, "moved to another site")
    assert "pharm" not in [
        u.username for u in users.list_users(pharmacy.ctx, pharmacy.session("monitor").actor)
    ]
    screen = make_screen(qtbot, pharmacy)
    at = screen.user.findData("pharm")
    assert at > 0
    assert screen.user.itemText(at) == "pharm (Paula Pharm), no longer in this study"
    screen.user.setCurrentIndex(at)
    screen.action.setCurrentIndex(screen.action.findData("receive"))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert [r.entity_id for r in screen.model.rows] == ["SH-1", "SH-2"]
    # As the administrator reads it (who knows every account): still marked as gone.
    for reader in ("admin", "monitor"):
        marked = {
            a.username: a.former
            for a in users.trail_accounts(pharmacy.ctx, pharmacy.session(reader).actor)
        }
        assert marked["pharm"] is True and marked["admin"] is False, (reader, marked)
    # Given access again: no longer marked.
    studies.set_access(pharmacy.ctx, admin, "pharm", protocol, True, "back at this site")
    again = users.trail_accounts(pharmacy.ctx, pharmacy.session("monitor").actor)
    assert [a.former for a in again if a.username == "pharm"] == [False]
    still = screen.user.findData("monitor")
    assert screen.user.itemText(still).endswith(")") and "no longer" not in screen.user.itemText(
        still
    )


def test_selected_entry_is_shown_in_full(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.action.setCurrentIndex(screen.action.findData("dispense"))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "Action: Dispense    Record: Dispense DSP000001\n" in detail  # in words
    assert "\n  Cycle: 1\n" in detail  # the value by its name
    assert "(cycle)" not in detail and "Ledger rows" not in detail and "ledger" not in detail
    # The codes, keys and the ledger rows' ids and hashes only in the technical details.
    qtbot.mouseClick(screen.technical, Qt.MouseButton.LeftButton)
    technical = screen.detail.toPlainText().split("Technical details (as stored)\n", 1)[1]
    assert technical.startswith("Action: dispense    Record: dispense DSP000001    Reason: ")
    assert "\n  cycle: 1\n" in technical
    assert re.search(r'\n  ledger: \[\[\d+, "[0-9a-f]{64}"\]\]', technical), technical
    qtbot.mouseClick(screen.technical, Qt.MouseButton.LeftButton)
    assert "Technical details" not in screen.detail.toPlainText()


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("UTC", r"Entry \d+, 2026-\d\d-\d\d \d\d:\d\d:\d\d UTC\n"),
        # Its offset, not "CST" (China Standard Time and US Central Time both).
        ("Asia/Shanghai", r"Entry \d+, 2026-\S+ \S+ UTC\+08:00 \(UTC 2026-\S+ \S+\)\n"),
        ("America/Chicago", r"Entry \d+, 2026-\S+ \S+ UTC-0[56]:00 \(UTC 2026-\S+ \S+\)\n"),
    ],
)
def test_the_entry_says_its_time_once_where_the_workstation_keeps_utc(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, zone: str, said: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        screen = make_screen(qtbot, pharmacy)
        screen.table.selectRow(0)
        assert re.match(said, screen.detail.toPlainText()), screen.detail.toPlainText()[:80]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_verify_reports_an_intact_chain(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    assert not screen.verdict.isVisible()
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.isVisible()
    assert screen.verdict.text().startswith("CHAIN INTACT")


def test_verify_names_the_entry_changed_behind_the_program(qtbot: Any, pharmacy: Pharmacy) -> None:
    edit_file(pharmacy.path, "UPDATE audit_entries SET reason = 'edited' WHERE id = 9")
    screen = make_screen(qtbot, pharmacy)
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.text().startswith("CHAIN BROKEN")
    assert "First entry that does not match: 9" in screen.verdict.text()
    chosen = screen.table.selectionModel().selectedRows()
    assert [screen.proxy.index(i.row(), 0).data() for i in chosen] == ["9"]


def cells(screen: AuditScreen, column: int) -> list[str]:
    return [str(screen.proxy.index(r, column).data()) for r in range(screen.proxy.rowCount())]


def chinese_text(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def choose_action(qtbot: Any, screen: AuditScreen, code: str) -> None:
    screen.action.setCurrentIndex(screen.action.findData(code))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)


def test_actions_are_named_in_the_column_the_filter_and_the_entry(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    codes = set(actions(screen))
    assert {"receive", "enroll", "dispense", "return", "sign_in", "user_added"} <= codes
    assert set(cells(screen, ACTION)) == {AuditAction(c).label for c in codes}
    assert "Shipment received" in cells(screen, ACTION)
    # The filter offers the names, in their order, and still filters on the code.
    offered = {
        screen.action.itemData(i): screen.action.itemText(i) for i in range(screen.action.count())
    }
    assert offered[""] == "All actions"
    assert offered["receive"] == "Shipment received"
    assert offered["dispense"] == "Dispense"
    names = [screen.action.itemText(i) for i in range(1, screen.action.count())]
    assert names == sorted(names, key=str.casefold)
    receive = screen.action.findData("receive")
    assert screen.action.itemData(receive, Qt.ItemDataRole.ToolTipRole) == "receive"
    choose_action(qtbot, screen, "receive")
    assert actions(screen) == ["receive", "receive"]
    assert cells(screen, RECORD) == ["Shipment SH-2", "Shipment SH-1"]  # the latest first
    assert screen.action.currentText() == "Shipment received"  # kept across the reload
    screen.table.selectRow(0)
    assert "Action: Shipment received    Record: Shipment SH-2" in screen.detail.toPlainText()


def test_values_read_as_words_not_python(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    choose_action(qtbot, screen, "receive")
    shipment = cells(screen, NEW)[0]
    for python in ("['", "']", "True", "False", "None", "{'"):
        assert python not in shipment, shipment
    assert "Temperature within range: yes" in shipment
    kits = shipment.split("Kits: ", 1)[1].split(";", 1)[0]
    assert kits.startswith("K") and ", K" in kits  # a list, joined with commas
    assert "ledger" not in shipment  # the hashes are left to the full entry
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "  Temperature within range: yes" in detail
    assert f"  Kits: {kits}" in detail
    # The ledger rows as compact JSON, hash and all, in the technical details.
    qtbot.mouseClick(screen.technical, Qt.MouseButton.LeftButton)
    assert re.search(
        r'\n  ledger: \[\[\d+, "[0-9a-f]{64}"\], \[\d+, "[0-9a-f]{64}"\]',
        screen.detail.toPlainText(),
    )
    qtbot.mouseClick(screen.technical, Qt.MouseButton.LeftButton)

    choose_action(qtbot, screen, "return")
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "  Held from: —" in detail  # null
    assert "  Flags: under-use (missed doses)" in detail  # a list of one, in words
    assert "None" not in detail and "[]" not in detail


def test_an_action_of_a_newer_version_is_shown_as_written(qtbot: Any, pharmacy: Pharmacy) -> None:
    edit_file(
        pharmacy.path,
        "UPDATE audit_entries SET action = 'dispense_cycle_v9', "
        'new = \'{"a": {"b": [1, 2]}, "n": null, "ok": false, "tags": ["x", "y"]}\' '
        "WHERE action = 'enroll' AND entity_id = '01-002'",
    )
    screen = make_screen(qtbot, pharmacy)
    choose_action(qtbot, screen, "dispense_cycle_v9")
    assert screen.action.currentText() == "dispense_cycle_v9"
    assert cells(screen, ACTION) == ["dispense_cycle_v9"]
    assert cells(screen, NEW) == ['a: {"b": [1, 2]}; n: —; ok: no; tags: x, y']
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "Action: dispense_cycle_v9    Record: Participant 01-002\n" in detail


def test_the_trail_reads_in_chinese(chinese: None, qtbot: Any, pharmacy: Pharmacy) -> None:
    users.set_active(pharmacy.ctx, pharmacy.actor("admin"), "tech", False, "left the site")
    with pytest.raises(NotSignedIn):
        pharmacy.actor("tech")  # refused: written with the program's own reason code
    screen = make_screen(qtbot, pharmacy)
    named = cells(screen, ACTION)
    assert named and all(chinese_text(n) for n in named), named
    assert "发放" in named and "接收货件" in named and "拒绝登录" in named
    offered = [screen.action.itemText(i) for i in range(screen.action.count())]
    assert all(chinese_text(o) for o in offered), offered
    # In pinyin order (发 fa, 接 jie, 拒 ju), not the characters' code points (拒 before 接).
    assert offered.index("发放") < offered.index("接收货件") < offered.index("拒绝登录"), offered
    screen.table.sortByColumn(ACTION, Qt.SortOrder.AscendingOrder)
    sorted_names = list(dict.fromkeys(cells(screen, ACTION)))
    assert sorted_names.index("接收货件") < sorted_names.index("拒绝登录"), sorted_names
    kinds = [c.split(" ", 1)[0] for c in cells(screen, RECORD)]
    assert all(chinese_text(k) for k in kinds), kinds
    assert "账户已停用" in cells(screen, REASON)
    assert not any("True" in c or "False" in c for c in cells(screen, NEW))

    choose_action(qtbot, screen, "receive")
    shipment = cells(screen, NEW)[0]
    assert "；温度合格：是" in shipment and "；接收日期：" in shipment, shipment
    assert not re.search("[a-z]{3,}_?[a-z]*:", shipment), shipment  # no value by its key
    choose_action(qtbot, screen, "dispense")
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "操作：发放    记录对象：发放 DSP000001\n" in detail
    assert "  周期：1\n" in detail and "  第1天：" in detail, detail
    assert "签名：已发放" in detail, detail  # a coded value by its word too
    assert "（signature）" not in detail and "（cycle）" not in detail, detail
    choose_action(qtbot, screen, "sign_in_refused")
    screen.table.selectRow(0)
    assert "原因：账户已停用\n" in screen.detail.toPlainText()
    qtbot.mouseClick(screen.technical, Qt.MouseButton.LeftButton)
    assert "原因：deactivated" in screen.detail.toPlainText().split("技术细节", 1)[1]


def test_a_narrow_window_cuts_the_reasons_and_values_before_the_record(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The record an entry concerns is what a reader scans the list by; the reasons (most
    often empty) and the values are read whole in the detail below."""
    why = "left the site at the end of her contract; access removed by the site manager " * 2
    users.set_active(pharmacy.ctx, pharmacy.actor("admin"), "tech", False, why)
    screen = refreshed(qtbot, AuditScreen(pharmacy.session("monitor")), (1000, 600))
    table = screen.table
    assert table.columnWidth(RECORD) >= table.sizeHintForColumn(RECORD) - 2, (
        table.columnWidth(RECORD),
        table.sizeHintForColumn(RECORD),
    )
    assert table.columnWidth(REASON) < table.sizeHintForColumn(REASON)


def test_the_studys_store_is_named_in_the_readers_language(
    chinese: None, qtbot: Any, pharmacy: Pharmacy
) -> None:
    from dispensary.services import temperature

    area = pharmacy.ctx.study.storage_area
    log = "timestamp,celsius\n2026-01-20T08:00:00,21\n2026-01-20T09:00:00,22\n"
    temperature.import_logger(pharmacy.ctx, pharmacy.actor("pharm"), area, log)
    screen = make_screen(qtbot, pharmacy)
    shown = pharmacy.ctx.study.area_name(area, "zh_CN")
    assert shown != area
    records = cells(screen, RECORD)
    assert any(r.endswith(f" {shown}") for r in records), records
    assert not any(r.endswith(f" {area}") for r in records), records


def test_a_return_is_named_with_its_kit_and_dispense(qtbot: Any, pharmacy: Pharmacy) -> None:
    """A return's number is the database's only: the kit, the dispense and the participant say
    which it is."""
    screen = make_screen(qtbot, pharmacy)
    screen.action.setCurrentIndex(screen.action.findData("return"))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    [record] = cells(screen, RECORD)
    assert re.fullmatch(r"Return \d+ \(K\d{4}, DSP\d{6}, 01-001\)", record), record


def correct_the_return(pharmacy: Pharmacy) -> str:
    """The return of 01-001 recounted (10 tablets, then 9); its kit."""
    pharm = pharmacy.actor("pharm")
    [entry] = audit.list_entries(pharmacy.ctx, pharm, action="return")
    returns.correct_return(
        pharmacy.ctx, pharm, int(entry.entity_id), 9, "recounted", PASSWORDS["pharm"]
    )
    return str(json.loads(entry.new)["kit"])


def test_a_participant_or_a_kit_typed_finds_the_returns_and_their_corrections(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A return stores its kit and dispense only, its correction only the counts: typed, the
    participant's number and the kit's find both, and the correction's record names them."""
    kit = correct_the_return(pharmacy)
    # The flag's explanation names the dispense only.
    returns.explain_flag(pharmacy.ctx, pharmacy.actor("pharm"), "DSP000001", "vomited twice")
    screen = make_screen(qtbot, pharmacy)
    qtbot.keyClicks(screen.text, "01-001")
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert sorted(actions(screen)) == [
        "adherence_explained",
        "dispense",
        "enroll",
        "return",
        "return_corrected",
    ]
    corrected = screen.model.rows[actions(screen).index("return_corrected")]
    screen.text.clear()
    qtbot.keyClicks(screen.text, kit.lower())
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert sorted(actions(screen)) == [
        "adherence_explained",
        "dispense",
        "receive",
        "return",
        "return_corrected",
    ]
    choose_action(qtbot, screen, "return_corrected")
    assert cells(screen, RECORD) == [f"Return {corrected.entity_id} ({kit}, DSP000001, 01-001)"]


OLD = 7
"""The column of the values an entry replaced."""


def correct_01_002(pharmacy: Pharmacy) -> None:
    participants.correct_enrolment(
        pharmacy.ctx,
        pharmacy.actor("pharm"),
        "01-002",
        enrolled_on=date(2026, 1, 12),
        initials="CE",
        reason="typed in a week late; see the enrolment log",
        password=PASSWORDS["pharm"],
    )


def test_a_correction_of_an_enrolment_reads_with_its_values_by_name(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    correct_01_002(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    choose_action(qtbot, screen, "enrolment_corrected")
    assert screen.action.currentText() == "Enrolment corrected"
    assert cells(screen, ACTION) == ["Enrolment corrected"]
    assert cells(screen, RECORD) == ["Participant 01-002"]
    assert cells(screen, REASON) == ["typed in a week late; see the enrolment log"]
    assert cells(screen, NEW) == ["Enrolled on: 2026-01-12; Initials: CE"]
    assert cells(screen, OLD) == ["Enrolled on: 2026-01-05; Initials: CD"]
    screen.table.selectRow(0)
    detail = screen.detail.toPlainText()
    assert "Action: Enrolment corrected    Record: " in detail
    assert "  Enrolled on: 2026-01-12" in detail
    assert "  Enrolled on: 2026-01-05" in detail
    assert audit_values('{"birth_year":1966,"enrolled_on":"2026-01-12"}') == (
        "Year of birth: 1966; Enrolled on: 2026-01-12"
    )  # the audit report's cell


def test_a_void_reads_without_its_row_id(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The void's row id read "Void: 1", which no pharmacist understands: the entry's action,
    record, user, time and reason say what was voided; the id is a technical detail."""
    ctx, pharm = pharmacy.ctx, pharmacy.actor("pharm")
    participants.enroll(
        ctx,
        pharm,
        "01-003",
        "EF",
        1980,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    participants.void_enrolment(ctx, pharm, "01-003", "typed 01-003 for 01-030", PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    choose_action(qtbot, screen, "enrolment_voided")
    assert cells(screen, RECORD) == ["Participant 01-003"]
    assert cells(screen, REASON) == ["typed 01-003 for 01-030"]
    assert cells(screen, NEW) == ["Status: enrolled in error (voided)"]
    screen.table.selectRow(0)
    assert "Void" not in screen.detail.toPlainText()
    qtbot.mouseClick(screen.technical, Qt.MouseButton.LeftButton)
    assert re.search(r"\n  void: \d+\n", screen.detail.toPlainText())
    assert audit_values('{"status": "voided", "void": 1}') == cells(screen, NEW)[0]  # the PDF


def test_a_correction_of_an_enrolment_reads_in_chinese(
    chinese: None, qtbot: Any, pharmacy: Pharmacy
) -> None:
    correct_01_002(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    choose_action(qtbot, screen, "enrolment_corrected")
    assert cells(screen, ACTION) == ["更正入组信息"]
    assert cells(screen, RECORD) == ["受试者 01-002"]
    assert cells(screen, NEW) == ["入组日期：2026-01-12；姓名缩写：CE"]
    assert cells(screen, OLD) == ["入组日期：2026-01-05；姓名缩写：CD"]
    with speaking(Language.ZH_CN):
        assert audit_values('{"birth_year":1966,"enrolled_on":"2026-01-12"}') == (
            "出生年份：1966；入组日期：2026-01-12"
        )


def test_a_sign_offs_balances_read_in_the_window_as_in_the_report(
    chinese: None, pharmacy: Pharmacy
) -> None:
    """The window shares the report's words (audit_actions.value_shown): each number of a
    reconciliation sign-off named, the product by its Chinese name, in the table's cell and in
    the entry below it."""
    from dispensary.ui.audit_view import _compact, _pretty

    study = pharmacy.ctx.study
    stored = '{"products": [["herombopag-2.5mg", 588, 420, 8, true]], "discrepancies": 0}'
    products = "海曲泊帕乙醇胺片 2.5 mg：已接收 588，库存 420，退回留存 8，账目平衡"
    assert _compact(stored, study) == f"药品：{products}；差异：0"
    assert f"  药品：{products}" in _pretty(stored, study)
    with speaking(Language.ZH_CN):
        assert audit_values(stored, study) == f"药品：{products}；差异：0"


def test_coded_values_read_as_words_in_english(qtbot: Any, pharmacy: Pharmacy) -> None:
    """ "Status: on_treatment", "Sex: F": the English window showed the stored codes, as the
    report did (audit_actions.value_shown). Words now, in the cell and the entry below it."""
    participants.set_status(
        pharmacy.ctx,
        pharmacy.actor("pharm"),
        "01-001",
        "discontinued",
        "withdrew consent",
        password=PASSWORDS["pharm"],
    )
    screen = make_screen(qtbot, pharmacy)
    choose_action(qtbot, screen, "enroll")
    enrolled = cells(screen, NEW)
    assert enrolled and all("Sex: female" in c for c in enrolled), enrolled
    assert all("Status: on treatment" in c for c in enrolled), enrolled
    assert not any("on_treatment" in c or "Sex: F;" in c for c in enrolled), enrolled
    choose_action(qtbot, screen, "participant_status")
    assert cells(screen, NEW) == ["Effective on: 2026-01-26; Status: discontinued"]
    assert cells(screen, OLD) == ["Status: on treatment"]
    screen.table.selectRow(0)
    assert "  Status: on treatment" in screen.detail.toPlainText()


@pytest.mark.parametrize(("zone", "title"), [("Asia/Shanghai", "UTC+08:00"), ("UTC", "UTC+00:00")])
def test_the_times_column_names_its_zone(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, zone: str, title: str
) -> None:
    """ "When (local time)" said not which: the title gives the zone the times are in."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        screen = make_screen(qtbot, pharmacy)
        header = screen.model.headerData(1, Qt.Orientation.Horizontal)
        assert header == f"When ({title})"
        first = screen.model.rows[0].at.astimezone()
        assert cells(screen, 1)[-1] == f"{first:%Y-%m-%d %H:%M}"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_actions_name_typed_in_chinese_finds_its_entries(
    chinese: None, qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The reader types the name the Action column shows (退回), not the stored code."""
    correct_the_return(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    assert screen.model.headerData(1, Qt.Orientation.Horizontal).startswith("时间（UTC")
    screen.text.insert("退回")  # typed through the input method (keyClicks types ASCII only)
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert sorted(set(actions(screen))) == ["return", "return_corrected"]
    assert "退回" in cells(screen, ACTION)


def test_a_kits_history_shows_the_sponsors_decision_it_was_released_on(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The kit's history (its number searched) shows the release with the sponsor's reference
    by its name, in the list and the full entry."""
    from dispensary.services import quarantine

    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0004"], "temperature excursion")
    release_signed(pharmacy.ctx, pharm, ["K0004"], "stability data fine", "TE-2026-014")
    screen = make_screen(qtbot, pharmacy)
    qtbot.keyClicks(screen.text, "K0004")
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert sorted(actions(screen)) == ["quarantine", "receive", "release"]
    row = cells(screen, ACTION).index("Release from quarantine")  # as the list shows it
    assert "Sponsor's decision: TE-2026-014" in cells(screen, NEW)[row]
    screen.table.selectRow(row)
    assert "\n  Sponsor's decision: TE-2026-014" in screen.detail.toPlainText()


def test_the_report_saved_holds_the_entries_shown_with_their_filters(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An inspector filters to one user's dispenses of one day as the screen shows the times
    (a workstation 10 hours behind UTC: 09:00 UTC is 23:00 the day before) and saves the
    report: it lists those entries, no other, and says the filters on its first page. The
    screen had no report of its own; the audit report took the days as UTC days and ignored
    the user, action and text."""
    monkeypatch.setenv("TZ", "HST10")
    time.tzset()
    try:
        screen = make_screen(qtbot, pharmacy)
        screen.user.setCurrentIndex(screen.user.findData("pharm"))
        screen.action.setCurrentIndex(screen.action.findData("dispense"))
        screen.dates.set_range(date(2026, 1, 4), date(2026, 1, 4))
        qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
        shown = screen.model.rows
        assert shown and {(r.username, r.action) for r in shown} == {("pharm", "dispense")}
        assert {r.at.astimezone().date() for r in shown} == {date(2026, 1, 4)}
        everything = audit.list_entries(pharmacy.ctx, pharmacy.session("monitor").actor)
        others = {r.entity_id for r in everything if r.id not in {s.id for s in shown}}
        target = tmp_path / "trail.pdf"
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "PDF (*.pdf)"))
        )
        with qtbot.waitSignal(screen.report_saved, timeout=60000):
            qtbot.mouseClick(screen.export, Qt.MouseButton.LeftButton)
        assert screen.message.text().startswith("Saved the audit trail"), screen.message.text()
        pages = pdfium_pages_text(target.read_bytes())
        cover = " ".join(pages[0].split())
        assert (
            "Period 2026-01-04 to 2026-01-04, local days of this workstation (UTC-10:00)" in cover
        ), cover
        assert "User pharm" in cover and "Action Dispense" in cover, cover
        assert f"Entries listed {len(shown)}" in cover, cover
        body = " ".join(" ".join(pages[1:]).split())
        listed = re.findall(r"(\d+) 2026-01-0\d \d\d:\d\d:\d\d UTC 2026-01-04 23:", body)
        assert sorted(int(n) for n in listed) == sorted(r.id for r in shown), body[:400]
        assert all(f"Dispense {r.entity_id}" in body for r in shown)
        assert not [o for o in others if o.startswith("DSP") and f"Dispense {o}" in body]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_report_is_made_on_a_worker_and_the_window_answers_meanwhile(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Save report... made the report on the window's thread under a wait cursor: a long trail
    froze the window until it was drawn. It is made on a worker, as the Reports screen makes
    its documents; the button waits meanwhile and the bar says it is being prepared."""
    from dispensary.reports import catalogue

    screen = make_screen(qtbot, pharmacy)
    target = tmp_path / "trail.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "PDF (*.pdf)"))
    )
    made_in: list[threading.Thread] = []
    go_on = threading.Event()
    real = catalogue.make_report

    def slow(*args: Any, **kwargs: Any) -> Any:
        made_in.append(threading.current_thread())
        go_on.wait(timeout=10)  # a long trail
        return real(*args, **kwargs)

    monkeypatch.setattr(catalogue, "make_report", slow)
    with qtbot.waitSignal(screen.report_saved, timeout=60000):
        qtbot.mouseClick(screen.export, Qt.MouseButton.LeftButton)
        assert not screen.export.isEnabled()  # one at once
        assert screen.message.text() == "Preparing the audit trail report..."
        qtbot.waitUntil(lambda: bool(made_in))
        go_on.set()
    assert made_in and made_in[0] is not threading.main_thread()
    assert screen.export.isEnabled()
    assert screen.message.text().startswith("Saved the audit trail"), screen.message.text()
    assert target.read_bytes().startswith(b"%PDF")


def test_a_report_that_cannot_be_made_is_said_and_the_button_is_back(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dispensary.reports import catalogue

    screen = make_screen(qtbot, pharmacy)
    target = tmp_path / "trail.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "PDF (*.pdf)"))
    )

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(catalogue, "make_report", broken)
    with qtbot.waitSignal(screen.report_saved, timeout=60000):
        qtbot.mouseClick(screen.export, Qt.MouseButton.LeftButton)
    assert screen.export.isEnabled()
    assert "The document could not be made" in screen.message.text(), screen.message.text()
    assert not target.exists()
