"""Temperature excursions from a data logger's CSV: kits stored there go to quarantine."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    FIRST_STUDY,
    AuditEntry,
    Destruction,
    Dispense,
    DispenseKit,
    DispenseVoid,
    Excursion,
    Kit,
    Participant,
    Shipment,
    StudyRecord,
    User,
)
from dispensary.domain import reasons
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.lifecycle import KitEvent
from dispensary.domain.rules import check_date_window, check_text, parse_decimal
from dispensary.files import with_detail
from dispensary.i18n import N_, _, listed, utc_offset
from dispensary.services.audit import Recorder
from dispensary.services.common import of_study
from dispensary.services.context import Actor, Context, local_day, local_day_start
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.stock import move_kit
from dispensary.services.study_versions import refuse_study_file_changed
from dispensary.study import parse_study

OLDEST_READING = timedelta(days=3653)
"""How far back a logger file may reach: 10 years before now. A reading older than that is a
logger clock that was never set (often 1900 or 2000-01-01), not the storage history of kits in
stock, and would file an excursion under a date no one can check."""


@dataclass(frozen=True)
class Reading:
    at: datetime
    celsius: float
    line: int = 0  # of the logger file, to name it in a refusal


@dataclass(frozen=True)
class KitGone:
    """A kit that was in the storage area during an excursion and is not on its shelf at the
    import: dispensed (to `participant`, study number and initials, on `on`), returned after
    that, or destroyed (on `on`). Not quarantined (nothing is left to quarantine): named, so
    the pharmacist tells the sponsor and the investigator; what the exposure means is theirs
    to decide. `by_day`: when it arrived or left is known by its day only (the step was entered
    on a later day), and it is counted as in the store all that day."""

    kit: str
    status: str  # the kit's status now (KitStatus value): dispensed, returned or destroyed
    on: date | None  # dispensed on (destroyed on, for a kit never dispensed); None: not known
    participant: str = ""  # study number ("" for a kit never dispensed)
    initials: str = ""
    by_day: bool = False


@dataclass(frozen=True)
class ExcursionResult:
    """One excursion an import recorded: readings outside one study's range, and that study's
    available kits in the area it quarantined. `study` is "" and `kits_quarantined` empty for a
    study the importer has no access to: its kits are quarantined all the same (the logger file
    is the site's), counted in `other_kits`, their numbers that study's to read."""

    excursion_id: int
    storage_area: str
    started_at: datetime
    ended_at: datetime
    lowest: float
    highest: float
    kits_quarantined: tuple[str, ...]
    study: str = ""  # the protocol whose range was left ("": a study the importer cannot see)
    min_celsius: float | None = None  # that study's range ([temperature] of its file); None:
    max_celsius: float | None = None  # a study the importer cannot see
    other_kits: int = 0  # kits of a study the importer has no access to, quarantined
    continues: tuple[int, ...] = ()  # the excursions on record this one is the rest of
    # kits in the area during it, dispensed or gone since (`KitGone`): to tell the sponsor
    kits_gone: tuple[KitGone, ...] = ()
    # kits quarantined whose receipt is known by its day only: counted as there all that day
    quarantined_by_day: tuple[str, ...] = ()
    # kits in the area during it that were quarantined already (by an earlier excursion, or
    # for another reason): exposed to it all the same, named, not quarantined again
    kits_already_quarantined: tuple[str, ...] = ()
    # the file's readings next to it, within the range (`in_range_around`): how long it may
    # have lasted at the longest; None where the file has none (it starts or ends outside)
    in_range_before: datetime | None = None
    in_range_after: datetime | None = None

    def notices(self, area: str) -> list[str]:
        """What to tell whom of the kits there during it (`gone_notices`), said under it."""
        return gone_notices(self, area)

    @property
    def participants(self) -> tuple[str, ...]:
        """The participants given a kit that was in the store during it ("01-016 RY"), once
        each, in the order of the kits."""
        found = [f"{k.participant} {k.initials}".strip() for k in self.kits_gone if k.participant]
        return tuple(dict.fromkeys(found))

    @property
    def own(self) -> bool:
        """An excursion of a study the importer may read (its kits named)."""
        return bool(self.study)


@dataclass(frozen=True)
class _StudyInArea:
    """A study whose kits an import judges: by its own study file's temperature range."""

    study_id: int
    protocol: str
    low: float
    high: float
    readable: bool  # the importer has access to it
    stocked: bool = True  # it has available kits there now (else only kits gone since)


def _studies_in_area(session: Session, ctx: Context, actor: Actor, area: str) -> list[_StudyInArea]:
    """The study open, then each other study with kits kept in `area` (by protocol), each with
    its own temperature range: a shared shelf is judged study by study, not by the range of
    the study that happens to import the file."""
    # A study with stock on the shelf now is judged; so is one whose kits there were all
    # dispensed, destroyed or quarantined since, but it takes a record only of an excursion
    # during which some of them were there (`_kits_there`: the sponsor and the monitor are to
    # be told of every kit exposed to it). A closed study has nothing to protect and takes no
    # records.
    kept = {
        (FIRST_STUDY if sid is None else int(sid), status)
        for sid, status in session.execute(
            select(Kit.study_id, Kit.status)
            .where(Kit.location == area, Kit.status.in_((KitStatus.AVAILABLE.value, *_HELD_GONE)))
            .distinct()
        ).tuples()
    }
    here = {sid for sid, _status in kept}
    stocked = {sid for sid, status in kept if status == KitStatus.AVAILABLE.value}
    found = [
        _StudyInArea(
            ctx.study_id,
            ctx.study.protocol,
            ctx.study.temperature.min_celsius,
            ctx.study.temperature.max_celsius,
            True,
        )
    ]
    readable = Readable(session, actor)  # as the database holds it now, asked if another study
    for record in session.scalars(
        select(StudyRecord)
        .where(StudyRecord.id.in_(sorted(here - {ctx.study_id})), StudyRecord.closed_at.is_(None))
        .order_by(StudyRecord.protocol)
    ):
        study = parse_study(record.source_text, f"{ctx.database} (stored study)")
        found.append(
            _StudyInArea(
                record.id,
                record.protocol,
                study.temperature.min_celsius,
                study.temperature.max_celsius,
                record.id in readable,
                record.id in stocked,
            )
        )
    return found


def _runs(
    readings: list[Reading], low: float, high: float, gaps: tuple[LoggerGap, ...] = ()
) -> list[list[Reading]]:
    """The runs of consecutive readings outside low..high: each one excursion. A run ends at
    a gap in the readings (`file_gaps`): what the temperature was while the logger recorded
    nothing is not known, and an excursion spanning two days without a reading would say it
    was out all that time."""
    after_gap = {g.end for g in gaps}  # the first reading after each gap
    runs: list[list[Reading]] = []
    previous_outside = False
    for reading in readings:
        outside = not low <= reading.celsius <= high
        if outside and previous_outside and reading.at not in after_gap:
            runs[-1].append(reading)
        elif outside:
            runs.append([reading])
        previous_outside = outside
    return runs


GAP_INTERVALS = 2
"""A gap in a logger file: a time between two readings longer than this many times the file's
usual interval (the median interval between its readings), so a single reading missed is not
one and the next one is. No study or site setting says a logger's interval: the file does."""


@dataclass(frozen=True)
class LoggerGap:
    """A stretch inside a logger file with no reading: from the reading before it to the one
    after it, longer than GAP_INTERVALS times the file's usual interval. `outside`: the reading
    before or after it was outside the study's range (an excursion ends or starts at it)."""

    start: datetime
    end: datetime
    interval: timedelta  # the file's usual interval
    outside: bool = False


def file_gaps(readings: list[Reading]) -> tuple[LoggerGap, ...]:
    """The gaps in a file's readings (in time order): each time between two readings longer
    than GAP_INTERVALS times the median interval. Readings at one time count once."""
    steps = [b.at - a.at for a, b in pairwise(readings) if b.at > a.at]
    if len(steps) < 2:  # one interval is the file's only one: no usual interval to judge by
        return ()
    usual = statistics.median_low(steps)
    return tuple(
        LoggerGap(a.at, b.at, usual)
        for a, b in pairwise(readings)
        if b.at - a.at > GAP_INTERVALS * usual
    )


UTF8 = "UTF-8"
GB18030 = "GB18030"


def logger_text(data: bytes, name: str) -> tuple[str, str]:
    """A logger file's bytes as text, and the encoding read: UTF-8 first (a byte order mark
    dropped), then GB18030, the encoding Chinese Excel saves CSV in (GBK's superset), both
    strictly: bytes neither reads whole, or holding a NUL (UTF-16, a spreadsheet), are refused
    rather than read as something else."""
    if b"\x00" not in data:
        for encoding, codec in ((UTF8, "utf-8-sig"), (GB18030, "gb18030")):
            try:
                return data.decode(codec), encoding
            except UnicodeDecodeError:
                continue
    raise InvalidInput(
        _(
            "{name} is not a text (CSV) file in UTF-8 or GB18030 (Chinese Excel's CSV): export "
            "the logger's readings as CSV, or save the file as CSV UTF-8, and import it again."
        ).format(name=name)
    )


def parse_logger_csv(text: str, now: datetime | None = None) -> list[Reading]:
    """A logger export: a header with 'timestamp' (ISO 8601, or as Excel saves it:
    `_reading_time`) and 'celsius' (or 'temperature').
    Given `now`, every reading must lie within OLDEST_READING before it and not after it."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _parse_logger_csv(reader, now)
    except csv.Error as exc:  # a stray carriage return, a field past the limit
        raise InvalidInput(
            with_detail(
                _(
                    "Line {line} of the logger file cannot be read as CSV. Check that the file "
                    "is the logger's export, saved as CSV, then import it again."
                ).format(line=reader.line_num),
                exc,
            )
        ) from exc


_EXCEL_TIME = re.compile(
    r"([0-9]{4})([/-])([0-9]{1,2})\2([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})"
    r"(:[0-9]{2}(?:\.[0-9]+)?)?(.*)"
)
"""A time as Chinese Excel saves it in a CSV: 2026/12/5 8:00 (its default), or 2026-12-5 8:00,
the month, day and hour in one digit where they have one, seconds optional."""


def _iso_form(raw: str) -> str:
    """`raw` in the ISO 8601 form: a time Excel wrote (`_EXCEL_TIME`) with its date and hour
    in two digits and a dash between year, month and day, whatever follows it (a zone) kept;
    any other text as it is."""
    found = _EXCEL_TIME.fullmatch(raw)
    if found is None:
        return raw
    year, _dash, month, day, hour, minute, seconds, rest = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}{seconds or ''}{rest}"


def _reading_time(raw: str) -> datetime:
    """An ISO 8601 time in UTC, within the plausible window of dates: a year such as 0001 or
    9999 is a logger fault, and would leave the calendar when converted to UTC. A time without
    a zone is the site's local time, the zone of this computer (`local_zone`): loggers write
    the wall clock of the room (taken as UTC, a Henan export of this morning was "after now"
    and yesterday's excursion was recorded 8 hours late). The form Chinese Excel saves a CSV's
    times in, 2026/12/5 8:00 (`_EXCEL_TIME`), is read as that ISO time, by the same rule (a
    file saved from Excel was refused)."""
    try:
        if not raw.isascii():
            raise ValueError(raw)
        written = datetime.fromisoformat(_iso_form(raw))
    except ValueError as exc:
        raise InvalidInput(_not_a_time(raw)) from exc
    if written.tzinfo is None:  # before year 1 leaves the calendar in the local zone
        check_date_window(written.date(), N_("reading date"))
    try:
        at = written.astimezone(UTC)  # a naive time: the local one
    except (ValueError, OverflowError, OSError) as exc:
        raise InvalidInput(_not_a_time(raw)) from exc
    check_date_window(at.date(), N_("reading date"))
    return at


def _not_a_time(raw: str) -> str:
    """A reading's time that cannot be read, with the form that can (2026/12/05 10:00 was
    refused with no example of what to write)."""
    return _(
        "'{time}' is not a time: the logger's export must write it as year-month-day and a "
        "24-hour time, e.g. 2026-12-05 10:00, 2026/12/5 10:00 (as Excel saves it) or "
        "2026-12-05T10:00:00+08:00 (with its zone)."
    ).format(time=raw[:30])


def local_zone(at: datetime | None = None) -> str:
    """The zone a logger time without one is read in: this computer's, as its offset from UTC
    ("UTC+08:00") at `at` (now when not given), the way screens and reports name a zone."""
    return utc_offset((at or datetime.now(UTC)).astimezone())


_WHOLE = re.compile(r"[+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class _Row:
    """A data row of the logger file: its line, cells and the cells after the header's."""

    line: int
    cells: list[str]


def _parse_logger_csv(reader: Any, now: datetime | None) -> list[Reading]:
    header = next((row for row in reader if row), None)  # blank lines before it skipped
    if header is None:
        raise InvalidInput(_("The logger file holds no readings."))
    time_at, temp_at = _columns(header, reader.line_num)
    rows = [_Row(reader.line_num, row) for row in reader if row]  # line counts blank lines
    # A file that never writes a temperature with a decimal point may be one written with a
    # decimal comma, its decimals in the next column: there a named column's digits are not
    # taken for a value of its own either.
    no_point = not any("." in _cell(r.cells, temp_at) for r in rows)
    readings = []
    for row in rows:
        line_no = row.line
        raw_time = _cell(row.cells, time_at)
        raw_temp = _cell(row.cells, temp_at)
        extra = [cell for cell in row.cells[len(header) :] if cell.strip()]
        if extra:
            # "25,9" written with a decimal comma reads as 25 and a stray 9: the excursion to
            # 25.9 °C would be missed. Nothing is guessed.
            raise InvalidInput(
                _(
                    "Logger line {line} has more cells than the header names: a temperature "
                    "written with a decimal comma (25,9) reads as two cells. Export the file "
                    "with a decimal point (25.9) and import it again; nothing was imported."
                ).format(line=line_no)
            )
        if not raw_time and not raw_temp:
            continue
        _refuse_decimal_comma(row, header, temp_at, no_point)
        try:
            at = _reading_time(raw_time)
            celsius = parse_decimal(raw_temp, N_("temperature"))
        except InvalidInput as exc:
            raise InvalidInput(
                _("Logger line {line}: {refusal}").format(line=line_no, refusal=exc.message)
            ) from exc
        if not -80 <= celsius <= 80:
            raise InvalidInput(
                _("Logger line {line}: {celsius} °C is not plausible.").format(
                    line=line_no, celsius=celsius
                )
            )
        if now is not None:
            _check_within_history(at, now, line_no)
        readings.append(Reading(at, celsius, line_no))
    if not readings:
        raise InvalidInput(_("The logger file holds no readings."))
    return _distinct(sorted(readings, key=lambda r: (r.at, r.line)))


def _distinct(readings: list[Reading]) -> list[Reading]:
    """Each reading once: a logger downloaded twice into one file repeats its readings (they
    were counted twice, "Readings 40" for 20). Two temperatures for one time are two loggers'
    readings, or a fault: refused, nothing guessed."""
    found: list[Reading] = []
    for reading in readings:  # in time order
        if found and found[-1].at == reading.at:
            if found[-1].celsius != reading.celsius:
                raise InvalidInput(
                    _(
                        "Logger lines {first} and {second} give two temperatures for one time, "
                        "{at}: {one:g} and {other:g} °C. Export one logger's readings and import "
                        "them again; nothing was imported."
                    ).format(
                        first=found[-1].line,
                        second=reading.line,
                        at=_when(reading.at),
                        one=found[-1].celsius,
                        other=reading.celsius,
                    )
                )
            continue
        found.append(reading)
    return found


TIME_NAMES = ("timestamp", "time", "时间")
TEMPERATURE_NAMES = ("celsius", "temperature", "温度")
"""The column names a logger file's header may give (in any case, a unit of degrees Celsius
after the temperature's: "Temperature (°C)", "温度(℃)"): those no other column could mean."""

_CELSIUS_UNIT = re.compile(r"\s*[(\[（]\s*(°\s*c|℃|c)\s*[)\]）]\s*$")


def _column_name(name: str) -> str:
    """A header cell as compared: trimmed, in lower case, a degrees Celsius unit dropped."""
    return _CELSIUS_UNIT.sub("", name.strip().lower()).strip()


def _columns(header: list[str], line: int) -> tuple[int, int]:
    """Where the time and the temperature are: the one column of each name, or a refusal that
    quotes the line taken for the header and says what it needs (a device preamble, a
    semicolon-separated file and an unknown name got one identical message)."""
    names = [_column_name(cell) for cell in header]
    times = [i for i, name in enumerate(names) if name in TIME_NAMES]
    temps = [i for i, name in enumerate(names) if name in TEMPERATURE_NAMES]
    if len(times) == 1 and len(temps) == 1:
        return times[0], temps[0]
    shown = ",".join(header)
    shown = shown if len(shown) <= 60 else shown[:60] + "…"
    if len(times) > 1 or len(temps) > 1:
        raise InvalidInput(
            _(
                "The logger file's header (line {line}: '{header}') names the time or the "
                "temperature in more than one column: keep one 'timestamp' and one 'celsius' "
                "column and import it again; nothing was imported."
            ).format(line=line, header=shown)
        )
    if len(header) == 1 and ";" in header[0]:
        hint = _(
            "Its columns are separated by semicolons: export the file with commas (,) between "
            "the columns and a decimal point (25.9), then import it again."
        )
    else:
        hint = _(
            "Remove any lines above the header (the logger's name, serial number or start "
            "time) and import it again."
        )
    raise InvalidInput(
        _(
            "The logger file's header was taken from line {line}: '{header}'. It needs a "
            "column 'timestamp' (or 'time', 时间) and a column 'celsius' (or 'temperature', "
            "'Temperature (°C)', 温度). {hint} Nothing was imported."
        ).format(line=line, header=shown, hint=hint)
    )


def _cell(cells: list[str], at: int) -> str:
    return cells[at].strip() if at < len(cells) else ""


def _refuse_decimal_comma(row: _Row, header: list[str], temp_at: int, no_point: bool) -> None:
    """A whole temperature followed by a cell of digits only is "25,9" written with a decimal
    comma, split in two, when that cell is not a column of its own: a column the header does
    not name (a trailing comma, "timestamp,celsius,"), a row with more cells than the header
    (the alarm column's cell pushed one to the right, even empty), or, in a file that never
    writes a decimal point, any column. Nothing is guessed: the row is refused. A file with
    decimal points ("21.5,0") keeps its alarm or humidity column as it is."""
    whole = _cell(row.cells, temp_at)
    after = _cell(row.cells, temp_at + 1)
    if not _WHOLE.fullmatch(whole) or not _DIGITS.fullmatch(after):
        return
    unnamed = temp_at + 1 >= len(header) or not header[temp_at + 1].strip()
    if unnamed or len(row.cells) > len(header) or no_point:
        raise InvalidInput(
            _(
                "Logger line {line}: the temperature {whole} is followed by {digits} in the "
                "next cell, as a temperature written with a decimal comma ({whole},{digits}) "
                "is split in two; its value is not guessed. Export the file with a decimal "
                "point ({whole}.{digits}) and import it again; nothing was imported."
            ).format(line=row.line, whole=whole, digits=after)
        )


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_within_history(at: datetime, now: datetime, line_no: int) -> None:
    """Not after now (the logger's clock runs ahead), not more than OLDEST_READING before it."""
    if at > now:
        raise InvalidInput(
            _(
                "Logger line {line} has a reading at {at}, after now ({now}): check the logger's "
                "clock and export again. Nothing was imported."
            ).format(line=line_no, at=_when(at), now=_when(now))
        )
    if at < now - OLDEST_READING:
        raise InvalidInput(
            _(
                "Logger line {line} has a reading at {at}, more than 10 years ago: check the "
                "logger's clock (it may never have been set) and export again. Nothing was "
                "imported."
            ).format(line=line_no, at=_when(at))
        )


def study_areas(session: Session, ctx: Context) -> dict[str, datetime]:
    """The storage areas the study open keeps kits in, each with when its first kit of the
    study arrived there (the start of the local day received, `local_day_start`: the day a
    receipt is dated is the pharmacy's). An area several studies share is
    each study's from its own first kit; an area only another study uses is none of this
    study's records (its name, its gaps or its excursions)."""
    return {
        area: local_day_start(first)
        for area, first in session.execute(
            select(Kit.location, func.min(Shipment.received_on))
            .join(Shipment, Shipment.id == Kit.shipment_id)
            .where(Kit.study_id == ctx.study_id)
            .group_by(Kit.location)
        ).tuples()
    }


def study_area_names(session: Session, ctx: Context) -> set[str]:
    """The study's storage areas: the one its study file names, and those its kits are in."""
    return {ctx.study.storage_area} | set(study_areas(session, ctx))


def _known_area(ctx: Context, area: str) -> str:
    """The storage area as the records spell it: the study's, or where one of its kits is kept,
    given as recorded or as a reader of any of the study's languages names it (试验药物库房1,
    as the Chinese screens and this command's Chinese output show it). A typo would otherwise
    quarantine nothing and record an excursion for a place that does not exist; another study's
    area is that study's to record (and not named here)."""
    with read_transaction(ctx.engine) as session:
        known = sorted(study_area_names(session, ctx))
    found = _area_named(ctx, known, area)
    if found is not None:
        return found
    raise InvalidInput(
        _(
            "'{area}' is not a storage area in use. Known areas: {known}. Nothing was imported."
        ).format(area=area, known=listed(ctx.study.area_name(name) for name in known))
    )


def _area_named(ctx: Context, known: list[str], area: str) -> str | None:
    """The recorded name of the area `area` names, in any case and any of the study's
    languages; None when it names none of `known`."""
    wanted = area.strip().casefold()
    for name in known:
        said = {name, *(ctx.study.area_name(name, language) for language in ctx.study.texts)}
        if wanted in {n.casefold() for n in said}:
            return name
    return None


@dataclass(frozen=True)
class OnRecord:
    """An excursion a file holds that an earlier import recorded: not recorded again. When the
    file's run of readings is longer, the rest is a new excursion that `continues` it."""

    excursion_id: int
    storage_area: str
    started_at: datetime
    ended_at: datetime
    imported_at: datetime
    source: str
    study: str  # whose range was left ("": recorded before each study was judged by its own)
    manual: bool = False  # a thermometer's reading entered by hand (`record_manual_reading`)


@dataclass(frozen=True)
class LoggerImport:
    """What importing one logger file did: the excursions it recorded (`excursions`), and
    those of its readings already on record (`on_record`), not recorded twice: a cumulative
    export holds last week's excursion again."""

    storage_area: str
    source: str
    excursions: tuple[ExcursionResult, ...]
    on_record: tuple[OnRecord, ...] = ()
    gaps: tuple[LoggerGap, ...] = ()  # stretches of the file without a reading
    manual: bool = False  # a thermometer's reading entered by hand (`record_manual_reading`)


def _recorded_in(
    session: Session, area: str, start: datetime, end: datetime
) -> list[tuple[Excursion, str]]:
    """The excursions on record in `area` that overlap start..end, each with the study whose
    range it left ("" for one recorded before each study was judged by its own range: every
    study's), oldest first."""
    found = list(
        session.scalars(
            select(Excursion)
            .where(
                Excursion.storage_area == area,
                Excursion.started_at <= end,
                Excursion.ended_at >= start,
            )
            .order_by(Excursion.started_at, Excursion.id)
        )
    )
    if not found:
        return []
    studies: dict[str, str] = {}
    for entity_id, new in session.execute(
        select(AuditEntry.entity_id, AuditEntry.new).where(
            AuditEntry.action == AuditAction.TEMPERATURE_EXCURSION.value,
            AuditEntry.entity_id.in_([str(e.id) for e in found]),
        )
    ).tuples():
        try:
            study = json.loads(new).get("study") if new else None
        except (ValueError, AttributeError):
            continue
        if isinstance(study, str):
            studies[entity_id] = study
    return [(e, studies.get(str(e.id), "")) for e in found]


def excursions_exposing(
    session: Session, ctx: Context, area: str, day: date, entered_at: datetime
) -> list[Excursion]:
    """The excursions on record in `area` that a kit received into it on `day`, the receipt
    entered at `entered_at`, was there for: by the rule `_kits_there` counts a kit there (from
    its arrival, `_when_on`, until the excursion's end), so that a receipt entered late is
    judged as an import finds the kits already there. The study's own excursions, and those
    recorded before each study was judged by its own range (every study's); oldest first."""
    arrived, _by_day = _when_on(day, entered_at, leaving=False)
    return [
        excursion
        for excursion, study in _recorded_in(session, area, arrived, entered_at)
        if study in ("", ctx.study.protocol)
    ]


def _new_parts(
    run: list[Reading], recorded: list[tuple[Excursion, str]], protocol: str
) -> tuple[list[list[Reading]], list[tuple[Excursion, str]]]:
    """A study's run of readings outside its range against the excursions on record: the parts
    of it no excursion of the study's (or of every study's) covers yet, to be recorded, and the
    excursions on record it overlaps. The same excursion again leaves no part; a longer one
    (an export that ended mid-excursion, then the next) leaves the rest before or after."""
    start, end = run[0].at, run[-1].at
    mine = [
        (e, study)
        for e, study in recorded
        if study in ("", protocol) and e.started_at <= end and e.ended_at >= start
    ]
    parts: list[list[Reading]] = []
    previous_new = False
    for reading in run:
        new = not any(e.started_at <= reading.at <= e.ended_at for e, _study in mine)
        if new and previous_new:
            parts[-1].append(reading)
        elif new:
            parts.append([reading])
        previous_new = new
    return parts, mine


def in_range_around(
    readings: list[Reading],
    run: list[Reading],
    low: float,
    high: float,
    index: dict[datetime, int] | None = None,
) -> tuple[datetime | None, datetime | None]:
    """The times of the readings just before and just after `run` in the file, each when it is
    within low..high: the excursion began after the one and ended before the other, so lasted
    at most from the one to the other (its first and last readings outside alone say 0 minutes
    for a single reading). None where the file has no reading there, or the next one is
    outside too (an excursion on record it continues). `index`: each reading's place by its
    time, made once for a file of many excursions."""
    at = index if index is not None else {r.at: i for i, r in enumerate(readings)}
    first, last = at[run[0].at], at[run[-1].at]
    before = readings[first - 1] if first > 0 else None
    after = readings[last + 1] if last + 1 < len(readings) else None
    return (
        before.at if before is not None and low <= before.celsius <= high else None,
        after.at if after is not None and low <= after.celsius <= high else None,
    )


def longest_text(before: datetime | None, after: datetime | None) -> str:
    """How long an excursion may have lasted, by the readings within the range next to it in
    its file (`in_range_around`), in UTC: its readings outside alone gave 0 minutes for a
    single one ("04:30 to 04:30 UTC"), where the sponsor judges by how long it could have
    lasted. "" when neither is known."""

    def at(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")

    if before is not None and after is not None:
        return _("between {before} and {after} UTC at the longest").format(
            before=at(before), after=at(after)
        )
    if before is not None:
        return _("from {before} UTC at the earliest; no reading within the range after it").format(
            before=at(before)
        )
    if after is not None:
        return _("until {after} UTC at the latest; no reading within the range before it").format(
            after=at(after)
        )
    return ""


def excursion_bounds(session: Session) -> dict[int, tuple[datetime | None, datetime | None]]:
    """The in-range readings before and after each excursion (`in_range_around`) as its
    import's audit entry keeps them; none for an excursion recorded before they were kept.
    Read by the index of the action."""
    found: dict[int, tuple[datetime | None, datetime | None]] = {}
    for entity_id, new in session.execute(
        select(AuditEntry.entity_id, AuditEntry.new).where(
            AuditEntry.action == AuditAction.TEMPERATURE_EXCURSION.value,
            AuditEntry.new.like('%"in_range_%'),
        )
    ).tuples():
        try:
            values = json.loads(new)
            found[int(entity_id)] = (
                _utc(values.get("in_range_before")),
                _utc(values.get("in_range_after")),
            )
        except (ValueError, AttributeError, TypeError):
            continue
    return found


def _utc(value: object) -> datetime | None:
    """An ISO time an audit entry keeps, in UTC; None when it keeps none."""
    if not isinstance(value, str):
        return None
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def readings_digest(readings: list[Reading]) -> str:
    """What a file read, whatever its layout: the SHA-256 of its readings, in UTC and in order
    ("2026-12-04T06:00:00+00:00,26.5" a line), to know the same file imported again."""
    text = "\n".join(f"{r.at.astimezone(UTC).isoformat()},{r.celsius!r}" for r in readings)
    return hashlib.sha256(text.encode()).hexdigest()


def _refuse_same_readings(
    session: Session,
    ctx: Context,
    area: str,
    readings: list[Reading],
    digest: str,
    source: str,
    manual: bool,
) -> None:
    """The same readings of an area imported again would be a second check of one file (the
    screen counted two logger files) and record nothing new: refused, naming when and from
    which file they were imported. An import recorded before the digest was kept is known by
    its span, count and range."""
    for action, entity_id, new, at in session.execute(
        select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.new, AuditEntry.at)
        .where(AuditEntry.action.in_(_LOGGER_ACTIONS))
        .order_by(AuditEntry.id)
    ).tuples():
        check = _logger_check(action, entity_id, new, at, "", "")
        if check is None or check.storage_area != area:
            continue
        try:
            kept = json.loads(new).get("readings_sha256")
        except (ValueError, AttributeError):
            continue
        same = (
            kept == digest
            if isinstance(kept, str)
            else (
                check.readings_from,
                check.readings_to,
                check.readings,
                check.lowest,
                check.highest,
            )
            == (
                readings[0].at,
                readings[-1].at,
                len(readings),
                min(r.celsius for r in readings),
                max(r.celsius for r in readings),
            )
        )
        if same and manual:
            raise RuleViolation(
                _(
                    "This reading of {area} at {at} was entered on {day} already; nothing was "
                    "recorded."
                ).format(
                    area=ctx.study.area_name(area),
                    at=_when(readings[0].at),
                    day=local_day(at).isoformat(),
                )
            )
        if same:
            raise RuleViolation(
                _(
                    "The readings of {area} in {name} were imported on {day} already (from "
                    "{source}); nothing was recorded."
                ).format(
                    area=ctx.study.area_name(area),
                    name=source[:200],
                    day=local_day(at).isoformat(),
                    source=source_text(check.source, check.manual),
                )
            )


def import_logger(
    ctx: Context, actor: Actor, storage_area: str, text: str, source: str = "logger.csv"
) -> list[ExcursionResult]:
    """The excursions `import_logger_file` recorded."""
    return list(import_logger_file(ctx, actor, storage_area, text, source).excursions)


def import_logger_file(
    ctx: Context, actor: Actor, storage_area: str, text: str, source: str = "logger.csv"
) -> LoggerImport:
    """Reads a logger file of a storage area and records, for each study with kits there, the
    excursions outside that study's own range, quarantining its available kits (one audit entry
    per excursion, listing that study's kits only, so each study's trail holds its own). The
    study open's excursions come first. A study the importer has no access to is protected
    all the same; its kit numbers are not returned. An excursion an earlier import recorded is
    not recorded again (a cumulative export); the rest of a longer one is recorded as a new
    excursion that names the one on record (`continues`)."""
    require(actor, Permission.TEMPERATURE, ctx, recorded=True)
    area = _known_area(ctx, check_text(storage_area, N_("storage area"), limit=80))
    source = check_text(source[:200] if isinstance(source, str) else source, N_("logger file name"))
    readings = parse_logger_csv(text, ctx.clock.now())
    return _record_readings(ctx, actor, area, readings, source)


MANUAL = "manual"
"""The source of a reading entered by hand (`record_manual_reading`), in the excursion and the
audit entries in place of a logger file's name. What says a reading was entered by hand is the
audit entries' own mark, "manual": true, never this name: a logger file a site names `manual`
is a logger file (`source_text`)."""


def source_text(source: str, manual: bool) -> str:
    """Where readings came from, as screens and reports show it: a logger file's name, or
    "entered by hand" for a reading of the area's thermometer typed in (`manual`: its audit
    entry's mark, whatever the name)."""
    return _("entered by hand") if manual else source


def _marked_manual(new: str | None) -> bool:
    """An import's audit entry marked as a thermometer's reading entered by hand."""
    try:
        values = json.loads(new) if new else {}
        return isinstance(values, dict) and values.get("manual") is True
    except ValueError:
        return False


def excursions_by_hand(session: Session, ids: Sequence[int] | None = None) -> set[int]:
    """The excursions (of `ids`, or all) recorded from a thermometer's reading entered by hand,
    as their audit entries mark them. Read by the index of the action."""
    query = select(AuditEntry.entity_id, AuditEntry.new).where(
        AuditEntry.action == AuditAction.TEMPERATURE_EXCURSION.value,
        AuditEntry.new.like('%"manual"%'),
    )
    if ids is not None:
        query = query.where(AuditEntry.entity_id.in_([str(i) for i in ids]))
    return {
        int(entity_id)
        for entity_id, new in session.execute(query).tuples()
        if entity_id.isdigit() and _marked_manual(new)
    }


def record_manual_reading(
    ctx: Context,
    actor: Actor,
    storage_area: str,
    at: str | datetime | None,
    lowest: str | float | None,
    highest: str | float | None,
) -> LoggerImport:
    """A storage area's minimum and maximum thermometer read by hand at `at` (a time without a
    zone is this computer's, as in a logger file): recorded as a logger file of one or two
    readings (the minimum and the maximum at that time), by the import's own rules: each
    study's range from its study file, an excursion recorded and the kits quarantined for a
    reading outside it, the kits gone or held already named, one audit entry, its source
    `MANUAL` and marked "manual": true. The minimum and maximum are those since the area's
    previous reading: the kits there from that reading on (dispensed since named) are judged
    by the import's rule (`_kits_there`). At least one of `lowest` and `highest` is given."""
    require(actor, Permission.TEMPERATURE, ctx, recorded=True)
    area = _known_area(ctx, check_text(storage_area, N_("storage area"), limit=80))
    when = _manual_time(at, ctx.clock.now())
    values = [
        _manual_celsius(value, name)
        for value, name in (
            (lowest, N_("minimum temperature")),
            (highest, N_("maximum temperature")),
        )
        if value is not None and (not isinstance(value, str) or value.strip())
    ]
    if not values:
        raise InvalidInput(
            _(
                "Give the minimum or the maximum temperature the thermometer shows (or both); "
                "nothing was recorded."
            )
        )
    if len(values) == 2 and values[0] > values[1]:
        raise InvalidInput(
            _(
                "The minimum, {lowest:g} °C, is above the maximum, {highest:g} °C: check which "
                "is which and enter them again; nothing was recorded."
            ).format(lowest=values[0], highest=values[1])
        )
    readings = [Reading(when, celsius, line) for line, celsius in enumerate(sorted(set(values)))]
    return _record_readings(ctx, actor, area, readings, MANUAL, manual=True)


def _manual_time(at: str | datetime | None, now: datetime) -> datetime:
    """The time a thermometer was read, in UTC: given, not after now, not more than
    OLDEST_READING before it."""
    if at is None or (isinstance(at, str) and not at.strip()):
        raise InvalidInput(
            _(
                "Give the time the thermometer was read, e.g. 2026-12-06 08:00; nothing was "
                "recorded."
            )
        )
    if isinstance(at, datetime):
        when = at.astimezone(UTC)  # a naive time: this computer's
    else:
        try:
            when = _reading_time(at.strip())
        except InvalidInput as exc:
            raise InvalidInput(
                _(
                    "'{time}' is not a time: write the year-month-day and a 24-hour time, e.g. "
                    "2026-12-06 08:00; nothing was recorded."
                ).format(time=at.strip()[:30])
            ) from exc
    if when > now:
        raise InvalidInput(
            _(
                "The reading's time, {at}, is after now ({now}): enter the time the thermometer "
                "was read; nothing was recorded."
            ).format(at=_when(when), now=_when(now))
        )
    if when < now - OLDEST_READING:
        raise InvalidInput(
            _(
                "The reading's time, {at}, is more than 10 years ago: enter the time the "
                "thermometer was read; nothing was recorded."
            ).format(at=_when(when))
        )
    return when


def _manual_celsius(value: str | float, name: str) -> float:
    """A temperature typed in: a number (digits and a decimal point), -80 to 80 °C."""
    celsius = parse_decimal(value, name) if isinstance(value, str) else float(value)
    if not -80 <= celsius <= 80:
        raise InvalidInput(
            _("{celsius:g} °C is not plausible; nothing was recorded.").format(celsius=celsius)
        )
    return celsius


def _record_readings(
    ctx: Context,
    actor: Actor,
    area: str,
    readings: list[Reading],
    source: str,
    *,
    manual: bool = False,
) -> LoggerImport:
    """Records the readings of a logger file, or of a thermometer read by hand (`manual`),
    by the rules `import_logger_file` says."""
    file_lowest = min(r.celsius for r in readings)
    file_highest = max(r.celsius for r in readings)
    results: list[ExcursionResult] = []
    on_record: dict[int, OnRecord] = {}
    digest = readings_digest(readings)
    gaps = _marked_gaps(readings, file_gaps(readings), ctx)
    said_gaps = [[g.start.isoformat(), g.end.isoformat()] for g in gaps]
    places = {r.at: i for i, r in enumerate(readings)}  # readings are one a time (`_distinct`)
    with write_transaction(ctx.engine) as session:
        # The study open's range (and its gaps' marks) are its study file's the process read:
        # refused first when that file is no longer the one in force (the other studies' ranges
        # are read from the database below).
        refuse_study_file_changed(session, ctx, "logger")
        _refuse_same_readings(session, ctx, area, readings, digest, source, manual)
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.TEMPERATURE)
        recorded = _recorded_in(session, area, readings[0].at, readings[-1].at)
        by_hand = (
            excursions_by_hand(session, [e.id for e, _whose in recorded]) if recorded else set()
        )
        judged = []
        for study in _studies_in_area(session, ctx, actor, area):
            new_runs: list[tuple[list[Reading], tuple[int, ...]]] = []
            for run in _runs(readings, study.low, study.high, gaps):
                parts, overlapped = _new_parts(run, recorded, study.protocol)
                for e, whose in overlapped:
                    if study.readable and (whose == "" or whose == study.protocol):
                        on_record.setdefault(
                            e.id,
                            OnRecord(
                                e.id,
                                area,
                                e.started_at,
                                e.ended_at,
                                e.at,
                                e.source,
                                whose,
                                e.id in by_hand,
                            ),
                        )
                new_runs.extend((part, tuple(e.id for e, _w in overlapped)) for part in parts)
            judged.append((study, new_runs))
        file_values = {
            "source": source[:200],
            # the span of the whole file: the log's coverage (`coverage`)
            "readings_from": readings[0].at,
            "readings_to": readings[-1].at,
            # the whole file's count and range (`logger_checks`)
            "readings": len(readings),
            "readings_lowest": file_lowest,
            "readings_highest": file_highest,
            # what the file read, to know it again (`_refuse_same_readings`)
            "readings_sha256": digest,
            **({"manual": True} if manual else {}),  # entered by hand (`record_manual_reading`)
        }
        if gaps:  # the file's stretches without a reading: not covered (`coverage`)
            file_values["gaps"] = said_gaps
        if on_record:  # the excursions of the file on record already, not recorded again
            file_values["already_recorded"] = sorted(on_record)
        if not judged[0][1]:  # none of the study open's: its log says the file was checked
            rec.audit(
                AuditAction.TEMPERATURE_CHECKED,
                "storage",
                area,
                {
                    "readings": len(readings),
                    "from": readings[0].at,
                    "to": readings[-1].at,
                    "lowest": file_lowest,
                    "highest": file_highest,
                    "source": source[:200],
                    "study": ctx.study.protocol,
                    "readings_sha256": digest,
                    **({"manual": True} if manual else {}),
                    **({"gaps": said_gaps} if gaps else {}),
                    **({"already_recorded": file_values["already_recorded"]} if on_record else {}),
                },
            )
        # A thermometer read by hand gives its minimum and maximum since the area's previous
        # reading: it may have been out at any time since then, not only when read.
        previous = _previous_reading(session, area, readings[0].at) if manual else None
        for study, runs in judged:
            for run, continues in runs:
                # From the previous reading, the kits there since it (dispensed since named)
                # by the logger path's own rule (`_kits_there`).
                began = _reading_before(session, study.protocol, area, previous)
                there = _kits_there(
                    session, study.study_id, area, previous or run[0].at, run[-1].at
                )
                if not study.stocked and not there.gone and not there.held:
                    continue  # none of its kits was there: nothing to protect or to tell
                excursion = _record_excursion(session, rec, ctx, area, run, source, there)
                kits = [kit.number for kit, _by_day in there.available]
                by_day = [kit.number for kit, by_day in there.available if by_day]
                held = [kit.number for kit in there.held]
                before, after = (
                    # min and max at one time: it began after the previous reading, when that
                    # was within the range (no excursion of the study's on record at it)
                    (began, None)
                    if manual
                    else in_range_around(readings, run, study.low, study.high, places)
                )
                rec.audit(
                    AuditAction.TEMPERATURE_EXCURSION,
                    "excursion",
                    excursion.id,
                    {
                        "storage_area": area,
                        "from": run[0].at,
                        "to": run[-1].at,
                        "lowest": excursion.lowest,
                        "highest": excursion.highest,
                        "kits": kits,
                        # whose range was left, and that range: the study's own file's
                        "study": study.protocol,
                        "min_celsius": study.low,
                        "max_celsius": study.high,
                        # the excursions on record this one is the rest of
                        **({"continues": list(continues)} if continues else {}),
                        # kits there during it, dispensed or gone since: to be told
                        **(
                            {"kits_gone": [_gone_fact(k) for k in there.gone]} if there.gone else {}
                        ),
                        # kits quarantined whose receipt is known by its day only
                        **({"received_by_day": by_day} if by_day else {}),
                        # kits there during it, quarantined already: exposed, not moved again
                        **({"kits_already_quarantined": held} if held else {}),
                        # the readings within the range next to it: how long at the longest
                        **({"in_range_before": before} if before else {}),
                        **({"in_range_after": after} if after else {}),
                        **file_values,
                    },
                )
                results.append(
                    ExcursionResult(
                        excursion.id,
                        area,
                        run[0].at,
                        run[-1].at,
                        excursion.lowest,
                        excursion.highest,
                        tuple(kits) if study.readable else (),
                        study.protocol if study.readable else "",
                        study.low if study.readable else None,  # a study not to be read
                        study.high if study.readable else None,
                        0 if study.readable else len(kits),
                        continues if study.readable else (),
                        tuple(there.gone) if study.readable else (),
                        tuple(by_day) if study.readable else (),
                        tuple(held) if study.readable else (),
                        before,
                        after,
                    )
                )
    return LoggerImport(area, source[:200], tuple(results), tuple(on_record.values()), gaps, manual)


