"""Every word a kit or dispensing label prints that is not the study file's: written once, so
that a translation (issue 13) replaces this module's texts and nothing else."""

from __future__ import annotations

from datetime import date

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

REPRINT = "REPRINT"
QUARANTINED = "QUARANTINED: DO NOT DISPENSE"
DOSE_CHANGED = "DOSE CHANGED"
# 21 CFR 312.6(a): the immediate package of an investigational new drug in the United States.
US_CAUTION = (
    "Caution: New Drug\u2014Limited by Federal (or United States) law to investigational use"
)
# EU CTR Annex VI: a particular may be left off the kit when the participant's label carries it.
SEE_DISPENSING_LABEL = (
    "Contact details and directions for use: see the dispensing label (EU CTR Annex VI)"
)


def expiry(day: date, last_of_month: bool) -> str:
    """'EXP 11 JAN 2027'; 'EXP JAN 2027' only when the lot expires on the month's last day.
    The month in letters and the full year, so that it cannot be misread."""
    month = f"{MONTHS[day.month - 1]} {day.year}"
    return f"EXP {month}" if last_of_month else f"EXP {day.day:02d} {month}"


def dose(name: str) -> str:
    return f"Dose: {name}"


def dose_changed(previous: str) -> str:
    return f"{DOSE_CHANGED} (was {previous})"


def contact(name: str, address: str, phone: str) -> str:
    return f"Contact: {name}, {address}, tel.\u00a0{phone}"


def dispensed(on: date, initials: str) -> str:
    return f"Dispensed {on.isoformat()} by {initials}"


def trial(protocol: str, org_study_id: str, site: str) -> str:
    return f"Trial {protocol}" + (f" ({org_study_id})" if org_study_id else "") + f", {site}"


def investigator(name: str) -> str:
    return f"Investigator: {name}"


def sponsor(name: str) -> str:
    return f"Sponsor: {name}"


def partial_kit(tablets: int) -> str:
    """A kit dispensed with fewer tablets than a full kit (after a count): said on the label, so
    that nobody reads the bottle as a full kit."""
    return f"partial kit: {tablets} tablet" + ("" if tablets == 1 else "s")


def lot(number: str) -> str:
    return f"Lot {number}"


def kit_units(tablets: int, form: str, route: str) -> str:
    return f"{tablets} {form}s, {route}"
