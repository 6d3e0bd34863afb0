"""The logger import as a review exercised it: a temperature written with a decimal comma,
times without a zone, cumulative exports, files imported twice, gaps inside a file, the
counts the screens and the monitor pack give, and files of other encodings and headers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import signed
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.services import audit, report_data, temperature
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock


@pytest.mark.parametrize(
    ("header", "row", "whole"),
    [
        # the unnamed column of a trailing comma takes the decimals
        ("timestamp,celsius,", "2026-12-04T10:15+08:00,25,9,", "25"),
        # an alarm column: the decimals push its (empty) cell one to the right
        ("timestamp,celsius,alarm", "2026-12-04T10:15+08:00,26,8,", "26"),
        # a named column in a file without a single decimal point
        ("timestamp,celsius,humidity", "2026-12-04T10:15+08:00,25,9", "25"),
    ],
)
def test_a_decimal_comma_split_in_two_is_refused_by_line(header: str, row: str, whole: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        temperature.parse_logger_csv(f"{header}\n{row}\n")
    assert refused.value.message.startswith("Logger line 2: the temperature " + whole)
    assert "decimal point" in refused.value.message


def test_real_alarm_and_humidity_columns_are_read_as_their_own() -> None:
    text = (
        "timestamp,celsius,alarm,humidity\n"
        "2026-12-04T10:00+08:00,21.5,0,45\n"
        "2026-12-04T10:15+08:00,26,1,46\n"  # a whole degree in a file of decimal points
    )
    assert [r.celsius for r in temperature.parse_logger_csv(text)] == [21.5, 26.0]


@pytest.fixture
def henan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's zone UTC+08:00 (Henan), as the pharmacy's workstation keeps it."""
    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("henan")
def test_a_time_without_a_zone_is_the_sites_local_time() -> None:
    # 10:00 in Henan is 02:00 UTC: read as UTC it was 8 hours late, and this morning's
    # export "after now".
    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    text = "timestamp,celsius\n2026-12-05 10:00,21.0\n2026-12-05T10:15:00+08:00,21.5\n"
    first, second = temperature.parse_logger_csv(text, now)
    assert first.at == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert second.at == datetime(2026, 12, 5, 2, 15, tzinfo=UTC)
    assert temperature.local_zone() == "UTC+08:00"


@pytest.mark.usefixtures("henan")
@pytest.mark.parametrize(
    ("written", "utc"),
    [
        # Chinese Excel's default for a CSV: a slash, one digit where there is one
        ("2026/12/5 8:00", datetime(2026, 12, 5, 0, 0, tzinfo=UTC)),
        ("2026/12/05 08:00", datetime(2026, 12, 5, 0, 0, tzinfo=UTC)),
        ("2026/12/5 8:00:30", datetime(2026, 12, 5, 0, 0, 30, tzinfo=UTC)),
        ("2026-12-5 8:05", datetime(2026, 12, 5, 0, 5, tzinfo=UTC)),
        ("2026/1/5 18:00", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        # with its zone, as an ISO time with one
        ("2026/12/5 8:00+00:00", datetime(2026, 12, 5, 8, 0, tzinfo=UTC)),
    ],
)
def test_a_time_as_excel_saves_it_is_read_as_the_iso_one(written: str, utc: datetime) -> None:
    """A GB18030 file saved by Chinese Excel (2026/12/5 8:00) was refused as "not a time
    (ISO 8601)"; without a zone it is the site's local time, as an ISO time without one."""
    now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    [reading] = temperature.parse_logger_csv(f"时间,温度(℃)\n{written},22.0\n", now)
    assert reading.at == utc


@pytest.mark.parametrize(
    "written", ["05/12/2026 08:00", "2026/13/5 8:00", "2026/12/5", "2026/12-5 8:00", "2026/12/5 8"]
)
def test_other_slash_forms_are_refused(written: str) -> None:
    """Day first (which number is the month?), a month 13, no time, mixed separators."""
    with pytest.raises(InvalidInput) as refused:
        temperature.parse_logger_csv(f"timestamp,celsius\n{written},22.0\n")
    assert f"'{written}' is not a time: " in refused.value.message
    assert "2026/12/5 10:00 (as Excel saves it)" in refused.value.message


LOGGERS = Path(__file__).parent.parent / "fixtures" / "logger"


def logger_file(name: str) -> str:
    """One of the review's logger exports (15-minute readings, times in UTC+08:00)."""
    return (LOGGERS / name).read_text(encoding="utf-8-sig")


@pytest.fixture
def december(ctx: Context, clock: FixedClock, stock: Stock) -> Context:
    """Kits on the shelf of IP store 1 since January, the clock at 6 December 2026."""
    clock.current = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    return ctx


def test_a_cumulative_export_records_its_new_excursion_and_names_the_one_on_record(
    december: Context, pharmacist: Actor
) -> None:
    ctx = december
    [first] = temperature.import_logger(
        ctx, pharmacist, "IP store 1", logger_file("A_iso_zone.csv")
    )
    signed.release(ctx, pharmacist, list(first.kits_quarantined), "sponsor's letter", "TE-2026-014")
    done = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", logger_file("A2_cumulative.csv"), "A2_cumulative.csv"
    )
    # The whole file was refused: the excursion of the 5th could never be recorded.
    [new] = done.excursions
    assert new.started_at == datetime(2026, 12, 5, 5, 30, tzinfo=UTC)  # 13:30 in Henan
    assert new.highest == 28.0 and new.continues == ()
    assert sorted(new.kits_quarantined) == sorted(first.kits_quarantined)
    [known] = done.on_record
    assert (known.excursion_id, known.source) == (first.excursion_id, "logger.csv")
    shown = report_data.excursions(ctx, pharmacist)
    assert sorted(e.excursion_id for e in shown) == [first.excursion_id, new.excursion_id]


