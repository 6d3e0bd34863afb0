"""A return scanned again (`already_recorded`) is refused with the way to correct its count, in
the window and by command, named as the program names them: the Participants screen's title and
its "Correct return count..." button (whose dialog lists the return named), and the command
line's `correct-return` with its real options. Read from the screen and the parser themselves, so
that renaming either without the message fails here; in English and in Chinese."""

from __future__ import annotations

import argparse
import re
import shlex
from datetime import date

import pytest
from counter_fixtures import PASSWORDS, Counter
from pytestqt.qtbot import QtBot

from dispensary.cli.counter import cmd_correct_return
from dispensary.cli.program import build_parser
from dispensary.services import dispensing, queries, returns
from dispensary.services.assessment import ReturnCheck, ReturnRequest
from dispensary.ui.main_window import screen_title
from dispensary.ui.participants_view import CorrectReturnDialog, ParticipantsScreen

EXAMPLES = {"N": "3", "REASON": "recounted"}
"""A value for each option's metavar, to run the command the message gives."""


def refusal_of_a_second_return(counter: Counter) -> tuple[str, int]:
    """01-001's kit of cycle 1 counted back once, then assessed again: the refusal's message
    and the return's number."""
    pharm = counter.actor("pharm")
    first = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), PASSWORDS["pharm"]
    )
    counter.clock.set_date(date(2026, 1, 26))
    kit = first.kits[0].kit
    done = returns.record_return(
        counter.ctx, pharm, kit, 4, PASSWORDS["pharm"], dispense=first.number
    )
    found = returns.assess_return(
        counter.ctx, pharm, ReturnRequest(dispense=first.number, kit=kit, tablets=5)
    )
    assert [r.code for r in found.refusals] == [ReturnCheck.ALREADY_RECORDED]
    return found.refusals[0].message, done.return_id


def subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert name in commands.choices, f"no `dispensary {name}`"
    return commands.choices[name]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_return_already_recorded_names_the_window_and_the_command_that_correct_it(
    qtbot: QtBot, counter: Counter, language: str, request: pytest.FixtureRequest
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    message, number = refusal_of_a_second_return(counter)
    # The window: the screen by its title, the participant and cycle, the button by its text.
    screen = ParticipantsScreen(counter.session("pharm"))
    qtbot.addWidget(screen)
    # The button as shown: its Alt key ("Correct &return count...", 更正退药清点数(&R)...) left out.
    button = re.sub(r"\(&\w\)|&(?=\w)", "", screen.correct_return_button.text())
    assert button.startswith("更正" if language == "zh_CN" else "Correct")  # translated
    assert screen_title(ParticipantsScreen) in message
    assert button in message
    assert "01-001" in message and ("第 1 周期" if language == "zh_CN" else "cycle 1") in message
    # ... whose dialog lists the return the message names, to pick.
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    dialog = CorrectReturnDialog(counter.session("pharm"), rows[0])
    qtbot.addWidget(dialog)
    assert number in [dialog.which.itemData(i) for i in range(dialog.which.count())]
    # The command: the real sub-command, each option with the real parser's metavar, the number.
    (command,) = re.findall(r"`(dispensary correct-return [^`]*)`", message)
    argv = shlex.split(command)[1:]
    parser = build_parser()
    correct = subcommand(parser, argv[0])
    metavars = {  # as `--help` shows them: the metavar, else the name in capitals
        a.option_strings[0]: a.metavar or a.dest.upper()
        for a in correct._actions
        if a.required and a.option_strings
    }
    assert metavars, "correct-return has no required option"
    for option, metavar in metavars.items():
        assert option in argv, f"{option} is not in the message"
        assert argv[argv.index(option) + 1] == metavar, f"{option} {metavar}"
    args = parser.parse_args([EXAMPLES.get(word, word) for word in argv])
    assert args.handler is cmd_correct_return
    assert args.return_id == number
