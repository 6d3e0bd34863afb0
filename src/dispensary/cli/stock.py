"""`receive`, `quarantine`, `release`, `destroy`, `count`, `temperature` and `inventory`: the
kits on the shelf.

Each command's parser sits after its handler; the services load inside the handlers, so that
`--help` does not load them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dispensary.cli.core import (
    ADJUSTING_COUNT_HELP,
    ENV_VERIFIER_PASSWORD,
    ENV_WITNESS_PASSWORD,
    EXIT_OK,
    EXPECTED_BOOK_HELP,
    Fill,
    UsageError,
    actor_keys,
    audit_limit,
    calendar_date,
    cell,
    destruction_options,
    destruction_refusal,
    help_text,
    keyed,
    kits_text,
    path_option,
    person_keys,
    plural,
    read_bytes,
    receive_options,
    second_person_secret,
    shipment_kits,
    table,
    units_counted,
    whole,
)
from dispensary.domain import reasons
from dispensary.domain.codes import HELD_FOR_COUNT, SHORT_DATED, KitStatus, ReasonCode
from dispensary.i18n import ENGLISH, N_, _, current_language, listed

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.results import KitRow
    from dispensary.services.temperature import (
        ExcursionResult,
        LoggerGap,
        LoggerImport,
        OnRecord,
    )
    from dispensary.study import Study


def cmd_receive(run: Run) -> int:
    from dispensary.services import receiving

    a = run.args
    manifest = shipment_kits(run)
    ctx, actor = run.context(), run.actor()
    result = receiving.receive_shipment(
        ctx,
        actor,
        a.shipment,
        manifest.kits,
        received_on=a.date,
        condition=a.condition,
        temperature_ok=not a.temperature_failed,
    )
    study = ctx.study
    lines = [
        (
            _("Received shipment {shipment} on {received_on}: {kits}, {tablets} tablets.")
            if study.tablets_only
            else _("Received shipment {shipment} on {received_on}: {kits}, {units}.")
        ).format(
            shipment=result.shipment,
            received_on=result.received_on.isoformat(),
            kits=plural(len(result.kits), "kit"),
            tablets=result.tablets,
            units=(", " if current_language() is ENGLISH else "、").join(
                study.units(product, count) for product, count in result.by_product
            ),
        ),
        _("  Kits  {kits}").format(kits=kits_text(result.kits)),
    ]
    if result.quarantined:
        lines.append(
            _(
                "  The temperature record failed: every kit is QUARANTINED until the "
                "sponsor decides (then `dispensary release KIT... --reason ... --reference ...`)."
            )
        )
    if result.excursions:  # received during an excursion on record: quarantined with it
        notice = receiving.excursion_notice(result.excursions, study.area_name(result.location))
        lines.append(f"  {notice}")
    # Each kit that arrived damaged, with its condition as written: received, into quarantine.
    lines += [
        _("  Damaged  {kit}: into quarantine, {cause}").format(
            kit=kit, cause=receiving.damage_words(condition)
        )
        for kit, condition in result.damaged
    ]
    if result.damaged and not result.into_quarantine:
        lines.append(
            _(
                "  The damaged kits are QUARANTINED until the sponsor decides (then `dispensary "
                "release KIT... --reason ... --reference ...`, or destroy them)."
            )
        )
    lines += [_("  Warning  {message}").format(message=w) for w in result.warnings]
    if manifest.ignored:
        lines.append(f"  {manifest.note}")
    if receiving.encoding_note(manifest.encoding):  # said, so that a misread would be noticed
        lines.append(f"  {receiving.encoding_note(manifest.encoding)}")
    run.emit(
        asdict(result)
        | {"ignored_columns": list(manifest.ignored)}
        | actor_keys(actor),  # who received the shipment (the receipt's audit entry's actor)
        lines,
    )
    return EXIT_OK


def receive_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_receive)
    receive_options(p)


def cmd_quarantine(run: Run, release: bool) -> int:
    from dispensary.services import quarantine

    a = run.args
    ctx, actor = run.context(), run.actor()
    if release:
        try:
            quarantine.check_sponsor_reference(a.reference)  # said before a password is typed
            result = quarantine.release(
                ctx, actor, a.kits, a.reason, a.reference, password=run.password()
            )
        except quarantine.NoSponsorReference as exc:
            # The service says what to type; the command says where.
            raise quarantine.NoSponsorReference(
                _("{refusal} Give it with --reference.").format(refusal=exc.message)
            ) from exc
    else:
        result = quarantine.quarantine(ctx, actor, a.kits, a.reason)
    # Whole sentences, their colon and full stop translated with them (：。 in Chinese).
    done = _("Released {kits}: {numbers}.") if release else _("Quarantined {kits}: {numbers}.")
    run.emit(
        asdict(result) | actor_keys(actor),  # who quarantined or released them (and signed)
        [
            done.format(kits=plural(len(result.kits), "kit"), numbers=kits_text(result.kits)),
            _("  Reason  {reason}").format(reason=result.reason),
            *(
                [_("  Sponsor's decision  {reference}").format(reference=result.sponsor_reference)]
                if result.sponsor_reference
                else []
            ),
            # Why each kit was held: what the sponsor's decision covered.
            *(
                _("  Held for  {kit}: {causes}").format(kit=kit, causes=_("; ").join(causes))
                for kit, causes in result.held_for
            ),
            *([f"  {result.relabel_note}"] if result.relabel_note else []),
        ],
    )
    return EXIT_OK


def quarantine_parser(p: argparse.ArgumentParser, release: bool) -> None:
    p.set_defaults(handler=partial(cmd_quarantine, release=release))
    p.add_argument("kits", nargs="+", metavar="KIT")
    p.add_argument("--reason", required=True)
    if release:
        # Named as destroy names the sponsor's authorisation; left to the service to refuse
        # when missing, which says what to type.
        p.add_argument(
            "--reference",
            default="",
            metavar="TEXT",
            help=N_(
                "the sponsor's reference of its decision to release the kits, e.g. "
                "TE-2026-014 (required)"
            ),
        )


def cmd_destroy(run: Run) -> int:
    from dispensary.services import destruction
    from dispensary.services.assessment import DestroyRequest

    a = run.args
    ctx, actor = run.context(), run.actor()
    request = DestroyRequest(
        a.kits,
        a.witness,
        a.method,
        a.date,
        a.reference,
        a.to_sponsor,
        a.reason_code,
        a.unseen_returns_ok,
    )
    # Assess, then act: a refused destruction is said before the witness types a password.
    found = destruction.assess_destroy(ctx, actor, request)
    if found.refusals:
        first = found.refusals[0]
        raise first.error(destruction_refusal(first.code, first.message))
    password = run.password()
    witness_password = second_person_secret(ENV_WITNESS_PASSWORD, a.witness, "witnessing")
    result = destruction.destroy(
        ctx,
        actor,
        a.kits,
        a.witness,
        a.method,
        password,
        destroyed_on=a.date,
        reference=a.reference,
        to_sponsor=a.to_sponsor,
        witness_password=witness_password,
        reason_code=a.reason_code,
        unseen_returns_ok=a.unseen_returns_ok,
    )
    verb = _("Returned to the sponsor") if result.to_sponsor else _("Destroyed")
    lines = [
        _("{verb}: {kits} ({kits2}), {units}, on {destroyed_on}.").format(
            verb=verb,
            kits=plural(len(result.kits), "kit"),
            kits2=kits_text(result.kits),
            units=units_counted(ctx.study, result.by_product),
            destroyed_on=result.destroyed_on.isoformat(),
        ),
        _("  Method         {method}").format(method=reasons.destruction_method(result.method)),
        _("  Witness        {witness} (signed)").format(witness=result.witness),
        _("  Authorisation  {reference}").format(reference=result.reference),
    ]
    if result.reason_code is not None:
        lines.append(_("  Reason         {label}").format(label=_(result.reason_code.label)))
    lines += [_("  Warning        {warning}").format(warning=w) for w in found.warnings]
    actor = run.actor()
    # "witness" (the full name) is kept for one release: witness_name says it now.
    data = asdict(result) | person_keys("witness", result.witness_username, result.witness)
    run.emit(data | actor_keys(actor), lines)
    return EXIT_OK


def destroy_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_destroy)
    destruction_options(p, required=True)


def cmd_count(run: Run) -> int:
    from dispensary.services import counts
    from dispensary.services.assessment import CountRequest

    a = run.args
    ctx, actor = run.context(), run.actor()
    # Assess, then act: a refusal (a kit not on the shelf, a date, too many, a second person
    # who may not countersign) is said before anyone types a password; none of them tells the
    # book of a blind count. What a difference needs is not asked first: a count that differs
    # is recorded as counted, and the book shown with it (the count is blind).
    request = CountRequest(
        a.kit,
        a.tablets,
        a.reason_code,
        a.reason or "",
        a.verified_by or "",
        a.date,
        a.expected_book,
        a.adjusting_count,
    )
    found = counts.assess_count(ctx, actor, request)
    adjusting = bool(a.reason_code or a.verified_by)
    if adjusting and found.recount_of is not None and None in (a.expected_book, a.adjusting_count):
        # The adjustment is signed against the open count its record printed, and its book:
        # another workstation may have recorded the kit since (the service refuses it then:
        # book_changed).
        raise UsageError(
            _(
                "Kit {kit} has a count open, its number and book printed when it was recorded: "
                "give that book with --expected-book N and that count with --adjusting-count N "
                "to adjust it (check count {kit} --tablets N shows both too)."
            ).format(kit=found.kit)
        )
    if found.refusals:
        first = found.refusals[0]
        raise first.error(first.message)
    verifier_password = second_person_secret(ENV_VERIFIER_PASSWORD, a.verified_by, "countersigning")
    result = counts.record_count(
        ctx,
        actor,
        a.kit,
        a.tablets,
        run.password(),
        reason_code=a.reason_code,
        reason=a.reason or "",
        verified_by=a.verified_by or "",
        verifier_password=verifier_password,
        counted_on=a.date,
        expected_book=a.expected_book,
        adjusting_count=a.adjusting_count,
    )
    if result.adjusted:
        lines = [
            _(
                "Kit {kit}: {counted} counted, {book} in the book: difference "
                "{difference:+d}, adjusted ({reason_code}: {reason})."
            ).format(
                kit=result.kit,
                counted=result.counted,
                book=result.book,
                difference=result.difference,
                # The code as typed in English; its name in the reader's language otherwise
                # (the Chinese said "已调整（breakage：x）").
                reason_code=(
                    a.reason_code
                    if current_language() is ENGLISH
                    else _(ReasonCode(a.reason_code).label)
                ),
                reason=a.reason,
            ),
            _("  Countersigned by {verified_by}.").format(verified_by=a.verified_by),
        ]
    elif result.difference:
        lines = [
            _(
                "Kit {kit}: {counted} counted, {book} in the book: difference "
                "{difference:+d}, recorded as counted, not adjusted."
            ).format(
                kit=result.kit,
                counted=result.counted,
                book=result.book,
                difference=result.difference,
            ),
            *(_("  Not adjusted: {reason}").format(reason=why) for why in result.still_needed),
            _(
                "  Open count {count}. Count the kit again (count {kit} --tablets N), or adjust "
                "the book to this count: count {kit} --tablets {counted} --reason-code CODE "
                "--reason TEXT --verified-by NAME --expected-book {book} --adjusting-count "
                "{count}. Until then the reconciliation lists it to review."
            ).format(
                kit=result.kit, counted=result.counted, book=result.book, count=result.count_id
            ),
        ]
    else:
        lines = [
            _("Kit {kit}: {counted} counted, matches the book.").format(
                kit=result.kit, counted=result.counted
            )
        ]
    if not result.blind:
        lines.append(
            _("  A recount: the book was shown when the count before it was recorded (not blind).")
        )
    # Who counted and signed, and who countersigned the adjustment (null when nobody did), as
    # every --json output names a person.
    people = person_keys("verified_by", result.verified_by_username, result.verified_by_name)
    run.emit(asdict(result) | people | actor_keys(actor), lines)
    return EXIT_OK


def count_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_count)
    p.add_argument("kit")
    p.add_argument(
        "--tablets",
        required=True,
        type=whole,
        metavar="N",
        help=N_("tablets or capsules counted in the kit"),
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
        "--verified-by",
        metavar="NAME",
        help=help_text(N_("second person ({env})"), env=ENV_VERIFIER_PASSWORD),
    )
    p.add_argument("--date", type=calendar_date, help=N_("count date (default today)"))
    p.add_argument("--expected-book", type=whole, metavar="N", help=EXPECTED_BOOK_HELP)
    p.add_argument("--adjusting-count", type=whole, metavar="N", help=ADJUSTING_COUNT_HELP)


def cmd_temperature(run: Run) -> int:
    from dispensary.services import temperature

    a = run.args
    if a.list:
        if a.file is not None:
            raise UsageError(_("--list imports nothing: leave out the logger file."))
        if a.reading is not None or a.min is not None or a.max is not None:
            raise UsageError(_("--list records nothing: leave out --reading, --min and --max."))
        return _list_logger_files(run)
    if a.limit is not None:
        raise UsageError(_("--limit goes with --list."))
    manual = a.reading is not None or a.min is not None or a.max is not None
    if manual and a.file is not None:
        raise UsageError(
            _("Give the logger file or the thermometer's reading (--reading), not both.")
        )
    if manual:
        if a.area is None:
            raise UsageError(
                _(
                    "Give the storage area and the thermometer's reading: --area NAME "
                    '--reading "YYYY-MM-DD HH:MM" --min C --max C.'
                )
            )
        done = temperature.record_manual_reading(
            run.context(), run.actor(), a.area, a.reading, a.min, a.max
        )
        return _said_import(run, done)
    if a.file is None or a.area is None:
        raise UsageError(
            _("Give the storage area and the logger file: --area NAME FILE.csv (or --list).")
        )
    text, encoding = temperature.logger_text(
        read_bytes(a.file, _("logger file")), Path(a.file).name
    )
    done = temperature.import_logger_file(
        run.context(), run.actor(), a.area, text, source=Path(a.file).name
    )
    return _said_import(run, done, "" if encoding == temperature.UTF8 else encoding)


def _said_import(run: Run, done: LoggerImport, encoding: str = "") -> int:
    """What an import of a logger file, or a thermometer's reading entered by hand, recorded.
    `encoding`: the file's, when not UTF-8."""
    found = done.excursions
    known = _on_record_lines(run.context().study, done.on_record)
    study = run.context().study
    # The area as the reader's language names it, however it was given.
    area = study.area_name(done.storage_area)
    lines = _excursion_lines(study, area, found, known, _gap_lines(done.gaps))
    if done.manual:
        lines.insert(0, _("Reading entered by hand."))
    if encoding:  # said, so that a misread file would be noticed
        lines.append(
            _("Read as {encoding} text (Chinese Windows), not UTF-8.").format(encoding=encoding)
        )
    run.emit(
        {
            "excursions": [asdict(e) for e in found],
            "already_recorded": [asdict(e) for e in done.on_record],
            "gaps": [
                {
                    "start": g.start,
                    "end": g.end,
                    "interval_seconds": g.interval.total_seconds(),
                    "outside": g.outside,
                }
                for g in done.gaps
            ],
        },
        lines,
    )
    return EXIT_OK


