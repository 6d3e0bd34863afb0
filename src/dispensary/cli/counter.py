"""The counter: `enroll`, `participant-status`, `correct-status`,
`participant-correct`, `dispense`, `void`, `return`, `correct-return`, `explain`,
`participants`, `history` and `trace`.

Each command's parser sits after its handler; the services load inside the handlers, so that
`--help` does not load them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from dispensary.cli.core import (
    ENV_CHECKER_PASSWORD,
    EXIT_OK,
    Fill,
    UsageError,
    actor_keys,
    calendar_date,
    cycle_number,
    help_text,
    hinted,
    history_data,
    kits_text,
    observation_options,
    percent,
    person_keys,
    plural,
    product_data,
    record_id,
    return_outcome,
    return_outcome_options,
    second_person_secret,
    status_label,
    table,
    units_counted,
    whole,
)
from dispensary.cli.overriding import dispense_override_hints, override_options
from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import RuleViolation, ToConfirm
from dispensary.domain.rules import next_day1_words, sex_word
from dispensary.i18n import ENGLISH, N_, _, current_language, listed

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.context import Actor
    from dispensary.services.results import (
        DispenseHistoryRow,
        DispenseResult,
        ObservationValue,
        ParticipantRow,
        ProductFigures,
        RecordChange,
        ReturnResult,
    )
    from dispensary.study import Study

# -- participants --------------------------------------------------------------------------------


def _participant_dict(row: ParticipantRow) -> dict[str, Any]:
    return asdict(row)


def cmd_enroll(run: Run) -> int:
    from dispensary.services import participants

    a = run.args
    checklist = participants.eligibility_checklist(run.context().study)
    # The criteria as the reader reads them (the study file's words in the reader's language);
    # the record and the JSON keep them as recorded.
    shown = participants.eligibility_checklist_words(run.context().study)
    try:
        row = participants.enroll(
            run.context(),
            run.actor(),
            a.number,
            a.initials,
            a.birth_year,
            a.sex,
            a.eligibility_confirmed_by,
            enrolled_on=a.date,
            # --criteria-confirmed: every criterion of the study file checked by the person named
            criteria_confirmed=checklist if a.criteria_confirmed else None,
            age_confirmed=a.age_confirmed,
        )
    except participants.ChecklistNotConfirmed as refused:
        raise RuleViolation(
            _(
                "{refusal} Once {name} has checked every criterion ({criteria}), enrol again "
                "with --criteria-confirmed."
            ).format(
                refusal=refused.message,
                name=a.eligibility_confirmed_by.strip(),
                criteria=("; " if current_language() is ENGLISH else "；").join(shown),
            )
        ) from refused
    except ToConfirm as asked:
        raise ToConfirm(
            _("{question} Once confirmed, enrol again with --age-confirmed.").format(
                question=asked.message
            )
        ) from asked
    # A warning, not a refusal: the same initials and year on treatment in another study.
    warnings = participants.enrolment_warnings(
        run.context(), run.actor(), row.initials, row.birth_year
    )
    run.emit(
        {
            **_participant_dict(row),
            "criteria_confirmed": checklist,
            "warnings": list(warnings),
            # who enrolled, as every --json output names a person; the investigator who
            # confirmed eligibility is a name typed as given, not an account
            "eligibility_confirmed_by": a.eligibility_confirmed_by.strip(),
            **actor_keys(run.actor()),
        },
        [
            _(
                "Enrolled {study_number} ({initials}), born {birth_year}, {sex}, on {enrolled_on}."
            ).format(
                study_number=row.study_number,
                initials=row.initials,
                birth_year=row.birth_year,
                sex=sex_word(row.sex),
                enrolled_on=row.enrolled_on.isoformat(),
            ),
            _("  Eligibility confirmed by {eligibility_confirmed_by}").format(
                eligibility_confirmed_by=a.eligibility_confirmed_by.strip()
            ),
            _("  Criteria confirmed ({count}):").format(count=len(checklist)),
            *(f"    - {criterion}" for criterion in shown),
            _("Next: dispense cycle 1."),
        ],
    )
    for warning in warnings:
        run.note(_("Warning: {warning}").format(warning=warning))
    return EXIT_OK


def enroll_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_enroll)
    p.add_argument("number")
    p.add_argument(
        "--initials",
        required=True,
        metavar="XX",
        help=N_("the participant's initials (no name is kept)"),
    )
    p.add_argument(
        "--birth-year", required=True, type=whole, metavar="YYYY", help=N_("year of birth")
    )
    p.add_argument("--sex", required=True, metavar="F|M", help=N_("sex: F or M"))
    p.add_argument(
        "--eligibility-confirmed-by",
        required=True,
        metavar="NAME",
        help=N_("the investigator who confirmed eligibility"),
    )
    p.add_argument(
        "--criteria-confirmed",
        action="store_true",
        help=N_(
            "every inclusion criterion and the absence of every exclusion criterion of the "
            "study file were checked by the person named in --eligibility-confirmed-by "
            "(required; the criteria are listed in the output and recorded with the enrolment)"
        ),
    )
    p.add_argument("--date", type=calendar_date, help=N_("enrolment date (default today)"))
    p.add_argument(
        "--age-confirmed",
        action="store_true",
        help=N_(
            "the investigator confirmed the age of a participant born in the year that makes "
            "them under age or not by the birthday"
        ),
    )


def cmd_participant_status(run: Run) -> int:
    from dispensary.services import participants

    a = run.args
    row = participants.set_status(
        run.context(),
        run.actor(),
        a.number,
        a.status,
        a.reason,
        password=run.password(),
        effective_on=a.date,
    )
    out = participants.kits_out(run.context(), run.actor(), a.number)
    run.emit(
        _participant_dict(row) | actor_keys(run.actor()),  # who changed it and signed
        [
            _("{study_number} ({initials}) is now {status_label}.").format(
                study_number=row.study_number,
                initials=row.initials,
                status_label=status_label(row.status),
            ),
            _("  Reason  {reason}").format(reason=a.reason.strip()),
            _("  Effective  {day}").format(day=(a.date or run.context().clock.today()).isoformat()),
            *([_("  Kits still out for return  {kits}").format(kits=listed(out))] if out else []),
        ],
    )
    return EXIT_OK


def participant_status_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_participant_status)
    p.add_argument("number")
    p.add_argument(
        "status",
        choices=[s.value for s in ParticipantStatus if s is not ParticipantStatus.VOIDED],
    )
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--date",
        type=calendar_date,
        metavar="DATE",
        help=N_("the day the status changed (default today; not before the enrolment)"),
    )


def cmd_participant_correct(run: Run) -> int:
    from dispensary.services import participants

    a = run.args
    row = participants.correct_enrolment(
        run.context(),
        run.actor(),
        a.number,
        enrolled_on=a.enrolled_on,
        initials=a.initials,
        birth_year=a.birth_year,
        reason=a.reason,
        password=run.password(),
    )
    run.emit(
        _participant_dict(row) | actor_keys(run.actor()),  # who corrected it and signed
        [
            _(
                "Enrolment of {study_number} corrected: {initials}, born {birth_year}, enrolled "
                "on {enrolled_on}."
            ).format(
                study_number=row.study_number,
                initials=row.initials,
                birth_year=row.birth_year,
                enrolled_on=row.enrolled_on.isoformat(),
            ),
            _("  Reason  {reason}").format(reason=a.reason.strip()),
        ],
    )
    return EXIT_OK


def participant_correct_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_participant_correct)
    p.add_argument("number")
    p.add_argument(
        "--enrolled-on", type=calendar_date, metavar="DATE", help=N_("the right enrolment date")
    )
    p.add_argument("--initials", metavar="XX", help=N_("the right initials"))
    p.add_argument("--birth-year", type=whole, metavar="YYYY", help=N_("the right year of birth"))
    p.add_argument("--reason", required=True, help=N_("why the enrolment is corrected (required)"))


def cmd_participant_status_correct(run: Run) -> int:
    from dispensary.services import participants

    a = run.args
    row = participants.correct_status(
        run.context(),
        run.actor(),
        a.number,
        status=a.status,
        effective_on=a.date,
        reason=a.reason,
        password=run.password(),
    )
    now = participants.assess_status_correction(run.context(), run.actor(), a.number)
    effective = now.old_effective_on
    run.emit(
        {
            **_participant_dict(row),
            "effective_on": effective.isoformat() if effective else None,
            "status_change": now.status_change,
            **actor_keys(run.actor()),  # who corrected it and signed
        },
        [
            _("Status change of {study_number} corrected: {status_label} from {day}.").format(
                study_number=row.study_number,
                status_label=status_label(row.status),
                day=effective.isoformat() if effective else "",
            ),
            _("  Reason  {reason}").format(reason=a.reason.strip()),
        ],
    )
    return EXIT_OK


def participant_status_correct_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_participant_status_correct)
    p.add_argument("number")
    p.add_argument(
        "--status",
        choices=[s.value for s in ParticipantStatus if s is not ParticipantStatus.VOIDED],
        help=N_(
            "the status the last change should have set; the status before it withdraws the "
            "change as recorded in error"
        ),
    )
    p.add_argument(
        "--date",
        type=calendar_date,
        metavar="DATE",
        help=N_("the right effective date of the last status change"),
    )
    p.add_argument(
        "--reason", required=True, help=N_("why the status change is corrected (required)")
    )


def cmd_participant_void(run: Run) -> int:
    from dispensary.services import participants

    a = run.args
    row = participants.void_enrolment(
        run.context(), run.actor(), a.number, a.reason, password=run.password()
    )
    run.emit(
        _participant_dict(row) | actor_keys(run.actor()),  # who voided it and signed
        [
            _(
                "Enrolment of {study_number} ({initials}) voided as entered in error: out of "
                "the lists and counts; its history and the audit trail keep it."
            ).format(study_number=row.study_number, initials=row.initials),
            _("  Reason  {reason}").format(reason=a.reason.strip()),
        ],
    )
    return EXIT_OK


def participant_void_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_participant_void)
    p.add_argument("number")
    p.add_argument(
        "--reason", required=True, help=N_("why the enrolment was entered in error (required)")
    )


def _return_state(row: ParticipantRow) -> str:
    """As the register says it, from what the service decided: 'not yet due' while the supply
    lasts, 'due' once it has ended, 'OVERDUE' after the study's grace period."""
    if not row.return_pending:
        return ""
    if row.return_overdue:
        return _("OVERDUE")
    return _("due") if row.return_due else _("not yet due")


