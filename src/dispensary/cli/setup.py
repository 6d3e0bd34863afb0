"""`init`, `user`, `recover-admin` and `study`: the database, its users and its study.

Each command's parser sits after its handler; the services load inside the handlers, so that
`--help` does not load them.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dispensary.cli.core import (
    ENV_NEW_PASSWORD,
    ENV_PASSWORD,
    ENV_STUDY,
    ENV_TODAY,
    EXIT_OK,
    TRAINING_ONLY,
    Commands,
    Fill,
    UsageError,
    help_text,
    new_secret,
    path_option,
    person_keys,
    plural,
    study_file_option,
    table,
)
from dispensary.domain.codes import Role
from dispensary.domain.errors import RuleViolation
from dispensary.domain.rules import initials_from_name, next_day1_rule, source_words
from dispensary.i18n import N_, _, listed

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.pharmacy import LabelRoom
    from dispensary.services.results import RuleState, StudyRow, UserRow


def cmd_init(run: Run) -> int:
    from dispensary.labels.dispensing import check_study_label_fits
    from dispensary.services import first_run, setup
    from dispensary.study import default_study_path, load_study

    a = run.args
    # The one check `study add`, the first-run wizard and the demo make: a label that does not
    # fit its stock was refused only at print time, after the first dispense was saved.
    chosen = first_run.read_study_file(Path(a.study).expanduser()).study if a.study else None
    study = check_study_label_fits(chosen or load_study(default_study_path()))
    full_name = (a.full_name or a.admin.strip().title()).strip()
    initials = a.initials or _initials_from(full_name)
    if run.clock_fixed and not a.training:
        raise RuleViolation(
            _(TRAINING_ONLY).format(env=ENV_TODAY, what=_("a database created without --training"))
        )
    password = new_secret(ENV_PASSWORD, _("administrator {name}").format(name=a.admin))
    ctx = setup.init_database(
        run.db, study, a.admin, full_name, initials, password, run.clock, training=a.training
    )
    run.adopt(ctx)
    admin = a.admin.strip().lower()
    run.emit(
        {"database": run.db, "study": study.protocol, "administrator": admin},
        [
            _("Created the database {db}").format(db=run.db),
            _("  Study          {protocol}: {short_title}").format(
                protocol=study.protocol,
                short_title=study.wording().short_title or study.short_title,
            ),
            # Said, not silent: without --study the database serves the bundled first study.
            *(
                ()
                if a.study
                else (
                    _(
                        "                 the bundled study file, as no --study FILE.toml was given "
                        "(add others with `study add`)"
                    ),
                )
            ),
            _("  Administrator  {admin} ({full_name})").format(admin=admin, full_name=full_name),
            _(
                "Next: add users: dispensary --user {admin} user add NAME --role pharmacist ..."
            ).format(admin=admin),
        ],
    )
    return EXIT_OK


def _initials_from(full_name: str) -> str:
    """The initials the set-up wizard would offer for the name (one rule for both); a name in
    Chinese characters gives none, and --initials is asked for rather than the name refused as
    if it had been typed as initials."""
    initials = initials_from_name(full_name)
    if not initials:
        raise UsageError(
            _(
                "initials cannot be made from the full name '{name}': give them with --initials "
                "(2 to 4 letters A-Z, e.g. the pinyin initials)."
            ).format(name=full_name)
        )
    return initials


def init_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_init)
    p.add_argument(
        "--study",
        type=study_file_option,
        metavar="FILE",
        help=N_("study file (default: the bundled NCT07198672)"),
    )
    p.add_argument(
        "--admin", required=True, metavar="NAME", help=N_("user name of the administrator")
    )
    p.add_argument("--full-name", metavar="TEXT", help=N_("the administrator's full name"))
    p.add_argument("--initials", metavar="XX", help=N_("the administrator's initials"))
    p.add_argument(
        "--training",
        action="store_true",
        help=help_text(
            N_("a training or test database, where {env} may fix today's date"), env=ENV_TODAY
        ),
    )


# -- users ---------------------------------------------------------------------------------------


def cmd_user_add(run: Run) -> int:
    from dispensary.services import studies, users

    a = run.args
    run.context()
    actor = run.actor()  # first: the studies are listed to the signed-in user, their own
    # May they add users at all: asked before anything else, above all before the password
    # is typed (twice) only to be refused.
    users.check_manages_users(actor)
    # Whether they may add users at all comes before which study; an administrator's account
    # is given none. With one study, it is that one, unasked.
    if (
        run.study is None
        and len(run.studies_held) > 1
        and users.new_account_needs_a_study(actor, a.role)
    ):
        raise UsageError(
            _(
                "this database holds several studies ({studies}): name the study the new "
                "account works in with --study PROTOCOL (or set {env}); give it more with "
                "`study access`."
            ).format(studies=listed(studies.own_protocols(run.context(), actor)), env=ENV_STUDY)
        )
    password = new_secret(ENV_NEW_PASSWORD, _("the new user {name}").format(name=a.name))
    row = users.add_user(run.context(), actor, a.name, a.role, a.full_name, a.initials, password)
    run.emit(
        asdict(row),
        [
            _("Added {username} ({full_name}, {initials}) as {value}.").format(
                username=row.username,
                full_name=row.full_name,
                initials=row.initials,
                value=row.role.word,
            ),
            _("Give them the password in person: they choose their own at the first sign-in."),
        ],
    )
    return EXIT_OK


def password_day(row: UserRow) -> str:
    """The day the account's password was set, said temporary when an administrator set it."""
    if row.password_last_set is None:
        return ""
    day = row.password_last_set.isoformat()
    return _("{day} (temporary)").format(day=day) if row.password_temporary else day


