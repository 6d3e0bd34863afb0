"""A label print's title, in the label's languages: the PDF's own title (what a viewer's window
and a print queue show) and the preview's, one text, as a report's title is its PDF's. A
Chinese label is titled in Chinese whoever prints it; a bilingual one in each of its languages,
the main one first ("发放标签 ... / Dispensing label ...")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from dispensary.i18n import _, speaking

if TYPE_CHECKING:  # light to import: the label catalogue builds the command line's parser
    from dispensary.services.results import DispenseResult

JOINER = " / "


def in_languages(languages: Sequence[str], make: Callable[[], str]) -> str:
    """`make`'s text in each language (`make` calls `_()`), the main one first, each text
    once: a language whose words the program does not have reads as English."""
    from dispensary.labels.languages import ENGLISH_ONLY, spoken

    said: list[str] = []
    for code in tuple(dict.fromkeys(languages)) or ENGLISH_ONLY:
        with speaking(spoken(code)):
            text = make()
        if text not in said:
            said.append(text)
    return JOINER.join(said)


def kits_shown(kits: Sequence[str]) -> str:
    """The kits as a title shows them, in the current language."""
    if len(kits) <= 6:
        return ", ".join(kits)
    return _("{first} ... {last} ({count} kits)").format(
        first=kits[0], last=kits[-1], count=len(kits)
    )


def kit_labels_title(kits: Sequence[str], shipment: str = "") -> str:
    """'Kit labels of shipment SH-2', 'Kit labels of K0001, K0002', in the current language."""
    if shipment:
        return _("Kit labels of shipment {shipment}").format(shipment=shipment)
    return _("Kit labels of {kits}").format(kits=kits_shown(kits))


def dispense_title(dispense: DispenseResult, leaflet: bool) -> str:
    """The dispensing label's or leaflet's title, in the current language."""
    facts = {
        "dispense": dispense.number,
        "participant": dispense.participant,
        "cycle": dispense.cycle,
        "count": len(dispense.kits),
    }
    if leaflet:
        title = _("Participant leaflet {dispense} ({participant}, cycle {cycle})")
    elif len(dispense.kits) > 1:
        title = _(
            "Dispensing labels {dispense} ({participant}, cycle {cycle}): {count} kits, a label "
            "for each"
        )
    else:
        title = _("Dispensing label {dispense} ({participant}, cycle {cycle})")
    return title.format(**facts)


def reprinted(title: str, reprint: bool) -> str:
    """The title marked as the labels are when printed again, in the current language."""
    return _("{title} (REPRINT)").format(title=title) if reprint else title