def _previous_reading(session: Session, area: str, before: datetime) -> datetime | None:
    """The last reading of `area` on record before `before`: the latest time a logger file
    or a reading entered by hand imported for it gives (the first and last reading of each,
    and those its gaps begin and end at), whichever study imported it; None when none is."""
    found: datetime | None = None
    for entity_id, new in session.execute(
        select(AuditEntry.entity_id, AuditEntry.new).where(AuditEntry.action.in_(_LOGGER_ACTIONS))
    ).tuples():
        span = _span(entity_id, new)
        if span is None or span[0] != area:
            continue
        times = [span[1], span[2], *(t for gap in _file_gaps_said(new) for t in gap)]
        for at in times:
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            if at < before and (found is None or at > found):
                found = at
    return found


def _reading_before(
    session: Session, protocol: str, area: str, previous: datetime | None
) -> datetime | None:
    """`previous` (the area's reading before one entered by hand), when it was within study
    `protocol`'s range: no excursion of the study's (or of every study's) on record at it."""
    if previous is None:
        return None
    out = any(
        whose in ("", protocol) for _e, whose in _recorded_in(session, area, previous, previous)
    )
    return None if out else previous


def _marked_gaps(
    readings: list[Reading], gaps: tuple[LoggerGap, ...], ctx: Context
) -> tuple[LoggerGap, ...]:
    """The gaps, each marked `outside` when the reading before or after it left the study
    open's range: an excursion ends or starts at the gap, and how long it lasted is not known."""
    low, high = ctx.study.temperature.min_celsius, ctx.study.temperature.max_celsius
    at = {r.at: r.celsius for r in readings}
    return tuple(
        replace(g, outside=not (low <= at[g.start] <= high and low <= at[g.end] <= high))
        for g in gaps
    )


