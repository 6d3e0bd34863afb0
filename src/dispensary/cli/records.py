"""The records: `reconcile`, `sign-off`, `audit verify|anchor|list`, `backup`, `backups`,
`restore`, `demo`.

Each command's parser sits after its handler; the services load inside the handlers, so that
`--help` does not load them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dispensary import config
from dispensary.cli.core import (
    AUDIT_LIST_MOST,
    ENV_PASSWORD,
    EXIT_NOT_VERIFIED,
    EXIT_OK,
    EXIT_REFUSED,
    Commands,
    Fill,
    UsageError,
    audit_limit,
    calendar_date,
    cell,
    clipped,
    database_option,
    display_width,
    help_text,
    keyed,
    path_option,
    person_keys,
    signing_secret,
    table,
)
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import DatabaseProblem, NoDatabase, RuleViolation
from dispensary.files import before_detail
from dispensary.i18n import ENGLISH, N_, _, current_language, listed, pgettext

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.results import ReconcileResult, SignOffRow
    from dispensary.study import Study

# -- reconciliation ------------------------------------------------------------------------------

_BALANCE_KEYS = (
    "product",
    "received",
    "dispensed",
    "returned",
    "destroyed",
    "adjusted",
    "on_hand",
    "held_returned",
    "balanced",
)


def _balances(result: ReconcileResult) -> list[tuple[object, ...]]:
    """Each product's balance, in the order of _BALANCE_KEYS (the table's columns too)."""
    return [
        (
            p.key,
            p.received,
            p.dispensed,
            p.returned,
            p.destroyed,
            p.adjusted,
            p.on_hand,
            p.held_returned,
            p.balanced,
        )
        for p in result.products
    ]


def _reconcile_lines(result: ReconcileResult, today: date, study: Study) -> list[str]:
    """The balances and findings; in a study not of tablets only each product by its name in
    the reader's language (the study file's) and the notes in each product's units, never
    capsules called tablets. The JSON keeps the codes."""
    from dispensary.services.reconciliation import trail_verdict, written_off_note

    rows = _balances(result)
    if not study.tablets_only or current_language() is not ENGLISH:
        # As the PDF names each product in the reader's language (the study file's name,
        # "海曲泊帕乙醇胺片 2.5 mg"), never by its code; English reads a tablet study by code.
        rows = [(study.product_name(str(row[0])), *row[1:]) for row in rows]
    lines = [_("Reconciliation of {today}").format(today=today.isoformat()), ""]
    lines += table(
        [
            _("Product"),
            _("Received"),
            _("Dispensed"),
            _("Returned"),
            _("Destroyed"),
            _("Written off (adjusted)"),
            _("On hand"),
            pgettext("held tablets", "Held"),
            _("Balanced"),
        ],
        rows,
        right=[1, 2, 3, 4, 5, 6, 7],
    )
    lines += [
        _("Held: tablets participants brought back, kept for the monitor until destroyed.")
        if study.tablets_only
        else _("Held: what participants brought back, kept for the monitor until destroyed."),
        written_off_note(study),
        "",
    ]
    if result.to_review:
        lines.append(_("To review ({count}):").format(count=len(result.to_review)))
        kinds = [_(d.kind.label) for d in result.to_review]  # as the windows name them
        width = max(17, *(display_width(k) for k in kinds))
        lines += [
            f"  {kind}{' ' * (width - display_width(kind))} {d.message}"
            for kind, d in zip(kinds, result.to_review, strict=True)
        ]
    else:
        lines.append(_("Nothing to review."))
    adjusted = [d for d in result.discrepancies if not d.kind.to_review]
    if adjusted:
        lines.append(_("Count differences on record ({count}):").format(count=len(adjusted)))
        lines += [f"  {d.message}" for d in adjusted]
    shown = result.latest_signoffs
    if len(shown) < len(result.signoffs):  # the earlier ones of a signer: in --json, the window
        lines.append(
            _("Sign-offs: {count} recorded, each signer's latest below (--json lists all):").format(
                count=len(result.signoffs)
            )
        )
    for signed in shown:
        lines.append(
            _("Signed off by {full_name} ({value}) on {at} UTC, attesting: {attested}.").format(
                full_name=signed.full_name,
                value=signed.role.word,
                at=cell(signed.at),
                attested=signed.attested,
            )
        )
        if signed.changed:  # the figures it attested are no longer today's
            lines.append(f"  {signed.changed}")
    if result.audit_check:
        lines.append(result.audit_check)
    if not result.audit_verified:  # never "balanced" over a trail that does not verify
        lines.append(result.audit_problem)
        lines.append(_("Reconciliation: {verdict}").format(verdict=trail_verdict()))
        return lines
    lines.append(
        _("Reconciliation: balanced") if result.balanced else _("Reconciliation: NOT balanced")
    )
    return lines


def cmd_reconcile(run: Run) -> int:
    from dispensary.services import reconciliation

    result = reconciliation.reconcile(run.context(), run.actor())
    data = {
        "products": keyed(_BALANCE_KEYS, _balances(result)),
        # As they were: `message` names its subject (`detail` is the tables' words).
        "discrepancies": [
            {k: v for k, v in asdict(d).items() if k != "detail"} for d in result.discrepancies
        ],
        "audit_check": {
            "text": result.audit_check,
            "in_full": result.audit_checked_in_full,
            "ok": result.audit_verified,
            "problem": result.audit_problem,
        },
        "signoffs": [_signoff_data(s) for s in result.signoffs],
    }
    run.emit(data, _reconcile_lines(result, run.clock.today(), run.context().study))
    if not result.audit_verified:  # as `audit verify` exits: a script never reads it as balanced
        run.note(result.audit_problem)
        return EXIT_NOT_VERIFIED
    return EXIT_OK


def _signoff_data(row: SignOffRow) -> dict[str, Any]:
    """A sign-off for scripts: who, when, what it attested (codes and numbers) and the records
    since that change it."""
    return {
        "username": row.username,  # deprecated: signed_off_by_username (kept for one release)
        **person_keys("signed_off_by", row.username, row.full_name),
        "role": row.role.value,
        "at": row.at,
        "note": row.note,
        "balanced": row.balanced,
        "discrepancies": row.findings,
        "to_review": row.to_review,
        "held_returned": dict(row.held),
        "changed_since": list(row.changed_since),
    }


def reconcile_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_reconcile)


def cmd_sign_off(run: Run) -> int:
    """The figures are read and shown first (on stderr with --json, which prints the record
    only), then the signer's password is asked for (typed again in a terminal: the sign-in's was
    typed before the figures were shown), and the sign-off is refused, nothing written, when
    the records changed in between (reconciliation.sign_off's `seen`)."""
    from dispensary.services import reconciliation
    from dispensary.services.reconciliation import findings_words

    actor = run.actor()
    ctx = run.context()
    # As the window: refused before anything is shown or signed while the trail does not verify.
    reconciliation.sign_off_precheck(ctx, actor)
    shown = reconciliation.reconcile(ctx, actor)
    figures = _("To sign: reconciliation of {protocol}: {state}, {findings}.").format(
        protocol=ctx.study.protocol,
        state=_("balanced") if shown.balanced else _("NOT balanced"),
        findings=findings_words(len(shown.discrepancies), len(shown.to_review)),
    )
    if run.json:
        run.note(figures)
    else:
        print(figures, file=run.out, flush=True)
    password = signing_secret(ENV_PASSWORD, actor.username, run.password())
    result = reconciliation.sign_off(ctx, actor, password, run.args.note or "", seen=shown.seen())
    last = result.signoffs[-1] if result.signoffs else None
    data = {
        "signed_off_by": actor.username,  # deprecated: signed_off_by_username (one release)
        **person_keys("signed_off_by", actor.username, actor.full_name),
        "at": last.at if last is not None else None,
        "balanced": result.balanced,
        "discrepancies": len(result.discrepancies),
        "to_review": len(result.to_review),
    }
    run.emit(
        data,
        [
            _("Signed off by {full_name} ({value}), attesting: {attested}.").format(
                full_name=actor.full_name,
                value=actor.role.word,
                attested=last.attested if last is not None else "",
            )
        ],
    )
    return EXIT_OK


def sign_off_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_sign_off)
    p.add_argument(
        "--note", metavar="TEXT", help=N_("what was checked at the visit, kept with the sign-off")
    )


