"""The pharmacy's settings after set-up: its name, address and telephone on its labels, and the
language its windows open in before sign-in. An administrator changes them with a reason kept
in the audit trail; services/pharmacy checks the permission and the text."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from dispensary.domain.codes import Role
from dispensary.domain.errors import DispensaryError
from dispensary.i18n import Language
from dispensary.labels.dispensing import check_particulars_fit
from dispensary.services import pharmacy
from dispensary.ui.forms import ReasonDialog, action_button, attempt
from dispensary.ui.screen import Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import button_row, titled_page, wrapped_label


class SettingsScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Settings"))
    shortcut = QKeySequence("Ctrl+Shift+G").toString()
    roles = frozenset({Role.ADMINISTRATOR})

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("settingsScreen")
        layout, self.message = titled_page(self, self.tr("Settings of this pharmacy"))
        box = QGroupBox(self.tr("The pharmacy on its labels"))
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setObjectName("pharmacyName")
        self.address = QLineEdit()
        self.address.setObjectName("pharmacyAddress")
        self.phone = QLineEdit()
        self.phone.setObjectName("pharmacyPhone")
        for text, field in (
            (self.tr("Pharmacy's &name"), self.name),
            (self.tr("&Address"), self.address),
            (self.tr("&Telephone"), self.phone),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        self.from_study = wrapped_label("pharmacyFallback")
        form.addRow(self.from_study)
        self.save_particulars = action_button(
            self.tr("Save the particulars…"), "saveParticulars", self.change_particulars
        )
        form.addRow(button_row([], [self.save_particulars]))
        layout.addWidget(box)
        language_box = QGroupBox(self.tr("Language"))
        language_form = QFormLayout(language_box)
        self.language = QComboBox()
        self.language.setObjectName("pharmacyLanguage")
        self.language.addItem(self.tr("Not set (each user's own choice)"), "")
        for language in Language:
            self.language.addItem(language.native, language.value)
        self.language.currentIndexChanged.connect(self._language_chosen)
        label = QLabel(self.tr("&Windows before sign-in"))
        label.setBuddy(self.language)
        language_form.addRow(label, self.language)
        language_form.addRow(
            wrapped_label(
                "languageExplained",
                self.tr(
                    "Each user's own choice (at sign-in) still applies once they are signed in."
                ),
            )
        )
        self.save_language = action_button(
            self.tr("Save the language…"), "saveLanguage", self.change_language
        )
        language_form.addRow(button_row([], [self.save_language]))
        layout.addWidget(language_box)
        layout.addStretch(1)
        self._language_chosen()

    def _language_chosen(self) -> None:
        """Nothing chosen is nothing to save: the administrator picks a language first."""
        self.save_language.setEnabled(bool(self.language.currentData()))

    def refresh(self) -> None:
        current = attempt(self.message, lambda: pharmacy.particulars(self.session.ctx))
        if current is None:
            return
        self.name.setText(current.name)
        self.address.setText(current.address)
        self.phone.setText(current.phone)
        study = self.session.ctx.study
        self.from_study.setVisible(not current.name)
        self.from_study.setText(
            self.tr(
                "Not set yet: the labels print the study file's pharmacy name ({name})."
            ).format(name=study.pharmacy_name)
            if not current.name
            else ""
        )
        self.language.setCurrentIndex(max(0, self.language.findData(current.language)))

    def _reason(self, title: str) -> str | None:
        return ReasonDialog.ask(
            self,
            title,
            self.tr("Why? The change and its reason are kept in the audit trail."),
            self.tr("Save"),
        )

    def change_particulars(self) -> None:
        try:  # before the reason is asked: once saved, no dispensing label could print
            chosen = pharmacy.checked(self.name.text(), self.address.text(), self.phone.text())
            check_particulars_fit(self.session.ctx.study, chosen)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        reason = self._reason(self.tr("Change the pharmacy's particulars"))
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: pharmacy.set_particulars(
                self.session.ctx,
                self.session.actor,
                self.name.text(),
                self.address.text(),
                self.phone.text(),
                reason,
            ),
        )
        if done is not None:
            self.refresh()
            self.message.show_message(
                self.tr("Saved: the next labels name {name}.").format(name=done.name), "ok"
            )
            self.changed.emit()

    def change_language(self) -> None:
        reason = self._reason(self.tr("Change the pharmacy's language"))
        if reason is None:
            return
        chosen = str(self.language.currentData())
        if not chosen:
            return
        done = attempt(
            self.message,
            lambda: pharmacy.set_language(self.session.ctx, self.session.actor, chosen, reason),
        )
        if done is not None:
            self.message.show_message(
                self.tr("Saved: the sign-in window opens in {language}.").format(
                    language=Language(done.language).native
                ),
                "ok",
            )
            self.changed.emit()