def _record_excursion(
    session: Session,
    rec: Recorder,
    ctx: Context,
    area: str,
    run: list[Reading],
    source: str,
    there: _KitsThere,
) -> Excursion:
    """One study's excursion: recorded, and the study's available kits in the area during it
    (`there`, `_kits_there`) quarantined (another study's kits are judged by their own
    range)."""
    excursion = Excursion(
        storage_area=area,
        started_at=run[0].at,
        ended_at=run[-1].at,
        lowest=min(r.celsius for r in run),
        highest=max(r.celsius for r in run),
        source=source[:200],
        user_id=rec.signer().id,
        at=rec.now,
    )
    session.add(excursion)
    session.flush()
    kits = [kit for kit, _by_day in there.available]
    why = reasons.written(
        reasons.EXCURSION, lowest=f"{excursion.lowest:g}", highest=f"{excursion.highest:g}"
    )
    for kit in kits:
        move_kit(
            session,
            rec,
            kit,
            KitEvent.QUARANTINE,
            today=ctx.clock.today(),
            reason=why,
            excursion_id=excursion.id,
        )
    return excursion


def gone_notices(e: ExcursionResult, area: str) -> list[str]:
    """What the pharmacist is to do about the kits that were in `area` (as the reader names it)
    during excursion `e` and are gone since, and what was assumed where the records give a day
    without a time: one sentence each, none when there is nothing to say. The program names
    the kits and the participants; whether the drug they took is affected is the sponsor's
    and the investigator's to decide."""
    return kits_gone_notices(
        e.kits_gone, area, e.quarantined_by_day, held=e.kits_already_quarantined
    )


