"""The reports' words in the reader's language, without reportlab (the CSV exports use them).

Every fixed text of a report is English in the source, marked `_("...")` where it is shown or
`N_("...")` where it is a constant; the translations are in resources/i18n/zh_CN-reports.po
(tests/reports/test_reports_chinese.py fails on any marked text it does not translate).

What changes with the language and what does not:
- titles, headings, column titles, statements, sign-off lines, the footer: translated;
- values from the records (kit and lot numbers, names, reasons and notes typed by users, the
  study's own texts) are printed as recorded; the study's title is the study file's Chinese
  one (`[label.text.zh_CN] title`) on a Chinese report when the study gives it;
- dates are ISO (2026-03-02) in every language and everywhere on a report: in its tables, as
  the records keep them (a column of them sorts and reads the same for everyone), and so in
  its headers, sentences and footer too, so that one page never writes a date two ways
  (2026年6月1日 in a sentence beside 2026-08-12 in the table below it, a review found).
  Times are UTC with their zone, as recorded (`when`, `long_when`): the footer's and the
  header's alike (the audit report's own column of local times says its offset, UTC+08:00);
- numbers are digits; CSV column names and coded values never change (scripts read them).

The names of statuses, roles, flags and other coded values (each enum's `label`) are listed in
VOCABULARY and shown with `term()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from dispensary.i18n import ENGLISH, N_, Language, _, current_language, listed
from dispensary.i18n import pgettext as pgettext  # the reports take it from here
from dispensary.services.queries import named_with_role
from dispensary.services.report_data import ReportMeta
from dispensary.services.results import DestructionRow
from dispensary.study import Study

VOCABULARY = (
    # KitStatus
    N_("Available"),
    N_("Quarantined"),
    N_("Dispensed"),
    N_("Returned"),
    N_("Destroyed"),
    N_("Expired"),
    # DiscrepancyKind
    N_("Audit trail damaged"),
    N_("Does not balance"),
    N_("Status differs from ledger"),
    N_("Count difference"),
    N_("Count difference not adjusted"),
    N_("Adherence flag"),
    N_("Return overdue"),
    N_("Expired in stock"),
    N_("In quarantine"),
    # Role
    N_("Pharmacist"),
    N_("Technician"),
    N_("Monitor"),
    N_("Administrator"),
    # ReasonCode
    N_("Breakage"),
    N_("Miscount"),
    N_("Lost"),
    N_("Found"),
    N_("Other"),
    # ParticipantStatus
    N_("On treatment"),
    N_("Discontinued"),
    N_("Completed"),
    N_("Enrolled in error (voided)"),
    # Flag
    N_("Under-use (missed doses)"),
    N_("Over-use (safety signal)"),
    N_("Not brought back (unaccounted for)"),
    N_("Not brought back ({units} unaccounted for)"),
    # DestructionReason
    N_("Damaged or contaminated"),
    N_("Temperature excursion (sponsor rejected)"),
    N_("Recall of the lot"),
    N_("Study closed or treatment ended"),
    N_("Other written instruction of the sponsor"),
    # The monitor pack's open items (services.report_data.OPEN_KINDS)
    N_("Quarantine awaiting decision"),
    N_("Gap in the temperature log"),
    N_("Unexplained adherence flag"),
    N_("Overridden warning"),
    N_("Dose change"),
    N_("Count difference"),
    N_("Shipment received with a temperature alarm"),
    N_("Return overdue"),
    N_("Expired in stock"),
    N_("Does not balance"),
    N_("Status differs from ledger"),
    N_("Audit trail damaged"),
    # Signature meanings shown on the destruction records (SignatureMeaning values)
    N_("destroyed"),
    N_("returned to sponsor"),
    N_("witnessed"),
    # Quarantine actions (services.report_data.QuarantineRow.action)
    N_("quarantine"),
    N_("release"),
    N_("reject"),
)
"""Coded values' labels a report shows, listed for translation (a test checks that every label
of every enum a report shows is here)."""


def term(label: str) -> str:
    """A coded value's label (KitStatus.label, Role.label...) in the report's language."""
    return _(label)


def english() -> bool:
    return current_language() is ENGLISH


def chinese() -> bool:
    return current_language() is Language.ZH_CN


def plural(count: int, one: str, many: str) -> str:
    """`one` or `many` (both marked with N_, holding {count}) in the report's language."""
    return _(one if count == 1 else many).format(count=count)


def day(value: date | None) -> str:
    """A date in a table: ISO in every language."""
    return value.isoformat() if value is not None else ""


def long_day(value: date | None) -> str:
    """A date in a sentence or a page header: ISO, as the report's tables write it, in every
    language (one form of date on a page: see the module's notes)."""
    return day(value)


