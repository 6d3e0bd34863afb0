"""The rules of the study file, each with its source: those from the registry or the protocol
hold as written; any other (a site decision) is "to confirm" until an administrator confirms
it, with a reason kept in the audit trail. Everyone may read the list; the service lets only
an administrator confirm (services/studies.confirm_rule)."""

from __future__ import annotations

from html import escape as html_escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QWidget,
)

from dispensary.domain.rules import source_words
from dispensary.services import studies
from dispensary.services.permissions import Permission, may
from dispensary.services.results import RuleState
from dispensary.ui.feedback import MessageBar, go_on_question
from dispensary.ui.forms import (
    action_button,
    attempt,
    cell_width,
    fit_columns,
    row_table,
    select_where,
    selected_rows,
    text_field,
)
from dispensary.ui.models.table import Column, display
from dispensary.ui.screen import ALL_ROLES, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import titled_page, wrapped_label

TO_CONFIRM_COLOUR = "#b34700"
HOLDS_COLOUR = "#2e7d32"


def plain(text: str) -> str:
    """Text from the records shown in rich text as typed (< and & are not markup)."""
    return html_escape(text, quote=False)


def _state_colour(rule: RuleState) -> str:
    return HOLDS_COLOUR if rule.confirmed else TO_CONFIRM_COLOUR


def rule_state(rule: RuleState) -> str:
    """Whether the rule holds, in the user's language (the service's `RuleState.state`)."""
    if rule.by_source:
        return QCoreApplication.translate("StudyRulesScreen", "holds ({source})").format(
            source=source_words(rule.source)
        )
    if rule.confirmed:
        return QCoreApplication.translate("StudyRulesScreen", "confirmed")
    if rule.changed:  # confirmed for a text of the rule an update of the study file changed
        return QCoreApplication.translate(
            "StudyRulesScreen", "to confirm (changed since confirmed)"
        )
    return QCoreApplication.translate("StudyRulesScreen", "to confirm")


def rule_name(rule: RuleState) -> str:
    """The rule by name in the user's language ("周期间隔"), its key when it has none."""
    return rule.name or rule.key


def rule_key(rule: RuleState) -> str:
    """What the administrator looks for in the study file, on hover over the rule's name."""
    return QCoreApplication.translate("StudyRulesScreen", "Key in the study file: {key}").format(
        key=rule.key
    )


RULE_COLUMNS: list[Column[RuleState]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "State")), rule_state, colour=_state_colour),
    Column(str(QT_TRANSLATE_NOOP("Column", "Rule")), rule_name, hint=rule_key),
    Column(str(QT_TRANSLATE_NOOP("Column", "What it says")), lambda r: r.said or r.title),
    Column(str(QT_TRANSLATE_NOOP("Column", "Source")), lambda r: source_words(r.source)),
    Column(str(QT_TRANSLATE_NOOP("Column", "By")), lambda r: r.confirmed_by),
    Column(str(QT_TRANSLATE_NOOP("Column", "On")), lambda r: r.confirmed_at),
    Column(str(QT_TRANSLATE_NOOP("Column", "Reason")), lambda r: r.reason),
]
"""What a rule says and its source are the study file's words, shown as written."""


WHAT_IT_SAYS = 2
REASON = 6
IN_SIGHT = 8
"""Rules the list shows at once at least: rows grow to wrap their text only while it does."""


def to_confirm_first(rules: list[RuleState]) -> list[RuleState]:
    """The rules still to confirm at the top, each group in the study file's order."""
    return [r for r in rules if not r.confirmed] + [r for r in rules if r.confirmed]


class ConfirmRuleQuestion:
    """The last question before a rule is confirmed: it changes what the counter does."""

    @classmethod
    def ask(cls, parent: QWidget | None, question: str, details: str, action: str) -> bool:
        """True when the user pressed the action's button (Cancel is the default). The texts
        are rich text. Tests replace this method."""
        return go_on_question(
            parent,
            "confirmRuleQuestion",
            QCoreApplication.translate("StudyRulesScreen", "Confirm rule"),
            question,
            action,
            details,
            icon=QMessageBox.Icon.Question,
            rich=True,
        )


class StudyRulesScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Study rules"))
    shortcut = QKeySequence("Ctrl+Shift+R").toString()
    roles = ALL_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.may_confirm = may(session.actor, Permission.STUDY)
        self.model, self.proxy, self.table = row_table(self, RULE_COLUMNS, "ruleTable")
        # Rules to confirm first, then the study file's order: not re-sorted by a column.
        self.table.setSortingEnabled(False)
        self.proxy.sort(-1)
        # fit_columns shares the width out (the reason column takes the rest): a stretched last
        # section would keep its width when the window narrows.
        self.table.horizontalHeader().setStretchLastSection(False)
        # What a rule says is read whole: cut to the room left beside the other columns, it
        # wraps and its row grows (the whole text is also the cell's tooltip); the other rows
        # keep one line's height, so the list shows as many rules as before.
        self.table.setWordWrap(True)
        layout, self.message = titled_page(
            self, self.tr("Study rules of {study}").format(study=session.study)
        )
        # What the rules' states mean and how many wait: refreshed with the list.
        self.summary = MessageBar(self)
        self.summary.setObjectName("rulesSummary")
        layout.addWidget(self.summary)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._focus_reason)
        # The columns are shared out again whenever the list's room changes (the window, a
        # message shown above it, the scroll bar coming or going).
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._confirm_box())
        self._selection_changed()

    def _confirm_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected rule"))
        form = QFormLayout(box)
        self.chosen = wrapped_label("chosenRule")
        self.chosen.setTextFormat(Qt.TextFormat.RichText)
        form.addRow(self.chosen)
        self.reason = text_field(
            "confirmReason", self.tr("Why it holds, e.g. the investigator's letter of 2026-11-02")
        )
        self.reason.returnPressed.connect(self._confirm)
        self.confirm_button = action_button(
            self.tr("&Confirm rule..."),
            "confirmRule",
            self._confirm,
            self.tr(
                "From then on the counter applies the rule as written (kept in the audit trail)"
            ),
        )
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.reason, 1)
        line.addWidget(self.confirm_button)
        form.addRow(self.tr("&Reason"), row)
        # Read only for those who may not confirm: the list is shown, the action is not (the
        # service refuses it anyway).
        form.setRowVisible(row, self.may_confirm)
        self.confirm_button.setVisible(self.may_confirm)
        return box

    def refresh(self) -> None:
        chosen = self.current()
        rules = attempt(
            self.message, lambda: studies.study_rules(self.session.ctx, self.session.actor)
        )
        if rules is None:
            return
        self.model.set_rows(to_confirm_first(rules))
        self._fit()
        self._show_summary(rules)
        if chosen is None or not self.select(chosen.key):
            self.table.selectRow(0)
        self._selection_changed()

    def _fit(self) -> None:
        fit_columns(self.table, widest=560, stretch=REASON, yielding=(WHAT_IT_SAYS,))
        self._fit_rows()

    def _fit_rows(self) -> None:
        """A row whose text is wider than its column is as tall as the wrapped text needs, up
        to two lines; the others one line high. In a window narrower than 1366x768, where that
        would leave fewer than eight rules in sight, every row keeps one line (the text ends
        with "…", the tooltip has it all)."""
        view = self.table
        line = view.verticalHeader().defaultSectionSize()
        most = line + view.fontMetrics().lineSpacing()
        heights = []
        for row in range(self.proxy.rowCount()):
            wraps = any(
                cell_width(view, str(self.proxy.index(row, column).data() or ""))
                > view.columnWidth(column)
                for column in (WHAT_IT_SAYS, REASON)
            )
            heights.append(min(max(line, view.sizeHintForRow(row)), most) if wraps else line)
        if sum(heights[:IN_SIGHT]) > view.viewport().height():
            heights = [line] * len(heights)
        for row, height in enumerate(heights):
            if view.rowHeight(row) != height:
                view.setRowHeight(row, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit()
        return super().eventFilter(watched, event)

    def _show_summary(self, rules: list[RuleState]) -> None:
        waiting = sum(1 for r in rules if not r.confirmed)
        if not waiting:
            self.summary.show_message(
                self.tr(
                    "All {n} rules of the study file hold: from the registry or the protocol as "
                    "written, the site decisions confirmed by an administrator."
                ).format(n=len(rules)),
                "ok",
            )
            return
        who = (
            self.tr("Select one, type why it holds and confirm it.")
            if self.may_confirm
            else self.tr("An administrator confirms them.")
        )
        counted = self.tr("1 rule") if waiting == 1 else self.tr("{n} rules").format(n=waiting)
        self.summary.show_message(
            self.tr(
                "<b>{rules} to confirm</b>, listed first. Rules from the registry or the "
                "protocol hold as written; any other (a site decision) never blocks the counter "
                "until it is confirmed: the counter shows it as a notice. {who}"
            ).format(rules=counted, who=who),
            "warning",
        )

    def current(self) -> RuleState | None:
        rows = selected_rows(self.table, self.proxy, self.model)
        return rows[0] if rows else None

    def select(self, key: str) -> bool:
        return select_where(self.table, self.proxy, self.model, lambda r: r.key == key)

    def _selection_changed(self) -> None:
        rule = self.current()
        self.confirm_button.setEnabled(rule is not None and not rule.confirmed)
        self.reason.setEnabled(rule is not None and not rule.confirmed)
        if rule is None:
            self.chosen.setText(self.tr("Select a rule in the list."))
            return
        head = self.tr("<b>{rule}</b>: {title} <i>({source})</i><br>").format(
            rule=plain(rule_name(rule)),
            title=plain(rule.said or rule.title),
            source=plain(source_words(rule.source)),
        )
        head += f"<small>{plain(rule_key(rule))}</small><br>"
        if rule.by_source:
            state = self.tr("Holds as written: it comes from the {source}.").format(
                source=plain(source_words(rule.source))
            )
        elif rule.confirmed:
            state = self.tr("Confirmed by <b>{name}</b> on {date}: {reason}").format(
                name=plain(rule.confirmed_by),
                date=display(rule.confirmed_at),
                reason=plain(rule.reason),
            )
        else:
            state = self.tr(
                "<span style='color:{colour}'><b>To confirm.</b></span> The counter shows it as "
                "a notice and does not apply it."
            ).format(colour=TO_CONFIRM_COLOUR)
        self.chosen.setText(head + state)

    def _focus_reason(self, *_index: object) -> None:
        if self.reason.isVisible() and self.reason.isEnabled():
            self.reason.setFocus()

    def _confirm(self) -> None:
        rule = self.current()
        if rule is None or rule.confirmed:
            return
        reason = self.reason.text()
        if not reason.strip():
            self.message.show_message(
                self.tr(
                    "Type why rule {rule} holds (the decision or document behind it) before "
                    "confirming it: the reason is kept in the audit trail."
                ).format(rule=rule_name(rule))
            )
            self.reason.setFocus()
            return
        if not ConfirmRuleQuestion.ask(
            self,
            self.tr("<b>Confirm rule {rule}?</b>").format(rule=plain(rule_name(rule))),
            self.tr(
                "{title} <i>({source})</i>.<br><br>From then on the counter applies it as "
                "written: it may refuse a step or ask for an override. The confirmation is kept "
                "in the audit trail with your reason:<br><br><i>{reason}</i>"
            ).format(
                title=plain(rule.said or rule.title),
                source=plain(source_words(rule.source)),
                reason=plain(reason.strip()),
            ),
            self.tr("&Confirm rule"),
        ):
            return
        done = attempt(
            self.message,
            lambda: studies.confirm_rule(self.session.ctx, self.session.actor, rule.key, reason),
        )
        if done is None:
            return
        self.reason.clear()
        self.refresh()
        self.message.show_message(
            self.tr(
                "Rule {rule} ({source}) is confirmed: the counter now applies it as written."
            ).format(rule=rule_name(done), source=source_words(done.source)),
            "ok",
        )
        # The message pushes the list down and its rows wrap again: laid out now, before the
        # rule is scrolled to, it stays in sight instead of slipping below the list's edge.
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.select(done.key)
        self.changed.emit()
