"""Plain-words messages where the user is looking, and the electronic signature dialog."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import SignatureMeaning

COLOURS = {
    "error": ("#fdecea", "#8a1c13", "#f5c2bd"),
    "warning": ("#fff4e5", "#7a4b00", "#ffd8a8"),
    "ok": ("#e8f5e9", "#1b5e20", "#b7dfb9"),
    "info": ("#e8f0fe", "#174ea6", "#c6dafc"),
}
"""Background, text and border colour of a message of each kind."""


def alt_key(text: str) -> str | None:
    """The Alt key of a text ("&Cancel", "取消(&C)": C), None if it has none."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].upper() if 0 <= at < len(plain) - 1 else None


def _cancel_texts() -> list[str]:
    return [
        QCoreApplication.translate("DialogButtons", "&Cancel"),
        QCoreApplication.translate("DialogButtons", "C&ancel", "C is another button's"),
    ]


def _close_texts() -> list[str]:
    return [
        QCoreApplication.translate("DialogButtons", "&Close"),
        QCoreApplication.translate("DialogButtons", "C&lose", "C is another button's"),
    ]


def dismiss_text(beside: Iterable[str] = (), close: bool = False) -> str:
    """The words of a dialog's Cancel (`close`: its Close) with its Alt key, in the reader's
    language: "&Cancel" ("取消(&C)"), else "C&ancel" when C is another control's among `beside`,
    the texts shown with it in the dialog."""
    texts = _close_texts() if close else _cancel_texts()
    taken = {key for text in beside if (key := alt_key(text)) is not None}
    free = [text for text in texts if alt_key(text) not in taken]
    return (free or texts)[0]


def give_dismiss_key(
    button: QAbstractButton | None, beside: Iterable[str] = (), close: bool = False
) -> None:
    """A dialog's Cancel (`close`: its Close), a standard button or one made by hand, worded
    with its Alt key as the program's other buttons are (Qt words its standard buttons with
    none; at a counter with no mouse, Alt+C leaves the dialog as Esc does): `dismiss_text`."""
    if button is not None:
        button.setText(dismiss_text(beside, close))


def give_dismiss_keys(box: QDialogButtonBox, beside: Iterable[str] = ()) -> None:
    """The box's Cancel and Close given their Alt keys (`give_dismiss_key`), clear of its other
    buttons' keys and of `beside`."""
    for standard in (QDialogButtonBox.StandardButton.Cancel, QDialogButtonBox.StandardButton.Close):
        button = box.button(standard)
        if button is None:
            continue
        others = [b.text() for b in box.buttons() if b is not button]
        close = standard == QDialogButtonBox.StandardButton.Close
        give_dismiss_key(button, [*others, *beside], close=close)


MOST_LINES = 8
"""The lines of a message bar kept in sight however short of height its screen is: a longer
message (none the program words is, at 1366x768) may be cut below them when the screen has
no more room, and reads whole in its tooltip."""


class MessageBar(QLabel):
    """A message strip inside the form: refusals are shown next to what the user typed. A
    long message wraps onto the lines it needs and keeps them: Qt gives a wrapped label no
    less than one line of a screen short of height, so the bar's least height is that of its
    lines at its width (up to MOST_LINES), and the rest of the screen gives way instead. The
    screen is laid out again as a message is shown, so that the rows under the bar move down
    as it grows instead of lying under it (`_lay_out_now`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setObjectName("messageBar")
        self.clear_message()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.setText(text)
        self.setProperty("kind", kind)
        background, colour, border = COLOURS[kind]
        self.setStyleSheet(
            f"QLabel {{ background:{background}; color:{colour}; border:1px solid {border};"
            " padding:8px; border-radius:4px; }"
        )
        self.setVisible(True)
        self._keep_lines()
        self._lay_out_now()

    def clear_message(self) -> None:
        self.setText("")
        self.setProperty("kind", "")
        self.setVisible(False)
        self.setMinimumHeight(0)
        self.setToolTip("")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._keep_lines()  # as many lines at the new width

    def _keep_lines(self) -> None:
        """The bar's least height: every line of its message at its width, up to MOST_LINES
        (the whole message in the tooltip beyond them)."""
        if not self.text():
            return
        self.setMinimumHeight(0)  # measured as the text needs: QLabel's sizes include it
        lines = self.heightForWidth(self.width())
        one_line = self.fontMetrics().lineSpacing()
        padding = self.minimumSizeHint().height() - one_line  # the frame and the padding
        most = padding + MOST_LINES * one_line
        self.setMinimumHeight(min(lines, most))
        self.setToolTip(self.text() if lines > most else "")

    def _lay_out_now(self) -> None:
        """The widgets the bar is in laid out again now, from its screen out to its window.
        Its least height grows the bar at once (a widget lower than its least height is
        resized to it), but the rows under it moved down only at the next turn of the event
        loop: until then the bar lay over them (a long message over the Receive screen's
        "Shipment number" row), for a picture of the window or code reading the fields'
        places. Each layout, laid out, asks the one around it again (its least size may have
        grown): the window grows if the screen no longer fits it, and lays its screen out
        again at the new size."""
        if not self.isVisible():  # laid out as its window is shown
            return
        widget = self.parentWidget()
        while widget is not None:
            layout = widget.layout()
            if layout is not None:
                layout.activate()
            if widget.isWindow():
                break
            widget = widget.parentWidget()

    @property
    def kind(self) -> str:
        return str(self.property("kind") or "")


def go_on_question(
    parent: QWidget | None,
    name: str,
    title: str,
    text: str,
    action: str,
    details: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
    rich: bool = False,
) -> bool:
    """A question a step leaves to the user before it goes on (the service's warning, or what
    the step would record): True only when the user pressed `action`. Cancel is the default
    button, so an Enter typed from habit, or a scan's Enter, never goes on. `name`: the box's
    object name (tests and the style sheet find it); `details`: the informative text, the
    wider line under `text`."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName(name)
    if rich:
        box.setTextFormat(Qt.TextFormat.RichText)
    if details:
        box.setInformativeText(details)
    label = "qt_msgbox_informativelabel" if details else "qt_msgbox_label"
    box.setStyleSheet(f"QLabel#{label} {{ min-width: 480px; }}")
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    give_dismiss_key(cancel, [action])
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is yes


