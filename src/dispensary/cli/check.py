"""`dispensary check ACTION`: a counter step assessed as the service would meet it, with nothing
written. Exit 0: it would be accepted as it stands; 3: refused, or something it needs is missing
(an override, the count, what a count's difference needs).

A check is a handler and the function that adds its action (after the handler); CHECKS lists
the actions of `check`, in the order its help shows them. The services load inside the
handlers, so that `--help` does not load them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dispensary.cli.core import (
    ADJUSTING_COUNT_HELP,
    EXIT_OK,
    EXIT_REFUSED,
    EXPECTED_BOOK_HELP,
    Commands,
    Fill,
    UsageError,
    calendar_date,
    cell,
    cycle_number,
    destruction_options,
    destruction_refusal,
    display_width,
    observation_options,
    percent,
    person_keys,
    plural,
    product_data,
    receive_options,
    return_outcome,
    return_outcome_options,
    shipment_kits,
    units_counted,
    whole,
)
from dispensary.cli.overriding import dispense_override_hints, override_options
from dispensary.domain import reasons
from dispensary.domain.codes import ReasonCode
from dispensary.domain.lifecycle import status_word
from dispensary.domain.rules import next_day1_words
from dispensary.i18n import N_, _, listed, pgettext

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.assessment import (
        CountAssessment,
        DestroyAssessment,
        DispenseAssessment,
        ReceiveAssessment,
        Refusal,
        ReturnAssessment,
    )
    from dispensary.services.assessment.returns import AdherencePreview
    from dispensary.study import Study


def _answer(run: Run, refusal: str | None, needs: str | None, hints: Sequence[str] = ()) -> int:
    """The exit code of a check; the first refusal, or what the step still needs (an override,
    the count...), said on stderr; then `hints`, the options that would give what it needs."""
    if refusal is not None:
        run.note(_("Refused: {refusal} Nothing was changed.").format(refusal=refusal))
        return EXIT_REFUSED
    if needs is not None:
        run.note(_("Needs {needs} Nothing was changed.").format(needs=needs))
        for hint in hints:
            run.note(hint)
        return EXIT_REFUSED
    return EXIT_OK


def _first(refusals: Sequence[Refusal[Any]]) -> str | None:
    """The refusal the writing command would raise: the first one met."""
    return refusals[0].message if refusals else None


def _refusals(refusals: Sequence[Refusal[Any]]) -> list[dict[str, Any]]:
    return [{"code": r.code, "message": r.message} for r in refusals]


def _verdict(refused: bool, needs: str | None) -> str:
    """The head line's verdict: refused, what is missing, or accepted as it stands."""
    if refused:
        return _("refused")
    if needs is not None:
        return _("needs {needs}").format(needs=needs)
    return _("would be accepted as it stands")


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
        overrides=tuple(a.override or ()),
        platelet_count=a.platelets,
        dose_ordered_by=a.dose_ordered_by or "",
        observations=dict(a.observation or ()),
        irt_confirmation=a.irt_confirmation or "",
        irt_kit=a.irt_kit or "",
    )
    found = dispensing.assess_dispense(run.context(), run.actor(), request)
    run.emit(_assessment_data(found), _assessment_lines(found, run.context().study))
    return _answer(
        run,
        _first(found.refusals),
        _("an override: {override_text}").format(override_text=found.override_text())
        if found.overrides_missing
        else None,
        dispense_override_hints([w.needs for w in found.overrides_missing], found.override_codes),
    )


def _assessment_data(found: DispenseAssessment) -> dict[str, Any]:
    return {
        "participant": found.participant,
        "cycle": found.cycle,
        "cycle_due": found.cycle_due,
        "day1": found.day1,
        "earliest_day1": found.earliest_day1,
        "latest_day1": found.latest_day1,
        "day1_unwarned": found.day1_unwarned,
        "due_day1": found.due_day1,
        "earliest_due_day1": found.earliest_due_day1,
        "previous_dispense": found.previous_number or None,
        "previous_dispensed_on": found.previous_dispensed_on,
        "dispensed_on": found.dispensed_on,
        "dose_level": found.dose_level,
        "dose_name": found.dose_name,
        "tablets_needed": found.tablets_needed,
        "tablets_in_kits": found.tablets_in_kits,
        "accepted": found.accepted,
        "refusals": _refusals(found.refusals),
        "warnings": [
            {"code": w.code, "message": w.message, "needs": w.needs, "given": w.given}
            for w in found.warnings
        ],
        "override_codes": list(found.override_codes),  # what a dispense names with --override
        "notices": [{"code": n.code, "message": n.message} for n in found.notices],
        "proposed": [
            {"kit": k.number, "lot": k.lot, "expiry": k.expiry, "tablets": k.tablets}
            for k in found.proposed
        ],
        "kits": [{"kit": v.code, "accepted": v.accepted, "message": v.message} for v in found.kits],
        "assigned": [k.number for k in found.assigned],  # the kit the IRT assigned (irt)
        "products": [
            {"product": p.product, "needed": p.tablets_needed, "in_kits": p.tablets_in_kits}
            for p in found.products
        ],
        "weight_band_level": found.weight_band_level,
        "approval_expires": found.approval_expires,
        "irt": found.irt,
    }