def kits_gone_notices(
    kits_gone: Sequence[KitGone],
    area: str,
    quarantined_by_day: Sequence[str] = (),
    held: Sequence[str] = (),
) -> list[str]:
    """`gone_notices` of an excursion's kits gone (as its import found them, or as its audit
    entry keeps them: `excursion_kits_gone`), and of its kits `held` in quarantine already
    (`excursion_kits_held`): exposed to it as well, so named with the others."""
    notices = []
    if held:
        notices.append(
            _(
                "Kits in {area} during this excursion that were quarantined already: {kits}. "
                "Not quarantined again; tell the sponsor they were exposed to this excursion too."
            ).format(kits=listed(held), area=area)
        )
    given = [k for k in kits_gone if k.participant]
    if given:
        groups: dict[tuple[str, str, date | None], list[str]] = {}
        for k in given:
            groups.setdefault((k.participant, k.initials, k.on), []).append(k.kit)
        participants = _("; ").join(
            _("{participant} {initials} ({kits}, dispensed {day})").format(
                participant=number,
                initials=initials,
                kits=listed(kits),
                day=on.isoformat() if on else "-",
            )
            for (number, initials, on), kits in groups.items()
        )
        notices.append(
            _(
                "Kits in {area} during this excursion and dispensed since: {kits}. Tell the "
                "sponsor and the investigator; the participants: {participants}."
            ).format(kits=listed(k.kit for k in given), area=area, participants=participants)
        )
    destroyed = [k.kit for k in kits_gone if not k.participant and k.on is not None]
    if destroyed:
        notices.append(
            _(
                "Kits in {area} during this excursion and destroyed since: {kits}. Tell the "
                "sponsor."
            ).format(kits=listed(destroyed), area=area)
        )
    unknown = [k.kit for k in kits_gone if k.on is None]
    if unknown:
        notices.append(
            _(
                "Kits in {area} during this excursion and no longer in stock, though no "
                "dispense or destruction names them: {kits}. Find where they went and tell the "
                "sponsor."
            ).format(kits=listed(unknown), area=area)
        )
    by_day = [k.kit for k in kits_gone if k.by_day and k.on is not None]
    if by_day:
        notices.append(
            _(
                "Received or dispensed on a day whose time was not recorded (the step was "
                "entered on a later day), so counted as in {area} all that day: {kits}."
            ).format(kits=listed(by_day), area=area)
        )
    if quarantined_by_day:
        notices.append(
            _(
                "Received on the day the excursion ended, the time not recorded (the receipt "
                "was entered on a later day), so quarantined as though received before it: "
                "{kits}."
            ).format(kits=listed(quarantined_by_day))
        )
    return notices


