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


def inventory_section(
    study: Study,
    kits: Sequence[KitRow],
    paper: str,
    product: str | None = None,
    lot: str | None = None,
) -> Section:
    """The kits listed, of one `product` or `lot` when asked for (the fields say which): one
    lot's tablets on the shelf are not the product's DARF balance, and are not called it."""
    width = frame_width(True, paper)
    story: list[Flowable] = []
    if not kits:
        story.append(empty_note(_("No kits have been received.")))
        return Section(_(TITLE), story, fields=_fields(study, kits, product, lot), landscape=True)
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
    for code, members in sorted(by_product.items()):
        story.append(
            para(
                _shelf_sentence(study, lot).format(
                    product=study.product_name(code),
                    lot=lot,
                    on_shelf=_count(study, code, on_shelf(members)),
                    dispensable=_count(study, code, dispensable(members)),
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
    fields = _fields(study, kits, product, lot)
    return Section(_(TITLE), story, fields=fields, landscape=True, contents_title=_(TITLE))


def _shelf_sentence(study: Study, lot: str | None) -> str:
    """A product's tablets on the shelf: the DARF balance when every lot is listed, else the
    listed lot's only."""
    if lot:
        if study.tablets_only:
            return _(
                "{product}, lot {lot}: {on_shelf} tablets on the shelf, of which {dispensable} "
                "dispensable."
            )
        return _(
            "{product}, lot {lot}: {on_shelf} on the shelf, of which {dispensable} dispensable."
        )
    if study.tablets_only:
        return _(
            "{product}: {on_shelf} tablets on the shelf (the DARF balance), of which "
            "{dispensable} dispensable."
        )
    return _(
        "{product}: {on_shelf} on the shelf (the DARF balance), of which {dispensable} dispensable."
    )


def _fields(
    study: Study, kits: Sequence[KitRow], product: str | None = None, lot: str | None = None
) -> list[tuple[str, str]]:
    fields = [
        (_("Institution"), institution(study)),
        (_("Protocol no."), study.protocol),
    ]
    if product:
        fields.append((_("Product"), study.product_name(product)))
    if lot:
        fields.append((_("Lot"), lot))
    return [*fields, (_("Kits listed"), str(len(kits)))]


def inventory_pdf(
    meta: ReportMeta,
    study: Study,
    kits: Sequence[KitRow],
    paper: str = "a4",
    product: str | None = None,
    lot: str | None = None,
) -> bytes:
    section = inventory_section(study, kits, paper, product, lot)
    return build_report(meta, _(TITLE), [section], paper)


def inventory_csv(
    meta: ReportMeta, kits: Sequence[KitRow], product: str | None = None, lot: str | None = None
) -> str:
    """The kits, one a row; the title line names the product or lot listed, as the PDF does."""
    title = _(TITLE)
    for subject in ([product] if product else []) + (
        [_("lot {lot}").format(lot=lot)] if lot else []
    ):
        title = _("{title}: {subject}").format(title=title, subject=subject)
    return to_csv(
        meta,
        title,
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
