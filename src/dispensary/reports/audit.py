"""The audit trail for a period (21 CFR Part 11): who, when (UTC and this workstation's local
time), what, old and new values, why; the chain verification result is on the cover.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Paragraph

from dispensary.domain.audit_actions import (
    TECHNICAL_FIELDS,
    action_typed,
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
from dispensary.i18n import N_, _, utc_offset
from dispensary.reports.base import (
    BODY,
    GREEN,
    RED,
    SMALL,
    Section,
    build_report,
    data_table,
    empty_note,
    escape,
    font,
    frame_width,
    heading,
    numbering_note,
    para,
    period_text,
    scaled,
    styled,
)
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import institution
from dispensary.services.audit import AuditFilter, exported
from dispensary.services.report_data import AuditReport, ReportMeta
from dispensary.services.results import (
    AuditRow,
    EntrySignature,
    EntrySigners,
    VerifyResult,
)
from dispensary.services.verification import VERIFIED
from dispensary.study import Study

TITLE = N_("Audit trail")


def local(at: datetime) -> str:
    """This workstation's time with its offset from UTC, not a zone's abbreviation (CST is
    China's and the US's)."""
    here = at.astimezone()
    return f"{here:%Y-%m-%d %H:%M:%S} {utc_offset(here)}"


def zones(moments: Iterable[datetime]) -> str:
    """The zones this workstation's local times of `moments` are in, as their offsets
    ("UTC+08:00"; "UTC+01:00, UTC+02:00" where its clocks changed within them). No site zone
    is on record (the study file and the pharmacy's particulars have none): the column of
    local times is the workstation's, and says which, so a machine set to UTC does not print
    UTC+00:00 as "local"."""
    return ", ".join(dict.fromkeys(utc_offset(at.astimezone()) for at in moments))


def utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _values(text: str, study: Study | None = None, referred: tuple[str, ...] = ()) -> str:
    """JSON values as 'key: value' pairs, easier to read than braces; a product named as the
    study file names it in the reader's language (a sign-off's balances); another record an
    entry names by its row (an earlier count, the return a correction replaces) in words
    (AuditRow.referred)."""
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    names = study.product_name if study is not None else str
    rules = study.rule_named if study is not None else str
    doses = study.dose_named if study is not None else str
    events = study.day1_event_recorded if study is not None else str
    pair = _("{name}: {value}")  # Chinese: ：and ；, as the audit trail screen writes them
    shown = _("; ").join(
        pair.format(
            name=field_name(k),
            value=_short(value_shown(k, v, names, rules, doses, events, referred)),
        )
        for k, v in data.items()
        if k not in TECHNICAL_FIELDS
    )
    if "ledger" in data:
        shown += _("; ledger rows: {count}").format(count=len(data["ledger"]))
    return shown


def _short(value: object) -> str:
    """One value in words; a stored moment (a temperature reading's time) in this
    workstation's local time with its offset, as the entry's own time is shown."""
    moment = stored_moment(value)
    if moment is not None:
        return local(moment)
    return value_words(value, _("yes"), _("no"))


def verification_box(result: VerifyResult) -> Paragraph:
    head = _("CHAIN VERIFIED") if result.ok else _("CHAIN BROKEN")
    text = _("{verdict}: {message} ({entries} audit entries, {rows} ledger rows checked)").format(
        verdict=head, message=result.message, entries=result.entries, rows=result.ledger_entries
    )
    style = ParagraphStyle(
        "verdict",
        parent=BODY,
        fontName=font(bold=True),
        fontSize=12,
        leading=16,
        textColor=colors.white,
        backColor=GREEN if result.ok else RED,
        borderPadding=6,
        # The band is drawn 6 pt around the text: the text set in by as much keeps it within
        # the page's margins (it stuck out past both).
        leftIndent=6,
        rightIndent=6,
        spaceBefore=6,
        spaceAfter=10,
    )
    return Paragraph(escape(text), styled(style, text))


FINDINGS_SHOWN = 25
"""The findings a report lists under a broken chain's verdict; the rest are counted, and
`dispensary audit verify` lists them all."""


def findings_story(result: VerifyResult, limit: int = FINDINGS_SHOWN) -> list[Flowable]:
    """Every finding of a trail that does not verify after the verdict's first, up to `limit`,
    then how many more: the verdict alone named only the first of many records changed."""
    rest = result.findings[1:] if not result.ok else ()
    if not rest:
        return []
    story: list[Flowable] = [
        para(
            _("Every finding ({count}):").format(count=len(result.findings)),
        )
    ]
    story += [para(f"\u2022 {finding}", SMALL) for finding in result.findings[:limit]]
    if len(result.findings) > limit:
        story.append(
            para(
                _("... and {count} more: `dispensary audit verify` lists every finding.").format(
                    count=len(result.findings) - limit
                )
            )
        )
    return story


def signature_text(signature: EntrySignature) -> str:
    """One signature as 21 CFR 11.50 asks it shown: printed name, role, meaning, time."""
    return _("{name} ({role}): {meaning}, {when}").format(
        name=signature.full_name,
        role=role_named(signature.role),
        meaning=meaning_named(signature.meaning),
        when=local(signature.at),
    )


def people_table(signers: EntrySigners, width: float) -> Flowable:
    """Who the usernames in the trail are: username, full name and role, so the entries'
    users and signers read as people."""
    if not signers.people:
        return empty_note(_("No users named in this period."))
    return data_table(
        [_("User"), _("Full name"), _("Role")],
        [[p.username, p.full_name, role_named(p.role)] for p in signers.people],
        scaled((20, 40, 20), width * 0.6),
    )


def audit_table(
    entries: tuple[AuditRow, ...],
    width: float,
    study: Study | None = None,
    signers: EntrySigners | None = None,
    filtered: bool = False,
) -> Flowable:
    """The entries' table; `filtered`: a user, action, text, kit or participant narrowed them
    (its empty page says so, not that the period holds no entry)."""
    if not entries:
        if filtered:
            return empty_note(_("No audit entries of this period match the filters above."))
        return empty_note(_("No audit entries in this period."))
    signed = signers.signatures if signers is not None else {}
    return data_table(
        [
            _("No."),
            _("When (UTC)"),
            # The zone the column is in, not "local": whose local time it is is not said.
            _("When ({zone})").format(zone=zones(e.at for e in entries)),
            _("User"),
            _("Action"),
            _("Record"),
            _("Old"),
            _("New"),
            _("Signatures"),
            _("Why"),
        ],
        [
            [
                str(e.id),
                utc(e.at),
                local(e.at),
                e.username,
                name_of(e.action),
                record_named(
                    e.entity,
                    e.entity_id,
                    e.new,
                    study.area_name if study is not None else str,
                    e.return_of,
                ),
                _values(e.old, study, e.referred),
                _values(e.new, study, e.referred),
                "\n".join(signature_text(s) for s in signed.get(e.id, ())),
                reason_shown(e.action, e.reason),
            ]
            for e in entries
        ],
        scaled((6, 17, 22, 11, 12, 15, 21, 44, 30, 22), width),  # local time with its offset
        numeric=(0,),
        size=6.5,
        split_rows=True,  # an entry taller than a page goes on over the next, never cut short
        repeated=(0, 1, 2, 3),  # its number, times and user again where it goes on
    )


def period_shown(chosen: AuditFilter) -> str:
    """The period with the clock its days are counted by: this workstation's local days, as
    the Audit trail screen shows the times ("2026-03-01 to 2026-03-07, local days of this
    workstation (UTC+08:00)")."""
    period = period_text(chosen.since, chosen.until)
    moments = [m for m in chosen.bounds() if m is not None]
    if not moments:
        return period
    return _("{period}, local days of this workstation ({zone})").format(
        period=period, zone=zones(moments)
    )


def filters_shown(chosen: AuditFilter) -> list[tuple[str, str]]:
    """The filters the entries were kept by besides the period, as the Audit trail screen
    names them; "none" when every entry of the period is listed."""
    shown = [
        *([(_("User"), chosen.username)] if chosen.username else []),
        *([(_("Action"), _action_named(chosen.action))] if chosen.action else []),
        *([(_("Text"), _("\u201c{text}\u201d").format(text=chosen.text))] if chosen.text else []),
        *([(_("Kit"), chosen.kit)] if chosen.kit else []),
        *([(_("Participant"), chosen.participant)] if chosen.participant else []),
    ]
    return shown or [(_("Filters"), _("none: every entry of the period"))]


def _narrowed(chosen: AuditFilter) -> bool:
    """Whether a filter besides the period narrowed the entries."""
    return any((chosen.username, chosen.action, chosen.text, chosen.kit, chosen.participant))


def _action_named(typed: str) -> str:
    """An action as typed or chosen (a code or a name) by its name in the reader's language."""
    code = action_typed(typed) or typed.strip()
    return name_of(code)


def audit_pdf(meta: ReportMeta, study: Study, report: AuditReport, paper: str = "a4") -> bytes:
    width = frame_width(True, paper)
    fields = [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("Period"), period_shown(report.filters)),
        *filters_shown(report.filters),
        (_("Entries listed"), str(len(report.entries))),
    ]
    cover: list[Flowable] = [
        *heading(_("Verification of the whole chain")),
        verification_box(report.verification),
        *findings_story(report.verification),
        para(
            _(
                "Each entry stores the hash of the one before it and of its own content; the "
                "ledger rows are chained the same way. Recomputing both chains finds any changed, "
                "removed or inserted entry. Times are shown in UTC and in this workstation's "
                "time zone ({zone})."
            ).format(zone=zones([e.at for e in report.entries] or [meta.generated_at]))
        ),
    ]
    cover += [*heading(_("Users named in this trail")), people_table(report.signers, width)]
    story = [
        *cover,
        PageBreak(),
        *([numbering_note()] if report.entries else []),
        audit_table(report.entries, width, study, report.signers, _narrowed(report.filters)),
    ]
    section = Section(_(TITLE), story, fields=fields, landscape=True)
    return build_report(meta, _(TITLE), [section], paper)


SIGNATURE_FIELDS = ("username", "full_name", "role", "meaning", "at_utc")
"""The columns of each signature in the CSV, numbered (signature_1_username...): as many groups
as the most signed entry has, at least one, so a spreadsheet reads one fact a column."""


def audit_csv(meta: ReportMeta, report: AuditReport) -> str:
    """The trail as the PDF lists it, one entry a row: the entry as stored, the kit, dispense
    and participant of the return it names, the kit and day of the earlier count it names (a
    count's `recount_of`, `adjustment_of`), and its signatures (printed name, role at signing,
    meaning, time), then the id of the entry that recorded the count or return it names
    (`referred_entry`), read by services.audit.exported."""
    verdict = _("verified") if report.verification.ok else _("BROKEN")
    rows = exported(report.entries, report.signers)
    groups = max((len(r.signatures) for r in rows), default=0) or 1
    title = _("{title} ({period}); chain {verdict}: {message}").format(
        title=_(TITLE),
        period=period_shown(report.filters),
        verdict=verdict,
        # The title is the reader's; the facts (and a broken chain's findings) are English.
        message=_(VERIFIED) if report.verification.ok else report.verification.message,
    )
    # The PDF's first page says which entries these are: so does the file.
    chosen = report.filters
    if chosen.username:
        title += _("; user {user}").format(user=chosen.username)
    if chosen.action:
        title += _("; action {action}").format(action=_action_named(chosen.action))
    if chosen.text:
        title += _("; text \u201c{text}\u201d").format(text=chosen.text)
    if chosen.kit:
        title += _("; kit {kit}").format(kit=chosen.kit)
    if chosen.participant:
        title += _("; participant {participant}").format(participant=chosen.participant)
    return to_csv(
        meta,
        title,
        (
            "id",
            "at_utc",
            "username",
            "action",
            "entity",
            "entity_id",
            "old",
            "new",
            "reason",
            "return_kit",
            "return_dispense",
            "return_participant",
            *(f"signature_{n}_{f}" for n in range(1, groups + 1) for f in SIGNATURE_FIELDS),
            # Added after the signatures: a sheet or script that reads the columns by their
            # place still finds the signatures where they were.
            "count_kit",
            "count_on",
            "referred_entry",
        ),
        [
            [
                r.entry.id,
                r.entry.at.isoformat(),
                r.entry.username,
                r.entry.action,
                r.entry.entity,
                r.entry.entity_id,
                r.entry.old,
                r.entry.new,
                r.entry.reason,
                r.kit,
                r.dispense,
                r.participant,
                *_signature_cells(r.signatures, groups),
                r.count_kit,
                r.count_on,
                r.referred_entry,
            ]
            for r in rows
        ],
    )


def _signature_cells(signatures: tuple[EntrySignature, ...], groups: int) -> list[str]:
    cells: list[str] = []
    for s in signatures:
        cells += [s.username, s.full_name, s.role, s.meaning, s.at.astimezone(UTC).isoformat()]
    return cells + [""] * (len(SIGNATURE_FIELDS) * groups - len(cells))