def _gap_lines(gaps: Sequence[LoggerGap]) -> list[str]:
    """The stretches of the file without a reading, longer than twice its usual interval."""
    lines = []
    for g in gaps:
        said = (
            _(
                "  Gap in the readings: nothing from {start} to {end} UTC (the logger reads "
                "every {minutes} min); a reading next to it is outside the range, so how long "
                "that excursion lasted is not known."
            )
            if g.outside
            else _(
                "  Gap in the readings: nothing from {start} to {end} UTC (the logger reads "
                "every {minutes} min)."
            )
        )
        lines.append(
            said.format(
                start=cell(g.start),
                end=cell(g.end),
                minutes=f"{g.interval.total_seconds() / 60:g}",
            )
        )
    return lines


def _on_record_lines(study: Study, known: Sequence[OnRecord]) -> list[str]:
    """The file's excursions an earlier import recorded: named, not recorded again (a
    cumulative export holds them again)."""
    from dispensary.services.temperature import source_text

    return [
        _(
            "  On record already, not recorded again: excursion no. {number} in {area}, "
            "{started_at} to {ended_at} UTC (imported on {day} from {source})."
        ).format(
            number=e.excursion_id,
            area=study.area_name(e.storage_area),
            started_at=cell(e.started_at),
            ended_at=cell(e.ended_at),
            day=cell(e.imported_at.date()),
            source=source_text(e.source, e.manual),
        )
        for e in known
    ]


