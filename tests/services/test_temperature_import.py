"""The logger import as a review exercised it: a temperature written with a decimal comma,
times without a zone, cumulative exports, files imported twice, gaps inside a file, the
counts the screens and the monitor pack give, and files of other encodings and headers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from dispensary.domain.errors import InvalidInput
from dispensary.services import temperature


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
