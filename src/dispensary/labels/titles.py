"""A label print's title and file name, in the label's languages: the PDF's own title (what a
viewer's window and a print queue show) and the preview's, one text, as a report's title is its
PDF's; and the name offered when the PDF is saved. A Chinese label is titled and named in
Chinese whoever prints it; a bilingual one in each of its languages, the main one first
("发放标签 ... / Dispensing label ...", the file "发放标签 DSP000001 - Dispensing label
DSP000001.pdf")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from dispensary.files import offered_file_name
from dispensary.i18n import _, listed, speaking

if TYPE_CHECKING:  # light to import: the label catalogue builds the command line's parser
    from dispensary.services.results import DispenseResult

JOINER = " / "
FILE_JOINER = " - "
"""Between the languages of a file name: a file name may not hold JOINER's "/"."""


def in_languages(languages: Sequence[str], make: Callable[[], str], joiner: str = JOINER) -> str:
    """`make`'s text in each language (`make` calls `_()`), the main one first, each text
    once: a language whose words the program does not have reads as English."""
    from dispensary.labels.languages import ENGLISH_ONLY, spoken

    said: list[str] = []
    for code in tuple(dict.fromkeys(languages)) or ENGLISH_ONLY:
        with speaking(spoken(code)):
            text = make()
        if text not in said:
            said.append(text)
    return joiner.join(said)


def file_name(languages: Sequence[str], make: Callable[[], str]) -> str:
    """The name offered when a label print is saved, in the label's languages as its title is
    (`in_languages`), whoever prints it: "发放标签 DSP000001.pdf" for a Chinese label, for an
    English reader too."""
    return offered_file_name(in_languages(languages, make, FILE_JOINER))


def kits_shown(kits: Sequence[str]) -> str:
    """The kits as a title shows them, in the current language."""
    if len(kits) <= 6:
        return listed(kits)
    return _("{first} ... {last} ({count} kits)").format(
        first=kits[0], last=kits[-1], count=len(kits)
    )


def kit_labels_title(kits: Sequence[str], shipment: str = "") -> str:
    """'Kit labels of shipment SH-2', 'Kit labels of K0001, K0002', in the current language."""
    if shipment:
        return _("Kit labels of shipment {shipment}").format(shipment=shipment)
    return _("Kit labels of {kits}").format(kits=kits_shown(kits))


def kit_labels_file(kits: Sequence[str], shipment: str = "") -> str:
    """'Kit labels SH-2' (a shipment), 'Kit labels K0001' (its first kit), in the current
    language: the stem of the file name."""
    if shipment:
        return _("Kit labels {shipment}").format(shipment=shipment)
    return _("Kit labels {kit}").format(kit=kits[0]) if kits else _("Kit labels")


def dispense_file(dispense: DispenseResult, leaflet: bool) -> str:
    """'Dispensing label DSP000001', 'Participant leaflet DSP000001', in the current language:
    the stem of the file name."""
    stem = _("Participant leaflet {dispense}") if leaflet else _("Dispensing label {dispense}")
    return stem.format(dispense=dispense.number)


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
