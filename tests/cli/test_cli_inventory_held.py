"""`dispensary inventory`'s "available to dispense" figure is what the dispense hands out and
what the Inventory screen counts: a kit held for an open count difference (its last count
differs from the book, neither adjusted nor counted again) is left out, and the line after it
says how many kits are held, which, and what to do. Run in-process on a small pharmacy built
through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from dispensary import cli
from dispensary.services import inventory_pages, queries, receiving, setup
from dispensary.services.context import Actor, Context
from dispensary.services.inventory_pages import KitQuery

P75 = "herombopag-7.5mg"
TODAY = "2026-01-05"


def test_a_kit_held_for_a_count_difference_is_not_available_to_dispense(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    listed = receiving.kits_from_range(ctx, "K0001-K0003", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L1", listed)
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)  # owner-only, as the program makes it
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setenv("DISPENSARY_TODAY", TODAY)
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)

    def run(*argv: str) -> list[str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out.rstrip().splitlines()

    def inventory() -> list[str]:  # every status: `--status available` leaves a held kit out
        return run("inventory")

    assert inventory()[-1] == "3 kits; available to dispense: 3 kits, 63 tablets."
    run("count", "K0002", "--tablets", "20")  # 21 in the book: the difference is open

    lines = inventory()
    assert lines[-2:] == [
        "3 kits; available to dispense: 2 kits, 42 tablets.",
        "Not counted as available: 1 kit held for a count difference not settled (K0002). "
        "Recount it or record the adjustment first: Physical count (Ctrl+7), or "
        "`dispensary count` on the command line.",
    ]
    # The Inventory screen's figures (the service it reads) agree.
    shown = inventory_pages.inventory_summary(ctx, pharmacist, KitQuery())
    assert (shown.tablets_available, shown.held) == (42, 1)
    rows = {r.number: r for r in queries.inventory(ctx, pharmacist)}
    assert rows["K0002"].held and not rows["K0002"].dispensable
    assert rows["K0001"].dispensable and not rows["K0001"].held


def test_the_status_option_lists_a_held_kit_as_the_table_says_it(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """`--status available` listed the kit held for a count difference (its stored status),
    which its Status column says held: `--status held` lists it, `available` leaves it out,
    as the Inventory screen's filter does (the same choice, inventory_pages.status_choice)."""
    listed = receiving.kits_from_range(ctx, "K0001-K0003", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L1", listed)
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setenv("DISPENSARY_TODAY", TODAY)
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)

    def run(*argv: str) -> list[str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out.rstrip().splitlines()

    def kits(lines: list[str]) -> dict[str, str]:
        """Each kit's Status cell, from the table's rows."""
        rows = [line for line in lines if line.startswith("K000")]
        return {row.split()[0]: " ".join(row.split()[4:-1]) for row in rows}

    run("count", "K0002", "--tablets", "20")  # 21 in the book: held
    assert kits(run("inventory")) == {
        "K0001": "available",
        "K0002": "held: count",
        "K0003": "available",
    }
    assert kits(run("inventory", "--status", "available")) == {
        "K0001": "available",
        "K0003": "available",
    }
    held = run("inventory", "--status", "held")
    assert kits(held) == {"K0002": "held: count"}
    assert held[-1].startswith("Not counted as available: 1 kit held")
    assert kits(run("--lang", "zh_CN", "inventory", "--status", "held")) == {"K0002": "盘点暂扣"}
    assert any("held" in line for line in run("inventory", "--help"))


def test_the_status_option_lists_a_short_dated_kit_as_the_table_says_it(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """`--status available` listed a kit too short-dated for a cycle dispensed today (its
    stored status), which the Inventory screen's Status column says "Too short-dated": the
    table says it so, `--status short` lists it and `available` leaves it out (held or not),
    as the screen's filter does (inventory_pages.status_choice)."""
    listed = receiving.kits_from_range(ctx, "K0001-K0002", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L1", listed)
    listed = receiving.kits_from_range(ctx, "K0101-K0102", P75, "L0", date(2026, 1, 6), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L0", listed)
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setenv("DISPENSARY_TODAY", TODAY)
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)

    def run(*argv: str) -> list[str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out.rstrip().splitlines()

    def kits(lines: list[str]) -> dict[str, str]:
        """Each kit's Status cell, from the table's rows."""
        rows = [line for line in lines if line.startswith("K0")]
        return {row.split()[0]: " ".join(row.split()[4:-1]) for row in rows}

    run("count", "K0102", "--tablets", "20")  # 21 in the book: held, and too short-dated
    assert kits(run("inventory")) == {
        "K0101": "too short-dated",
        "K0102": "too short-dated",
        "K0001": "available",
        "K0002": "available",
    }
    assert kits(run("inventory", "--status", "available")) == {
        "K0001": "available",
        "K0002": "available",
    }
    assert kits(run("inventory", "--status", "short")) == {
        "K0101": "too short-dated",
        "K0102": "too short-dated",
    }
    assert kits(run("inventory", "--status", "held")) == {}
    assert kits(run("--lang", "zh_CN", "inventory", "--status", "short")) == {
        "K0101": "效期不足",
        "K0102": "效期不足",
    }
    assert any("short" in line for line in run("inventory", "--help"))


def test_the_held_note_counts_the_kits_the_table_says_held(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """A kit held for a count difference and too short-dated for a cycle is said "too
    short-dated" in the Status column (KitRow.refused_for_expiry wins) and listed by `--status
    short`: the note after the table does not count it held too, one rule for both. A kit held
    alone is still counted in the note."""
    listed = receiving.kits_from_range(ctx, "K0001-K0002", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L1", listed)
    listed = receiving.kits_from_range(ctx, "K0101-K0102", P75, "L0", date(2026, 1, 6), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L0", listed)
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setenv("DISPENSARY_TODAY", TODAY)
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)

    def run(*argv: str) -> list[str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out.rstrip().splitlines()

    def notes(lines: list[str]) -> list[str]:
        return [line for line in lines if line.startswith("Not counted as available")]

    run("count", "K0102", "--tablets", "20")  # 21 in the book: held, and too short-dated
    assert notes(run("inventory")) == []
    assert notes(run("inventory", "--status", "short")) == []

    run("count", "K0002", "--tablets", "20")  # held alone: "held: count", and in the note
    [note] = notes(run("inventory"))
    assert "1 kit held for a count difference not settled (K0002)" in note, note
    [note] = notes(run("inventory", "--status", "held"))
    assert "(K0002)" in note, note
    assert notes(run("inventory", "--status", "short")) == []


def test_the_json_keeps_the_status_recorded_and_adds_the_status_shown(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """`inventory --json` said `available` for the kits the table and the Inventory screen say
    held or too short-dated, and nothing else: a script could not tell them from stock to
    dispense. `status` stays as recorded (scripts read it); `shown_status` is the service's
    status as shown (KitRow.shown_status), the `--status` choice that lists the kit."""
    import json

    listed = receiving.kits_from_range(ctx, "K0001-K0002", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L1", listed)
    listed = receiving.kits_from_range(ctx, "K0101-K0101", P75, "L0", date(2026, 1, 6), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-L0", listed)
    if Path(ctx.database).is_file():
        Path(ctx.database).chmod(0o600)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", ctx.database)
    monkeypatch.setenv("DISPENSARY_USER", pharmacist.username)
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    monkeypatch.setenv("DISPENSARY_TODAY", TODAY)
    monkeypatch.setattr(setup, "training_clock_allowed", lambda _ctx: True)

    def run(*argv: str) -> str:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    def statuses(*argv: str) -> dict[str, tuple[str, str]]:
        found = json.loads(run("--json", "inventory", *argv))
        return {k["kit"]: (k["status"], k["shown_status"]) for k in found}

    run("count", "K0002", "--tablets", "20")  # 21 in the book: held
    assert statuses() == {
        "K0001": ("available", "available"),
        "K0002": ("available", "held"),
        "K0101": ("available", "short"),
    }
    for choice in ("available", "held", "short"):  # each lists the kits shown so
        found = statuses("--status", choice)
        assert found and {shown for _status, shown in found.values()} == {choice}, choice
    [row] = json.loads(run("--json", "inventory", "--every-study", "--status", "held"))
    assert (row["kit"], row["status"], row["shown_status"]) == ("K0002", "available", "held")