def _assessment_lines(found: DispenseAssessment, study: Study) -> list[str]:
    verdict = _verdict(found.refused, _("an override") if found.overrides_missing else None)
    lines = [
        _(
            "Dispense of cycle {cycle} to {participant}, day 1 {day1}: {verdict}. "
            "Nothing was changed."
        ).format(
            cycle=found.cycle,
            participant=found.participant,
            day1=found.day1.isoformat(),
            verdict=verdict,
        ),
        # A cycle refused for its timing: the previous dispense first (dispensed today?).
        *(
            [_("  Previous    {said}").format(said=found.previous_said)]
            if found.previous_said and found.timing_refused
            else []
        ),
        (
            _(
                "  Cycle due   {cycle_due}, day 1 from {earliest_day1} to {latest_day1} "
                "(dispensed {dispensed_on})"
            )
            if found.earliest_day1 <= found.latest_day1
            # Too early: no day 1 fits yet ("from 2026-12-23 to 2026-12-12" read backwards),
            # as the dispense screen says it.
            else _(
                "  Cycle due   {cycle_due}, earliest day 1 {earliest_day1} "
                "(dispensed {dispensed_on})"
            )
        ).format(
            cycle_due=found.cycle_due,
            earliest_day1=found.earliest_day1.isoformat(),
            latest_day1=found.latest_day1.isoformat(),
            dispensed_on=found.dispensed_on.isoformat(),
        ),
        *(
            [
                _(
                    "              a day 1 before {unwarned} needs the reason (rule to confirm)"
                ).format(unwarned=found.day1_unwarned.isoformat())
            ]
            if found.day1_unwarned is not None
            else []
        ),
        *_next_cycle_lines(found, study),
        _("  Dose        {dose_name} (level {dose_level})").format(
            dose_name=study.dose_name(found.dose_level), dose_level=found.dose_level
        ),
        _("  Tablets     {tablets_needed} needed, {tablets_in_kits} in the kits").format(
            tablets_needed=found.tablets_needed, tablets_in_kits=found.tablets_in_kits
        )
        if study.tablets_only or not found.products
        else _("  Quantity    {needed} needed, {in_kits} in the kits").format(
            needed=units_counted(study, [(p.product, p.tablets_needed) for p in found.products]),
            in_kits=units_counted(study, [(p.product, p.tablets_in_kits) for p in found.products]),
        ),
    ]
    # The kits given (--kit) are the ones the dispense would give: the proposal it would make
    # without them is not said beside them ("Proposed K0004", then "Kit K0007 taken").
    for kit in () if found.kits else found.proposed:
        lines.append(
            (
                _("  Proposed    {number}  lot {lot}  exp {expiry}  {tablets} tablets")
                if study.tablets_only
                else _("  Proposed    {number}  lot {lot}  exp {expiry}  {units}")
            ).format(
                number=kit.number,
                lot=kit.lot,
                expiry=kit.expiry.isoformat(),
                tablets=kit.tablets,
                units=study.units(kit.product, kit.tablets),
            )
        )
    # The kit the IRT assigned, given alone (--irt-kit): the kit the dispense would give.
    for kit in () if found.kits else found.assigned:
        said = _("accepted: this kit would be dispensed")
        lines.append(_("  Kit {code:<8}{said}").format(code=f"{kit.number} ", said=said))
    for verdict_of in found.kits:
        said = (
            _("accepted: this kit would be dispensed")
            if verdict_of.accepted
            else _("refused: {message}").format(message=verdict_of.message)
        )
        # A space after the code however long it is ("Kit DSP000110refused" ran together).
        lines.append(_("  Kit {code:<8}{said}").format(code=f"{verdict_of.code} ", said=said))
    lines += [_("  Refused     {message}").format(message=r.message) for r in found.refusals]
    for w in found.warnings:
        given = _("given") if w.given else _("missing")
        lines.append(
            _("  Warning     {message} ({code}; override: {label}, {given})").format(
                message=w.message, code=w.code, label=_(w.needs.label), given=given
            )
        )
    lines += [_("  Notice      {notice}").format(notice=n.message) for n in found.notices]
    return lines


def _next_cycle_lines(found: DispenseAssessment, study: Study) -> list[str]:
    """The cycle due's due date and earliest day 1 after the previous day 1, as `study show` and
    the participant's record say them (rules.next_day1)."""
    if found.due_day1 is None or found.earliest_due_day1 is None:
        return []
    return [
        _("  Next cycle  {when}").format(
            when=next_day1_words(found.due_day1.isoformat(), found.earliest_due_day1.isoformat())
        )
    ]


