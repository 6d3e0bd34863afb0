"""The audit trail as a monitor reads it: who did what, when and why, filtered, and a check
that the hash chain still holds; the chain's verification code now, and a check that it still
holds the point of a code written down or printed earlier (domain.anchor).

Actions, kinds of record and the program's own reason codes are named in the reader's language
(domain.audit_actions), the stored action code beside the name in the full entry; values are
shown readably but as written (keys and texts untranslated); the reasons people typed and the
service's verdicts on the chain are shown as they were written; the screen's own words are
translated."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.anchor import AnchorVerdict
from dispensary.domain.audit_actions import (
    TECHNICAL_FIELDS,
    compact_json,
    field_name,
    meaning_named,
    name_of,
    reason_shown,
    record_named,
    role_named,
    stored_moment,
    value_shown,
    value_words,
)
from dispensary.domain.errors import ChainBroken, DispensaryError, InvalidInput
from dispensary.files import Staged, write_error_text
from dispensary.i18n import sentences, speaking, utc_offset
from dispensary.reports import catalogue as report_catalogue
from dispensary.reports.catalogue import Document
from dispensary.services import audit, site_key
from dispensary.services.audit import AuditFilter
from dispensary.services.results import AnchorCheck, AuditRow, EntrySigners
from dispensary.study import Study
from dispensary.ui.audit_pickers import ActionPicker, UserPicker
from dispensary.ui.dashboard import start_reader
from dispensary.ui.feedback import MessageBar
from dispensary.ui.forms import (
    BANNER_COLOURS,
    DateRange,
    action_button,
    attempt,
    banner_style,
    fit_columns,
    refused,
    row_table,
    select_where,
    selected_rows,
    text_field,
)
from dispensary.ui.models.table import Column, display
from dispensary.ui.reports_view import ReportJob
from dispensary.ui.screen import ALL_ROLES, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.translations import installed_language
from dispensary.ui.widgets import heading, wrapped_label

SHOWN_AT_MOST = 5000
RECORD, REASON, NEW_VALUES, OLD_VALUES = 4, 5, 6, 7
"""Columns of `audit_columns`."""
VALUES_LEAST = 24
"""Characters ("x") of width the values keep before the record gives way."""


def _values(
    text: str, study: Study | None = None, referred: tuple[str, ...] = ()
) -> list[tuple[str, str]] | None:
    """Stored JSON as (key, readable value) pairs, as the audit report writes them
    (audit_actions.value_shown; a product by the study's name for it; another record named by
    its row, an earlier count or the return a correction replaces, in words: AuditRow.referred);
    None when it is not a JSON object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    names = study.product_name if study is not None else str
    rules = study.rule_named if study is not None else str
    doses = study.dose_named if study is not None else str
    events = study.day1_event_recorded if study is not None else str
    return [
        (
            str(k),
            _readable(_moment(value_shown(str(k), v, names, rules, doses, events, referred))),
        )
        for k, v in data.items()
    ]


def _moment(value: object) -> object:
    """A stored moment as the table's When column shows an entry's own time: the
    workstation's local time, "2026-06-23 14:00" (models.table.display); anything else, and a
    time with no offset (which cannot be placed), as it is (audit_actions.stored_moment)."""
    moment = stored_moment(value)
    return value if moment is None else display(moment)


def _readable(value: object) -> str:
    """One stored value in words (audit_actions.value_words), yes/no in the window's language."""
    return value_words(
        value,
        QCoreApplication.translate("AuditScreen", "yes"),
        QCoreApplication.translate("AuditScreen", "no"),
    )


def _compact(text: str, study: Study | None = None, referred: tuple[str, ...] = ()) -> str:
    """Stored JSON as 'key: value' pairs, readable in one table cell (the ledger rows' hashes
    left to the full entry)."""
    if not text:
        return ""
    pairs = _values(text, study, referred)
    if pairs is None:
        return _plain(text)
    pair = QCoreApplication.translate("AuditScreen", "{name}: {value}")
    return QCoreApplication.translate("AuditScreen", "; ").join(
        pair.format(name=field_name(k), value=v) for k, v in pairs if k not in TECHNICAL_FIELDS
    )


