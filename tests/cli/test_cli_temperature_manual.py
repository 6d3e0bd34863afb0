"""`dispensary temperature --area AREA --reading TIME --min C --max C`: the storage area's
thermometer entered by hand, by the logger import's rules, said as entered by hand."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli


def test_a_reading_outside_the_range_quarantines_and_is_listed_as_entered_by_hand(
    cli: Cli,
) -> None:
    done = cli(
        "temperature", "--area", "IP store 1", "--reading", "2026-03-01 10:00",
        "--min", "4.5", "--max", "27.5", user="technician",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "Reading entered by hand." in done.out
    assert "1 excursion outside 2-25 °C" in done.out, done.out
    assert "27.5 to 27.5 °C" in done.out
    listed = cli("temperature", "--list", "--json").json()
    [mine] = [c for c in listed if c["manual"]]
    assert (mine["lowest"], mine["highest"], mine["readings"]) == (4.5, 27.5, 2)
    assert mine["source"] == "manual"
    shown = cli("temperature", "--list")
    assert "entered by hand" in shown.out, shown.out


def test_a_reading_within_the_range_in_chinese(cli: Cli) -> None:
    done = cli(
        "--lang", "zh_CN", "temperature", "--area", "试验药物库房1",
        "--reading", "2026-03-01 09:00", "--min", "16", "--max", "24", user="technician",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "手工记录" in done.out and "试验药物库房1" in done.out, done.out
    shown = cli("--lang", "zh_CN", "temperature", "--list")
    assert "手工记录" in shown.out, shown.out


def test_refusals_say_what_to_do_and_record_nothing(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "logger.csv"
    log.write_text("timestamp,celsius\n2026-03-01T10:00:00,21.0\n", "utf-8")
    cases = [
        (("--reading", "2026-03-01 10:00", "--min", "3"), "Give the storage area"),
        (("--area", "IP store 1", "--min", "3"), "Give the time the thermometer was read"),
        (("--area", "IP store 1", "--reading", "2099-01-01 10:00", "--max", "8"), "after now"),
        (("--area", "IP store 1", "--reading", "2026-03-01 10:00", "--max", "hot"), "not a number"),
        (("--area", "IP store 1", "--reading", "2026-03-01 10:00"), "Give the minimum or"),
        (("--area", "Fridge 9", "--reading", "2026-03-01 10:00", "--max", "8"), "Fridge 9"),
        (("--area", "IP store 1", "--reading", "2026-03-01 10:00", str(log)), "not both"),
        (("--list", "--reading", "2026-03-01 10:00"), "--list records nothing"),
    ]
    for args, said in cases:
        refused = cli("temperature", *args, user="technician")
        assert refused.code != 0 and said in refused.err, (args, refused.err)
    listed = cli("temperature", "--list", "--json").json()
    assert [c for c in listed if c["source"] == "manual"] == []
    zh = cli(
        "--lang", "zh_CN", "temperature", "--area", "IP store 1",
        "--reading", "2026-03-01 10:00", "--max", "hot", user="technician",
    )  # fmt: skip
    assert zh.code != 0 and "hot" in zh.err and "不是" in zh.err, zh.err


def test_a_logger_file_named_manual_is_listed_as_a_logger_file(cli: Cli, tmp_path: Path) -> None:
    """Known by its mark, not by its name: a logger file named `manual` was listed (and said,
    when imported again) as a reading entered by hand."""
    logger = tmp_path / "manual"
    logger.write_text(
        "timestamp,celsius\n2026-03-01T08:00:00+00:00,5.0\n2026-03-01T09:00:00+00:00,6.0\n"
    )
    done = cli("temperature", "--area", "IP store 1", str(logger), user="technician")
    assert done.code == 0, done.err
    assert "Reading entered by hand." not in done.out
    listed = cli("temperature", "--list", "--json").json()
    [mine] = [c for c in listed if c["source"] == "manual"]
    assert mine["manual"] is False and not any(c["manual"] for c in listed)
    shown = cli("temperature", "--list")
    assert "entered by hand" not in shown.out, shown.out