def _excursion_lines(
    study: Study,
    area: str,
    found: Sequence[ExcursionResult],
    known: Sequence[str] = (),
    gaps: Sequence[str] = (),
) -> list[str]:
    """What an import found, study by study: the study open's first, by its own range, then
    each other study's the user may read, by that study's range; the kits of a study the user
    has no access to are only counted (its numbers are that study's to read). `known`: the
    file's excursions on record already, said after the study open's, then its `gaps`."""
    allowed = f"{study.temperature.min_celsius:g}-{study.temperature.max_celsius:g} °C"
    own = [e for e in found if e.study == study.protocol]
    if not own and known:
        lines = [
            _("{area}: no new excursion outside {allowed}.").format(area=area, allowed=allowed)
        ]
    elif not own and not found:
        lines = [
            _("{area}: every reading within {allowed}; nothing quarantined.").format(
                area=area, allowed=allowed
            )
        ]
    elif not own:
        lines = [
            _("{area}: every reading within {allowed} for study {study}.").format(
                area=area, allowed=allowed, study=study.protocol
            )
        ]
    else:
        lines = [
            _("{area}: {excursions} outside {allowed}.").format(
                area=area, excursions=plural(len(own), "excursion"), allowed=allowed
            ),
            *_run_lines(own, area),
        ]
    lines.extend(known)
    lines.extend(gaps)
    others = [e for e in found if e.study and e.study != study.protocol]
    for protocol in dict.fromkeys(e.study for e in others):
        theirs = [e for e in others if e.study == protocol]
        lines.append(
            _("{area}, study {study}: {excursions} outside its own range {allowed}.").format(
                area=area,
                study=protocol,
                excursions=plural(len(theirs), "excursion"),
                allowed=f"{theirs[0].min_celsius:g}-{theirs[0].max_celsius:g} °C",
            )
        )
        lines.extend(_run_lines(theirs, area))
    hidden = sum(e.other_kits for e in found if not e.study)
    if hidden:
        # Not the importer's to settle: they can neither read nor release those kits.
        lines.append(
            _(
                "{area}: {kits} of a study you have no access to quarantined, outside that "
                "study's own temperature range; a user of that study sees them on the "
                "Temperature screen and in the inventory, asks the sponsor, and releases or "
                "destroys them."
            ).format(area=area, kits=plural(hidden, "kit"))
        )
    if own or others:  # kits the importer may release or destroy (not `hidden`'s)
        lines.append(
            _("Ask the sponsor; then `dispensary release` or `dispensary destroy` the kits.")
        )
    return lines


