"""The monitor pack: one PDF for a visit's date range. It opens with the protocol, site,
period and preparer, then the open items whatever their start (quarantines awaiting a
decision, gaps in the temperature log, unexplained flags, overridden warnings, dose changes,
count differences, shipments received with an alarm) and the temperature log's coverage, the
reconciliation, a DARF per product, the returns and destruction logs, quarantines and
excursions, and the audit-trail verification.
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.platypus import Flowable

from dispensary.i18n import N_, _
from dispensary.reports.audit import findings_story, verification_box, zones
from dispensary.reports.base import (
    AMBER,
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    long_day,
    long_when,
    para,
    period_text,
    scaled,
    when,
)
from dispensary.reports.catalogue import DESTRUCTION_TITLE, RETURNS_LOG_TITLE
from dispensary.reports.darf import darf_section
from dispensary.reports.logs import (
    QUARANTINE_TITLE,
    destruction_table,
    excursion_table,
    quarantine_table,
    returns_story,
    returns_title,
)
from dispensary.reports.reconciliation import reconciliation_story
from dispensary.reports.words import institution, named_destructions, plural, term
from dispensary.services.audit import AuditFilter
from dispensary.services.queries import change_words, named_with_role
from dispensary.services.report_data import OPEN_KINDS, MonitorPack, ReportMeta
from dispensary.study import Study

TITLE = N_("Monitor pack")


OPEN_ITEMS = N_("Open items (whatever their start)")
RECORD_CHANGES = N_("Participants' records corrected or their status changed")


def transit_alarms(pack: MonitorPack) -> list[Flowable]:
    """The shipments received with a temperature alarm (in transit, not in storage), as the
    open items list them: each with its kits' fate (quarantined at receipt)."""
    alarms = [item for item in pack.open_items if item.kind == OPEN_KINDS[6]]
    if not alarms:
        return [para(_("No shipment was received with a temperature alarm."))]
    return [
        para(
            _(
                "Temperature alarms in transit are not in this table: shipments received with a "
                "temperature alarm, their kits quarantined at receipt (see the quarantine log "
                "below and the open items):"
            )
        ),
        *[
            para(
                _("{shipment}, received {date}: {detail}").format(
                    shipment=item.subject, date=day(item.since), detail=item.detail
                )
            )
            for item in alarms
        ],
    ]


def open_items_story(pack: MonitorPack, width: float, study: Study | None = None) -> list[Flowable]:
    """Everything still open on the last day of the period, however long ago it began; then
    the temperature log's coverage of each storage area (the study's store by the name the
    study file gives it in the report's language, "试验药物库房1")."""

    def area(name: str) -> str:
        return study.area_name(name) if study is not None else name

    before = sum(1 for i in pack.open_items if i.before_period)
    items = plural(len(pack.open_items), N_("{count} open item"), N_("{count} open items"))
    kits = plural(pack.quarantined_now, N_("{count} kit"), N_("{count} kits"))
    story: list[Flowable] = [
        para(
            _(
                "{items} on {until}, {before} of them begun before {since}. {kits} in quarantine "
                "awaiting a decision."
            ).format(
                items=items,
                until=long_day(pack.until),
                before=before,
                since=long_day(pack.since),
                kits=kits,
            )
        ),
        *heading(_(OPEN_ITEMS)),
    ]
    if pack.open_items:
        story.append(
            data_table(
                [_("Item"), _("Since"), _("Concerns"), _("Detail")],
                [
                    [
                        term(item.kind),
                        day(item.since) + (_(" (before the period)") if item.before_period else ""),
                        area(item.subject) if item.kind == OPEN_KINDS[1] else item.subject,
                        item.detail,
                    ]
                    for item in pack.open_items
                ],
                scaled((26, 17, 13, 72), width),
                highlight=[(i, AMBER) for i, item in enumerate(pack.open_items)],
            )
        )
    else:
        story.append(empty_note(_("Nothing is open.")))
    story += heading(_("Temperature-log coverage of each storage area"))
    if pack.coverage:
        story.append(
            data_table(
                [
                    _("Storage area"),
                    _("Stock since"),
                    _("First reading"),
                    _("Last reading"),
                    _("Imports"),
                    _("Gaps"),
                ],
                [
                    [
                        area(c.storage_area),
                        day(c.since),
                        when(c.first_reading) if c.first_reading else _("none"),
                        when(c.last_reading) if c.last_reading else _("none"),
                        _("{imports} ({by_hand} entered by hand)").format(
                            imports=c.imports, by_hand=c.by_hand
                        )
                        if c.by_hand
                        else str(c.imports),
                        str(c.gaps),
                    ]
                    for c in pack.coverage
                ],
                scaled((30, 15, 22, 22, 10, 10), width),
                numeric=(4, 5),
                highlight=[(i, AMBER) for i, c in enumerate(pack.coverage) if c.gaps],
            )
        )
    else:
        story.append(empty_note(_("No kit has been received: no storage area to log.")))
    return story