def cmd_participants(run: Run) -> int:
    from dispensary.services import queries

    ctx = run.context()
    rows = queries.participants(ctx, run.actor())
    lines = table(
        [
            _("Number"),
            _("Initials"),
            _("Enrolled"),
            _("Status"),
            _("Cycle"),
            _("Day 1"),
            _("Next due"),
            _("Return"),
        ],
        [
            (
                r.study_number,
                r.initials,
                r.enrolled_on,
                status_label(r.status),
                r.last_cycle,
                r.last_day1,
                r.next_due,  # the service's: none once treatment has ended, as next_cycle
                _return_state(r),
            )
            for r in rows
        ],
        right=[4],
    )
    run.emit([_participant_dict(r) for r in rows], lines)
    return EXIT_OK


def participants_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_participants)


def _history_table(rows: Sequence[DispenseHistoryRow], study: Study) -> list[str]:
    """The dispenses, a line each; a dispense of several products a line per product, each in
    its own units (reports.participant.history_lines): the report's figures, line for line."""
    from dispensary.reports.participant import history_lines, several_products

    several = several_products(rows)
    return table(
        [
            _("Cycle"),
            _("Dispense"),
            _("Day 1"),
            _("Dose"),
            *([_("Product")] if several else []),
            _("Kits"),
            _("Given"),
            _("Back"),
            _("Taken"),
            _("Expected"),
            _("Adherence"),
            _("Flags"),
        ],
        [
            (
                *(
                    (
                        r.cycle,
                        r.dispense_number,
                        r.day1,
                        r.dose_name if r.dose_level is None else study.dose_name(r.dose_level),
                    )
                    if line.first
                    else ("", "", "", "")
                ),
                *([line.product] if several else []),
                ", ".join(line.kits),
                line.dispensed,
                line.returned or None,
                line.taken or None,
                line.expected or None,
                percent(line.adherence),
                (
                    _("VOIDED")  # kept in the history, marked; who, when and why in the changes
                    if r.voided is not None
                    else _(", ").join(study.flag_said(f, line.codes) for f in line.flags)
                    + (_(" (explained)") if line.flags and r.flag_reason else "")
                ),
            )
            for r in rows
            for line in history_lines(study, r, several)
        ],
        right=[0, 6, 7, 8, 9, 10] if several else [0, 5, 6, 7, 8, 9],
    )


