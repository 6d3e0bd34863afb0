"""`dispensary --lang zh_CN ...` names the study's doses, the roles, the reconciliation's
findings, the study rules' states and the adherence flags in Chinese, as the windows do; the
--json output keeps its codes."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import Cli


def test_a_dose_is_named_as_the_study_names_it_in_chinese(cli: Cli) -> None:
    args = ["check", "dispense", "01-002", "--dose-level", "-1", "--kit", "K1115"]
    chinese = cli("--lang", "zh_CN", *args)
    assert chinese.code == 3
    # The product by the name the study file gives it in the reader's language, not its code.
    assert (
        "装的是海曲泊帕乙醇胺片 7.5 mg；此剂量（5 mg，每日一次（减量））需要海曲泊帕乙醇胺片 2.5 mg。"
        in (chinese.out)
    )
    assert "herombopag-" not in chinese.out
    assert "(reduced)" not in chinese.out and "once daily" not in chinese.out
    english = cli(*args)
    assert (
        "holds herombopag (hetrombopag olamine) 7.5 mg tablet; this dose (5 mg once daily"
        " (reduced)) needs herombopag (hetrombopag olamine) 2.5 mg tablet." in english.out
    )
    assert cli(*args, "--json").json()["dose_name"] == "5 mg once daily (reduced)"


def test_a_role_is_named_in_chinese(cli: Cli) -> None:
    refused = cli("--lang", "zh_CN", "void", "DSP000001", "--reason", "x", user="technician")
    assert refused.code == 4
    assert "technician（药房技术员）无权作废错误的发放记录。请找具有以下角色的用户：药师。" in (
        refused.err
    )
    english = cli("void", "DSP000001", "--reason", "x", user="technician")
    assert "technician (technician) may not void a dispense made in error." in english.err
    assert "Ask a user with the role: pharmacist." in english.err

    signed = cli("--lang", "zh_CN", "sign-off", "--note", "第 3 次监查", user="monitor")
    assert signed.code == 0, signed.err
    assert signed.out.splitlines()[1].startswith("已由 Maria Rossi（监查员）签名确认")
    listed = cli("--lang", "zh_CN", "reconcile", user="monitor")
    assert "Maria Rossi（监查员）" in listed.out and "(monitor)" not in listed.out


def test_the_findings_to_review_are_named_in_chinese(cli: Cli) -> None:
    chinese = cli("--lang", "zh_CN", "reconcile", user="monitor")
    assert chinese.code == 0, chinese.err
    lines = chinese.out.splitlines()
    assert any(line.startswith("  逾期未退回        01-006") for line in lines), lines
    assert any(line.startswith("  依从性标记        01-012") for line in lines), lines
    for english in ("return overdue", "Return overdue", "adherence", "Adherence flag"):
        assert english not in chinese.out
    assert "稽查轨迹" in chinese.out and "审计" not in chinese.out
    assert "return_overdue" in [
        d["kind"] for d in cli("reconcile", "--json").json()["discrepancies"]
    ]


def test_the_study_rules_states_are_in_chinese(cli: Cli) -> None:
    chinese = cli("--lang", "zh_CN", "study", "rules")
    assert chinese.code == 0, chinese.err
    assert "有效（注册记录）" in chinese.out and "待确认" in chinese.out
    assert "holds" not in chinese.out and "to confirm" not in chinese.out
    states = {r["state"] for r in cli("--lang", "zh_CN", "study", "rules", "--json").json()}
    assert {"holds (registry)", "to confirm"} <= states  # the JSON keeps the service's words


def test_an_adherence_flag_is_named_in_chinese(cli: Cli) -> None:
    chinese = cli("--lang", "zh_CN", "history", "01-012")
    assert chinese.code == 0, chinese.err
    [cycle2] = [line for line in chinese.out.splitlines() if line.split()[1:2] == ["DSP000046"]]
    assert cycle2.endswith("76%  用药不足（漏服）")
    assert "under-use" not in chinese.out
    english = cli("history", "01-012")
    assert "Under-use (missed doses)" in english.out


def test_the_history_says_the_sex_and_the_platelet_count_in_chinese(cli: Cli) -> None:
    chinese = cli("--lang", "zh_CN", "history", "01-001")
    assert chinese.code == 0, chinese.err
    first = chinese.out.splitlines()[0]
    assert "，女，" in first and ", F," not in first, first
    assert "血小板计数" in chinese.out and "Platelets" not in chinese.out
    english = cli("history", "01-001")
    assert ", F, enrolled" in english.out.splitlines()[0]
    assert "Platelets" in english.out


def test_the_participants_table_says_when_a_return_is_due_as_the_register_does(cli: Cli) -> None:
    """'not yet due' while the supply lasts, 'due' once it has ended, 'OVERDUE' after the grace
    period: from the service's return_due and return_overdue (it said 'pending' for all)."""
    rows = {r["study_number"]: r for r in cli("participants", "--json").json()}
    text = cli("participants").out.splitlines()
    for number, row in rows.items():
        if not row["return_pending"]:
            continue
        [line] = [t for t in text if t.startswith(number)]
        if row["return_overdue"]:
            assert "OVERDUE" in line, line
        elif row["return_due"]:
            assert line.rstrip().endswith(" due") and "not yet due" not in line, line
        else:
            assert "not yet due" in line, line
    assert "pending" not in " ".join(text)