def cmd_user_list(run: Run) -> int:
    from dispensary.services import users

    actor = run.actor()
    rows = users.list_users(run.context(), actor)
    state = [_("active") if r.active else _("deactivated") for r in rows]
    lines = table(
        # The day each password was last set, for their periodic review (21 CFR 11.300(b)).
        [_("User"), _("Name"), _("Initials"), _("Role"), _("Account"), _("Password set")],
        [
            (
                r.username,
                r.full_name,
                r.initials,
                r.role,
                s + (_(", locked") if r.locked else ""),
                password_day(r),
            )
            for r, s in zip(rows, state, strict=True)
        ],
    )
    if any(r.password_temporary for r in rows):  # not taken for a password the user chose
        lines.append(
            _(
                "Temporary: a password an administrator set (a reset, the account's first, a "
                "recovery); the user must change it at their next sign-in."
            )
        )
    if not users.reads_every_account(actor):  # said, so it is not taken for the whole staff
        lines.append(
            _(
                "The accounts that work in your studies, with those studies only; an "
                "administrator sees every account."
            )
        )
    run.emit([asdict(r) for r in rows], lines)
    return EXIT_OK


def cmd_user_activate(run: Run, active: bool) -> int:
    from dispensary.services import users

    row = users.set_active(run.context(), run.actor(), run.args.name, active, run.args.reason)
    word = _("Reactivated") if active else _("Deactivated")
    run.emit(
        asdict(row),
        [
            _("{word} the account {username} ({full_name}).").format(
                word=word, username=row.username, full_name=row.full_name
            )
        ],
    )
    return EXIT_OK


def cmd_user_unlock(run: Run) -> int:
    from dispensary.services import users

    row = users.unlock(run.context(), run.actor(), run.args.name, run.args.reason)
    run.emit(
        asdict(row),
        [
            _("Unlocked the account {username}; the failed sign-ins are reset.").format(
                username=row.username
            )
        ],
    )
    return EXIT_OK


def cmd_user_password(run: Run) -> int:
    from dispensary.services import users

    actor = run.actor(changing_password=True)
    new = new_secret(ENV_NEW_PASSWORD, actor.username)
    users.change_password(run.context(), actor, run.password(), new)
    run.emit(
        # "username" as every other `user` command says it; "user" kept for one release.
        {"username": actor.username, "user": actor.username, "changed": True},
        [_("Password changed for {username}.").format(username=actor.username)],
    )
    return EXIT_OK


