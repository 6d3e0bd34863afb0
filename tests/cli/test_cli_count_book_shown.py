"""`count` adjusting an open count is signed against the book its record printed, given with
--expected-book (which the record says to give): when another workstation recorded the kit
since, it is refused (book_changed, exit 3), nothing written."""

from __future__ import annotations

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
    assert "--verified-by NAME --expected-book 21." in first.out
    # Another workstation counts the kit at 19 and adjusts the book to it, signed against the
    # book the open count printed (21): accepted. Without the book, it is asked for.
    other = ["count", kit, "--tablets", "19", "--reason-code", "breakage", "--reason", "two"]
    other += ["--verified-by", "technician", "--json"]
    unsaid = cli(*other, user="pharmacist", env=PASSWORD)
    assert unsaid.code == 2 and "give that book with --expected-book N" in unsaid.err
    other = cli(*other, "--expected-book", "21", user="pharmacist", env=PASSWORD)
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
    refused = cli(*adjust, "--expected-book", "21", user="technician", env=PASSWORD)
    assert refused.code == 3, refused.err
    assert settled in refused.err
    assert written(cli, kit) == before  # nothing written
    checked = cli("check", "count", kit, "--tablets", "20", "--expected-book", "21", "--json")
    assert checked.code == 3
    assert [r["code"] for r in checked.json()["refusals"]] == ["book_changed"]
    # Counted again, open against the book 19 it prints; adjusted against a book given that
    # is not 19: refused, naming both.
    again = cli("count", kit, "--tablets", "18", "--json", user="technician")
    assert again.code == 0 and again.json()["book"] == 19, again.err
    before = written(cli, kit)
    stale = cli(
        "count", kit, "--tablets", "18", "--reason-code", "lost", "--reason", "one lost",
        "--verified-by", "pharmacist", "--expected-book", "21", user="technician", env=PASSWORD,
    )  # fmt: skip
    assert stale.code == 3
    assert f"The book of kit {kit} changed from 21 to 19 since it was shown" in stale.err
    assert written(cli, kit) == before
    # Signed against the book it printed (19): adjusted.
    done = cli(
        "count", kit, "--tablets", "18", "--reason-code", "lost", "--reason", "one lost",
        "--verified-by", "pharmacist", "--expected-book", "19", "--json", user="technician",
        env=PASSWORD,
    )  # fmt: skip
    assert done.code == 0 and done.json()["adjusted"] is True, done.err
    assert written(cli, kit)[1] == 18