def cmd_history(run: Run) -> int:
    from dispensary.services import queries

    record = queries.participant_record(run.context(), run.actor(), run.args.number)
    person, rows, changes = record.participant, record.history, record.changes
    lines = [
        _(
            "{study_number} ({initials}), born {birth_year}, {sex}, enrolled "
            "{enrolled_on}, {status_label}"
        ).format(
            study_number=person.study_number,
            initials=person.initials,
            birth_year=person.birth_year,
            sex=sex_word(person.sex),
            enrolled_on=person.enrolled_on.isoformat(),
            status_label=status_label(person.status),
        ),
    ]
    if person.next_cycle is not None and person.next_due:
        pending = (
            _("; the return of cycle {last_cycle} is pending").format(last_cycle=person.last_cycle)
            if person.return_pending
            else ""
        )
        earliest = person.next_earliest or person.next_due
        lines.append(
            _("Next: cycle {next_cycle} from {next_due}{pending}").format(
                next_cycle=person.next_cycle, next_due=person.next_due.isoformat(), pending=pending
            )
            if person.last_cycle is None  # cycle 1: from the enrolment
            # as `study show` and `check dispense` say it (rules.next_day1_words)
            else _("Next: cycle {next_cycle} {when}{pending}").format(
                next_cycle=person.next_cycle,
                when=next_day1_words(person.next_due.isoformat(), earliest.isoformat()),
                pending=pending,
            )
        )
    lines.append("")
    lines += _history_table(rows, run.context().study) if rows else [_("No dispenses yet.")]
    if rows:  # who signed each dispense: the pharmacist, and the second checker when one did
        lines.append("")
        lines += [_signers_line(r) for r in rows]
    # A voided dispense's values stay in --json; said once here, by the dispense that stands.
    recorded = [r for r in rows if (r.observations or r.irt_confirmation) and r.voided is None]
    if recorded:
        from dispensary.reports.participant import recorded_text

        lines.append("")
        lines += [
            _("Cycle {cycle} recorded: {recorded}").format(
                cycle=r.cycle, recorded=recorded_text(run.context().study, r)
            )
            for r in recorded
        ]
    noted = [r for r in rows if r.return_day_note and r.voided is None]
    if noted:
        lines.append("")
        lines += [
            _("Cycle {cycle}: {note}").format(cycle=r.cycle, note=r.return_day_note) for r in noted
        ]
    explained = [r for r in rows if r.flag_reason]
    if explained:
        lines.append("")
        lines += [
            _("Cycle {cycle}: {flag_reason}").format(cycle=r.cycle, flag_reason=r.flag_reason)
            for r in explained
        ]
    counted = [(r, ret) for r in rows for ret in r.returns]
    if counted:  # the number `correct-return` takes
        lines += ["", _("Returns (the number to give `dispensary correct-return`):")]
        lines += [
            "  "
            + _("Return {number}: cycle {cycle} ({dispense}), kit {kit}, {count} on {day}").format(
                number=ret.return_id,
                cycle=r.cycle,
                dispense=r.dispense_number,
                kit=ret.kit,
                count=_("not brought back")
                if ret.not_brought_back
                else run.context().study.units(ret.product, ret.tablets),
                day=ret.returned_on.isoformat(),
            )
            for r, ret in counted
        ]
    lines += ["", _("Corrections and status changes:")]
    lines += (
        ["  " + queries.change_words(c) for c in changes]
        if changes
        else ["  " + _("Nothing changed in the record since enrolment.")]
    )
    run.emit(
        {
            "participant": _participant_dict(person),
            "dispenses": [history_data(r) for r in rows],
            "changes": [_change_data(c) for c in changes],
        },
        lines,
    )
    return EXIT_OK


