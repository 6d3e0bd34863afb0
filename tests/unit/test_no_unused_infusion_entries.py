"""The old "Check the infusion date" messages are said nowhere since day 1 is named by the study
file ([cycle] day1_event): their Chinese in zh_CN-messages.po was left behind, unused, a wording
of one study a translator might keep up or copy back. Every entry of the catalogues that speaks
of an infusion is one the program marks for translation."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

from dispensary.packaged import resource

SRC = Path(__file__).resolve().parents[2] / "src" / "dispensary"


def marked() -> set[str]:
    """Every text of the program marked `_("...")` or `N_("...")`, in every layer."""
    found: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_no_catalogue_keeps_an_unused_infusion_message() -> None:
    said = marked()
    assert "Check the date of {event}." in said  # the walk finds the messages that replaced them
    left: list[str] = []
    for po in sorted(resource("i18n").glob("zh_CN*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                text = str(message.id) if message.id else ""
                if "infusion" in text.lower() and text not in said:
                    left.append(f"{po.name}: {text}")
    assert not left, left
