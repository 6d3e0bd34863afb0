"""`count` adjusting an open count is signed against the book its record printed, given with
--expected-book (which the record says to give): when another workstation recorded the kit
since, it is refused (book_changed, exit 3), nothing written."""

from __future__ import annotations

import re

from cli_support import Cli

PASSWORD = {"DISPENSARY_VERIFIER_PASSWORD": "demo-pass-1"}


def written(cli: Cli, kit: str) -> tuple[int, int]:
    """The kit's count entries in the audit trail, and its tablets in the book."""
    entries = cli("audit", "list", "--action", "count", "--json", user="admin").json()
    stock = cli("inventory", "--json").json()
    tablets = next(k["tablets"] for k in stock if k["kit"] == kit)
    return sum(1 for e in entries if e["entity_id"] == kit), tablets


def test_an_adjustment_after_another_workstation_recorded_the_kit_is_refused(cli: Cli) -> None:
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21)
    first = cli("count", kit, "--tablets", "20", user="technician")
    assert first.code == 0, first.err  # printed: the book, and the command that adjusts it
    assert "21 in the book" in first.out
    found = re.search(r"Open count (\d+)\.", first.out)
    assert found is not None, first.out
    shown = found.group(1)
    assert f"--verified-by NAME --expected-book 21 --adjusting-count {shown}." in first.out
    # Another workstation counts the kit at 19 and adjusts the book to it, signed against the
    # book the open count printed (21): accepted. Without the book, it is asked for.
    other = ["count", kit, "--tablets", "19", "--reason-code", "breakage", "--reason", "two"]
    other += ["--verified-by", "technician", "--json"]
    unsaid = cli(*other, user="pharmacist", env=PASSWORD)
    assert unsaid.code == 2 and "give that book with --expected-book N" in unsaid.err
    half = cli(*other, "--expected-book", "21", user="pharmacist", env=PASSWORD)
    assert half.code == 2 and "that count with --adjusting-count N" in half.err
    other += ["--expected-book", "21", "--adjusting-count", shown]
    other = cli(*other, user="pharmacist", env=PASSWORD)
    assert other.code == 0 and other.json()["adjusted"] is True, other.err
    before = written(cli, kit)
    assert before[1] == 19
    settled = (
        f"Kit {kit} has no count open against the book 21 given: another workstation may have "
        "counted the kit since it was shown. Nothing was written: count the kit again (blind), "
        "or review its history."
    )
    adjust = ["count", kit, "--tablets", "20", "--reason-code", "miscount", "--reason", "one"]
    adjust += ["--verified-by", "pharmacist"]
    adjust += ["--expected-book", "21", "--adjusting-count", shown]
    refused = cli(*adjust, user="technician", env=PASSWORD)
    assert refused.code == 3, refused.err
    assert settled in refused.err
    assert written(cli, kit) == before  # nothing written
    checked = ["check", "count", kit, "--tablets", "20", "--expected-book", "21", "--json"]
    checked = cli(*checked, "--adjusting-count", shown)
    assert checked.code == 3
    assert [r["code"] for r in checked.json()["refusals"]] == ["book_changed"]
    # Counted again, open against the book 19 it prints; adjusted against a book given that
    # is not 19: refused, naming both.
    again = cli("count", kit, "--tablets", "18", "--json", user="technician")
    assert again.code == 0 and again.json()["book"] == 19, again.err
    now = str(again.json()["count_id"])
    before = written(cli, kit)
    stale = cli(
        "count", kit, "--tablets", "18", "--reason-code", "lost", "--reason", "one lost",
        "--verified-by", "pharmacist", "--expected-book", "21", "--adjusting-count", now,
        user="technician", env=PASSWORD,
    )  # fmt: skip
    assert stale.code == 3
    assert f"The book of kit {kit} shown with the count of " in stale.err
    assert "was 19, not 21." in stale.err
    assert written(cli, kit) == before
    # Signed against the book it printed (19): adjusted.
    done = cli(
        "count", kit, "--tablets", "18", "--reason-code", "lost", "--reason", "one lost",
        "--verified-by", "pharmacist", "--expected-book", "19", "--adjusting-count", now,
        "--json", user="technician", env=PASSWORD,
    )  # fmt: skip
    assert done.code == 0 and done.json()["adjusted"] is True, done.err
    assert written(cli, kit)[1] == 18


def test_a_book_typed_wrong_or_given_with_no_count_open_is_not_blamed_elsewhere(
    cli: Cli,
) -> None:
    stock = cli("inventory", "--json").json()
    kits = [k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21]
    typed, never = kits[0], kits[1]
    first = cli("count", typed, "--tablets", "20", "--json", user="technician").json()
    count = str(first["count_id"])
    adjust = ["count", typed, "--tablets", "20", "--reason-code", "breakage", "--reason", "one"]
    adjust += ["--verified-by", "technician", "--adjusting-count", count]
    wrong = cli(*adjust, "--expected-book", "22", user="pharmacist", env=PASSWORD)
    assert wrong.code == 3, wrong.err
    assert f"The book of kit {typed} shown with the count of " in wrong.err
    assert "was 21, not 22." in wrong.err and "another workstation" not in wrong.err
    assert written(cli, typed)[1] == 21
    # No count open, none ever: no adjustment (no_open_count), nobody blamed.
    none = cli("count", never, "--tablets", "20", "--expected-book", "21", user="pharmacist")
    assert none.code == 3
    assert f"Kit {never} has no count open to adjust" in none.err
    assert "another workstation" not in none.err
    assert written(cli, never) == (0, 21)
    checked = cli("check", "count", never, "--tablets", "20", "--expected-book", "21", "--json")
    assert [r["code"] for r in checked.json()["refusals"]] == ["no_open_count"]


def test_an_adjustment_after_a_recount_elsewhere_is_refused(cli: Cli) -> None:
    """The pharmacist counted the kit at 20 (book 21); the technician counted it again at 19:
    the pharmacist's adjustment of their own count (its number printed) is refused."""
    stock = cli("inventory", "--json").json()
    kit = next(k["kit"] for k in stock if k["status"] == "available" and k["tablets"] == 21)
    first = cli("count", kit, "--tablets", "20", user="pharmacist")
    found = re.search(r"Open count (\d+)\.", first.out)
    assert first.code == 0 and found is not None, first.out
    shown = found.group(1)
    checked = cli("check", "count", kit, "--tablets", "20", "--json").json()
    assert checked["open_count"] == int(shown)
    again = cli("count", kit, "--tablets", "19", "--json", user="technician").json()
    assert again["book"] == 21
    before = written(cli, kit)
    adjust = ["count", kit, "--tablets", "20", "--reason-code", "breakage", "--reason", "one"]
    adjust += ["--verified-by", "technician", "--expected-book", "21"]
    refused = cli(*adjust, "--adjusting-count", shown, user="pharmacist", env=PASSWORD)
    assert refused.code == 3, refused.err
    assert f"The open count of kit {kit} is no longer count {shown}, the one shown" in refused.err
    assert f"(count {again['count_id']}: 19 counted on " in refused.err
    assert written(cli, kit) == before and before[1] == 21
    # Without the count's number the adjustment is not taken at all.
    unsaid = cli(*adjust, user="pharmacist", env=PASSWORD)
    assert unsaid.code == 2 and "--adjusting-count N" in unsaid.err