def _pretty(text: str, study: Study | None = None, referred: tuple[str, ...] = ()) -> str:
    """Stored values in full for the entry below the table: one 'name: value' a line, in
    words (the ledger rows' ids and hashes and the stored keys left to the technical details)."""
    if not text:
        return "  " + QCoreApplication.translate("AuditScreen", "(none)")
    pairs = _values(text, study, referred)
    if pairs is None:
        return "  " + _plain(text)
    pair = QCoreApplication.translate("AuditScreen", "{name}: {value}")
    return "\n".join(
        "  " + pair.format(name=field_name(k), value=v)
        for k, v in pairs
        if k not in TECHNICAL_FIELDS
    )


def _as_stored(text: str) -> str:
    """Stored values as written, for the technical details: one 'key: JSON value' a line (the
    ledger rows with their hashes too)."""
    if not text:
        return "  " + QCoreApplication.translate("AuditScreen", "(none)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return "  " + text
    if not isinstance(data, dict):
        return "  " + text
    return "\n".join(f"  {k}: {compact_json(v)}" for k, v in data.items())


def _plain(text: str) -> str:
    """Stored text that is not a JSON object: a JSON value made readable, anything else as it
    is."""
    try:
        return _readable(json.loads(text))
    except json.JSONDecodeError:
        return text


def _record(row: AuditRow, study: Study | None = None) -> str:
    """The record an entry names, as `audit list` says it (audit_actions.record_named)."""
    return record_named(
        row.entity,
        row.entity_id,
        row.new,
        study.area_name if study is not None else str,
        row.return_of,
    )


def audit_columns(study: Study | None = None) -> list[Column[AuditRow]]:
    return [
        Column(str(QT_TRANSLATE_NOOP("Column", "No.")), lambda r: r.id, align_right=True),
        Column(when_title([]), lambda r: r.at),
        Column(str(QT_TRANSLATE_NOOP("Column", "User")), lambda r: r.username),
        Column(str(QT_TRANSLATE_NOOP("Column", "Action")), lambda r: name_of(r.action)),
        Column(str(QT_TRANSLATE_NOOP("Column", "Record")), lambda r: _record(r, study)),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Reason")), lambda r: reason_shown(r.action, r.reason)
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "New values")),
            lambda r: _compact(r.new, study, r.referred),
        ),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Old values")),
            lambda r: _compact(r.old, study, r.referred),
        ),
    ]


def _local(at: datetime) -> str:
    """A moment in the workstation's time with its offset from UTC."""
    here = at.astimezone()
    return f"{here:%Y-%m-%d %H:%M:%S} {utc_offset(here)}"


WHEN = 1
"""The column of the entries' times, in the workstation's local time."""


def when_title(rows: Sequence[AuditRow]) -> str:
    """The times' column titled with their zone as an offset from UTC ("When (UTC+08:00)"),
    as the rows shown are in it; both where a change to or from summer time falls among them
    ("When (UTC+01:00/UTC+02:00)"); the workstation's zone now when none is shown."""
    moments = [r.at.astimezone() for r in rows] or [datetime.now().astimezone()]
    zones = {m.utcoffset(): utc_offset(m) for m in moments}
    shown = "/".join(zones[offset] for offset in sorted(zones, key=lambda o: o or timedelta(0)))
    return QCoreApplication.translate("Column", "When ({zone})").format(zone=shown)


class AuditScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Audit trail"))
    shortcut = QKeySequence("Ctrl+0").toString()
    roles = ALL_ROLES

    report_saved = Signal()
    """Emitted when a report asked for is saved (or could not be made): tests wait on it."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        # The report saved is made and written on a worker (ReportJob, as the Reports screen's,
        # started by dashboard.start_reader), one at once: the window waits for it as it closes.
        self._saving = 0
        self._saves: dict[int, tuple[ReportJob, Path]] = {}
        self.model, self.proxy, self.table = row_table(
            self, audit_columns(session.ctx.study), "auditTable", descending=True
        )
        self.model.tooltip_from = 0  # a cell cut in a narrow column reads whole on hover
        # The new values take the width to spare (fit_columns' stretch); the last column
        # stretched too, past the table's edge (1179 of 1128 pixels in Chinese at 1366x768).
        self.table.horizontalHeader().setStretchLastSection(False)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Audit trail")), 1)
        self.verify_button = action_button(
            self.tr("&Verify chain"),
            "verifyChain",
            self.verify,
            self.tr(
                "Recompute the hash of every audit entry and ledger row: any change to the "
                "database file outside the program is found."
            ),
        )
        top.addWidget(self.verify_button)
        layout.addLayout(top)
        self.verdict = wrapped_label("verifyVerdict")
        self.verdict.setVisible(False)
        layout.addWidget(self.verdict)
        layout.addLayout(self._anchor_row())
        self.anchor_verdict = wrapped_label("anchorVerdict")
        self.anchor_verdict.setVisible(False)
        layout.addWidget(self.anchor_verdict)
        self._code_not_matched = ""  # a code checked here that did not match, until one does
        self.message = MessageBar()
        layout.addWidget(self.message)
        layout.addLayout(self._filters())

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table.selectionModel().selectionChanged.connect(self._show_detail)
        splitter.addWidget(self.table)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("auditDetail")
        self.detail.setReadOnly(True)
        self.detail.setFont(QFont("DejaVu Sans Mono", 9))
        self.detail.setPlaceholderText(self.tr("Select an entry to read all of it."))
        splitter.addWidget(self.detail)
        splitter.setSizes([460, 160])
        layout.addWidget(splitter, 1)
        self.count = QLabel()
        self.count.setObjectName("auditCount")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        # The stored codes, keys and the ledger rows' ids and hashes, out of the way until
        # asked for: the entry reads in words.
        self.technical = QPushButton(self.tr("Technical &details"))
        self.technical.setObjectName("auditTechnical")
        self.technical.setCheckable(True)
        self.technical.setToolTip(
            self.tr(
                "Show the selected entry as stored too: action and record codes, field keys, "
                "the ledger rows' ids and hashes."
            )
        )
        self.technical.toggled.connect(self._show_detail)
        bottom.addWidget(self.technical)
        # The site key's fingerprint, read-only, for whoever compares it with the quality
        # binder's copy; an administrator sets the key in Settings.
        self.site_key = wrapped_label("auditSiteKey")
        self.site_key.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.site_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom.addWidget(self.site_key, 1)
        layout.addLayout(bottom)

    def _anchor_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Verification code now:")))
        self.anchor_code = QLabel()
        self.anchor_code.setObjectName("anchorCode")
        self.anchor_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._anchor_tip = self.tr(
            "Where the audit trail stands now. Write it down (reports print it in their "
            "footer): checked later, it shows whether the trail was rewritten since."
        )
        self.anchor_code.setToolTip(self._anchor_tip)
        row.addWidget(self.anchor_code)
        row.addSpacing(24)
        self.anchor_field = text_field("anchorField", self.tr("A code written down earlier: A-..."))
        self.anchor_field.setClearButtonEnabled(True)
        self.anchor_field.returnPressed.connect(self.check_anchor)
        caption = QLabel(self.tr("Check a &code:"))
        caption.setBuddy(self.anchor_field)
        row.addWidget(caption)
        row.addWidget(self.anchor_field, 1)
        self.anchor_button = action_button(
            self.tr("Chec&k code"),
            "checkAnchor",
            self.check_anchor,
            self.tr(
                "Recompute the audit trail up to the entry the code names: a history rewritten "
                "since the code was taken does not match it."
            ),
        )
        row.addWidget(self.anchor_button)
        return row

    def _filters(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        # The pickers the Reports screen's audit report offers too (ui.audit_pickers).
        self.user = UserPicker("auditUser")
        self.action = ActionPicker("auditAction")
        self.action.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.text = text_field("auditText", self.tr("Kit, participant, dispense, reason..."))
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.refresh)
        self.dates = DateRange(self.session.ctx.clock.today())
        self.apply = action_button(self.tr("&Show"), "auditApply", self.refresh)
        self.export = action_button(
            self.tr("Save &report..."),
            "auditExport",
            self.save_report,
            self.tr(
                "Save the entries these filters keep as the audit trail report (PDF or CSV), "
                "with the filters and the chain's verification on its first page."
            ),
        )
        # Each filter's label its Alt key (review s11: they had none).
        for caption, field, stretch in (
            (self.tr("&User"), self.user, 0),
            (self.tr("&Action"), self.action, 0),
            (self.tr("Te&xt"), self.text, 1),
        ):
            label = QLabel(caption)
            label.setBuddy(field)
            first.addWidget(label)
            first.addWidget(field, stretch)
        second.addWidget(self.dates)
        second.addStretch(1)
        second.addWidget(self.apply)
        second.addWidget(self.export)
        rows.addLayout(first)
        rows.addLayout(second)
        return rows

    def _load_choices(self) -> None:
        """The accounts the study's trail may hold (a former member of the study too), as the
        service gives them now."""
        self.user.load(self.session, self.message)

    def chosen(self) -> AuditFilter | None:
        """The filters as the screen shows them, read now: the entries listed and the report
        saved are both those it keeps (services.audit.AuditFilter: the days are this
        workstation's, as the times shown). None, said, when a date cannot be read."""
        mistyped_day = self.dates.mistyped()
        if mistyped_day is not None:  # "2026-02-30": said, never entries of another day
            typed_in, said = mistyped_day
            self.message.show_message(said, "error")
            typed_in.refuse()  # left as typed, marked, selected to be typed again
            return None
        since, until = self.dates.value()
        if since is not None and until is not None and since > until:
            self.message.show_message(self.tr("The 'from' date is after the 'to' date; swap them."))
            return None
        return AuditFilter(
            since=since,
            until=until,
            username=self.user.chosen(),
            action=self.action.chosen(),
            text=self.text.text().strip() or None,
        )

    def refresh(self) -> None:
        self._load_choices()
        self._show_anchor()
        self._show_site_key()
        chosen = self.chosen()
        if chosen is None:
            return
        rows = attempt(
            self.message,
            lambda: audit.matching(
                self.session.ctx, self.session.actor, chosen, limit=SHOWN_AT_MOST
            ),
        )
        if rows is None:
            return
        self.message.clear_message()
        self.model.set_rows(rows)
        self.model.set_title(WHEN, when_title(rows))
        # Everything is read whole in the detail below. The old values give way first (most
        # often empty), then the reasons (most often empty too), then the new values: the
        # record, what a reader scans the list by, keeps its room ("发放 DSP000134" was cut to
        # "发…" at 1366x768) once they read a few words.
        # The new values take the width to spare (at 1920x1080 they read whole) and give way
        # first, but only down to a readable width: cut to their header they read "Role: …",
        # "Cycle: 7; Da…" at 1366x768. Each cell reads whole in its tooltip.
        least = self.table.fontMetrics().horizontalAdvance("x") * VALUES_LEAST
        fit_columns(
            self.table,
            widest=320,
            stretch=NEW_VALUES,
            yielding=(OLD_VALUES, REASON, NEW_VALUES, RECORD),
            keep={NEW_VALUES: least},
        )
        self.action.offer(r.action for r in rows)  # a code this version does not write too
        if len(rows) >= SHOWN_AT_MOST:
            shown = self.tr(
                "{n} entries shown (the latest; narrow the filters to see older ones)"
            ).format(n=len(rows))
        elif not rows:  # an empty table alone reads as a fault
            shown = self.tr("No entry matches these filters.")
        elif len(rows) == 1:
            shown = self.tr("1 entry shown")
        else:
            shown = self.tr("{n} entries shown").format(n=len(rows))
        self.count.setText(shown)

    def save_report(self) -> None:
        """The audit trail report of the entries the filters keep, as the list below shows
        them (every one, where the list shows the latest SHOWN_AT_MOST), saved as PDF or CSV."""
        chosen = self.chosen()
        if chosen is None:
            return
        entry = report_catalogue.report("audit")
        stamp = self.session.ctx.clock.today().isoformat()
        offered = Path.home() / entry.file_name(chosen.values(), stamp)
        pdf, csv = self.tr("PDF (*.pdf)"), self.tr("CSV (*.csv)")
        path, kind = QFileDialog.getSaveFileName(
            self, self.tr("Save the audit trail report"), str(offered), f"{pdf};;{csv}"
        )
        if not path:
            return
        fmt = "csv" if kind == csv or path.lower().endswith(".csv") else "pdf"
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"
        target = Path(path)
        ctx, actor = self.session.ctx, self.session.actor
        values, language = chosen.values(self.session.settings.paper or None), installed_language()

        def make() -> Document:
            # Read, drawn and written on a worker, as the Reports screen makes its documents: a
            # long trail does not freeze the window, and a report asked for is saved even if the
            # screen is gone before it is done (the window waits for it as it closes). The
            # language is given (not the thread's).
            document = report_catalogue.make_report(
                entry, ctx, actor, values, fmt, language=language
            )
            staged = Staged(target)  # whole or not at all
            try:
                staged.write(document.data)
                staged.keep()
            except OSError as exc:
                staged.discard()
                with speaking(language):
                    raise InvalidInput(write_error_text(exc, target)) from exc
            return document

        self._saving += 1
        job = ReportJob(self._saving, make)
        job.done.connect(self._report_made)
        job.failed.connect(self._report_failed)
        self._saves[self._saving] = (job, target)
        self.export.setEnabled(False)
        self.message.show_message(self.tr("Preparing the audit trail report..."), "info")
        start_reader(job)  # waited for when the window closes; garbage collection held off

    def _report_failed(self, number: int, text: str, refused: bool) -> None:
        self._saves.pop(number, None)
        self.export.setEnabled(True)
        self.message.show_message(text)
        self.report_saved.emit()

    def _report_made(self, number: int, document: object) -> None:
        _job, target = self._saves.pop(number, (None, None))
        self.export.setEnabled(True)
        if isinstance(document, Document) and target is not None:
            said = self.tr("Saved the {says}: {target}").format(says=document.says, target=target)
            if document.warning:
                self.message.show_message(f"{said}\n{document.warning}", "warning")
            else:
                self.message.show_message(said, "ok")
        self.report_saved.emit()

    def _show_detail(self) -> None:
        rows = selected_rows(self.table, self.proxy, self.model)
        if not rows:
            self.detail.clear()
            return
        r = rows[0]
        reason = reason_shown(r.action, r.reason)
        here = r.at.astimezone()
        utc = r.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        # The workstation's time, and UTC beside it unless the workstation keeps UTC (the time
        # said twice, "12:00:00 UTC (UTC 12:00:00)").
        if here.utcoffset() == timedelta(0):
            when = self.tr("{utc} UTC").format(utc=utc)
        else:
            when = self.tr("{local} (UTC {utc})").format(
                local=f"{here:%Y-%m-%d %H:%M:%S} {utc_offset(here)}", utc=utc
            )
        signers = attempt(
            self.message,
            lambda: audit.signers_of(self.session.ctx, self.session.actor, [r.id]),
        )
        shown = self.tr(
            "Entry {id}, {when}\n"
            "User: {user}    Action: {action}    Record: {record}\n"
            "Reason: {reason}\n\nSignatures:\n{signatures}\n\nNew values:\n{new}\n\n"
            "Old values:\n{old}"
        ).format(
            id=r.id,
            when=when,
            user=self._person(r.id, r.username, signers),
            signatures=self._signatures(r.id, signers),
            action=name_of(r.action),
            record=_record(r, self.session.ctx.study),
            reason=reason or self.tr("(none)"),
            new=_pretty(r.new, self.session.ctx.study, r.referred),
            old=_pretty(r.old, self.session.ctx.study, r.referred),
        )
        if self.technical.isChecked():
            # The entry as stored, for whoever compares it with the database or the CSV.
            shown += "\n\n" + self.tr(
                "Technical details (as stored)\n"
                "Action: {action}    Record: {entity} {entity_id}    Reason: {reason}\n"
                "New values:\n{new}\n"
                "Old values:\n{old}"
            ).format(
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                reason=r.reason or self.tr("(none)"),
                new=_as_stored(r.new),
                old=_as_stored(r.old),
            )
        self.detail.setPlainText(shown)

    def _person(self, entry: int, username: str, signers: EntrySigners | None) -> str:
        """The entry's username with the full name it stands for and the role held when the
        entry was made, as the service read them from the trail (not the role now)."""
        if signers is None or entry not in signers.roles:
            return username
        for person in signers.people:
            if person.username == username:
                return self.tr("{user} ({name}, {role})").format(
                    user=username, name=person.full_name, role=role_named(signers.roles[entry])
                )
        return username

    def _signatures(self, entry: int, signers: EntrySigners | None) -> str:
        """The signatures recorded with the entry, one a line: printed name, role, meaning
        and time (21 CFR 11.50); "(none)" for an entry signed by nobody."""
        found = signers.signatures.get(entry, ()) if signers is not None else ()
        if not found:
            return "  " + self.tr("(none)")
        return "\n".join(
            "  "
            + self.tr("{name} ({role}): {meaning}, {when}").format(
                name=s.full_name,
                role=role_named(s.role),
                meaning=meaning_named(s.meaning),
                when=_local(s.at),
            )
            for s in found
        )

    def verify(self) -> None:
        """The chain's verdict; while a code checked here does not match, that code is
        checked again instead: its verdict includes the chain's, qualified (a chain that
        verifies was rewritten since the code), so one verdict is shown, never a green
        banner above a red one."""
        if self._code_not_matched:
            self._check_code(self._code_not_matched)
            return
        result = attempt(self.message, lambda: audit.verify(self.session.ctx, self.session.actor))
        if result is None:
            return
        # result.message and the findings are the service's words: shown as it wrote them.
        counts = self.tr("{entries} audit entries and {ledger} ledger rows checked.").format(
            entries=result.entries, ledger=result.ledger_entries
        )
        if result.ok:
            self.verdict.setText(
                self.tr("CHAIN INTACT. {message} {counts}").format(
                    message=result.message, counts=counts
                )
            )
        else:
            first = (
                self.tr(" First entry that does not match: {entry}.").format(entry=result.first_bad)
                if result.first_bad
                else ""
            )
            more = "".join(f"\n• {finding}" for finding in result.findings[1:])
            self.verdict.setText(
                self.tr("CHAIN BROKEN. {message}{first} {counts}{more}").format(
                    message=result.message, first=first, counts=counts, more=more
                )
            )
        self.verdict.setStyleSheet(banner_style(result.ok))
        self.verdict.setVisible(True)
        self.anchor_verdict.setVisible(False)
        # The code shown was read before this check: a trail found broken is given none.
        self._show_anchor()
        if not result.ok and result.first_bad is not None:
            bad = result.first_bad
            select_where(self.table, self.proxy, self.model, lambda r: r.id == bad)

    def _show_anchor(self) -> None:
        """The code where the trail stands; none while it does not verify (the service gives
        none then: ChainBroken), said in red in its place, with why in its tooltip."""
        try:
            code = audit.current_anchor(self.session.ctx, self.session.actor)
        except ChainBroken as exc:
            self.anchor_code.setStyleSheet(f"color: {BANNER_COLOURS[False][1]}; font-weight: bold;")
            self.anchor_code.setText(self.tr("none: the audit trail does not verify"))
            self.anchor_code.setToolTip(exc.message)
            return
        except DispensaryError as exc:
            refused(self.message, exc)
            code = None
        self.anchor_code.setStyleSheet("")
        self.anchor_code.setText(code or "")
        self.anchor_code.setToolTip(self._anchor_tip)

    def _show_site_key(self) -> None:
        """The fingerprint of the key that signs this workstation's anchor log, as the service
        reads it; its refusal as written when the key set cannot be read."""
        try:
            key = site_key.current()
        except DispensaryError as exc:
            self.site_key.setText(exc.message)
            return
        self.site_key.setText(
            self.tr("Site key of this workstation: {fingerprint}").format(
                fingerprint=key.fingerprint
            )
            if key is not None
            else self.tr("No site key on this workstation: its anchor log is not signed.")
        )
        self.site_key.setToolTip(
            self.tr(
                "The site key signs the anchor log at each backup. Compare its fingerprint with "
                "the copy in the site's quality binder."
            )
        )

    def check_anchor(self) -> None:
        typed = self.anchor_field.text().strip()
        if not typed:
            self.message.show_message(
                self.tr(
                    "Type the verification code written down or printed earlier (it looks like "
                    "A-104233-7QK2-M9TD-C), then press Enter."
                )
            )
            return
        self._check_code(typed)

    def _check_code(self, typed: str) -> None:
        """The code's verdict, which holds the whole chain's own check: it replaces the chain
        verdict shown before (one verdict on the screen)."""
        self.anchor_verdict.setVisible(False)
        check = attempt(
            self.message,
            lambda: audit.check_anchor(self.session.ctx, self.session.actor, typed),
        )
        if check is None:
            return
        self.message.clear_message()
        self._code_not_matched = "" if check.verdict is AnchorVerdict.MATCHES else check.code
        self.verdict.setVisible(False)
        self.anchor_verdict.setText(_anchor_text(check))
        self.anchor_verdict.setStyleSheet(banner_style(check.ok))
        self.anchor_verdict.setVisible(True)
        self._show_anchor()


def _anchor_text(check: AnchorCheck) -> str:
    """The verdict in a few words of the screen, then the service's own sentences."""
    if check.ok:
        return QCoreApplication.translate("AuditScreen", "CODE MATCHES. {message}").format(
            message=check.message
        )
    if check.verification.ok:
        return QCoreApplication.translate("AuditScreen", "CODE DOES NOT MATCH. {message}").format(
            message=check.message
        )
    if check.verdict is AnchorVerdict.MATCHES:
        return QCoreApplication.translate(
            "AuditScreen", "CODE MATCHES, BUT THE CHAIN IS BROKEN. {message}"
        ).format(message=check.message)
    return QCoreApplication.translate("AuditScreen", "CODE DOES NOT MATCH. {message}").format(
        message=sentences([check.message, check.verification.message])
    )