def dispense_check(checks: Commands) -> None:
    p = checks.add(
        "dispense",
        cmd_check_dispense,
        N_(
            "what a dispense would meet: refusals, warnings to override, kits (exit 0: accepted "
            "as it stands; 3: refused or an override is missing)"
        ),
    )
    p.add_argument("number")
    p.add_argument("--cycle", type=cycle_number, help=N_("default: the cycle due"))
    p.add_argument(
        "--day1", type=calendar_date, help=N_("day 1 of the study's cycle (default today)")
    )
    p.add_argument(
        "--dose-level", type=whole, metavar="L", help=N_("default: the participant's current level")
    )
    p.add_argument("--kit", action="extend", nargs="+", help=N_("kits in hand (default: FEFO)"))
    p.add_argument("--date", type=calendar_date, help=N_("dispense date (default today)"))
    override_options(p, N_("the reason an override would give"))
    observation_options(p)
    p.add_argument("--dose-ordered-by", metavar="NAME", help=N_("who ordered a dose change"))


# -- check return --------------------------------------------------------------------------------


def cmd_check_return(run: Run) -> int:
    """The return as the counter would assess it, with nothing written: exit 0 when it would be
    recorded as it stands, 3 when refused or the count is not given."""
    from dispensary.services import returns
    from dispensary.services.assessment import ReturnRequest

    a = run.args
    if a.dispense and (a.number or a.cycle is not None):
        raise UsageError(
            _(
                "Name the dispense either with --dispense, or with the code scanned (the "
                "study number with --cycle)."
            )
        )
    if a.cycle is not None and not a.number:
        raise UsageError(_("With --cycle, give the participant's study number too."))
    if not a.dispense and not a.number:
        raise UsageError(
            _(
                "Name the dispense: a code scanned (the label's DSP000001, a kit, a "
                "participant's number), NUMBER --cycle N, or --dispense DSP000001."
            )
        )
    by_cycle = a.cycle is not None  # NUMBER --cycle N, as `return` takes it; else a code scanned
    request = ReturnRequest(
        scanned="" if by_cycle else a.number or "",
        dispense=a.dispense,
        study_number=a.number if by_cycle else None,
        cycle=a.cycle,
        kit=a.kit,
        tablets=a.tablets,
        returned_on=a.date,
        held_days=a.held_days,
        condition=a.condition or "",
        note=a.note or "",
        **return_outcome(run),
    )
    found = returns.assess_return(run.context(), run.actor(), request)
    needs = None
    study = run.context().study
    if found.tablets is None and study.tablets_only:
        needs = _("the count: give --tablets N, the tablets brought back in kit {value}.").format(
            value=found.kit or "-"
        )
    elif found.tablets is None:
        product = next((k.product for k in found.kits if k.kit == found.kit), "")
        needs = _("the count: give --tablets N, the {units} brought back in kit {value}.").format(
            units=_count_word(study, product), value=found.kit or "-"
        )
    run.emit(_return_data(found), _return_lines(found, needs, study))
    return _answer(run, _first(found.refusals), needs)


def _return_data(found: ReturnAssessment) -> dict[str, Any]:
    d, p = found.dispense, found.preview
    return {
        "dispense": d.number,
        "participant": d.participant,
        "cycle": d.cycle,
        "dispensed_on": d.dispensed_on,
        "kit": found.kit,
        "tablets": found.tablets,
        "returned_on": found.returned_on,
        "held_days": found.held_days,
        "accepted": found.accepted,
        "refusals": _refusals(found.refusals),
        "kits": [
            {
                "kit": k.kit,
                "product": k.product,
                "lot": k.lot,
                "dispensed": k.dispensed,
                "status": k.status,
                "returned": k.returned,
                "state": k.state,
            }
            for k in found.kits
        ],
        "preview": None if p is None else _preview_data(p),
    }


def _preview_data(p: AdherencePreview) -> dict[str, Any]:
    """What the return would record, as `return --json` says it: each product of the
    dispense with its own figures (`products`). A dispense of one product keeps its dispensed,
    returned, taken, expected and adherence (its product's); one of several leaves them out (a
    capsule's and a tablet's counts summed, and their ratio, are neither product's) and names
    the kit's product."""
    data: dict[str, Any] = {
        "kit": p.kit,
        "kit_dispensed": p.kit_dispensed,
        "kit_returned": p.kit_returned,
        "kit_taken": p.kit_taken,
        "kit_unaccounted": p.kit_unaccounted,
    }
    several = len(p.products) > 1
    if several:
        data["product"] = next((f.product for f in p.products if p.kit in f.kits), None)
    else:
        data |= {"dispensed": p.dispensed, "returned": p.returned}
    data |= {"kits_left": p.kits_left, "complete": p.complete}
    if not several:
        data |= {"taken": p.taken, "expected": p.expected, "adherence": p.adherence}
    return data | {
        "flags": [f.value for f in p.flags],
        "explained": p.explained,
        "needs_explanation": p.needs_explanation,
        "products": [product_data(f) for f in p.products],
    }