def _signers_line(row: DispenseHistoryRow) -> str:
    """Who dispensed a dispense of the history and who checked it (said only when someone
    did: a dispense without a second check names nobody else)."""
    if row.checked_by:
        return _(
            "Cycle {cycle} ({dispense}): dispensed by {pharmacist}, checked by {checker}"
        ).format(
            cycle=row.cycle,
            dispense=row.dispense_number,
            pharmacist=row.dispensed_by,
            checker=row.checked_by,
        )
    return _("Cycle {cycle} ({dispense}): dispensed by {pharmacist}").format(
        cycle=row.cycle, dispense=row.dispense_number, pharmacist=row.dispensed_by
    )


def _change_data(change: RecordChange) -> dict[str, Any]:
    """A change of the record as JSON (`history`): the values before and after as stored."""
    return {
        "at": change.at.isoformat(),
        "field": change.field,
        "dispense": change.dispense or None,
        "kit": change.kit or None,
        "return_id": change.return_id,
        "old": change.old,
        "new": change.new,
        "by": change.username,  # deprecated: actor_username (kept for one release)
        **person_keys("actor", change.username, change.full_name),
        "reason": change.reason,
        "effective_on": change.effective_on.isoformat() if change.effective_on else None,
        "signed": change.signed,
        "cycle": change.cycle,  # a voided dispense's ("field": "dispense_void"), else null
        # a status change corrected ("field": "status_correction"): the date in force before,
        # whether withdrawn as in error, and the change it corrects; else null (false)
        "old_effective_on": change.old_effective_on.isoformat()
        if change.old_effective_on
        else None,
        "withdrawn": change.withdrawn,
        "corrects": _change_data(change.corrects) if change.corrects else None,
    }


def history_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_history)
    p.add_argument("number")


# -- dispensing ----------------------------------------------------------------------------------


def cmd_dispense(run: Run) -> int:
    from dispensary.services import dispensing, queries
    from dispensary.services.assessment import OverrideMissing

    a = run.args
    ctx, actor = run.context(), run.actor()
    if a.checked_by:  # a checker the dispense would refuse is said before their password
        dispensing.check_second_person(ctx, actor, a.checked_by)
    checker_password = second_person_secret(ENV_CHECKER_PASSWORD, a.checked_by, "second check")
    dose_level: int | None = a.dose_level
    if dose_level is None and ctx.study.dose_by_weight is None:
        # as at the counter: the participant's dose until one is ordered (a study dosing by
        # weight band leaves it to the band of the weight recorded)
        dose_level = queries.current_dose_level(ctx, actor, a.number)
    try:
        result = dispensing.dispense_cycle(
            ctx,
            actor,
            a.number,
            a.cycle,
            a.day1,
            run.password(),
            dose_level=dose_level,
            kits=a.kit or (),
            dispensed_on=a.date,
            override_reason=a.override_reason or "",
            overrides=a.override or (),
            platelet_count=a.platelets,
            dose_ordered_by=a.dose_ordered_by or "",
            checked_by=a.checked_by or "",
            checker_password=checker_password,
            observations=dict(a.observation or ()),
            irt_confirmation=a.irt_confirmation or "",
            irt_kit=a.irt_kit or "",
        )
    except OverrideMissing as exc:  # the message asks for an override: say which option gives it
        raise hinted(exc, *dispense_override_hints(exc.needs, exc.codes)) from None
    study = run.context().study
    # What the text output and the dispense screen say, for a script as for a person: who,
    # which cycle, the days the supply covers and the directions as the label gives them.
    data: dict[str, object] = {
        "dispense": result.number,
        "participant": result.participant,
        "cycle": result.cycle,
        "day1": result.day1,
        "start_date": result.start_date or result.day1,
        "last_day": result.last_day,
        "dispensed_on": result.dispensed_on,
        "dose_level": result.dose_level,
        "dose_name": study.dose_name(result.dose_level),
        "kits": [k.kit for k in result.kits],
        "tablets": result.tablets,
        "days": result.days,
        "directions": list(_directions(result, study)),
        "warnings": list(result.warnings),
        "overrides": list(result.overrides),  # the code of each warning overridden, in order
        "notices": list(result.notices),
        # who dispensed (and signed) and who checked, as every --json output names a person
        **dispense_people(result),
    }
    # The study file's observations; the platelet count (its own column) never was part of
    # this output, which scripts already read.
    declared = {o.key: o.value for o in _declared(result)}
    if declared:
        data["observations"] = declared
    if result.irt_confirmation:
        data["irt_confirmation"] = result.irt_confirmation
    run.emit(data, _dispense_lines(result, _("Dispensed"), study))
    return EXIT_OK


