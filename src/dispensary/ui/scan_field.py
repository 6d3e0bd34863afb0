"""A field a barcode scanner types into: the code arrives with Enter, and the field answers at
once with a coloured cue (green taken, red refused) instead of a dialog that steals focus."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

OK = "ok"
REFUSED = "error"


class ScanField(QLineEdit):
    """Emits `scanned(code)` on Enter. After a refusal the text stays, selected, so the user
    sees what was read and the next scan simply replaces it."""

    scanned = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setProperty("scan", True)
        self.returnPressed.connect(self._on_enter)
        self.textEdited.connect(self._edited)

    def _edited(self, _text: str) -> None:
        self.set_cue("")

    def _on_enter(self) -> None:
        self.scanned.emit(self.text().strip())

    @property
    def cue(self) -> str:
        return str(self.property("cue") or "")

    def set_cue(self, cue: str) -> None:
        if self.cue == cue:
            return
        self.setProperty("cue", cue)
        style = self.style()
        style.unpolish(self)
        style.polish(self)

    def accepted(self) -> None:
        """The code was taken: clear for the next one, green until the user types again."""
        self.clear()
        self.set_cue(OK)

    def refused(self) -> None:
        """The code was refused: keep it visible and selected, red."""
        self.set_cue(REFUSED)
        self.selectAll()
        self.setFocus()