def _run_lines(found: Sequence[ExcursionResult], area: str) -> list[str]:
    """One line per excursion: when (and how long it may have lasted), how warm or cold, the
    kits it quarantined; under it, the excursion it continues and the kits in the area during
    it and dispensed or gone since, and what to do (`ExcursionResult.notices`): each said under
    its own excursion (two excursions' notes followed both lines, tied to neither)."""
    lines = []
    for e in found:
        when = _("{started_at} to {ended_at} UTC").format(
            started_at=cell(e.started_at), ended_at=cell(e.ended_at)
        )
        longest = _longest(e)
        if longest:
            when = _("{when} ({longest})").format(when=when, longest=longest)
        # The kits' colon is the sentence's, translated with it (： in Chinese).
        said = (
            _("  {when}, {lowest:g} to {highest:g} °C: {kits} quarantined: {numbers}")
            if e.kits_quarantined
            else _("  {when}, {lowest:g} to {highest:g} °C: {kits} quarantined")
        )
        lines.append(
            said.format(
                when=when,
                lowest=e.lowest,
                highest=e.highest,
                kits=plural(len(e.kits_quarantined), "kit"),
                numbers=kits_text(e.kits_quarantined),
            )
        )
        if e.continues:
            lines.append(
                _(
                    "    the rest of excursion no. {numbers} on record (recorded as no. "
                    "{number}): a kit released since is quarantined again, for the sponsor to "
                    "judge the longer excursion"
                ).format(numbers=listed(map(str, e.continues)), number=e.excursion_id)
            )
        lines.extend(f"    {notice}" for notice in e.notices(area))
    return lines


