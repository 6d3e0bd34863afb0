"""A report asked for a part of the record says which part, on its pages and in its CSV, as the
audit trail's export does: an inspector reads the header to know what a file covers."""

from __future__ import annotations

from sample_study import SampleStudy

from dispensary.i18n import Language
from dispensary.reports import catalogue
from dispensary.services import queries
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text


def _made(sample: SampleStudy, key: str, values: Values, fmt: str) -> str:
    document = catalogue.make_report(
        catalogue.report(key), sample.ctx, sample.monitor, values, fmt, Language.EN
    )
    if fmt == "csv":
        return document.data.decode("utf-8-sig")
    return " ".join(" ".join(pdf_pages_text(document.data)).split())


def _title_line(csv_text: str) -> str:
    return csv_text.splitlines()[0]


def test_a_period_s_csv_says_its_period(sample: SampleStudy) -> None:
    """The DARF, returns log and destruction log exported for a period say that period on
    their title line (they said only their title, as a whole record's export does, which
    keeps it)."""
    [row] = queries.destruction_log(sample.ctx, sample.monitor)
    since = until = row.destroyed_on
    period = f"{since.isoformat()} to {until.isoformat()}"
    for key in ("darf", "returns", "destruction"):
        title = _title_line(_made(sample, key, Values(since=since, until=until), "csv"))
        assert period in title, (key, title)
        whole = _title_line(_made(sample, key, Values(), "csv"))
        assert "(" + period not in whole and "Study" not in whole, (key, whole)


def test_the_returns_log_s_csv_says_its_participant(sample: SampleStudy) -> None:
    number = queries.participants(sample.ctx, sample.monitor)[0].study_number
    title = _title_line(_made(sample, "returns", Values(participant=number), "csv"))
    assert number in title, title
