"""An inventory of one lot says so, and does not call that lot's tablets the product's DARF
balance."""

from __future__ import annotations

from collections import defaultdict

from sample_study import SampleStudy

from dispensary.domain.codes import KitStatus
from dispensary.i18n import Language
from dispensary.reports import catalogue
from dispensary.services import queries
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text


def _made(sample: SampleStudy, values: Values, fmt: str) -> str:
    document = catalogue.make_report(
        catalogue.report("inventory"), sample.ctx, sample.monitor, values, fmt, Language.EN
    )
    if fmt == "csv":
        return document.data.decode("utf-8-sig")
    return " ".join(" ".join(pdf_pages_text(document.data)).split())


def test_an_inventory_of_one_lot_does_not_call_it_the_darf_balance(sample: SampleStudy) -> None:
    """One lot's kits on the shelf are not the product's DARF balance when the product has
    other lots in stock: the page said "(the DARF balance)" of the one lot's tablets, and did
    not say that it listed one lot."""
    kits = queries.inventory(sample.ctx, sample.monitor)
    lots: dict[str, set[str]] = defaultdict(set)
    for kit in kits:
        if kit.status in (KitStatus.AVAILABLE, KitStatus.QUARANTINED, KitStatus.EXPIRED):
            lots[kit.product].add(kit.lot)
    _product, its_lots = next((p, sorted(ls)) for p, ls in lots.items() if len(ls) > 1)
    lot = its_lots[0]
    text = _made(sample, Values(lot=lot), "pdf")
    assert "the DARF balance" not in text, text
    assert f"Lot {lot}" in text, text
    assert "the DARF balance" in _made(sample, Values(), "pdf")
    assert lot in _made(sample, Values(lot=lot), "csv").splitlines()[0]
