"""`dispensary label` and `dispensary report` against the demo: real PDFs and CSVs on disk.

Labels and report PDFs run the installed command as a subprocess. The CSV exports run `main()` in
this process (the same code after the PDF runs proved the script), which keeps the file to about
twenty interpreter start-ups.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from cli_support import DEMO_STUDY, DEMO_TODAY, Cli
from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER

from dispensary import cli as command
from dispensary.cli import documents as cli_documents
from dispensary.domain.errors import DatabaseProblem, RuleViolation
from dispensary.files import Staged
from dispensary.reports.csvfile import read_rows
from dispensary.services.demo import DEMO_PASSWORD

# Facts of the demo pharmacy (the same every build for the same today).
LIVE_DISPENSE = "DSP000134"  # 01-009, cycle 7 (dispense numbers run across the three studies)
VOIDED_DISPENSE = "DSP000027"
SMALL_SHIPMENT = ("SH-0003", ["K5009", "K5010", "K5011", "K5012", "K5013", "K5014"])
CODE128 = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128)


def read_pdf(path: Path) -> PdfReader:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), f"{path} is not a PDF"
    return PdfReader(io.BytesIO(data))


def barcodes(path: Path) -> list[list[str]]:
    """The Code 128 barcodes a scanner reads on each page, rasterised at 300 dpi."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        found = []
        for page in document:
            image = page.render(scale=300 / 72).to_pil().convert("L")
            codes = zxingcpp.read_barcodes(image, formats=CODE128)
            found.append(sorted(code.text for code in codes))
        return found
    finally:
        document.close()


def test_kit_dispensing_and_leaflet_prints_are_pdfs_a_scanner_reads(
    cli: Cli, tmp_path: Path
) -> None:
    shipment, kits = SMALL_SHIPMENT
    sheet = tmp_path / "shipment.pdf"
    made = cli(
        "label",
        "shipment",
        shipment,
        "--out",
        str(sheet),
        "--stock",
        "a4-sheet",
        "--position",
        "3",
        "--json",
    )
    assert made.code == 0, made.err
    info = made.json()
    assert info == {
        "out": str(sheet),
        "pages": 1,
        "bytes": sheet.stat().st_size,
        "kind": "kit",
        "items": kits,
        "stock": "a4-sheet",
        "reprint": False,
        "languages": ["en"],  # as the text output's "Languages" line
        "left_out": [],  # the shipment's kits gone from the store (none here)
    }
    assert len(read_pdf(sheet).pages) == 1
    assert barcodes(sheet) == [kits]

    rolls = tmp_path / "kits.pdf"
    made = cli("label", "kit", "K1115,K1061", "--out", str(rolls), "--stock", "thermal-4x2")
    assert made.code == 0, made.err
    assert "Wrote 2 kit labels of K1115, K1061 on thermal-4x2" in made.out
    assert barcodes(rolls) == [["K1115"], ["K1061"]]
    pages = [" ".join(p.extract_text().split()) for p in read_pdf(rolls).pages]
    assert "QUARANTINED" not in pages[0] and "QUARANTINED" in pages[1]  # K1061 is in quarantine
    for gone, why in (("K1001", "was destroyed"), ("K1067", "came back from a participant")):
        refused = cli("label", "kit", gone, "--out", str(tmp_path / "gone.pdf"))
        assert refused.code == 3 and why in refused.err and "gets no label" in refused.err
        assert not (tmp_path / "gone.pdf").exists()

    label = tmp_path / "label.pdf"
    made = cli("label", "dispense", LIVE_DISPENSE.lower(), "--out", str(label), "--json")
    assert made.code == 0, made.err
    assert made.json()["items"] == [LIVE_DISPENSE] and made.json()["pages"] == 1
    assert barcodes(label) == [[LIVE_DISPENSE]]

    leaflet = tmp_path / "leaflet.pdf"
    made = cli("label", "leaflet", LIVE_DISPENSE, "--out", str(leaflet), "--paper", "letter")
    assert made.code == 0, made.err
    assert "participant leaflet of DSP000134 (01-009, cycle 7) on US Letter paper" in made.out
    reader = read_pdf(leaflet)
    assert [float(p.mediabox.width) for p in reader.pages] == [LETTER[0]] * len(reader.pages)
    assert "Your study tablets: cycle 7" in reader.pages[0].extract_text()


