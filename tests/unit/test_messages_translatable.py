"""The refusals, warnings and notices of the services, the domain and the layers under them (the
database's faults, the files') are translatable (issue 13): every message raised to the user goes
through `dispensary.i18n._`, and every message marked so has its Simplified Chinese in the
catalogue, with the same {placeholders}.

Read from the source (ast), so that a new refusal written as a bare English f-string fails here,
naming its file and line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispensary.i18n import Language, catalogue

SRC = Path(__file__).resolve().parents[2] / "src" / "dispensary"

OTHERS: frozenset[str] = frozenset()
"""Modules whose messages are checked by their own tests instead (none: the services' labels,
queries and report data are read here too)."""


LOWER = [*sorted((SRC / "db").rglob("*.py")), SRC / "files.py"]
"""The layers under the services: a full disk, a locked or damaged database, a read-only folder
are told to the user from here, in the reader's language."""


def _modules() -> list[Path]:
    found = [*sorted((SRC / "domain").rglob("*.py")), *sorted((SRC / "services").rglob("*.py"))]
    found.append(SRC / "study.py")
    found.extend(LOWER)
    return [p for p in found if p.relative_to(SRC).as_posix() not in OTHERS]


MODULES = _modules()


def _name(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in MODULES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _error_classes() -> set[str]:
    """DispensaryError and every class deriving from it, in domain/errors.py and anywhere in
    the services (their own refusals, e.g. a label's)."""
    bases: dict[str, set[str]] = {}
    files = [SRC / "domain" / "errors.py", *sorted((SRC / "services").rglob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {"DispensaryError"}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return found


ERRORS = _error_classes()

MESSAGE_AT: dict[str, int] = {
    **dict.fromkeys(ERRORS, 0),
    # The message a person reads in the assessments and results of a step.
    "Refusal": 1,
    "Caution": 1,
    "Notice": 1,
    "CountNeed": 1,
    "KitVerdict": 2,
    "Discrepancy": 2,
}
"""Calls whose argument at this position is a message shown to the user."""

ALLOWED: dict[str, str] = {}
"""file:line -> why a literal message may stay untranslated there (none so far)."""


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_translated(node: ast.expr) -> bool:
    """`_("...")`, or `_("...").format(...)`."""
    if isinstance(node, ast.Call) and _called(node) == "format":
        func = node.func
        assert isinstance(func, ast.Attribute)
        node = func.value
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"


def _is_literal_text(node: ast.expr) -> bool:
    """English written in place: a string, an f-string, pieces added up, "...".format()."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal_text(node.body) or _is_literal_text(node.orelse)
    if isinstance(node, ast.Call) and _called(node) == "format":
        func = node.func
        return isinstance(func, ast.Attribute) and _is_literal_text(func.value)
    return False


def _message_argument(node: ast.Call, at: int) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == "message":
            return keyword.value
    return node.args[at] if len(node.args) > at else None


def test_the_error_classes_are_found() -> None:
    assert {"RuleViolation", "InvalidInput", "NotFound", "NotPermitted", "StudyFileError"} <= ERRORS
    assert "UnrecordedWrite" not in ERRORS  # a program error, not the user's


def test_every_message_raised_or_shown_is_translatable() -> None:
    untranslated = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called(node) not in MESSAGE_AT:
                continue
            message = _message_argument(node, MESSAGE_AT[_called(node)])
            if message is None or _is_translated(message) or not _is_literal_text(message):
                continue
            where = f"{_name(path)}:{node.lineno}"
            if where not in ALLOWED:
                untranslated.append(f"{where} {_called(node)}({ast.unparse(message)[:70]})")
    assert not untranslated, "messages not marked _(...):\n" + "\n".join(untranslated)


MESSAGE_FUNCTION = re.compile(r"(?:message|text|refusal|reason|warning)$")
"""The functions of the lower layers that write a message for a caller to raise or show
(`write_error_text`, `busy_message`, `path_refusal`...): what they return is a message too."""


def test_every_message_written_by_the_lower_layers_is_translatable() -> None:
    untranslated = []
    for path in LOWER:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or not MESSAGE_FUNCTION.search(
                function.name
            ):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Return)
                    and node.value is not None
                    and not _is_translated(node.value)
                    and _is_literal_text(node.value)
                ):
                    where = f"{_name(path)}:{node.lineno}"
                    untranslated.append(f"{where} {function.name}: {ast.unparse(node.value)[:70]}")
    assert not untranslated, "messages not marked _(...):\n" + "\n".join(untranslated)


def test_the_lower_layers_are_read() -> None:
    names = {_name(p) for p in MODULES}
    assert {"files.py", "db/faults.py", "db/engine.py", "db/sqlite_backup.py"} <= names
    assert "Nothing was saved." in MARKED
    assert "The disk holding {path} is full. {nothing} Free some space on that disk (or ask " in (
        "".join(MARKED)
    )


def test_no_module_hides_the_translation_function() -> None:
    """A local `_` (`for _ in ...`, `x, _ = ...`) would shadow `_` in its function."""
    shadowing = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            rebound = isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
            named = node.id if isinstance(node, ast.Name) else getattr(node, "arg", None)
            if named == "_" and (rebound or isinstance(node, ast.arg)):
                shadowing.append(f"{_name(path)}:{getattr(node, 'lineno', 0)}")
    assert not shadowing, "`_` rebound: " + ", ".join(shadowing)


def _marked() -> dict[str, str]:
    """Every message marked `_("...")` or `N_("...")`, with where it is written."""
    found: dict[str, str] = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{_name(path)}:{node.lineno}")
    return found


MARKED = _marked()
USED_BY_NAME: dict[str, str] = {}
"""Messages the services translate that are written in a module outside these (none: the lower
layers' are read here too)."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _placeholders(text: str) -> list[str]:
    return sorted(set(_PLACEHOLDER.findall(text)))


def test_messages_are_found() -> None:
    assert len(MARKED) > 300
    assert "Too early for cycle {cycle}: its earliest day 1 is {earliest}, and a cycle is " in (
        "".join(MARKED)
    )


@pytest.mark.parametrize("message", sorted({**MARKED, **USED_BY_NAME}))
def test_every_message_has_its_chinese(message: str) -> None:
    chinese = catalogue(Language.ZH_CN).get(message)
    where = MARKED.get(message) or USED_BY_NAME[message]
    assert chinese, f"no finished zh_CN translation of {message!r} ({where})"
    assert _placeholders(chinese) == _placeholders(message), (
        f"the zh_CN translation of {message!r} ({where}) changes its placeholders: {chinese!r}"
    )
    assert chinese.strip() == chinese and chinese != message
