"""Every label a user can print, written once: its key, title, parameters, what a print of it
is recorded as, and how it is read and drawn.

The command line's `label` sub-commands, the reports screen and the counter's label preview are
all generated from `LABELS`; a print is planned and recorded by services.labels (the reprint
rule, the failure policy). Adding a label is one entry here (and its renderer).

Titles and summaries are marked N_ and translated where shown; the sentence the command line
writes (`says`) is in the reader's language; a sheet's title (the preview's, the PDF's own) and
the file name offered in the label's languages (labels.titles), as a report's title is in the
report's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dispensary.domain.codes import LabelKind
from dispensary.domain.documents import PAPERS, Field, Param, Values
from dispensary.domain.errors import InvalidInput
from dispensary.i18n import N_, _
from dispensary.labels.titles import (
    dispense_file,
    dispense_title,
    file_name,
    in_languages,
    kit_labels_file,
    kit_labels_title,
    kits_shown,
    reprinted,
)

if TYPE_CHECKING:
    from dispensary.labels.stock import Calibration, LabelStock
    from dispensary.services.context import Actor, Context
    from dispensary.services.labels import PrintPlan
    from dispensary.services.results import DispenseResult


# -- labels ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What one label print is for, read from the records: the kits or the dispense."""

    items: tuple[str, ...]
    payload: Any
    titled: Callable[[], str]  # "Kit labels of shipment SH-2", in the language spoken
    named: Callable[[], str]  # the file's stem, "Kit labels SH-2", in the language spoken
    says: str  # "3 kit labels of shipment SH-2", on the command line
    left_out: tuple[tuple[str, str], ...] = ()  # a shipment's kits gone: (kit, status)


@dataclass(frozen=True)
class Label:
    """One kind of label print. `kind` is what a print is recorded as in the audit trail (None:
    a calibration page, no trial record); `sheet` means it may start part-way down a sheet."""

    key: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    kind: LabelKind | None
    sheet: bool = False

    @property
    def on_stock(self) -> bool:
        """Drawn on a label stock (with its calibration), not on plain paper."""
        return any(f.param is Param.STOCK for f in self.fields)


@dataclass(frozen=True)
class LabelSheet:
    """A label print decided (its plan: items, first print or reprint, stock) and ready to
    draw. The draw is a call, so the screen runs it on its worker and the command line only
    once the print is confirmed."""

    label: Label
    plan: PrintPlan | None
    title: str  # the preview's and the PDF's, in the label's languages (labels.titles)
    file_name: str  # offered on saving, in the label's languages too (labels.titles)
    says: str
    draw: Callable[[], bytes]
    left_out: tuple[tuple[str, str], ...] = ()  # a shipment's kits not labelled: (kit, status)


def _kit_subject(ctx: Context, actor: Actor, values: Values, label: Label) -> Subject:
    from dispensary.services import report_data
    from dispensary.services.labels import NoLabelForKit, left_out_text, on_hand_to_label

    left_out: list[tuple[str, str]] = []
    if label.key == "shipment":
        shipment = values.shipment or ""
        # The kits still in the store; those destroyed or returned since are left out, said.
        rows, left_out = on_hand_to_label(report_data.kit_label_rows(ctx, actor, shipment=shipment))
        if not rows:
            raise NoLabelForKit(
                _(
                    "No kit of shipment {shipment} is still in the store ({left_out}): there "
                    "is no label to print."
                ).format(shipment=shipment.strip(), left_out=left_out_text(left_out))
            )
        of = _("shipment {shipment}").format(shipment=shipment)
    else:
        rows = report_data.kit_label_rows(ctx, actor, kits=values.kits)
        shipment = ""
        of = kits_shown([r.number for r in rows])
    items = tuple(r.number for r in rows)
    says = (
        _("1 kit label of {kits}").format(kits=of)
        if len(items) == 1
        else _("{count} kit labels of {kits}").format(count=len(items), kits=of)
    )
    return Subject(
        items,
        rows,
        lambda: kit_labels_title(items, shipment),
        lambda: kit_labels_file(items, shipment),
        says,
        tuple(left_out),
    )


def _dispense_subject(ctx: Context, actor: Actor, values: Values, label: Label) -> Subject:
    from dispensary.services import report_data

    # A voided dispense is refused: no bottle may carry its label.
    dispense: DispenseResult = report_data.dispense_for_label(ctx, actor, values.dispense or "")
    leaflet = label.kind is LabelKind.LEAFLET
    # A dispense of several kits prints a label for each (labels.dispensing.containers): said,
    # so that the pharmacist looks for every one of them. Still one print, one record.
    several = not leaflet and len(dispense.kits) > 1
    if leaflet:
        says = _("the participant leaflet of {dispense} ({participant}, cycle {cycle})")
    elif several:
        says = _(
            "the {count} dispensing labels of {dispense} ({participant}, cycle {cycle}), one "
            "for each kit"
        )
    else:
        says = _("the dispensing label of {dispense} ({participant}, cycle {cycle})")
    facts = {
        "dispense": dispense.number,
        "participant": dispense.participant,
        "cycle": dispense.cycle,
        "count": len(dispense.kits),
    }
    return Subject(
        (dispense.number,),
        dispense,
        lambda: dispense_title(dispense, leaflet),
        lambda: dispense_file(dispense, leaflet),
        says.format(**facts),
    )


