"""Plain-words messages where the user is looking, and the electronic signature dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

STYLES = {
    "error": "background:#fdecea; color:#8a1c13; border:1px solid #f5c2bd;",
    "warning": "background:#fff4e5; color:#7a4b00; border:1px solid #ffd8a8;",
    "ok": "background:#e8f5e9; color:#1b5e20; border:1px solid #b7dfb9;",
    "info": "background:#e8f0fe; color:#174ea6; border:1px solid #c6dafc;",
}


class MessageBar(QLabel):
    """A message strip inside the form: refusals are shown next to what the user typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setObjectName("messageBar")
        self.clear_message()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.setText(text)
        self.setProperty("kind", kind)
        self.setStyleSheet(f"QLabel {{ {STYLES[kind]} padding:8px; border-radius:4px; }}")
        self.setVisible(True)

    def clear_message(self) -> None:
        self.setText("")
        self.setProperty("kind", "")
        self.setVisible(False)

    @property
    def kind(self) -> str:
        return str(self.property("kind") or "")


class SignatureDialog(QDialog):
    """Part 11 signature: the signer re-enters the password and sees what the signature means."""

    def __init__(self, parent: QWidget | None, signer: str, meaning: str, summary: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Electronic signature")
        self.setMinimumWidth(460)  # the summary of what is signed reads on a few lines
        layout = QVBoxLayout(self)
        text = QLabel(
            f"<b>{summary}</b><br>By signing, <b>{signer}</b> confirms: <b>{meaning}</b>."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("signaturePassword")
        form.addRow("Password", self.password)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.password.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, signer: str, meaning: str, summary: str) -> str | None:
        """The password typed, or None when the user cancelled. Tests replace this method."""
        dialog = cls(parent, signer, meaning, summary)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.password.text():
            return dialog.password.text()
        return None
