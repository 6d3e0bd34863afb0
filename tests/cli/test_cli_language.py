"""Issue 13: the command's --lang (beside --db), a demo built in Chinese, and JSON that never
changes with the language."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.i18n import Language, current_language


def test_a_language_the_program_does_not_speak_is_a_usage_error(cli: Cli) -> None:
    result = cli("--lang", "fr", "participants")
    assert result.code == 2
    assert "'fr' is not a language the program speaks: use en, zh_CN" in result.err


def test_json_keys_are_the_same_in_every_language(cli: Cli) -> None:
    english = cli("participants", "--json")
    chinese = cli("--lang", "zh_CN", "participants", "--json")
    assert english.code == chinese.code == 0
    assert english.json() == chinese.json()
    assert current_language() is Language.EN  # the in-process run put the language back


def test_a_demo_built_in_chinese_confirms_its_label_text_and_speaks_chinese(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "demo-zh_CN.sqlite3")
    cli = Cli(db, tmp_path)
    built = cli("--lang", "zh_CN", "demo", "--db", db, "--json", user=None)
    assert built.code == 0, built.err
    rules = cli("study", "rules", "--json", user="admin")
    assert rules.code == 0, rules.err
    [text] = [r for r in rules.json() if r["rule"] == "label.text.zh_CN"]
    assert text["confirmed"] and text["confirmed_by"] == "admin"
    users = cli("user", "list", "--json", user="admin")
    assert users.code == 0, users.err
    assert {u["username"]: u["language"] for u in users.json()}["pharmacist"] == "zh_CN"