# -- the audit trail -----------------------------------------------------------------------------


def cmd_audit_verify(run: Run) -> int:
    from dispensary.services import audit

    a = run.args
    if a.public_key is not None and a.anchor_log is None:
        raise UsageError(
            _("--public-key checks the anchor log's signatures: give it with --anchor-log.")
        )
    if a.anchor is not None or a.anchor_log is not None:
        return _verify_anchor(run)
    result = audit.verify(run.context(), run.actor())
    run.emit(
        {
            "ok": result.ok,
            "entries": result.entries,
            "ledger_rows": result.ledger_entries,
            "first_bad": result.first_bad,
            "findings": list(result.findings),
        },
        [
            result.message,
            *(f"  - {finding}" for finding in result.findings[1:]),
            _(
                "  {entries} audit entries, {ledger_entries} ledger rows and every "
                "record they list checked."
            ).format(entries=result.entries, ledger_entries=result.ledger_entries),
        ],
    )
    if not result.ok:
        return _failed_note(run, result.message)
    return EXIT_OK


def _failed_note(run: Run, message: str, code: int = EXIT_NOT_VERIFIED) -> int:
    """stderr's line when the trail does not verify, and the exit code (6: the records do not
    verify, apart from a refusal's 3): with --json the verdict itself (stdout holds only the
    JSON); in text the findings are already on stdout, so only a summary (each finding was
    shown twice in a terminal)."""
    if run.json:
        run.note(message)
    else:
        run.note(
            _("Verification failed (exit {code}): the findings are listed above.").format(code=code)
        )
    return code


