"""`dispensary forecast`: the supply forecast as text and as JSON, on the demo pharmacy."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.reports.csvfile import read_rows
from dispensary.study import default_study_path, load_study

NAMES = {
    p.code: load_study(default_study_path()).product_name(p.code, "en")
    for p in load_study(default_study_path()).products
}
"""The study's products as an English reader names them."""


def test_the_forecast_as_json_adds_up(cli: Cli) -> None:
    result = cli("forecast", "--weeks", "8", "--json", user="monitor")
    assert result.code == 0, result.err
    data = result.json()
    assert data["weeks"] == 8 and data["participants"] > 0
    assert data["lead_time_days"] == 21 and data["lead_time_confirmed"] is False
    assert {r["week"] for r in data["rows"]} == set(range(1, 9))
    assert all(0 <= r["kits_usable"] <= r["kits_on_hand"] for r in data["rows"])
    short = [r for r in data["rows"] if r["short"]]
    if short:
        assert data["first_short_week"] == short[0]["week"]
        assert data["first_short_date"] == short[0]["start"]
    else:
        assert data["first_short_week"] is None
    for order in data["resupply"]:
        mine = [r for r in short if r["product"] == order["product"]]
        assert order["kits"] == sum(r["kits_short"] for r in mine)
        assert order["first_short"] == mine[0]["start"]
    assert set(data) >= {"rows", "resupply", "unused", "today", "expiry_margin_days"}


def test_enrolment_to_come_adds_cycles(cli: Cli) -> None:
    base = cli("forecast", "--weeks", "4", "--json").json()
    more = cli("forecast", "--weeks", "4", "--enrol", "3", "--enrol-every", "7", "--json").json()
    cycles = sum(r["cycles"] for r in base["rows"])
    # Three more from today, a week apart (days 0, 7, 14 of the 28): cycle 1 each, and the
    # first one's cycle 2 on day 21; the others' (days 28, 35) fall after the 4 weeks.
    assert sum(r["cycles"] for r in more["rows"]) == cycles + 4


def test_the_forecast_as_text_and_in_chinese(cli: Cli) -> None:
    english = cli("forecast", "--weeks", "12")
    assert english.code == 0, english.err
    data = cli("forecast", "--weeks", "12", "--json").json()
    assert english.out.startswith(f"Supply forecast from {data['today']}, 12 weeks;")
    if data["first_short_week"]:
        assert f"Stock falls short in week {data['first_short_week']}" in english.out
        for order in data["resupply"]:
            assert f"Order {order['kits']} kits of {NAMES[order['product']]}" in english.out
    assert "Lead time 21 days (site decision 2026-11): a rule to confirm." in english.out
    assert "Kits needed" in english.out and "On hand" in english.out and "Usable" in english.out
    chinese = cli("--lang", "zh_CN", "forecast", "--weeks", "12")
    assert chinese.code == 0 and "供药预测" in chinese.out
    # Products by name in the reader's language, as the report names them; codes in the JSON.
    assert "海曲泊帕乙醇胺片 7.5 mg" in chinese.out and NAMES["herombopag-7.5mg"] in english.out
    for code in NAMES:
        assert code not in english.out and code not in chinese.out
    assert cli("--lang", "zh_CN", "forecast", "--weeks", "12", "--json").json() == data


def test_a_wrong_horizon_is_a_usage_error(cli: Cli) -> None:
    for weeks in ("0", "157", "x"):
        result = cli("forecast", "--weeks", weeks)
        assert result.code == 2 and result.out == ""
        assert "number of weeks" in result.err


def test_the_forecast_report_as_csv(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = cli("report", "forecast", "--out", str(out))
    assert result.code == 0, result.err
    assert "supply forecast (12 weeks;" in result.out
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("# Supply forecast (as of ")
    rows = read_rows(text)
    assert list(rows[0]) == [
        "record", "week", "week_start", "product", "cycles", "tablets_needed", "kits_needed",
        "kits_on_hand", "kits_short", "kit", "lot", "expiry", "last_day1", "order_by",
        "kits_usable",
    ]  # fmt: skip
    assert {r["record"] for r in rows} >= {"week"}


def test_the_forecast_report_over_a_horizon_given(cli: Cli, tmp_path: Path) -> None:
    """`report forecast --weeks N`: the report's horizon, as `dispensary forecast --weeks`."""
    out = tmp_path / "f.pdf"
    result = cli("report", "forecast", "--weeks", "26", "--out", str(out), "--json")
    assert result.code == 0, result.err
    assert result.json()["pages"] >= 1 and out.read_bytes().startswith(b"%PDF")
    csv = tmp_path / "f.csv"
    assert cli("report", "forecast", "--weeks", "26", "--out", str(csv)).code == 0
    weeks = {r["week"] for r in read_rows(csv.read_text(encoding="utf-8-sig"))}
    assert {str(n) for n in range(1, 27)} <= weeks and "27" not in weeks
    for wrong in ("0", "157", "x"):
        refused = cli("report", "forecast", "--weeks", wrong, "--out", str(out))
        assert refused.code == 2 and "number of weeks" in refused.err
