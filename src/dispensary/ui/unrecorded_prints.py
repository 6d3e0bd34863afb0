"""Label prints that went out but whose record the database refused, settled before the session
ends: the window closed, Quit, or File > Sign out dropped them without a word (the labels on
the kits or the bottle, and no trace in the audit trail that they were printed). The session
keeps them by study (AppSession.unrecorded_kits: the Receive screen's kit labels;
AppSession.unrecorded: the Dispense screen's labels and leaflets); one question names them all,
and their record is retried through the function the screens use (label_preview.record_print)."""

from __future__ import annotations

import json
from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from dispensary.config import data_dir, stored_form
from dispensary.domain.codes import LabelKind
from dispensary.domain.errors import DispensaryError
from dispensary.files import write_private
from dispensary.services import labels as label_prints
from dispensary.services import queries, studies
from dispensary.services.context import Actor, Context
from dispensary.services.labels import PrintPlan
from dispensary.services.pharmacy import Particulars
from dispensary.ui.feedback import give_dismiss_key
from dispensary.ui.label_preview import discard_print, record_print
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
    """Taken out of the session (and the workstation's file, `write_through`): recorded, or
    discarded knowingly."""
    if pending.key is None:
        session.unrecorded_kits.pop(pending.study_id, None)
    else:
        session.unrecorded.get(pending.study_id, {}).pop(pending.key, None)
    session.waiting_changed()


def _of_study(session: AppSession, contexts: dict[int, Context], study_id: int) -> AppSession:
    """The session as it is in the study the print went out in (a print is recorded in its
    own study, never under the one open now)."""
    if study_id == session.ctx.study_id:
        return session
    return replace(session, ctx=contexts.get(study_id, session.ctx))


def described(session: AppSession, contexts: dict[int, Context], pending: PendingPrint) -> str:
    """What the print is, in the window's language, as the question (and the Dispense screen's
    list of prints waiting) names it: the kits; or the dispense, with its participant and cycle
    when the database can say them (it may be the one down); a reprint said so. Never the
    session's key, which for a print from Reports and labels is its PDF's title, in the
    label's languages."""
    named = _named(session, contexts, pending)
    if not pending.plan.reprint:
        return named
    return QCoreApplication.translate("UnrecordedPrints", "{print}, reprint").format(print=named)


def _named(session: AppSession, contexts: dict[int, Context], pending: PendingPrint) -> str:
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


def discard_pending(
    session: AppSession, contexts: dict[int, Context], pending: list[PendingPrint]
) -> list[tuple[str, str]]:
    """Each print's discard put in the audit trail in its own study; those written leave the
    session. What was refused, and why, as (what, why): still waiting, never let go unwritten."""
    refused: list[tuple[str, str]] = []
    for one in pending:
        why = discard_print(_of_study(session, contexts, one.study_id), one.plan)
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
    give_dismiss_key(cancel, [record_text, discard_text])
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
                "Record them now (nothing is printed again). If you discard them, the audit trail "
                "shows that their print record was discarded, not that they were printed.",
            )
        )
        return record_or_discard(
            box,
            QCoreApplication.translate("UnrecordedPrints", "&Record now"),
            QCoreApplication.translate("UnrecordedPrints", "&Discard the record"),
        )


KEPT_FILE = "prints-waiting.json"
"""The workstation's file of the prints waiting for their record (in the data folder), kept in
step with the session (`write_through`): a print is written to it as it starts waiting, and
leaves it only once recorded or discarded (the audit trail says which). Kept only in memory,
they were lost without a word when the program closed, or crashed, before that user recorded
them; in the file they wait for that user's next sign-in at this workstation, whenever it
comes: the session ended by their account locked elsewhere, their access withdrawn, another
user signing in at the lock, or the program killed."""

Kept = tuple[dict[int, dict[str, PrintPlan]], dict[int, PrintPlan], dict[int, Context]]
"""As MainWindow.take_prints gives them: the Dispense screen's prints by study and key, the
Receive screen's by study, and the contexts of their studies."""


def kept_file() -> Path:
    return data_dir() / KEPT_FILE