def _longest(e: ExcursionResult) -> str:
    """How long an excursion may have lasted (`temperature.longest_text`)."""
    from dispensary.services.temperature import longest_text

    return longest_text(e.in_range_before, e.in_range_after)


def _list_logger_files(run: Run) -> int:
    """The logger files imported, newest first: what each covered and found, who imported it."""
    from dispensary.services import temperature

    a = run.args
    ctx = run.context()
    checks = temperature.logger_checks(ctx, run.actor(), area=a.area, limit=a.limit)
    values = [
        (
            c.storage_area,
            c.readings_from,
            c.readings_to,
            c.readings,
            c.lowest,
            c.highest,
            c.excursions,
            c.source,
            c.manual,  # a thermometer's reading entered by hand, whatever its source's name
            c.recorded_by,
            c.recorded_at,
            # the stretches of the file without a reading, as the window and the pack show them
            [{"start": start, "end": end} for start, end in c.gaps],
        )
        for c in checks
    ]
    data = keyed(
        (
            "storage_area",
            "readings_from",
            "readings_to",
            "readings",
            "lowest",
            "highest",
            "excursions",
            "source",
            "manual",
            "recorded_by",
            "recorded_at",
            "gaps",
        ),
        values,
    )
    # Who imported it as every --json output names a person; "recorded_by" (initials, or the
    # user name when the account is gone) is kept for one release.
    for row, c in zip(data, checks, strict=True):
        row |= person_keys(
            "recorded_by", c.recorded_by_username, c.recorded_by_name, c.recorded_by_initials
        )
    if not checks:
        lines = [
            _("No logger file imported yet for {area}.").format(area=a.area)
            if a.area
            else _(
                "No logger file imported yet: import the logger's export with "
                "`dispensary temperature --area NAME FILE.csv`."
            )
        ]
        run.emit(data, lines)
        return EXIT_OK
    shown = [
        (ctx.study.area_name(v[0]), *v[1:7], temperature.source_text(c.source, c.manual), *v[9:-1])
        for v, c in zip(values, checks, strict=True)
    ]
    lines = table(
        [
            _("Storage area"),
            _("From (UTC)"),
            _("To (UTC)"),
            _("Readings"),
            _("Lowest °C"),
            _("Highest °C"),
            _("Excursions"),
            _("Logger file"),
            _("By"),
            _("Imported (UTC)"),
        ],
        shown,
        right=[3, 4, 5, 6],
    )
    excursions = sum(c.excursions for c in checks)
    lines.append(
        _("Logger files: {files}; excursions found: {excursions}.").format(
            files=len(checks), excursions=excursions
        )
    )
    run.emit(data, lines)
    return EXIT_OK


