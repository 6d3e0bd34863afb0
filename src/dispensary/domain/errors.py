"""Refusals with messages that tell the user what to do; raised before anything is written."""

from __future__ import annotations


class DispensaryError(Exception):
    """Base of every refusal; `message` is shown as is to the user. `field_name`: the input
    the refusal is about, by the name of the service's parameter that took it ("sex"), where
    the service knows it ("" otherwise): a window puts the cursor in that field."""

    exit_code = 1

    def __init__(self, message: str, *, field_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field_name = field_name

    def __str__(self) -> str:
        return self.message


class RuleViolation(DispensaryError):
    """A pharmacy rule forbids the step (wrong kit, too early, already dispensed...)."""

    exit_code = 3


class InvalidInput(RuleViolation):
    """The input itself is malformed (a typo, a date out of range, a negative count)."""


class ToConfirm(RuleViolation):
    """The step goes on only once the user confirms what the message asks (a participant who
    may be 17 or 18 on the enrolment date): a command's flag, a window's question."""


class NotFound(RuleViolation):
    """A kit, participant, dispense or user named by the user does not exist."""


class InOtherStudy(NotFound):
    """A kit or participant scanned is of another study of this pharmacy: the window switches
    to that study and says so; a command names the study. For a user without access to that
    study it is not named: `protocol` is "" and `study_id` 0, nothing to switch to."""

    def __init__(
        self, message: str, protocol: str = "", study_id: int = 0, number: str = ""
    ) -> None:
        super().__init__(message)
        self.protocol = protocol
        self.study_id = study_id
        self.number = number


class Conflict(RuleViolation):
    """Someone else changed the record first (two workstations); try again."""


class NotPermitted(DispensaryError):
    """The signed-in user's role may not do this, or the signature did not check."""

    exit_code = 4

    def __init__(self, message: str, withdrawn: str = "") -> None:
        super().__init__(message)
        self.withdrawn = withdrawn
        """The study's protocol when the refusal is that the user's access to it was taken
        away since it was opened (the window then leaves that study); "" otherwise."""


class NotSignedIn(NotPermitted):
    """Wrong user name or password, locked or deactivated account."""


class SessionLocked(NotSignedIn):
    """The window the step came from is locked: nothing is done in the user's name until they
    unlock it (services.permissions.require)."""


class SignatureFailed(NotPermitted):
    """A wrong password at an electronic signature. Nothing of the act was saved; the service
    that checked it (services.users.check_signature) counts the failure against the signer in a
    transaction of its own, as a sign-in would, so that a signature prompt does not allow
    endless guesses, whoever called it."""

    def __init__(self, message: str, signer: str, meaning: str, second: bool = False) -> None:
        super().__init__(message)
        self.signer = signer  # the user name whose password was wrong
        self.meaning = meaning  # what the signature meant, e.g. "dispensed"
        self.second = second  # the second person's (witness, checker, verifier), not the user's
        self.counted = False  # set once counted: a failure counts once, however it is relayed
        self.uncounted = ""  # why it could not be counted (a busy or full database), if so


class StudyFileError(DispensaryError):
    """The study file is malformed; the message names the key and line."""

    exit_code = 3


class DatabaseProblem(DispensaryError):
    """The database file is damaged, foreign, or of a newer schema."""

    exit_code = 3


class UnknownStudy(DatabaseProblem):
    """The database holds no study of the protocol number asked for: a protocol mistyped, or
    the database of another study. Carries what a front end needs to say it in its own words
    (the command: which option or variable named it)."""

    def __init__(self, message: str, protocol: str, studies: tuple[str, ...], database: str):
        super().__init__(message)
        self.protocol = protocol  # as asked for
        self.studies = studies  # the protocols the database holds
        self.database = database  # as the message names it


class NoDatabase(DatabaseProblem):
    """No file where the database was named (a network drive not mounted yet, a path mistyped).
    Carries the path as the message names it, so that a front end says it in its own words: the
    command names the command that creates one, a window what a desktop user can do."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


# The kinds of database fault, told apart because each needs a different remedy: advising a
# restore for a full disk or a busy workstation would throw away saved work.


class DiskFull(DatabaseProblem):
    """No space left for the database (or a file beside it): free space, then try again."""


class ReadOnlyDatabase(DatabaseProblem):
    """The database file or its folder may not be written by this account."""


class DatabaseBusy(DatabaseProblem):
    """Another workstation held the write lock too long; the step can simply be tried again."""


class NotADispensaryDatabase(DatabaseProblem):
    """The file is not a database of this program (another program's, a text file, empty)."""


class DatabaseDamaged(DatabaseProblem):
    """The file is a Dispensary database whose pages are damaged: restore the last backup."""


class Unprotected(DatabaseDamaged):
    """A Dispensary database whose append-only protection (the triggers that refuse a change to
    a record of what happened) was removed, disabled or altered outside the program: its records
    could have been changed since. Refused, never repaired silently (putting the triggers back
    would hide what was done meanwhile); `audit verify` names it. Carries the triggers, as said."""

    def __init__(self, message: str, triggers: str):
        super().__init__(message)
        self.triggers = triggers


class ChainOutOfStep(DatabaseProblem):
    """The chain head does not match the last audit entry or ledger row: the database was changed
    outside the program. Nothing more is written until it is investigated (audit verify) or a
    good backup is restored; reading, verifying and restoring still work."""


class ChainBroken(DispensaryError):
    """The audit trail does not verify, so no verification code is given for it: a code says
    later that the trail still holds the point it was taken at. Exits as a failed `audit verify`
    does (6)."""

    exit_code = 6


class AppendOnly(DatabaseProblem):
    """A change or removal of a saved record of what happened (a ledger row, an audit entry, a
    signature, a dispense, a return...): those records are append-only. Refused by the program
    (db.guards) before anything is written, and by the database's own triggers; nothing was
    written. A mistake is put right by a correction that names the record, never by an edit."""


class UnrecordedWrite(RuntimeError):
    """A transaction would commit rows that no audit entry lists (a program error, not the
    user's): refused at commit, nothing saved."""
