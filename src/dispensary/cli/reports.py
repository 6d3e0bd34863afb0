"""`dispensary report ...`: one action per entry of the report catalogue (reports.catalogue),
written as PDF or CSV by the suffix of --out.

Light, as the catalogue is: `dispensary report --help` loads no service (nor SQLAlchemy) and no
renderer (reportlab); the services load when a report is made.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dispensary.cli.core import EXIT_NOT_VERIFIED, EXIT_OK, Commands, Fill, UsageError
from dispensary.cli.documents import (
    document_values,
    out_options,
    out_path,
    param_options,
    size_text,
    write_whole,
    written,
)
from dispensary.i18n import _
from dispensary.reports import catalogue as report_catalogue

if TYPE_CHECKING:
    from dispensary.cli.run import Run


def cmd_report(run: Run, key: str) -> int:
    """One report of the catalogue, as PDF or CSV by the suffix of --out."""
    from dispensary.services import documents

    entry = report_catalogue.report(key)
    a = run.args
    if entry.csv is None and Path(a.out).suffix.lower() == ".csv":
        # Marked N_ in the catalogue: translated here, where it is said.
        raise UsageError(_(entry.pdf_only))
    what = _("the {key} report").format(key=key)
    target, fmt = out_path(a.out, entry.formats, what, force=a.force)
    values = document_values(a)
    # Refused before the database is opened and before any password is asked for, as every
    # other mistake of the command line: a period back to front, or (by this run's today, the
    # one the service checks again) one that starts or ends after today.
    documents.check(entry.fields, values, run.clock.today())
    document = report_catalogue.make_report(entry, run.context(), run.actor(), values, fmt)
    write_whole(target, document.data)
    info = written(target, document.data, document.pdf)
    run.emit(
        info,
        [
            _("Wrote the {says}: {target} ({size_text}).").format(
                says=document.says, target=target, size_text=size_text(info)
            )
        ],
    )
    if document.warning:  # written, marked on every page: exits as `audit verify` fails
        run.note(document.warning)
        return EXIT_NOT_VERIFIED
    return EXIT_OK


def report_parser(group: argparse.ArgumentParser) -> None:
    report = Commands.actions(group, "report")
    for entry in report_catalogue.REPORTS:
        p = report.add(entry.key, partial(cmd_report, key=entry.key), entry.summary)
        out_options(p, entry.formats)
        param_options(p, entry.fields, sheet=False)


PARSERS: dict[str, Fill] = {"report": report_parser}