def _rows(path: Path) -> list[dict[str, object]]:
    """The file's rows; none when there is no file. An unreadable file raises (OSError,
    ValueError): never taken for an empty one and written over."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found = json.loads(text)
    rows = found.get("prints") if isinstance(found, dict) else None
    if not isinstance(rows, list):
        raise ValueError(f"{path}: 'prints' is not a list")
    return [row for row in rows if isinstance(row, dict)]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    """Written whole or not at all (files.write_private); no file once no print waits."""
    if not rows:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"version": FILE_VERSION, "prints": rows}, ensure_ascii=False, indent=1)
    write_private(path, data.encode("utf-8"))


FILE_VERSION = 4
"""The file's format: 4 keeps every fact of a print (PrintPlan) but the study it is worded from,
which is found again by its dispense (`_with_wording`), the print's identity among them
(`token`: a row is its print's, whatever study id a rebuilt database gives its study, and its
record is never written twice); 3 kept them all but the identity, 2 all but it and the
reason, 1 its kind, items, reprint, stock and quarantined kits only (all read all the same:
the rest as PrintPlan's defaults, which the record of the first prints they held never used;
a print without an identity is recorded as before, unguarded)."""


def _plan_row(study: int, protocol: str, key: str | None, plan: PrintPlan) -> dict[str, object]:
    return {
        "study_id": study,
        "study": protocol,
        "key": key,
        **encoded(plan),
    }


def encoded(plan: PrintPlan) -> dict[str, object]:
    """A print as the workstation's file keeps it (`decoded` gives it back): every field of
    the plan but `study`, kept by its version (`study_version`) and found again by the
    dispense (`_with_wording`)."""
    return {
        "kind": plan.kind.value,
        "items": list(plan.items),
        "reprint": plan.reprint,
        "stock": plan.stock,
        "quarantined": list(plan.quarantined),
        "previous_dose": plan.previous_dose,
        "languages": list(plan.languages),
        "language_note": plan.language_note,
        "pharmacy": {
            "name": plan.pharmacy.name,
            "address": plan.pharmacy.address,
            "phone": plan.pharmacy.phone,
            "language": plan.pharmacy.language,
        },
        "study_version": plan.study_version,
        "reason": plan.reason,
        "token": plan.token,
    }


def store_kept(database: str, user: Actor, kept: Kept) -> None:
    """The prints of `user`'s session ended without them, in the workstation's file for their
    next sign-in (most already are: `write_through`; each is there once). Raises OSError or ValueError when the file cannot be written (or
    read): the caller keeps them in memory and says so."""
    labels, kits, contexts = kept
    where = stored_form(database) if database else ""

    def protocol(study: int) -> str:
        ctx = contexts.get(study)
        return ctx.study.protocol if ctx is not None else ""

    new = [_plan_row(study, protocol(study), None, plan) for study, plan in kits.items()]
    for study, plans in labels.items():
        new += [_plan_row(study, protocol(study), key, plan) for key, plan in plans.items()]
    for row in new:
        row.update(database=where, user_id=user.user_id, username=user.username)
    path = kept_file()
    places = {(r["study_id"], r["key"]) for r in new}
    tokens = {str(r["token"]) for r in new if r["token"]}
    _write(path, _others(_rows(path), where, user, places, tokens) + new)


def _others(
    rows: list[dict[str, object]],
    database: str,
    user: Actor,
    places: Collection[tuple[object, object]],
    tokens: set[str],
) -> list[dict[str, object]]:
    """The file's rows but those of these prints of `user` in this database: a print with an
    identity (PrintPlan.token) is found by it, whatever study id its row names (a rebuilt or
    restored database numbers its studies anew); one kept by an older version, without one,
    by its study and key."""

    def ours(row: dict[str, object]) -> bool:
        if row.get("database") != database or row.get("user_id") != user.user_id:
            return False
        token = row.get("token")
        if token:
            return token in tokens
        return (row.get("study_id"), row.get("key")) in places

    return [row for row in rows if not ours(row)]


Waiting = dict[tuple[int, str | None], PrintPlan]
"""A session's prints waiting for their record by (study id, key): `PendingPrint`'s."""


def waiting_of(session: AppSession) -> Waiting:
    return {(one.study_id, one.key): one.plan for one in pending_prints(session)}


def write_through(
    database: str, user: Actor, before: Waiting, now: Waiting, protocols: dict[int, str]
) -> None:
    """The workstation's file brought in step with `user`'s session: the prints waiting `now`
    and not `before` (as the file was last written by the session) are written to it, those
    no longer waiting (recorded, or discarded) taken out of it; every other row is untouched
    (other users', databases', and this user's prints the session does not hold: of a study
    they cannot open now). A print's row is found by its identity (PrintPlan.token), one of an
    older version's by its study and key (`_others`). Written whole or not at all. Raises
    OSError or ValueError when the file cannot be written (or read): never written over."""
    changed = {where: plan for where, plan in now.items() if before.get(where) != plan}
    gone = set(before) - set(now)
    if not changed and not gone:
        return
    database = stored_form(database) if database else ""
    places = gone | set(changed)
    tokens = {
        plan.token
        for where in places
        for plan in (before.get(where), now.get(where))
        if plan is not None and plan.token
    }
    path = kept_file()
    rows = _others(_rows(path), database, user, places, tokens)
    for (study, key), plan in changed.items():
        row = _plan_row(study, protocols.get(study, ""), key, plan)
        row.update(database=database, user_id=user.user_id, username=user.username)
        rows.append(row)
    _write(path, rows)


def _texts(value: object) -> tuple[str, ...] | None:
    return tuple(str(i) for i in value) if isinstance(value, list) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def decoded(row: dict[str, object]) -> PrintPlan:
    """A print given back from the workstation's file (`encoded`), but the study it is worded
    from (`_with_wording`). A row of the first format (FILE_VERSION) lacks the languages, the
    language note, the previous dose, the pharmacy and the study version, one of the first two
    a reprint's reason, one before the fourth the print's identity: PrintPlan's defaults, as
    that format's reader gave it, but the languages, unknown (none: its record names none,
    never English for a label that may have gone out in Chinese). Raises KeyError or
    ValueError when the row names no kind of label."""
    default = PrintPlan(LabelKind(str(row["kind"])), (), False)
    found = row.get("pharmacy")
    pharmacy = (
        Particulars(
            **{k: str(found.get(k) or "") for k in ("name", "address", "phone", "language")}
        )
        if isinstance(found, dict)
        else default.pharmacy
    )
    return replace(
        default,
        items=_texts(row.get("items")) or (),
        reprint=bool(row.get("reprint")),
        stock=str(row.get("stock") or ""),
        quarantined=_texts(row.get("quarantined")) or (),
        previous_dose=_number(row.get("previous_dose")),
        languages=_texts(row.get("languages")) or (),
        language_note=str(row.get("language_note") or ""),
        pharmacy=pharmacy,
        study_version=_number(row.get("study_version")),
        reason=str(row.get("reason") or ""),
        token=str(row.get("token") or ""),
    )


def _with_wording(ctx: Context, user: Actor, plan: PrintPlan) -> PrintPlan:
    """A dispense's print given back with the study its label was worded from, found again by
    the dispense (services.labels.worded_from), when it is the version the file names; without
    it when it cannot be found (its record does not need it), never with another version's."""
    if plan.study_version is None or len(plan.items) != 1:
        return plan
    try:
        found = label_prints.worded_from(ctx, user, plan.items[0])
    except DispensaryError:
        return plan
    if found is None or found[1] != plan.study_version:
        return plan
    return replace(plan, study=found[0])