def dispense_people(result: DispenseResult) -> dict[str, str | None]:
    """The people of a dispense as every `--json` output names one (person_keys): the
    pharmacist who dispensed and signed it (`dispensed_by_...`), and the second person who
    checked it (`checked_by_...`, null when nobody did)."""
    return person_keys(
        "dispensed_by", result.pharmacist_username, result.pharmacist, result.pharmacist_initials
    ) | person_keys(
        "checked_by", result.checked_by_username, result.checked_by, result.checked_by_initials
    )


def _declared(result: DispenseResult) -> list[ObservationValue]:
    """The observations the study file declares, shown by the command (the platelet count, in
    its own column, is left as the command always showed it: not at all)."""
    from dispensary.study import PLATELETS

    return [o for o in result.observations if o.key != PLATELETS]


def _directions(result: DispenseResult, study: Study) -> tuple[str, ...]:
    """The directions in the reader's language when the study file gives its label text in it
    (as the label says them: "用法  每日1次…", not "用法  Take 1 tablet…"); else the English
    the service recorded."""
    english = result.product_directions or (result.directions,)
    language = current_language().value
    start = result.start_date or result.day1
    if language not in study.texts or language == "en" or result.last_day < start:
        return english
    days = (result.last_day - start).days + 1  # the days of supply from the first dose
    return study.product_directions(study.dose_level(result.dose_level), start, days, language)


def _dispense_lines(result: DispenseResult, verb: str, study: Study) -> list[str]:
    lines = [
        _("{verb} {number}: {participant} ({initials}), cycle {cycle}, day 1 {day1}").format(
            verb=verb,
            number=result.number,
            participant=result.participant,
            initials=result.initials,
            cycle=result.cycle,
            day1=result.day1.isoformat(),
        ),
        _("  Dose        {dose_name}").format(dose_name=study.dose_name(result.dose_level)),
    ]
    for kit in result.kits:
        lines.append(
            _("  Kit         {kit}  {product}  lot {lot}  exp {expiry}  {units}").format(
                kit=kit.kit,
                # as the label names it, in the reader's language ("herombopag ... 7.5 mg")
                product=study.wording().products.get(
                    kit.product, f"{kit.product_name} {kit.strength}"
                ),
                lot=kit.lot,
                expiry=kit.expiry.isoformat(),
                units=study.units(kit.product, kit.tablets),
            )
        )
    lines += [
        _("  Supply      {units} for {days} days, last day {last_day}").format(
            units=units_counted(study, ((k.product, k.tablets) for k in result.kits)),
            days=result.days,
            last_day=result.last_day.isoformat(),
        ),
        *(
            _("  Directions  {directions}").format(directions=text)
            for text in _directions(result, study)
        ),
        *(
            _("  Recorded    {name} {value} {unit}").format(
                name=o.name, value=f"{o.value:g}", unit=o.unit
            )
            for o in _declared(result)
        ),
        *(
            [_("  IRT         confirmation {number}").format(number=result.irt_confirmation)]
            if result.irt_confirmation
            else []
        ),
        _("  Dispensed   {dispensed_on} by {pharmacist} ({pharmacist_initials})").format(
            dispensed_on=result.dispensed_on.isoformat(),
            pharmacist=result.pharmacist,
            pharmacist_initials=result.pharmacist_initials,
        )
        + (
            _(", checked by {checked_by}").format(checked_by=result.checked_by)
            if result.checked_by
            else ""
        ),
    ]
    codes = result.overrides or ("",) * len(result.warnings)
    lines += [
        _("  Overridden  {w} ({code})").format(w=w, code=code)
        if code
        else _("  Overridden  {w}").format(w=w)
        for w, code in zip(result.warnings, codes, strict=True)
    ]
    lines += [_("  Notice      {notice}").format(notice=n) for n in result.notices]
    return lines


def dispense_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_dispense)
    p.add_argument("number")
    p.add_argument("--cycle", required=True, type=cycle_number)
    p.add_argument(
        "--day1", required=True, type=calendar_date, help=N_("day 1 of the study's cycle")
    )
    p.add_argument(
        "--dose-level",
        type=whole,
        metavar="L",
        help=N_("a dose ordered by the investigator (default: the participant's current level)"),
    )
    p.add_argument("--kit", action="extend", nargs="+", help=N_("kits taken (default: FEFO)"))
    p.add_argument("--date", type=calendar_date, help=N_("dispense date (default today)"))
    override_options(p, N_("why dispense despite the warnings named with --override"))
    observation_options(p)
    p.add_argument("--dose-ordered-by", metavar="NAME", help=N_("who ordered a dose change"))
    p.add_argument(
        "--checked-by",
        metavar="NAME",
        help=help_text(N_("second check ({env})"), env=ENV_CHECKER_PASSWORD),
    )