def _units(study: Study, product: str, count: int) -> str:
    """A count of one product: "3 tablets" in a study of tablets only, else in its product's
    word ("3 capsules", "3粒"): Study.units."""
    return plural(count, "tablet") if study.tablets_only else study.units(product, count)


def _count_word(study: Study, product: str) -> str:
    """The word a kit's count is in, for a hint in a study not of tablets only ("capsules", 粒;
    the study's word when the kit is not known and its products are counted in one, else the
    neutral "tablets or capsules"): --tablets gives any kit's count."""
    if product:
        return study.unit_words((product,))
    words = {study.unit_words((p.code,)) for p in study.products}
    return words.pop() if len(words) == 1 else _("tablets or capsules")


def _listed(study: Study, counts: Sequence[tuple[str, int]]) -> str:
    """Counts of several products listed, each in its own word ("56 capsules, 30 tablets")."""
    return listed(study.units(product, count) for product, count in counts)


def _return_lines(found: ReturnAssessment, needs: str | None, study: Study) -> list[str]:
    d = found.dispense
    counted = next((k.product for k in found.kits if k.kit == found.kit), "")
    verdict = _verdict(found.refused, pgettext("returned tablets", "the count") if needs else None)
    lines = [
        _(
            "Return of kit {value} of {number} ({participant}, cycle {cycle}): "
            "{verdict}. Nothing was changed."
        ).format(
            value=found.kit or "-",
            number=d.number,
            participant=d.participant,
            cycle=d.cycle,
            verdict=verdict,
        ),
        _("  Dispensed   {dispensed_on}, {tablets} for {days} days").format(
            dispensed_on=d.dispensed_on.isoformat(),
            tablets=plural(d.tablets, "tablet")
            if study.tablets_only or not found.kits
            else units_counted(study, [(k.product, k.dispensed) for k in found.kits]),
            days=d.days,
        ),
    ]
    for k in found.kits:
        back = (
            _("to count")
            if k.to_count
            else _("{state}, {tablets} back").format(
                state=status_word(k.status), tablets=_units(study, k.product, k.returned or 0)
            )
        )
        lines.append(
            (
                _("  Kit {kit:<8}lot {lot}  {dispensed} dispensed, {back}")
                if study.tablets_only
                else _("  Kit {kit:<8}lot {lot}  {units} dispensed, {back}")
            ).format(
                kit=f"{k.kit} ",
                lot=k.lot,
                dispensed=k.dispensed,
                units=study.units(k.product, k.dispensed),
                back=back,
            )
        )
    if found.tablets is None:
        lines.append(_("  Counted     not given (--tablets N)"))
    else:
        held = (
            _(", held {days}").format(days=plural(found.held_days, "day"))
            if found.held_days
            else ""
        )
        lines.append(
            _("  Counted     {tablets} back on {returned_on}{held}").format(
                tablets=_units(study, counted, found.tablets),
                returned_on=found.returned_on.isoformat(),
                held=held,
            )
        )
    p = found.preview
    if p is not None:
        if p.kit_unaccounted:  # the service's tally: not brought back is neither back nor taken
            tally = _(
                "  Kit tally   {kit_dispensed} dispensed, not brought back ({kit_unaccounted} "
                "unaccounted for, not counted as taken)"
            )
        else:
            tally = _(
                "  Kit tally   {kit_dispensed} dispensed, {kit_returned} back, {kit_taken} taken"
            )
        lines.append(
            tally.format(
                kit_dispensed=_kit_count(study, counted, p.kit_dispensed),
                kit_returned=_kit_count(study, counted, p.kit_returned),
                kit_taken=_kit_count(study, counted, p.kit_taken),
                kit_unaccounted=_kit_count(study, counted, p.kit_unaccounted),
            )
        )
        if p.complete and not study.tablets_only and p.products:
            lines += _product_adherence(study, p)
        elif p.complete:
            lines.append(
                _("  Adherence   taken {taken} of {expected} expected: {percent}").format(
                    taken=p.taken, expected=p.expected, percent=percent(p.adherence)
                )
            )
        else:
            lines.append(
                _("  Adherence   worked out once every kit is back ({kits} still to count)").format(
                    kits=plural(p.kits_left, "kit")
                )
            )
        for flag in p.flags:
            said = (
                _("explained by the note")
                if p.explained
                else _("to explain: --note TEXT, or `dispensary explain` later")
            )
            from dispensary.services.results import flagged_products

            label = study.flag_said(flag, flagged_products(p.products, flag))
            lines.append(_("  FLAG        {label} ({said})").format(label=label, said=said))
    lines += [_("  Refused     {message}").format(message=r.message) for r in found.refusals]
    return lines


