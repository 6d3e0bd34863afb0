"""Written once, used everywhere (issue 10): the command line and the reports screen offer
exactly the catalogue's reports and labels with the catalogue's parameters, and a wrong
signature password counts once against its signer whichever front end relays it."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import Qt
from sqlalchemy import text
from window_helpers import refreshed

from dispensary import cli
from dispensary.domain.errors import SignatureFailed
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.catalogue import Label
from dispensary.reports import catalogue as report_catalogue
from dispensary.reports.catalogue import Report
from dispensary.services import queries, reconciliation
from dispensary.services.context import Actor
from dispensary.services.documents import Param
from dispensary.ui.feedback import MessageBar
from dispensary.ui.forms import signed
from dispensary.ui.reconcile_view import ReconcileScreen
from dispensary.ui.reports_view import ReportsScreen
from signed import seen_now

CLI_OPTION = {
    Param.PRODUCT: "product",
    Param.LOT: "lot",
    Param.PARTICIPANT: "participant",
    Param.DAYS: "days",
    Param.PERIOD: "since",
    Param.KITS: "kits",
    Param.KIT: "kit",
    Param.SHIPMENT: "shipment",
    Param.DISPENSE: "dispense",
    Param.STOCK: "stock",
    Param.PAPER: "paper",
    Param.DESTRUCTION: "destruction",
    Param.WEEKS: "weeks",
    Param.USER: "by_user",
    Param.ACTION: "action",
    Param.TEXT: "text",
}
"""Where each parameter lands on the command line (the dest of its option)."""
NOT_A_DOCUMENT = {"calibrate"}
"""`label calibrate` saves a workstation setting: it makes no document, so it is no entry."""


def sub_commands(group: str) -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    [top] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    [inner] = [a for a in top.choices[group]._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(inner.choices)


def dests(parser: argparse.ArgumentParser) -> set[str]:
    return {a.dest for a in parser._actions}


def test_the_cli_and_the_screen_offer_exactly_the_catalogue(qtbot: Any, pharmacy: Pharmacy) -> None:
    reports = sub_commands("report")
    assert list(reports) == [r.key for r in report_catalogue.REPORTS]
    for entry in report_catalogue.REPORTS:
        given = dests(reports[entry.key]) & set(CLI_OPTION.values())
        assert given == {CLI_OPTION[f.param] for f in entry.fields}, entry.key
    label_commands = sub_commands("label")
    assert [k for k in label_commands if k not in NOT_A_DOCUMENT] == [
        lb.key for lb in label_catalogue.LABELS
    ]
    for label in label_catalogue.LABELS:
        given = dests(label_commands[label.key]) & set(CLI_OPTION.values())
        assert given == {CLI_OPTION[f.param] for f in label.fields}, label.key
        assert ("reprint" in dests(label_commands[label.key])) == (label.kind is not None)

    screen = ReportsScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    shown = [
        screen.choices.item(i).data(Qt.ItemDataRole.UserRole) for i in range(screen.choices.count())
    ]
    entries: tuple[Report | Label, ...] = (*report_catalogue.REPORTS, *label_catalogue.LABELS)
    assert shown == [e.key for e in entries]
    for shown_entry in entries:
        screen.choose(shown_entry.key)
        visible = {p for p, widget in screen.rows.items() if widget.isVisibleTo(screen)}
        assert visible == {f.param for f in shown_entry.fields}, shown_entry.key


def failed_signatures(pharmacy: Pharmacy, username: str) -> int:
    """Failed signatures counted against the user: one `signature_failed` entry each (read
    straight from the table: a sign-in to list them would be dated by this test's clock)."""
    with pharmacy.ctx.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT COUNT(*) FROM audit_entries WHERE action = 'signature_failed' "
                    "AND entity_id = :name"
                ),
                {"name": username},
            ).scalar_one()
        )


def wrong_sign_off(pharmacy: Pharmacy, actor: Actor) -> Any:
    return reconciliation.sign_off(
        pharmacy.ctx, actor, "not-the-password", "all balanced", seen=seen_now(pharmacy.ctx)
    )


def test_a_failed_signature_counts_once_whatever_the_front_end(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharm = pharmacy.actor("pharm")
    assert failed_signatures(pharmacy, "pharm") == 0

    # The service called straight, as a script would: it counts the failure itself.
    with pytest.raises(SignatureFailed) as caught:
        wrong_sign_off(pharmacy, pharm)
    assert caught.value.counted and not caught.value.uncounted
    assert failed_signatures(pharmacy, "pharm") == 1

    # A screen (forms.signed): shown in the message bar, counted once.
    session = pharmacy.session("pharm")
    bar = MessageBar()
    qtbot.addWidget(bar)
    assert signed(bar, lambda: wrong_sign_off(pharmacy, session.actor)) is None
    assert "wrong" in bar.text()
    assert failed_signatures(pharmacy, "pharm") == 2

    # Three wrong passwords typed at the reconciliation screen: three counted, not six.
    sign_with(monkeypatch, "not my password")
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("monitor")), None)
    for left in ("4 attempts left", "3 attempts left", "2 attempts left"):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
        assert left in screen.message.text(), screen.message.text()
    assert failed_signatures(pharmacy, "monitor") == 3
    with pharmacy.ctx.engine.connect() as connection:
        attempts = connection.execute(
            text("SELECT failed_attempts FROM users WHERE username = 'monitor'")
        ).scalar_one()
    assert attempts == 3

    # The command line (main): a wrong countersignature counts against the second person.
    kit = next(k for k in queries.inventory(pharmacy.ctx, pharm) if k.status.value == "available")
    code, err = run_cli(
        pharmacy,
        tmp_path,
        [
            *("count", kit.number, "--tablets", str(kit.tablets - 1)),
            *("--reason-code", "breakage", "--reason", "One tablet crumbled"),
            *("--verified-by", "pharm"),
        ],
        user="tech",
        verifier="guess-guess-1",
    )
    assert code == 4, err
    assert "The verifier's password is wrong: pharm, who countersigns the count" in err
    assert failed_signatures(pharmacy, "pharm") == 3


def run_cli(
    pharmacy: Pharmacy, home: Path, args: list[str], user: str, verifier: str
) -> tuple[int, str]:
    """`dispensary ARGS` in this process, with its own environment and output."""
    environment = {
        "DISPENSARY_HOME": str(home),
        "DISPENSARY_DB": str(pharmacy.path),
        "DISPENSARY_USER": user,
        "DISPENSARY_PASSWORD": PASSWORDS[user],
        "DISPENSARY_VERIFIER_PASSWORD": verifier,
    }
    saved, streams = dict(os.environ), (sys.stdin, sys.stdout, sys.stderr)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(environment)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
        code = cli.main(args)
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        os.environ.clear()
        os.environ.update(saved)
    return code, err.getvalue()
