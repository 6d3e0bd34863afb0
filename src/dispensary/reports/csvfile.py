"""CSV exports: one header row and plain values, preceded by '#' lines saying where the data
came from (spreadsheet imports and `pandas.read_csv(comment='#')` skip or show them as notes):
the title; the study; who, when and which database; and the audit chain's verification code. The notes
are in the reader's language; the header row (stable ASCII keys) and the coded values never
change with it: scripts read them.

A text that a spreadsheet would run as a formula (starting with = + - @) is prefixed with an
apostrophe, so that an exported reason or note can never execute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from dispensary.i18n import _
from dispensary.reports.words import footer_line, period_text, verification_text
from dispensary.services.report_data import ReportMeta

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def period_title(title: str, since: date | None, until: date | None) -> str:
    """A title with the period its rows cover when one was asked, as the report's PDF fields
    say it: a period's export read without its PDF says what it covers (the whole record's
    keeps its title alone)."""
    if since is None and until is None:
        return title
    return _("{title} ({period})").format(title=title, period=period_text(since, until))


def to_csv(
    meta: ReportMeta, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> str:
    buffer = io.StringIO()
    buffer.write(f"# {title}\r\n")
    if meta.protocol:  # participant numbers repeat between studies: the file says whose they are
        buffer.write("# " + _("Study {protocol}").format(protocol=meta.protocol) + "\r\n")
    buffer.write(f"# {footer_line(meta)}\r\n")
    if meta.anchor or meta.chain_broken:
        buffer.write(f"# {verification_text(meta.anchor, meta.chain_broken)}\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()


def read_rows(text: str) -> list[dict[str, str]]:
    """Reads an export back (skipping the '#' lines): for tests and re-imports."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))