def _kit_count(study: Study, product: str, count: int) -> str:
    """A count of the kit: a bare number in a study of tablets only, as it always read; else in
    its product's word ("8 capsules", 8粒), never a capsule's count read as tablets."""
    return str(count) if study.tablets_only else study.units(product, count)


def _product_adherence(study: Study, p: AdherencePreview) -> list[str]:
    """The adherence the return would record in a study not of tablets only: each product
    named with its own taken of expected in its word and its adherence (the service's
    ProductFigures, as `return` says them), never a capsule's and a tablet's counts summed into
    one "taken 41 of 49 expected" and their ratio."""
    from dispensary.services.reconciliation import product_taken

    return [
        _("  Adherence   {taken}: {percent}").format(
            taken=product_taken(study, f), percent=percent(f.adherence)
        )
        for f in p.products
    ]


def return_check(checks: Commands) -> None:
    p = checks.add(
        "return",
        cmd_check_return,
        N_(
            "what a return would meet: the dispense and its kits, refusals, the adherence it would "
            "record (exit 0: accepted as it stands; 3: refused or the count is not given)"
        ),
    )
    p.add_argument(
        "number",
        nargs="?",
        metavar="CODE",
        help=N_(
            "participant's study number (with --cycle), or a code scanned: a dispensing "
            "label, a kit, a participant's number"
        ),
    )
    p.add_argument("--cycle", type=cycle_number)
    p.add_argument("--dispense", metavar="DSP000001", help=N_("the dispense (label barcode)"))
    p.add_argument("--kit", help=N_("default: the kit scanned, else the first still to count"))
    p.add_argument(
        "--tablets",
        type=whole,
        metavar="N",
        help=N_("tablets or capsules counted back (default: not counted)"),
    )
    p.add_argument("--date", type=calendar_date, help=N_("return date (default today)"))
    p.add_argument("--note", metavar="TEXT", help=N_("remark; explains an adherence flag"))
    p.add_argument("--held-days", type=whole, default=0, metavar="N", help=N_("days drug held"))
    p.add_argument("--condition", metavar="TEXT")
    return_outcome_options(p)


# -- check receive -------------------------------------------------------------------------------


def cmd_check_receive(run: Run) -> int:
    """The receipt as the receiving screen would assess it, with nothing written: exit 0 when
    the shipment would be received as it stands, 3 when refused. The kits are listed as
    `receive` lists them (the same options, read by the same helper)."""
    from dispensary.services import receiving
    from dispensary.services.assessment import ReceiveRequest

    a = run.args
    manifest = shipment_kits(run)
    request = ReceiveRequest(
        shipment=a.shipment,
        kits=manifest.kits,
        received_on=a.date,
        condition=a.condition,
        temperature_ok=not a.temperature_failed,
    )
    found = receiving.assess_receive(run.context(), run.actor(), request)
    lines = _receive_lines(found, run.context().study)
    lines += [_("  Warning     {message}").format(message=w) for w in found.warnings]
    if manifest.ignored:
        lines.append(f"  {manifest.note}")
    if receiving.encoding_note(manifest.encoding):  # said, so that a misread would be noticed
        lines.append(f"  {receiving.encoding_note(manifest.encoding)}")
    data = _receive_data(found) | {"ignored_columns": list(manifest.ignored)}
    run.emit(data | {"warnings": list(found.warnings)}, lines)
    return _answer(run, _first(found.refusals), None)


def _receive_data(found: ReceiveAssessment) -> dict[str, Any]:
    return {
        "shipment": found.shipment,
        "received_on": found.received_on,
        "location": found.location,
        "quarantined": found.quarantined,
        "excursions": found.excursions,
        "kits": found.kits,
        "tablets": found.tablets,
        "accepted": found.accepted,
        "refusals": _refusals(found.refusals),
        "lines": [
            {
                "line": line.line,
                "kit": line.number,
                "product": line.product,
                "lot": line.lot,
                "expiry": line.expiry,
                "tablets": line.tablets,
                "accepted": line.accepted,
                "code": line.code,
                "message": line.message,
                "status": line.status,
                "damaged": line.damaged,
                "new_lot": line.new_lot,
            }
            for line in found.lines
        ],
    }


