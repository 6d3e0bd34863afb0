"""The `dispensary` program: the table of commands, the parser built from it, and main().

`dispensary --help` needs only this table: a command's module (its parser next to its
handlers) loads when that command is parsed, and the services when it runs. build_parser()
builds every command's parser at once (the tests and the fuzzing walk it).
"""

from __future__ import annotations

import argparse
import codecs
import errno
import io
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any, TextIO

import dispensary
from dispensary import config
from dispensary.cli.core import (
    ENV_CHECKER_PASSWORD,
    ENV_DEBUG,
    ENV_NEW_PASSWORD,
    ENV_PASSWORD,
    ENV_TODAY,
    ENV_USER,
    ENV_VERIFIER_PASSWORD,
    ENV_WITNESS_PASSWORD,
    EXIT_DATABASE,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    NOT_UTF8,
    Commands,
    Fill,
    Handler,
    SpokenRawHelp,
    UsageError,
    global_options,
    help_text,
    hinted,
)
from dispensary.domain.codes import SignatureMeaning
from dispensary.domain.errors import (
    DatabaseProblem,
    DispensaryError,
    NotPermitted,
    NotSignedIn,
    SignatureFailed,
    StudyFileError,
    UnknownStudy,
)
from dispensary.domain.rules import undecodable
from dispensary.files import private_umask, write_error_text
from dispensary.i18n import (
    N_,
    _,
    parse_language,
    reset_language,
    set_language,
    system_language,
)

if TYPE_CHECKING:
    # The command modules, named here for the type checker and the installer's analysis
    # (PyInstaller follows import statements, not the module names in COMMANDS).
    from dispensary.cli import (  # noqa: F401
        check,
        counter,
        forecast,
        labels,
        records,
        reports,
        setup,
        stock,
    )


@dataclass(frozen=True)
class Command:
    """A command of `dispensary`: its name, the module under dispensary.cli that adds its parser
    and holds its handler (that module's PARSERS[name]), and its line in `--help`."""

    name: str
    module: str
    text: str


COMMANDS = (
    Command("enroll", "counter", N_("enrol a participant (study number and initials only)")),
    Command("participant-status", "counter", N_("mark discontinued or completed")),
    Command(
        "correct-status",
        "counter",
        N_("correct the last status change recorded wrongly: its date or status (signed)"),
    ),
    Command(
        "participant-correct",
        "counter",
        N_("correct an enrolment recorded wrongly: its date, initials, year of birth (signed)"),
    ),
    Command(
        "participant-void",
        "counter",
        N_("void an enrolment entered in error, before anything was dispensed (signed)"),
    ),
    Command("dispense", "counter", N_("dispense a cycle (signed with your password)")),
    Command("check", "check", N_("assess a step without doing it; nothing is changed")),
    Command("void", "counter", N_("void a dispense made in error (the kits never left)")),
    Command("return", "counter", N_("count back the tablets or capsules of a kit")),
    Command("correct-return", "counter", N_("correct a recorded return count")),
    Command("explain", "counter", N_("record the reason for an adherence flag")),
    Command("participants", "counter", N_("participants and their next cycle")),
    Command("history", "counter", N_("a participant's dispenses, returns and adherence")),
    Command("receive", "stock", N_("receive a shipment of kits")),
    Command("quarantine", "stock", N_("set kits aside (quarantine)")),
    Command("release", "stock", N_("release quarantined kits")),
    Command("destroy", "stock", N_("destroy kits or return them to the sponsor (witnessed)")),
    Command("count", "stock", N_("record a blind physical count of a kit")),
    Command(
        "temperature",
        "stock",
        N_("import a data logger's CSV (timestamp,celsius) or enter a thermometer's reading"),
    ),
    Command("inventory", "stock", N_("kits on record, with status and tablets or capsules")),
    Command(
        "forecast", "forecast", N_("supply forecast: weeks the stock falls short, what to order")
    ),
    Command("trace", "counter", N_("every dispense of a lot (recall)")),
    Command("reconcile", "records", N_("balances per product and what to review")),
    Command("sign-off", "records", N_("sign off today's reconciliation")),
    Command("audit", "records", N_("the audit trail")),
    Command("label", "labels", N_("print kit and dispensing labels, leaflets (PDF)")),
    Command("report", "reports", N_("write a report as PDF or CSV (by the --out suffix)")),
    Command("init", "setup", N_("create a new database with its study and first administrator")),
    Command("user", "setup", N_("manage users (administrator)")),
    Command(
        "recover-admin",
        "setup",
        N_(
            "unlock a locked-out administrator (no sign-in: run it as the owner of the database "
            "file, or with the PostgreSQL database owner's URL)"
        ),
    ),
    Command("study", "setup", N_("the study this database serves")),
    Command("backup", "records", N_("copy the database to a file")),
    Command(
        "backups",
        "records",
        N_(
            "list the backups kept, and whether each is still as written, or the command that "
            "restores one"
        ),
    ),
    Command(
        "restore",
        "records",
        N_(
            "replace the database with a checked backup (administrator; no one else may have it open)"
        ),
    ),
    Command("demo", "records", N_("build the demo pharmacy (users, six months of records)")),
)
"""Every command, in the order of `dispensary --help`."""

