"""The files the program ships with are found by one look-up (dispensary.packaged), so that a
wheel, the PyInstaller folder and a checkout all read them the same way (the installed case is
tests/install/test_wheel.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import dispensary
from dispensary import packaged

SOURCE = Path(dispensary.__file__).resolve().parent


def test_a_checkout_reads_its_top_level_resources_folder() -> None:
    assert packaged.resources_folder() == packaged.SOURCE_TREE
    assert packaged.resource("studies", "NCT07198672.toml").is_file()
    assert packaged.resource("fonts", "wqy-microhei.ttc").is_file()


def test_no_other_module_finds_the_resources_folder_by_itself() -> None:
    """A module that joined "resources" to its own __file__ would work in a checkout and fail
    in a wheel or the PyInstaller folder (as study.py, i18n.py, pdffonts.py, ui/app.py and
    services/users.py each did before)."""
    own_lookups = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path == SOURCE / "packaged.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == "resources":
                own_lookups.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert own_lookups == []