def _receive_lines(found: ReceiveAssessment, study: Study) -> list[str]:
    """The receipt's verdict, totals and lines; in a study not of tablets only each count in
    its product's word ("2 kits, 56 capsules, 30 tablets"), never capsules summed as tablets."""
    from dispensary.services import receiving

    lines = [
        _("Receipt of shipment {value} on {received_on}: {verdict}. Nothing was changed.").format(
            value=found.shipment or "-",
            received_on=found.received_on.isoformat(),
            verdict=_verdict(found.refused, None),
        ),
        _("  Kits        {kits}, {tablets} tablets, into {value}").format(
            kits=plural(found.kits, "kit"), tablets=found.tablets, value=found.location or "-"
        )
        if study.tablets_only
        else _("  Kits        {kits}, {units}, into {value}").format(
            kits=plural(found.kits, "kit"),
            units=_listed(study, found.by_product),
            value=found.location or "-",
        ),
    ]
    if found.quarantined:
        lines.append(
            _("  Quarantine  the temperature record failed: every kit would go into quarantine")
        )
    if found.excursions:  # received during an excursion on record: quarantined with it
        notice = receiving.excursion_notice(found.excursions, study.area_name(found.location))
        lines.append(_("  Quarantine  {notice}").format(notice=notice))
    for line in found.lines:
        # "Line 1" (第 1 行) padded by terminal columns, not inside the words: "第 1      行"
        label = _("Line {line}").format(line=line.line)
        label += " " * max(0, 11 - display_width(label))
        kit = (
            _("  {label} {number}  {product}  lot {lot}  exp {expiry}  {tablets} tablets: ")
            if study.tablets_only
            else _("  {label} {number}  {product}  lot {lot}  exp {expiry}  {units}: ")
        ).format(
            label=label,
            number=cell(line.number),
            product=cell(line.product),
            lot=cell(line.lot),
            expiry=cell(line.expiry),
            tablets=cell(line.tablets),
            units=study.units(line.product, line.tablets),
        )
        if line.accepted:
            lines.append(
                kit
                + status_word(line.status)
                + (
                    _(", {cause}").format(cause=receiving.damage_words(line.damaged))
                    if line.damaged
                    else ""
                )
                + (_(", new lot") if line.new_lot else "")
            )
        else:
            lines.append(_("{kit}refused: {message}").format(kit=kit, message=line.message))
    lines += [_("  Refused     {message}").format(message=r.message) for r in found.refusals]
    return lines


def receive_check(checks: Commands) -> None:
    p = checks.add(
        "receive",
        cmd_check_receive,
        N_(
            "what a receipt would meet: a verdict on each kit, quarantine, totals (exit 0: accepted "
            "as it stands; 3: refused); the options of `receive`"
        ),
    )
    receive_options(p)


# -- check destroy -------------------------------------------------------------------------------


def cmd_check_destroy(run: Run) -> int:
    """The destruction as the inventory screen would assess it, with nothing written (no
    signature is asked): exit 0 when it would be accepted as it stands, 3 when refused."""
    from dispensary.services import destruction
    from dispensary.services.assessment import DestroyRequest

    a = run.args
    request = DestroyRequest(
        kits=a.kits,
        witness=a.witness,
        method=a.method,
        destroyed_on=a.date,
        reference=a.reference,
        to_sponsor=a.to_sponsor,
        reason_code=a.reason_code,
        unseen_returns_ok=a.unseen_returns_ok,
    )
    found = destruction.assess_destroy(run.context(), run.actor(), request)
    run.emit(_destroy_data(found), _destroy_lines(found, run.context().study))
    said = [destruction_refusal(r.code, r.message) for r in found.refusals]
    return _answer(run, said[0] if said else None, None)


def _destroy_data(found: DestroyAssessment) -> dict[str, Any]:
    return {
        "destroyed_on": found.destroyed_on,
        "to_sponsor": found.to_sponsor,
        "witness": found.witness,  # deprecated: witness_username (kept for one release)
        **person_keys("witness", found.witness, found.witness_name),
        "witness_role": found.witness_role,
        "method": found.method,
        "reference": found.reference,
        "reason_code": found.reason_code,
        "tablets": found.tablets,
        "from_stock": found.from_stock,
        "from_returned": found.from_returned,
        "accepted": found.accepted,
        "refusals": _refusals(found.refusals),
        "warnings": list(found.warnings),
        "unseen_returns": list(found.unseen_returns),
        "kits": [
            {
                "kit": v.kit,
                "status": v.status,
                "accepted": v.accepted,
                "message": v.message,
                "on_hand": v.on_hand,
                "held_returned": v.held_returned,
                "from_returned": v.from_returned,
                "tablets": v.tablets,
                "needs_reason": v.needs_reason,
            }
            for v in found.kits
        ],
    }


