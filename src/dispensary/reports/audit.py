"""The audit trail for a period (21 CFR Part 11): who, when (UTC and this workstation's local
time), what, old and new values, why; the chain verification result is on the cover.
"""

from __future__ import annotations

import json
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Paragraph

from dispensary.domain.audit_actions import (
    field_name,
    name_of,
    reason_shown,
    record_named,
    value_shown,
    value_words,
)
from dispensary.i18n import N_, _, utc_offset
from dispensary.reports.base import (
    BODY,
    GREEN,
    RED,
    Section,
    build_report,
    data_table,
    empty_note,
    escape,
    font,
    frame_width,
    heading,
    para,
    period_text,
    scaled,
    styled,
)
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import institution
from dispensary.services.report_data import AuditReport, ReportMeta
from dispensary.services.results import AuditRow, VerifyResult
from dispensary.study import Study

TITLE = N_("Audit trail")
VALUE_LIMIT = 600  # characters of old/new values shown in the PDF (the CSV holds them whole)


def local(at: datetime) -> str:
    """This workstation's time with its offset from UTC, not a zone's abbreviation (CST is
    China's and the US's)."""
    here = at.astimezone()
    return f"{here:%Y-%m-%d %H:%M:%S} {utc_offset(here)}"


def utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _values(text: str, study: Study | None = None) -> str:
    """JSON values as 'key: value' pairs, easier to read than braces; a product named as the
    study file names it in the reader's language (a sign-off's balances)."""
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    names = study.product_name if study is not None else str
    pair = _("{name}: {value}")  # Chinese: ：and ；, as the audit trail screen writes them
    shown = _("; ").join(
        pair.format(name=field_name(k), value=_short(value_shown(k, v, names)))
        for k, v in data.items()
        if k != "ledger"
    )
    if "ledger" in data:
        shown += _("; ledger rows: {count}").format(count=len(data["ledger"]))
    if len(shown) > VALUE_LIMIT:
        shown = shown[: VALUE_LIMIT - 30] + _(
            " ... ({count} characters; see the CSV export)"
        ).format(count=len(shown))
    return shown


def _short(value: object) -> str:
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
        spaceBefore=6,
        spaceAfter=10,
    )
    return Paragraph(escape(text), styled(style, text))


def audit_table(
    entries: tuple[AuditRow, ...], width: float, study: Study | None = None
) -> Flowable:
    if not entries:
        return empty_note(_("No audit entries in this period."))
    return data_table(
        [
            _("No."),
            _("When (UTC)"),
            _("When (local)"),
            _("User"),
            _("Action"),
            _("Record"),
            _("Old"),
            _("New"),
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
                _values(e.old, study),
                _values(e.new, study),
                reason_shown(e.action, e.reason),
            ]
            for e in entries
        ],
        scaled((6, 20, 25, 12, 13, 17, 23, 50, 27), width),  # local time with its offset
        numeric=(0,),
        size=6.5,
    )


def audit_pdf(meta: ReportMeta, study: Study, report: AuditReport, paper: str = "a4") -> bytes:
    width = frame_width(True, paper)
    fields = [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("Period"), period_text(report.since, report.until)),
        *([(_("Kit"), report.kit)] if report.kit else []),
        *([(_("Participant"), report.participant)] if report.participant else []),
        (_("Entries listed"), str(len(report.entries))),
    ]
    cover: list[Flowable] = [
        *heading(_("Verification of the whole chain")),
        verification_box(report.verification),
        para(
            _(
                "Each entry stores the hash of the one before it and of its own content; the "
                "ledger rows are chained the same way. Recomputing both chains finds any changed, "
                "removed or inserted entry. Times are shown in UTC and in this workstation's "
                "local time."
            )
        ),
    ]
    story = [*cover, PageBreak(), audit_table(report.entries, width, study)]
    section = Section(_(TITLE), story, fields=fields, landscape=True)
    return build_report(meta, _(TITLE), [section], paper)


def audit_csv(meta: ReportMeta, report: AuditReport) -> str:
    verdict = _("verified") if report.verification.ok else _("BROKEN")
    return to_csv(
        meta,
        _("{title} ({period}); chain {verdict}: {message}").format(
            title=_(TITLE),
            period=period_text(report.since, report.until),
            verdict=verdict,
            message=report.verification.message,
        ),
        ("id", "at_utc", "username", "action", "entity", "entity_id", "old", "new", "reason"),
        [
            [
                e.id,
                e.at.isoformat(),
                e.username,
                e.action,
                e.entity,
                e.entity_id,
                e.old,
                e.new,
                e.reason,
            ]
            for e in report.entries
        ],
    )