def cmd_void(run: Run) -> int:
    from dispensary.services import dispensing

    result = dispensing.void_dispense(
        run.context(),
        run.actor(),
        run.args.dispense,
        run.args.reason,
        run.password(),
        run.args.kit_back or (),
    )
    kits = [k.kit for k in result.kits]
    run.emit(
        {
            "voided": result.number,
            "participant": result.participant,
            "cycle": result.cycle,
            "kits": kits,
            **actor_keys(run.actor()),  # who voided it and signed
        },
        [
            _("Voided {number} ({participant}, cycle {cycle}): {kits} back in stock.").format(
                number=result.number,
                participant=result.participant,
                cycle=result.cycle,
                kits=kits_text(kits),
            ),
            _("Cycle {cycle} can be dispensed again.").format(cycle=result.cycle),
        ],
    )
    return EXIT_OK


def void_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_void)
    p.add_argument("dispense")
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--kit-back",
        action="append",
        metavar="KIT",
        help=N_(
            "a kit of the dispense, back in the pharmacy (once for each kit; needed after the "
            "day of the dispense)"
        ),
    )


def _trace_table(
    rows: Sequence[DispenseHistoryRow], who: dict[str, tuple[str, str]], study: Study
) -> list[str]:
    """The recall list's dispenses, a line each; a dispense of several products a line per
    product, each in its own units, as `history` says them (reports.participant.history_lines):
    a capsule's and a tablet's counts summed ("Given 58 / Back 9") are neither product's."""
    from dispensary.reports.participant import history_lines, several_products

    several = several_products(rows)
    return table(
        [
            _("Dispensed"),
            _("Participant"),
            _("Cycle"),
            _("Dispense"),
            *([_("Product")] if several else []),
            _("Kits"),
            _("Given"),
            _("Back"),
            _("Returned on"),
        ],
        [
            (
                *(
                    (
                        r.dispensed_on,
                        "{} ({})".format(*who[r.dispense_number]),
                        r.cycle,
                        r.dispense_number,
                    )
                    if line.first
                    else ("", "", "", "")
                ),
                *([line.product] if several else []),
                ", ".join(line.kits),
                line.dispensed,
                line.returned or None,
                r.returned_on if line.first else "",
            )
            for r in rows
            for line in history_lines(study, r, several)
        ],
        right=[2, 6, 7] if several else [2, 5, 6],
    )


def cmd_trace(run: Run) -> int:
    """A recall list: who received the lot, in date order, with their dispenses."""
    from dispensary.services import queries

    ctx, actor = run.context(), run.actor()
    rows = queries.lot_trace(ctx, actor, run.args.lot)
    who = {
        r.dispense_number: queries.dispense_participant(ctx, actor, r.dispense_number) for r in rows
    }
    people = sorted(set(who.values()))
    lines = [
        _("Lot {lot}: {dispenses} to {participants}").format(
            lot=run.args.lot.strip(),
            dispenses=plural(len(rows), "dispense"),
            participants=plural(len(people), "participant"),
        ),
        "",
    ]
    lines += (
        _trace_table(rows, who, ctx.study)
        if rows
        else [_("No kit of this lot has been dispensed.")]
    )
    data = [
        history_data(r)
        | {"participant": who[r.dispense_number][0], "initials": who[r.dispense_number][1]}
        for r in rows
    ]
    run.emit(data, lines)
    return EXIT_OK


def trace_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_trace)
    p.add_argument("lot")


# -- returns -------------------------------------------------------------------------------------


def cmd_return(run: Run) -> int:
    from dispensary.services import returns

    a = run.args
    if a.dispense and (a.number or a.cycle is not None):
        raise UsageError(
            _("Name the dispense either with --dispense, or with the study number and --cycle.")
        )
    if not a.dispense and (not a.number or a.cycle is None):
        raise UsageError(
            _("Name the dispense: NUMBER --cycle N, or --dispense DSP000001 (the label's barcode).")
        )
    outcome = return_outcome(run)  # the options' own mistakes, before signing in
    result = returns.record_return(
        run.context(),
        run.actor(),
        a.kit,
        a.tablets,
        run.password(),
        dispense=a.dispense,
        study_number=a.number,
        cycle=a.cycle,
        returned_on=a.date,
        held_days=a.held_days,
        condition=a.condition or "",
        note=a.note or "",
        **outcome,
    )
    study = run.context().study
    if outcome.get("outcome"):  # a kit not brought back: said so, never "0 tablets back"
        head = _(
            "Return {return_id} recorded: kit {kit} of {dispense_number} "
            "({participant}, cycle {cycle}): not brought back (still with the participant or "
            "lost)."
        ).format(
            return_id=result.return_id,
            kit=result.kit,
            dispense_number=result.dispense_number,
            participant=result.participant,
            cycle=result.cycle,
        )
        lines = (
            _adherence_lines(study, result, a.note or "")
            if study.tablets_only
            else _product_lines(study, result, _products_of(run, result), a.note or "")
        )
        run.emit(_return_data(result, run.actor()), [head, *lines])
        return EXIT_OK
    if study.tablets_only:
        head = _(
            "Return {return_id} recorded: kit {kit} of {dispense_number} "
            "({participant}, cycle {cycle}): {tablets} back."
        ).format(
            return_id=result.return_id,
            kit=result.kit,
            dispense_number=result.dispense_number,
            participant=result.participant,
            cycle=result.cycle,
            tablets=plural(result.tablets_returned, "tablet"),
        )
        run.emit(
            _return_data(result, run.actor()),
            [head, *_adherence_lines(study, result, a.note or "")],
        )
        return EXIT_OK
    products = _products_of(run, result)
    head = _(
        "Return {return_id} recorded: kit {kit} of {dispense_number} "
        "({participant}, cycle {cycle}): {units} back."
    ).format(
        return_id=result.return_id,
        kit=result.kit,
        dispense_number=result.dispense_number,
        participant=result.participant,
        cycle=result.cycle,
        units=_kit_units(study, products, result),
    )
    lines = [head, *_product_lines(study, result, products, a.note or "")]
    run.emit(_return_data(result, run.actor()), lines)
    return EXIT_OK


