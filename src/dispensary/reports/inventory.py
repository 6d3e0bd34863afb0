"""Inventory by product, lot and kit: totals by product and lot (with expiry and status), then
kit by kit."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from reportlab.platypus import Flowable

from dispensary.domain.codes import KitStatus
from dispensary.i18n import _
from dispensary.reports.base import (
    Section,
    build_report,
    data_table,
    day,
    empty_note,
    frame_width,
    heading,
    para,
    scaled,
    spacer,
)
from dispensary.reports.catalogue import INVENTORY_TITLE
from dispensary.reports.csvfile import to_csv
from dispensary.reports.words import institution, term
from dispensary.services.report_data import ReportMeta
from dispensary.services.results import KitRow
from dispensary.study import Study

TITLE = INVENTORY_TITLE  # the one title, listed and printed (reports.catalogue)
STATUSES = (
    KitStatus.AVAILABLE,
    KitStatus.QUARANTINED,
    KitStatus.EXPIRED,
    KitStatus.DISPENSED,
    KitStatus.RETURNED,
    KitStatus.DESTROYED,
)
ON_SHELF = (KitStatus.AVAILABLE, KitStatus.QUARANTINED, KitStatus.EXPIRED)


def on_shelf(kits: Sequence[KitRow]) -> int:
    """Tablets physically in stock (what the DARF balance counts), expired ones included."""
    return sum(k.tablets for k in kits if k.status in ON_SHELF)


def dispensable(kits: Sequence[KitRow]) -> int:
    return sum(k.tablets for k in kits if k.status is KitStatus.AVAILABLE)


def lot_totals(kits: Sequence[KitRow], study: Study | None = None) -> list[list[str]]:
    """Per product and lot: kits in each status, tablets on the shelf and dispensable."""
    groups: dict[tuple[str, str], list[KitRow]] = defaultdict(list)
    for kit in kits:
        groups[(kit.product, kit.lot)].append(kit)
    rows = []
    for (product, lot), members in sorted(groups.items(), key=lambda g: (g[0][0], g[1][0].expiry)):
        counts = Counter(k.status for k in members)
        rows.append(
            [product, lot, day(members[0].expiry)]
            + [str(counts.get(s, 0)) for s in STATUSES]
            + [
                str(len(members)),
                _count(study, product, on_shelf(members)),
                _count(study, product, dispensable(members)),
            ]
        )
    return rows


def _count(study: Study | None, product: str, count: int) -> str:
    """A count of a product as Study.quantity says it ("308 capsules" unless the study is all
    tablets); the bare number without a study."""
    return str(count) if study is None else study.quantity(product, count)


def inventory_section(study: Study, kits: Sequence[KitRow], paper: str) -> Section:
    width = frame_width(True, paper)
    story: list[Flowable] = []
    if not kits:
        story.append(empty_note(_("No kits have been received.")))
        return Section(_(TITLE), story, fields=_fields(study, kits), landscape=True)
    totals = lot_totals(kits, study)
    by_product: dict[str, list[KitRow]] = defaultdict(list)
    for kit in kits:
        by_product[kit.product].append(kit)
    story += [
        *heading(_("Totals by lot")),
        data_table(
            [
                _("Product"),
                _("Lot"),
                _("Expiry"),
                *[term(s.label) for s in STATUSES],
                _("Kits"),
                _("Tablets on the shelf") if study.tablets_only else _("On the shelf"),
                _("Dispensable"),
            ],
            totals,
            scaled((28, 14, 15, *([12] * len(STATUSES)), 9, 15, 14), width),
            numeric=tuple(range(3, 6 + len(STATUSES))),
        ),
        spacer(2),
    ]
    for product, members in sorted(by_product.items()):
        story.append(
            para(
                (
                    _(
                        "{product}: {on_shelf} tablets on the shelf (the DARF balance), of which "
                        "{dispensable} dispensable."
                    )
                    if study.tablets_only
                    else _(
                        "{product}: {on_shelf} on the shelf (the DARF balance), of which "
                        "{dispensable} dispensable."
                    )
                ).format(
                    product=study.product_name(product),
                    on_shelf=_count(study, product, on_shelf(members)),
                    dispensable=_count(study, product, dispensable(members)),
                )
            )
        )
    story += [
        *heading(_("Kit by kit")),
        data_table(
            [
                _("Kit"),
                _("Product"),
                _("Lot"),
                _("Expiry"),
                _("Status"),
                _("Tablets in the pharmacy") if study.tablets_only else _("In the pharmacy"),
                _("Where"),
                _("Shipment"),
            ],
            [
                [
                    k.number,
                    k.product,
                    k.lot,
                    day(k.expiry),
                    term(k.status.label),
                    study.quantity(k.product, k.tablets),
                    k.where or k.location,
                    k.shipment,
                ]
                for k in kits
            ],
            scaled((13, 20, 12, 13, 12, 11, 40, 15), width),
            numeric=(5,),
        ),
    ]
    fields = _fields(study, kits)
    return Section(_(TITLE), story, fields=fields, landscape=True, contents_title=_(TITLE))


def _fields(study: Study, kits: Sequence[KitRow]) -> list[tuple[str, str]]:
    return [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
        (_("Kits listed"), str(len(kits))),
    ]


def inventory_pdf(
    meta: ReportMeta, study: Study, kits: Sequence[KitRow], paper: str = "a4"
) -> bytes:
    return build_report(meta, _(TITLE), [inventory_section(study, kits, paper)], paper)


def inventory_csv(meta: ReportMeta, kits: Sequence[KitRow]) -> str:
    return to_csv(
        meta,
        _(TITLE),
        ("kit", "product", "lot", "expiry", "status", "tablets", "location", "shipment", "where"),
        [
            [
                k.number,
                k.product,
                k.lot,
                day(k.expiry),
                k.status.value,
                k.tablets,
                k.location,
                k.shipment,
                k.where or k.location,
            ]
            for k in kits
        ],
    )
