"""Every report a user can ask for, written once: its key, title, parameters, how its facts are
gathered and how it is drawn (PDF, and CSV where a spreadsheet makes sense).

The command line's `report` sub-commands and the reports screen are both generated from
`REPORTS`: adding a report is one entry here (and its renderer). Each front end only maps a
`Param` (domain.documents) to its own option or widget. Labels have their own catalogue
(labels.catalogue).

Nothing heavy loads with this module: the services (and SQLAlchemy with them) load when a
report's facts are gathered, the renderers (reportlab) when it is drawn, so that building the
command line's parser (`dispensary report --help`) stays quick; tests/cli/test_cli_startup.py
holds it so.

A report is made in a language: `make_report(..., language=...)` (the reports screen passes the
user's; the command line leaves it to the global --lang). Titles and summaries are marked N_
here and translated where shown (`Report.display_title`); the file name offered on saving stays English;
the sentence the command line writes (`says`) is in the report's language, as the rest of its
output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dispensary.domain.documents import Field, Param, Values
from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.files import offered_file_name
from dispensary.i18n import N_, Language, _, speaking

if TYPE_CHECKING:
    from dispensary.services.context import Actor, Context
    from dispensary.services.report_data import ReportMeta
    from dispensary.study import Study

# -- reports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """One report. `gather` reads the facts (services); `pdf` and `csv` draw them; `says` is
    what was written, in a sentence's words; `subject` names the report's one participant or
    lot in a title; `file_name` is offered when it is saved (given today's ISO date)."""

    key: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    gather: Callable[[Context, Actor, Values], Any]
    pdf: Callable[[ReportMeta, Study, Any, str], bytes]
    csv: Callable[..., str] | None  # (meta, facts), and the study when `csv_names`/`csv_study`
    says: Callable[[Any, Values, Study], str]
    file_name: Callable[[Values, str], str]
    subject: Callable[[Values], str] = lambda values: ""
    named: Callable[[Any, Values, str], tuple[str, str]] | None = None
    """The title and the file name of the document made, where they depend on its facts (a
    certificate is named by what it certifies: a destruction, a return to the sponsor); None:
    `heading` and `file_name`."""
    pdf_only: str = ""
    """Why there is no CSV (when `csv` is None)."""
    csv_names: bool = False
    """The CSV's descriptive column names each product as the PDF does, in the reader's
    language (the study file's names): `csv` is given the study too. Codes and numbers stay
    the same in every language."""
    csv_study: bool = False
    """The CSV's title says the study's units (the returns log: of tablets only in a study
    of tablets only): `csv` is given the study too, its columns the same in every study."""

    @property
    def formats(self) -> tuple[str, ...]:
        return ("pdf", "csv") if self.csv is not None else ("pdf",)

    @property
    def display_title(self) -> str:
        """The title in the current language (i18n)."""
        return _(self.title)

    def heading(self, values: Values) -> str:
        subject = self.subject(values)
        title = self.display_title
        return _("{title}: {subject}").format(title=title, subject=subject) if subject else title


@dataclass(frozen=True)
class Document:
    """A report made: its title, the name offered on saving, the bytes, and what it is."""

    title: str
    file_name: str
    data: bytes
    says: str
    pdf: bool
    # The audit trail does not verify: the document is written all the same, marked CHAIN BROKEN
    # on every page with no verification code, and this says so where it was asked for.
    warning: str = ""


def _count(n: int, one: str, many: str) -> str:
    """`one` or `many` (both N_-marked, with {count}) in the reader's language."""
    return _(one if n == 1 else many).format(count=n)


def make_report(
    report: Report,
    ctx: Context,
    actor: Actor,
    values: Values,
    fmt: str = "pdf",
    language: Language | None = None,
) -> Document:
    """Gathers and draws one report, as the command line and the screen both do, in `language`
    (None: the current one, e.g. the command's --lang). The screen draws on a worker thread,
    which does not see the language set in the main one: it passes the user's."""
    with speaking(language):
        return _make_report(report, ctx, actor, values, fmt)


def _make_report(report: Report, ctx: Context, actor: Actor, values: Values, fmt: str) -> Document:
    from dispensary.services.documents import check

    check(report.fields, values, ctx.clock.today())
    if fmt not in report.formats:
        raise InvalidInput(
            _(report.pdf_only)
            if report.pdf_only
            else _("The {report} report is a PDF only.").format(report=report.key)
        )
    pdf = fmt == "pdf"
    meta, payload = _gathered(report, ctx, actor, values, csv=not pdf)
    if pdf:
        data = report.pdf(meta, ctx.study, payload, values.paper)
    else:
        assert report.csv is not None  # checked above: fmt is one of report.formats
        text = (
            report.csv(meta, payload, ctx.study)
            if report.csv_names or report.csv_study
            else report.csv(meta, payload)
        )
        data = text.encode("utf-8-sig")  # Excel reads the accents and µ
    stamp = ctx.clock.today().isoformat()
    title, file_name = (
        report.named(payload, values, stamp)
        if report.named is not None
        else (report.heading(values), report.file_name(values, stamp))
    )
    return Document(
        title,
        file_name,
        data,
        report.says(payload, values, ctx.study),
        pdf,
        _(CHAIN_BROKEN_WARNING).format(finding=meta.chain_broken) if meta.chain_broken else "",
    )


CHAIN_BROKEN_WARNING = N_(
    "CHAIN BROKEN: the audit trail does not verify. {finding} The report was written all the "
    "same, marked CHAIN BROKEN on every page and with no verification code: its figures may "
    "not be those recorded. `dispensary audit verify` lists every finding."
)


def _gathered(
    report: Report, ctx: Context, actor: Actor, values: Values, csv: bool
) -> tuple[ReportMeta, Any]:
    """The report's facts. A CSV's values are the same in every language (a script reads a
    Chinese export as an English one): its facts are gathered in English, the services' words
    in them (where a kit is, a DARF note, a lot's row) included; its notes are written in the
    reader's language when drawn (and a report's descriptive column that names products as
    its PDF does, `Report.csv_names`). A refusal is said in the reader's language all the
    same."""

    from dispensary.services import report_data

    def gather() -> tuple[ReportMeta, Any]:
        return report_data.gathered(ctx, actor, lambda: report.gather(ctx, actor, values))

    if not csv:
        return gather()
    try:
        with speaking(Language.EN):
            return gather()
    except DispensaryError:
        pass  # gathered again in the reader's language, to refuse in it
    return gather()


def _darf_pdf(meta: ReportMeta, study: Study, records: Any, paper: str) -> bytes:
    from dispensary.reports.darf import darf_pdf

    return darf_pdf(meta, records, paper, study)


def _darf_csv(meta: ReportMeta, records: Any) -> str:
    from dispensary.reports.darf import darf_csv

    return darf_csv(meta, records)


def _darf_says(records: Any, values: Values, study: Study) -> str:
    # The products by name in the reader's language ("海曲泊帕乙醇胺片 7.5 mg"), not by code.
    codes = list(dict.fromkeys(r.product for r in records))
    form = N_("DARFs of {products}") if len(records) > 1 else N_("DARF of {products}")
    return _(form).format(products=_(" and ").join(study.product_name(c) for c in codes))


def _renderer(module: str, name: str) -> Callable[..., Any]:
    """A renderer imported when it is first used (reportlab is slow to load)."""

    def call(*args: Any) -> Any:
        from importlib import import_module

        return getattr(import_module(f"dispensary.reports.{module}"), name)(*args)

    call.__name__ = name
    return call


# The gatherers import their service when called: the catalogue is loaded to build the command
# line's parser, which must not load the services.


def _darf(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.darf_records(ctx, actor, values.product, values.since, values.until)


@dataclass(frozen=True)
class InventoryList:
    """The kits an inventory lists, and the product or lot asked for (None: every one): its
    pages say which, and one lot's stock is not called the product's DARF balance."""

    kits: Sequence[Any]
    product: str | None = None
    lot: str | None = None


def _inventory(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import queries

    if values.product:
        ctx.study.product(values.product)  # an unknown code is refused, not an empty list
    kits = queries.inventory(ctx, actor, product=values.product, lot=values.lot)
    return InventoryList(kits, values.product or None, values.lot or None)


def _inventory_pdf(meta: ReportMeta, study: Study, facts: Any, paper: str) -> bytes:
    from dispensary.reports.inventory import inventory_pdf

    return inventory_pdf(meta, study, facts.kits, paper, facts.product, facts.lot)


def _inventory_csv(meta: ReportMeta, facts: Any) -> str:
    from dispensary.reports.inventory import inventory_csv

    return inventory_csv(meta, facts.kits, facts.product, facts.lot)


def _expiry(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.expiry_report(ctx, actor, values.days)


def _participant(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.participant_report(ctx, actor, values.participant or "")


def _reconciliation(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import reconciliation

    return reconciliation.reconcile(ctx, actor)


def _destruction_log(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.destruction_report(ctx, actor, values.since, values.until)


def _destruction_pdf(meta: ReportMeta, study: Study, log: Any, paper: str) -> bytes:
    from dispensary.reports.logs import destruction_pdf

    return destruction_pdf(meta, study, log.rows, paper, log.since, log.until)


def _destruction_csv(meta: ReportMeta, log: Any) -> str:
    from dispensary.reports.logs import destruction_csv

    return destruction_csv(meta, log.rows, log.since, log.until)


def _returns(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.returns_report(
        ctx, actor, values.since, values.until, values.participant or None
    )


def _returns_csv(meta: ReportMeta, log: Any, study: Study) -> str:
    from dispensary.reports.logs import returns_csv

    return returns_csv(meta, log.rows, study, log.since, log.until, log.participant)


def _returns_file(values: Values, stamp: str) -> str:
    if values.participant:
        return offered_file_name(
            _("Returns log {participant} {date}").format(participant=values.participant, date=stamp)
        )
    return offered_file_name(_("Returns log {date}").format(date=stamp))


def _certificate(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.destruction_certificate(ctx, actor, values.destruction)


def _audit(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data
    from dispensary.services.audit import AuditFilter

    # The filter the Audit trail screen lists by: the report holds what it showed.
    chosen = AuditFilter.of(values)
    return report_data.audit_report(ctx, actor, chosen)


def _lot(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    return report_data.lot_trace(ctx, actor, values.lot or "")


def _forecast(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import forecast

    return forecast.forecast(ctx, actor, weeks=values.weeks)


def _expiry_says(exp: Any, values: Values, study: Study) -> str:
    return _("expiry report ({kits} expiring within {days} days, {expired} expired)").format(
        kits=_count(len(exp.expiring), N_("{count} kit"), N_("{count} kits")),
        days=values.days,
        expired=len(exp.expired),
    )


def _audit_says(trail: Any, values: Values, study: Study) -> str:
    entries = _count(len(trail.entries), N_("{count} entry"), N_("{count} entries"))
    if trail.verification.ok:
        return _("audit trail ({entries}; the chain verifies)").format(entries=entries)
    return _("audit trail ({entries}; the chain does NOT verify)").format(entries=entries)


def _forecast_says(result: Any, values: Values, study: Study) -> str:
    from dispensary.services.forecast import ForecastOutlook

    first = result.forecast.first_short
    weeks = result.forecast.weeks
    one = weeks == 1  # "(1 week; ...)", not "(1 weeks; ...)"
    if first is None and result.outlook is ForecastOutlook.COVERED:
        text = (
            _("supply forecast ({weeks} week; covered)")
            if one
            else _("supply forecast ({weeks} weeks; covered)")
        )
        return text.format(weeks=weeks)
    if first is None:
        text = (
            _("supply forecast ({weeks} week; no cycle to supply)")
            if one
            else _("supply forecast ({weeks} weeks; no cycle to supply)")
        )
        return text.format(weeks=weeks)
    text = (
        _("supply forecast ({weeks} week; short from week {week}, {start})")
        if one
        else _("supply forecast ({weeks} weeks; short from week {week}, {start})")
    )
    return text.format(weeks=weeks, week=first.week, start=first.start.isoformat())


def _monitor(ctx: Context, actor: Actor, values: Values) -> Any:
    from dispensary.services import report_data

    assert values.since is not None  # a required field: checked before
    return report_data.monitor_pack(ctx, actor, values.since, values.until or ctx.clock.today())


def _monitor_says(pack: Any, values: Values, study: Study) -> str:
    return _("monitor pack {since} to {until}").format(
        since=pack.since.isoformat(), until=pack.until.isoformat()
    )


def _monitor_file(values: Values, stamp: str) -> str:
    last = values.until.isoformat() if values.until else stamp
    first = values.since.isoformat() if values.since else stamp
    return offered_file_name(_("Monitor pack {since} to {until}").format(since=first, until=last))


def _destruction_subject(values: Values) -> str:
    """The destruction in the certificate's title, in the report's language."""
    text = (values.destruction or "").strip()
    number = text.removeprefix("#").strip()
    return _("No. {number}").format(number=number) if number.isdecimal() else text


def _reconciliation_says(result: Any, values: Values, study: Study) -> str:
    if not result.audit_verified:
        form = N_("reconciliation (audit trail does NOT VERIFY; {shelf})")
    elif result.balanced:
        form = N_("reconciliation (ledger balanced; {shelf})")
    else:
        form = N_("reconciliation (ledger NOT balanced; {shelf})")
    return _(form).format(shelf=result.physical)


# A certificate's one name for each thing it certifies: in the list of reports (which names
# both, the destruction not being chosen yet), the PDF's title, its pages and its file name
# (the list and the file said "Destruction certificate" for pages headed "Certificate of
# return to the sponsor").
DESTROYED_TITLE = N_("Certificate of destruction")
RETURNED_TITLE = N_("Certificate of return to the sponsor")
CERTIFICATE_TITLE = N_("Certificate of destruction or return to the sponsor")


def certificate_title(destructions: Sequence[Any]) -> str:
    """The certificate's name (N_, to translate where shown) by what it certifies: every
    destruction chosen destroyed, every one returned to the sponsor, or some of each."""
    kinds = {bool(d.to_sponsor) for d in destructions}
    if kinds == {True}:
        return RETURNED_TITLE
    if kinds == {False}:
        return DESTROYED_TITLE
    return CERTIFICATE_TITLE


def certificate_heading(certificate: Any) -> str:
    """The certificate's title with what it is of, in the report's language: "Certificate of
    destruction: No. 3", "退回申办方证明：DEST-7" (several under one authorisation)."""
    rows = certificate.destructions
    subject = (
        _("No. {number}").format(number=rows[0].destruction_id)
        if len(rows) == 1
        else rows[0].reference or certificate.asked
    )
    title = _(certificate_title(rows))
    return _("{title}: {subject}").format(title=title, subject=subject) if subject else title


def _certificate_named(certificate: Any, values: Values, stamp: str) -> tuple[str, str]:
    heading = certificate_heading(certificate)
    words = "".join(c if c.isalnum() or c in "-._" else " " for c in heading)
    return heading, offered_file_name(f"{' '.join(words.split())} {stamp}")


def _certificate_says(certificate: Any, values: Values, study: Study) -> str:
    rows = certificate.destructions
    if len(rows) == 1:
        row = rows[0]
        if row.to_sponsor:
            form = N_("certificate of return to the sponsor No. {number} ({reference})")
        else:
            form = N_("certificate of destruction No. {number} ({reference})")
        return _(form).format(
            number=row.destruction_id, reference=row.reference or _("no reference")
        )
    forms = {
        DESTROYED_TITLE: N_("certificate of destruction of {asked} ({destructions})"),
        RETURNED_TITLE: N_("certificate of return to the sponsor of {asked} ({destructions})"),
        CERTIFICATE_TITLE: N_(
            "certificate of destruction or return to the sponsor of {asked} ({destructions})"
        ),
    }
    return _(forms[certificate_title(rows)]).format(
        asked=certificate.asked,
        destructions=_count(len(rows), N_("{count} destruction"), N_("{count} destructions")),
    )


def _certificate_file(values: Values, stamp: str) -> str:
    """Before the destruction is read (the certificate names it once read: `named`)."""
    named = "".join(c if c.isalnum() or c in "-._" else " " for c in _destruction_subject(values))
    return offered_file_name(
        f"{_(CERTIFICATE_TITLE)} {' '.join(named.split())} {stamp}".replace("  ", " ")
    )


# Each report's one title: in the list of reports (the screen's, the command's) and on its
# pages, the renderer taking it from here (the list said "Participant history", "Expiry: stock
# expiring soon", "Inventory on hand"... for PDFs titled otherwise).
DARF_TITLE = N_("Investigational Agent Accountability Record (DARF)")
INVENTORY_TITLE = N_("Inventory by product, lot and kit")
EXPIRY_TITLE = N_("Expiry report")
PARTICIPANT_TITLE = N_("Participant dispensing and adherence history")
DESTRUCTION_TITLE = N_("Destruction and return-to-sponsor log")
RETURNS_LOG_TITLE = N_("Returns log")
"""Its pages say what was brought back (logs.returns_title: "Returns log (tablets brought
back by participants)" in a study of tablets only), after these words."""
LOT_TITLE = N_("Lot trace")

_PERIOD = Field(Param.PERIOD)
_PAPER = Field(Param.PAPER)
"""Every report is a PDF: on A4 or US Letter (the command's --paper, the screen's Paper)."""

REPORTS: tuple[Report, ...] = (
    Report(
        "darf",
        DARF_TITLE,
        N_("investigational agent accountability record (DARF), one per product and strength"),
        (Field(Param.PRODUCT), _PERIOD, _PAPER),
        _darf,
        _darf_pdf,
        _darf_csv,
        _darf_says,
        lambda v, stamp: offered_file_name(
            _("DARF {product} {date}").format(product=v.product or _("all products"), date=stamp)
        ),
    ),
    Report(
        "inventory",
        INVENTORY_TITLE,
        N_("kits on record, with status and tablets or capsules"),
        (Field(Param.PRODUCT), Field(Param.LOT), _PAPER),
        _inventory,
        _inventory_pdf,
        _inventory_csv,
        lambda facts, v, study: _("inventory ({kits})").format(
            kits=_count(len(facts.kits), N_("{count} kit"), N_("{count} kits"))
        ),
        lambda v, stamp: offered_file_name(_("Inventory {date}").format(date=stamp)),
    ),
    Report(
        "expiry",
        EXPIRY_TITLE,
        N_("stock expiring soon, and expired stock not yet destroyed"),
        (Field(Param.DAYS), _PAPER),
        _expiry,
        _renderer("expiry", "expiry_pdf"),
        _renderer("expiry", "expiry_csv"),
        _expiry_says,
        lambda v, stamp: offered_file_name(_("Expiry {date}").format(date=stamp)),
    ),
    Report(
        "participant",
        PARTICIPANT_TITLE,
        N_("one participant's dispenses, returns and adherence"),
        (Field(Param.PARTICIPANT, required=True, ask="Choose the participant."), _PAPER),
        _participant,
        _renderer("participant", "participant_pdf"),
        _renderer("participant", "participant_csv"),
        lambda person, v, study: _("participant report of {participant}").format(
            participant=person.participant.study_number
        ),
        lambda v, stamp: offered_file_name(
            _("Participant {participant} {date}").format(participant=v.participant, date=stamp)
        ),
        subject=lambda v: v.participant or "",
    ),
    Report(
        "reconciliation",
        N_("Reconciliation"),
        N_("balances per product and what to review"),
        (_PAPER,),
        _reconciliation,
        _renderer("reconciliation", "reconciliation_pdf"),
        _renderer("reconciliation", "reconciliation_csv"),
        _reconciliation_says,
        lambda v, stamp: offered_file_name(_("Reconciliation {date}").format(date=stamp)),
        csv_names=True,
    ),
    Report(
        "returns",
        RETURNS_LOG_TITLE,
        N_(
            "returns log: what participants brought back, counted, with the dose held and "
            "corrections (of one participant if named)"
        ),
        (_PERIOD, Field(Param.PARTICIPANT), _PAPER),
        _returns,
        _renderer("logs", "returns_pdf"),
        _returns_csv,
        lambda log, v, study: _("returns log ({returns})").format(
            returns=_count(len(log.rows), N_("{count} return"), N_("{count} returns"))
        ),
        _returns_file,
        subject=lambda v: v.participant or "",
        csv_study=True,
    ),
    Report(
        "destruction",
        DESTRUCTION_TITLE,
        N_("destruction log (witnessed destructions and returns to the sponsor)"),
        (_PERIOD, _PAPER),
        _destruction_log,
        _destruction_pdf,
        _destruction_csv,
        lambda log, v, study: _("destruction log ({destructions})").format(
            destructions=_count(
                len(log.rows), N_("{count} destruction"), N_("{count} destructions")
            )
        ),
        lambda v, stamp: offered_file_name(_("Destruction log {date}").format(date=stamp)),
    ),
    Report(
        "certificate",
        CERTIFICATE_TITLE,
        N_(
            "certificate of one destruction, or of one sponsor's authorisation: quantities per lot "
            "and strength, kits, signatures (PDF only)"
        ),
        (Field(Param.DESTRUCTION), _PAPER),
        _certificate,
        _renderer("certificate", "certificate_pdf"),
        None,
        _certificate_says,
        _certificate_file,
        subject=_destruction_subject,
        named=_certificate_named,
        pdf_only=N_(  # named as its title (CERTIFICATE_TITLE) names it
            "The certificate of destruction or return to the sponsor is a PDF only (it is "
            "signed and filed): export the destruction log as CSV."
        ),
    ),
    Report(
        "audit",
        N_("Audit trail"),
        N_(
            "audit trail for a period (local days; of one user, action, text, kit or "
            "participant if named), with the chain verification"
        ),
        (
            _PERIOD,
            Field(Param.USER),
            Field(Param.ACTION),
            Field(Param.TEXT),
            Field(Param.KIT),
            Field(Param.PARTICIPANT),
            _PAPER,
        ),
        _audit,
        _renderer("audit", "audit_pdf"),
        _renderer("audit", "audit_csv"),
        _audit_says,
        lambda v, stamp: offered_file_name(_("Audit trail {date}").format(date=stamp)),
    ),
    Report(
        "lot",
        LOT_TITLE,
        N_("lot trace: every kit and dispense of a lot (recall)"),
        (Field(Param.LOT, required=True, ask="Choose the lot."), _PAPER),
        _lot,
        _renderer("lot", "lot_pdf"),
        _renderer("lot", "lot_csv"),
        lambda trace, v, study: _("lot trace of {lot} ({kits} dispensed)").format(
            lot=trace.lot, kits=_count(len(trace.dispenses), N_("{count} kit"), N_("{count} kits"))
        ),
        lambda v, stamp: offered_file_name(
            _("Lot trace {lot} {date}").format(lot=v.lot, date=stamp)
        ),
        subject=lambda v: _("lot {lot}").format(lot=v.lot) if v.lot else "",
    ),
    Report(
        "forecast",
        N_("Supply forecast"),
        N_(
            "supply forecast for the sponsor: stock against the cycles to come, week by week, "
            "kits expiring unused, what to order and by when"
        ),
        (Field(Param.WEEKS), _PAPER),
        _forecast,
        _renderer("forecast", "forecast_pdf"),
        _renderer("forecast", "forecast_csv"),
        _forecast_says,
        lambda v, stamp: offered_file_name(_("Supply forecast {date}").format(date=stamp)),
    ),
    Report(
        "monitor",
        N_("Monitor pack"),
        N_("monitor pack for a visit: reconciliation, DARFs, logs, audit check (PDF only)"),
        (
            Field(Param.PERIOD, required=True, ask="Give the period of the monitor's visit."),
            _PAPER,
        ),
        _monitor,
        _renderer("monitor", "monitor_pack_pdf"),
        None,
        _monitor_says,
        _monitor_file,
        pdf_only=N_(
            "The monitor pack is a PDF only (it gathers several reports): write it to a .pdf, "
            "or export each part as CSV with its own report (darf, reconciliation, audit...)."
        ),
    ),
)


def report(key: str) -> Report:
    return next(r for r in REPORTS if r.key == key)