def _products_of(run: Run, result: ReturnResult) -> tuple[ProductFigures, ...]:
    """Each product of the return's dispense with its own figures, as the participant's
    history (the service's DispenseHistoryRow.products) gives them: ReturnResult sums a
    capsule's and a tablet's counts, which reconcile with neither."""
    from dispensary.services import queries

    _person, rows = queries.participant_history(run.context(), run.actor(), result.participant)
    row = next((r for r in rows if r.dispense_number == result.dispense_number), None)
    return row.products if row is not None else ()


def _kit_units(study: Study, products: Sequence[ProductFigures], result: ReturnResult) -> str:
    """The count back of the return's kit in its product's word ("8 capsules", 8粒)."""
    code = next((p.product for p in products if result.kit in p.kits), "")
    return study.units(code, result.tablets_returned)


def _product_lines(
    study: Study, result: ReturnResult, products: Sequence[ProductFigures], note: str
) -> list[str]:
    """What a return says of its dispense in a study not of tablets only: each product named,
    with its own figures in its word (back so far, or once every kit is back its taken of
    expected and adherence; reconciliation.product_taken's words), never a capsule's and a
    tablet's counts summed as "tablets"; then the dispense's flags, as the tablets study's."""
    if result.adherence is None and not result.flags:
        lines = [
            _("  Adherence is worked out once every kit of {dispense_number} is back.").format(
                dispense_number=result.dispense_number
            )
        ]
        lines += [
            _("  {product}: {returned} of {dispensed} dispensed are back so far.").format(
                product=study.product_name(p.product),
                returned=study.units(p.product, p.returned or 0),
                dispensed=study.units(p.product, p.dispensed),
            )
            for p in products
        ]
        return lines
    from dispensary.services.reconciliation import product_taken

    lines = [
        (
            _("  {taken}: adherence {percent}.").format(
                taken=product_taken(study, p), percent=percent(p.adherence)
            )
            if p.adherence is not None
            else _("  {taken}.").format(taken=product_taken(study, p))
        )
        for p in products
    ]
    if result.return_day_note:  # the expected counts' word on the return day
        lines.append("  " + result.return_day_note)
    return lines + _flag_lines(study, result, note)


def _return_data(result: ReturnResult, actor: Actor) -> dict[str, Any]:
    """The return's JSON: each product of the dispense with its own figures (`products`). A
    dispense of one product keeps its taken, expected and adherence, which are that product's;
    one of several says them per product only, as its audit entry records them (a capsule's
    and a tablet's counts summed into one taken of one expected, and their ratio, are neither
    product's), and names the kit's product. `actor_...`: who recorded it and signed."""
    data: dict[str, Any] = {
        "return_id": result.return_id,
        "dispense": result.dispense_number,
        "participant": result.participant,
        "cycle": result.cycle,
        "kit": result.kit,
        "tablets_returned": result.tablets_returned,
    }
    if len(result.products) < 2:
        data |= {
            "taken": result.taken,
            "expected": result.expected,
            "adherence": result.adherence,
        }
    else:
        data["product"] = next((p.product for p in result.products if result.kit in p.kits), None)
    return data | {
        "flags": [f.value for f in result.flags],
        "products": [product_data(p) for p in result.products],
        **actor_keys(actor),
    }


def _adherence_lines(study: Study, result: ReturnResult, note: str) -> list[str]:
    if result.adherence is None and not result.flags:
        return [
            _(
                "  Adherence is worked out once every kit of {dispense_number} is back "
                "({returned} of {dispensed} tablets dispensed are back so far)."
            ).format(
                dispense_number=result.dispense_number,
                returned=result.returned,
                dispensed=result.dispensed,
            )
        ]
    return [
        _("  Taken {taken} of {expected} expected: adherence {percent}.").format(
            taken=result.taken, expected=result.expected, percent=percent(result.adherence)
        ),
        *(["  " + result.return_day_note] if result.return_day_note else []),
        *_flag_lines(study, result, note),
    ]


