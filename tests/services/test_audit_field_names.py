"""Every value an audit entry records is shown by its name, in the reader's language: the audit
trail screen and the audit report showed the stored keys ("destroyed_on", "day1") to a Chinese
inspector. The demo pharmacy writes every kind of step the program has."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dispensary.domain.audit_actions import FIELD_NAMES, field_name
from dispensary.i18n import Language, speaking
from dispensary.services import demo
from dispensary.study import Study, bundled_studies, load_study


def test_every_value_the_demo_records_has_a_name_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    demo.build_demo(str(path))
    keys: set[str] = set()
    with sqlite3.connect(path) as db:
        for row in db.execute("SELECT new, old FROM audit_entries"):
            for text in row:
                try:
                    values = json.loads(text) if text else None
                except json.JSONDecodeError:
                    continue
                if isinstance(values, dict):
                    keys.update(values)
    assert len(keys) > 60, keys  # the demo's steps: receive, dispense, return, count, destroy...
    assert not keys - FIELD_NAMES.keys(), sorted(keys - FIELD_NAMES.keys())
    with speaking(Language.ZH_CN):
        untranslated = [k for k in FIELD_NAMES if field_name(k).isascii()]
    assert not untranslated, untranslated
    with speaking(Language.EN):
        assert field_name("destroyed_on") == "Destroyed on"
        assert field_name("written_by_a_newer_version") == "written_by_a_newer_version"


def test_a_coded_value_is_said_in_the_readers_words_in_every_language() -> None:
    """An English inspector read "Status: on_treatment" and "Sex: F": the stored codes. Each
    code is said in words in English too (lower case after its name); free text and numbers,
    and a code this version does not write, as stored."""
    from dispensary.domain.audit_actions import value_shown

    coded = [
        ("role", "pharmacist"),
        ("sex", "F"),
        ("signature", "dispensed"),
        ("status", "on_treatment"),
        ("status", "quarantined"),
        ("reason_code", "breakage"),
        ("reason_code", "damaged"),
    ]
    with speaking(Language.ZH_CN):
        shown = [value_shown(k, v) for k, v in coded]
        assert shown == ["药师", "女", "已发放", "治疗中", "已隔离", "破损", "破损或污染"], shown
        # Not a code of that key, or another key: as recorded.
        assert value_shown("role", "wizard") == "wizard"
        assert value_shown("kit", "K0001") == "K0001" and value_shown("cycle", 3) == 3
    with speaking(Language.EN):
        shown = [value_shown(k, v) for k, v in coded]
        assert shown == [
            "pharmacist",
            "female",
            "dispensed",
            "on treatment",
            "quarantined",
            "breakage",
            "damaged or contaminated",
        ], shown
        more = [
            ("status", "discontinued"),
            ("status", "closed"),  # a study's
            ("role", "administrator"),
            ("sex", "M"),
            ("reason_code", "temperature_excursion"),
            ("reason_code", "sponsor_instruction"),
            ("outcome", "not_brought_back"),
            ("meaning", "return counted"),
        ]
        assert [value_shown(k, v) for k, v in more] == [
            "discontinued",
            "closed",
            "administrator",
            "male",
            "temperature excursion (sponsor rejected)",
            "other written instruction of the sponsor",
            "not brought back",
            "return counted",
        ]
        assert value_shown("flags", ["under_use", "not_brought_back"]) == [
            "under-use (missed doses)",
            "not brought back (unaccounted for)",
        ]
        for key, value in (("note", "Bottle Cracked"), ("role", "wizard"), ("cycle", 3)):
            assert value_shown(key, value) == value
    with speaking(Language.ZH_CN):
        assert value_shown("status", "closed") == "已关闭"
        assert value_shown("flags", ["over_use"]) == ["用药过量（安全性信号）"]


def test_the_audit_reports_values_read_as_the_screens_in_chinese() -> None:
    from dispensary.reports.audit import _values

    stored = '{"role": "pharmacist", "cycle": 3, "day1": "2026-01-05"}'
    with speaking(Language.ZH_CN):
        assert _values(stored) == "角色：药师；周期：3；第1天：2026-01-05"
    with speaking(Language.EN):
        assert _values(stored) == "Role: pharmacist; Cycle: 3; Day 1: 2026-01-05"


def test_an_excursion_s_range_is_named_in_both_languages() -> None:
    """An excursion's entry records whose range was left (services/temperature): named, not
    shown as min_celsius to a reader."""
    for key, english, chinese in (
        ("min_celsius", "Lowest allowed (°C)", "允许最低（°C）"),
        ("max_celsius", "Highest allowed (°C)", "允许最高（°C）"),
    ):
        with speaking(Language.EN):
            assert field_name(key) == english
        with speaking(Language.ZH_CN):
            assert field_name(key) == chinese


SIGN_OFF = (
    '{"discrepancies": 2, "products": [["herombopag-2.5mg", 588, 420, 8, true], '
    '["herombopag-7.5mg", 2520, 672, 93, false]]}'
)
"""A reconciliation sign-off's entry as services.reconciliation.sign_off writes it."""