def _gone_fact(kit: KitGone) -> dict[str, object]:
    """A kit gone since an excursion as its audit entry keeps it (the facts, no words)."""
    return {
        "kit": kit.kit,
        "status": kit.status,
        "on": kit.on,
        **({"participant": kit.participant, "initials": kit.initials} if kit.participant else {}),
        **({"by_day": True} if kit.by_day else {}),
    }


def _when_on(day: date, recorded: datetime, *, leaving: bool) -> tuple[datetime, bool]:
    """When a kit arrived (or left) by a step given `day` and entered at `recorded`: the time
    it was entered when that was on the day given (a receipt entered as the kit arrived), else
    the day only is known: the start of it for an arrival, its end for a departure, so that a
    kit counts as in the store all that day (True: by its day only)."""
    if local_day(recorded) == day:
        return recorded, False
    return local_day_start(day + timedelta(days=1) if leaving else day), True


@dataclass(frozen=True)
class _KitsThere:
    """A study's kits in an area during an excursion: those on the shelf now (to quarantine),
    those gone since (to name), each available one with whether its receipt is known by its
    day only, and those on the shelf quarantined already (to name, not to quarantine again)."""

    available: list[tuple[Kit, bool]]
    gone: list[KitGone]
    held: list[Kit] = field(default_factory=list)


