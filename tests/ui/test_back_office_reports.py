"""The reports screen: PDFs made on a worker thread, previewed, saved, printed; label prints
recorded (a second print as a reprint)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, answer_reason, release_signed
from detail_words import split_detail
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QSpinBox
from window_helpers import refreshed

from dispensary.domain.errors import DatabaseProblem
from dispensary.files import Staged
from dispensary.i18n import Language
from dispensary.labels import catalogue as label_catalogue
from dispensary.services import audit, dispensing, labels, quarantine, users
from dispensary.ui.label_printers import label_print_dialog, one_copy
from dispensary.ui.reports_view import ReportsScreen


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> ReportsScreen:
    return refreshed(qtbot, ReportsScreen(pharmacy.session(user)), None)


def make(qtbot: Any, screen: ReportsScreen, key: str) -> None:
    screen.choose(key)
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
        assert not screen.generate_button.isEnabled()
        assert screen.busy.isVisible()
    assert screen.generate_button.isEnabled()
    assert not screen.busy.isVisible()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def printer_to(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setResolution(150)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_darf_is_made_off_the_window_and_previewed(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.product.setCurrentIndex(screen.product.findData("herombopag-7.5mg"))
    make(qtbot, screen, "darf")
    assert screen.made is not None
    assert screen.document.pageCount() >= 1
    assert screen.pages.text().endswith("page") or screen.pages.text().endswith("pages")
    assert "Accountability Record" in text_of(screen.made.pdf)
    assert screen.save_button.isEnabled()
    assert screen.print_button.isEnabled()


def test_save_as_pdf_writes_the_file(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "reconciliation"
    target.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(target), "PDF (*.pdf)"))
    )
    screen = make_screen(qtbot, pharmacy, "monitor")
    make(qtbot, screen, "reconciliation")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    saved = target.with_suffix(".pdf")
    assert saved.read_bytes().startswith(b"%PDF")
    assert saved.stat().st_mode & 0o777 == 0o600, "a report holds study data: owner-only"
    assert "Reconciliation" in text_of(saved.read_bytes())
    assert screen.message.kind == "ok"


def test_print_draws_every_page_into_the_printer(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "printed.pdf"
    screen = make_screen(qtbot, pharmacy)
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(out))
    screen.participant.setCurrentIndex(screen.participant.findData("01-001"))
    make(qtbot, screen, "participant")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert len(PdfReader(out).pages) == screen.document.pageCount()


def test_a_printer_that_does_not_take_a_report_or_labels_is_said_and_nothing_recorded(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    off = tmp_path / "switched-off" / "printed.pdf"  # no such folder: the printer cannot open
    screen = make_screen(qtbot, pharmacy, "tech")
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(off))
    screen.participant.setCurrentIndex(screen.participant.findData("01-001"))
    make(qtbot, screen, "participant")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error", screen.message.text()
    assert "did not take the document" in screen.message.text()

    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error", screen.message.text()
    assert "did not take the document" in screen.message.text()
    assert label_prints(pharmacy) == []  # a label not out is not recorded
    assert screen.print_button.isEnabled()  # and can be printed once the printer is back


def test_kit_labels_second_print_is_a_marked_reprint(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(tmp_path / "labels.pdf"))
    answer_reason(monkeypatch, "label torn off")
    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")
    assert screen.made is not None and not screen.made.reprint
    assert screen.made.label_items == ("K0101", "K0102", "K0103")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert not screen.print_button.isEnabled()

    make(qtbot, screen, "shipment")
    assert screen.made.reprint
    assert "REPRINT" in screen.preview_title.text()
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    actor = pharmacy.actor("tech")
    printed = audit.list_entries(pharmacy.ctx, actor, action="label_printed")
    reprinted = audit.list_entries(pharmacy.ctx, actor, action="label_reprinted")
    assert [e.entity for e in printed] == ["kit label"]
    assert [e.entity for e in reprinted] == ["kit label"]


def test_unknown_dispense_is_refused_in_the_form(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.choose("dispense")
    assert screen.handle_scan("dsp999999")
    make(qtbot, screen, "dispense")
    assert screen.message.kind == "error"
    assert "There is no dispense 'DSP999999'" in screen.message.text()
    assert screen.dispense.text() == "DSP999999"
    assert not screen.print_button.isEnabled()


def test_missing_period_is_asked_for_before_any_work(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.choose("monitor")
    assert screen.dates.limit.isChecked()
    screen.dates.limit.setChecked(False)
    qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert "period of the monitor's visit" in screen.message.text()
    assert screen.generate_button.isEnabled()

    screen.dates.limit.setChecked(True)
    make(qtbot, screen, "monitor")
    assert screen.made is not None and screen.made.file_name.startswith("Monitor pack 2026-01-01")


def test_monitor_gets_reports_but_no_labels(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "monitor")
    keys = [
        screen.choices.item(i).data(Qt.ItemDataRole.UserRole) for i in range(screen.choices.count())
    ]
    assert "darf" in keys and "monitor" in keys
    assert not {label.key for label in label_catalogue.LABELS} & set(keys)


def label_prints(pharmacy: Pharmacy) -> list[tuple[str, str, str, str]]:
    """(action, entity, what was printed, reason) of every label print in the audit trail."""
    actor = pharmacy.actor("admin")
    rows = [
        *audit.list_entries(pharmacy.ctx, actor, action="label_printed"),
        *audit.list_entries(pharmacy.ctx, actor, action="label_reprinted"),
    ]
    return [(r.action, r.entity, r.entity_id, r.reason) for r in sorted(rows, key=lambda r: r.id)]


def save_to(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(target), "PDF (*.pdf)"))
    )


@pytest.mark.parametrize("key", ["dispense", "leaflet"])
def test_no_label_or_leaflet_for_a_voided_dispense(
    qtbot: Any, pharmacy: Pharmacy, key: str
) -> None:
    pharm = pharmacy.actor("pharm")
    done = dispensing.dispense_cycle(
        pharmacy.ctx, pharm, "01-002", 1, pharmacy.clock.today(), PASSWORDS["pharm"]
    )
    dispensing.void_dispense(
        pharmacy.ctx, pharm, done.number, "wrong participant", PASSWORDS["pharm"]
    )
    screen = make_screen(qtbot, pharmacy)
    screen.choose(key)
    assert screen.handle_scan(done.number)
    make(qtbot, screen, key)
    assert screen.message.kind == "error"
    assert f"Dispense {done.number} was voided: it has no label or leaflet" in screen.message.text()
    assert screen.made is None
    assert not screen.print_button.isEnabled() and not screen.save_button.isEnabled()


def bottle_out(pharmacy: Pharmacy) -> str:
    """A dispense whose bottle is still with the participant (DSP000001's came back: a label
    for it is refused)."""
    done = dispensing.dispense_cycle(
        pharmacy.ctx,
        pharmacy.actor("pharm"),
        "01-002",
        1,
        pharmacy.clock.today(),
        PASSWORDS["pharm"],
    )
    return done.number


def test_a_label_previewed_is_not_recorded_until_saved(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    number = bottle_out(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    screen.choose("dispense")
    screen.handle_scan(number)
    make(qtbot, screen, "dispense")
    assert screen.made is not None and screen.made.label_kind == "dispense"
    assert label_prints(pharmacy) == []  # on screen only: not a print

    target = tmp_path / "label.pdf"
    save_to(monkeypatch, target)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == screen.made.pdf
    assert label_prints(pharmacy) == [("label_printed", "dispense label", number, "")]
    assert not screen.save_button.isEnabled()  # a second one is a reprint, made again


def test_a_leaflet_is_recorded_when_printed_and_a_reprint_needs_its_reason(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    number = bottle_out(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(tmp_path / "leaflet.pdf"))
    screen.choose("leaflet")
    screen.paper.setCurrentIndex(screen.paper.findData("letter"))
    screen.handle_scan(number.lower())
    make(qtbot, screen, "leaflet")
    assert screen.made is not None and screen.made.stock == "US Letter paper"
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok"
    assert label_prints(pharmacy) == [("label_printed", "leaflet label", number, "")]

    make(qtbot, screen, "leaflet")
    assert screen.made.reprint and "REPRINT" in text_of(screen.made.pdf)
    prompts = answer_reason(monkeypatch, None)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert "Why is it printed again?" in prompts[0]
    answer_reason(monkeypatch, "  ")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert "recorded with its reason" in screen.message.text()
    assert len(label_prints(pharmacy)) == 1  # cancelled, then no reason: nothing recorded
    answer_reason(monkeypatch, "participant lost it")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert label_prints(pharmacy)[1:] == [
        ("label_reprinted", "leaflet label", number, "participant lost it")
    ]


def test_labels_printed_elsewhere_since_the_preview_must_be_made_again(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "labels.pdf"
    screen = make_screen(qtbot, pharmacy, "tech")
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(out))
    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")
    labels.record_label_print(
        pharmacy.ctx, pharmacy.actor("pharm"), "kit", ["K0101", "K0102", "K0103"], False
    )
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert "make it again, so that it is marked as a reprint" in screen.message.text()
    assert not out.exists()
    assert len(label_prints(pharmacy)) == 1


@pytest.mark.parametrize("key", ["dispense", "leaflet"])
def test_a_label_or_leaflet_previewed_before_its_dispense_was_voided_is_not_printed(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str
) -> None:
    """The preview left open while another workstation voided the dispense: Print printed the
    label and recorded "Labels printed" after "Dispense voided"."""
    number = bottle_out(pharmacy)
    out = tmp_path / "label.pdf"
    screen = make_screen(qtbot, pharmacy)
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(out))
    screen.choose(key)
    screen.handle_scan(number)
    make(qtbot, screen, key)
    assert screen.made is not None and screen.print_button.isEnabled()
    dispensing.void_dispense(
        pharmacy.ctx, pharmacy.actor("pharm"), number, "wrong participant", PASSWORDS["pharm"]
    )
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error", screen.message.text()
    assert f"Dispense {number} was voided: it gets no label" in screen.message.text()
    target = tmp_path / "saved.pdf"
    save_to(monkeypatch, target)
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert "was voided" in screen.message.text()
    assert not out.exists() and not target.exists()
    assert label_prints(pharmacy) == []


def test_a_label_prints_one_copy_whatever_the_print_dialog_asked_and_a_report_keeps_its_copies(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ "Copies: 3" put out three unmarked labels under one "Labels printed" entry."""
    copies: list[int] = []
    drawn = ReportsScreen.print_to

    def print_to(self: ReportsScreen, printer: QPrinter) -> bool:
        copies.append(printer.copyCount())
        return drawn(self, printer)

    def three_copies(path: Path) -> QPrinter:
        printer = printer_to(path)
        printer.setCopyCount(3)  # as a native print dialog may leave it
        return printer

    monkeypatch.setattr(ReportsScreen, "print_to", print_to)
    screen = make_screen(qtbot, pharmacy, "tech")
    monkeypatch.setattr(screen, "ask_printer", lambda: three_copies(tmp_path / "labels.pdf"))
    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert copies == [1]
    assert screen.message.kind == "warning", screen.message.text()
    assert "one copy, not 3" in screen.message.text()
    assert [p[:3] for p in label_prints(pharmacy)] == [
        ("label_printed", "kit label", "K0101..K0103 (3)")
    ]

    monkeypatch.setattr(screen, "ask_printer", lambda: three_copies(tmp_path / "report.pdf"))
    screen.participant.setCurrentIndex(screen.participant.findData("01-001"))
    make(qtbot, screen, "participant")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert copies == [1, 3] and screen.message.kind == "ok"  # a report: the user's copies