def test_a_second_print_is_refused_until_it_is_a_reprint_with_a_reason(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    first = tmp_path / "first.pdf"
    assert cli("label", "dispense", LIVE_DISPENSE, "--out", str(first)).code == 0

    before = state(cli.db)
    second = tmp_path / "second.pdf"
    again = cli("label", "dispense", LIVE_DISPENSE, "--out", str(second))
    assert again.code == 3 and again.out == ""
    assert "has been printed before. To print again, add --reprint --reason TEXT" in again.err
    assert not second.exists()
    no_reason = cli("label", "dispense", LIVE_DISPENSE, "--out", str(second), "--reprint")
    assert no_reason.code == 2 and "add --reason TEXT" in no_reason.err
    assert not second.exists()
    assert state(cli.db) == before  # type: ignore[operator]

    reprint = cli(
        "label",
        "dispense",
        LIVE_DISPENSE,
        "--out",
        str(second),
        "--reprint",
        "--reason",
        "Bottle label soaked at the sink",
    )
    assert reprint.code == 0, reprint.err
    assert "marked REPRINT" in reprint.out
    assert "REPRINT" in read_pdf(second).pages[0].extract_text()
    assert "REPRINT" not in read_pdf(first).pages[0].extract_text()

    trail = cli("audit", "list", "--action", "label_reprinted", "--json").json()
    assert [(e["user"], e["entity"], e["entity_id"], e["reason"]) for e in trail] == [
        ("pharmacist", "dispense label", LIVE_DISPENSE, "Bottle label soaked at the sink")
    ]
    recorded = trail[0]["new"]
    sha = recorded.pop("study_sha256")  # the study file the dispense was made with
    assert re.fullmatch("[0-9a-f]{64}", sha)
    # The print's own identity (services.labels.PRINT_TOKEN): a retried record finds it.
    assert re.fullmatch("[0-9a-f]{32}", recorded.pop("print_id"))
    assert recorded == {
        "items": [LIVE_DISPENSE],
        "reprint": True,
        "stock": "thermal-4x2",
        "study_version": 1,
        "languages": ["en"],  # the text the participant got (the study's, as drawn)
    }

    voided = tmp_path / "voided.pdf"
    refused = cli("label", "dispense", VOIDED_DISPENSE, "--out", str(voided))
    assert refused.code == 3
    assert f"Dispense {VOIDED_DISPENSE} was voided: it has no label or leaflet" in refused.err
    assert not voided.exists()


def test_a_label_that_cannot_be_drawn_or_written_is_not_recorded(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state: Callable[[str], dict[str, Any]],
) -> None:
    """One failure policy (services.labels.print_labels): nothing is recorded, no file left."""
    from dispensary.labels import dispensing

    before = state(cli.db)
    out = tmp_path / "label.pdf"

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("the renderer broke")

    with monkeypatch.context() as patch:
        patch.setattr(dispensing, "dispensing_label", broken)
        drawn = cli("label", "dispense", LIVE_DISPENSE, "--out", str(out))
    assert drawn.code == 1 and "the renderer broke" in drawn.err
    assert not out.exists()

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    def full_disk_beside(staged: Staged, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(staged.target))

    with monkeypatch.context() as patch:
        patch.setattr(Staged, "write", full_disk_beside)
        written = cli("label", "dispense", LIVE_DISPENSE, "--out", str(out))
    assert written.code == 3 and "disk" in written.err.lower(), written.err
    assert not out.exists()
    assert state(cli.db) == before  # type: ignore[operator]
    assert cli("label", "dispense", LIVE_DISPENSE, "--out", str(out)).code == 0  # a first print


def test_a_label_is_not_written_over_an_existing_file_unless_forced(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    """The finding: `label ... --out FILE.pdf` wrote over an existing file without a word (an
    earlier print kept on file, a report given the same name), where `report` and `backup`
    refuse: refused before anything is drawn or recorded, as `report` refuses; --force
    replaces it."""
    kept = tmp_path / "kept.pdf"
    kept.write_bytes(b"an earlier copy kept on file")
    before = state(cli.db)
    refused = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept))
    assert (refused.code, refused.out) == (3, ""), refused
    assert f"{kept} already exists, and a file is not written over unless you say so" in refused.err
    assert "add --force to replace it. Nothing was written." in refused.err
    assert kept.read_bytes() == b"an earlier copy kept on file"
    assert state(cli.db) == before  # type: ignore[operator]  # no print recorded

    chinese = cli("--lang", "zh_CN", "label", "dispense", LIVE_DISPENSE, "--out", str(kept))
    assert chinese.code == 3 and "已存在" in chinese.err and "--force" in chinese.err, chinese
    assert kept.read_bytes() == b"an earlier copy kept on file"

    forced = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept), "--force")
    assert forced.code == 0, forced.err
    first = read_pdf(kept).pages[0].extract_text()
    assert "REPRINT" not in first
    # A reprint to the first print's file keeps that file unless told (the copy with and the
    # copy without REPRINT both stay until the user says which goes).
    reprint = ("--reprint", "--reason", "Bottle label soaked at the sink")
    again = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept), *reprint)
    assert again.code == 3 and "already exists" in again.err, again
    assert read_pdf(kept).pages[0].extract_text() == first
    replaced = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept), *reprint, "--force")
    assert replaced.code == 0, replaced.err
    assert "REPRINT" in read_pdf(kept).pages[0].extract_text()

    page = tmp_path / "calibration.pdf"
    page.write_bytes(b"last week's calibration page")
    calibration = ("label", "calibration", "--stock", "a4-sheet", "--out", str(page))
    kept_page = cli(*calibration, user=None)
    assert kept_page.code == 3 and "already exists" in kept_page.err, kept_page
    assert page.read_bytes() == b"last week's calibration page"
    assert cli(*calibration, "--force", user=None).code == 0
    assert page.read_bytes().startswith(b"%PDF")