EPILOG = help_text(
    N_(
        """\
sign-in:   --user NAME (or {user}); the password comes from {password},
           or is asked for in a terminal. It also signs each dispense, return, count...
passwords: {new_password} for user add, user password, user reset-password;
           {verifier_password} for count --verified-by;
           {checker_password} for dispense --checked-by;
           {witness_password} for destroy --witness.
database:  --db, else {db}, else the file in this user's data folder.
training:  {today}=YYYY-MM-DD acts as if today were that date, on a training
           database only (the demo, or one made with init --training).
exit codes: 0 done; 1 unexpected ({debug}=1 for details); 2 usage mistake;
           3 refused by a rule, nothing saved; 4 not signed in or not permitted;
           5 the database cannot be used; 6 audit verify: the records do not verify.
           With --json an error is a JSON object on stderr (docs/CLI.md, Output).
"""
    ),
    user=ENV_USER,
    password=ENV_PASSWORD,
    new_password=ENV_NEW_PASSWORD,
    verifier_password=ENV_VERIFIER_PASSWORD,
    checker_password=ENV_CHECKER_PASSWORD,
    witness_password=ENV_WITNESS_PASSWORD,
    db=config.ENV_DB,
    today=ENV_TODAY,
    debug=ENV_DEBUG,
)
"""The end of `dispensary --help`: its lines are kept as written, in each language."""


class _CommandParser(argparse.ArgumentParser):
    """A parser that may be filled in (arguments and handler added) only when it first parses:
    the command's module loads then, not for `dispensary --help` or another command."""

    fill: Callable[[], None] | None = None

    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        if self.fill is not None:
            fill, self.fill = self.fill, None
            fill()
        return super().parse_known_args(args, namespace)


def _fill(command: Command, parser: argparse.ArgumentParser) -> None:
    parsers: dict[str, Fill] = import_module(f"dispensary.cli.{command.module}").PARSERS
    parsers[command.name](parser)
    _said_in_help(parser)


OPTION_HELP = {
    "--cycle": N_("the cycle number (1, 2, ...)"),
    "--tablets": N_("the tablets or capsules counted, in the product's own unit"),
    "--condition": N_("the condition seen, e.g. intact or damaged; kept with the record"),
    "--reason": N_("why, in your own words; kept in the audit trail"),
    "--tablets-per-kit": N_("the tablets or capsules each kit holds as received"),
    "--db": N_("the database: a SQLite file or a PostgreSQL URL (else DISPENSARY_DB)"),
    "--json": N_("print JSON on stdout (an error: a JSON object on stderr, stdout empty)"),
}
"""The help of an option a command gives none, by its name: what it takes, said once."""

POSITIONAL = {
    "number": ("STUDY_NUMBER", N_("the participant's study number, e.g. 01-001")),
    "dispense": ("DSPnnnnnn", N_("the dispense's number, e.g. DSP000002")),
}
"""A positional named only by its destination ("number"): its metavar and help."""