def _verify_anchor(run: Run) -> int:
    """`audit verify --anchor CODE` or `--anchor-log [FOLDER]`: the chain verifies and still
    holds the point the code names (the log's last code for this database, with its whole
    hash)."""
    from dispensary.domain.anchor import Anchor, AnchorVerdict, parse_anchor
    from dispensary.services import audit, backup, site_key

    a = run.args
    # A misread code is refused before the database is opened (no sign-in entry either).
    typed = parse_anchor(a.anchor) if a.anchor is not None else None
    ctx, actor = run.context(), run.actor()
    anchor: Anchor
    source: list[str] = []
    if typed is not None:
        anchor = typed
    else:
        folder = a.anchor_log or str(config.backup_dir(run.db))
        public = site_key.public_key(a.public_key) if a.public_key is not None else None
        read = backup.latest_logged(ctx, folder, public)
        if read.latest is None:
            run.emit({"ok": False, "anchor_log": {"forged": _forged(read)}}, [read.message])
            return _failed_note(run, read.message, EXIT_REFUSED)  # no code to check against
        logged = read.latest
        anchor = logged.anchor
        restored = read.restored
        if logged.is_restore:
            source = [
                _(
                    "The anchor log's last code for this database: {code}, logged when it was "
                    "restored on {at} from {backup}; codes logged before belong to the replaced "
                    "history."
                ).format(code=logged.code, at=logged.at, backup=logged.restored_from)
            ]
        else:
            source = [
                _(
                    "The anchor log's last code for this database: {code}, logged {at} with "
                    "the backup {backup}."
                ).format(code=logged.code, at=logged.at, backup=logged.backup)
            ]
        if restored is not None and restored is not logged:
            source.append(
                _(
                    "  The database was restored on {at} from {backup}; codes logged before "
                    "belong to the replaced history."
                ).format(at=restored.at, backup=restored.restored_from)
            )
        if public is not None:
            source.append(
                (
                    _("  Signed by the site key {fingerprint}; {unsigned} unsigned line left out.")
                    if read.unsigned == 1
                    else _(
                        "  Signed by the site key {fingerprint}; {unsigned} unsigned lines left out."
                    )
                ).format(fingerprint=site_key.fingerprint(public), unsigned=read.unsigned)
            )
    check = audit.check_anchor(ctx, actor, anchor)
    verified = check.verification
    # A code that matches says in its own message why the chain does not verify: the finding
    # is not printed again below it (it was, twice in a row).
    finding = [] if verified.ok or check.verdict is AnchorVerdict.MATCHES else [verified.message]
    run.emit(
        {
            # The plain verify's keys, all of them: the anchor check only adds `anchor`.
            "ok": check.ok,
            "entries": verified.entries,
            "ledger_rows": verified.ledger_entries,
            "first_bad": verified.first_bad,
            "findings": list(verified.findings),
            "anchor": {
                "code": check.code,
                "position": check.position,
                "verdict": check.verdict.value,
                "message": check.message,
            },
        },
        [
            *source,
            check.message,
            *finding,
            *(f"  - {other}" for other in verified.findings[1:]),
            _("  {entries} audit entries, {ledger_entries} ledger rows checked.").format(
                entries=verified.entries, ledger_entries=verified.ledger_entries
            ),
        ],
    )
    if not check.ok:
        return _failed_note(run, check.message if check.verification.ok else verified.message)
    return EXIT_OK


def _forged(read: Any) -> list[dict[str, Any]]:
    return [
        {"line": line.number, "at": line.at, "code": line.code, "backup": line.backup}
        for line in read.forged
    ]


