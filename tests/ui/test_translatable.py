"""Issue 13: every word of the windows is translatable, and the Chinese catalogue is finished.

A string a user reads must reach Qt through `self.tr(...)`, `QCoreApplication.translate(...)`
or `QT_TRANSLATE_NOOP(...)` (a table's column titles, translated where shown): those are what
pyside6-lupdate collects. The check reads the source of ui/ (the abstract syntax tree) and
names every literal that looks like words and reaches the windows any other way.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dispensary.i18n import Language
from dispensary.ui import translations

UI = Path(translations.__file__).resolve().parent

TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}
"""Calls whose string arguments lupdate collects."""

NOT_SHOWN = {
    # Qt names, styles, properties and keys: never read by a user.
    "setObjectName",
    "setProperty",
    "property",
    "setStyleSheet",
    "QFont",
    "setFamily",
    "findChild",
    "findChildren",
    "QKeySequence",
    "QIcon",
    "fromTheme",
    "QLocale",
    "toString",
    "fromString",
    "QDate",
    "setDisplayFormat",
    "QTranslator",
    "load",
    "Signal",
    "Slot",
    # Python: text handling, files, errors for programmers, logs.
    "getattr",
    "setattr",
    "hasattr",
    "isinstance",
    "startswith",
    "endswith",
    "split",
    "rsplit",
    "replace",
    "strip",
    "rstrip",
    "lstrip",
    "join",
    "get",
    "setdefault",
    "pop",
    "index",
    "count",
    "find",
    "encode",
    "decode",
    "strftime",
    "strptime",
    "Path",
    "open",
    "print",
    "compile",
    "sub",
    "match",
    "fullmatch",
    "search",
    "TypeError",
    "ValueError",
    "RuntimeError",
    "AssertionError",
    "KeyError",
    "NotImplementedError",
    "debug",
    "info",
    "exception",
    "Language",
    "OpenKind",
    "Permission",
    "Role",
    "TranslationsMissing",
}


def looks_like_words(text: str) -> bool:
    """A literal a user would read: letters with a space, or a capitalised word ("Kit").
    Object names (camelCase), keys and formats ("yyyy-MM-dd") are not."""
    stripped = text.strip()
    if not any(c.isalpha() for c in stripped):
        return False
    if stripped.startswith(("<", "%", "#", "$", "{")) and " " not in stripped:
        return False
    return " " in stripped or stripped[0].isupper()


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


class Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self._skip: set[int] = set()  # ids of nodes inside a translating or hidden call

    def _mark(self, node: ast.AST) -> None:
        for child in ast.walk(node):
            self._skip.add(id(child))

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name in TRANSLATING or name in NOT_SHOWN:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self._mark(arg)
        self.generic_visit(node)

    def _docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self._mark(body[0])
        # A string statement after an assignment is an attribute's documentation.
        for statement in body or []:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                self._mark(statement)

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._docstring(node)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self._mark(node)  # a comparison with a literal is logic, not text shown
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._mark(node.slice)  # a dictionary key
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if id(node) in self._skip or not isinstance(node.value, str):
            return
        if looks_like_words(node.value):
            self.found.append((node.lineno, node.value))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if id(node) in self._skip:
            return
        words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if looks_like_words(words) and any(c.isalpha() for c in words):
            self.found.append((node.lineno, f"f-string {words!r}"))
        # its pieces are part of the same text
        self._mark(node)


def untranslated(path: Path) -> list[str]:
    finder = Finder()
    finder.visit(ast.parse(path.read_text(encoding="utf-8")))
    return [f"{path.name}:{line}: {text!r}" for line, text in sorted(set(finder.found))]


def ui_modules() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py"))


def test_every_ui_module_is_in_a_translation_group() -> None:
    grouped = {UI / f"{stem}.py" for stems in translations.GROUPS.values() for stem in stems}
    assert set(ui_modules()) <= grouped, set(ui_modules()) - grouped


@pytest.mark.parametrize("path", ui_modules(), ids=lambda p: p.relative_to(UI).as_posix())
def test_no_untranslated_literal_reaches_the_windows(path: Path) -> None:
    assert untranslated(path) == []


def test_the_finder_names_a_literal_and_lets_a_translated_one_pass(tmp_path: Path) -> None:
    source = tmp_path / "screen.py"
    source.write_text(
        "label = QLabel('Scan the kit')\n"
        "label.setText(self.tr('Scan the kit'))\n"
        "label.setObjectName('kitLabel')\n"
        "label.setToolTip(f'Kit {number} expires')\n"
        "if kind == 'Warning':\n    pass\n",
        encoding="utf-8",
    )
    assert untranslated(source) == [
        "screen.py:1: 'Scan the kit'",
        "screen.py:4: \"f-string 'Kit  expires'\"",
    ]


def _messages(ts: Path) -> list[ET.Element]:
    return list(ET.parse(ts).getroot().iter("message"))


@pytest.mark.parametrize("language", [lang for lang in Language if lang is not Language.EN])
def test_the_catalogue_has_no_unfinished_entry(language: Language) -> None:
    files = translations.ts_files(language)
    assert {f.name for f in files} == {f"{g}_{language.value}.ts" for g in translations.GROUPS}
    unfinished = [
        f"{ts.name}: {m.findtext('source')!r}"
        for ts in files
        for m in _messages(ts)
        if (t := m.find("translation")) is None or t.get("type") or not (t.text or "").strip()
    ]
    assert unfinished == []


@pytest.mark.parametrize("language", [lang for lang in Language if lang is not Language.EN])
def test_the_catalogue_holds_every_string_of_the_code(language: Language, tmp_path: Path) -> None:
    """lupdate run now finds nothing the committed .ts lacks: no string went in untranslated."""
    lupdate = Path(translations.lrelease()).with_name("pyside6-lupdate")
    for group in translations.GROUPS:
        fresh = tmp_path / f"{group}.ts"
        subprocess.run(
            [
                str(lupdate),
                "-silent",
                "-locations",
                "none",
                *map(str, translations.group_sources(group)),
                "-ts",
                str(fresh),
            ],
            check=True,
        )
        committed = translations.resource("i18n", "ui") / f"{group}_{language.value}.ts"
        wanted = {(m.findtext("source"), m.findtext("comment")) for m in _messages(fresh)}
        have = {(m.findtext("source"), m.findtext("comment")) for m in _messages(committed)}
        assert wanted - have == set(), (
            f"{committed.name}: run python -m dispensary.ui.translations update"
        )


def test_the_qm_is_built_from_the_ts_files(tmp_path: Path) -> None:
    """The .qm is built (not committed): the build works and reads back every translation."""
    from PySide6.QtCore import QTranslator

    assert shutil.which(translations.lrelease())
    qm = translations.build_qm(Language.ZH_CN)
    translator = QTranslator()
    assert translator.load(str(qm))
    for ts in translations.ts_files(Language.ZH_CN):
        for context in ET.parse(ts).getroot().iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                source = message.findtext("source") or ""
                wanted = message.findtext("translation") or ""
                if message.find("numerusform") is None:
                    got = translator.translate(name, source, message.findtext("comment"))
                    assert got == wanted, (name, source)


def test_a_qm_built_again_replaces_the_file_a_window_has_open() -> None:
    """A running window maps the .qm it loaded; rewritten in place under it, the process
    stopped (SIGBUS: a full test run died so while the .qm was built again beside it). The
    new file takes the old one's place instead, which stays whole for whoever has it open."""
    from PySide6.QtCore import QTranslator

    qm = translations.build_qm(Language.ZH_CN)
    translator = QTranslator()
    assert translator.load(str(qm))
    before = qm.stat().st_ino
    translations.build_qm(Language.ZH_CN)
    assert qm.stat().st_ino != before
    assert not list(qm.parent.glob(f".{qm.name}.*"))  # nothing left beside it
