"""What a report or a label asks for, checked: the parameters and values (domain.documents,
named here too for the front ends and tests that import them from the services) and the check
made before any work, shared by the report catalogue (reports.catalogue), the label catalogue
(labels.catalogue) and every front end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from dispensary.domain.documents import PAPERS, Field, Param, Values
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import _
from dispensary.services.report_data import PeriodRefused, check_period

__all__ = ["PAPERS", "Field", "Param", "PeriodAhead", "PeriodRefused", "Values", "check"]

_GIVEN: dict[Param, Callable[[Values], object]] = {
    Param.PRODUCT: lambda v: v.product,
    Param.LOT: lambda v: v.lot,
    Param.PARTICIPANT: lambda v: v.participant,
    Param.DAYS: lambda v: True,
    Param.PERIOD: lambda v: v.since,
    Param.KITS: lambda v: v.kits,
    Param.SHIPMENT: lambda v: v.shipment,
    Param.DISPENSE: lambda v: v.dispense,
    Param.STOCK: lambda v: True,
    Param.PAPER: lambda v: v.paper,
    Param.DESTRUCTION: lambda v: v.destruction,
    Param.WEEKS: lambda v: True,
    Param.KIT: lambda v: v.kit,
    Param.USER: lambda v: v.user,
    Param.ACTION: lambda v: v.action,
    Param.TEXT: lambda v: v.text,
}


def check(fields: Sequence[Field], values: Values, today: date | None = None) -> None:
    """Refuses, before any work, a missing required parameter or a period back to front; with
    `today` (the pharmacy's, from the context), a period that starts or ends after it."""
    for field in fields:
        if field.required and not _GIVEN[field.param](values):
            raise InvalidInput(
                _(field.ask) if field.ask else _("Give the {what}.").format(what=field.param.value)
            )
    check_period(values.since, values.until)
    if today is not None:
        check_not_ahead(values.since, values.until, today)


class PeriodAhead(PeriodRefused):
    """A period that starts or ends after today, naming which of its dates is refused
    (`end`: "since" or "until"), so that a window puts the cursor back in that date."""


def check_not_ahead(since: date | None, until: date | None, today: date) -> None:
    """A report of days not yet lived is refused (the README: a date in the future is refused):
    a period from 2027 printed in 2026 would be an empty record that looks like a real one, and
    a DARF "2026-01-01 to 2027-01-01" signed in March 2026 would certify months not yet lived
    (its header prints the period as given). No end given means up to today."""
    if since is not None and since > today:
        raise PeriodAhead(
            _(
                "The period starts on {day}, after today ({today}): a report covers only days "
                "already begun. Give a start on or before today."
            ).format(day=since.isoformat(), today=today.isoformat()),
            "since",
        )
    if until is not None and until > today:
        raise PeriodAhead(
            _(
                "The period ends on {day}, after today ({today}): a report would claim days "
                "that have not happened yet. Give an end on or before today."
            ).format(day=until.isoformat(), today=today.isoformat()),
            "until",
        )