def cmd_site_key(run: Run) -> int:
    """`audit site-key`: the site key this workstation signs the anchor log with; `--create
    FILE` makes one, `--use FILE` sets an existing one."""
    from dispensary.services import site_key

    a = run.args
    if (a.create is not None or a.use is not None) and a.reason is None:
        raise UsageError(
            _("Give --reason with --create or --use: why the site key is set, for the audit trail.")
        )
    if a.create is not None:
        key = site_key.create(run.context(), run.actor(), a.create, a.reason)
    elif a.use is not None:
        key = site_key.use(run.context(), run.actor(), a.use, a.reason)
    else:
        found = site_key.current()
        if found is None:
            run.emit(
                {"site_key": None},
                [
                    _(
                        "No site key is set on this workstation: the anchor log's lines are "
                        "not signed. An administrator makes one with `dispensary audit "
                        "site-key --create FILE`."
                    )
                ],
            )
            return EXIT_OK
        key = found
    lines = [
        _("Site key {path}, fingerprint {fingerprint}.").format(
            path=key.path, fingerprint=key.fingerprint
        ),
        _("  Public key: {scheme} {key}").format(scheme=site_key.SCHEME, key=key.public_key),
    ]
    if key.public_file:
        lines.append(
            _(
                "  Its public half is in {file}: keep a copy, and the fingerprint, in the "
                "site's quality binder; keep the key itself away from the database and the "
                "backups."
            ).format(file=key.public_file)
        )
    run.emit(
        {
            "site_key": {
                "path": key.path,
                "public_key": key.public_key,
                "fingerprint": key.fingerprint,
                "public_file": key.public_file or None,
            }
        },
        lines,
    )
    return EXIT_OK


def cmd_audit_anchor(run: Run) -> int:
    from dispensary.services import audit

    code = audit.current_anchor(run.context(), run.actor())
    run.emit(
        {"code": code},
        [
            _("Verification code {code}").format(code=code),
            _(
                "  Write it down, or keep a report that prints it: `dispensary audit "
                "verify --anchor {code}` shows later that the audit trail still holds "
                "this point."
            ).format(code=code),
        ],
    )
    return EXIT_OK


