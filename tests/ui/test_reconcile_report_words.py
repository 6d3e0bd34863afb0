"""The reconciliation window names the findings as the reconciliation report (and the
`reconcile` command) names them, for the same data, in English and in Chinese: "To review (N)"
and "Count differences on record (N)" under the report's column headings; the window said
"Discrepancies (5, 4 to review)", "findings to look at" and "less tablets found"."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, count_adjusted
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QTableView
from window_helpers import refreshed

from dispensary.i18n import _ as rpt_words
from dispensary.reports import reconciliation as report
from dispensary.services.reconciliation import written_off_note
from dispensary.ui.reconcile_view import ReconcileScreen


def report_words(
    screen: ReconcileScreen, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], list[list[str]]]:
    """The headings of the report made from the window's result, and the column headings of
    each of its tables, as the report's story is built (in the language now in use)."""
    headings: list[str] = []
    tables: list[list[str]] = []
    heading, data_table = report.heading, report.data_table

    def record_heading(text: str) -> Any:
        headings.append(text)
        return heading(text)

    def record_table(header: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        tables.append(list(header))
        return data_table(header, *args, **kwargs)

    monkeypatch.setattr(report, "heading", record_heading)
    monkeypatch.setattr(report, "data_table", record_table)
    assert screen.result is not None
    report.reconciliation_story(screen.result, 500.0, study=screen.session.ctx.study)
    return headings, tables


def titles(view: QTableView) -> list[str]:
    model = view.model()
    # A title on two lines ("Dispensed to / participant") read as one.
    return [
        " ".join(str(model.headerData(c, Qt.Orientation.Horizontal)).split())
        for c in range(model.columnCount())
    ]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_window_names_the_findings_as_the_report_does(
    language: str,
    request: pytest.FixtureRequest,
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A count difference adjusted and countersigned: on record, not to review.
    count_adjusted(pharmacy)
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    assert screen.result is not None
    review, on_record = screen.discrepancy_view, screen.on_record_view
    assert review.model().rowCount() == len(screen.result.to_review) == 1
    assert on_record.model().rowCount() == 1
    headings, tables = report_words(screen, monkeypatch)
    tab = [screen.tabs.tabText(screen.tabs.indexOf(v)) for v in (review, on_record)]
    # The report's headings, in the report's order, one after the other.
    start = headings.index(tab[0])
    assert headings[start : start + 2] == tab, (tab, headings)
    if language == "en":
        assert tab == ["To review (1)", "Count differences on record (1)"]
    else:
        assert tab == ["待审核（1）", "盘点差异记录（1）"]
    # The columns of both, as the report's findings tables head them.
    assert titles(review) == titles(on_record)
    assert titles(review) in tables, (titles(review), tables)
    # The banner and what is signed count them in the same words.
    assert ("to review: 1" if language == "en" else "待审核：1") in screen.banner.text()
    # The written-off note: the report's, its first part under the tables, whole in the tooltip.
    note = written_off_note(screen.session.ctx.study)
    assert screen.written_off.toolTip() == note
    shown = screen.written_off.text()
    assert note.startswith(shown[:-1]) and len(shown) < len(note), (shown, note)
    assert "less tablets" not in shown
    for view in (review, on_record):
        screen.tabs.setCurrentWidget(view)
        screen.resize(1366, 768)
        screen.grab().save(str(tmp_path / f"{view.objectName()}.png"))  # looked at


def header_tips(view: QTableView) -> list[str]:
    model = view.model()
    return [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) or "")
        for c in range(model.columnCount())
    ]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_participants_tab_heads_its_figures_as_the_report_does(
    language: str,
    request: pytest.FixtureRequest,
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A participant never receives stock: the report heads their figures "Dispensed to
    participant" and "Returned by participant"; the tab said "Received" and "Dispensed"."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    view = screen.views["participants"]
    _headings, tables = report_words(screen, monkeypatch)
    words = (
        ("发放给受试者", "受试者退回")
        if language == "zh_CN"
        else (
            "Dispensed to participant",
            "Returned by participant",
        )
    )
    report = next(t for t in tables if words[0] in t)
    shown = titles(view)
    assert shown[:2] == report[:2] and shown[3:5] == report[3:5] == list(words), (shown, report)
    assert set(words) <= set(shown)
    received, dispensed = ("已接收", "已发放") if language == "zh_CN" else ("Received", "Dispensed")
    assert received not in shown and dispensed not in shown, shown
    # Every figure the report heads, the tab heads too (a short title's tooltip gives it whole).
    if language == "en":
        assert set(report) <= set(shown) | set(header_tips(view)), (report, shown)
    screen.tabs.setCurrentWidget(view)
    screen.resize(1366, 768)
    screen.grab().save(str(tmp_path / f"participants-{language}.png"))  # looked at


def _english_and_shown(view: QTableView, columns: Sequence[Any]) -> dict[str, str]:
    """Each column's English title (and its tooltip's) -> the words the view shows for it."""
    model = view.model()
    assert model.columnCount() == len(columns)
    found: dict[str, str] = {}
    for c, column in enumerate(columns):
        title = model.headerData(c, Qt.Orientation.Horizontal)
        found[column.title] = "".join(str(title).split())  # a title on two lines, read whole
        if column.tooltip:
            tip = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            found[column.tooltip] = "".join(str(tip).split())
    return found


def test_the_window_and_its_report_head_every_column_in_the_same_chinese(
    request: pytest.FixtureRequest,
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """One concept, one name: the window said 药品, 接收, 销毁, 账目平衡, 最近盘点 over the
    columns its report headed 产品, 已接收, 已销毁, 平衡, 最近清点日期. Every column title (or
    its tooltip, a short title's whole) the window and the report share in English reads the
    same in Chinese, and so does the verdict on a line and on the ledger."""
    from dispensary.i18n import ENGLISH, speaking
    from dispensary.ui import reconcile_view as view_module

    count_adjusted(pharmacy)
    request.getfixturevalue("chinese")
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    study = pharmacy.study
    shown: dict[str, str] = {}
    for scope, view in screen.views.items():
        columns = view_module.balance_columns(view_module.identifying_columns(scope, study), scope)
        shown |= _english_and_shown(view, columns)
    shown |= _english_and_shown(screen.count_view, view_module.count_columns(study))
    shown |= _english_and_shown(screen.discrepancy_view, view_module.DISCREPANCY_COLUMNS)
    shown |= _english_and_shown(screen.signoff_view, view_module.SIGNOFF_COLUMNS)

    # Copied: the second recording wraps the first, which would record the English too.
    chinese = list(report_words(screen, monkeypatch)[1])
    with speaking(ENGLISH):
        english = report_words(screen, monkeypatch)[1]
    report: dict[str, str] = {}
    for english_header, chinese_header in zip(english, chinese, strict=True):
        report |= dict(zip(english_header, chinese_header, strict=True))

    shared = set(shown) & set(report)
    assert {
        "Product",
        "Lot",
        "Kit",
        "Received",
        "Dispensed",
        "Returned",
        "Destroyed",
        "Written off (adjusted)",
        "On hand",
        "Held returned",
        "Balanced",
        "Dispensed to participant",
        "Returned by participant",
        "Last counted",
        "Book then",
        "Finding",
    } <= shared, sorted(shared)
    differ = {e: (shown[e], report[e]) for e in sorted(shared) if shown[e] != report[e]}
    assert not differ, f"window and report differ (window, report): {differ}"
    # The verdict: in a balance cell and the sign-off's summary, and in the report's header.
    balanced = QCoreApplication.translate("ReconcileScreen", "balanced")
    assert balanced == report["Balanced"] == rpt_words("balanced") == "账目平衡"
    assert QCoreApplication.translate("ReconcileScreen", "NOT balanced") == rpt_words(
        "NOT balanced"
    )
    for name, view in (("products", screen.views["products"]), ("counts", screen.count_view)):
        screen.tabs.setCurrentWidget(view)
        screen.resize(1366, 768)
        screen.grab().save(str(tmp_path / f"same-words-{name}.png"))  # looked at


def test_the_window_and_its_report_head_the_sign_offs_in_the_same_words(
    request: pytest.FixtureRequest,
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The sign-offs' table said "Signed at" and "By" (签名时间, 经办人) in the window and "When"
    and "Name" (时间, 姓名) in the report, over the same columns: one heading each, in English
    and in Chinese."""
    from back_office_fixtures import PASSWORDS

    from dispensary.i18n import ENGLISH, speaking
    from dispensary.services import reconciliation
    from dispensary.ui import reconcile_view as view_module
    from signed import seen_now

    reconciliation.sign_off(
        pharmacy.ctx,
        pharmacy.actor("monitor"),
        PASSWORDS["monitor"],
        "visit 3",
        seen=seen_now(pharmacy.ctx),
    )
    request.getfixturevalue("chinese")
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    shown = _english_and_shown(screen.signoff_view, view_module.SIGNOFF_COLUMNS)
    chinese = list(report_words(screen, monkeypatch)[1])
    with speaking(ENGLISH):
        english = report_words(screen, monkeypatch)[1]
    signed = [i for i, header in enumerate(english) if "Attested" in header]
    assert len(signed) == 1, english
    report = dict(zip(english[signed[0]], chinese[signed[0]], strict=True))
    assert list(report) == ["Signed at", "Name", "User", "Role", "Note", "Attested"]
    assert list(shown)[:2] == ["Signed at", "Name"]
    assert {e: shown[e] for e in report} == report
    assert report["Signed at"] == "签名时间" and report["Name"] == "姓名"
    screen.tabs.setCurrentWidget(screen.signoff_view)
    screen.resize(1366, 768)
    screen.grab().save(str(tmp_path / "sign-offs.png"))  # looked at
