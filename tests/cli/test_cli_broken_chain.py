"""On a database whose audit trail does not verify (a return's count edited behind the
program's back, the append-only triggers dropped first): no verification code is given
(`audit anchor`, a backup, a report's footer), a backup is still made as evidence but named
CHAIN-BROKEN, and every such command exits 6, as `audit verify` does, saying why."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import Cli
from pypdf import PdfReader

from tamper import edit_file

CODE = re.compile(r"A-\d+-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]")


def tampered(cli: Cli) -> Cli:
    edit_file(cli.db, "UPDATE returns SET tablets = tablets + 3")
    return cli


def pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def test_audit_anchor_gives_no_code_for_a_broken_chain(cli: Cli, sqlite_only: None) -> None:
    tampered(cli)
    for lang, words in (("en", "No verification code is given"), ("zh_CN", "不提供校验码")):
        refused = cli("--lang", lang, "audit", "anchor", user="monitor")
        assert refused.code == 6, refused.err
        assert not CODE.search(refused.out + refused.err)
        assert words in refused.err
    data = cli("audit", "anchor", "--json", user="monitor")
    assert data.code == 6 and data.out == ""


def test_a_backup_of_a_broken_chain_is_marked_and_logs_no_code(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    tampered(cli)
    backups = Path(cli.db).parent / "backups"
    made = cli("backup", "--out", str(backups / "b1.sqlite3"), "--json", user="admin")
    assert made.code == 6, made.err
    result = made.json()
    assert result["path"] == str(backups / "b1-CHAIN-BROKEN.sqlite3")
    assert result["anchor"] == "" and "CHAIN BROKEN" in result["chain_broken"]
    assert (backups / "b1-CHAIN-BROKEN.sqlite3").is_file()
    assert not (backups / "b1.sqlite3").exists()
    assert "CHAIN BROKEN" in made.err
    log = backups / "anchors.log"
    assert not log.exists() or "CHAIN-BROKEN" not in log.read_text()
    text = cli("backup", "--out", str(backups / "b2.sqlite3"), user="admin")
    assert text.code == 6
    assert "Verification code" not in text.out and not CODE.search(text.out + text.err)


def test_the_monitor_pack_of_a_broken_chain_says_so_on_every_page(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    tampered(cli)
    out = tmp_path / "pack.pdf"
    made = cli("report", "monitor", "--from", "2026-01-01", "--out", str(out), user="monitor")
    assert made.code == 6, made.err
    assert "CHAIN BROKEN" in made.err and "does not verify" in made.err
    assert out.is_file()  # written all the same: the monitor needs to see it
    text = pages(out)
    assert "CHAIN BROKEN" in text[0], "the cover says it first"
    for number, page in enumerate(text, start=1):
        assert "CHAIN BROKEN" in page, number
        assert not CODE.search(page), number
    verified = cli("audit", "verify", "--json", user="monitor").json()
    findings = verified["findings"]
    assert len(findings) > 1
    whole = " ".join(text)
    for finding in findings[:5]:
        assert " ".join(finding.split())[:60] in whole, finding


def test_every_report_of_a_broken_chain_warns_and_exits_6(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    tampered(cli)
    for argv in (["audit", "--from", "2026-01-01"], ["darf", "--product", "herombopag-7.5mg"]):
        out = tmp_path / f"{argv[0]}.pdf"
        made = cli("report", *argv, "--out", str(out), user="monitor")
        assert made.code == 6, (argv, made.err)
        assert "CHAIN BROKEN" in made.err
        assert all("CHAIN BROKEN" in page for page in pages(out))
    csv_out = tmp_path / "darf.csv"
    made = cli("report", "darf", "--product", "herombopag-7.5mg", "--out", str(csv_out))
    assert made.code == 6
    assert "Verification code" not in csv_out.read_text(encoding="utf-8-sig")