def temperature_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_temperature)
    p.add_argument(
        "--area",
        metavar="NAME",
        help=N_("storage area of the logger or thermometer (with --list: only this area)"),
    )
    p.add_argument(
        "file",
        nargs="?",
        type=path_option,
        metavar="FILE.csv",
        help=N_(
            "the logger's export (timestamp,celsius); a time without a zone is read in this "
            "computer's zone, the site's local time"
        ),
    )
    p.add_argument(
        "--list",
        action="store_true",
        help=N_("list the logger files imported (newest first) instead of importing one"),
    )
    p.add_argument(
        "--limit", type=audit_limit, metavar="N", help=N_("with --list: the newest N files only")
    )
    p.add_argument(
        "--reading",
        metavar="TIME",
        help=N_(
            "enter the area's thermometer by hand instead of a logger file: when it was read, "
            '"YYYY-MM-DD HH:MM" (this computer\'s zone), with --min and/or --max'
        ),
    )
    p.add_argument("--min", metavar="C", help=N_("with --reading: the lowest °C it shows"))
    p.add_argument("--max", metavar="C", help=N_("with --reading: the highest °C it shows"))


def cmd_inventory(run: Run) -> int:
    from dispensary.services import queries
    from dispensary.services.inventory_pages import status_choice

    a = run.args
    # As the Status column says them: `available` leaves out the kits held for a count
    # difference, which `held` lists (the Inventory screen's filter, the same choice).
    # Likewise the kits too short-dated for a cycle, which `short` lists.
    status, held_only, short_only = status_choice(a.status)
    rows = queries.inventory(
        run.context(),
        run.actor(),
        status=status,
        product=a.product,
        lot=a.lot,
        every_study=a.every_study,
        held_for_count=held_only,
        too_short=short_only,
    )
    if a.every_study:
        from dispensary.services import studies

        ctx, actor = run.context(), run.actor()
        protocols = sorted({r.study for r in rows if r.study})
        held = {p: studies.switch_study(ctx, actor, p).study for p in protocols}
        wide = [(r.study, r.number, r.product, r.lot, r.expiry, r.status, r.tablets) for r in rows]
        data = _with_shown_status(
            keyed(("study", "kit", "product", "lot", "expiry", "status", "tablets"), wide), rows
        )
        tablets_only = all(study.tablets_only for study in held.values())
        shown = [
            (*row[:5], _status_shown(r), _count(held.get(r.study, ctx.study), r, tablets_only))
            for row, r in zip(wide, rows, strict=True)
        ]
        heading = _("Tablets") if tablets_only else _("Quantity")
        lines = table(
            [_("Study"), _("Kit"), _("Product"), _("Lot"), _("Expiry"), _("Status"), heading],
            shown,
            right=[6],
        )
        lines.append(_inventory_summary(rows, held, tablets_only))
        lines += _held_note(rows)
        run.emit(data, lines)
        return EXIT_OK
    study = run.context().study
    values = [(r.number, r.product, r.lot, r.expiry, r.status, r.tablets) for r in rows]
    data = _with_shown_status(
        keyed(("kit", "product", "lot", "expiry", "status", "tablets"), values), rows
    )
    lines = table(
        [_("Kit"), _("Product"), _("Lot"), _("Expiry"), _("Status"), study.count_heading()],
        [
            (*row[:4], _status_shown(r), study.quantity(r.product, r.tablets))
            for row, r in zip(values, rows, strict=True)
        ],
        right=[5],
    )
    lines.append(_inventory_summary(rows, {r.study: study for r in rows}, study.tablets_only))
    lines += _held_note(rows)
    run.emit(data, lines)
    return EXIT_OK