_GONE = (KitStatus.DISPENSED.value, KitStatus.RETURNED.value, KitStatus.DESTROYED.value)
_HELD_GONE = (KitStatus.QUARANTINED.value, *_GONE)


def _kits_there(
    session: Session, study_id: int, area: str, start: datetime, end: datetime
) -> _KitsThere:
    """The study's kits that were in `area` at some time from `start` to `end`, from the facts
    recorded: a kit stays where it was received (no step moves it to another area), so it was
    there from its receipt (`Shipment.received_on`, entered at `created_at`) until it was
    dispensed (its dispense not voided) or destroyed. A kit received after the end, or gone
    before the start, was not there. A kit quarantined at the import (by an earlier excursion,
    or for another reason) is on the shelf already and held: it was exposed all the same, so
    it is named (`held`), not quarantined again."""
    rows = session.execute(
        select(Kit, Shipment.received_on, Shipment.created_at)
        .join(Shipment, Shipment.id == Kit.shipment_id)
        .where(
            Kit.location == area,
            of_study(Kit.study_id, study_id),
            Kit.status.in_((KitStatus.AVAILABLE.value, *_HELD_GONE)),
            Shipment.received_on <= local_day(end),
        )
        .order_by(Kit.number)
    ).tuples()
    arrived = []
    last_day = local_day(end)  # a receipt by its day only matters on that day
    for kit, received_on, created_at in rows:
        at, by_day = _when_on(received_on, created_at, leaving=False)
        if at <= end:
            arrived.append((kit, by_day and received_on == last_day))
    available = [(k, by_day) for k, by_day in arrived if k.status == KitStatus.AVAILABLE.value]
    held = [k for k, _by_day in arrived if k.status == KitStatus.QUARANTINED.value]
    others = {k.id: (k, by_day) for k, by_day in arrived if k.status in _GONE}
    left = _departures(session, list(others))
    gone = []
    for kit_id, (kit, arrived_by_day) in others.items():
        found = left.get(kit_id)
        if found is None:  # no dispense or destruction names it: counted as there
            gone.append(KitGone(kit.number, kit.status, None, by_day=True))
            continue
        at, left_by_day, gone_kit = found
        left_by_day = left_by_day and gone_kit.on == local_day(start)
        if at >= start:
            gone.append(replace(gone_kit, status=kit.status, by_day=arrived_by_day or left_by_day))
    return _KitsThere(available, gone, held)