def _study() -> Study:
    return load_study(bundled_studies() / "NCT07198672.toml")


def test_a_sign_offs_balances_are_labelled_and_its_products_named() -> None:
    """Stored as bare lists ([code, received, on hand, held returned, balanced]): the report
    printed them so, numbers an inspector cannot read. Each number is named, the product by
    the study file's name for it in the reader's language."""
    from dispensary.reports.audit import _values

    study = _study()
    with speaking(Language.ZH_CN):
        assert _values(SIGN_OFF, study) == (
            "差异：2；药品：海曲泊帕乙醇胺片 2.5 mg：已接收 588，库存 420，退回留存 8，"
            "账目平衡；海曲泊帕乙醇胺片 7.5 mg：已接收 2520，库存 672，退回留存 93，"
            "账目不平衡"
        )
    with speaking(Language.EN):
        assert _values(SIGN_OFF, study) == (
            "Discrepancies: 2; Products: herombopag (hetrombopag olamine) 2.5 mg tablet: "
            "received 588, on hand 420, held returned 8, balances; herombopag (hetrombopag "
            "olamine) 7.5 mg tablet: received 2520, on hand 672, held returned 93, does not "
            "balance"
        )
        # Without the study (or a product it no longer has): the product's code.
        assert _values(SIGN_OFF).startswith(
            "Discrepancies: 2; Products: herombopag-2.5mg: received 588, on hand 420"
        )


def test_another_products_value_is_shown_as_stored() -> None:
    from dispensary.domain.audit_actions import value_shown

    for value in (["a", "b"], [["a", 1, 2]], [["a", 1, 2, 3, "yes"]], "herombopag-2.5mg"):
        with speaking(Language.EN):
            assert value_shown("products", value) == value


def test_a_returns_outcome_is_said_in_the_readers_words() -> None:
    """ "结果：counted" beside "签名：已发放": the outcome is a code of the program too."""
    from dispensary.domain.audit_actions import value_shown
    from dispensary.reports.audit import _values

    with speaking(Language.ZH_CN):
        assert value_shown("outcome", "counted") == "已清点退回"
        assert value_shown("outcome", "not_brought_back") == "未带回"
        assert _values('{"outcome": "counted", "tablets": 3}') == "结果：已清点退回；数量：3"
    with speaking(Language.EN):
        assert value_shown("outcome", "counted") == "counted"


def test_the_acknowledgement_of_returns_no_monitor_saw_has_a_name() -> None:
    """A destruction with --unseen-returns-ok recorded "unseen_returns_acknowledged: K1093"
    in the audit report, in Chinese too: the key has a name in both languages."""
    key = "unseen_returns_acknowledged"
    with speaking(Language.EN):
        assert field_name(key) == "Destroyed before a monitor saw the return"
    with speaking(Language.ZH_CN):
        assert field_name(key) == "监查员查看退回前销毁"