def _with_shown_status(
    data: list[dict[str, object]], rows: Sequence[KitRow]
) -> list[dict[str, object]]:
    """Each kit's JSON with `shown_status`, the status as the table and the Inventory screen
    show it (KitRow.shown_status: `held`, `short`, else the status), after `status`, which
    stays the status recorded (`available` for a kit held or too short-dated)."""
    return [item | {"shown_status": r.shown_status} for item, r in zip(data, rows, strict=True)]


def _status_shown(row: KitRow) -> KitStatus | str:
    """A kit's status as the table says it (KitRow.shown_status): a kit available but held for
    an open count difference says so, as the Inventory screen's Status column does ("Held:
    count"), not "available": what `--status held` lists; one too short-dated for a cycle
    dispensed today says so, as the column does ("Too short-dated"): what `--status short`
    lists."""
    if row.shown_status == SHORT_DATED:
        return _("too short-dated")
    return _("held: count") if row.shown_status == HELD_FOR_COUNT else row.status


def _count(study: Study, row: KitRow, tablets_only: bool) -> str:
    """A kit's count as the inventory's column says it: bare under "Tablets", else in its
    product's word ("28 capsules"): Study.quantity, for kits of several studies."""
    return str(row.tablets) if tablets_only else study.units(row.product, row.tablets)


