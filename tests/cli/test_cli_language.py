"""Issue 13: the command's --lang (beside --db), a demo built in Chinese, and JSON that never
changes with the language."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_support import Cli

from dispensary.i18n import Language, catalogue, current_language


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


# -- the command's own text (issue 13): every sentence it prints goes through _() ----------------

CLI_SOURCE = Path(__file__).resolve().parents[2] / "src" / "dispensary" / "cli"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")
WORDS = re.compile(r"[A-Za-z]{2,}")
# Where the command writes: print(...), run.emit(data, lines), run.note(text), lines.append(...),
# and the refusals it raises (printed on stderr by program.py).
WRITERS = {"print", "emit", "note", "append", "extend", "insert", "table"}
NOT_WRITTEN = {
    # These write nothing a reader sees translated: JSON (keys and values) and argparse.
    "dumps": "JSON on stdout never changes with the language",
    "print_usage": "argparse's usage line, printed before --lang is read",
    "plural": "translates the word it is given itself (the words are in zh_CN-cli.po)",
    "TypeError": "json_default's: a programmer's mistake, never a reader's",
}
ALLOWED_LITERALS = {
    "#": "the audit list's column of entry numbers",
}


def _is_error(name: str) -> bool:
    return name.endswith(("Error", "Violation", "Input", "Permitted", "SignedIn", "Problem"))


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _untranslated(node: ast.AST) -> list[str]:
    """Literal text below `node` that is not the argument of _() (nor of a JSON dump)."""
    found: list[str] = []

    def visit(item: ast.AST) -> None:
        if isinstance(item, ast.Call):
            name = _call_name(item)
            if name in {"_", "pgettext", *NOT_WRITTEN}:
                return
            if isinstance(item.func, ast.Attribute):  # "x".format(...) etc.: the receiver
                visit(item.func.value)
            for arg in [*item.args, *(k.value for k in item.keywords)]:
                visit(arg)
            return
        if isinstance(item, ast.Dict):  # data (JSON), never text
            return
        if isinstance(item, ast.Subscript | ast.Compare):
            return
        if isinstance(item, ast.JoinedStr):
            text = "".join(
                str(v.value) if isinstance(v, ast.Constant) else "{}" for v in item.values
            )
            if WORDS.search(text) and text not in ALLOWED_LITERALS:
                found.append(f"f{text!r}")
            return
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            if WORDS.search(item.value) and item.value not in ALLOWED_LITERALS:
                found.append(repr(item.value))
            return
        for child in ast.iter_child_nodes(item):
            visit(child)

    visit(node)
    return found


def _cli_modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(CLI_SOURCE.glob("*.py"))]


def test_every_text_the_command_writes_is_translatable() -> None:
    untranslated: list[str] = []
    writers = 0
    for path, tree in _cli_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name in NOT_WRITTEN:
                continue
            if name in WRITERS or (_is_error(name) and node.args):
                writers += 1
                args = node.args[1:] if name == "emit" else node.args  # emit(data, lines)
                if name == "print":
                    args = [*args, *(k.value for k in node.keywords if k.arg != "file")]
                for arg in args:
                    untranslated += [f"{path.name}:{node.lineno}: {t}" for t in _untranslated(arg)]
    assert writers > 100  # the walk found the command's writes
    assert not untranslated, "\n".join(untranslated)


def _cli_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for path, tree in _cli_modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
            ):
                [arg] = node.args
                where = f"{path.name}:{node.lineno}"
                assert not isinstance(arg, ast.JoinedStr), f"{where}: an f-string inside _()"
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, where)
                # else a name: a constant marked N_("...") (found there) or plural()'s word
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "pgettext"
            ):
                context, text = (a.value for a in node.args if isinstance(a, ast.Constant))
                found.setdefault(f"{context}|{text}", f"{path.name}:{node.lineno}")
    return found


def _plural_words() -> set[str]:
    """The words the command gives plural() (it translates them itself), read from its calls."""
    return {
        node.args[1].value
        for _path, tree in _cli_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "plural"
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    }


def test_every_message_of_the_command_has_its_chinese() -> None:
    messages = _cli_messages()
    assert len(messages) > 200
    chinese = catalogue(Language.ZH_CN)
    problems = []
    for message, where in messages.items():
        text = chinese.get(message)
        if not text:
            problems.append(f"{where}: no Chinese for {message!r}")
        elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(message)):
            problems.append(f"{where}: the placeholders differ in {text!r}")
    words = _plural_words()
    assert {"kit", "tablet"} <= words  # the walk found plural()'s calls
    for word in sorted(words):
        if not chinese.get(word):  # the words plural() is given
            problems.append(f"plural(): no Chinese for {word!r}")
    assert not problems, "\n".join(problems)


def test_the_command_speaks_chinese_and_its_json_does_not_change(cli: Cli) -> None:
    english = cli("participants")
    chinese = cli("--lang", "zh_CN", "participants")
    assert english.code == chinese.code == 0, chinese.err
    assert "Number" in english.out and "Initials" in english.out
    assert "编号" in chinese.out and "Number" not in chinese.out
    number = cli("participants", "--json").json()[0]["study_number"]
    status_en = cli("history", number)
    status_zh = cli("--lang", "zh_CN", "history", number)
    assert status_en.code == status_zh.code == 0, status_zh.err
    assert "年出生" in status_zh.out and "born" in status_en.out
    assert cli("history", number, "--json").json() == (
        cli("--lang", "zh_CN", "history", number, "--json").json()
    )
    assert current_language() is Language.EN


def test_a_refusal_is_said_in_chinese(cli: Cli) -> None:
    english = cli("participants", user=None)
    chinese = cli("--lang", "zh_CN", "participants", user=None)
    assert english.code == chinese.code != 0
    assert english.err.startswith("Not signed in: ")
    assert chinese.err.startswith("未登录：")
    assert not chinese.out


def test_what_a_label_print_says_is_all_in_chinese(cli: Cli, tmp_path: Path) -> None:
    """The sentence a label print ends with names what was written in the reader's words, not
    an English phrase inside a Chinese sentence."""
    label = tmp_path / "label.pdf"
    made = cli("--lang", "zh_CN", "label", "dispense", "DSP000134", "--out", str(label))
    assert made.code == 0, made.err
    assert "DSP000134（01-009，第 7 周期）的发放标签" in made.out
    assert "the dispensing label" not in made.out and "cycle" not in made.out
    kits = cli("--lang", "zh_CN", "label", "shipment", "SH-0004", "--out", str(tmp_path / "k.pdf"))
    assert kits.code == 0, kits.err
    assert "货件 SH-0004 的" in kits.out and "张药盒标签" in kits.out
    assert "kit label" not in kits.out


def test_statuses_roles_and_accounts_in_a_table_are_in_the_readers_language(cli: Cli) -> None:
    """A table cell that holds a status, a role or an account's state is a word of the
    reader's language (the Chinese tables once showed 'on_treatment', 'pending', 'quarantined',
    'administrator', 'active'); the JSON keeps the stored values."""
    cases = [
        (("participants",), "pharmacist", ("on treatment", "completed", "due"), "治疗中"),
        (("inventory",), "pharmacist", ("available", "dispensed", "quarantined"), "可用"),
        (("user", "list"), "admin", ("Administrator", "Pharmacist", "active"), "管理员"),
    ]
    for args, user, english_words, chinese_word in cases:
        english = cli(*args, user=user)
        chinese = cli("--lang", "zh_CN", *args, user=user)
        assert english.code == chinese.code == 0, chinese.err
        assert any(word in english.out for word in english_words), english.out
        assert chinese_word in chinese.out, chinese.out
        left = [w for w in (*english_words, "on_treatment", "OVERDUE") if w in chinese.out]
        assert not left, (args, left)
    rows = cli("participants", "--json").json()
    assert {"on_treatment", "completed"} <= {row["status"] for row in rows}


def test_a_study_mistyped_on_a_database_of_several_names_them_and_the_option(
    cli: Cli, state: Callable[[str], dict[str, Any]]
) -> None:
    """The demo holds three studies: a mistyped --study is a usage mistake (exit 2, as a study
    left out is; it was "Database problem", exit 3) that says the study is not known, which
    there are and how to name one; DISPENSARY_STUDY is named when it is what named the study."""
    before = state(cli.db)
    wrong = cli("--study", "NOPE", "participants", user="admin")
    assert (wrong.code, wrong.out) == (2, ""), wrong.err
    assert "error: the study NOPE (--study) is not known in" in wrong.err, wrong.err
    assert "which holds NCT07198672, DEMO-28D-BID, DEMO-2DRUG: name one" in wrong.err
    assert "Database problem" not in wrong.err
    from_env = cli("participants", "--json", user="admin", env={"DISPENSARY_STUDY": "nope"})
    assert (from_env.code, from_env.out) == (2, "")
    assert "the study nope (DISPENSARY_STUDY) is not known" in from_env.err, from_env.err
    chinese = cli("--lang", "zh_CN", "--study", "NOPE", "participants", user="admin")
    assert chinese.code == 2
    assert "中没有研究 NOPE（由 --study 指定）" in chinese.err, chinese.err
    assert "holds" not in chinese.err
    # Anyone else is refused it as a study not given to them, their own studies listed.
    theirs = cli("--lang", "zh_CN", "--study", "NOPE", "participants", user="monitor")
    assert theirs.code == 4
    assert "monitor 没有可工作的研究 NOPE：本药房没有该研究，或 monitor 未获得" in theirs.err
    assert "monitor 的研究：NCT07198672。" in theirs.err and "has no" not in theirs.err
    several = cli("--lang", "zh_CN", "participants", user="monitor", env={"DISPENSARY_STUDY": None})
    assert several.code == 2 and "本数据库包含多个研究：" in several.err, several.err
    assert several.err.rstrip().endswith("您的研究：NCT07198672。")
    assert state(cli.db) == before


def test_a_usage_mistake_is_said_in_the_language_asked_for(cli: Cli) -> None:
    """--lang counts for argparse's own words too (they came in the system's language, and
    'usage:', 'error:', 'the following arguments are required' were English in Chinese)."""
    chinese = cli("--lang", "zh_CN", "enroll", "099")
    assert chinese.code == 2
    assert "用法：" in chinese.err and "缺少以下参数：--initials" in chinese.err, chinese.err
    assert not any(w in chinese.err for w in ("usage:", "error:", "required")), chinese.err
    english = cli("--lang", "en", "enroll", "099", env={"DISPENSARY_LANG": "zh_CN"})
    assert english.code == 2
    assert "the following arguments are required: --initials" in english.err, english.err
    bad_number = cli("--lang=zh_CN", "return", "01-001", "--kit", "K1", "--tablets", "abc")
    assert bad_number.code == 2 and "参数 --tablets：" in bad_number.err, bad_number.err
    assert current_language() is Language.EN