def medium(label: Label, values: Values, stock: LabelStock | None) -> str:
    """What the print is on, as the audit trail records it: the stock, or the leaflet's paper."""
    if stock is None or not label.on_stock:
        return f"{PAPERS[values.paper]} paper"
    return stock.name


PAPER_WORDS = (N_("A4 paper"), N_("US Letter paper"))
"""How `medium` records a leaflet's paper (f"{PAPERS[paper]} paper"), for translation."""


def medium_shown(recorded: str) -> str:
    """A print's medium as `medium` recorded it, in the reader's language: a stock by its name
    (the name --stock takes), a paper in words ("A4 纸")."""
    return _(recorded) if recorded in PAPER_WORDS else recorded


def plan_label(
    label: Label,
    ctx: Context,
    actor: Actor,
    values: Values,
    stock: LabelStock | None,
    calibration: Calibration | None,
    reprint: bool | None = None,
    languages: Sequence[str] = (),
) -> LabelSheet:
    """Reads what the label is for and decides the print (services.labels.plan_print: a print
    already made is a reprint; `reprint` True or False is what the user asked, refused if it
    does not match; the languages the study's, or `languages` asked for, less those still to
    confirm). Nothing is drawn yet."""
    from dispensary.labels import dispensing, kit, leaflet
    from dispensary.services import labels as label_prints
    from dispensary.services.documents import check

    check(label.fields, values)
    if label.on_stock and (stock is None or calibration is None):
        raise InvalidInput(
            _("Choose the label stock of the {label}.").format(label=_(label.title).lower())
        )
    if label.kind is None:
        assert stock is not None and calibration is not None  # on a stock: checked above
        return calibration_sheet(label, stock, calibration)
    gather = _kit_subject if label.kind is LabelKind.KIT else _dispense_subject
    subject = gather(ctx, actor, values, label)
    plan = label_prints.plan_print(
        ctx, actor, label.kind, subject.items, medium(label, values, stock), reprint, languages
    )
    # Titled in the label's languages, whoever prints it: the preview's title and the PDF's.
    title = in_languages(plan.languages, lambda: reprinted(subject.titled(), plan.reprint))
    named = file_name(plan.languages, subject.named)  # the file too, as its title
    # A dispense's label and leaflet are worded from the study file it was made with.
    study, position, again, spoken = (
        plan.study or ctx.study,
        values.position,
        plan.reprint,
        plan.languages,
    )

    def render() -> bytes:
        if label.kind is LabelKind.LEAFLET:
            return leaflet.participant_leaflet(
                study, subject.payload, values.paper, again, spoken, plan.pharmacy, title
            )
        assert stock is not None and calibration is not None  # on a stock: checked above
        if label.kind is LabelKind.KIT:
            return kit.kit_labels(
                study,
                subject.payload,
                stock,
                calibration,
                again,
                position,
                plan.quarantined,
                languages=spoken,
                title=title,
            )
        return dispensing.dispensing_label(
            study,
            subject.payload,
            stock,
            calibration,
            again,
            position,
            plan.previous_dose,
            spoken,
            plan.pharmacy,
            title,
        )

    return LabelSheet(label, plan, title, named, subject.says, render, subject.left_out)


def calibration_sheet(label: Label, stock: LabelStock, calibration: Calibration) -> LabelSheet:
    """A calibration page: this workstation's printer settings, no trial record, so no
    database is needed and nothing is recorded."""

    # In the reader's language, as its words are (the person at the printer asked for it).
    title = _("Calibration page of {stock} ({calibration})").format(
        stock=stock.name, calibration=calibration.text
    )

    def render() -> bytes:
        from dispensary.labels.calibration import calibration_page

        return calibration_page(stock, calibration, title)

    return LabelSheet(
        label,
        None,
        title,
        f"Calibration {stock.name}.pdf",
        _("the calibration page of {stock} ({description})").format(
            stock=stock.name, description=stock.shown
        ),
        render,
    )


_STOCK = Field(Param.STOCK)

LABELS: tuple[Label, ...] = (
    Label(
        "kit",
        N_("Kit labels by number"),
        N_("labels for the kits named"),
        (Field(Param.KITS, required=True, ask="Scan or type the kit numbers."), _STOCK),
        LabelKind.KIT,
        sheet=True,
    ),
    Label(
        "shipment",
        N_("Kit labels for a shipment"),
        N_("labels for every kit of a shipment"),
        (Field(Param.SHIPMENT, required=True, ask="Choose the shipment."), _STOCK),
        LabelKind.KIT,
        sheet=True,
    ),
    Label(
        "dispense",
        N_("Dispensing label"),
        N_("the label of a dispense"),
        (
            Field(
                Param.DISPENSE,
                required=True,
                ask="Scan or type the dispense number printed on the label.",
            ),
            _STOCK,
        ),
        LabelKind.DISPENSE,
        sheet=True,
    ),
    Label(
        "leaflet",
        N_("Participant leaflet"),
        N_("the participant's leaflet"),
        (
            Field(
                Param.DISPENSE,
                required=True,
                ask="Scan or type the dispense number printed on the label.",
            ),
            Field(Param.PAPER),
        ),
        LabelKind.LEAFLET,
    ),
    Label(
        "calibration",
        N_("Label calibration page"),
        N_("a calibration page of a label stock"),
        (_STOCK,),
        None,
    ),
)


def label(key: str) -> Label:
    return next(lb for lb in LABELS if lb.key == key)