def _held_note(rows: Sequence[KitRow]) -> list[str]:
    """The kits available but held for an open count difference (KitRow.held), which the
    summary leaves out of what is available to dispense as the dispense and the Inventory
    screen do: how many, which, and what to do; no line when none is. Counted as the Status
    column says them (_status_shown): a held kit too short-dated for a cycle is said "too
    short-dated" there and listed by `--status short`, so it is not counted held here."""
    held = [r.number for r in rows if r.held_for_count]
    if not held:
        return []
    return [
        (
            _(
                "Not counted as available: 1 kit held for a count difference not settled "
                "({kits}). Recount it or record the adjustment first: Physical count (Ctrl+7), "
                "or `dispensary count` on the command line."
            )
            if len(held) == 1
            else _(
                "Not counted as available: {n} kits held for a count difference not settled "
                "({kits}). Recount them or record the adjustments first: Physical count "
                "(Ctrl+7), or `dispensary count` on the command line."
            )
        ).format(n=len(held), kits=listed(held))
    ]


def _inventory_summary(rows: Sequence[KitRow], held: dict[str, Study], tablets_only: bool) -> str:
    """The kits and what is available to dispense: in tablets, or each product by its name
    with its count in its own word ("democapib (fictional) 100 mg capsule: 140 capsules"),
    never capsules and tablets summed as tablets, nor the tablets of several studies."""
    # The service's dispensable: available, not held for an open count difference, and
    # lasting a cycle dispensed today (every dispense refuses the others: not counted here).
    available = [r for r in rows if r.dispensable]
    several = len({r.study for r in rows}) > 1
    if tablets_only and not several:
        return _("{kits}; available to dispense: {kits2}, {sum} tablets.").format(
            kits=plural(len(rows), "kit"),
            kits2=plural(len(available), "kit"),
            sum=sum(r.tablets for r in available),
        )
    each: dict[tuple[str, str], int] = {}
    for r in available:
        each[(r.study, r.product)] = each.get((r.study, r.product), 0) + r.tablets
    # Of several studies (--every-study), each study's products on their own, named with
    # their study: two studies' drugs (or one drug's two studies) are never added together.
    units = [
        _("{study} {product}: {units}").format(
            study=study,
            product=held[study].product_name(product),
            units=held[study].units(product, count),
        )
        if several
        else _("{product}: {units}").format(
            product=held[study].product_name(product), units=held[study].units(product, count)
        )
        for (study, product), count in (sorted(each.items()) if several else each.items())
    ]
    if not units:  # nothing to hold: "available to dispense: 0 kits, holding ." said nothing
        return _("{kits}; none available to dispense.").format(kits=plural(len(rows), "kit"))
    # Each product by its name in the reader's language, not its code; no brackets around
    # them: a name holds its own ("德莫卡匹布胶囊（虚构）100 mg"), and brackets do not nest.
    return _("{kits}; available to dispense: {kits2}, holding {units}.").format(
        kits=plural(len(rows), "kit"),
        kits2=plural(len(available), "kit"),
        units=(", " if current_language() is ENGLISH else "、").join(units),
    )


def inventory_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_inventory)
    p.add_argument(
        "--status",
        choices=[*(s.value for s in KitStatus), HELD_FOR_COUNT, SHORT_DATED],
        help=N_(
            "kits of this status as the Status column shows it: held, the kits available but "
            "held for a count difference not settled; short, those too short-dated for a cycle "
            "dispensed today (both left out of available)"
        ),
    )
    p.add_argument("--product", metavar="CODE", help=N_("one product (default: all)"))
    p.add_argument("--lot", metavar="LOT", help=N_("one lot (default: all)"))
    p.add_argument(
        "--every-study",
        action="store_true",
        help=N_("the kits of every study you may work in, each with its study"),
    )


PARSERS: dict[str, Fill] = {
    "receive": receive_parser,
    "quarantine": partial(quarantine_parser, release=False),
    "release": partial(quarantine_parser, release=True),
    "destroy": destroy_parser,
    "count": count_parser,
    "temperature": temperature_parser,
    "inventory": inventory_parser,
}