def _said_in_help(parser: argparse.ArgumentParser) -> None:
    """Every option and positional of a command (and of its actions) with a help line, and a
    positional with a metavar that says what it takes: "STUDY_NUMBER", not "number"."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _said_in_help(sub)
            continue
        if isinstance(action, argparse._HelpAction):
            continue
        if action.option_strings:
            if action.help is None:
                action.help = OPTION_HELP.get(action.option_strings[0])
        elif action.dest in POSITIONAL:
            metavar, said = POSITIONAL[action.dest]
            action.metavar = action.metavar or metavar
            action.help = action.help or said


def program_version() -> str:
    """The installed distribution's version (pyproject.toml takes it from dispensary.__version__,
    the one place it is written); that attribute itself when the package is run from a source
    tree nothing installed, or from the PyInstaller folder."""
    try:
        return metadata.version("dispensary")
    except metadata.PackageNotFoundError:
        return dispensary.__version__


def build_parser(*, lazy: bool = False) -> argparse.ArgumentParser:
    """The parser of every command. Lazy (as main uses it): each command's parser is filled in
    by its module only when that command is parsed."""
    parser = _CommandParser(
        prog="dispensary",
        description=N_("Investigational drug accountability for a clinical-trial site pharmacy."),
        epilog=EPILOG,
        formatter_class=SpokenRawHelp,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"dispensary {program_version()}",
        help=N_("print the program's version and stop"),
    )
    global_options(parser, suppress=False)
    commands = Commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    for command in COMMANDS:
        p = commands.parser(command.name, command.text)
        assert isinstance(p, _CommandParser)
        if lazy:
            p.fill = partial(_fill, command, p)
        else:
            _fill(command, p)
    return parser


def _undecodable_input(argv: Sequence[str] | None) -> str | None:
    """Why the command line cannot be read, or None: an argument (or DISPENSARY_USER, _DB,
    _TODAY) holding bytes that are not UTF-8. Python keeps such bytes as lone surrogates, which
    no database, file or terminal would take later, after part of the work was done."""
    arguments = sys.argv[1:] if argv is None else argv
    for index, item in enumerate(arguments, start=1):
        if undecodable(item):
            shown = item.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return _(NOT_UTF8).format(
                what=_("Argument {index} ('{shown}')").format(index=index, shown=shown[:40])
            )
    for env in (ENV_USER, config.ENV_DB, ENV_TODAY):
        if undecodable(os.environ.get(env, "")):
            return _(NOT_UTF8).format(what=env)
    return None


SECOND_PASSWORDS = {
    SignatureMeaning.WITNESSED.value: ENV_WITNESS_PASSWORD,
    SignatureMeaning.CHECKED.value: ENV_CHECKER_PASSWORD,
    SignatureMeaning.COUNT_VERIFIED.value: ENV_VERIFIER_PASSWORD,
}
"""Where the command takes a second person's password from, by what they sign."""


def _second_password_hint(exc: SignatureFailed) -> None:
    """A second person's wrong password: the variable it came from (or the prompt) added after
    the service's message, which names none (the windows ask for it in a field)."""
    env = SECOND_PASSWORDS.get(exc.meaning)
    if env is not None:
        hinted(
            exc,
            _(
                "The command takes the password of {user} from {env}, or asks for it when run "
                "in a terminal: give the right one there."
            ).format(user=exc.signer, env=env),
        )


def exit_code(exc: DispensaryError) -> int:
    """The command's exit code for a refusal: a database that cannot be used has its own (5),
    apart from a rule's refusal (3); a study asked for that the database does not hold is the
    user's to correct (3)."""
    if isinstance(exc, DatabaseProblem) and not isinstance(exc, UnknownStudy):
        return EXIT_DATABASE
    return exc.exit_code


def _code_of(kind: type) -> str:
    """A refusal's code in an error object: its class, in snake case ("invalid_input")."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()


def json_error(run_err: TextIO, kind: str, code: str, message: str, exit_with: int) -> int:
    """With --json, an error is an object on stderr, {"error": {"kind", "code", "message",
    "exit"}}, so that a script reads it as it reads the output; stdout stays empty."""
    error = {"kind": kind, "code": code, "message": message, "exit": exit_with}
    print(json.dumps({"error": error}, ensure_ascii=False), file=run_err)
    return exit_with


def _report(run_err: TextIO, exc: DispensaryError, as_json: bool = False) -> int:
    code = exit_code(exc)
    if isinstance(exc, NotSignedIn):
        kind, prefix = "not_signed_in", _("Not signed in")
    elif isinstance(exc, NotPermitted):
        kind, prefix = "not_permitted", _("Not permitted")
    elif isinstance(exc, DatabaseProblem):
        kind, prefix = "database", _("Database problem")
    elif isinstance(exc, StudyFileError):
        kind, prefix = "study_file", _("Study file problem")
    elif exc.exit_code == EXIT_REFUSED:
        kind, prefix = "refused", _("Refused")
    else:
        kind, prefix = "error", _("Error")
    if as_json:
        return json_error(run_err, kind, _code_of(type(exc)), exc.message, code)
    print(_("{prefix}: {message}").format(prefix=prefix, message=exc.message), file=run_err)
    return code


ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("expected %s argument"),
    N_("expected %s arguments"),
    N_("ignored explicit argument %r"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("show this help message and exit"),
    N_("positional arguments"),
    N_("options"),
    N_("%(heading)s:"),  # Python 3.13: a heading's colon
)
"""argparse's own words (a usage mistake, the help's headings), in the program's catalogue:
argparse asks its module's `_` for them, which `_speak_argparse` points at the program's."""


def _speak_argparse() -> None:
    """argparse's messages in the reader's language: its module-level gettext replaced by the
    program's (argparse looks its `_` up when it writes, so this holds for every parser)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: _(one if n == 1 else many)  # type: ignore[attr-defined]


