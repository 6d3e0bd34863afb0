"""PySide6's import hook must not keep the source of the modules imported after Qt (issue 15: it
held 20-25 MB of text in linecache, what kept the Today window over 250 MB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = textwrap.dedent(
    """
    import json, linecache, sys
    import PySide6.QtWidgets  # Qt first, as the program starts
    import dispensary.ui
    import sqlalchemy.orm, dispensary.services.dashboard
    import plain_module, module_naming_qt
    kept = sorted(linecache.cache)
    hook = sys.modules["shibokensupport.feature"]
    print(json.dumps({
        "checked": hook._mod_uses_pyside.__module__ == "dispensary.ui.qt_imports",
        "kept": kept,
        "plain": hook.pyside_feature_dict.get("plain_module"),
        "qt": hook.pyside_feature_dict.get("module_naming_qt"),
    }))
    """
)


def probe(folder: Path) -> dict[str, object]:
    (folder / "plain_module.py").write_text("WORD = 'nothing of Qt here'\n", encoding="utf-8")
    (folder / "module_naming_qt.py").write_text(
        "from PySide6.QtCore import QObject\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=folder,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(folder), *sys.path[1:]]),
        },
        timeout=120,
        check=True,
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_modules_imported_after_qt_leave_no_source_in_linecache(tmp_path: Path) -> None:
    found = probe(tmp_path)
    assert found["kept"] == [], "source text kept in linecache after imports"
    assert found["checked"] is True, "shiboken's check is not ours: see ui/qt_imports.py"


def test_shibokens_answer_is_the_same(tmp_path: Path) -> None:
    """A module naming PySide6 may still use `from __feature__ import`; one that does not is
    left alone (-1), as shiboken's own check answers."""
    found = probe(tmp_path)
    assert found["plain"] == -1
    assert found["qt"] == 0