def _loads(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_audit_list(run: Run) -> int:
    from dispensary.domain.audit_actions import name_of, reason_and_decision, record_named
    from dispensary.reports.audit import zones
    from dispensary.services import audit
    from dispensary.services.report_data import check_period

    a = run.args
    check_period(a.since, a.until)
    # The days are this workstation's local days, as the Audit trail screen and its report
    # count them (AuditFilter.bounds), not UTC days.
    chosen = audit.AuditFilter(
        since=a.since,
        until=a.until,
        username=a.user_filter,
        action=a.action,
        kit=a.kit,
        participant=a.participant,
    )
    found = audit.export_matching(run.context(), run.actor(), chosen, limit=a.limit)
    rows = [e.entry for e in found]
    # The same facts as the audit report's PDF and CSV: the return's kit, dispense and
    # participant looked up, and the signatures with the role held at signing.
    data = [
        {
            "id": e.entry.id,
            "at": e.entry.at,
            "user": e.entry.username,  # deprecated: actor_username (kept for one release)
            **person_keys("actor", e.entry.username, e.full_name),
            "action": e.entry.action,
            "entity": e.entry.entity,
            "entity_id": e.entry.entity_id,
            "old": _loads(e.entry.old),
            "new": _loads(e.entry.new),
            "reason": e.entry.reason,
            "return_kit": e.kit or None,
            "return_dispense": e.dispense or None,
            "return_participant": e.participant or None,
            # The earlier count a count's entry names by its row (recount_of, adjustment_of).
            "count_kit": e.count_kit or None,
            "count_on": e.count_on or None,
            # The entry ("id") that recorded the count or return the entry names by its row.
            "referred_entry": int(e.referred_entry) if e.referred_entry else None,
            "signatures": [
                {
                    "username": s.username,
                    "full_name": s.full_name,  # deprecated: name (kept for one release)
                    "name": s.full_name,
                    "role": s.role,
                    "meaning": s.meaning,
                    "at": s.at,
                }
                for s in e.signatures
            ],
        }
        for e in found
    ]
    # Actions, records and the program's own reasons in the reader's words, as the Audit trail
    # window says them (domain.audit_actions); the JSON keeps the codes.
    study = run.context().study
    # The days of --from/--to are this workstation's: its time beside UTC's, with its zone,
    # unless the workstation keeps UTC (the same time said twice).
    local = any(r.at.astimezone().utcoffset() for r in rows)
    zone = [_("When ({zone})").format(zone=zones(r.at for r in rows))] if local else []
    lines = table(
        ["#", _("When (UTC)"), *zone, _("User"), _("Action"), _("Record"), _("Reason")],
        [
            (
                r.id,
                r.at,
                *([f"{r.at.astimezone():%Y-%m-%d %H:%M}"] if local else []),
                r.username,
                name_of(r.action),
                clipped(
                    record_named(r.entity, r.entity_id, r.new, study.area_name, r.return_of), 40
                ),
                clipped(reason_and_decision(r.action, r.reason, r.new), 60),
            )
            for r in rows
        ],
        right=[0],
    )
    if not rows:  # a table of headers alone read as a fault
        lines = [_("No audit entry matches these filters.")]
    run.emit(data, lines)
    return EXIT_OK


def audit_parser(group: argparse.ArgumentParser) -> None:
    trail = Commands.actions(group, "audit_command")
    p = trail.add(
        "verify",
        cmd_audit_verify,
        N_("recompute the hash chains and check every record (exit 6 if they do not verify)"),
    )
    # It reads the trail, not a study: a database whose stored studies were altered opens for
    # it, so that an inspector sees what was changed (services.setup.open_database).
    p.set_defaults(studies_unread=True)
    against = p.add_mutually_exclusive_group()
    against.add_argument(
        "--anchor",
        metavar="CODE",
        help=N_("also prove the chain still holds the point this verification code names"),
    )
    against.add_argument(
        "--anchor-log",
        nargs="?",
        const="",
        type=path_option,
        metavar="FOLDER",
        help=N_(
            "also check against the last code of the anchor log in FOLDER (default: the "
            "backup folder of this database)"
        ),
    )
    p.add_argument(
        "--public-key",
        type=path_option,
        metavar="FILE",
        help=N_(
            "with --anchor-log: trust only the log's lines this site key signed (its .pub "
            "file or text), and refuse a log with a line signed otherwise"
        ),
    )
    trail.add("anchor", cmd_audit_anchor, N_("print the verification code of the chain as it is"))
    p = trail.add(
        "site-key",
        cmd_site_key,
        N_("the site key that signs the anchor log's lines on this workstation"),
    )
    making = p.add_mutually_exclusive_group()
    making.add_argument(
        "--create",
        type=path_option,
        metavar="FILE",
        help=N_("make a new site key in FILE (and its public half in FILE.pub) and sign with it"),
    )
    making.add_argument(
        "--use",
        type=path_option,
        metavar="FILE",
        help=N_("sign with the existing site key in FILE"),
    )
    p.add_argument(
        "--reason",
        metavar="TEXT",
        help=N_("why the key is set, kept in the audit trail (required with --create and --use)"),
    )
    # Here --user filters the list; sign in with --user before the command name.
    no_user = argparse.ArgumentParser(add_help=False)
    no_user.add_argument(
        "--db", type=database_option, metavar="PATH_OR_URL", default=argparse.SUPPRESS
    )
    no_user.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    p = trail.add("list", cmd_audit_list, N_("list audit entries"), parent=no_user)
    p.add_argument(
        "--limit",
        type=audit_limit,
        metavar="N",
        help=help_text(N_("the last N entries (1-{most})"), most=AUDIT_LIST_MOST),
    )
    p.add_argument("--user", dest="user_filter", metavar="NAME", help=N_("entries by this user"))
    p.add_argument(
        "--action",
        metavar="A",
        help=help_text(
            N_("entries of this action: its code ({codes}) or its name as the trail shows it"),
            codes=", ".join(a.value for a in AuditAction),
        ),
    )
    p.add_argument(
        "--kit",
        metavar="NUMBER",
        help=N_("entries about this kit (its receipt, dispenses, returns, counts, destruction...)"),
    )
    p.add_argument(
        "--participant",
        metavar="NUMBER",
        help=N_("entries about this participant (enrolment, dispenses, voids, returns...)"),
    )
    p.add_argument(
        "--from",
        dest="since",
        type=calendar_date,
        metavar="DATE",
        help=N_("entries from this day on (a local day of this workstation)"),
    )
    p.add_argument(
        "--to",
        dest="until",
        type=calendar_date,
        metavar="DATE",
        help=N_("entries to this day (a local day of this workstation)"),
    )


# -- backup, restore and the demo ----------------------------------------------------------------


def cmd_backup(run: Run) -> int:
    from dispensary.services import backup

    result = backup.backup(run.context(), run.actor(), run.args.out)
    lines = [
        _("Backup written: {path} ({value} kB).").format(
            path=result.path, value=result.bytes // 1024 or 1
        )
    ]
    if not result.warning and not result.chain_broken and result.own_anchor_log:
        lines.append(
            _("Verification code {anchor}, added to {anchor_log} and to {own_anchor_log}.").format(
                anchor=result.anchor,
                anchor_log=result.anchor_log,
                own_anchor_log=result.own_anchor_log,
            )
        )
    elif not result.warning and not result.chain_broken:
        lines.append(
            _("Verification code {anchor}, added to {anchor_log}.").format(
                anchor=result.anchor, anchor_log=result.anchor_log
            )
        )
    run.emit(asdict(result), lines)
    if result.warning:
        run.note(result.warning)
    if result.chain_broken:  # made as evidence, with no code: exits as `audit verify` fails
        run.note(result.chain_broken)
        return EXIT_NOT_VERIFIED
    return EXIT_OK


def backup_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_backup)
    p.add_argument(
        "--out", required=True, type=path_option, metavar="FILE", help=N_("the backup file written")
    )


