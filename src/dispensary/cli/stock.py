"""`receive`, `quarantine`, `release`, `destroy`, `count`, `temperature` and `inventory`: the
kits on the shelf.

Each command's parser sits after its handler; the services load inside the handlers, so that
`--help` does not load them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dispensary.cli.core import (
    ENV_VERIFIER_PASSWORD,
    ENV_WITNESS_PASSWORD,
    EXIT_OK,
    Fill,
    calendar_date,
    cell,
    destruction_options,
    keyed,
    kits_text,
    path_option,
    plural,
    read_text,
    receive_options,
    second_person_secret,
    shipment_kits,
    table,
    whole,
)
from dispensary.domain.codes import KitStatus, ReasonCode

if TYPE_CHECKING:
    from dispensary.cli.run import Run
    from dispensary.services.results import KitRow


def cmd_receive(run: Run) -> int:
    from dispensary.services import receiving

    a = run.args
    kits = shipment_kits(run)
    ctx = run.context()
    result = receiving.receive_shipment(
        ctx,
        run.actor(),
        a.shipment,
        kits,
        received_on=a.date,
        condition=a.condition,
        temperature_ok=not a.temperature_failed,
    )
    lines = [
        f"Received shipment {result.shipment} on {result.received_on.isoformat()}: "
        f"{plural(len(result.kits), 'kit')}, {result.tablets} tablets.",
        f"  Kits  {kits_text(result.kits)}",
    ]
    if result.quarantined:
        lines.append(
            "  The temperature record failed: every kit is QUARANTINED until the sponsor decides "
            "(then `dispensary release KIT... --reason ...`)."
        )
    run.emit(asdict(result), lines)
    return EXIT_OK


def receive_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_receive)
    receive_options(p)


def cmd_quarantine(run: Run, release: bool) -> int:
    from dispensary.services import quarantine

    change = quarantine.release if release else quarantine.quarantine
    result = change(run.context(), run.actor(), run.args.kits, run.args.reason)
    verb = "Released" if release else "Quarantined"
    run.emit(
        asdict(result),
        [
            f"{verb} {plural(len(result.kits), 'kit')}: {kits_text(result.kits)}.",
            f"  Reason  {result.reason}",
        ],
    )
    return EXIT_OK


def quarantine_parser(p: argparse.ArgumentParser, release: bool) -> None:
    p.set_defaults(handler=partial(cmd_quarantine, release=release))
    p.add_argument("kits", nargs="+", metavar="KIT")
    p.add_argument("--reason", required=True)


def cmd_destroy(run: Run) -> int:
    from dispensary.services import destruction
    from dispensary.services.assessment import DestroyRequest

    a = run.args
    ctx, actor = run.context(), run.actor()
    request = DestroyRequest(
        a.kits, a.witness, a.method, a.date, a.reference, a.to_sponsor, a.reason_code
    )
    # Assess, then act: a refused destruction is said before the witness types a password.
    found = destruction.assess_destroy(ctx, actor, request)
    if found.refusals:
        first = found.refusals[0]
        raise first.error(first.message)
    password = run.password()
    witness_password = second_person_secret(ENV_WITNESS_PASSWORD, a.witness, "witnessing")
    result = destruction.destroy(
        ctx,
        actor,
        a.kits,
        a.witness,
        a.method,
        password,
        destroyed_on=a.date,
        reference=a.reference,
        to_sponsor=a.to_sponsor,
        witness_password=witness_password,
        reason_code=a.reason_code,
    )
    verb = "Returned to the sponsor" if result.to_sponsor else "Destroyed"
    lines = [
        f"{verb}: {plural(len(result.kits), 'kit')} ({kits_text(result.kits)}), "
        f"{result.tablets} tablets, on {result.destroyed_on.isoformat()}.",
        f"  Method         {result.method}",
        f"  Witness        {result.witness} (signed)",
        f"  Authorisation  {result.reference}",
    ]
    if result.reason_code is not None:
        lines.append(f"  Reason         {result.reason_code.label}")
    run.emit(asdict(result), lines)
    return EXIT_OK


def destroy_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_destroy)
    destruction_options(p, required=True)


def cmd_count(run: Run) -> int:
    from dispensary.services import counts

    a = run.args
    verifier_password = second_person_secret(ENV_VERIFIER_PASSWORD, a.verified_by, "countersigning")
    result = counts.record_count(
        run.context(),
        run.actor(),
        a.kit,
        a.tablets,
        run.password(),
        reason_code=a.reason_code,
        reason=a.reason or "",
        verified_by=a.verified_by or "",
        verifier_password=verifier_password,
        counted_on=a.date,
    )
    if result.difference:
        lines = [
            f"Kit {result.kit}: {result.counted} counted, {result.book} in the book: "
            f"difference {result.difference:+d}, adjusted ({a.reason_code}: {a.reason}).",
            f"  Countersigned by {a.verified_by}.",
        ]
    else:
        lines = [f"Kit {result.kit}: {result.counted} counted, matches the book."]
    run.emit(asdict(result), lines)
    return EXIT_OK


def count_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_count)
    p.add_argument("kit")
    p.add_argument("--tablets", required=True, type=whole, metavar="N")
    p.add_argument("--reason-code", choices=[r.value for r in ReasonCode])
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--verified-by", metavar="NAME", help=f"second person ({ENV_VERIFIER_PASSWORD})")
    p.add_argument("--date", type=calendar_date)


def cmd_temperature(run: Run) -> int:
    from dispensary.services import temperature

    a = run.args
    text = read_text(a.file, "logger file")
    found = temperature.import_logger(
        run.context(), run.actor(), a.area, text, source=Path(a.file).name
    )
    study = run.context().study
    allowed = f"{study.temperature.min_celsius:g}-{study.temperature.max_celsius:g} °C"
    if not found:
        lines = [f"{a.area}: every reading within {allowed}; nothing quarantined."]
    else:
        lines = [f"{a.area}: {plural(len(found), 'excursion')} outside {allowed}."]
        for e in found:
            when = f"{cell(e.started_at)} to {cell(e.ended_at)} UTC"
            kits = f": {kits_text(e.kits_quarantined)}" if e.kits_quarantined else ""
            lines.append(
                f"  {when}, {e.lowest:g} to {e.highest:g} °C: "
                f"{plural(len(e.kits_quarantined), 'kit')} quarantined{kits}"
            )
        lines.append("Ask the sponsor; then `dispensary release` or `dispensary destroy` the kits.")
    run.emit({"excursions": [asdict(e) for e in found]}, lines)
    return EXIT_OK


def temperature_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_temperature)
    p.add_argument("--area", required=True, metavar="NAME", help="storage area of the logger")
    p.add_argument("file", type=path_option, metavar="FILE.csv")


def cmd_inventory(run: Run) -> int:
    from dispensary.services import queries

    a = run.args
    status = KitStatus(a.status) if a.status else None
    rows = queries.inventory(
        run.context(), run.actor(), status=status, product=a.product, lot=a.lot
    )
    values = [(r.number, r.product, r.lot, r.expiry, r.status, r.tablets) for r in rows]
    data = keyed(("kit", "product", "lot", "expiry", "status", "tablets"), values)
    lines = table(["Kit", "Product", "Lot", "Expiry", "Status", "Tablets"], values, right=[5])
    lines.append(_inventory_summary(rows))
    run.emit(data, lines)
    return EXIT_OK


def _inventory_summary(rows: Sequence[KitRow]) -> str:
    available = [r for r in rows if r.status is KitStatus.AVAILABLE]
    return (
        f"{plural(len(rows), 'kit')}; available to dispense: {plural(len(available), 'kit')}, "
        f"{sum(r.tablets for r in available)} tablets."
    )


def inventory_parser(p: argparse.ArgumentParser) -> None:
    p.set_defaults(handler=cmd_inventory)
    p.add_argument("--status", choices=[s.value for s in KitStatus])
    p.add_argument("--product", metavar="CODE")
    p.add_argument("--lot", metavar="LOT")


PARSERS: dict[str, Fill] = {
    "receive": receive_parser,
    "quarantine": partial(quarantine_parser, release=False),
    "release": partial(quarantine_parser, release=True),
    "destroy": destroy_parser,
    "count": count_parser,
    "temperature": temperature_parser,
    "inventory": inventory_parser,
}