def cmd_user_reset(run: Run) -> int:
    from dispensary.services import users

    actor = run.actor()
    # May they, and may this account's password be reset (not their own, not a deactivated
    # account): asked before the new password is typed, not after.
    users.check_reset(run.context(), actor, run.args.name)
    new = new_secret(ENV_NEW_PASSWORD, run.args.name)
    done = users.reset_password(run.context(), actor, run.args.name, new, run.args.reason)
    row = done.account
    lines = [
        _(
            "Password reset for {name}; give it to them in person. They must choose "
            "their own at the next sign-in and can sign nothing before."
        ).format(name=row.username)
    ]
    if done.unlocked:
        lines.append(
            _(
                "The account was locked after failed sign-ins: the reset unlocked it (you "
                "have the person in front of you), recorded in the same audit entry."
            )
        )
    elif done.failures_cleared:
        lines.append(
            (
                _(
                    "The account had {n} failed sign-in, a try at the password replaced: the "
                    "reset cleared it, recorded in the same audit entry."
                )
                if done.failures_cleared == 1
                else _(
                    "The account had {n} failed sign-ins, tries at the password replaced: the "
                    "reset cleared them, recorded in the same audit entry."
                )
            ).format(n=done.failures_cleared)
        )
    run.emit(
        # "username" as every other `user` command says it; "user" kept for one release.
        {
            "username": row.username,
            "user": row.username,
            "reset": True,
            "active": row.active,
            "locked": row.locked,
            "unlocked": done.unlocked,
            "failed_attempts_cleared": done.failures_cleared,
        },
        lines,
    )
    return EXIT_OK


def user_parser(group: argparse.ArgumentParser) -> None:
    user = Commands.actions(group, "user_command")
    p = user.add(
        "add", cmd_user_add, help_text(N_("add a user (password from {env})"), env=ENV_NEW_PASSWORD)
    )
    p.add_argument("name")
    p.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help=N_("the user's role")
    )
    p.add_argument("--full-name", required=True, metavar="TEXT", help=N_("the user's full name"))
    p.add_argument(
        "--initials",
        required=True,
        metavar="XX",
        help=N_("the user's initials (on signatures and reports)"),
    )
    user.add("list", cmd_user_list, N_("list users"))
    for name, active, text in (
        ("deactivate", False, N_("deactivate an account")),
        ("activate", True, N_("activate an account")),
    ):
        p = user.add(name, partial(cmd_user_activate, active=active), text)
        p.add_argument("name")
        p.add_argument("--reason", required=True)
    p = user.add("unlock", cmd_user_unlock, N_("unlock an account locked by failed sign-ins"))
    p.add_argument("name")
    p.add_argument("--reason", required=True)
    user.add(
        "password",
        cmd_user_password,
        help_text(N_("change your password (new: {env})"), env=ENV_NEW_PASSWORD),
    )
    p = user.add(
        "reset-password",
        cmd_user_reset,
        help_text(N_("set a user's password ({env})"), env=ENV_NEW_PASSWORD),
    )
    p.add_argument("name")
    p.add_argument("--reason", required=True)


def cmd_recover_admin(run: Run) -> int:
    """No sign-in: the proof is control of the database itself (see users.recovery_access)."""
    from dispensary.services import users

    a = run.args
    new = new_secret(ENV_NEW_PASSWORD, a.name) if a.new_password else None
    row = users.recover_administrator(run.context(), a.name, a.reason, a.by, new)
    lines = [
        _("Recovered the administrator account {username}: unlocked and active.").format(
            username=row.username
        )
    ]
    if new is not None:
        lines.append(_("It signs in with the new password and must choose its own at once."))
    run.emit({**asdict(row), "password_set": new is not None}, lines)
    return EXIT_OK


def recover_admin_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_recover_admin)
    p.add_argument("name", help=N_("the administrator's user name"))
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--by",
        required=True,
        metavar="FULL_NAME",
        help=N_("the full name of the person recovering the account, for the audit trail"),
    )
    p.add_argument(
        "--new-password",
        action="store_true",
        help=help_text(
            N_("also set a password ({env}), to be changed at the next sign-in"),
            env=ENV_NEW_PASSWORD,
        ),
    )


# -- the study -----------------------------------------------------------------------------------


