"""What a report or a label asks for: the kinds of parameter, the fields of a catalogue entry and
the values a front end read. Plain data, shared by the report and label catalogues and every
front end, which maps each `Param` to its own option or widget.

They live here, below the services, so that building the command line's parser from the
catalogues (`dispensary report --help`) loads no service, and so no SQLAlchemy. The checks of
the values, which need the services' rules, are in services.documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.domain.forecast import DEFAULT_WEEKS

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
    PAPER = "paper"  # a4 or letter (a report or a leaflet)
    DESTRUCTION = "destruction"  # a destruction's record number or authorisation reference
    WEEKS = "weeks"  # a forecast's horizon, in weeks ahead
    KIT = "kit"  # one kit's number (the audit trail of a kit)
    USER = "user"  # the entries by one user (the audit trail)
    ACTION = "action"  # the entries of one action: its code or its name (the audit trail)
    TEXT = "text"  # the entries a text is found in (the audit trail)


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
    kit: str | None = None
    user: str | None = None  # the audit trail's filters, as its screen's
    action: str | None = None
    text: str | None = None
