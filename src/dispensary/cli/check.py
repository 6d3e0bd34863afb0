"""`dispensary check ACTION`: a counter step assessed as the service would meet it, with nothing
written. Exit 0: it would be accepted as it stands; 3: refused, or an override is missing.

A check is a handler and the function that adds its action (after the handler); CHECKS lists
the actions of `check`, in the order its help shows them. The services load inside the
handlers, so that `--help` does not load them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dispensary.cli.core import (
    EXIT_OK,
    EXIT_REFUSED,
    Commands,
    Fill,
    calendar_date,
    number,
    whole,
)

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.assessment import DispenseAssessment


def _answer(run: Run, refusal: str | None, override: str | None) -> int:
    """The exit code of a check, the first refusal (or the overrides missing) said on stderr."""
    if refusal is not None:
        run.note(f"Refused: {refusal} Nothing was changed.")
        return EXIT_REFUSED
    if override is not None:
        run.note(f"Needs an override: {override} Nothing was changed.")
        return EXIT_REFUSED
    return EXIT_OK


# -- check dispense ------------------------------------------------------------------------------


def cmd_check_dispense(run: Run) -> int:
    """The dispense as the counter would assess it, with nothing written: exit 0 when it would
    be accepted as it stands, 3 when refused or an override is missing."""
    from dispensary.services import dispensing
    from dispensary.services.assessment import DispenseRequest

    a = run.args
    request = DispenseRequest(
        study_number=a.number,
        cycle=a.cycle,
        day1=a.day1,
        dose_level=a.dose_level,
        kits=tuple(a.kit or ()),
        dispensed_on=a.date,
        override_reason=a.override_reason or "",
        platelet_count=a.platelets,
        dose_ordered_by=a.dose_ordered_by or "",
    )
    found = dispensing.assess_dispense(run.context(), run.actor(), request)
    run.emit(_assessment_data(found), _assessment_lines(found))
    return _answer(
        run,
        found.refusals[0].message if found.refusals else None,
        found.override_text() if found.overrides_missing else None,
    )


def _assessment_data(found: DispenseAssessment) -> dict[str, Any]:
    return {
        "participant": found.participant,
        "cycle": found.cycle,
        "cycle_due": found.cycle_due,
        "day1": found.day1,
        "earliest_day1": found.earliest_day1,
        "latest_day1": found.latest_day1,
        "dispensed_on": found.dispensed_on,
        "dose_level": found.dose_level,
        "dose_name": found.dose_name,
        "tablets_needed": found.tablets_needed,
        "tablets_in_kits": found.tablets_in_kits,
        "accepted": found.accepted,
        "refusals": [{"code": r.code, "message": r.message} for r in found.refusals],
        "warnings": [
            {"code": w.code, "message": w.message, "needs": w.needs, "given": w.given}
            for w in found.warnings
        ],
        "proposed": [
            {"kit": k.number, "lot": k.lot, "expiry": k.expiry, "tablets": k.tablets}
            for k in found.proposed
        ],
        "kits": [{"kit": v.code, "accepted": v.accepted, "message": v.message} for v in found.kits],
    }


def _assessment_lines(found: DispenseAssessment) -> list[str]:
    if found.refusals:
        verdict = "refused"
    elif found.overrides_missing:
        verdict = "needs an override"
    else:
        verdict = "would be accepted as it stands"
    lines = [
        f"Dispense of cycle {found.cycle} to {found.participant}, day 1 "
        f"{found.day1.isoformat()}: {verdict}. Nothing was changed.",
        f"  Cycle due   {found.cycle_due}, day 1 from {found.earliest_day1.isoformat()} to "
        f"{found.latest_day1.isoformat()} (dispensed {found.dispensed_on.isoformat()})",
        f"  Dose        {found.dose_name} (level {found.dose_level})",
        f"  Tablets     {found.tablets_needed} needed, {found.tablets_in_kits} in the kits",
    ]
    for kit in found.proposed:
        lines.append(
            f"  Proposed    {kit.number}  lot {kit.lot}  exp {kit.expiry.isoformat()}  "
            f"{kit.tablets} tablets"
        )
    for verdict_of in found.kits:
        said = "taken" if verdict_of.accepted else f"refused: {verdict_of.message}"
        lines.append(f"  Kit {verdict_of.code:<8}{said}")
    lines += [f"  Refused     {r.message}" for r in found.refusals]
    for w in found.warnings:
        given = "given" if w.given else "missing"
        lines.append(f"  Warning     {w.message} (override: {w.needs.label}, {given})")
    return lines


def dispense_check(checks: Commands) -> None:
    p = checks.add(
        "dispense",
        cmd_check_dispense,
        "what a dispense would meet: refusals, warnings to override, kits (exit 0: accepted "
        "as it stands; 3: refused or an override is missing)",
    )
    p.add_argument("number")
    p.add_argument("--cycle", type=whole, help="default: the cycle due")
    p.add_argument("--day1", type=calendar_date, help="day 1 (T-DM1 infusion date; default today)")
    p.add_argument(
        "--dose-level", type=whole, metavar="L", help="default: the participant's current level"
    )
    p.add_argument("--kit", action="extend", nargs="+", help="kits in hand (default: FEFO)")
    p.add_argument("--date", type=calendar_date, help="dispense date (default today)")
    p.add_argument("--override-reason", metavar="TEXT", help="the reason an override would give")
    p.add_argument("--platelets", type=number, metavar="X", help="platelet count, x 10^9/L")
    p.add_argument("--dose-ordered-by", metavar="NAME", help="who ordered a dose change")


# -- the group -----------------------------------------------------------------------------------

CHECKS: tuple[Callable[[Commands], None], ...] = (dispense_check,)
"""Each adds one action of `check`: a new check is its handler, its function here, and one
entry in this list."""


def check_parser(group: argparse.ArgumentParser) -> None:
    checks = Commands.actions(group, "check_command")
    for add in CHECKS:
        add(checks)


PARSERS: dict[str, Fill] = {"check": check_parser}