def cmd_study_show(run: Run) -> int:
    ctx = run.context()
    run.actor()
    s = ctx.study
    data = {
        "protocol": s.protocol,
        "title": s.title,
        "products": [asdict(p) for p in s.products],
        "dose_levels": [
            {
                "level": d.level,
                "name": d.name,
                "doses_per_day": d.doses_per_day,
                "components": [asdict(c) for c in d.components],
            }
            for d in s.dose_levels
        ],
        "cycle": asdict(s.cycle),
    }
    lines = [
        f"{s.protocol}: {s.wording().title or s.title}",
        # Every name in the reader's language, as the study file gives it (as `study rules`).
        _("Investigator: {investigator}; pharmacy: {pharmacy_name}, {site_name}").format(
            investigator=s.person_name(s.investigator),
            pharmacy_name=s.pharmacy_in(),
            site_name=s.site_in(),
        ),
        # the next cycle as the participant's record and `check dispense` say it
        _("Cycle {length_days} days, {days_of_supply} days of supply, next cycle {when}").format(
            length_days=s.cycle.length_days,
            days_of_supply=s.cycle.days_of_supply,
            when=next_day1_rule(s.cycle.length_days, s.cycle.min_days_since_previous_day1),
        ),
        _("Products:"),
        *(
            _("  {code:<20} {display}, {tablets_per_kit} per kit").format(
                code=p.code, display=s.product_name(p.code), tablets_per_kit=p.tablets_per_kit
            )
            for p in s.products
        ),
        _("Dose levels:"),
        *(f"  {d.level:>3}  {s.dose_name(d.level)}" for d in s.dose_levels),
    ]
    run.emit(data, lines)
    return EXIT_OK


def _label_fits(text: str, origin: str) -> None:
    """The study file's dispensing label fits its default stock (labels.dispensing), refused
    before anything is written: else it is refused at print time, after a dispense is saved."""
    from dispensary.labels.dispensing import check_study_label_fits
    from dispensary.study import parse_study

    check_study_label_fits(parse_study(text, origin, new_file=True))


def _study_text(file: str) -> str:
    """As the windows read it (services.first_run): a Notepad file's byte-order mark too."""
    from dispensary.services import first_run

    return first_run.read_study_text(Path(file).expanduser())


def _particulars_room() -> LabelRoom:
    """The measure of a study's dispensing label with the pharmacy's particulars saved: a
    study added or amended must hold them (services.pharmacy.LabelRoom)."""
    from dispensary.labels.dispensing import check_particulars_fit

    return check_particulars_fit


def cmd_study_update(run: Run) -> int:
    from dispensary.services import studies

    a = run.args
    text = _study_text(a.file)
    _label_fits(text, a.file)
    ctx, actor = run.context(), run.actor()
    new = studies.update_study(
        ctx, actor, text, a.file, a.reason, _particulars_room(), a.schedule_change
    )
    undone = studies.confirmations_undone(ctx, actor, ctx.study, new)
    lines = [
        _("The study file of {protocol} was replaced; the old text is in the audit trail.").format(
            protocol=new.protocol
        )
    ]
    if undone:
        lines.append(studies.undone_said(undone))
    run.emit({"protocol": new.protocol, "updated": True, "confirmations_undone": undone}, lines)
    return EXIT_OK


def _rule_data(r: RuleState) -> dict[str, Any]:
    return {
        "rule": r.key,
        "title": r.title,
        "source": r.source,
        "confirmed": r.confirmed,
        "state": r.state,
        "confirmed_by": r.confirmed_by,  # deprecated: confirmed_by_username (one release)
        **person_keys("confirmed_by", r.confirmed_by, r.confirmed_by_name),
        "confirmed_at": r.confirmed_at,
        "reason": r.reason,
    }


def _rule_state(rule: RuleState) -> str:
    """Whether the rule holds, in the reader's words (as the Study rules screen says it); the
    JSON keeps the service's English `state`."""
    if rule.by_source:
        return _("holds ({source})").format(source=source_words(rule.source))
    if rule.confirmed:
        return _("confirmed")
    return _("to confirm (changed since confirmed)") if rule.changed else _("to confirm")


def cmd_study_rules(run: Run) -> int:
    from dispensary.services import studies

    rules = studies.study_rules(run.context(), run.actor())
    rows = [(r.key, source_words(r.source), _rule_state(r), r.said or r.title) for r in rules]
    lines = table((_("Rule"), _("Source"), _("State"), _("What it says")), rows)
    waiting = [r for r in rules if not r.confirmed]
    if waiting:
        lines.append(
            _(
                "{rules} to confirm: until confirmed they never block the counter. An "
                'administrator confirms one: dispensary study confirm RULE --reason "..."'
            ).format(rules=plural(len(waiting), "rule"))
        )
    run.emit([_rule_data(r) for r in rules], lines)
    return EXIT_OK


def cmd_study_confirm(run: Run) -> int:
    from dispensary.services import studies

    a = run.args
    done = studies.confirm_rule(run.context(), run.actor(), a.rule, a.reason)
    run.emit(
        _rule_data(done),
        [
            _("Rule {key} ({source}) is confirmed: the counter now applies it as written.").format(
                key=done.key, source=source_words(done.source)
            )
        ],
    )
    return EXIT_OK