def _language_asked(argv: Sequence[str]) -> str | None:
    """--lang as typed, read before the arguments are: a usage mistake is said in it too."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _in_plain_letters(error: UnicodeError) -> tuple[str, int]:
    """What an output that cannot hold a character prints instead: a superscript's digits
    after a caret (×10⁹/L as ×10^9/L), anything else as a question mark."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    part = error.object[error.start : error.end]
    plain = part.translate(_SUPERSCRIPTS)
    shown = "^" + plain if plain != part and plain.isdigit() else "?" * len(part)
    return shown, error.end


def printable_everywhere() -> None:
    """A terminal or file in a legacy encoding (GBK on a Chinese Windows, when the output is
    redirected) cannot hold every character the program writes (the platelet unit's ⁹): the
    command wrote nothing more and stopped with Python's traceback. It writes the nearest
    plain letters instead."""
    codecs.register_error("dispensary-plain", _in_plain_letters)
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper) or stream.errors != "strict":
            continue
        try:
            "×10⁹".encode(stream.encoding)
        except (UnicodeEncodeError, LookupError):
            stream.reconfigure(errors="dispensary-plain")


def main(argv: list[str] | None = None) -> int:
    printable_everywhere()
    asked = parse_language(_language_asked(sys.argv[1:] if argv is None else argv) or "")
    token = set_language(asked or system_language())
    _speak_argparse()
    try:
        return _main(argv)
    finally:
        reset_language(token)  # a command run in-process leaves the language as it found it


def _main(argv: list[str] | None) -> int:
    out, err = sys.stdout, sys.stderr
    if (unreadable := _undecodable_input(argv)) is not None:
        print(_("dispensary: error: {unreadable}").format(unreadable=unreadable), file=err)
        return EXIT_USAGE
    parser = build_parser(lazy=True)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage mistake (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "handler", None) is None:
        parser.print_usage(err)
        print(_("dispensary: error: name a command; see `dispensary --help`."), file=err)
        return EXIT_USAGE
    language = set_language(getattr(args, "lang", None) or system_language())
    # The command runs: now the services load (and SQLAlchemy with them).
    from dispensary.cli.run import Run, clock_from_env
    from dispensary.services.faults import escaped_fault

    run: Run | None = None
    as_json = bool(getattr(args, "json", False))  # errors too as JSON, on stderr
    umask = private_umask()  # every file this command creates (SQLite's too) is owner-only
    try:
        run = Run(args, clock_from_env(), out, err)
        handler: Handler = args.handler
        return handler(run)  # a wrong signature password is counted by the service itself
    except UsageError as exc:
        if as_json:
            return json_error(err, "usage", "usage_error", str(exc), EXIT_USAGE)
        print(
            _("dispensary {command}: error: {exc}").format(command=args.command, exc=exc), file=err
        )
        return EXIT_USAGE
    except DispensaryError as exc:
        if run is not None and isinstance(exc, DatabaseProblem):
            run.database_failed = True  # its owed sign-in is not waited for twice (close)
        if isinstance(exc, SignatureFailed) and exc.second:
            _second_password_hint(exc)
        if isinstance(exc, SignatureFailed) and exc.uncounted:  # a busy or full database
            print(
                _("The failed signature was not counted: {uncounted}").format(
                    uncounted=exc.uncounted
                ),
                file=err,
            )
        return _report(err, exc, as_json)
    except BrokenPipeError:  # the reader stopped early (`| head`): the work itself is done
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print(_("Interrupted; nothing more was saved."), file=err)
        return 130
    except OSError as exc:  # a file the command reads or writes: full disk, read-only, too long
        what = exc.filename or _("a file")
        said = write_error_text(exc, what, written=False)
        if as_json:
            named = errno.errorcode.get(exc.errno or 0, "os_error").lower()
            return json_error(err, "file", named, said, EXIT_REFUSED)
        print(_("Refused: {write_error_text}").format(write_error_text=said), file=err)
        return EXIT_REFUSED
    except Exception as exc:
        fault = escaped_fault(exc, run.db if run is not None else _("the database"))
        if fault is not None:  # a database fault outside a transaction: named all the same
            return _report(err, fault, as_json)
        if os.environ.get(ENV_DEBUG) == "1":
            traceback.print_exc(file=err)
        elif as_json:
            said = f"{type(exc).__name__}: {str(exc)[:300]}"
            return json_error(err, "unexpected", _code_of(type(exc)), said, EXIT_UNEXPECTED)
        else:
            print(
                _(
                    "Unexpected error ({kind}: {exc}). Run again with {env_debug}=1 for details."
                ).format(kind=type(exc).__name__, exc=str(exc)[:300], env_debug=ENV_DEBUG),
                file=err,
            )
        return EXIT_UNEXPECTED
    finally:
        if run is not None:
            run.close()
        os.umask(umask)
        reset_language(language)
