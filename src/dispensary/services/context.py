"""What every service call needs: the engine, the study, a clock, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Protocol

from sqlalchemy import Engine

from dispensary.domain.codes import Role
from dispensary.study import Study


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...

    def day_of(self, at: datetime) -> date:
        """The date today() said at the moment `at` (a time this clock's now() gave): the day
        a recorded time counts for, by the same reckoning as today()."""
        ...


def local_day_start(day: date) -> datetime:
    """The moment `day` begins on this workstation's clock (its local time zone: the day
    SystemClock.day_of counts a moment for), in UTC: the first moment whose local date is
    `day`. Where the clocks go forward at midnight (America/Santiago, 6 Sep 2026: 00:00 is
    01:00) the day begins at the first time that exists, 01:00, not at the hour before
    midnight that naive arithmetic reaches; where midnight is passed twice, at the first.
    The one rule for local days: the audit trail's filter and the temperature kits' days."""
    readings = [
        datetime.combine(day, time.min).replace(fold=fold).astimezone().astimezone(UTC)
        for fold in (0, 1)
    ]
    on_the_day = [at for at in readings if at.astimezone().date() == day]
    return min(on_the_day) if on_the_day else max(readings)


def local_day(at: datetime) -> date:
    """The local day (this workstation's zone, as `local_day_start` reckons days) a recorded
    moment falls on: `local_day_start(local_day(at)) <= at`. Not the UTC date of `at`, which
    east of UTC puts the local small hours on the day before."""
    return at.astimezone().date()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return date.today()

    def day_of(self, at: datetime) -> date:
        return local_day(at)  # the local date, as date.today()


@dataclass
class FixedClock:
    """A settable clock so tests and the demo can say what "today" is."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.date()

    def day_of(self, at: datetime) -> date:
        return at.astimezone(self.current.tzinfo).date() if at.tzinfo else at.date()

    def set_date(self, day: date, hour: int = 9) -> None:
        self.current = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)

    def not_before(self, at: datetime | None) -> None:
        """Moves the clock on to `at` (the audit trail's last entry) when that is later on the
        clock's own day; an earlier time, or one of another day, leaves it as it is."""
        if at is not None and at > self.current and self.day_of(at) == self.today():
            self.current = at


EVENING = time(18, 0)
"""A fixed day's clock runs in its evening, after the demo's working day (which ends 17:00)."""


def clock_on(day: date, real: datetime | None = None) -> FixedClock:
    """ "Today" fixed to `day` (DISPENSARY_TODAY, for training and tests), at a time that moves
    on as the real day does: the real day's 24 hours run through `day`'s last six, so commands
    made one after another stay in order and come after anything the demo recorded that day
    (the real time of day could be earlier than the last entry: 00:06 after a 17:00 entry).

    At real midnight it starts again at 18:00, behind the entries made late the real day
    before: the command moves it on to the trail's last entry of `day` once the database is
    open (FixedClock.not_before, services.setup.training_clock_on_trail), so a session across
    midnight, or taken up again days later, records on and never goes back."""
    now = real or datetime.now(UTC)
    into_day = now - datetime.combine(now.date(), time(0), now.tzinfo)
    return FixedClock(datetime.combine(day, EVENING, UTC) + into_day / 4)


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the services see them: no password, no session."""

    user_id: int
    username: str
    full_name: str
    initials: str
    role: Role
    # An administrator set the password: only a change of password is allowed until then.
    must_change_password: bool = False
    language: str = ""  # the language of the user's windows; "": not chosen (workstation's)
    studies: frozenset[int] = frozenset({1})
    """The ids of the studies the user was given access to when signed in (an administrator:
    every study). services.permissions.require refuses a step in any other study."""
    locked: bool = False
    """The user's window is locked (the desk left unattended): services.permissions.require
    refuses every step, so a dialog still open when the lock came saves nothing."""


@dataclass(frozen=True)
class Context:
    """One study of one database: every service call works in `study` (its row `study_id`);
    another study of the same database is another Context (services.studies.switch)."""

    engine: Engine
    study: Study
    clock: Clock
    database: str = ""
    study_id: int = 1  # the first study of a database is 1 (`init` stores it first)
    closed: bool = False  # the study is closed: its records are read, not added to
    version: int = 1
    """The version of the study file `study` was read from (StudyRow.version): a window whose
    context is older than the stored file reads it again (ui.main_window.reload_studies)."""
    stand_in: bool = False
    """`study` is a stand-in: the database's stored studies could not be read (a study row
    deleted or its text altered outside the program), and it was opened only for the trail's
    verification (services.setup.open_database's `studies_unread`), a step of the site's."""