def read_kept(ctx: Context, user: Actor) -> tuple[Kept, list[str]]:
    """The prints the workstation's file keeps for `user` in this database, each in the context
    of its own study: their session offers them, and asks about them before it ends. They stay
    in the file until recorded or discarded (`write_through`), so that the program crashing
    before then loses none. One whose study the user can no longer open (access taken away) is
    never recorded under another study: named (by protocol) second in the answer. Each row's
    study is found by its protocol, never by the study id it names (a rebuilt or restored
    database numbers its studies anew). A print the audit trail shows recorded already, or its
    record discarded (found by its identity, PrintPlan.token: the answer lost, or the file
    not brought in step), is not offered again and leaves the file. Raises OSError or
    ValueError when the file cannot be read."""
    path = kept_file()
    rows = _rows(path)
    where = stored_form(ctx.database) if ctx.database else ""
    labels: dict[int, dict[str, PrintPlan]] = {}
    kits: dict[int, PrintPlan] = {}
    contexts: dict[int, Context] = {}
    by_protocol: dict[str, Context] = {}
    unopened: list[str] = []
    settled: list[dict[str, object]] = []
    for row in rows:
        if row.get("database") != where or row.get("user_id") != user.user_id:
            continue
        study = row.get("study_id")
        protocol = str(row.get("study") or "")
        try:
            # A row naming no protocol (its study's context was not at hand): by its id.
            own = by_protocol.get(protocol) if protocol else contexts.get(_number(study) or 0)
            if own is None:
                own = studies.switch_study(ctx, user, protocol)
                if protocol:
                    by_protocol[protocol] = own
            plan = _with_wording(own, user, decoded(row))
        except (DispensaryError, ValueError, KeyError):
            if protocol not in unopened:
                unopened.append(protocol)
            continue
        if _recorded_already(own, user, plan):
            settled.append(row)
            continue
        contexts[own.study_id] = own
        key = row.get("key")
        if key is None:
            kits[own.study_id] = plan
        else:
            labels.setdefault(own.study_id, {})[str(key)] = plan
    if settled:  # not written: left in the file, found settled again at the next sign-in
        with suppress(OSError):
            _write(path, [row for row in rows if not any(row is done for done in settled)])
    return (labels, kits, contexts), unopened


def _recorded_already(ctx: Context, user: Actor, plan: PrintPlan) -> bool:
    """Whether the audit trail holds this print's record, or its discard (services.labels.
    print_settled); False when the database cannot say (the print is offered: its record, if
    pressed, is not written twice)."""
    try:
        return label_prints.print_settled(ctx, user, plan) is not None
    except DispensaryError:
        return False
