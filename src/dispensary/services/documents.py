"""What a report or a label asks for: the parameters and the values a front end read, shared
by the report catalogue (reports.catalogue), the label catalogue (labels.catalogue) and every
front end, which maps each `Param` to its own option or widget."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.domain.errors import InvalidInput
from dispensary.i18n import _
from dispensary.services.forecast import DEFAULT_WEEKS
from dispensary.services.report_data import check_period

PAPERS = {"a4": "A4", "letter": "US Letter"}
"""Paper sizes of reports and leaflets: the renderer's key and the name a user reads."""


class Param(StrEnum):
    """What a report or label asks for; each front end has one option or widget per kind."""

    PRODUCT = "product"  # one product code, or all
    LOT = "lot"
    PARTICIPANT = "participant"
    DAYS = "days"  # expiring within so many days
    PERIOD = "dates"  # first and last day
    KITS = "kits"  # kit numbers
    SHIPMENT = "shipment"
    DISPENSE = "dispense"  # a dispense number (the label's barcode)
    STOCK = "stock"  # the label stock loaded in the printer
    PAPER = "paper"  # a4 or letter (a leaflet)
    DESTRUCTION = "destruction"  # a destruction's record number or authorisation reference
    WEEKS = "weeks"  # a forecast's horizon, in weeks ahead


@dataclass(frozen=True)
class Field:
    """One parameter of an entry; `ask` is what to say when a required one is missing."""

    param: Param
    required: bool = False
    ask: str = ""


@dataclass(frozen=True)
class Values:
    """The parameters as a front end read them (None or empty: not given)."""

    product: str | None = None
    lot: str | None = None
    participant: str | None = None
    days: int = 90
    since: date | None = None
    until: date | None = None
    kits: tuple[str, ...] = ()
    shipment: str | None = None
    dispense: str | None = None
    paper: str = "a4"
    position: int = 1
    destruction: str | None = None
    weeks: int = DEFAULT_WEEKS  # a forecast's horizon


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
}


def check(fields: Sequence[Field], values: Values) -> None:
    """Refuses, before any work, a missing required parameter or a period back to front."""
    for field in fields:
        if field.required and not _GIVEN[field.param](values):
            raise InvalidInput(
                _(field.ask) if field.ask else _("Give the {what}.").format(what=field.param.value)
            )
    check_period(values.since, values.until)