def _destroy_lines(found: DestroyAssessment, study: Study) -> list[str]:
    """The destruction's verdict, kits and total; in a study not of tablets only each count in
    its product's word ("28 capsules + 30 tablets would leave"), never capsules as tablets."""
    what = _("Return to the sponsor") if found.to_sponsor else _("Destruction")
    lines = [
        _("{what} of {kits} on {destroyed_on}: {verdict}. Nothing was changed.").format(
            what=what,
            kits=plural(len(found.kits), "kit"),
            destroyed_on=found.destroyed_on.isoformat(),
            verdict=_verdict(found.refused, None),
        ),
        _("  Witness     {value}").format(value=found.witness_shown or found.witness or "-"),
        _("  Method      {value}").format(value=reasons.destruction_method(found.method) or "-"),
        _("  Authorised  {value}").format(value=found.reference or "-"),
        _("  Reason      {value}").format(
            value=_(found.reason_code.label) if found.reason_code else "-"
        ),
    ]
    for v in found.kits:
        if v.accepted:
            source = _("the monitor's hold") if v.from_returned else _("the shelf")
            status = status_word(v.status) if v.status is not None else "-"
            said = _("{status}: {tablets} from {source}").format(
                status=status, tablets=_units(study, v.product, v.tablets), source=source
            )
        else:
            said = _("refused: {message}").format(message=v.message)
        lines.append(_("  Kit {kit:<8}{said}").format(kit=f"{v.kit} ", said=said))
    leaving = [v for v in found.kits if v.accepted]
    lines += [
        _(
            "  Tablets     {tablets} would leave ({from_stock} from the shelf, "
            "{from_returned} from the monitor's hold)"
        ).format(
            tablets=found.tablets, from_stock=found.from_stock, from_returned=found.from_returned
        )
        if study.tablets_only or not leaving
        else _(
            "  Quantity    {units} would leave ({from_stock} from the shelf, "
            "{from_returned} from the monitor's hold)"
        ).format(
            units=units_counted(study, [(v.product, v.tablets) for v in leaving]),
            from_stock=units_counted(
                study, [(v.product, v.tablets) for v in leaving if not v.from_returned]
            ),
            from_returned=units_counted(
                study, [(v.product, v.tablets) for v in leaving if v.from_returned]
            ),
        ),
        *[
            _("  Refused     {message}").format(message=destruction_refusal(r.code, r.message))
            for r in found.refusals
        ],
        *[  # acknowledged: said, not refused
            _("  Warning     {message}").format(message=w)
            for w in found.warnings
            if found.unseen_returns_ok
        ],
    ]
    return lines


def destroy_check(checks: Commands) -> None:
    p = checks.add(
        "destroy",
        cmd_check_destroy,
        N_(
            "what a destruction (or return to the sponsor) would meet: a verdict on each kit, the "
            "tablets or capsules that would leave, the witness, the authorisation and reason code "
            "(no password is asked; exit 0: accepted as it stands; 3: refused)"
        ),
    )
    destruction_options(p, required=False)


# -- check count ---------------------------------------------------------------------------------


def cmd_check_count(run: Run) -> int:
    """The count as the count screen would assess it, with nothing written (no signature or
    second password is asked): exit 0 when it would be recorded as it stands, 3 when refused,
    when the count is not given, or when a recount's difference lacks what it needs. The book
    is given only for a recount (the kit's last count differs and is open): a figure tried
    here against the book would tell a counter the book before any count is recorded."""
    from dispensary.services import counts
    from dispensary.services.assessment import CountRequest

    a = run.args
    request = CountRequest(
        kit=a.kit,
        counted=a.tablets,
        reason_code=a.reason_code,
        reason=a.reason or "",
        verified_by=a.verified_by or "",
        counted_on=a.date,
        expected_book=a.expected_book,
        adjusting_count=a.adjusting_count,
    )
    found = counts.assess_count(run.context(), run.actor(), request)
    needs = None
    study = run.context().study
    if found.counted is None and study.tablets_only:
        needs = _(
            "the count: give --tablets N, the tablets counted in the kit (the book "
            "is shown once the count is given)."
        )
    elif found.counted is None:
        needs = _(
            "the count: give --tablets N, the {units} counted in the kit (the book is shown once "
            "the count is given)."
        ).format(units=_count_word(study, found.product))
    elif found.needs_missing:
        first = found.needs_missing[0]
        needs = _("{label}: {message}").format(label=_(first.needs.label), message=first.message)
    verified_by = a.verified_by or ""
    run.emit(_count_data(found, verified_by), _count_lines(found, study, verified_by))
    return _answer(run, _first(found.refusals), needs)


def _count_data(found: CountAssessment, verified_by: str) -> dict[str, Any]:
    """The count's assessment; the second person named (`--verified-by`) as every `--json`
    output names a person: the user name as typed, the full name once the account is found
    (null when nobody is named, or no account has that name)."""
    return {
        "kit": found.kit,
        "status": found.status,
        "counted": found.counted,
        "book": found.book,
        "difference": found.difference,
        "open_count": found.recount_of,
        "accepted": found.accepted,
        "refusals": _refusals(found.refusals),
        "needs": [{"needs": n.needs, "message": n.message, "given": n.given} for n in found.needs],
        **person_keys("verified_by", verified_by, found.verifier_name),
    }