# The state of a backup kept, as the Backups screen names it (services.backup.BackupState).
BACKUP_STATES = {
    "as_written": N_("As written"),
    "holds_code": N_("Holds its code"),
    "changed": N_("Changed since written"),
    "missing": N_("Not found"),
    "unchecked": N_("Not checked"),
    "chain_broken": N_(
        "CHAIN BROKEN: audit trail did not verify — kept as evidence, not for restore"
    ),
}
BACKUP_STATE_MEANS = {
    "as_written": N_("Its size and SHA-256 are those listed when the program wrote it."),
    "holds_code": N_(
        "Its last audit entry is still the verification code logged when it was made."
    ),
    "changed": N_(
        "It is not the file written (changed since, or it cannot be read): do not restore "
        "it; keep it for investigation."
    ),
    "missing": N_(
        "It is not at the place logged: moved, removed, or on removable media not plugged in."
    ),
    "unchecked": N_("No verification code was logged to check it by."),
}


def cmd_backups(run: Run) -> int:
    """The backups kept (services.backup.kept_backups, as the Backups screen lists them), each
    numbered as the service numbers it (KeptBackup.number, 1 the newest): when it was written,
    automatic or by hand, its size, whether still as written, its code. With --restore-command
    NUMBER|FILE, the restore's command line for that backup instead (restore_command)."""
    from dispensary.reports.audit import zones
    from dispensary.services import backup

    a = run.args
    if a.restore_command is None and a.reason is not None:
        raise UsageError(
            _(
                "--reason goes with --restore-command NUMBER|FILE: it is the reason the "
                "restore of that backup records. Nothing was done."
            )
        )
    if a.restore_command is not None:
        return _restore_command(run, a.restore_command, a.reason or "")
    kept = backup.kept_backups(run.context(), run.actor())  # the service checks the role
    rows = kept.backups
    if not rows:
        if kept.server:
            empty = _(
                "No backup of this database is kept: a database server is backed up with its "
                "own tools (pg_dump; docs/INSTALL.md)."
            )
        else:
            empty = _(
                "No backup of this database yet: the windows (dispensary-gui) make one in "
                "{folder} at the first sign-in of each day, and `dispensary backup --out FILE` "
                "makes one by hand."
            ).format(folder=kept.folder)
        run.emit(asdict(kept), [empty])
        return EXIT_OK
    # This workstation's time beside UTC's, with its zone, unless it keeps UTC (as audit list).
    local = any(k.at.astimezone().utcoffset() for k in rows)
    zone = [_("Written ({zone})").format(zone=zones(k.at for k in rows))] if local else []

    def when(text: str, file_time: bool) -> str:
        return _("{time} (file's time)").format(time=text) if file_time else text

    lines = [_("Backup folder: {folder}").format(folder=kept.folder), ""]
    lines += table(
        [
            _("No."),
            _("Written (UTC)"),
            *zone,
            _("Kind"),
            _("Size"),
            _("State"),
            _("Verification code"),
            _("File"),
        ],
        [
            (
                str(k.number),
                when(cell(k.at), k.file_time),
                *([when(f"{k.at.astimezone():%Y-%m-%d %H:%M}", k.file_time)] if local else []),
                _("Automatic") if k.automatic else _("By hand"),
                "-" if k.bytes is None else _("{value} kB").format(value=k.bytes // 1024 or 1),
                _(BACKUP_STATES[k.state.value]),
                k.code or "-",
                k.path,
            )
            for k in rows
        ],
        right=[0, 3 + len(zone)],
    )
    # What each state shown means, once, as the screen says it on hover; a copy kept as
    # evidence says why it is not for restore (the service's words).
    shown = dict.fromkeys(k.state.value for k in rows if k.state.value in BACKUP_STATE_MEANS)
    notes = [
        _("{state}: {means}").format(state=_(BACKUP_STATES[s]), means=_(BACKUP_STATE_MEANS[s]))
        for s in shown
    ]
    notes += [k.not_for_restore for k in rows if k.not_for_restore]
    if any(k.file_time for k in rows):
        notes.append(
            _(
                "No audit entry records a copy marked (file's time): the time shown is when its "
                "file was last changed, not a time recorded when it was written."
            )
        )
    if notes:
        lines += ["", *notes]
    run.emit(asdict(kept), lines)
    return EXIT_OK


def _restore_command(run: Run, given: str, reason: str) -> int:
    """The command line that restores the backup `given` (its number in the list, or its file:
    services.backup.kept_backup, which refuses a number or a file the list does not hold; the
    file named whole, so the command may be run from another folder), as the Backups screen
    gives it to an administrator: the service's (services.backup.restore_command), which checks
    the role, the reason and the backup, and refuses a database server. Printed alone, to be
    copied; nothing is restored or written."""
    from dispensary.services import backup

    ctx, actor = run.context(), run.actor()
    kept = backup.kept_backup(ctx, actor, given)
    command = backup.restore_command(ctx, actor, kept.path, reason)
    run.emit({"backup": kept.path, "number": kept.number, "command": command}, [command])
    run.note(
        _(
            "Close Dispensary on every workstation, then run this command in a terminal: it asks "
            "for your password, checks the backup, keeps the current database whole beside it "
            "and records the restore in the audit trail."
        )
    )
    return EXIT_OK


def backups_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_backups)
    p.add_argument(
        "--restore-command",
        type=path_option,
        metavar="NUMBER|FILE",
        help=N_(
            "print the command line that restores this backup, given by its number in the list "
            "(No.) or its file (administrator), as the Backups screen gives it, instead of the "
            "list; nothing is restored"
        ),
    )
    p.add_argument(
        "--reason",
        metavar="TEXT",
        help=N_(
            "with --restore-command: why the database is restored, recorded by the restore "
            "(required)"
        ),
    )