def _departures(session: Session, kit_ids: list[int]) -> dict[int, tuple[datetime, bool, KitGone]]:
    """When each kit left the shelf: its first dispense not voided (to whom, on which day), else
    its destruction; with whether that is known by its day only (`_when_on`)."""
    found: dict[int, tuple[datetime, bool, KitGone]] = {}
    if not kit_ids:
        return found
    for kit_id, number, on, created_at, study_number, initials in session.execute(
        select(
            DispenseKit.kit_id,
            Kit.number,
            Dispense.dispensed_on,
            Dispense.created_at,
            Participant.study_number,
            Participant.initials,
        )
        .join(Dispense, Dispense.id == DispenseKit.dispense_id)
        .join(Kit, Kit.id == DispenseKit.kit_id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .outerjoin(DispenseVoid, DispenseVoid.dispense_id == Dispense.id)
        .where(DispenseKit.kit_id.in_(kit_ids), DispenseVoid.id.is_(None))
        .order_by(Dispense.dispensed_on, Dispense.created_at)
    ).tuples():
        if kit_id not in found:
            at, by_day = _when_on(on, created_at, leaving=True)
            found[kit_id] = (at, by_day, KitGone(number, "", on, study_number, initials))
    numbers = dict(
        session.execute(select(Kit.number, Kit.id).where(Kit.id.in_(kit_ids))).tuples().all()
    )
    for destroyed_on, created_at, kits in session.execute(
        select(Destruction.destroyed_on, Destruction.created_at, Destruction.kits).order_by(
            Destruction.id
        )
    ).tuples():
        try:
            named = json.loads(kits or "[]")
        except ValueError:
            continue
        for number in named if isinstance(named, list) else []:
            destroyed = numbers.get(number)
            if destroyed is not None and destroyed not in found:
                at, by_day = _when_on(destroyed_on, created_at, leaving=True)
                found[destroyed] = (at, by_day, KitGone(number, "", destroyed_on))
    return found


COVERAGE_GAP = timedelta(days=1)
"""A storage area without a logger reading for longer than this is a gap in the temperature
log (a day without a minimum and maximum is what a monitor looks for)."""

_LOGGER_ACTIONS = ("temperature_checked", "temperature_excursion")


@dataclass(frozen=True)
class CoverageGap:
    storage_area: str
    start: datetime  # the last reading before the gap (or when the first kit arrived)
    end: datetime  # the first reading after it (or now)
    after_last: bool  # no reading imported since `start`

    @property
    def text(self) -> str:
        if self.after_last:
            return _("no logger reading imported since {start}").format(start=_when(self.start))
        return _("no logger reading from {start} to {end}").format(
            start=_when(self.start), end=_when(self.end)
        )


@dataclass(frozen=True)
class Coverage:
    """A storage area's temperature log: what the logger files imported cover, and the gaps
    since its first kit arrived."""

    storage_area: str
    since: datetime  # when the first kit arrived there
    first_reading: datetime | None
    last_reading: datetime | None
    imports: int
    gaps: tuple[CoverageGap, ...]
    by_hand: int = 0  # of the imports, the thermometer's readings entered by hand


def coverage(ctx: Context, actor: Actor) -> list[Coverage]:
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        return coverage_in(session, ctx)


def coverage_in(session: Session, ctx: Context) -> list[Coverage]:
    """For each storage area that has held the study's kits: the spans of the logger files
    imported (their first to last reading less their own gaps, `logger_imports`) and the gaps
    between them, from the day its first kit was received until now."""
    now = ctx.clock.now()
    arrived = study_areas(session, ctx)  # the study's own areas, from its own first kit
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    holes: dict[str, list[tuple[datetime, datetime]]] = {}  # gaps inside the files
    imports: dict[str, int] = {}
    by_hand: dict[str, int] = {}
    for check in logger_imports(session, ctx):  # each file once, as the screens count them
        area = check.storage_area
        holes.setdefault(area, []).extend(check.gaps)
        edge = check.readings_from
        for start, end in check.gaps:  # the file's span, less its stretches without a reading
            spans.setdefault(area, []).append((edge, start))
            edge = end
        spans.setdefault(area, []).append((edge, check.readings_to))
        imports[area] = imports.get(area, 0) + 1
        by_hand[area] = by_hand.get(area, 0) + check.manual
    found = []
    for area in sorted(arrived):
        merged = _merge(spans.get(area, []))
        since = arrived[area]
        gaps: list[CoverageGap] = []
        edge = since
        for first, last in merged:
            if last < since:
                continue
            # A day without a reading, or a file's own gap (longer than its logger's usual
            # interval) that no other file covers.
            if first - edge > COVERAGE_GAP or any(
                start <= edge and first <= end for start, end in holes.get(area, [])
            ):
                gaps.append(CoverageGap(area, edge, first, False))
            edge = max(edge, last)
        if now - edge > COVERAGE_GAP:
            gaps.append(CoverageGap(area, edge, now, True))
        found.append(
            Coverage(
                area,
                since,
                merged[0][0] if merged else None,
                merged[-1][1] if merged else None,
                imports.get(area, 0),
                tuple(gaps),
                by_hand.get(area, 0),
            )
        )
    return found


def _span(entity_id: str, new: str) -> tuple[str, datetime, datetime] | None:
    """The storage area and readings an import's audit entry says it covered (an excursion
    recorded before the file's span was written covers its own span only)."""
    try:
        values = json.loads(new) if new else {}
        area = values.get("storage_area", entity_id)
        first = values.get("readings_from", values.get("from"))
        last = values.get("readings_to", values.get("to"))
        if not isinstance(first, str) or not isinstance(last, str):
            return None
        start, end = datetime.fromisoformat(first), datetime.fromisoformat(last)
    except (ValueError, AttributeError):
        return None
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    return str(area), start, end


def _file_gaps_said(new: str) -> list[tuple[datetime, datetime]]:
    """The gaps inside a logger file its import's audit entry lists (none before they were)."""
    try:
        said = json.loads(new).get("gaps") if new else None
        return [
            (datetime.fromisoformat(start), datetime.fromisoformat(end))
            for start, end in said or []
        ]
    except (ValueError, AttributeError, TypeError):
        return []


def excursion_studies(session: Session) -> dict[int, str]:
    """The study each excursion is of (the protocol whose own range it left), as its import's
    audit entry names it; an excursion recorded before each study was judged by its own range
    names none (it is every study's in its area). Read by the index of the action."""
    found: dict[int, str] = {}
    for entity_id, new in session.execute(
        select(AuditEntry.entity_id, AuditEntry.new).where(
            AuditEntry.action == AuditAction.TEMPERATURE_EXCURSION.value,
            AuditEntry.new.like('%"study"%'),
        )
    ).tuples():
        try:
            study = json.loads(new).get("study")
            if isinstance(study, str):
                found[int(entity_id)] = study
        except (ValueError, AttributeError):
            continue
    return found


def excursion_kits_gone(session: Session) -> dict[int, tuple[KitGone, ...]]:
    """The kits each excursion's import found were in its area during it and had been dispensed
    or destroyed since (`_kits_there`), as its audit entry keeps them: none for an excursion
    recorded before they were kept. Read by the index of the action."""
    found: dict[int, tuple[KitGone, ...]] = {}
    for entity_id, new in session.execute(
        select(AuditEntry.entity_id, AuditEntry.new).where(
            AuditEntry.action == AuditAction.TEMPERATURE_EXCURSION.value,
            AuditEntry.new.like('%"kits_gone"%'),
        )
    ).tuples():
        try:
            said = json.loads(new).get("kits_gone")
            found[int(entity_id)] = tuple(
                KitGone(
                    str(k["kit"]),
                    str(k.get("status", "")),
                    date.fromisoformat(k["on"]) if k.get("on") else None,
                    str(k.get("participant", "")),
                    str(k.get("initials", "")),
                    bool(k.get("by_day", False)),
                )
                for k in said or []
            )
        except (ValueError, AttributeError, TypeError, KeyError):
            continue
    return found


def excursion_kits_held(session: Session) -> dict[int, tuple[str, ...]]:
    """The kits each excursion's import found in its area during it already quarantined (by
    an earlier excursion, or for another reason: not quarantined again), as its audit entry
    keeps them; none for an excursion recorded before they were kept. Read by the index of
    the action."""
    found: dict[int, tuple[str, ...]] = {}
    for entity_id, new in session.execute(
        select(AuditEntry.entity_id, AuditEntry.new).where(
            AuditEntry.action == AuditAction.TEMPERATURE_EXCURSION.value,
            AuditEntry.new.like('%"kits_already_quarantined"%'),
        )
    ).tuples():
        try:
            said = json.loads(new).get("kits_already_quarantined")
            found[int(entity_id)] = tuple(str(k) for k in said or [])
        except (ValueError, AttributeError, TypeError):
            continue
    return found


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


@dataclass(frozen=True)
class LoggerCheck:
    """A logger file imported: the area, the span of its readings, how many and their range (as
    the import recorded them: None when an older import did not), the excursions it found, who
    imported it and when. Read from the import's audit entries, nothing recomputed."""

    storage_area: str
    readings_from: datetime
    readings_to: datetime
    readings: int | None
    lowest: float | None
    highest: float | None
    excursions: int
    source: str
    recorded_by: str  # initials (the user name if the account is gone)
    recorded_at: datetime
    gaps: tuple[tuple[datetime, datetime], ...] = ()  # stretches of the file without a reading
    manual: bool = False  # a thermometer's reading entered by hand: its audit entry's mark
    recorded_by_username: str = ""  # who imported it: the user name the trail holds
    recorded_by_name: str = ""  # their full name ("" when the account is gone)
    recorded_by_initials: str = ""  # their initials ("" when the account is gone)


def logger_checks(
    ctx: Context, actor: Actor, area: str | None = None, limit: int | None = None
) -> list[LoggerCheck]:
    """Every logger file imported for the study's storage areas (study_area_names; of `area`,
    spelt as recorded or in any case), newest first; at most `limit` of them, each with the
    excursions of this study it found. The audit entries of the imports are read by the index
    of their action (ix_audit_entries_action), not the trail: one temperature_checked when the
    importing study had no excursion, then one per excursion of each study in the area, which
    are one file's when written in one step (the same time, user, area, file and span)."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        rows = logger_imports(session, ctx)
        known = sorted(study_area_names(session, ctx))
    recorded = None if area is None else (_area_named(ctx, known, area) or area.strip())
    rows = [  # newest first
        c for c in rows if recorded is None or c.storage_area.casefold() == recorded.casefold()
    ]
    return rows[:limit] if limit else rows


def logger_imports(session: Session, ctx: Context) -> list[LoggerCheck]:
    """The logger files imported for the study's storage areas, newest first: the one count of
    files the command, the Temperature screen and the monitor pack give (the pack counted audit
    entries, one per study of a shared shelf: "Imports 3" for 2 files). The audit entries of
    the imports are read by the index of their action (ix_audit_entries_action), not the trail:
    one temperature_checked when the importing study had no excursion, then one per excursion
    of each study in the area, which are one file's when written in one step (the same time,
    user, area, file and span)."""
    entries = session.execute(
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.user_id,
            AuditEntry.username,
            AuditEntry.action,
            AuditEntry.entity_id,
            AuditEntry.new,
        ).where(AuditEntry.action.in_(_LOGGER_ACTIONS))
    ).all()
    accounts = {
        user_id: (full_name, initials)
        for user_id, full_name, initials in session.execute(
            select(User.id, User.full_name, User.initials)
        ).tuples()
    }
    initials = {user_id: known[1] for user_id, known in accounts.items()}
    areas = study_area_names(session, ctx)
    rows: list[LoggerCheck] = []
    group: tuple[object, ...] | None = None  # the import the last row is of
    checked = False  # that import's temperature_checked entry was read (its first)
    for _entry_id, at, user_id, username, action, entity_id, new in sorted(
        entries, key=lambda e: e[0], reverse=True
    ):
        check = _logger_check(
            action, entity_id, new, at, initials.get(user_id) or username, ctx.study.protocol
        )
        if check is None:
            continue
        full_name, known_initials = accounts.get(user_id, ("", ""))
        check = replace(
            check,
            recorded_by_username=username,
            recorded_by_name=full_name,
            recorded_by_initials=known_initials,
        )
        # One import's entries are consecutive (one step), the checked one first: read
        # newest first, an entry of the same time, user, area, file and span is of the import
        # read last unless that import's first entry was read already.
        key = (at, username, check.storage_area, check.source, check.manual, check.readings_from)
        if key == group and not checked:
            rows[-1] = replace(rows[-1], excursions=rows[-1].excursions + check.excursions)
        else:
            rows.append(check)
            group, checked = key, False
        checked = checked or action == AuditAction.TEMPERATURE_CHECKED.value
    return [c for c in rows if c.storage_area in areas]  # newest first: entries were read so


def _logger_check(
    action: str, entity_id: str, new: str, at: datetime, by: str, protocol: str
) -> LoggerCheck | None:
    """One import audit entry as a LoggerCheck: an excursion entry counts one excursion when
    it is study `protocol`'s (or names no study: written before each study was judged by its
    own range), none when it is another study's (its range, not this one's, was left)."""
    found_span = _span(entity_id, new)
    if found_span is None:
        return None
    area, start, end = found_span
    try:
        values = json.loads(new) if new else {}
    except ValueError:
        return None
    checked = action == AuditAction.TEMPERATURE_CHECKED.value
    low_key, high_key = (
        ("lowest", "highest") if checked else ("readings_lowest", "readings_highest")
    )
    return LoggerCheck(
        storage_area=area,
        readings_from=start,
        readings_to=end,
        readings=_count(values.get("readings")),
        lowest=_celsius(values.get(low_key)),
        highest=_celsius(values.get(high_key)),
        excursions=0 if checked or values.get("study", protocol) != protocol else 1,
        source=str(values.get("source", "")),
        recorded_by=by,
        recorded_at=at,
        gaps=tuple(_file_gaps_said(new)),
        manual=values.get("manual") is True,
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _celsius(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