def when(at: datetime) -> str:
    """A moment, in UTC with its zone (a record's time, the same in every language)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def long_when(at: datetime) -> str:
    """A moment in a page header or a sentence: as `when` (ISO, UTC), as the footer and the
    tables of the same page write it."""
    return when(at)


def footer_line(meta: ReportMeta) -> str:
    """When, by whom and from which database the report was made (every page, and the CSV's
    notes): `meta.line` in the report's language, the user named as the monitor pack's
    "Prepared by" and the changes of a record name them (queries.named_with_role: "Mona
    Monitor (monitor)", not "(monitor, monitor)")."""
    return _("Generated {when} by {who} from {database} - {software}").format(
        when=when(meta.generated_at),
        who=named_with_role(meta.generated_by, meta.username, meta.role),
        database=meta.database,
        software=meta.software,
    )


CHAIN_BROKEN_MARK = N_("CHAIN BROKEN: no verification code, the audit trail does not verify")
"""Printed where a report's verification code would be, when the trail does not verify."""


def verification_text(anchor: str, chain_broken: str = "") -> str:
    """A report's verification code, or the mark that it has none as the trail does not verify
    (`chain_broken`, its finding): never a code for a trail that fails."""
    if chain_broken:
        return _(CHAIN_BROKEN_MARK)
    return _("Verification code {code}").format(code=anchor) if anchor else ""


def study_title(study: Study | None, recorded: str = "") -> str:
    """The protocol's title in the report's language: the study file's own translation
    (`[label.text.zh_CN] title`) when it gives one, else the title as registered."""
    fallback = recorded or (study.title if study is not None else "")
    if study is None or english():
        return fallback
    text = study.texts.get(current_language().value)
    return text.title if text is not None and text.title else fallback


def institution(study: Study) -> str:
    """The site as the report's language names it ("河南省肿瘤医院（01中心）"): the study file's
    names in that language, its English ones otherwise."""
    if english():
        return f"{study.site_name} ({study.site})"
    words = study.wording()
    return _("{name} ({site})").format(name=words.site_name, site=words.site)


def investigator(study: Study) -> str:
    """The principal investigator as the report's language writes the name ("刘真真 医生")."""
    return study.investigator if english() else study.wording().investigator


def product_name(study: Study | None, code: str, recorded: str) -> str:
    """A product as the report's reader names it: the name and strength the study file gives
    in their language ("海曲泊帕乙醇胺片 7.5 mg"); the name as the service wrote it (English, as
    results and CSVs keep it) in English, and for a product the file does not name."""
    if study is None or english():
        return recorded
    text = study.texts.get(current_language().value)
    return text.products.get(code, recorded) if text is not None else recorded


def dose_name(study: Study, level: int | None, recorded: str) -> str:
    """A dose as the report's reader names it: the study file's name of the level in their
    language ("5 mg，每日一次（减量）"); as recorded in English, and for a level the file no
    longer has."""
    if english() or level is None or not any(d.level == level for d in study.dose_levels):
        return recorded
    return study.dose_name(level)


def person(study: Study, name: str) -> str:
    """A name as recorded; the study file's investigator or contact by the name the file gives
    them in the report's language (Study.person_name: "刘真真 医生", or in English "Zhenzhen
    Liu, M.D." where a Chinese window recorded the Chinese name)."""
    return study.person_name(name)


def named_destructions(study: Study, rows: Sequence[DestructionRow]) -> list[DestructionRow]:
    """Destructions with each line's product named as the reader names it (product_name)."""
    if english():
        return list(rows)
    return [
        replace(
            row,
            lines=tuple(
                replace(line, product=product_name(study, line.code, line.product))
                for line in row.lines
            ),
        )
        for row in rows
    ]


def sponsor(study: Study) -> str:
    """The sponsor as the report's language names them ("刘真真（申办者-研究者）")."""
    return study.sponsor if english() else study.wording().sponsor


def pharmacy(study: Study) -> str:
    """The pharmacy as the report's language names it ("临床试验药房")."""
    return study.pharmacy_name if english() else study.wording().pharmacy_name


def period_text(since: date | None, until: date | None) -> str:
    if since is None and until is None:
        return _("whole record")
    if since is None:
        return _("up to {date}").format(date=long_day(until))
    if until is None:
        return _("from {date}").format(date=long_day(since))
    return _("{start} to {end}").format(start=long_day(since), end=long_day(until))


def listing(items: Sequence[str]) -> str:
    """Items one after the other with the language's separator ("a, b" / "a、b")."""
    return listed(items)