def _shown_meaning(meaning: str) -> str:
    """A meaning given as it is recorded (SignatureMeaning's English value) in the reader's
    language; one a screen has already translated is shown as it is."""
    try:
        return SignatureMeaning(meaning).shown
    except ValueError:
        return meaning


class SignatureDialog(QDialog):
    """Part 11 signature: the signer re-enters the password and sees what the signature means.

    The signed-in user signs with the password alone (21 CFR 11.200(a)(1)(i): the user name was
    given at the start of their continuous session). A second person of a step (a
    destruction's witness, a count's verifier) is in no session of their own and signs with
    both components (11.200(a)(1)): `second`, the dialog has a user-name field, left empty for
    them to type their own; the service refuses a name that is not the person named."""

    def __init__(
        self,
        parent: QWidget | None,
        signer: str,
        meaning: str,
        summary: str,
        second: bool = False,
        whole: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Electronic signature"))
        self.setMinimumWidth(460)  # the summary of what is signed reads on a few lines
        layout = QVBoxLayout(self)
        text = QLabel(
            self.tr(
                "<b>{summary}</b><br>By signing, <b>{signer}</b> confirms: <b>{meaning}</b>."
            ).format(summary=summary, signer=signer, meaning=_shown_meaning(meaning))
        )
        text.setWordWrap(True)
        text.setObjectName("signatureSummary")
        # A summary that names the first of many records and counts the rest (a release of an
        # excursion's kits): the whole list in its tooltip, the dialog within the screen.
        text.setToolTip(whole)
        self.summary = text
        layout.addWidget(text)
        form = QFormLayout()
        self.username: QLineEdit | None = None
        if second:
            said = QLabel(
                self.tr(
                    "{signer} types their own user name and password: "
                    "a second signer signs with both."
                ).format(signer=signer)
            )
            said.setWordWrap(True)
            said.setObjectName("signatureSecondNote")
            layout.addWidget(said)
            self.username = QLineEdit()  # empty: typed by the second signer, never chosen
            self.username.setObjectName("signatureUsername")
            form.addRow(self.tr("User name"), self.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("signaturePassword")
        form.addRow(self.tr("Password"), self.password)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Sign"))
        give_dismiss_keys(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.username is not None:  # Sign once both components are typed
            typed = self.username

            def both_typed() -> None:
                ok.setEnabled(bool(typed.text().strip()) and bool(self.password.text()))

            typed.textChanged.connect(both_typed)
            self.password.textChanged.connect(both_typed)
            both_typed()
        (self.username or self.password).setFocus()

    @classmethod
    def ask(
        cls, parent: QWidget | None, signer: str, meaning: str, summary: str, whole: str = ""
    ) -> str | None:
        """The password typed, or None when the user cancelled (`whole`: what `summary` counts
        rather than names, in its tooltip). Tests replace this method."""
        dialog = cls(parent, signer, meaning, summary, whole=whole)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.password.text():
            return dialog.password.text()
        return None

    @classmethod
    def ask_second(
        cls, parent: QWidget | None, signer: str, meaning: str, summary: str
    ) -> tuple[str, str] | None:
        """The second signer's user name and password as they typed them (the user name as
        typed: the service compares it with the person named), or None when they cancelled
        or left either empty. Tests replace this method."""
        dialog = cls(parent, signer, meaning, summary, second=True)
        assert dialog.username is not None
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        typed, password = dialog.username.text(), dialog.password.text()
        if not typed.strip() or not password:
            return None
        return typed, password