def record_changes_story(pack: MonitorPack) -> list[Flowable]:
    """The period's corrections of enrolments and changes of status, each with what it was:
    a correction changes what an earlier DARF line or sign-off showed."""
    story: list[Flowable] = [*heading(_(RECORD_CHANGES))]
    if not pack.record_changes:
        return [*story, empty_note(_("No participant's record was corrected or changed."))]
    return story + [
        para(_("{participant}: {change}").format(participant=number, change=change_words(change)))
        for number, change in pack.record_changes
    ]


def monitor_pack_pdf(meta: ReportMeta, study: Study, pack: MonitorPack, paper: str = "a4") -> bytes:
    period = period_text(pack.since, pack.until)
    prepared_by = named_with_role(meta.generated_by, meta.username, meta.role)
    fields = [
        (_("Protocol no."), study.protocol),
        (_("Site"), institution(study)),
        (_("Visit period"), period),
        (_("Prepared by"), prepared_by),
        (_("Prepared on"), long_when(meta.generated_at)),
    ]
    portrait = frame_width(False, paper)
    wide = frame_width(True, paper)
    verification: list[Flowable] = [
        verification_box(pack.verification),
        *findings_story(pack.verification),
        para(
            _(
                "{count} audit entries were written between {since} and {until} (local days of "
                "this workstation, {zone}); the audit trail report of those days lists them."
            ).format(
                count=pack.audit_entries_in_range,
                since=long_day(pack.since),
                until=long_day(pack.until),
                # Counted as the audit report counts its period (AuditFilter.bounds).
                zone=zones(
                    m for m in AuditFilter(since=pack.since, until=pack.until).bounds() if m
                ),
            )
        ),
    ]

    def part(name: str, contents: str, story: list[Flowable], landscape: bool = False) -> Section:
        """A part of the pack: its pages carry the visit's header fields, and its name (`name`)
        is the contents entry's (`contents`), which may add what it covers in brackets: the
        contents listed "Destruction and return-to-sponsor log" for pages headed "destruction
        log"."""
        return Section(
            _("{pack}: {part}").format(pack=_(TITLE), part=name),
            story,
            fields=fields,
            landscape=landscape,
            contents_title=contents,
        )

    sections = [
        part(_("open items"), _(OPEN_ITEMS), open_items_story(pack, wide, study), landscape=True),
        part(
            _("reconciliation"),
            _("Reconciliation (as of the day the pack was made)"),
            reconciliation_story(pack.reconciliation, portrait, study=study),
        ),
        *[darf_section(record, paper, study) for record in pack.darfs],
        part(
            _("returns log"),
            _(RETURNS_LOG_TITLE),
            [*heading(returns_title(study)), *returns_story(study, pack.returns, wide)],
            landscape=True,
        ),
        part(
            _("destruction and return-to-sponsor log"),
            _(DESTRUCTION_TITLE),
            [
                *heading(_(DESTRUCTION_TITLE)),
                destruction_table(study, named_destructions(study, pack.destructions), wide),
            ],
            landscape=True,
        ),
        part(
            _("quarantines and temperature excursions"),
            _(QUARANTINE_TITLE),
            [
                # The loggers' excursions in the pharmacy's storage areas; a shipment's alarm in
                # transit is no storage excursion, and is named under them (it said "No
                # temperature excursion was recorded" over a shipment quarantined for its
                # 26.1 °C alarm).
                *heading(_("Temperature excursions in storage")),
                excursion_table(
                    [
                        replace(e, storage_area=study.area_name(e.storage_area))
                        for e in pack.excursions
                    ],
                    wide,
                ),
                *transit_alarms(pack),
                *heading(_("Quarantine, release and rejection of kits")),
                quarantine_table(study, pack.quarantines, wide),
                para(
                    _(
                        "In quarantine on {date}, whenever quarantined: {kits} (listed with the "
                        "open items)."
                    ).format(
                        date=long_day(pack.until),
                        kits=plural(pack.quarantined_now, N_("{count} kit"), N_("{count} kits")),
                    )
                ),
            ],
            landscape=True,
        ),
        part(
            _("participants' records corrected or their status changed"),
            _(RECORD_CHANGES),
            record_changes_story(pack),
        ),
        part(_("audit trail verification"), _("Audit trail verification"), verification),
    ]
    title = _("{pack} {period}").format(pack=_(TITLE), period=period)
    return build_report(meta, title, sections, paper, contents=True, contents_fields=fields)