def test_the_rest_of_an_excursion_is_a_new_one_that_names_the_one_on_record(
    december: Context, pharmacist: Actor
) -> None:
    """An export that ended mid-excursion, then the next: the excursion was recorded twice
    (the second from 22:30 again), quarantining the kits the sponsor had released for the
    first part. Only the rest, from 00:00, is recorded, naming the excursion it continues."""
    ctx = december
    [first] = temperature.import_logger(
        ctx, pharmacist, "IP store 1", logger_file("M1_ends_mid_excursion.csv"), "M1.csv"
    )
    assert (first.started_at, first.ended_at) == (
        datetime(2026, 12, 1, 14, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 15, 45, tzinfo=UTC),
    )
    done = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", logger_file("M2_full.csv"), "M2.csv"
    )
    [rest] = done.excursions
    assert (rest.started_at, rest.ended_at) == (
        datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 16, 45, tzinfo=UTC),
    )
    assert rest.continues == (first.excursion_id,)
    assert [e.excursion_id for e in done.on_record] == [first.excursion_id]
    entries = audit.list_entries(ctx, pharmacist, action="temperature_excursion")
    continued = [json.loads(e.new).get("continues") for e in entries]
    assert continued == [None, [first.excursion_id]]  # the trail says which it continues


def test_a_shorter_export_of_an_excursion_on_record_records_nothing_new(
    december: Context, pharmacist: Actor
) -> None:
    ctx = december
    [whole] = temperature.import_logger(
        ctx, pharmacist, "IP store 1", logger_file("M2_full.csv"), "M2.csv"
    )
    done = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", logger_file("M1_ends_mid_excursion.csv"), "M1.csv"
    )
    assert done.excursions == ()
    assert [e.excursion_id for e in done.on_record] == [whole.excursion_id]


def test_the_same_file_imported_twice_is_refused_and_counted_once(
    december: Context, pharmacist: Actor
) -> None:
    ctx = december
    clean = "timestamp,celsius\n2026-12-04T10:00+08:00,21.0\n2026-12-04T10:15+08:00,21.5\n"
    temperature.import_logger(ctx, pharmacist, "IP store 1", clean, "clean.csv")
    with pytest.raises(RuleViolation) as refused:
        temperature.import_logger(ctx, pharmacist, "IP store 1", clean, "clean (1).csv")
    assert refused.value.message == (
        "The readings of IP store 1 in clean (1).csv were imported on 2026-12-06 already "
        "(from clean.csv); nothing was recorded."
    )
    assert len(temperature.logger_checks(ctx, pharmacist)) == 1


def test_a_gap_inside_a_file_is_reported_and_in_the_monitor_pack(
    december: Context, pharmacist: Actor, monitor: Actor
) -> None:
    """K_gap.csv reads every 15 minutes from 20 to 21 November and from 25 to 26 November:
    the coverage took its first and last reading and hid the four days without one."""
    ctx = december
    done = temperature.import_logger_file(
        ctx, pharmacist, "IP store 1", logger_file("K_gap.csv"), "K_gap.csv"
    )
    [gap] = done.gaps
    assert (gap.start, gap.end) == (
        datetime(2026, 11, 20, 16, 0, tzinfo=UTC),  # 21 November 00:00 in Henan
        datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
    )
    assert gap.interval == timedelta(minutes=15) and not gap.outside
    [check] = temperature.logger_checks(ctx, pharmacist)
    assert check.gaps == ((gap.start, gap.end),)
    [log] = temperature.coverage(ctx, pharmacist)
    assert (gap.start, gap.end, False) in [(g.start, g.end, g.after_last) for g in log.gaps]
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 11, 1), date(2026, 12, 6))
    said = [i.detail for i in pack.open_items if i.kind == "Gap in the temperature log"]
    assert "no logger reading from 2026-11-20 16:00 UTC to 2026-11-24 16:00 UTC" in said