def test_the_label_print_dialog_offers_one_copy(qtbot: Any) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setCopyCount(4)
    dialog = label_print_dialog(printer, None)
    qtbot.addWidget(dialog)
    assert printer.copyCount() == 1
    assert not dialog.testOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange)
    for spin in dialog.findChildren(QSpinBox, "copies"):  # Qt's own dialog (not a native one)
        assert spin.maximum() == 1 and not spin.isEnabled()
    printer.setCopyCount(2)
    assert one_copy(printer) == 2 and printer.copyCount() == 1


def test_a_saved_label_whose_print_cannot_be_recorded_is_not_kept(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")
    written = Staged.write

    def deactivated_meanwhile(staged: Staged, pdf: bytes) -> None:
        """The account ends while the file is written: after the step's checks, before its
        print is recorded (an account ended before is refused before any file is written)."""
        users.set_active(pharmacy.ctx, pharmacy.actor("admin"), "tech", False, "left")
        written(staged, pdf)
        assert staged.partial is not None and staged.partial.exists()

    monkeypatch.setattr(Staged, "write", deactivated_meanwhile)
    folder = tmp_path / "out"
    folder.mkdir()
    save_to(monkeypatch, folder / "labels.pdf")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert "can no longer sign" in screen.message.text()
    assert "The file was not kept." in screen.message.text()
    assert list(folder.iterdir()) == []
    assert label_prints(pharmacy) == []


KEPT_WORDS = {
    "en": "The database is busy: try again. The file was not saved: {path} is kept as it was "
    "before.",
    "zh_CN": "The database is busy: try again.文件未保存：{path} 保持原样。",
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_label_saved_over_a_file_whose_print_cannot_be_recorded_leaves_that_file(
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    """The finding: a label saved over a file (the save dialog told to replace it) whose print
    could not be recorded (a locked database) wrote over the file, then removed the new one:
    neither copy was left. The earlier file is left as it was, and said so."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy, "tech")
    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")

    def locked(*args: object, **kwargs: object) -> None:
        raise DatabaseProblem("The database is busy: try again.")

    monkeypatch.setattr(labels, "record_label_print", locked)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "labels.pdf"
    target.write_bytes(b"an earlier label sheet kept on file")
    save_to(monkeypatch, target)
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == b"an earlier label sheet kept on file"
    assert list(folder.iterdir()) == [target]  # no temporary file left
    assert screen.message.text() == KEPT_WORDS[language].format(path=target)
    monkeypatch.undo()
    save_to(monkeypatch, target)
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok"
    assert target.read_bytes().startswith(b"%PDF") and list(folder.iterdir()) == [target]
    assert len(label_prints(pharmacy)) == 1


def test_a_label_that_cannot_be_written_is_not_recorded(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The failure policy of services.labels, here as on the command line: nothing recorded."""
    from dispensary.ui import reports_view

    screen = make_screen(qtbot, pharmacy, "tech")
    screen.shipment.setCurrentIndex(screen.shipment.findData("SH-2"))
    make(qtbot, screen, "shipment")

    def full_disk(staged: Staged, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(staged.target))

    monkeypatch.setattr(reports_view.Staged, "write", full_disk)
    save_to(monkeypatch, tmp_path / "labels.pdf")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert "disk" in screen.message.text().lower()
    assert "not kept" not in screen.message.text()  # nothing was written to take back
    assert label_prints(pharmacy) == []
    assert screen.save_button.isEnabled()  # the same first print may be tried again


def test_kits_scanned_one_after_another_make_a_label_sheet(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    screen.choose("kit")
    assert screen.handle_scan("k0101") and screen.handle_scan("K0103")
    assert screen.kits.text() == "K0101, K0103"
    make(qtbot, screen, "kit")
    assert screen.made is not None and screen.made.label_items == ("K0101", "K0103")


label_names = {
    "en": {
        "kit": "Kit labels by number",
        "shipment": "Kit labels for a shipment",
        "dispense": "Dispensing label",
        "leaflet": "Participant leaflet",
        "calibration": "Label calibration page",
    },
    "zh_CN": {
        "kit": "指定编号的药盒标签",
        "shipment": "货件的药盒标签",
        "dispense": "发放标签",
        "leaflet": "受试者说明单",
        "calibration": "标签校准页",
    },
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_list_says_each_word_once_and_the_lots_name_the_product_as_shown_elsewhere(
    qtbot: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The list read "Label: Label calibration page" and "Label: Kit labels for kits"; the lot
    trace's lots named the product by its code ("L2401 (herombopag-7.5mg, exp …)") where every
    other screen reads "7.5 mg tablet" (海曲泊帕乙醇胺片 7.5 mg in Chinese)."""
    import re

    from dispensary.ui.widgets import product_label

    if language != "en":
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy)
    listed = [screen.choices.item(i).text() for i in range(screen.choices.count())]
    labels = [
        screen.choices.item(i).text()
        for i in range(screen.choices.count())
        if screen.choices.item(i).data(Qt.ItemDataRole.UserRole)
        in {label.key for label in label_catalogue.LABELS}
    ]
    assert len(labels) == len(label_catalogue.LABELS)
    for line in listed:
        if language == "en":  # a word and its plural are one word
            words = [w.rstrip("s") for w in re.findall(r"[a-z]+", line.lower()) if len(w) > 2]
            assert len(words) == len(set(words)), line
        else:
            for word in ("标签", "药盒", "报告"):
                assert line.count(word) <= 1, line
    # Each label by its document's name, as its title and the messages pointing to it say.
    assert labels == [label_names[language][key] for key in label_names[language]]
    lots = [screen.lot.itemText(i) for i in range(1, screen.lot.count())]
    study = pharmacy.ctx.study
    assert lots and all("herombopag" not in lot for lot in lots), lots
    assert any(product_label(study, "herombopag-7.5mg") in lot for lot in lots), lots
    assert any(lot.startswith("L2401") for lot in lots), lots


DOCUMENT_FAULT = {
    Language.EN: "The document could not be made. Try again; if it happens again, tell the "
    "administrator.",
    Language.ZH_CN: "无法生成文档。请重试；如再次出现，请告知系统管理员。",
}


@pytest.mark.parametrize("lang", [Language.EN, Language.ZH_CN])
def test_a_document_an_unexpected_error_stopped_says_what_to_do_before_the_technical_detail(
    lang: Language,
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """An error no service names while the document is made: the screen says what to do in the
    reader's words; the error's class and Python's words only after "Technical detail:" (they
    were in brackets in the middle of the sentence)."""
    from dispensary.reports import catalogue as report_catalogue

    if lang is Language.ZH_CN:
        request.getfixturevalue("chinese")

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ValueError("negative page height")

    monkeypatch.setattr(report_catalogue, "make_report", broken)
    screen = make_screen(qtbot, pharmacy)
    screen.product.setCurrentIndex(screen.product.findData("herombopag-7.5mg"))
    make(qtbot, screen, "darf")
    assert screen.made is None
    said, detail = split_detail(screen.message.text(), lang)
    assert said == DOCUMENT_FAULT[lang]
    assert detail == "ValueError: negative page height"


def assert_nothing_printable(screen: ReportsScreen) -> None:
    assert screen.made is None
    assert screen.document.pageCount() == 0
    assert screen.pages.text() == ""
    assert not screen.save_button.isEnabled() and not screen.print_button.isEnabled()


def test_a_refused_document_leaves_no_earlier_one_on_screen_to_print(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A label refused after a document was made: the title read "Nothing to preview." while
    the earlier document (a monitor pack, 12 pages) stayed in the preview, with Save as PDF...
    and Print... enabled, as it did when another entry was picked in the list."""
    screen = make_screen(qtbot, pharmacy, "tech")
    screen.choose("kit")
    screen.kits.setText("K0101")
    make(qtbot, screen, "kit")
    assert screen.made is not None and screen.document.pageCount() >= 1
    assert screen.print_button.isEnabled()

    screen.kits.setText("K9999")  # refused while it is made, on the worker
    make(qtbot, screen, "kit")
    assert screen.message.kind == "error"
    assert screen.preview_title.text() == "Nothing to preview."
    assert_nothing_printable(screen)

    make(qtbot, screen, "darf")
    assert screen.made is not None and screen.document.pageCount() >= 1
    screen.choose("kit")  # another entry: the report is not printed as kit labels
    assert screen.preview_title.text() == "The preview appears here."
    assert_nothing_printable(screen)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_each_document_has_one_name_in_the_list_its_title_and_the_messages(
    qtbot: Any,
    pharmacy: Pharmacy,
    language: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The list read "Labels: chosen kits" but "Label: dispensing" ("标签：发放"), where the
    dispense screen sends the pharmacist to "(Dispensing label)" ("（发放标签）"); the list's
    "Monitor visit pack" (监查访视资料包) was titled "Monitor pack" (监查资料包) on the PDF."""
    import re

    from PySide6.QtCore import QCoreApplication

    import dispensary.ui.label_preview as label_preview

    if language != "en":
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy)
    listed = {
        screen.choices.item(i).data(Qt.ItemDataRole.UserRole): screen.choices.item(i).text()
        for i in range(screen.choices.count())
    }
    for key, name in label_names[language].items():
        assert listed[key] == name
    # The counter's messages name the entry to print from as the list does.
    messages = [
        "Leaflet not printed: press Leaflet again to print it, or print it later from Reports"
        " and labels (Participant leaflet).",
        "Label sent to {printer}. If it does not come out, reprint it from Reports and labels"
        " (Dispensing label), with the reason.",
        "{count} kit labels sent to {printer}. If they do not come out, reprint them"
        " from Reports and labels (Kit labels for a shipment), with the reason.",
        "Kit labels not printed: {why} Press Print kit labels once the printer is back,"
        " or print them later from Reports and labels (Kit labels for a shipment).",
    ]
    source = Path(label_preview.__file__).read_text(encoding="utf-8")
    for message in messages:
        assert message in source.replace('"\n                "', "")
        said = QCoreApplication.translate("LabelPrinting", message)
        [named] = re.findall(r"(?:Reports and labels \(|“报告与标签”（)([^)）]+)[)）]", said)
        assert named in listed.values(), (named, said)
    # The monitor pack's PDF is titled as the list names it.
    screen.dates.limit.setChecked(True)
    make(qtbot, screen, "monitor")
    assert screen.made is not None
    assert screen.made.title.startswith(listed["monitor"]), (screen.made.title, listed["monitor"])
    assert screen.preview_title.text().startswith(f"<b>{listed['monitor']}")


def test_a_released_kit_is_relabelled_from_a_pdf_made_after_its_release_with_its_reason(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The relabel the release asks for: a kit label made while the kit was quarantined says
    QUARANTINED: DO NOT DISPENSE; printed once the kit was released, it went out with that mark
    and was recorded as the relabel. The service refuses it in its own words, before any
    reason is asked; made again, it is clean, and the reprint asks and records its reason."""
    out = tmp_path / "labels.pdf"
    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0005"], "box crushed")
    screen = make_screen(qtbot, pharmacy)
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(out))
    screen.choose("kit")
    qtbot.keyClicks(screen.kits, "k0005")
    make(qtbot, screen, "kit")
    assert screen.made is not None and not screen.made.reprint
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert label_prints(pharmacy) == [("label_printed", "kit label", "K0005", "")]

    make(qtbot, screen, "kit")  # the reprint, made while the kit is still quarantined
    assert screen.made.reprint and "QUARANTINED: DO NOT DISPENSE" in text_of(screen.made.pdf)
    released = release_signed(pharmacy.ctx, pharm, ["K0005"], "sponsor: use it", "TE-2026-014")
    assert released.relabel == ("K0005",) and "'released from quarantine'" in released.relabel_note
    out.unlink()
    prompts = answer_reason(monkeypatch, "released from quarantine")
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    assert screen.message.text() == (
        "Kit K0005 was released from quarantine after this PDF was made: its label still says "
        "QUARANTINED: DO NOT DISPENSE. Make the PDF again, then print it."
    )
    assert prompts == [] and not out.exists()
    assert len(label_prints(pharmacy)) == 1

    make(qtbot, screen, "kit")
    assert screen.made.reprint and "QUARANTINED" not in text_of(screen.made.pdf)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert len(prompts) == 1 and "Why is it printed again?" in prompts[0]
    assert label_prints(pharmacy)[1:] == [
        ("label_reprinted", "kit label", "K0005", "released from quarantine")
    ]


def test_the_audit_trail_of_one_participant_or_kit(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The audit trail report keeps a participant's or a kit's entries when one is chosen (all
    of the period by default); a participant's own report still asks for one participant."""
    screen = make_screen(qtbot, pharmacy, "monitor")
    screen.choose("audit")
    assert screen.participant.currentText() == "All participants"
    assert screen.params.isRowVisible(screen.kit)
    make(qtbot, screen, "audit")
    assert screen.made is not None
    everything = text_of(screen.made.pdf)
    assert "Participant 01-002" in everything and "Shipment SH-2" in everything

    screen.participant.setCurrentIndex(screen.participant.findData("01-002"))
    make(qtbot, screen, "audit")
    assert screen.made is not None
    kept = text_of(screen.made.pdf)
    assert "Participant 01-002" in kept and "Shipment SH-2" not in kept
    assert "Participant 01-001" not in kept

    screen.participant.setCurrentIndex(0)
    qtbot.keyClicks(screen.kit, "k0101")
    make(qtbot, screen, "audit")
    assert screen.made is not None
    kit = text_of(screen.made.pdf)
    assert "Shipment SH-2" in kit and "Shipment SH-1" not in kit and "K0101" in kit

    screen.choose("participant")
    assert screen.participant.currentData() == "01-001"


def test_the_returns_log_is_offered_of_everyone_or_one_participant_and_saved(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The returns log, printed only inside the monitor pack, is an entry of its own: of a
    period (all participants by default, or the one chosen), previewed and saved as PDF."""
    screen = make_screen(qtbot, pharmacy, "monitor")
    titles = [screen.choices.item(i).text() for i in range(screen.choices.count())]
    assert "Returns log" in titles
    screen.choose("returns")
    assert screen.participant.currentText() == "All participants"
    assert screen.params.isRowVisible(screen.dates) and screen.params.isRowVisible(
        screen.participant
    )
    assert not screen.params.isRowVisible(screen.product)
    make(qtbot, screen, "returns")
    assert screen.made is not None
    everyone = text_of(screen.made.pdf)
    assert everyone.startswith("Returns log (tablets brought back by participants)"), everyone
    assert "01-001 AB DSP000001 1 K0001" in everyone
    assert screen.preview_title.text().startswith("<b>Returns log")

    screen.participant.setCurrentIndex(screen.participant.findData("01-002"))
    make(qtbot, screen, "returns")
    assert screen.made is not None and screen.made.title == "Returns log: 01-002"
    assert "No returns were recorded in this period." in text_of(screen.made.pdf)

    screen.participant.setCurrentIndex(screen.participant.findData("01-001"))
    make(qtbot, screen, "returns")
    target = tmp_path / "returns"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(target), "PDF (*.pdf)"))
    )
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    saved = text_of(target.with_suffix(".pdf").read_bytes())
    assert "Returns log (tablets brought back by participants): 01-001" in saved
    assert "K0001" in saved and "01-002" not in saved
