"""docs/CLI.md and the command's own help say the same thing: every option of a command is in
the command's paragraph of the reference, an option the help calls required is required, and
every option of destroy and count says what it is."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from cli_support import Cli

from dispensary import cli as command
from dispensary.cli.program import build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "CLI.md").read_text(encoding="utf-8")
GLOBAL = {"--db", "--user", "--json", "--lang", "--study", "--help"}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[" ".join((*path, name))] = sub
                found |= _commands(sub, (*path, name))
    return found


COMMANDS = _commands(build_parser())


def _paragraphs() -> dict[str, str]:
    """The reference's text about each command: from the paragraph that starts with its usage
    (**`dispense NUMBER...`) to the next command's or heading, by the command's name (one or
    two words)."""
    found: dict[str, str] = {}
    name = ""
    for paragraph in re.split(r"\n\s*\n", DOC):
        usage = re.match(r"\*\*`([a-z-]+(?: [a-z-]+)?)", paragraph)
        if usage:
            name = usage.group(1) if usage.group(1) in COMMANDS else usage.group(1).split()[0]
        elif paragraph.startswith("#"):
            name = ""
        if name:
            found[name] = found.get(name, "") + "\n" + paragraph
    return found


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [
        o
        for a in parser._actions
        for o in a.option_strings
        if o.startswith("--") and o not in GLOBAL
    ]


def test_every_option_of_a_command_is_in_its_paragraph() -> None:
    paragraphs = _paragraphs()
    assert {"dispense", "inventory", "destroy", "count", "check dispense"} <= set(paragraphs)
    missing = [
        f"{name} {option}"
        for name, text in paragraphs.items()
        for option in _options(COMMANDS[name])
        if option not in text
    ]
    assert not missing, "options not in their command's paragraph of docs/CLI.md: " + ", ".join(
        missing
    )


def test_the_usage_line_names_every_global_option() -> None:
    [usage] = [line for line in DOC.splitlines() if line.startswith("dispensary [--db")]
    for option in ("--db", "--user", "--study", "--json", "--lang"):
        assert f"[{option} " in usage or f"[{option}]" in usage, (option, usage)


def test_an_option_the_help_calls_required_is_required() -> None:
    destroy = COMMANDS["destroy"]
    for action in destroy._actions:
        if action.help and "(required)" in action.help:
            assert action.required, action.option_strings
    usage = destroy.format_usage()
    assert "--reference TEXT" in usage and "[--reference TEXT]" not in usage
    check = COMMANDS["check destroy"].format_usage()
    assert "[--reference TEXT]" in check  # a check may leave it out, to see what it would meet


def test_destroy_without_its_reference_is_a_usage_mistake(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["destroy", "K0001", "--witness", "tech", "--method", "incineration"]
    assert command.main(argv) == 2
    assert "--reference" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_says_what_it_is(name: str) -> None:
    """Every command's every option says in its --help what it takes (a report's --lot,
    --participant and --kit, enroll's --initials, user add's --role... had none)."""
    bare = [
        a.option_strings[0]
        for a in COMMANDS[name]._actions
        if a.option_strings and a.option_strings[0] not in GLOBAL and not a.help
    ]
    assert not bare, f"{name}: options without help: {bare}"


def test_the_certificate_without_a_destruction_is_documented_with_its_exit_code() -> None:
    """It lists the destructions from the database and refuses (3), as a destruction not found
    does: tests/cli/test_cli_labels_reports.py runs it."""
    [row] = [line for line in DOC.splitlines() if line.startswith("| `certificate` |")]
    assert "(exit 3" in row and "exit 2" not in row


def test_the_quoted_sign_in_refusal_is_the_commands_own(cli: Cli) -> None:
    """The Output section quotes a failed sign-in's line on stderr: the command's own words."""
    refused = cli("study", "list", env={"DISPENSARY_PASSWORD": "a-wrong-guess-1"})
    assert refused.code == 4
    [line] = refused.err.splitlines()
    assert line.startswith("Not signed in: ")
    assert f"\n{line}\n" in DOC