def test_a_short_gap_inside_a_file_is_in_the_coverage_though_under_a_day(
    december: Context, pharmacist: Actor
) -> None:
    hourly = [datetime(2026, 12, 5, 0, 0, tzinfo=UTC) + timedelta(hours=h) for h in range(24)]
    kept = [at for at in hourly if not 5 <= at.hour <= 9]  # five hours without a reading
    text = "timestamp,celsius\n" + "".join(f"{at.isoformat()},21.0\n" for at in kept)
    done = temperature.import_logger_file(ctx := december, pharmacist, "IP store 1", text)
    [gap] = done.gaps
    assert (gap.start.hour, gap.end.hour) == (4, 10)
    [log] = temperature.coverage(ctx, pharmacist)
    assert (gap.start, gap.end) in [(g.start, g.end) for g in log.gaps]


def test_an_excursion_does_not_span_a_gap(december: Context, pharmacist: Actor) -> None:
    """25.5 °C at 20:15 on 29 November, then no reading until 25.6 °C two days later: one
    excursion of two days was recorded across the hole."""
    done = temperature.import_logger_file(
        december, pharmacist, "IP store 1", logger_file("N_gap_run.csv"), "N_gap_run.csv"
    )
    assert [(e.started_at, e.ended_at) for e in done.excursions] == [
        (datetime(2026, 11, 29, 12, 15, tzinfo=UTC),) * 2,
        (datetime(2026, 12, 1, 12, 0, tzinfo=UTC),) * 2,
    ]
    [gap] = done.gaps
    assert gap.outside  # an excursion ends at it and one starts after it


def test_readings_repeated_in_a_file_are_counted_once(december: Context, pharmacist: Actor) -> None:
    """L_dup.csv holds 20 readings twice (a logger downloaded twice into one file): "Readings
    40" was said for 20."""
    text = logger_file("L_dup.csv")
    assert len(temperature.parse_logger_csv(text)) == 20
    temperature.import_logger(december, pharmacist, "IP store 1", text, "L_dup.csv")
    [check] = temperature.logger_checks(december, pharmacist)
    assert check.readings == 20


def test_two_temperatures_for_one_time_are_refused() -> None:
    text = "timestamp,celsius\n2026-12-04T10:00Z,21.0\n2026-12-04T10:15Z,21.5\n2026-12-04T10:00Z,26.0\n"
    with pytest.raises(InvalidInput) as refused:
        temperature.parse_logger_csv(text)
    assert refused.value.message.startswith(
        "Logger lines 2 and 4 give two temperatures for one time, 2026-12-04 10:00 UTC: 21 and "
        "26 °C."
    )


def test_a_gbk_file_is_read_as_gb18030_and_said_so() -> None:
    """Chinese Excel saves CSV in GBK: the window refused it as "not a text (CSV) file"."""
    data = (LOGGERS / "G2_chinese_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = temperature.logger_text(data, "G2_chinese_gbk.csv")
    assert (encoding, text.splitlines()[0]) == ("GB18030", "时间,温度")
    assert len(temperature.parse_logger_csv(text)) == 10
    utf8 = "时间,温度\n".encode()
    assert temperature.logger_text(b"\xef\xbb\xbf" + utf8, "a.csv") == ("时间,温度\n", "UTF-8")


@pytest.mark.parametrize(
    "data", ["timestamp,celsius\n".encode("utf-16"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\xff\xfe"]
)
def test_bytes_of_no_text_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match=r"not a text \(CSV\) file in UTF-8 or GB18030"):
        temperature.logger_text(data, "export.xls")


@pytest.mark.parametrize(
    "name", ["G_chinese.csv", "H_temp_unit_header.csv", "D_reversed_bom_crlf.csv"]
)
def test_the_obvious_header_names_are_read(name: str) -> None:
    """序号,时间,温度(℃) and No.,Time,Temperature (°C) were refused as having no header."""
    if name.startswith("D"):
        text = "\ufeffCelsius,Timestamp\r\n20.5,2026-12-02T00:00:00+08:00\r\n"
    else:
        text = logger_file(name)
    readings = temperature.parse_logger_csv(text)
    assert readings and readings[0].celsius in (20.0, 20.5)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "E_preamble.csv",
            "The logger file's header was taken from line 1: 'Device: RC-5+ SN:EF12345678'. "
            "It needs a column 'timestamp' (or 'time', 时间) and a column 'celsius' (or "
            "'temperature', 'Temperature (°C)', 温度). Remove any lines above the header",
        ),
        (
            "F2_semicolon.csv",
            "The logger file's header was taken from line 1: 'timestamp;celsius'. It needs a "
            "column 'timestamp' (or 'time', 时间) and a column 'celsius' (or 'temperature', "
            "'Temperature (°C)', 温度). Its columns are separated by semicolons",
        ),
    ],
)
def test_a_header_not_found_is_quoted_with_what_it_needs(name: str, said: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        temperature.parse_logger_csv(logger_file(name))
    assert refused.value.message.startswith(said), refused.value.message


@pytest.mark.parametrize("header", ["timestamp,celsius,温度", "Temperature (°F),time"])
def test_a_header_naming_the_temperature_twice_or_in_fahrenheit_is_refused(header: str) -> None:
    with pytest.raises(InvalidInput, match="header"):
        temperature.parse_logger_csv(f"{header}\n2026-12-04T10:00Z,21.0,21.0\n")
