"""benchmarks/run's judging and its table, on rows made up and on one cheap measurement of a
tiny generated site (the whole harness is a benchmark, not a test)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_site  # noqa: E402
from bench_site import Plan, Row, Site  # noqa: E402


def test_percentile_is_nearest_rank() -> None:
    assert bench_site.percentile([0.3, 0.1, 0.2, 0.5, 0.4], 0.95) == 0.5
    assert bench_site.percentile([0.3, 0.1, 0.2, 0.5, 0.4], 0.5) == 0.3
    assert bench_site.percentile([2.0], 0.95) == 2.0


def test_a_target_not_met_says_why() -> None:
    fast = Row("dispense_db", "SQLite", [0.004, 0.005, 0.006], [0.002, 0.001, 0.002])
    assert fast.judged() == (True, "")
    slow = Row("dispense_db", "SQLite", [0.07, 0.06, 0.08], [0.002, 0.002], note="the index")
    met, why = slow.judged()
    assert met is False
    assert "median 70 ms is not under 50 ms" in why
    assert "35.0× the floor, over 5×" in why and "(the index)" in why
    heavy = Row("verify", "PostgreSQL", [6.0], [2.5], peak_rss_mb=420.0)
    assert heavy.judged() == (False, "peak 420 MB, not under 300 MB")
    assert Row("verify", "SQLite", [6.0], peak_rss_mb=10.0).judged() == (
        False,
        "no floor was measured",
    )


def test_rows_without_target_or_run_are_not_judged() -> None:
    assert Row("receive", "SQLite", [1.0]).judged() == (None, "")
    skipped = Row("inventory_open", "SQLite", skipped="not measured (bench_inventory missing)")
    assert skipped.judged() == (None, "not measured (bench_inventory missing)")
    late = Row("reconcile", "SQLite", unfinished="given up after 900 s")
    assert late.judged() == (False, "given up after 900 s")


def test_the_table_and_the_readme_show_the_json() -> None:
    rows = [
        Row("reconcile", "SQLite", [0.2, 0.3, 0.25], peak_rss_mb=120.0).as_json(),
        Row("reconcile", "PostgreSQL", [0.9, 0.7, 0.8], peak_rss_mb=130.0).as_json(),
        Row("inventory_open", "SQLite", skipped="not measured (bench_inventory missing)").as_json(),
    ]
    text = bench_site.format_table(rows)
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["Measurement", "Engine"]
    sqlite_line = next(line for line in lines if "SQLite" in line and "reconciliation" in line)
    assert "250 ms" in sqlite_line and "300 ms" in sqlite_line and sqlite_line.endswith("met")
    assert "NOT MET" in next(line for line in lines if "PostgreSQL" in line)
    assert "not met: whole-site reconciliation (PostgreSQL): median 800 ms" in text
    assert "not measured (bench_inventory missing)" in text

    results = {
        "date": "2026-12-03T12:00:00+00:00",
        "code": "abc1234",
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "ram_gb": 4.0,
            "os": "Linux 6",
            "python": "3.11.7",
            "sqlite": "3.40.1",
            "postgresql": "15.18",
        },
        "site": "20,000 ledger rows",
        "runs": 3,
        "rows": json.loads(json.dumps(rows)),
    }
    table = bench_site.markdown_table(results)
    assert (
        "Test CPU (2 cores, 4.0 GB RAM, load average ? at the start)" in table
        and "PostgreSQL 15.18" in table
    )
    assert "| whole-site reconciliation | PostgreSQL | 800 ms | 900 ms |" in table
    assert "**not met**: median 800 ms is not under 500 ms" in table


def test_the_readme_table_is_replaced_between_its_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    start, end = bench_site.START_MARK, bench_site.END_MARK
    readme.write_text(f"## Performance\n\nProse.\n\n{start}\nold\n{end}\n\nMore prose.\n")
    results = {
        "date": "d",
        "code": "c",
        "machine": dict.fromkeys(("cpu", "cores", "ram_gb", "os", "python", "sqlite"), "x"),
        "site": "s",
        "runs": 1,
        "rows": [Row("receive", "SQLite", [1.5]).as_json()],
    }
    bench_site.update_readme(results, readme)
    text = readme.read_text()
    assert "old" not in text and "Prose." in text and "More prose." in text
    assert "| receive a 500-kit manifest | SQLite | 1.50 s |" in text
    assert text.index(start) < text.index("| receive") < text.index(end)


def test_an_engine_measured_apart_is_merged_with_where_it_comes_from() -> None:
    machine = dict.fromkeys(("cpu", "cores", "ram_gb", "os", "python", "sqlite"), "x")
    earlier = {
        "date": "2026-12-03T18:00:00+00:00",
        "code": "old1234",
        "machine": {**machine, "postgresql": "15.18"},
        "site": "s",
        "runs": 3,
        "rows": [
            Row("receive", "SQLite", [9.0]).as_json(),
            Row("receive", "PostgreSQL", [2.0]).as_json(),
        ],
    }
    results = {
        "date": "2026-12-03T20:00:00+00:00",
        "code": "new5678",
        "machine": {**machine, "postgresql": None},
        "site": "s",
        "runs": 3,
        "rows": [Row("receive", "SQLite", [1.5]).as_json()],
    }
    bench_site.merged(results, earlier)
    engines = [(row["engine"], row["median_s"]) for row in results["rows"]]
    assert engines == [("SQLite", 1.5), ("PostgreSQL", 2.0)]  # this run's SQLite row kept
    table = bench_site.markdown_table(results)
    assert "PostgreSQL 15.18" in table
    assert (
        "The PostgreSQL rows are from the run of 2026-12-03T18:00:00+00:00 (code old1234)" in table
    )
    assert "| receive a 500-kit manifest | PostgreSQL | 2.00 s |" in table

    again = {
        **results,
        "code": "new9999",
        "rows": [Row("reconcile", "PostgreSQL", [0.4]).as_json()],
    }
    bench_site.merged(again, results)  # one measurement run again: the others kept, named
    keys = sorted((row["key"], row["engine"]) for row in again["rows"])
    assert keys == [
        ("receive", "PostgreSQL"),
        ("receive", "SQLite"),
        ("reconcile", "PostgreSQL"),
    ]
    said = bench_site.markdown_table(again)
    assert "The PostgreSQL rows of receive a 500-kit manifest are from the run of" in said
    assert "The SQLite rows are from the run of 2026-12-03T20:00:00+00:00 (code new5678)" in said
    assert "(code old1234)" in said  # the PostgreSQL receive kept with the run it was measured in


def test_a_run_of_some_measurements_keeps_the_table_it_writes_over(tmp_path: Path) -> None:
    """Without --merge, the rows already in the --out file are kept (a run of one measurement
    no longer drops the others from the JSON and the README); --new-table keeps none."""
    out, given = tmp_path / "site.json", tmp_path / "earlier.json"
    assert bench_site.merge_source(None, out, new_table=False) is None  # nothing there yet
    out.write_text("{}", encoding="utf-8")
    assert bench_site.merge_source(None, out, new_table=False) == out
    assert bench_site.merge_source(given, out, new_table=False) == given
    assert bench_site.merge_source(given, out, new_table=True) is None
    assert bench_site.merge_source(None, out, new_table=True) is None


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    folder = tmp_path_factory.mktemp("site")
    path, counts = bench_site.site_database(2_000, False, folder / "tiny.sqlite3")
    return path, bench_site._work_day(date.fromisoformat(counts["last day"]))


def test_one_measurement_on_a_copy_of_a_tiny_site(tiny_site: tuple[Path, date]) -> None:
    path, day = tiny_site
    size = path.stat().st_size
    rows = bench_site.measure_group("receive", Site(path), Plan(runs=1, day=day))
    assert [(r.key, r.engine, r.skipped) for r in rows] == [("receive", "SQLite", "")]
    (row,) = rows
    assert len(row.times) == 1 and row.times[0] > 0
    assert row.peak_rss_mb is not None and row.peak_rss_mb > 20
    assert path.stat().st_size == size  # the kits went into a copy
    assert "receive a 500-kit manifest" in bench_site.format_table([row.as_json()])


def test_a_failed_measurement_is_a_row_that_says_so(tmp_path: Path) -> None:
    gone = Site(tmp_path / "no-such-site.sqlite3")
    (row,) = bench_site.measure_group("reconcile", gone, Plan(runs=1, day=date(2024, 1, 8)))
    assert row.key == "reconcile" and row.skipped.startswith("failed: ") and not row.times
    assert row.judged() == (None, row.skipped)


def test_the_reconciliation_is_timed_after_the_counters_steps(tiny_site: tuple[Path, date]) -> None:
    """Each timed reconciliation follows a dispense and a return written through the services
    (not a reconciliation of an unchanged database), the first ones said apart."""
    path, day = tiny_site
    (row,) = bench_site.measure_group("reconcile", Site(path), Plan(runs=2, day=day))
    assert row.skipped == "" and len(row.times) == 2, row.skipped
    assert "each after one dispense and one return through the services" in row.note
    assert "the first (audit trail in full, everything read)" in row.note
    assert "everything read anew" in row.note and "the first of a new day" in row.note


def test_the_today_screen_is_timed_after_the_counters_steps(tiny_site: tuple[Path, date]) -> None:
    """Each timed refresh follows a step written through the services (the screen keeps its
    figures while nothing is written, so an unchanged refresh would time what it kept); the
    forecast and the table of all studies, and the unchanged refresh, are said in the note."""
    path, day = tiny_site
    (row,) = bench_site.measure_group("today", Site(path), Plan(runs=2, day=day))
    assert row.skipped == "" and len(row.times) == 2, row.skipped
    assert "figures shown after a step at the counter" in row.note
    assert "the supply forecast and the table of all studies on screen after" in row.note
    assert "with nothing written since" in row.note


def test_the_dispenses_statements_are_replayed_in_sqlite3_alone(
    tiny_site: tuple[Path, date],
) -> None:
    """The dispense's own statements, replayed through sqlite3 on a copy taken before the first,
    write what the program wrote (the copy's tables end the same) and are timed against the
    floor on that copy: the database part's note says how much of the 5x that leaves."""
    path, day = tiny_site
    rows = {r.key: r for r in bench_site.measure_group("dispense", Site(path), Plan(2, day))}
    assert set(rows) == {"dispense", "dispense_db", "dispense_sql", "signature"}, rows
    replayed = rows["dispense_sql"]
    assert replayed.skipped == "" and len(replayed.times) == 2 and len(replayed.floor) == 2
    assert all(t > 0 for t in replayed.times + replayed.floor)
    assert "replayed through sqlite3 alone on a copy of the site" in replayed.note
    assert "the database's own work for its statements is" in rows["dispense_db"].note
    assert replayed.judged() == (None, "")  # context, no target of its own
    assert not list(path.parent.glob("*.replay*"))  # the replay's copy is gone


def test_a_replay_that_does_not_write_what_the_program_wrote_is_seen(tmp_path: Path) -> None:
    import sqlite3

    made = tmp_path / "made.sqlite3"
    with sqlite3.connect(made) as conn:
        conn.execute("CREATE TABLE kits (id INTEGER PRIMARY KEY, status TEXT)")
        conn.execute("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, note TEXT)")
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(made.read_bytes())
    log = [
        ("one", "BEGIN IMMEDIATE", ()),
        ("one", "INSERT INTO kits (status) VALUES (?)", ("on_hand",)),
        ("commit", "", None),
        ("one", "BEGIN IMMEDIATE", ()),
        ("many", "INSERT INTO kits (status) VALUES (?)", [("on_hand",), ("on_hand",)]),
        ("commit", "", None),
    ]
    times, floor = bench_site.replay(str(copy), log, [(3, 6)])
    assert len(times) == len(floor) == 1
    assert bench_site.table_sizes(str(copy))["kits"] == (3, 3)
    assert bench_site.table_sizes(str(copy)) != bench_site.table_sizes(str(made))
    assert bench_site.statements_of(log, [(3, 6)]) == "3"  # BEGIN, INSERT, COMMIT


def test_the_verify_row_says_what_reading_alone_costs() -> None:
    said = bench_site.read_alone({"hashing": 2.0, "raw_reading": 7.5}, "SQLite")
    assert "7.50 s, 3.8× the floor, on one core" in said
    assert bench_site.read_alone({"hashing": 2.0, "raw_reading": 7.5}, "PostgreSQL") == ""
    assert bench_site.read_alone({"hashing": 2.0}, "SQLite") == ""