def _study_row(row: StudyRow) -> dict[str, Any]:
    return {
        "protocol": row.protocol,
        "title": row.title,
        "status": row.status,
        "version": row.version,
        "participants": row.participants,
        "kits": row.kits,
        "loaded_at": row.loaded_at,
        "closed_at": row.closed_at,
        "closed_reason": row.closed_reason,
    }


def _study_line(row: StudyRow) -> str:
    status = _("open") if row.status == "open" else _("closed")
    return _(
        "{protocol}  {status}  v{version}  {participants} participants, {kits} kits  {title}"
    ).format(
        protocol=row.protocol,
        status=status,
        version=row.version,
        participants=row.participants,
        kits=row.kits,
        title=row.short_title or row.title,
    )


def cmd_study_list(run: Run) -> int:
    from dispensary.services import studies

    rows = studies.list_studies(run.context(), run.actor())
    run.emit([_study_row(r) for r in rows], [_study_line(r) for r in rows])
    return EXIT_OK


def cmd_study_add(run: Run) -> int:
    from dispensary.services import studies

    a = run.args
    text = _study_text(a.file)
    studies.check_new_study(run.context(), run.actor(), text, a.file)
    _label_fits(text, a.file)
    row = studies.add_study(run.context(), run.actor(), text, a.file, a.reason, _particulars_room())
    run.emit(
        _study_row(row),
        [
            _(
                "Study {protocol} was added to this pharmacy. Give users access with "
                "`dispensary study access USER {protocol}`; work in it with --study {protocol}."
            ).format(protocol=row.protocol)
        ],
    )
    return EXIT_OK


def cmd_study_close(run: Run) -> int:
    from dispensary.services import studies

    a = run.args
    row = studies.close_study(run.context(), run.actor(), a.protocol, a.reason)
    run.emit(
        _study_row(row),
        [
            _("Study {protocol} is closed: its records stay, to be read and reported.").format(
                protocol=row.protocol
            )
        ],
    )
    return EXIT_OK


def cmd_study_access(run: Run) -> int:
    from dispensary.services import studies

    a = run.args
    given = not a.remove
    now = studies.set_access(run.context(), run.actor(), a.username, a.protocol, given, a.reason)
    run.emit(
        {"username": a.username, "studies": now},
        [
            _("{user} may now work in: {studies}.").format(
                user=a.username, studies=listed(now) or _("no study")
            )
        ],
    )
    return EXIT_OK


def study_parser(group: argparse.ArgumentParser) -> None:
    study = Commands.actions(group, "study_command")
    study.add("list", cmd_study_list, N_("the studies of this pharmacy you may work in"))
    p = study.add("add", cmd_study_add, N_("add a study from its study file (administrator)"))
    p.add_argument("file", type=path_option, metavar="FILE.toml")
    p.add_argument("--reason", required=True)
    p = study.add(
        "close", cmd_study_close, N_("close a study: read only from then on (administrator)")
    )
    p.add_argument("protocol", metavar="PROTOCOL")
    p.add_argument("--reason", required=True)
    p = study.add(
        "access", cmd_study_access, N_("give a user access to a study, or take it (administrator)")
    )
    p.add_argument("username", metavar="USER")
    p.add_argument("protocol", metavar="PROTOCOL")
    p.add_argument("--remove", action="store_true", help=N_("take the access away"))
    p.add_argument("--reason", required=True)
    study.add("show", cmd_study_show, N_("show the study's products, dose levels and cycle"))
    p = study.add("update", cmd_study_update, N_("replace the study file (administrator)"))
    p.add_argument("file", type=path_option, metavar="FILE.toml")
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--schedule-change",
        action="store_true",
        help=N_(
            "confirm that the sponsor changed the cycle schedule while participants are on "
            "treatment (recorded in the audit trail with the participants named)"
        ),
    )
    study.add(
        "rules", cmd_study_rules, N_("list the study's rules, their source, and which to confirm")
    )
    p = study.add("confirm", cmd_study_confirm, N_("confirm a site-decision rule (administrator)"))
    p.add_argument("rule", metavar="RULE", help=N_("the rule's key, as `study rules` lists it"))
    p.add_argument("--reason", required=True)


PARSERS: dict[str, Fill] = {
    "init": init_parser,
    "user": user_parser,
    "recover-admin": recover_admin_parser,
    "study": study_parser,
}
