"""A field a barcode scanner types into: the code arrives with Enter, and the field answers at
once with a coloured cue (green taken, red refused) instead of a dialog that steals focus."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from dispensary.domain.rules import half_width

OK = "ok"
REFUSED = "error"

SCAN_BURST_SECONDS = 0.050
"""A barcode scanner types each key within this of the last; no one types four keys so fast."""
SCAN_BURST_KEYS = 4
ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
MODIFIER_KEYS = frozenset(
    {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
)


class KeyBurst:
    """Times printable keystrokes so a barcode scanner can be told from a person typing: a
    burst is a run of keys each within SCAN_BURST_SECONDS of the one before. The clock (seconds,
    monotonic) is replaceable, for tests: `default_clock` for the bursts made from then on,
    `clock` for one."""

    default_clock: ClassVar[Callable[[], float]] = time.monotonic

    def __init__(self) -> None:
        self.clock: Callable[[], float] = type(self).default_clock
        self.times: list[float] = []
        self.typed = ""

    def key(self, text: str) -> bool:
        """Counts a printable key; True when it starts a new burst (the first key, or the
        first after a pause)."""
        now = self.clock()
        fresh = not self.times or now - self.times[-1] >= SCAN_BURST_SECONDS
        if fresh:
            self.reset()
        self.times.append(now)
        self.typed += text
        return fresh

    def reset(self) -> None:
        self.times.clear()
        self.typed = ""

    def looks_like_scan(self) -> bool:
        return len(self.times) >= SCAN_BURST_KEYS

    def scanned_code(self) -> str | None:
        """At Enter: the code the scanner typed, if the keys so far were a scan and the Enter
        came as fast as they did; None for typing. The burst starts over either way."""
        now = self.clock()
        scan = self.looks_like_scan() and now - self.times[-1] < SCAN_BURST_SECONDS
        code = self.typed.strip() if scan else None
        self.reset()
        return code or None


@dataclass(frozen=True)
class Snapshot:
    """A text field as it was when a burst began: put back if the burst was a scan."""

    field: QWidget
    text: str
    cursor: int


Editable = QLineEdit | QPlainTextEdit | QTextEdit


def ordinary_text_field(widget: QObject) -> Editable | None:
    """A field a person types words into: not a scan field, not a password, not read-only."""
    if isinstance(widget, ScanField):
        return None
    if isinstance(widget, QLineEdit):
        if widget.echoMode() != QLineEdit.EchoMode.Normal or widget.isReadOnly():
            return None
        return widget
    if isinstance(widget, QPlainTextEdit | QTextEdit) and not widget.isReadOnly():
        return widget
    return None


def take_snapshot(field: Editable) -> Snapshot:
    if isinstance(field, QLineEdit):
        return Snapshot(field, field.text(), field.cursorPosition())
    if isinstance(field, QTextEdit):
        return Snapshot(field, field.toHtml(), field.textCursor().position())
    return Snapshot(field, field.toPlainText(), field.textCursor().position())


def restore(snapshot: Snapshot) -> None:
    field = snapshot.field
    if isinstance(field, QLineEdit):
        field.setText(snapshot.text)
        field.setCursorPosition(snapshot.cursor)
        return
    if isinstance(field, QTextEdit):
        field.setHtml(snapshot.text)
    elif isinstance(field, QPlainTextEdit):
        field.setPlainText(snapshot.text)
    else:
        return
    cursor = field.textCursor()
    cursor.setPosition(min(snapshot.cursor, len(field.toPlainText())))
    cursor.clearSelection()
    field.setTextCursor(QTextCursor(cursor))


class ScanCatcher(QObject):
    """An application event filter: a barcode scanned while the cursor is in an ordinary text
    field of `window` (a note, a search box) is taken out of that field, which is left as it
    was, and handed to `on_scan` as if scanned into the scan field. Typing is left alone."""

    def __init__(self, window: QWidget, on_scan: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window = window
        self.on_scan = on_scan
        self.burst = KeyBurst()
        self.snapshot: Snapshot | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        field = ordinary_text_field(watched)
        if field is None or field.window() is not self.window:
            return False
        if self.snapshot is not None and self.snapshot.field is not field:
            self.forget()
        text = event.text()
        if text and text.isprintable():
            if self.burst.key(text) or self.snapshot is None:
                self.snapshot = take_snapshot(field)
            return False
        if event.key() in MODIFIER_KEYS:
            return False  # a scanner may press Shift for a capital letter
        if event.key() in ENTER_KEYS and self.snapshot is not None:
            snapshot = self.snapshot
            code = self.burst.scanned_code()
            self.snapshot = None
            if code is not None:
                restore(snapshot)
                self.on_scan(code)
                return True
            return False
        self.forget()
        return False

    def forget(self) -> None:
        self.burst.reset()
        self.snapshot = None


class ScanField(QLineEdit):
    """Emits `scanned(code)` on Enter. After a refusal the text stays, selected, so the user
    sees what was read and the next scan simply replaces it."""

    scanned = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setProperty("scan", True)
        self.refusals = 0
        """How many codes this field has shown refused: the window tells a code a screen
        took from one it refused by whether this went up (`MainWindow.handle_scan`)."""
        self.returnPressed.connect(self._on_enter)
        self.textEdited.connect(self._edited)

    def placeholder_width(self) -> int:
        """The width at which the placeholder reads whole, measured as Qt sizes a line of text
        (`QLineEdit.sizeHint` is 17 'x' wide, plus the style's padding, frame and the clear
        button's room), with the placeholder in place of the 17 'x'."""
        self.ensurePolished()
        metrics = self.fontMetrics()
        some = 17 * metrics.horizontalAdvance("x")
        return (
            self.sizeHint().width() - some + metrics.horizontalAdvance(self.placeholderText()) + 2
        )

    def _edited(self, _text: str) -> None:
        self.set_cue("")

    def _on_enter(self) -> None:
        # A number typed on a Chinese keyboard ("０１－００３") is the number it reads.
        self.scanned.emit(half_width(self.text()).strip())

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
        self.refusals += 1
        self.set_cue(REFUSED)
        self.selectAll()
        self.setFocus()
