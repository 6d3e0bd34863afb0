"""The command lines the guides give whole (those that begin with a global option, `dispensary
--user admin ...`, `dispensary --db ...`, to be copied as they are) parse: the administrator's
guide gave `dispensary --user admin restore backups/FILE.sqlite3`, which stops at once for
want of --reason."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from dispensary.cli.program import build_parser

GUIDES = Path(__file__).resolve().parents[2] / "resources" / "guides"


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for guide in sorted(GUIDES.glob("*.md")):
        for line in re.findall(r"`(dispensary --[^`]+)`", guide.read_text(encoding="utf-8")):
            found.append((guide.name, line))
    return found


def test_the_guides_give_the_restore_command_line_whole() -> None:
    restores = [line for _guide, line in _command_lines() if " restore " in line]
    assert len(restores) >= 2, restores  # the administrator's guide, in both languages


@pytest.mark.parametrize(("guide", "line"), _command_lines())
def test_each_whole_command_line_in_the_guides_parses(guide: str, line: str) -> None:
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(shlex.split(line)[1:])
    except SystemExit as exc:
        assert not exc.code, f"{guide}: `{line}` does not parse: {said.getvalue().strip()}"
