"""The look of the desktop program: its style sheet and icons (the program starts in
`dispensary.app`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication


def style_sheet_path() -> Path:
    """resources/style.qss, inside the installed package or in the source tree."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "resources" / "style.qss"
    if installed.exists():
        return installed
    return package.parent.parent / "resources" / "style.qss"


def apply_style(app: QApplication) -> None:
    """The style sheet, with $icons pointing at the icons folder beside it."""
    path = style_sheet_path()
    if not path.exists():
        return
    icons = (path.parent / "icons").as_posix()
    app.setStyleSheet(path.read_text(encoding="utf-8").replace("$icons", icons))
