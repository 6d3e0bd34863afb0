"""A second study of capsules at the dispense window (the reviewer's REV-CAPS-28: capsules
100 mg and 25 mg twice daily, English only; and DEMO-28D-BID's product made a capsule, counted
粒 in Chinese): the kit-count line, the statement signed and the message after it say the
study's unit ("112 capsules", 112 粒), never the first study's tablets (片)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from counter_fixtures import PASSWORDS, Counter, Printer, Signatures, study_pharmacy
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import refreshed, scan_kits_to_pick

from dispensary.i18n import Language, speaking
from dispensary.reports.forecast import forecast_pdf, usable_note
from dispensary.services import destruction, forecast, report_data, returns
from dispensary.services.destruction import DestroyRequest
from dispensary.study import bundled_studies, load_study
from dispensary.ui import inventory_view
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import UnseenReturnsQuestion
from dispensary.ui.return_view import ReturnScreen

FIXTURES = Path(__file__).parents[1] / "fixtures"
REVIEW = "REV-CAPS-28"
CAPSULES = "DEMO-28D-BID capsules"


def _study_file(protocol: str, folder: Path) -> Path:
    """The reviewer's study file, or DEMO-28D-BID's with its product a capsule counted 粒 in
    Chinese (as test_capsule_screens makes it)."""
    if protocol == REVIEW:
        return FIXTURES / f"{REVIEW}.toml"
    if protocol != CAPSULES:
        return bundled_studies() / f"{protocol}.toml"
    text = (bundled_studies() / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    assert text.count('form = "tablet"') == 1
    text = text.replace('form = "tablet"', 'form = "capsule"')
    text = text.replace('tablet = "片剂"', 'capsule = "胶囊剂"')
    text += '\n[label.text.zh_CN.units]\ncapsule = "{count}粒"\n'
    path = folder / "DEMO-28D-BID.toml"
    path.write_text(text, encoding="utf-8")
    return path


KITS = {
    REVIEW: [("R1001-R1006", "revicapib-100mg"), ("R2001-R2004", "revicapib-25mg")],
    CAPSULES: [("B0001-B0004", "demoxatinib-50mg")],
    "DEMO-28D-BID": [("B0001-B0004", "demoxatinib-50mg")],
}


@pytest.fixture
def pharmacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    protocol: str = request.param
    counter = study_pharmacy(
        load_study(_study_file(protocol, tmp_path)), KITS[protocol], tmp_path / "p.sqlite3"
    )
    yield counter
    counter.ctx.engine.dispose()


def _started(qtbot: QtBot, pharmacy: Counter, protocol: str) -> DispenseScreen:
    screen = refreshed(qtbot, DispenseScreen(pharmacy.session("pharm")), (1166, 700))
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    if protocol == CAPSULES:  # its dose goes by weight: under 60 kg, one kit of 60
        screen.observation_fields["weight"].setText("55")
    return screen


@pytest.mark.parametrize(
    ("pharmacy", "language", "cover", "statement", "done"),
    [
        (
            REVIEW,
            "en",
            "112 capsules in 2 kits; 112 capsules needed",
            "R1001, R1002 — 112 capsules, day 1",
            "cycle 1, 112 capsules in R1001 (56), R1002 (56),",
        ),
        (
            CAPSULES,
            "en",
            "60 capsules in 1 kit; 56 capsules needed",
            "B0001 — 60 capsules, day 1",
            "cycle 1, 60 capsules in B0001 (60),",
        ),
        (CAPSULES, "zh_CN", "1 盒共 60 粒；需要 56 粒", "B0001 — 共 60 粒", "B0001（60）共 60 粒"),
        # English only: in a Chinese window, the program's own word for capsules (粒), never
        # "2 盒共 112 capsules".
        (REVIEW, "zh_CN", "2 盒共 112 粒；需要 112 粒", "R1001、R1002 — 共 112 粒", "共 112 粒"),
    ],
    indirect=["pharmacy"],
)
def test_a_capsule_study_s_dispense_says_its_capsules(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    cover: str,
    statement: str,
    done: str,
    request: pytest.FixtureRequest,
) -> None:
    """The reviewer's capsule study showed "Tablets: 112 in 2 kits", signed "R1001, R1002 —
    112 tablets" and said "112 tablets in R1001 (56)": the first study's dosage form."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    protocol = REVIEW if "R1001" in statement else CAPSULES
    screen = _started(qtbot, pharmacy, protocol)
    shown = screen.cover_label.text()
    assert cover in shown, shown
    scan_kits_to_pick(qtbot, screen)
    if not signatures.asked:
        qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    [(_signer, _meaning, summary)] = signatures.asked
    assert statement in summary, summary
    assert screen.last_result is not None
    message = screen.message.text()
    assert done in message, message
    for said in (shown, summary, message):
        assert "tablet" not in said.lower() and "片" not in said, said


