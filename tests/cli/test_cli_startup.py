"""`dispensary --help` stays quick: the help and the usage mistakes of a command load its module
of the cli package and nothing heavy; the services (and SQLAlchemy with them), the PDF
renderers and Qt load only when a command runs.

Each case runs `main()` in a fresh interpreter, so that what the test process already imported
does not hide what the command line imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module
from typing import Any

import pytest

from dispensary.cli import program

HEAVY = ("sqlalchemy", "alembic", "dispensary.services", "dispensary.db", "reportlab", "PySide6")
SHARES = {"report": ("forecast",), "label": ("forecast",)}
"""Command modules another command's parser uses too (`report forecast --weeks` is the forecast's)."""

_PROBE = """\
import contextlib, io, json, sys
from dispensary.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "help": out.getvalue()[:200], "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--help"], 0),
        (["receive", "--help"], 0),
        (["user", "--help"], 0),
        (["user", "add", "--help"], 0),
        (["check", "dispense", "--help"], 0),
        (["audit", "list", "--help"], 0),
        (["report", "--help"], 0),
        (["report", "darf", "--help"], 0),
        (["report", "forecast", "--help"], 0),
        (["report", "certificate", "--help"], 0),
        (["report", "darf"], 2),
        (["label", "--help"], 0),
        (["label", "dispense", "--help"], 0),
        (["label", "shipment"], 2),
        (["dispense", "01-001", "--cycle", "two"], 2),
        (["dispence"], 2),
        ([], 2),
    ],
)
def test_help_and_usage_mistakes_load_no_service_renderer_or_qt(argv: list[str], code: int) -> None:
    seen = _probe(argv)
    assert seen["code"] == code
    if code == 0:
        assert seen["help"].startswith("usage: dispensary")
    heavy = [m for m in seen["modules"] if m.startswith(HEAVY)]
    assert heavy == [], f"`dispensary {' '.join(argv)}` imported {heavy[:8]}"
    command_modules = {m for m in seen["modules"] if m.startswith("dispensary.cli.")}
    named = {f"dispensary.cli.{c.module}" for c in program.COMMANDS if argv and c.name == argv[0]}
    named |= {f"dispensary.cli.{m}" for m in SHARES.get(argv[0] if argv else "", ())}
    others = {f"dispensary.cli.{c.module}" for c in program.COMMANDS} - named
    assert not command_modules & others, "only the module of the command named is loaded"


def test_report_help_in_chinese_loads_no_service_renderer_or_qt() -> None:
    """The report catalogue builds the parser in every language without the services: the
    titles are translated where shown, not gathered."""
    for argv in (
        ["--lang", "zh_CN", "report", "--help"],
        ["--lang", "zh_CN", "report", "lot", "-h"],
    ):
        seen = _probe(argv)
        assert seen["code"] == 0
        assert seen["help"].startswith("用法：dispensary report")
        heavy = [m for m in seen["modules"] if m.startswith(HEAVY)]
        assert heavy == [], f"`dispensary {' '.join(argv)}` imported {heavy[:8]}"
        renderers = [m for m in seen["modules"] if m.startswith("dispensary.reports.")]
        assert renderers == ["dispensary.reports.catalogue"], "no renderer, only the catalogue"


def _probe(argv: list[str]) -> dict[str, Any]:
    """`main(argv)` in a fresh interpreter: its exit code, the start of its help, its modules."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen: dict[str, Any] = json.loads(proc.stdout)
    return seen


def test_each_command_module_adds_exactly_the_commands_the_table_gives_it() -> None:
    for module in {c.module for c in program.COMMANDS}:
        parsers = import_module(f"dispensary.cli.{module}").PARSERS
        assert sorted(parsers) == sorted(c.name for c in program.COMMANDS if c.module == module)
    assert len({c.name for c in program.COMMANDS}) == len(program.COMMANDS)