def test_a_written_report_s_size_is_punctuated_in_chinese(cli: Cli, tmp_path: Path) -> None:
    """ "（6 页，75 kB）", not "（6 页, 75 kB）": the comma between pages and size is the
    reader's language's."""
    out = tmp_path / "reconciliation.pdf"
    chinese = cli("--lang", "zh_CN", "report", "reconciliation", "--out", str(out), user="monitor")
    assert chinese.code == 0, chinese.err
    assert re.search(r"（\d+ 页，\d+ kB）", chinese.out), chinese.out
    english = cli("report", "reconciliation", "--out", str(out), "--force", user="monitor")
    assert re.search(r"\(\d+ pages, \d+ kB\)", english.out), english.out


def test_a_print_refusal_ends_its_sentences_in_chinese(cli: Cli, tmp_path: Path) -> None:
    """ "……请不加 --reprint 打印。", not "打印.": the full stop was added in English after the
    translation; and no gap after a Chinese full stop before the next sentence."""
    out = str(tmp_path / "label.pdf")
    label = ["--lang", "zh_CN", "label", "kit", "--force"]  # the one file, written over
    assert cli("label", "kit", "K5012", "--out", out).code == 0
    fresh = cli(*label, "K5010", "--out", out, "--reprint", "--reason", "x")
    assert fresh.code == 3
    assert fresh.err == "已拒绝：K5010 的药盒标签尚未打印：请不加 --reprint 打印。\n"
    mixed = cli(*label, "K5012", "K5013", "--out", out, "--reprint", "--reason", "x")
    assert mixed.code == 3
    assert mixed.err.endswith("尚未打印：请不加 --reprint 打印（请另行指明以前打印过的药盒）。\n")
    again = cli(*label, "K5012", "K5013", "--out", out)
    assert again.code == 3
    assert again.err.endswith("并记录为补打。请另行指明尚未打印的药盒。\n"), again.err
    both = cli(*label, "K5010", "K5011", "--out", out, "--reprint", "--reason", "x")
    assert both.code == 3
    # The Chinese list separator, as the other messages list names: not "K5010, K5011 的".
    assert both.err.startswith("已拒绝：K5010、K5011 的药盒标签尚未打印"), both.err
    english = cli("label", "kit", "K5012", "K5013", "--out", out, "--force")
    assert english.err.endswith(
        "recorded as a reprint. Name the kits not printed yet separately.\n"
    ), english.err


def test_quarantine_and_an_excursion_say_their_kits_in_chinese_punctuation(
    cli: Cli, tmp_path: Path
) -> None:
    """ "已隔离 1 个药盒：K5011。", not "已隔离 1 个药盒: K5011.": the colon and full stop were
    added in English around the translated words."""
    held = cli("--lang", "zh_CN", "quarantine", "K5011", "--reason", "封条破损")
    assert held.code == 0, held.err
    assert held.out.splitlines()[0] == "已隔离 1 个药盒：K5011。"
    freed = cli(
        "--lang", "zh_CN", "release", "K5011", "--reason", "申办方确认", "--reference", "TE-1"
    )  # fmt: skip
    assert freed.out.splitlines()[0] == "已解除隔离 1 个药盒：K5011。"
    assert freed.out.splitlines()[2] == "  申办方决定  TE-1"
    english = cli("quarantine", "K5011", "--reason", "seal broken")
    assert english.out.splitlines()[0] == "Quarantined 1 kit: K5011."
    log = tmp_path / "logger.csv"
    log.write_text(
        "timestamp,celsius\n2026-03-01T10:00:00,21.0\n2026-03-01T11:00:00,27.5\n"
        "2026-03-01T12:00:00,22.0\n",
        encoding="utf-8",
    )
    warm = cli("--lang", "zh_CN", "temperature", "--area", "IP store 1", str(log))
    assert warm.code == 0, warm.err
    runs = [line for line in warm.out.splitlines() if "°C：已隔离" in line]
    assert runs and all(re.search(r"已隔离 \d+ 个药盒：[KB]\d", line) for line in runs), warm.out
    assert ": " not in warm.out


def test_an_enrolment_says_the_sex_in_chinese(cli: Cli) -> None:
    """`--lang zh_CN enroll` printed "F" for the sex."""
    enrolled = cli(
        "--lang", "zh_CN", "enroll", "01-131", "--initials", "QX", "--birth-year", "1968",
        "--sex", "F", "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Liu",
    )  # fmt: skip
    assert enrolled.code == 0, enrolled.err
    line = enrolled.out.splitlines()[0]
    assert "女" in line and ", F," not in line and "，F，" not in line, line
