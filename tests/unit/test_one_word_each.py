"""A status, a finding, a role or a reason code is one word in Chinese wherever it is read: the
windows name it through their vocabulary (ui/vocabulary.py, the .ts context "Vocabulary"), the
command and the reports through the program's catalogue (.po). A pharmacist reading 药剂技术员
in the user list and 技术员 on the report would ask whether they are two roles."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from babel.messages.pofile import read_po

from dispensary.i18n import Language, resource


def _program() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(resource("i18n").glob(f"{Language.ZH_CN.value}*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if isinstance(message.id, str) and message.id and message.string:
                    found.setdefault(message.id, set()).add(str(message.string))
    return found


def _vocabulary() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(resource("i18n", "ui").glob(f"*_{Language.ZH_CN.value}.ts")):
        for context in ET.parse(path).getroot().iter("context"):
            if context.findtext("name") != "Vocabulary":
                continue
            for message in context.iter("message"):
                chinese = message.findtext("translation") or ""
                if chinese:
                    found[message.findtext("source") or ""] = chinese
    return found


def test_the_windows_and_the_program_name_each_term_alike() -> None:
    program, vocabulary = _program(), _vocabulary()
    assert len(vocabulary) > 40
    differ = [
        f"{english!r}: windows {chinese!r}, program {sorted(program[english])}"
        for english, chinese in sorted(vocabulary.items())
        if english in program and program[english] != {chinese}
    ]
    assert not differ, "\n".join(differ)