@pytest.mark.parametrize("pharmacy", ["DEMO-28D-BID"], indirect=True)
def test_a_tablet_study_s_dispense_still_says_tablets(
    qtbot: QtBot, pharmacy: Counter, signatures: Signatures, printer: Printer
) -> None:
    """A study of tablets reads as before: "Tablets: 60 in 1 kit", "60 tablets"."""
    screen = _started(qtbot, pharmacy, CAPSULES)
    assert "Tablets: 60 in 1 kit; 56 needed" in screen.cover_label.text()
    scan_kits_to_pick(qtbot, screen)
    if not signatures.asked:
        qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    [(_signer, _meaning, summary)] = signatures.asked
    assert "B0001 — 60 tablets, day 1" in summary, summary
    assert "cycle 1, 60 tablets in B0001 (60)," in screen.message.text()


@pytest.mark.parametrize(
    ("pharmacy", "language", "example", "other"),
    [
        (REVIEW, "en", "for example 52 capsules when a cycle takes 112 capsules", "tablet"),
        (CAPSULES, "zh_CN", "例如每周期 112 粒、每盒 60 粒 时为 52 粒", "片"),
        ("DEMO-28D-BID", "en", "for example 52 tablets when a cycle takes 112", "capsule"),
    ],
    indirect=["pharmacy"],
)
def test_the_forecast_s_note_gives_its_example_in_the_study_s_unit(
    pharmacy: Counter, language: str, example: str, other: str
) -> None:
    """The forecast's note on usable kits said "for example 52 tablets" in every study."""
    result = forecast.forecast(pharmacy.ctx, pharmacy.actor("pharm"), weeks=4)
    with speaking(Language(language)):
        note = usable_note(result, pharmacy.ctx.study)
        meta = report_data.report_meta(pharmacy.ctx, pharmacy.actor("pharm"))
        pdf = forecast_pdf(meta, pharmacy.ctx.study, result)
    assert example in note, note
    assert other not in note.lower(), note
    printed = "".join(
        "".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "".join(example.split()) in printed  # the report prints the study's note


@pytest.mark.parametrize(
    ("pharmacy", "language"), [(REVIEW, "en"), (CAPSULES, "zh_CN")], indirect=["pharmacy"]
)
def test_the_return_screen_s_reason_hint_is_not_the_first_study_s(
    qtbot: QtBot, pharmacy: Counter, language: str, request: pytest.FixtureRequest
) -> None:
    """The flag's reason read "e.g. held 5 days for platelets": the first study's hold."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = refreshed(qtbot, ReturnScreen(pharmacy.session("pharm")), (1166, 700))
    hint = screen.reason.placeholderText()
    assert "platelet" not in hint and "血小板" not in hint, hint
    assert hint.startswith("e.g. doses held by" if language == "en" else "例如：研究者暂停用药"), (
        hint
    )


@pytest.mark.parametrize(
    ("pharmacy", "language", "said"),
    [
        (REVIEW, "en", "Returns no monitor has seen: kit R1001"),
        (REVIEW, "zh_CN", "监查员尚未查看的退回药品：药盒 R1001"),
        ("DEMO-28D-BID", "en", "Returned tablets no monitor has seen: kit B0001"),
    ],
    indirect=["pharmacy"],
)
def test_returns_no_monitor_has_seen_are_not_called_tablets_in_a_capsule_study(
    qtbot: QtBot,
    pharmacy: Counter,
    signatures: Signatures,
    printer: Printer,
    language: str,
    said: str,
) -> None:
    """Destroying a capsule study's returned kit asked about "Returned tablets no monitor has
    seen", in the service's warning and the question's title and text."""
    protocol = REVIEW if "R1001" in said else "DEMO-28D-BID"
    screen = _started(qtbot, pharmacy, CAPSULES if protocol != REVIEW else REVIEW)
    scan_kits_to_pick(qtbot, screen)
    if not signatures.asked:
        qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    assert screen.last_result is not None
    kit = screen.last_result.kits[0].kit
    pharm = pharmacy.actor("pharm")
    returns.record_return(
        pharmacy.ctx, pharm, kit, 3, PASSWORDS["pharm"], screen.last_result.number
    )
    request = DestroyRequest([kit], "admin", "incineration", reference="AUTH-1")
    with speaking(Language(language)):
        found = destruction.assess_destroy(pharmacy.ctx, pharm, request)
    [warning] = found.warnings
    assert warning.startswith(said), warning
    if protocol == REVIEW:
        assert "tablet" not in warning and "片" not in warning, warning


def test_the_unseen_returns_question_names_no_tablets_in_a_capsule_study(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question before destroying them was titled "Returned tablets unseen by the
    monitor" in every study; the inventory passes the study's tablets_only."""
    asked: list[tuple[str, ...]] = []

    def question(_parent: object, _name: str, title: str, *texts: str) -> bool:
        asked.append((title, *texts))
        return True

    monkeypatch.setattr(inventory_view, "go_on_question", question)
    assert UnseenReturnsQuestion.ask(None, "warning", False)
    assert UnseenReturnsQuestion.ask(None, "warning", True)
    capsules, tablets = asked
    assert not any("tablet" in text for text in capsules), capsules
    assert capsules[0] == "Returns unseen by the monitor"
    assert tablets[0] == "Returned tablets unseen by the monitor"