def _flag_lines(study: Study, result: ReturnResult, note: str) -> list[str]:
    """The dispense's flags, each named in the reader's language as the windows name it (in
    its products' unit word), and the reason recorded or how to record it."""
    from dispensary.services.results import flagged_products

    lines = [
        _("  FLAG  {label}.").format(
            label=study.flag_said(flag, flagged_products(result.products, flag))
        )
        for flag in result.flags
    ]
    if result.flags and note:
        lines.append(_("  Reason recorded: {note}").format(note=note.strip()))
    elif result.flags and result.corrects is not None and result.flag_reason:
        # A correction that left the flags as they were: the explanation still answers them.
        lines.append(
            _("  The flag stays explained: {reason}").format(reason=result.flag_reason.strip())
        )
    elif result.flags:
        lines.append(
            _('  Record the reason: dispensary explain {dispense_number} --reason "..."').format(
                dispense_number=result.dispense_number
            )
        )
    return lines


def return_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_return)
    p.add_argument("number", nargs="?", help=N_("participant's study number (with --cycle)"))
    p.add_argument("--cycle", type=cycle_number)
    p.add_argument("--dispense", metavar="DSP000001", help=N_("the dispense (label barcode)"))
    p.add_argument("--kit", required=True, help=N_("the kit brought back (its barcode)"))
    p.add_argument("--tablets", required=True, type=whole, metavar="N")
    p.add_argument("--date", type=calendar_date, help=N_("return date (default today)"))
    p.add_argument("--note", metavar="TEXT", help=N_("remark; explains an adherence flag"))
    p.add_argument("--held-days", type=whole, default=0, metavar="N", help=N_("days drug held"))
    p.add_argument("--condition", metavar="TEXT")
    return_outcome_options(p)


def cmd_correct_return(run: Run) -> int:
    from dispensary.services import returns

    a = run.args
    dates = {"--held-from": a.held_from, "--held-until": a.held_until}
    given = [option for option, day in dates.items() if day is not None]
    if len(given) == 1:  # the options' own mistake, before signing in
        [missing] = set(dates) - set(given)
        raise UsageError(
            _(
                "{given} needs {missing} too: a held period is given by both its dates, with "
                "--held-ordered-by NAME (the investigator who ordered the hold)."
            ).format(given=given[0], missing=missing)
        )
    change = returns.ReturnChange(
        returned_on=a.date,
        held_from=a.held_from,
        held_until=a.held_until,
        held_ordered_by=a.held_ordered_by,
        held_days=a.held_days,
    )
    result = returns.correct_return(
        run.context(), run.actor(), a.return_id, a.tablets, a.reason, run.password(), change
    )
    data = _return_data(result, run.actor()) | {"corrects": result.corrects}
    study = run.context().study
    if study.tablets_only:
        head = _(
            "Return {return_id} corrects return {corrects}: kit {kit} of "
            "{dispense_number} now counts {tablets} back."
        ).format(
            return_id=result.return_id,
            corrects=result.corrects,
            kit=result.kit,
            dispense_number=result.dispense_number,
            tablets=plural(result.tablets_returned, "tablet"),
        )
        run.emit(data, [head, *_adherence_lines(study, result, "")])
        return EXIT_OK
    products = _products_of(run, result)
    head = _(
        "Return {return_id} corrects return {corrects}: kit {kit} of "
        "{dispense_number} now counts {units} back."
    ).format(
        return_id=result.return_id,
        corrects=result.corrects,
        kit=result.kit,
        dispense_number=result.dispense_number,
        units=_kit_units(study, products, result),
    )
    run.emit(data, [head, *_product_lines(study, result, products, "")])
    return EXIT_OK


def correct_return_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_correct_return)
    p.add_argument("return_id", type=record_id, metavar="RETURN_ID")
    p.add_argument("--tablets", required=True, type=whole, metavar="N")
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--date", type=calendar_date, help=N_("the right return date (default: as recorded)")
    )
    p.add_argument(
        "--held-from", type=calendar_date, metavar="DATE", help=N_("drug held from (corrected)")
    )
    p.add_argument(
        "--held-until", type=calendar_date, metavar="DATE", help=N_("drug held until (corrected)")
    )
    p.add_argument(
        "--held-ordered-by", metavar="NAME", help=N_("investigator who ordered the hold")
    )
    p.add_argument(
        "--held-days",
        type=whole,
        metavar="N",
        help=N_("days drug held, in place of the held period recorded"),
    )


def cmd_explain(run: Run) -> int:
    from dispensary.services import returns

    a = run.args
    result = returns.explain_flag(run.context(), run.actor(), a.dispense, a.reason)
    run.emit(
        {
            "dispense": result.dispense_number,
            "flags": [f.value for f in result.flags],
            "reason": a.reason.strip(),
        },
        [
            _("Explanation recorded for {dispense_number} ({participant}, cycle {cycle}).").format(
                dispense_number=result.dispense_number,
                participant=result.participant,
                cycle=result.cycle,
            )
        ],
    )
    return EXIT_OK


def explain_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_explain)
    p.add_argument("dispense")
    p.add_argument("--reason", required=True)


PARSERS: dict[str, Fill] = {
    "enroll": enroll_parser,
    "participant-status": participant_status_parser,
    "participant-correct": participant_correct_parser,
    "correct-status": participant_status_correct_parser,
    "participant-void": participant_void_parser,
    "dispense": dispense_parser,
    "void": void_parser,
    "return": return_parser,
    "correct-return": correct_return_parser,
    "explain": explain_parser,
    "participants": participants_parser,
    "history": history_parser,
    "trace": trace_parser,
}
