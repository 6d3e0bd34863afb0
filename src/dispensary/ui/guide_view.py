"""The guides, read inside the program (Help menu): the pharmacist's and the administrator's, in
the language of the windows. The guides are Markdown files under resources/guides, the same
files the repository shows, so that there is one text to keep up to date.

A link to a section (`#dispense`, as GitHub names a heading) scrolls to that heading, a link to
the other guide opens it, and a web address opens in the browser: Qt's Markdown reader gives
headings no anchors of their own, so the links are followed here."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dispensary.files import os_detail, with_detail
from dispensary.i18n import ENGLISH, Language, resource
from dispensary.services import guides
from dispensary.study import Study
from dispensary.ui.feedback import give_dismiss_keys


class Guide(StrEnum):
    """A guide, by the stem of its file under resources/guides."""

    PHARMACIST = "pharmacist"
    ADMINISTRATOR = "administrator"


def guide_file(guide: Guide, language: Language) -> Path:
    """The guide in `language`, else in English (a guide not yet translated is still read)."""
    if language is not ENGLISH:
        translated = resource("guides", f"{guide.value}.{language.value}.md")
        if translated.is_file():
            return translated
    return resource("guides", f"{guide.value}.md")


def guide_of_file(name: str) -> Guide | None:
    """The guide a relative link names (`administrator.zh_CN.md`, `pharmacist.md#receive`)."""
    stem = Path(name.split("#", 1)[0]).name.split(".", 1)[0]
    return next((g for g in Guide if g.value == stem), None)


def guide_title(text: str) -> str:
    """The guide's title: its first heading ("药师指南"), as the reader reads it; "" when none."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line.removeprefix("# ").strip()
    return ""


def wrap_code_blocks(document: QTextDocument) -> None:
    """The guide's code blocks (a command, the GRANTs) wrapped to the window like the text
    around them: Qt keeps their lines whole, which scrolled the whole guide sideways."""
    block = document.begin()
    while block.isValid():
        shape = block.blockFormat()
        if shape.nonBreakableLines():
            shape.setNonBreakableLines(False)
            QTextCursor(block).setBlockFormat(shape)
        block = block.next()


def slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it: lower case, punctuation dropped, spaces to
    hyphens (letters of any script kept), so that one link works there and here."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def headings(document: QTextDocument) -> dict[str, QTextBlock]:
    """Each heading of the document by its anchor; a repeated heading gets -1, -2 as on GitHub."""
    found: dict[str, QTextBlock] = {}
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            base = slug(block.text())
            name, n = base, 0
            while name in found:
                n += 1
                name = f"{base}-{n}"
            found[name] = block
        block = block.next()
    return found


class GuideWindow(QDialog):
    """One guide at a time, with back and forward as a browser has; not modal, so that the
    guide stays open beside the screen it explains."""

    def __init__(
        self,
        guide: Guide,
        language: Language,
        parent: QWidget | None = None,
        study: Study | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("guideWindow")
        self.language = language
        self.study = study  # the study whose facts the guide's examples give
        self.guide = guide
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setOpenLinks(False)
        # A long command or path with no space breaks where it must: no sideways scrolling.
        self.browser.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.browser.anchorClicked.connect(self.follow)
        self.back = QPushButton(self.tr("&Back"))
        self.back.setObjectName("guideBack")
        self.back.clicked.connect(self.go_back)
        self.back.setEnabled(False)
        self.history: list[tuple[Guide, int]] = []  # where each link was followed from
        self.other = QPushButton()
        self.other.setObjectName("guideOther")
        self.other.clicked.connect(self._open_other)
        self.where = QLabel()
        self.where.setObjectName("guideFile")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        give_dismiss_keys(buttons)
        buttons.rejected.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.back)
        top.addWidget(self.other)
        top.addStretch(1)
        top.addWidget(self.where)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(900, 700)
        self.open_guide(guide)

    def open_guide(self, guide: Guide, anchor: str = "") -> None:
        path = guide_file(guide, self.language)
        self.guide = guide
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(path)))
        self.browser.setSearchPaths([str(path.parent)])
        try:
            # The examples in the study's own facts (its drug, kits, cycle), not the first study's
            text = guides.fill(path.read_text(encoding="utf-8"), self.study, self.language.value)
        except OSError as exc:
            text = with_detail(
                self.tr(
                    "The guide {file} cannot be read. Ask the administrator to install "
                    "Dispensary again: the guides come with it."
                ).format(file=str(path)),
                os_detail(exc),
            )
        self.browser.setMarkdown(text)
        wrap_code_blocks(self.browser.document())
        if guide is Guide.PHARMACIST:
            self.setWindowTitle(self.tr("Pharmacist's guide"))
            self.other.setText(self.tr("&Administrator's guide"))
        else:
            self.setWindowTitle(self.tr("Administrator's guide"))
            self.other.setText(self.tr("&Pharmacist's guide"))
        # The guide by its title in the reader's language; its file for whoever looks it up.
        self.where.setText(guide_title(text) or self.windowTitle())
        self.where.setToolTip(str(path))
        if anchor:
            self.scroll_to(anchor)
        else:
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)

    def show_study(self, study: Study | None) -> None:
        """The guide again with another study's facts (the window switched study), where it was."""
        if study is self.study:
            return
        self.study = study
        position = self.browser.verticalScrollBar().value()
        self.open_guide(self.guide)
        self.browser.verticalScrollBar().setValue(position)

    def _open_other(self) -> None:
        self._remember()
        self.open_guide(Guide.ADMINISTRATOR if self.guide is Guide.PHARMACIST else Guide.PHARMACIST)

    def _remember(self) -> None:
        self.history.append((self.guide, self.browser.verticalScrollBar().value()))
        self.back.setEnabled(True)

    def go_back(self) -> None:
        """Back to where the last link was followed from (the guide, and the place in it)."""
        if not self.history:
            return
        guide, position = self.history.pop()
        if guide is not self.guide:
            self.open_guide(guide)
        self.browser.verticalScrollBar().setValue(position)
        self.back.setEnabled(bool(self.history))

    def scroll_to(self, anchor: str) -> bool:
        """The heading named by `anchor` at the top of the view; False when there is none."""
        block = headings(self.browser.document()).get(anchor.lower())
        if block is None:
            return False
        cursor = QTextCursor(block)
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())  # from the bottom, so that the heading ends at the top
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        return True

    def follow(self, url: QUrl) -> None:
        """A link clicked: a section of this guide, the other guide, or a web page."""
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        target = url.path()
        if not target or target.endswith(guide_file(self.guide, self.language).name):
            self._remember()
            self.scroll_to(url.fragment())
            return
        other = guide_of_file(target)
        if other is not None:
            self._remember()
            self.open_guide(other, url.fragment())
            return
        found = self.browser.document().baseUrl().resolved(url)
        if Path(found.toLocalFile()).exists():
            QDesktopServices.openUrl(found)
        else:
            # docs/ is in the source checkout, not in an installed program
            self.where.setText(
                self.tr("{file} is not installed with the program.").format(file=Path(target).name)
            )


class AboutDialog(QDialog):
    """Help > About: plain text the user can select, or copy whole with one button, into a
    message to whoever supports the pharmacy."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutBox")
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(text)
        self.text.setObjectName("aboutText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy = buttons.addButton(self.tr("&Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy.setObjectName("aboutCopy")
        self.copy.clicked.connect(self.copy_text)
        give_dismiss_keys(buttons)  # C&lose: Alt+C is Copy's
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