def cmd_restore(run: Run) -> int:
    from dispensary.services import backup
    from dispensary.services.context import Actor, Clock, SystemClock

    a = run.args
    if backup.is_server_database(run.db):
        raise RuleViolation(_(backup.SERVER_RESTORE))
    restored_by: Actor | None = None
    administrator: tuple[str, str] | None = None  # --force: checked in the backup itself
    protocol: str | None = None
    clock: Clock = SystemClock()  # a fixed today only once this is known to be a training database
    try:
        ctx = run.context()
    except NoDatabase as exc:  # nothing to replace: "create one with init" would mislead
        if not a.force:
            raise NoDatabase(
                _(
                    "There is no database at {path} to replace. To restore the backup there as a "
                    "new database, add --force (check the path first: --db, or DISPENSARY_DB)."
                ).format(path=exc.path),
                exc.path,
            ) from exc
        administrator = (run.username(), run.password())
        run.note(
            _(
                "There is no database at {path}: the backup is restored there as a new "
                "database (--force)."
            ).format(path=exc.path)
        )
    except DatabaseProblem as exc:
        if not a.force:  # what to do said before the fault's technical detail, which stays last
            raise DatabaseProblem(
                before_detail(
                    exc.message,
                    _(
                        "As the current database cannot be opened, no administrator can sign in "
                        "to it: to replace it with the backup anyway, add --force."
                    ),
                )
            ) from exc
        administrator = (run.username(), run.password())
        run.note(
            _("The current database cannot be opened; replacing it (--force): {message}").format(
                message=exc.message
            )
        )
    else:
        restored_by = run.actor()  # the service checks the role
        protocol, clock = ctx.study.protocol, run.clock
        run.close()  # the file is about to be replaced: this command keeps no connection to it
    result = backup.restore(
        run.db,
        a.file,
        restored_by,
        clock=clock,
        expect_protocol=protocol,
        reason=a.reason,
        administrator=administrator,
    )
    lines = [
        _("Restored {database} from {restored_from}.").format(
            database=result.database, restored_from=result.restored_from
        )
    ]
    if result.replaced_file_kept_at:
        lines.append(
            _("The file it replaced is kept whole at {replaced_file_kept_at}.").format(
                replaced_file_kept_at=result.replaced_file_kept_at
            )
        )
    if result.replaced_file_not_marked:  # restore --force over a file SQLite cannot read
        lines.append(result.replaced_file_not_marked)
    if result.entries_replaced is not None and result.entries_replaced > result.entries_restored:
        lines.append(
            _(
                "The backup holds {restored} audit entries; the database replaced held "
                "{replaced}: the {dropped} recorded since are only in the file kept."
            ).format(
                restored=result.entries_restored,
                replaced=result.entries_replaced,
                dropped=result.entries_replaced - result.entries_restored,
            )
        )
    if result.accounts_made_again:
        lines.append(_("Account changes the backup did not hold, made again:"))
        lines += [f"  {change}" for change in result.accounts_made_again]
    if result.accounts_undone:
        lines.append(_("Account changes undone by this restore:"))
        lines += [f"  {change}" for change in result.accounts_undone]
    if result.not_checked:  # restore --force: what could not be compared, said with the result
        lines.append(result.not_checked)
    if result.accounts_not_checked:  # ... its accounts, which the restore may have brought back
        lines.append(result.accounts_not_checked)
    if result.anchor and not result.warning:
        lines.append(
            _("Verification code {anchor}, added to the anchor log.").format(anchor=result.anchor)
        )
    run.emit(asdict(result), lines)
    if result.warning:
        run.note(result.warning)
    return EXIT_OK


