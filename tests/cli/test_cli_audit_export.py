"""`audit list --json` and the audit report's CSV carry the facts its PDF shows: each entry's
signatures (printed name, role at signing, meaning, time: 21 CFR 11.50) and a return's kit,
dispense and participant looked up. Both had only the entry as stored, so an inspector's
spreadsheet lacked who signed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cli_support import Cli

from dispensary.reports.csvfile import read_rows


def test_the_json_and_the_csv_carry_the_same_signatures_and_return_facts(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "trail.csv"
    made = cli("report", "audit", "--out", str(out), user="monitor")
    assert made.code == 0, made.err
    rows = {r["id"]: r for r in read_rows(out.read_text(encoding="utf-8-sig"))}
    # Listed after the report: the list's own sign-in comes later than the report's rows.
    listed = cli("audit", "list", "--json", user="monitor").json()
    assert set(rows) <= {str(e["id"]) for e in listed}
    listed = [e for e in listed if str(e["id"]) in rows]

    dispensed = [e for e in listed if e["action"] == "dispense"]
    assert dispensed and all(e["signatures"] for e in dispensed)
    [first] = [s for s in dispensed[0]["signatures"] if s["meaning"] == "dispensed"]
    assert first["full_name"] and first["role"] == "pharmacist", first
    returned = [e for e in listed if e["action"] == "return"]
    assert returned and all(e["return_participant"] for e in returned)
    assert all(e["return_kit"] == e["new"]["kit"] for e in returned)
    assert all(e["return_dispense"] == e["new"]["dispense"] for e in returned)
    assert all(e["return_kit"] is None for e in dispensed)

    for entry in listed:
        row = rows[str(entry["id"])]
        for key in ("return_kit", "return_dispense", "return_participant"):
            assert row[key] == (entry[key] or ""), (key, entry, row)
        for n, signed in enumerate(entry["signatures"], start=1):
            cells = {f: row[f"signature_{n}_{f}"] for f in ("username", "full_name", "role")}
            assert cells == {f: signed[f] for f in ("username", "full_name", "role")}
            assert row[f"signature_{n}_meaning"] == signed["meaning"]
            at = datetime.fromisoformat(row[f"signature_{n}_at_utc"])
            assert at == datetime.fromisoformat(signed["at"])
        unsigned = len(entry["signatures"]) + 1
        assert row.get(f"signature_{unsigned}_username", "") == ""


def test_the_count_a_count_adjusts_is_named_by_its_kit_and_day(cli: Cli, tmp_path: Path) -> None:
    """A count's entry stores the earlier count it adjusted by the row's number alone
    (`adjustment_of`): the JSON and the CSV carry that count's kit and day beside it."""
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21)
    first = cli("count", kit, "--tablets", "20", "--json", user="technician")
    assert first.code == 0, first.err
    opened = first.json()["count_id"]
    adjust = ["count", kit, "--tablets", "20", "--reason-code", "breakage", "--reason", "one"]
    adjust += ["--verified-by", "pharmacist", "--expected-book", "21"]
    adjust += ["--adjusting-count", str(opened)]
    done = cli(*adjust, user="technician", env={"DISPENSARY_VERIFIER_PASSWORD": "demo-pass-1"})
    assert done.code == 0, done.err
    listed = cli("audit", "list", "--kit", kit, "--json", user="monitor").json()
    [adjusted] = [e for e in listed if e["action"] == "count_adjusted"]
    assert adjusted["new"]["adjustment_of"] == opened
    day = adjusted["at"][:10]
    assert (adjusted["count_kit"], adjusted["count_on"]) == (kit, day)
    assert all(e["count_kit"] is None for e in listed if e["action"] != "count_adjusted")
    out = tmp_path / "trail.csv"
    made = cli("report", "audit", "--kit", kit, "--out", str(out), user="monitor")
    assert made.code == 0, made.err
    rows = {r["id"]: r for r in read_rows(out.read_text(encoding="utf-8-sig"))}
    assert (rows[str(adjusted["id"])]["count_kit"], rows[str(adjusted["id"])]["count_on"]) == (
        kit,
        day,
    )
    header = next(
        line for line in out.read_text(encoding="utf-8-sig").splitlines() if line[:1] != "#"
    ).split(",")
    # Columns added later go after the signatures: a sheet reading by place still finds them.
    assert header[header.index("return_participant") + 1] == "signature_1_username", header
    assert header[-3:] == ["count_kit", "count_on", "referred_entry"], header


def test_the_entry_that_recorded_the_count_adjusted_is_carried(cli: Cli, tmp_path: Path) -> None:
    """The count an adjustment names (`adjustment_of`, its row) was recorded by an entry of the
    trail: the JSON and the CSV (its last column, after the signatures) carry that entry's
    "id", as the PDF and the window write "entry No. N"."""
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21)
    first = cli("count", kit, "--tablets", "20", "--json", user="technician")
    assert first.code == 0, first.err
    adjust = ["count", kit, "--tablets", "20", "--reason-code", "breakage", "--reason", "one"]
    adjust += ["--verified-by", "pharmacist", "--expected-book", "21"]
    adjust += ["--adjusting-count", str(first.json()["count_id"])]
    done = cli(*adjust, user="technician", env={"DISPENSARY_VERIFIER_PASSWORD": "demo-pass-1"})
    assert done.code == 0, done.err
    listed = cli("audit", "list", "--kit", kit, "--json", user="monitor").json()
    [counted] = [e for e in listed if e["action"] == "count"]
    [adjusted] = [e for e in listed if e["action"] == "count_adjusted"]
    assert adjusted["referred_entry"] == counted["id"]
    assert counted["referred_entry"] is None  # a blind count names no earlier count
    out = tmp_path / "trail.csv"
    made = cli("report", "audit", "--kit", kit, "--out", str(out), user="monitor")
    assert made.code == 0, made.err
    rows = {r["id"]: r for r in read_rows(out.read_text(encoding="utf-8-sig"))}
    assert list(rows[str(adjusted["id"])])[-1] == "referred_entry"
    assert rows[str(adjusted["id"])]["referred_entry"] == str(counted["id"])
    assert rows[str(counted["id"])]["referred_entry"] == ""


def test_the_report_takes_the_filters_of_the_audit_trail_window(cli: Cli, tmp_path: Path) -> None:
    """`report audit --by USER --action A --text TEXT`: the entries the Audit trail window (and
    `audit list`) keeps for them, said in the file's title; --user still signs in."""
    out = tmp_path / "dispenses.csv"
    asked = ["report", "audit", "--by", "pharmacist", "--action", "dispense"]
    made = cli(*asked, "--out", str(out), user="monitor")
    assert made.code == 0, made.err
    text = out.read_text(encoding="utf-8-sig")
    rows = read_rows(text)
    listed = cli(
        "audit", "list", "--user", "pharmacist", "--action", "dispense", "--json", user="monitor"
    ).json()
    assert len(listed) > 1
    assert [int(r["id"]) for r in rows] == sorted(e["id"] for e in listed)
    assert "; user pharmacist; action Dispense" in text.splitlines()[0], text.splitlines()[0]
    one = listed[0]["entity_id"]
    made = cli(*asked, "--text", one, "--out", str(out), "--force", user="monitor")
    assert made.code == 0, made.err
    text = out.read_text(encoding="utf-8-sig")
    assert [r["entity_id"] for r in read_rows(text)] == [one]
    assert f"; text \u201c{one}\u201d" in text.splitlines()[0], text.splitlines()[0]