def test_a_label_whose_print_cannot_be_recorded_leaves_the_file_it_would_replace(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state: Callable[[str], dict[str, Any]],
) -> None:
    """The finding: `label ... --out kept.pdf --force` whose print could not be recorded (a
    locked database, another workstation's print first) wrote over kept.pdf, then took the new
    file back: neither copy was left. The new file is written beside it and put in its place
    only once the print is recorded; refused, the earlier file is as it was, and said so."""
    from dispensary.services import labels as label_prints

    folder = tmp_path / "labels"
    folder.mkdir()
    kept = folder / "kept.pdf"
    kept.write_bytes(b"an earlier copy kept on file")
    fresh = folder / "fresh.pdf"
    before = state(cli.db)

    def locked(*args: object, **kwargs: object) -> None:
        raise DatabaseProblem(
            "The database is busy: try again. Technical detail: database is locked"
        )

    def printed_first(*args: object, **kwargs: object) -> None:
        raise RuleViolation("The participant leaflet of DSP000134 was printed meanwhile.")

    with monkeypatch.context() as patch:
        patch.setattr(label_prints, "record_label_print", locked)
        forced = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept), "--force")
        first = cli("label", "dispense", LIVE_DISPENSE, "--out", str(fresh))
        chinese = cli(
            "--lang", "zh_CN", "label", "dispense", LIVE_DISPENSE, "--out", str(kept), "--force"
        )
        patch.setattr(label_prints, "record_label_print", printed_first)
        leaflet = cli("label", "leaflet", LIVE_DISPENSE, "--out", str(kept), "--force")
    assert chinese.code == 5 and f"{kept} 未被替换：原有文件保持原样。" in chinese.err, chinese
    assert (forced.code, forced.out) == (5, ""), forced  # a database problem
    assert kept.read_bytes() == b"an earlier copy kept on file"  # written over, then removed
    assert forced.err.rstrip().endswith(
        f"The database is busy: try again. {kept} was not replaced: the file there before is "
        "kept as it was. Technical detail: database is locked"
    ), forced.err
    assert (first.code, fresh.exists()) == (5, False), first
    assert f"No file was written to {fresh}." in first.err
    assert leaflet.code == 3 and f"{kept} was not replaced" in leaflet.err, leaflet
    assert kept.read_bytes() == b"an earlier copy kept on file"
    assert list(folder.iterdir()) == [kept]  # no temporary file left beside it
    assert state(cli.db) == before  # type: ignore[operator]

    def folder_locked(staged: Staged) -> None:
        raise PermissionError(13, "Permission denied", str(staged.target))

    with monkeypatch.context() as patch:  # recorded, then the file cannot be put in place
        patch.setattr(Staged, "keep", folder_locked)
        unkept = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept), "--force")
    assert unkept.code == 3, unkept
    assert "print it again with --reprint --reason TEXT" in unkept.err
    assert kept.read_bytes() == b"an earlier copy kept on file"
    reprint = ("--reprint", "--reason", "the file could not be saved")
    replaced = cli("label", "dispense", LIVE_DISPENSE, "--out", str(kept), "--force", *reprint)
    assert replaced.code == 0, replaced.err  # recorded: then put in its place
    assert read_pdf(kept).pages and list(folder.iterdir()) == [kept]


