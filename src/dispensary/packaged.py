"""The files the program ships with (study files, style sheet, icons, fonts, translations, the
list of common passwords): one look-up for all of them, wherever the program runs.

A wheel and the PyInstaller folder carry them inside the package, as `dispensary/resources/`
(setup.py's build step copies them there and compiles the windows' translations), found with
importlib.resources. A source checkout (an editable install, or PYTHONPATH=src) keeps them in
the top-level `resources/` folder the developers edit, so that an edit shows at once.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

SOURCE_TREE = Path(__file__).resolve().parents[2] / "resources"
"""The checkout's resources/ folder (src/dispensary/packaged.py -> the checkout)."""


@cache
def resources_folder() -> Path:
    """The folder every shipped file is read from: inside the installed package when it is
    there, else the source tree's. A real folder either way: Qt, ReportLab and lrelease are
    given file names, not streams."""
    inside = files("dispensary").joinpath("resources")
    if isinstance(inside, Path) and inside.is_dir():
        return inside
    return SOURCE_TREE


def resource(*parts: str) -> Path:
    """A shipped file or folder, e.g. resource("studies", "NCT07198672.toml")."""
    return resources_folder().joinpath(*parts)


def is_source_tree() -> bool:
    """Whether the files are the checkout's (edited by developers, so a derived file such as
    the windows' .qm may be older than its sources) rather than a built package's, whose
    derived files were made with it: installing sets every file's time anew, in no order."""
    return resources_folder() == SOURCE_TREE
