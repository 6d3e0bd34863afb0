"""`dispensary --help` in Simplified Chinese: under a Chinese locale every command's help says
its description, its options' help, argparse's own words and the end of `dispensary --help` in
Chinese, and a usage mistake is said in Chinese (still exit 2); option names, command names and
metavars stay as they are typed. Under English nothing changed.

The check reads the help as printed: a stretch of it in ASCII (Chinese characters and full-width
marks end one) may hold what a user types (options, commands, metavars, choices, variables,
file names and values) but not an English word of a sentence.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispensary.cli import main
from dispensary.cli.core import display_width
from dispensary.cli.program import build_parser
from dispensary.domain.audit_actions import AuditAction
from dispensary.i18n import Language, speaking
from dispensary.pdffonts import NO_LINE_START

SRC = Path(__file__).resolve().parents[2] / "src"

ASCII_RUN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
PROSE = re.compile(r"[A-Za-z][a-z]+(?:'s)?")
"""An English word as a sentence writes it: `dispense`, `Investigational`, `sponsor's`; never
NAME, PostgreSQL, zh_CN, weight=61.5 or K1,K2."""
TYPED = {
    "dispensary": "the program's name",
    "stdout": "the stream a script reads (--json), by its name",
    "stderr": "the stream errors go to, by its name",
    "en": "a value of --lang",
}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def flat(text: str) -> str:
    """The text without its spaces and line breaks: a sentence, wherever the lines broke."""
    return "".join(text.split())


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))


def _typed_words() -> set[str]:
    """What a user types, in every parser: command names, option names, metavars, positional
    names, choices (words of the help that are not to be translated)."""
    words = set(TYPED) | {lang.value for lang in Language}
    words |= {action.value for action in AuditAction}  # typed to `audit list --action`
    for path, parser in COMMANDS:
        words.update(path)
        for action in parser._actions:
            words.update(action.option_strings)
            if not action.option_strings:
                words.add(action.dest)
            metavar = action.metavar
            words.update(metavar if isinstance(metavar, tuple) else [metavar or ""])
            words.update(str(choice) for choice in action.choices or ())
    return words - {""}


TYPED_WORDS = _typed_words()


def english_left(text: str, typed: set[str] = TYPED_WORDS) -> list[str]:
    """The stretches of `text` that hold an English word of a sentence, not something typed."""
    found = []
    for run in ASCII_RUN.findall(text):
        for token in run.split():
            word = token.strip("()[]{},;:!?'\"`").rstrip(".")  # not a suffix's point (.pub)
            if word in typed or word.startswith("-") or not PROSE.fullmatch(word):
                continue
            found.append(run)
            break
    return found


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def chinese_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workstation's language is Chinese (as LANG=zh_CN.UTF-8 says it), no --lang given."""
    monkeypatch.setenv("DISPENSARY_LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.usefixtures("chinese_locale")
def test_every_commands_help_is_chinese_under_a_chinese_locale(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(COMMANDS) > 60  # every command and action, `dispensary` itself first
    untranslated = []
    for path, _parser in COMMANDS:
        code, out, err = _run([*path, "--help"], capsys)
        assert (code, err) == (0, ""), path
        assert out.startswith("用法：dispensary"), out[:80]
        assert "选项：\n" in out and "options" not in out
        untranslated += [f"dispensary {' '.join(path)}: {run!r}" for run in english_left(out)]
    assert not untranslated, "English left in the Chinese help:\n" + "\n".join(untranslated)


@pytest.mark.usefixtures("chinese_locale")
def test_the_chinese_help_fits_the_terminal_and_breaks_lines_as_chinese_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """argparse filled lines by characters: a Chinese line took twice the terminal's width, and
    the usage's second line stood three columns left of the program's name after 用法：."""
    for path, _parser in COMMANDS:
        code, out, _err = _run([*path, "--help"], capsys)
        assert code == 0
        usage, _blank, body = out.partition("\n\n")
        lines = usage.splitlines()
        if len(lines) > 1:
            prog = f"用法：dispensary {' '.join(path)}".rstrip()
            assert len(lines[1]) - len(lines[1].lstrip()) == display_width(prog) + 1, usage
        for line in body.splitlines():
            if CJK.search(line):
                assert display_width(line) <= 78, line
                assert line.strip()[0] not in NO_LINE_START, line


USAGE_MISTAKES = [
    (["dispense"], "缺少以下参数：STUDY_NUMBER, --cycle, --day1"),
    (["dispence"], "无效的选择：'dispence'"),
    (["--db"], "参数 --db：需要给出一个值"),
    (["participants", "--bogus"], "无法识别的参数：--bogus"),
    (["dispense", "01-001", "--cycle", "1", "--day1", "2027-01-04", "--kit"], "至少需要给出一个值"),
    (["participants", "--json=yes"], "参数 --json：此选项不接受值（给出了 'yes'）"),
    (["destroy", "K0001", "--witness", "tech", "--method", "x"], "缺少以下参数：--reference"),
]


@pytest.mark.usefixtures("chinese_locale")
def test_a_usage_mistake_is_said_in_chinese_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """argparse's words for an option given no value or a value it takes none of were English
    ('expected at least one argument', 'ignored explicit argument')."""
    for argv, words in USAGE_MISTAKES:
        code, out, err = _run(argv, capsys)
        assert (code, out) == (2, ""), argv
        assert err.startswith("用法：dispensary") and "：错误：" in err, err
        assert words in err, err
        given = {piece for arg in argv for piece in arg.split("=")}  # what the user typed
        assert not english_left(err, TYPED_WORDS | given), err


def test_one_parser_says_its_help_in_either_language_and_english_is_unchanged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The texts are translated as the help is written, not when the parser is built: the
    parser holds the English (the reference's tests read it), and prints either language."""
    parser = dict(COMMANDS)[("destroy",)]
    witness = next(a for a in parser._actions if "--witness" in a.option_strings)
    assert witness.help == (
        "user name of the witness, another active user (DISPENSARY_WITNESS_PASSWORD) (required)"
    )
    with speaking(Language.ZH_CN):
        chinese = parser.format_help()
    with speaking(Language.EN):
        english = parser.format_help()
    assert "见证人的用户名，须为另一位启用的用户（DISPENSARY_WITNESS_PASSWORD）（必填）" in flat(
        chinese
    )
    assert flat(witness.help) in flat(english) and not CJK.search(english)

    code, out, _err = _run(["--help"], capsys)
    assert code == 0 and not CJK.search(out)
    assert out.startswith("usage: dispensary [-h] [--version]")
    for words in (
        "positional arguments:\n",
        "options:\n  -h, --help           show this help message and exit",
        "Investigational drug accountability for a clinical-trial site pharmacy.",
        "    dispense           dispense a cycle (signed with your password)\n",
        "passwords: DISPENSARY_NEW_PASSWORD for user add, user password, user reset-password;\n"
        "           DISPENSARY_VERIFIER_PASSWORD for count --verified-by;\n",
    ):
        assert words in out
    assert english_left(out)  # the check finds English where there is some
    code, out, err = _run(["dispense", "01-001", "--kit"], capsys)
    assert code == 2 and not CJK.search(err)
    assert "error: argument --kit: expected at least one argument" in err


def test_the_help_follows_the_workstations_locale() -> None:
    """The real command, with LANG as a Chinese workstation sets it and nothing else."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPENSARY_LANG", "LC_ALL")}
    env |= {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "", "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "dispensary.cli", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("用法：dispensary")
    assert "退出码：" in proc.stdout and "exit codes" not in proc.stdout
    assert not english_left(proc.stdout)


def test_an_output_in_a_legacy_encoding_gets_plain_letters_not_a_traceback(
    tmp_path: Path,
) -> None:
    """Redirected on a Chinese Windows, the output is GBK, which has no ⁹: the help of
    `dispense` (its platelet unit ×10⁹/L) stopped with UnicodeEncodeError; it says ×10^9/L."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "dispensary.cli", "--lang", "zh_CN", "dispense", "--help"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert "血小板计数，×10^9/L" in done.stdout.decode("gbk")


def test_the_sign_off_note_is_described_in_either_language() -> None:
    """`sign-off --help` listed `--note TEXT` with no description, in both languages."""
    parser = dict(COMMANDS)[("sign-off",)]
    with speaking(Language.EN):
        english = flat(parser.format_help())
    with speaking(Language.ZH_CN):
        chinese = flat(parser.format_help())
    assert flat("--note TEXT what was checked at the visit, kept with the sign-off") in english
    assert flat("--note TEXT 访视时核查的内容，与签名确认一同保存") in chinese


def test_every_option_and_argument_has_its_help_and_a_positional_says_what_it_takes() -> None:
    """The finding: --cycle, --tablets, --condition, --reason, --tablets-per-kit, audit list's
    --db and --json had no help line, and `dispense` took a bare "number" (a study number? a
    dispense's?). Each of them says what it takes, in both languages (the help test above)."""
    named = {"--cycle", "--tablets", "--condition", "--reason", "--tablets-per-kit", "--db"}
    named |= {"--json", "number", "dispense"}
    bare = [
        f"dispensary {' '.join(path)} {a.option_strings[0] if a.option_strings else a.dest}"
        for path, parser in COMMANDS
        for a in parser._actions
        if a.help is None and (a.option_strings[0] if a.option_strings else a.dest) in named
    ]
    assert not bare, "no help line:\n" + "\n".join(bare)
    metavars = {
        (" ".join(path), a.dest): a.metavar
        for path, parser in COMMANDS
        for a in parser._actions
        if not a.option_strings and a.dest in {"number", "dispense"}
    }
    assert metavars[("dispense", "number")] == "STUDY_NUMBER"
    assert metavars[("void", "dispense")] == "DSPnnnnnn"
    assert None not in metavars.values(), metavars