def restore_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_restore)
    p.add_argument("file", type=path_option, metavar="FILE")
    p.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help=N_("why the database is restored, kept in the audit trail (required)"),
    )
    p.add_argument(
        "--force",
        action="store_true",
        help=N_(
            "when the current database cannot open: --user must then be an administrator of "
            "the backup, whose password is checked there"
        ),
    )


def cmd_demo(run: Run) -> int:
    from dispensary.labels.dispensing import check_study_label_fits
    from dispensary.services import demo

    a = run.args
    for study in demo.demo_studies():  # a label refused at print time, after a dispense: not
        check_study_label_fits(study)
    path = a.db or str(config.data_dir() / "demo.sqlite3")
    if "://" in path:
        info = demo.build_demo(path, run.clock.today())
    else:
        file = Path(path).expanduser().absolute()
        real = config.database_from(None)
        if file.exists() and not a.replace:
            raise RuleViolation(
                _(
                    "{file} already exists. Add --replace to overwrite it with a new demo, "
                    "or give another --db."
                ).format(file=file)
            )
        if (
            file.exists()
            and "://" not in real
            and file.resolve() == Path(real).expanduser().resolve()
        ):
            raise RuleViolation(
                _("{file} is this workstation's database; the demo never replaces it.").format(
                    file=file
                )
            )
        # Only a new file or an earlier training database; built beside it, renamed over it.
        info = demo.build_demo_file(file, run.clock.today(), replace=a.replace)
    data = {
        "database": info.database,
        "today": info.today,
        "password": info.password,
        "users": [
            {"username": u.username, "role": u.role, "full_name": u.full_name} for u in info.users
        ],
        "shipments": info.shipments,
        "kits": info.kits,
        "participants": info.participants,
        "dispenses": info.dispenses,
        "returns": info.returns,
        "destroyed_kits": info.destroyed_kits,
        "counts": info.counts,
        "quarantined_kits": list(info.quarantined_kits),
        "expiring_soon": list(info.expiring_soon),
        "due_this_week": list(info.due_this_week),
        "returns_overdue": list(info.returns_overdue),
        "studies": list(info.studies),
    }
    lines = [
        _("Demo database created: {database} (today is {today})").format(
            database=info.database, today=info.today.isoformat()
        ),
        _("  studies: {studies}; the figures below are {first}'s").format(
            studies=listed(info.studies), first=info.studies[0] if info.studies else "-"
        ),
        _(
            "  {participants} participants, {dispenses} dispenses, {returns} "
            "returns, {kits} kits in {shipments} shipments, {destroyed_kits} kits "
            "destroyed"
        ).format(
            participants=info.participants,
            dispenses=info.dispenses,
            returns=info.returns,
            kits=info.kits,
            shipments=info.shipments,
            destroyed_kits=info.destroyed_kits,
        ),
        "",
        _("Sign in as any of these users with the password {password}").format(
            password=info.password
        ),
        *table(
            [_("User"), _("Role"), _("Name")],
            [(u.username, u.role, u.full_name) for u in info.users],
        ),
        "",
        _("Try:"),
        _("  export DISPENSARY_DB={database} DISPENSARY_PASSWORD={password}").format(
            database=info.database, password=info.password
        ),
        _("  dispensary --user pharmacist --study {study} participants").format(
            study=info.studies[0] if info.studies else "NCT07198672"
        ),
    ]
    run.emit(data, lines)
    return EXIT_OK


def demo_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_demo)
    p.add_argument(
        "--replace",
        action="store_true",
        help=N_("replace an earlier demo (a training database only)"),
    )


PARSERS: dict[str, Fill] = {
    "reconcile": reconcile_parser,
    "sign-off": sign_off_parser,
    "audit": audit_parser,
    "backup": backup_parser,
    "backups": backups_parser,
    "restore": restore_parser,
    "demo": demo_parser,
}
