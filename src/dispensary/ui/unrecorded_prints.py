"""Label prints that went out but whose record the database refused, settled before the session
ends: the window closed, Quit, or File > Sign out dropped them without a word (the labels on
the kits or the bottle, and no trace in the audit trail that they were printed). The session
keeps them by study (AppSession.unrecorded_kits: the Receive screen's kit labels;
AppSession.unrecorded: the Dispense screen's labels and leaflets); one question names them all,
and their record is retried through the function the screens use (label_preview.record_print)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from dispensary.domain.codes import LabelKind
from dispensary.domain.errors import DispensaryError
from dispensary.services import queries
from dispensary.services.context import Context
from dispensary.services.labels import PrintPlan
from dispensary.ui.label_preview import record_print
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import separated_first


@dataclass(frozen=True)
class PendingPrint:
    """One print out whose record waits: its study, where the session keeps it (`key`: None
    for the Receive screen's kit labels, else the Dispense screen's key), and the plan to
    record it by."""

    study_id: int
    key: str | None
    plan: PrintPlan


def pending_prints(session: AppSession) -> list[PendingPrint]:
    """Every print of the session, in every study, waiting for its record."""
    found = [PendingPrint(study, None, plan) for study, plan in session.unrecorded_kits.items()]
    for study, labels in session.unrecorded.items():
        found += [PendingPrint(study, key, plan) for key, plan in sorted(labels.items())]
    return found


def forget(session: AppSession, pending: PendingPrint) -> None:
    """Taken out of the session: recorded, or discarded knowingly."""
    if pending.key is None:
        session.unrecorded_kits.pop(pending.study_id, None)
    else:
        session.unrecorded.get(pending.study_id, {}).pop(pending.key, None)


def _of_study(session: AppSession, contexts: dict[int, Context], study_id: int) -> AppSession:
    """The session as it is in the study the print went out in (a print is recorded in its
    own study, never under the one open now)."""
    if study_id == session.ctx.study_id:
        return session
    return replace(session, ctx=contexts.get(study_id, session.ctx))


def described(session: AppSession, contexts: dict[int, Context], pending: PendingPrint) -> str:
    """What the print is, as the question names it: the kits; or the dispense, with its
    participant and cycle when the database can say them (it may be the one down)."""
    plan = pending.plan
    if plan.kind is LabelKind.KIT:
        return QCoreApplication.translate("UnrecordedPrints", "kit labels: {kits}").format(
            kits=separated_first(plan.items, 6)
        )
    own = _of_study(session, contexts, pending.study_id)
    named: list[str] = []
    for number in plan.items:
        try:
            found = queries.get_dispense_detail(own.ctx, own.actor, number)
        except DispensaryError:
            named.append(number)
            continue
        named.append(
            QCoreApplication.translate(
                "UnrecordedPrints", "{number} (participant {participant}, cycle {cycle})"
            ).format(number=number, participant=found.participant, cycle=found.cycle)
        )
    what = separated_first(named, 6)
    if plan.kind is LabelKind.LEAFLET:
        return QCoreApplication.translate(
            "UnrecordedPrints", "participant leaflet of dispense {dispense}"
        ).format(dispense=what)
    return QCoreApplication.translate(
        "UnrecordedPrints", "dispensing label of dispense {dispense}"
    ).format(dispense=what)


def record_pending(
    session: AppSession, contexts: dict[int, Context], pending: list[PendingPrint]
) -> list[tuple[str, str]]:
    """Each print's record retried in its own study; those recorded leave the session. What
    was refused, and why, as (what, why)."""
    refused: list[tuple[str, str]] = []
    for one in pending:
        why = record_print(_of_study(session, contexts, one.study_id), one.plan)
        if why:
            refused.append((described(session, contexts, one), why))
        else:
            forget(session, one)
    return refused


RECORD = "record"
DISCARD = "discard"
KEEP = ""


def record_or_discard(box: QMessageBox, record_text: str, discard_text: str) -> str:
    """The buttons and answer of every question about a print whose record is waiting (the
    Receive screen's, and the one as the session ends): RECORD, DISCARD, or KEEP (Cancel, the
    default, Esc or the box closed), so that an Enter or Esc typed from habit loses nothing."""
    box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 480px; }")
    record = box.addButton(record_text, QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(discard_text, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is record:
        return RECORD
    if clicked is discard:
        return DISCARD
    return KEEP


class UnrecordedPrintsQuestion:
    """Asked as the session ends by the user's hand (the window closed, Quit, Sign out) while
    labels printed in it wait for their record: record them now (nothing printed again),
    discard them knowingly, or Cancel, the default, so that an Enter or Esc loses nothing and
    the window stays open."""

    RECORD = RECORD
    DISCARD = DISCARD
    KEEP = KEEP

    @classmethod
    def ask(cls, parent: QWidget | None, prints: list[str]) -> str:
        """RECORD, DISCARD or KEEP (Cancel, Esc, the box closed). Tests replace this method."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("UnrecordedPrints", "Labels printed, not recorded"),
            QCoreApplication.translate(
                "UnrecordedPrints",
                "These labels were printed, but the database refused their record: the audit "
                "trail does not show them printed yet.",
            ),
            parent=parent,
        )
        box.setObjectName("unrecordedPrintsQuestion")
        box.setInformativeText(
            "\n".join(f"• {line}" for line in prints)
            + "\n\n"
            + QCoreApplication.translate(
                "UnrecordedPrints",
                "Record them now (nothing is printed again). If you discard them, the record is "
                "lost: the audit trail will never show that these labels were printed.",
            )
        )
        return record_or_discard(
            box,
            QCoreApplication.translate("UnrecordedPrints", "&Record now"),
            QCoreApplication.translate("UnrecordedPrints", "&Discard the record"),
        )