def _keys_written_by_the_services() -> dict[str, str]:
    """Every key of a dict literal (and of a dict filled in by key) in a service function that
    writes an audit entry, with where: the values an entry may record, read from the source.
    The demo test above reads only what the demo does: it never changes a password made with
    a temporary one, backs up, sets the idle lock or imports a logger over held kits, so the
    keys of those steps went unnamed ("temporary_set_as: user_added" in the audit trail)."""
    import ast

    import dispensary.services

    found: dict[str, str] = {}
    for path in sorted(Path(dispensary.services.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(ast.walk(function))
            if not any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "audit"
                for n in nodes
            ):
                continue
            for node in nodes:
                keys: list[ast.expr | None] = []
                if isinstance(node, ast.Dict):
                    keys = list(node.keys)
                elif isinstance(node, ast.Assign):
                    keys = [t.slice for t in node.targets if isinstance(t, ast.Subscript)]
                for key in keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        found.setdefault(key.value, f"{path.name}:{function.name}")
    return found


def test_every_value_a_service_records_has_a_name() -> None:
    from dispensary.domain.audit_actions import TECHNICAL_FIELDS

    written = _keys_written_by_the_services()
    assert {"temporary_set_by", "with_temporary_password", "destroyed_on"} <= written.keys()
    unnamed = {k: where for k, where in written.items() if k not in FIELD_NAMES}
    assert not unnamed.keys() - TECHNICAL_FIELDS, unnamed


def test_a_password_changed_with_a_temporary_one_reads_in_words() -> None:
    """Every "Password changed" entry made with a temporary password printed its stored keys
    and the code of the step that set it: "temporary_set_as: user_added; temporary_set_by:
    boss; with_temporary_password: yes"."""
    from dispensary.reports.audit import _values

    stored = json.dumps(
        {
            "with_temporary_password": "yes",
            "temporary_set_by": "boss",
            "temporary_set_at": "2026-12-01T08:00:00+00:00",
            "temporary_set_as": "user_added",
        }
    )
    with speaking(Language.EN):
        shown = _values(stored)
        assert "temporary_" not in shown and "user_added" not in shown, shown
        assert "Made with a temporary password: yes" in shown
        assert "Temporary password set by: boss" in shown
        assert "Temporary password from: User added" in shown
    with speaking(Language.ZH_CN):
        shown = _values(stored)
        assert "使用临时密码修改：是" in shown and "临时密码来自：添加用户" in shown, shown
        assert "临时密码设置人：boss" in shown and "temporary" not in shown


def test_a_restore_whose_accounts_were_not_checked_is_read_in_the_readers_language() -> None:
    """`restore --force` over a file that could not be read stored the English sentence in its
    entry's `accounts_not_checked`, whatever the language; it stores a code, said in the
    reader's words, and an entry written before (the English sentence) reads the same."""
    from dispensary.domain.audit_actions import (
        ACCOUNTS_NOT_CHECKED,
        REPLACED_UNREADABLE,
        field_name,
        value_shown,
    )

    for stored in (REPLACED_UNREADABLE, ACCOUNTS_NOT_CHECKED):
        with speaking(Language.EN):
            assert field_name("accounts_not_checked") == "Account changes not checked"
            said = value_shown("accounts_not_checked", stored)
            assert said == (
                "the replaced database could not be read: account changes made since the "
                "backup (deactivations, lock-outs, passwords) could not be checked: review the "
                "users, and make again those that still hold."
            ), said
        with speaking(Language.ZH_CN):
            assert field_name("accounts_not_checked") == "未核对的账户变更", field_name(
                "accounts_not_checked"
            )
            said = value_shown("accounts_not_checked", stored)
            assert said == (
                "无法读取被替换的数据库：备份之后所做的账户变更（停用、锁定、密码）未能核对："
                "请审核各用户，并重新进行仍然有效的变更。"
            ), said
    with speaking(Language.ZH_CN):  # another key's value, or another value: as stored
        assert value_shown("accounts_not_checked", "something else") == "something else"
