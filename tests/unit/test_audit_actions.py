"""Every action the program writes in the audit trail has a name in English and in Chinese
(domain.audit_actions), so a monitor never reads a raw code such as `pharmacy_language_set`.

The writers are found in the source (ast): every `Recorder.audit` call takes its code from the
registry, and the recorder refuses a code the registry does not hold, so no entry the program
writes can be without a name. The kinds of record the entries name are checked the same way.
"""

from __future__ import annotations

import ast
import importlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dispensary.db import migrate
from dispensary.db.engine import make_engine, read_transaction, write_transaction
from dispensary.domain import audit_actions
from dispensary.domain.audit_actions import (
    REASON_CODES,
    RECORD_KINDS,
    AuditAction,
    name_of,
    reason_shown,
    record_kind,
)
from dispensary.i18n import Language, speaking
from dispensary.services import audit
from dispensary.services.audit import Recorder
from dispensary.services.labels import LabelKind

SRC = Path(__file__).resolve().parents[2] / "src" / "dispensary"


def chinese_text(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _module(path: Path) -> str:
    return "dispensary." + ".".join(path.relative_to(SRC).with_suffix("").parts)


def _writes() -> list[tuple[str, int, ast.expr, ast.expr, ast.FunctionDef]]:
    """Every `.audit(...)` call of the program: where, its action and entity arguments, and the
    function it is in."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "audit"
                    and len(node.args) >= 2
                ):
                    found.append((_module(path), node.lineno, node.args[0], node.args[1], function))
    # A call nested in two functions is met twice: keep the innermost function's.
    unique: dict[tuple[str, int], tuple[str, int, ast.expr, ast.expr, ast.FunctionDef]] = {}
    for write in found:
        unique[(write[0], write[1])] = write
    return list(unique.values())


WRITES = _writes()


def _parameter_type(function: ast.FunctionDef, name: str) -> str | None:
    for arg in [*function.args.args, *function.args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            return ast.unparse(arg.annotation)
    return None


def _actions(module: str, node: ast.expr, function: ast.FunctionDef) -> list[AuditAction] | None:
    """The codes an action argument can be; None when it is not taken from the registry."""
    if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "AuditAction":
        return [AuditAction[node.attr]]
    if isinstance(node, ast.IfExp):
        body, orelse = (_actions(module, n, function) for n in (node.body, node.orelse))
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "AuditAction":
        return list(AuditAction)  # converted, so refused when not one of them
    if isinstance(node, ast.Name):
        if _parameter_type(function, node.id) == "AuditAction":
            return list(AuditAction)
        value = getattr(importlib.import_module(module), node.id, None)
        return [value] if isinstance(value, AuditAction) else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        values = getattr(importlib.import_module(module), node.value.id, ())
        if values and all(isinstance(v, AuditAction) for v in values):
            return list(values)
    return None


def test_the_writers_are_found() -> None:
    assert len(WRITES) >= 40
    modules = {module for module, *_rest in WRITES}
    assert {"dispensary.services.dispensing", "dispensary.services.pharmacy"} <= modules


@pytest.mark.parametrize(
    ("module", "line", "action", "function"),
    [(m, line, a, f) for m, line, a, _e, f in WRITES],
    ids=[f"{m}:{line}" for m, line, *_rest in WRITES],
)
def test_every_writer_takes_its_action_from_the_registry(
    module: str, line: int, action: ast.expr, function: ast.FunctionDef
) -> None:
    codes = _actions(module, action, function)
    assert codes, f"{module}:{line} writes {ast.unparse(action)}: use an AuditAction"


def test_the_upgrades_write_only_named_actions() -> None:
    """The migrations write their entries without the recorder: their codes are named too."""
    written = set()
    for path in sorted((SRC / "db" / "migrations").rglob("*.py")):
        written |= set(re.findall(r'"action": "([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert written == {"facts_baseline"}
    assert written <= {a.value for a in AuditAction}


@pytest.mark.parametrize("action", list(AuditAction), ids=[a.value for a in AuditAction])
def test_every_action_has_a_name_in_english_and_in_chinese(action: AuditAction) -> None:
    with speaking(Language.EN):
        english = name_of(action.value)
    assert english == action.label and english != action.value and english[0].isupper()
    with speaking(Language.ZH_CN):
        chinese = name_of(action.value)
    assert chinese_text(chinese), f"{action.value}: no Chinese name ({chinese})"


def test_the_names_are_told_apart() -> None:
    for language in Language:
        with speaking(language):
            names = [name_of(a.value) for a in AuditAction]
        assert len(set(names)) == len(names), language


def test_every_record_kind_written_has_a_name_in_english_and_in_chinese() -> None:
    written: set[str] = {kind.entity for kind in LabelKind}
    for module, line, _action, entity, _function in WRITES:
        if isinstance(entity, ast.Constant) and isinstance(entity.value, str):
            written.add(entity.value)
        elif isinstance(entity, ast.Name) and entity.id.isupper():
            written.add(getattr(importlib.import_module(module), entity.id))
        elif ast.unparse(entity) != "entity":  # labels.py: a LabelKind's, added above
            pytest.fail(f"{module}:{line}: the record kind {ast.unparse(entity)} is not known")
    written.discard("test")
    assert written <= set(RECORD_KINDS), written - set(RECORD_KINDS)
    for entity in RECORD_KINDS:
        with speaking(Language.ZH_CN):
            assert chinese_text(record_kind(entity)), entity
    for action, code in REASON_CODES:
        with speaking(Language.ZH_CN):
            assert chinese_text(reason_shown(action, code)), code


def test_an_unknown_code_is_shown_as_written() -> None:
    with speaking(Language.ZH_CN):
        assert name_of("dispense_cycle_v9") == "dispense_cycle_v9"
        assert record_kind("pallet") == "pallet"
        assert reason_shown("sign_in_refused", "typed by hand") == "typed by hand"
        assert name_of("dispense") == "发放"


def test_the_recorder_refuses_an_action_without_a_name(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "trail.sqlite3"))
    try:
        migrate.upgrade(engine)
        now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        with pytest.raises(ValueError), write_transaction(engine) as session:
            Recorder(session, None, now).audit("dispense_cycle", "dispense", 1)  # type: ignore[arg-type]
        with write_transaction(engine) as session:
            Recorder(session, None, now).audit(AuditAction.BACKUP, "database", "x")
        with read_transaction(engine) as session:
            assert audit.count_entries(session) == 1
    finally:
        engine.dispose()


def test_the_reason_the_program_writes_on_a_training_database_is_read_in_words() -> None:
    with speaking(Language.ZH_CN):
        shown = audit_actions.reason_shown(
            audit_actions.AuditAction.TRAINING_DATABASE, audit_actions.TRAINING_REASON
        )
    assert shown == "培训数据库：不得用于真实受试者"
    assert audit_actions.value_words([True, None, {"a": 1}], "yes", "no") == 'yes, —, {"a": 1}'