_COUNT_OPTIONS: dict[str, str] = {
    "reason_code": "--reason-code",
    "reason": "--reason",
    "second_person": "--verified-by",
}
"""The option of `count` that gives what a difference needs, by CountNeeds (its values: the
enum would load the services for `--help`)."""


def _count_lines(found: CountAssessment, study: Study, verified_by: str = "") -> list[str]:
    """The count's verdict and figures: the count and the book in the kit's product's word
    ("20 capsules, 21 capsules in the book") unless the study is of tablets only; the second
    person, when one is named (`--verified-by`) or the difference needs one, as `check destroy`
    names its witness: full name and role once the account is found, else the name typed."""
    if found.counted is None:
        missing: str | None = pgettext("physical count", "the count")
    elif found.needs_missing:
        missing = ", ".join(_COUNT_OPTIONS[n.needs] for n in found.needs_missing)
    else:
        missing = None
    lines = [
        _("Count of kit {kit}: {verdict}. Nothing was changed.").format(
            kit=found.kit, verdict=_verdict(found.refused, missing)
        ),
        _("  Status      {value}").format(value=status_word(found.status)),
    ]
    if found.counted is None:
        lines.append(_("  Counted     not given (--tablets N); the book is shown once it is"))
    elif found.book is None or found.difference is None:
        lines.append(
            _("  Counted     {tablets}").format(tablets=_units(study, found.product, found.counted))
        )
        if not found.refused:  # blind: the book is never tried against a figure not recorded
            lines.append(
                _(
                    "  Book        shown once the count is recorded (the count is blind); a "
                    "difference is recorded as counted, then adjusted or counted again"
                )
            )
    else:
        said = (
            _("difference {difference:+d}").format(difference=found.difference)
            if found.difference
            else _("matches the book")
        )
        lines.append(
            (
                _("  Counted     {tablets}, {book} in the book: {said}")
                if study.tablets_only
                else _("  Counted     {tablets}, {units} in the book: {said}")
            ).format(
                tablets=_units(study, found.product, found.counted),
                book=found.book,
                units=study.units(found.product, found.book),
                said=said,
            )
        )
    if found.recount_of is not None and found.book is not None:
        lines.append(
            _(
                "  Open count  {count}: adjust it with --expected-book {book} "
                "--adjusting-count {count}"
            ).format(count=found.recount_of, book=found.book)
        )
    for n in found.needs:
        given = _("given") if n.given else _("missing")
        lines.append(
            _("  Needs       {label} ({count_options}: {given})").format(
                label=_(n.needs.label), count_options=_COUNT_OPTIONS[n.needs], given=given
            )
        )
    if verified_by or any(n.needs == "second_person" for n in found.needs):
        lines.append(
            _("  Second person  {value}").format(value=found.verifier_shown or verified_by or "-")
        )
    lines += [_("  Refused     {message}").format(message=r.message) for r in found.refusals]
    return lines


def count_check(checks: Commands) -> None:
    p = checks.add(
        "count",
        cmd_check_count,
        N_(
            "what a blind count would meet: the book once the count is given, the difference and "
            "what it needs (exit 0: accepted as it stands; 3: refused, or the count or what a "
            "difference needs is missing)"
        ),
    )
    p.add_argument("kit")
    p.add_argument(
        "--tablets",
        type=whole,
        metavar="N",
        help=N_("tablets or capsules counted (default: not counted)"),
    )
    p.add_argument(
        "--reason-code",
        choices=[r.value for r in ReasonCode],
        help=N_("why the count differs from the book (needed for a difference)"),
    )
    p.add_argument(
        "--reason",
        metavar="TEXT",
        help=N_("the difference explained in a few words (needed for a difference)"),
    )
    p.add_argument(
        "--verified-by", metavar="NAME", help=N_("second person (named only: no password is asked)")
    )
    p.add_argument("--date", type=calendar_date, help=N_("count date (default today)"))
    p.add_argument("--expected-book", type=whole, metavar="N", help=EXPECTED_BOOK_HELP)
    p.add_argument("--adjusting-count", type=whole, metavar="N", help=ADJUSTING_COUNT_HELP)


# -- the group -----------------------------------------------------------------------------------

CHECKS: tuple[Callable[[Commands], None], ...] = (
    dispense_check,
    return_check,
    receive_check,
    destroy_check,
    count_check,
)
"""Each adds one action of `check`: a new check is its handler, its function here, and one
entry in this list."""


def check_parser(group: argparse.ArgumentParser) -> None:
    checks = Commands.actions(group, "check_command")
    for add in CHECKS:
        add(checks)


PARSERS: dict[str, Fill] = {"check": check_parser}
