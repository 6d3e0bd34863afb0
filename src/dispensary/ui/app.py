"""The look of the desktop program: its style sheet and icons (the program starts in
`dispensary.app`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from dispensary.packaged import resource


def style_sheet_path() -> Path:
    """The style sheet, wherever the program's files are (dispensary.packaged)."""
    return resource("style.qss")


def apply_style(app: QApplication) -> None:
    """The style sheet, with $icons pointing at the icons folder beside it."""
    path = style_sheet_path()
    if not path.exists():
        return
    icons = (path.parent / "icons").as_posix()
    app.setStyleSheet(path.read_text(encoding="utf-8").replace("$icons", icons))