def test_a_forced_report_that_cannot_be_made_or_written_leaves_the_earlier_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --out --force` records nothing: the report is made whole, then written beside
    the file and renamed over it; a fault before or during the writing leaves the earlier
    report as it was (the label's finding, checked for reports)."""
    from dispensary.reports import catalogue

    folder = tmp_path / "reports"
    folder.mkdir()
    out = folder / "darf.pdf"
    out.write_bytes(b"last month's signed DARF")

    def locked(*args: object, **kwargs: object) -> None:
        raise DatabaseProblem("The database is busy: try again.")

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    with monkeypatch.context() as patch:
        patch.setattr(catalogue, "_gathered", locked)
        unmade = cli("report", "darf", "--out", str(out), "--force")
    with monkeypatch.context() as patch:
        patch.setattr(cli_documents, "write_private", full_disk)
        unwritten = cli("report", "darf", "--out", str(out), "--force")
    assert unmade.code == 5 and "busy" in unmade.err, unmade
    assert unwritten.code == 3 and "disk" in unwritten.err.lower(), unwritten
    assert out.read_bytes() == b"last month's signed DARF"
    assert list(folder.iterdir()) == [out]


def test_labels_need_a_role_that_prints_them(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "label.pdf"
    refused = cli("label", "dispense", LIVE_DISPENSE, "--out", str(out), user="monitor")
    assert refused.code == 4 and "may not print labels" in refused.err
    assert not out.exists()


def test_calibration_is_saved_on_the_workstation_and_printed_on_the_page(
    cli: Cli, tmp_path: Path
) -> None:
    saved = cli(
        "label",
        "calibrate",
        "--stock",
        "a4-sheet",
        "--dx",
        "1.5",
        "--dy",
        "-0.5",
        "--json",
        user=None,
    )
    assert saved.code == 0, saved.err
    settings = cli.home / "settings.json"
    assert saved.json() == {
        "stock": "a4-sheet",
        "dx_mm": 1.5,
        "dy_mm": -0.5,
        "scale": 1.0,
        "settings": str(settings),
    }
    assert json.loads(settings.read_text())["label_offsets"] == {"a4-sheet": [1.5, -0.5, 1.0]}

    page = tmp_path / "calibration.pdf"
    made = cli(
        "label", "calibration", "--stock", "a4-sheet", "--out", str(page), "--json", user=None
    )
    assert made.code == 0, made.err
    assert made.json()["calibration"] == {"dx_mm": 1.5, "dy_mm": -0.5, "scale": 1.0}
    text = read_pdf(page).pages[0].extract_text()
    assert "Saved: offset x +1.5 mm, y -0.5 mm, scale 1.000" in " ".join(text.split())


REPORT_PDFS = [
    (["darf"], "Investigational Agent Accountability Record (DARF)"),
    (["inventory", "--product", "herombopag-2.5mg"], "Inventory by product, lot and kit"),
    (["expiry", "--days", "120"], "Expiry report"),
    (
        ["participant", "--participant", "01-009"],
        "Participant dispensing and adherence history: 01-009",
    ),
    (["reconciliation"], "Reconciliation"),
    (
        ["returns", "--from", "2026-02-01", "--participant", "01-009"],
        "Returns log (tablets brought back by participants): 01-009",
    ),
    (["destruction", "--from", "2025-08-01"], "Destruction and return-to-sponsor log"),
    (["certificate", "--destruction", "DEST-2026-001"], "Certificate of destruction: No. 1"),
    (["audit", "--from", "2026-02-01", "--to", "2026-03-02"], "Audit trail"),
    (["lot", "--lot", "HT2507B"], "Lot trace HT2507B"),
    (["monitor", "--from", "2026-01-01"], "Monitor pack 2026-01-01 to 2026-03-02"),
]


def test_every_report_is_written_as_a_pdf_with_its_page_count(cli: Cli, tmp_path: Path) -> None:
    for argv, title in REPORT_PDFS:
        out = tmp_path / f"{argv[0]}.pdf"
        made = cli("report", *argv, "--out", str(out), "--json", user="monitor")
        assert made.code == 0, (argv, made.err)
        reader = read_pdf(out)
        assert made.json() == {
            "out": str(out),
            "pages": len(reader.pages),
            "bytes": out.stat().st_size,
        }
        assert reader.metadata is not None and reader.metadata.title == title
    letter = tmp_path / "darf-letter.pdf"
    made = cli(
        "report",
        "darf",
        "--product",
        "herombopag-2.5mg",
        "--paper",
        "letter",
        "--out",
        str(letter),
        user="monitor",
    )
    assert made.code == 0, made.err
    assert made.out.startswith(
        "Wrote the DARF of herombopag (hetrombopag olamine) 2.5 mg tablet: "
    )  # the product by name, as the DARF names it
    assert {round(float(p.mediabox.height)) for p in read_pdf(letter).pages} == {round(LETTER[0])}


def test_the_global_lang_writes_a_darf_in_chinese_and_its_csv_unchanged(
    cli: Cli, tmp_path: Path
) -> None:
    """Issue 13: `dispensary --lang zh_CN report darf` writes the DARF in Chinese (the study's
    Chinese title, the CJK font embedded, the verification code that checks); the JSON it
    prints and the CSV's header and rows are those of the English command."""
    out = tmp_path / "darf-zh_CN.pdf"
    argv = ("report", "darf", "--product", "herombopag-7.5mg")
    made = cli("--lang", "zh_CN", *argv, "--out", str(out), "--json", user="monitor")
    assert made.code == 0, made.err
    reader = read_pdf(out)
    assert made.json() == {"out": str(out), "pages": len(reader.pages), "bytes": out.stat().st_size}
    assert reader.metadata is not None and reader.metadata.title == "研究药物清点记录表（DARF）"
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for expected in (
        "研究药物清点记录表（DARF）",
        "方案标题 海曲泊帕",
        "行号",
        "第 1 页，共",
        "审核人（药师）",
    ):
        assert expected in text, expected
    assert "Balance" not in text and "Page " not in text
    fonts = [
        ref.get_object() for page in reader.pages for ref in page["/Resources"]["/Font"].values()
    ]
    cjk = [f for f in fonts if "WenQuanYi" in str(f["/BaseFont"])]
    assert cjk and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in cjk)
    code = re.search(r"校验码 (A-[0-9A-Z-]+)", text)
    assert code is not None
    assert cli("audit", "verify", "--anchor", code.group(1), user="monitor").code == 0

    rows = {}
    for lang in ("en", "zh_CN"):
        csv_out = tmp_path / f"darf-{lang}.csv"
        written = cli("--lang", lang, *argv, "--out", str(csv_out), user="monitor")
        assert written.code == 0, written.err
        lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
        rows[lang] = [line for line in lines if not line.startswith("#")]
        assert lines[0].startswith(
            "# 研究药物清点记录表" if lang == "zh_CN" else "# Investigational"
        )
    assert rows["zh_CN"][0] == rows["en"][0] and rows["zh_CN"][0].startswith("product,")
    assert rows["zh_CN"] == rows["en"]


def test_a_destruction_certificate_is_chosen_by_reference_or_number(
    cli: Cli, tmp_path: Path
) -> None:
    """Issue 12: without --destruction the destructions on record are listed and nothing is
    written; a destruction made at the command line (its date given) is then certified with
    both signatures, and the verification code it prints proves the chain."""
    out = tmp_path / "certificate.pdf"
    listed = cli("report", "certificate", "--out", str(out), user="monitor")
    assert listed.code == 3 and listed.out == ""
    assert "Choose the destruction: its record number or the sponsor's authorisation" in listed.err
    assert "No. 1, 2026-02-02, authorisation DEST-2026-001, 71 kits destroyed" in listed.err
    assert not out.exists()

    stock = cli("inventory", "--json").json()
    kits = [k["kit"] for k in stock if k["status"] == "returned"][:2]
    destroyed = cli(
        "destroy", *kits, "--method", "Incineration on site", "--witness", "technician",
        "--reference", "DEST-2026-002", "--date", "2026-03-01", "--json", "--unseen-returns-ok",
        env={"DISPENSARY_WITNESS_PASSWORD": "demo-pass-1"},
    )  # fmt: skip
    assert destroyed.code == 0, destroyed.err
    number = destroyed.json()["destruction_id"]

    wrong = cli("report", "certificate", "--destruction", "DEST-2026-999", "--out", str(out))
    assert wrong.code == 3 and "There is no destruction 'DEST-2026-999'" in wrong.err
    assert f"No. {number}, 2026-03-01, authorisation DEST-2026-002, 2 kits" in wrong.err
    for chosen in ("DEST-2026-002", str(number)):
        made = cli(
            "report", "certificate", "--destruction", chosen, "--out", str(out), "--force",
            user="monitor",
        )  # fmt: skip
        assert made.code == 0, made.err
        assert made.out.startswith(
            f"Wrote the certificate of destruction No. {number} (DEST-2026-002): {out} (1 page,"
        )
        text = " ".join(" ".join(p.extract_text().split()) for p in read_pdf(out).pages)
        for expected in (
            "Certificate of destruction",
            "Authorisation DEST-2026-002",
            "Destroyed on 2026-03-01",
            "Incineration on site",
            *kits,
            "Destroyed by Chen Jing (Pharmacist) destroyed 2026-03-02",
            "Witness Wang Fang (Technician) witnessed 2026-03-02",
        ):
            assert expected in text, expected
        assert "DEST-2026-001" not in text
    code = re.search(r"Verification code (A-[0-9A-Z-]+)", text)
    assert code is not None
    assert cli("audit", "verify", "--anchor", code.group(1), user="monitor").code == 0


REPORT_CSVS = [
    (["darf", "--product", "herombopag-7.5mg"], "Investigational Agent Accountability", "line"),
    (["inventory", "--lot", "HT2507B"], "Inventory by product, lot and kit", "kit"),
    (["expiry"], "Expiry report", "kit"),
    (["participant", "--participant", "01-009"], "Participant dispensing", "dispense"),
    (["reconciliation"], "Reconciliation", "scope"),
    (["returns", "--to", "2026-01-31"], "Returns log (tablets brought back", "kit"),
    (["destruction"], "Destruction and return-to-sponsor log", "kits"),
    (["audit", "--to", "2026-01-31"], "Audit trail", "action"),
    (["lot", "--lot", "HT2507B"], "Lot trace", "participant"),
]


@pytest.fixture
def in_process(demo_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """`main()` in this process, set up as `Cli` sets up the subprocess (monitor signed in)."""
    home = tmp_path / "home"
    home.mkdir()
    for name, value in {
        "DISPENSARY_HOME": str(home),
        "DISPENSARY_DB": demo_db,
        "DISPENSARY_USER": "monitor",
        "DISPENSARY_PASSWORD": DEMO_PASSWORD,
        "DISPENSARY_TODAY": DEMO_TODAY.isoformat(),
        "DISPENSARY_STUDY": DEMO_STUDY,
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_reports_export_csv_with_a_byte_order_mark_for_spreadsheets(
    in_process: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, title, column in REPORT_CSVS:
        out = tmp_path / f"{argv[0]}.csv"
        assert command.main(["report", *argv, "--out", str(out), "--json"]) == 0, argv
        info = json.loads(capsys.readouterr().out)
        data = out.read_bytes()
        assert info == {"out": str(out), "pages": None, "bytes": len(data)}
        assert data.startswith(b"\xef\xbb\xbf# " + title.encode())
        rows = read_rows(data.decode("utf-8-sig"))
        assert rows and all(row[column] for row in rows), argv


def test_the_returns_log_of_a_period_or_of_one_participant(cli: Cli, tmp_path: Path) -> None:
    """`report returns`: the returns log was printed only inside the monitor pack, its CSV
    written by no command. Of a period, of one participant if named; PDF or CSV; said as
    "returns log (N returns)", in Chinese too; an unknown participant is refused."""
    assert "returns log: what participants brought back" in cli("report", "--help").out
    csv = tmp_path / "returns.csv"
    made = cli("report", "returns", "--out", str(csv), user="monitor")
    assert made.code == 0, made.err
    every = read_rows(csv.read_text(encoding="utf-8-sig"))
    assert len(every) > 1 and len({r["participant"] for r in every}) > 1
    assert made.out.startswith(f"Wrote the returns log ({len(every)} returns): {csv} (")

    one = tmp_path / "returns-01-009.csv"
    args = ("report", "returns", "--participant", "01-009", "--from", "2025-01-01")
    made = cli(*args, "--out", str(one), "--json", user="monitor")
    assert made.code == 0, made.err
    mine = read_rows(one.read_text(encoding="utf-8-sig"))
    assert mine and {r["participant"] for r in mine} == {"01-009"}
    assert [r for r in every if r["participant"] == "01-009"] == mine
    assert made.json() == {"out": str(one), "pages": None, "bytes": one.stat().st_size}

    pdf = tmp_path / "returns-01-009.pdf"
    made = cli("--lang", "zh_CN", *args, "--out", str(pdf), user="monitor")
    assert made.code == 0, made.err
    assert made.out.startswith(f"已写出退回记录（{len(mine)} 次退回）"), made.out
    reader = read_pdf(pdf)
    assert reader.metadata is not None
    assert reader.metadata.title == "退回记录（受试者带回的药片）：01-009"
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert all(r["kit"] in text for r in mine) and "受试者 01-009" in text

    refused = cli("report", "returns", "--participant", "99-999", "--out", str(pdf), "--force")
    assert refused.code == 3 and "99-999" in refused.err, refused.err


@pytest.mark.parametrize(
    ("argv", "code", "words"),
    [
        (["monitor", "--from", "2026-01-01", "--out", "pack.csv"], 2, "monitor pack is a PDF only"),
        (
            ["certificate", "--destruction", "1", "--out", "c.csv"],
            2,
            "The certificate of destruction or return to the sponsor is a PDF only",
        ),
        (["inventory", "--out", "stock.xlsx"], 2, "written as .pdf or .csv"),
        (["participant", "--out", "p.pdf"], 2, "required: --participant"),
        (["darf", "--from", "2026-03-01", "--to", "2026-02-01", "--out", "d.pdf"], 3, "ends"),
        (["inventory", "--product", "aspirin", "--out", "i.pdf"], 3, "not in study"),
        (["darf", "--out", "no-such-folder/d.pdf"], 3, "does not exist: create it first"),
    ],
)
def test_a_report_that_cannot_be_written_as_asked_writes_nothing(
    in_process: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    words: str,
) -> None:
    in_process.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    assert command.main(["report", *argv]) == code
    captured = capsys.readouterr()
    assert words in captured.err and captured.out == ""
    assert sorted(tmp_path.iterdir()) == before


def test_in_chinese_a_label_refused_and_a_darf_written_are_named_in_chinese(
    cli: Cli, tmp_path: Path
) -> None:
    """`--lang zh_CN` said "DSP000134 的dispensing label以前已打印过" (the label kinds were
    never translated) and "已写出herombopag-7.5mg、herombopag-2.5mg 的…DARF" (the products
    by code where the DARF names them)."""
    first = tmp_path / "first.pdf"
    for kind, noun in (("dispense", "发放标签"), ("leaflet", "受试者说明单")):
        # --force: the one file written over each time, the print rule's refusal in view.
        out = ("--out", str(first), "--force")
        made = cli("--lang", "zh_CN", "label", kind, LIVE_DISPENSE, *out)
        assert made.code == 0, made.err
        again = cli("--lang", "zh_CN", "label", kind, LIVE_DISPENSE, *out)
        assert again.code == 3
        assert f"{LIVE_DISPENSE} 的{noun}以前已打印过" in again.err, again.err
        assert not re.search("[A-Za-z]+ (label|leaflet)", again.err), again.err

    made = cli("--lang", "zh_CN", "label", "kit", "K5009", *out, "--stock", "a4-sheet")
    assert made.code == 0, made.err
    again = cli("--lang", "zh_CN", "label", "kit", "K5009", *out, "--stock", "a4-sheet")
    assert again.code == 3 and "K5009 的药盒标签以前已打印过" in again.err, again.err

    darf = tmp_path / "darf.pdf"
    made = cli("--lang", "zh_CN", "report", "darf", "--out", str(darf), user="monitor")
    assert made.code == 0, made.err
    assert "herombopag-" not in made.out, made.out
    assert "已写出海曲泊帕乙醇胺片 7.5 mg、海曲泊帕乙醇胺片 2.5 mg 的" in made.out, made.out
    english = cli("report", "darf", "--out", str(darf), "--force", user="monitor")
    assert english.code == 0, english.err
    assert "herombopag-" not in english.out, english.out


def test_in_chinese_a_pdf_only_report_asked_as_csv_is_refused_in_chinese(cli: Cli) -> None:
    """`--lang zh_CN report monitor --out x.csv` said its refusal in English: the text is
    marked N_ in the report catalogue and was raised without being translated."""
    for key, words in (
        ("monitor", "监查资料包只有 PDF 格式"),
        # named as its title names it, not 销毁证明 (the title of one destruction's)
        ("certificate", "销毁或退回申办方证明只有 PDF 格式"),
    ):
        argv = ["--lang", "zh_CN", "report", key, "--out", "x.csv"]
        if key == "monitor":
            argv += ["--from", "2026-01-01"]
        else:
            argv += ["--destruction", "1"]
        refused = cli(*argv, user="monitor")
        assert refused.code == 2, refused.err
        assert words in refused.err and "PDF only" not in refused.err, refused.err


def test_in_chinese_the_reconciliation_csv_labels_name_the_products_in_chinese(
    cli: Cli, tmp_path: Path
) -> None:
    """`--lang zh_CN report reconciliation --out r.csv`: the label column read "herombopag
    (hetrombopag olamine) 2.5 mg tablet" and "herombopag-2.5mg lot HT2504L" under Chinese
    comment lines. It names the products as the PDF does; every code and figure stays."""
    rows: dict[str, list[list[str]]] = {}
    for lang in ("en", "zh_CN"):
        out = tmp_path / f"r-{lang}.csv"
        made = cli("--lang", lang, "report", "reconciliation", "--out", str(out), user="monitor")
        assert made.code == 0, made.err
        lines = [line for line in out.read_text(encoding="utf-8-sig").splitlines() if line]
        rows[lang] = [line.split(",") for line in lines if not line.startswith("#")]
    english, chinese = rows["en"], rows["zh_CN"]
    assert chinese[0] == english[0] and chinese[0][2] == "label"
    labels = {row[1]: row[2] for row in chinese if row[0] in ("product", "lot")}
    assert labels["herombopag-2.5mg"] == "海曲泊帕乙醇胺片 2.5 mg"
    assert labels["herombopag-2.5mg/HT2504L"] == "海曲泊帕乙醇胺片 2.5 mg 批号 HT2504L"
    assert not any("herombopag" in label for label in labels.values())
    english_labels = {row[1]: row[2] for row in english if row[0] in ("product", "lot")}
    assert english_labels["herombopag-2.5mg/HT2504L"] == "herombopag-2.5mg lot HT2504L"
    # Everything but the label the same in both languages.
    assert [row[:2] + row[3:] for row in chinese] == [row[:2] + row[3:] for row in english]


def test_a_report_is_not_written_over_an_existing_file_unless_forced(
    cli: Cli, tmp_path: Path
) -> None:
    """The finding: `report --out` wrote over an existing file without a word (an earlier
    report, a file of another name mistyped), where `backup` refuses."""
    out = tmp_path / "darf.pdf"
    out.write_bytes(b"an earlier report")
    refused = cli("report", "darf", "--out", str(out))
    assert (refused.code, refused.out) == (3, ""), refused
    assert f"{out} already exists, and a file is not written over unless you say so" in refused.err
    assert "add --force to replace it" in refused.err
    assert out.read_bytes() == b"an earlier report"
    forced = cli("report", "darf", "--out", str(out), "--force")
    assert forced.code == 0, forced.err
    assert out.read_bytes().startswith(b"%PDF")


def test_a_report_of_days_not_yet_begun_is_refused(cli: Cli, tmp_path: Path) -> None:
    """The finding: `report darf --from 2027-01-01` was written (an empty record that looks like
    a real one) though a date in the future is refused; the service refuses it."""
    out = tmp_path / "darf.pdf"
    ahead = cli("report", "darf", "--out", str(out), "--from", "2026-03-03")
    assert (ahead.code, out.exists()) == (3, False), ahead
    assert "The period starts on 2026-03-03, after today (2026-03-02)" in ahead.err
    today = cli("report", "darf", "--out", str(out), "--from", "2026-03-02", "--to", "2026-03-02")
    assert today.code == 0, today.err


def test_a_report_of_a_period_that_ends_after_today_is_refused(cli: Cli, tmp_path: Path) -> None:
    """The finding: `report darf --from 2026-01-01 --to 2027-01-01` on 2026-03-02 was written,
    its every page headed "Period 2026-01-01 to 2027-01-01": a record signed today claiming
    ten months not yet lived. The service refuses it (the GUI's dates reach the same rule); no
    --to is up to today, and a period back to front is still refused as such."""
    out = tmp_path / "darf.pdf"
    ahead = cli("report", "darf", "--out", str(out), "--from", "2026-01-01", "--to", "2027-01-01")
    assert (ahead.code, ahead.out, out.exists()) == (3, "", False), ahead
    assert (
        "The period ends on 2027-01-01, after today (2026-03-02): a report would claim days "
        "that have not happened yet. Give an end on or before today."
    ) in ahead.err
    monitor = cli(
        "report", "monitor", "--out", str(out), "--from", "2026-01-01", "--to", "2026-03-03"
    )
    assert (monitor.code, out.exists()) == (3, False), monitor
    assert "The period ends on 2026-03-03, after today (2026-03-02)" in monitor.err
    chinese = cli("--lang", "zh_CN", "report", "audit", "--out", str(out), "--to", "2026-03-03")
    assert chinese.code == 3 and "晚于今天" in chinese.err and "结束" in chinese.err, chinese
    assert not out.exists()
    backwards = cli(
        "report", "darf", "--out", str(out), "--from", "2026-03-01", "--to", "2026-02-01"
    )
    assert backwards.code == 3 and "The period ends (2026-02-01) before it starts" in backwards.err
    to_today = cli(
        "report", "darf", "--out", str(out), "--from", "2026-01-01", "--to", "2026-03-02"
    )
    assert to_today.code == 0, to_today.err
    assert "2026-01-01 to 2026-03-02" in read_pdf(out).pages[0].extract_text()


def test_a_period_after_today_is_refused_before_the_password_is_asked_for(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finding: `report darf --to 2027-01-01` asked for the password (signed in) before
    saying the period was refused, where every other mistake of the command line is said
    before it. Refused first, no password asked for, nothing written."""
    from dispensary.cli import run as cli_run

    asked: list[str] = []

    def ask(env: str, who: str) -> str:
        asked.append(who)
        return DEMO_PASSWORD

    monkeypatch.setattr(cli_run, "secret", ask)
    out = tmp_path / "darf.pdf"
    no_password = {"DISPENSARY_PASSWORD": None}
    ahead = cli("report", "darf", "--out", str(out), "--to", "2026-03-03", env=no_password)
    assert (ahead.code, ahead.out, out.exists()) == (3, "", False), ahead
    assert "The period ends on 2026-03-03, after today (2026-03-02)" in ahead.err
    begun = cli("report", "audit", "--out", str(out), "--from", "2026-03-03", env=no_password)
    assert begun.code == 3 and "The period starts on 2026-03-03" in begun.err, begun
    assert asked == []
    today = cli("report", "darf", "--out", str(out), "--to", "2026-03-02", env=no_password)
    assert today.code == 0, today.err
    assert asked == ["pharmacist"]  # the password asked for once the command line is right


def test_out_and_force_say_what_they_do_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--out had no words in `label ... --help` and `report ... --help`."""
    for args, said in (
        (["label", "dispense", "--help"], "the PDF file written; one that exists is refused"),
        (["report", "darf", "--help"], "the file written, PDF or CSV by its suffix"),
        (["report", "monitor", "--help"], "the PDF file written"),
    ):
        assert command.main(args) == 0
        shown = " ".join(capsys.readouterr().out.split())
        assert said in shown, (args, shown)
        assert "--force replace the file --out names if it exists" in shown


def test_a_shipments_sheet_prints_the_kits_still_in_the_store_and_names_those_left_out(
    cli: Cli, tmp_path: Path
) -> None:
    """The finding: `label shipment SH-0001` was refused, "Kit K1001 was destroyed ... Leave it
    out of the print", with no way to leave it out. The sheet holds the kits still in the
    store; the ones gone are named, with why; kits named one by one are still refused."""
    out = tmp_path / "sh1.pdf"
    made = cli("label", "shipment", "SH-0001", "--out", str(out), "--json")
    assert made.code == 0, made.err
    info = made.json()
    gone = {k["kit"] for k in info["left_out"] if k["status"] == "destroyed"}
    assert "K1001" in gone and not gone & set(info["items"]) and info["items"], info
    text = cli("label", "shipment", "SH-0001", "--out", str(tmp_path / "again.pdf"))
    assert text.code == 3  # printed just now: a reprint is asked for, as before
    again = cli(
        "label", "shipment", "SH-0001", "--out", str(tmp_path / "again.pdf"), "--reprint",
        "--reason", "jammed",
    )  # fmt: skip
    assert again.code == 0, again.err
    assert "  Left out     destroyed: K1001 ... K5003 (63 kits); back from a participant, " in (
        again.out
    ), again.out
    named = cli("label", "kit", "K1001", "--out", str(tmp_path / "k1.pdf"))
    assert named.code == 3 and "Kit K1001 was destroyed: it gets no label" in named.err
    chinese = cli(
        "--lang", "zh_CN", "label", "shipment", "SH-0001", "--out", str(tmp_path / "zh.pdf"),
        "--reprint", "--reason", "jammed",
    )  # fmt: skip
    assert "  未打印       已销毁：K1001 ... K5003（63 个药盒）；" in chinese.out, chinese.out
