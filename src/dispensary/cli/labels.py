"""`dispensary label ...`: kit and dispensing labels, participant leaflets and the calibration
page, one action per entry of the label catalogue (labels.catalogue), and `label calibrate`.

The catalogue loads the services, so this module is not light (`dispensary label --help` loads
them too); reportlab loads only when a label is drawn.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from dispensary import config
from dispensary.cli.core import (
    EXIT_OK,
    Commands,
    Fill,
    UsageError,
    kits_text,
    number,
)
from dispensary.cli.documents import (
    POSITIONAL,
    document_values,
    out_options,
    out_path,
    param_options,
    size_text,
    write_whole,
    written,
)
from dispensary.domain.errors import DispensaryError, InvalidInput, RuleViolation
from dispensary.files import Staged, before_detail, write_error_text
from dispensary.i18n import N_, _, sentences
from dispensary.labels import catalogue as label_catalogue

if TYPE_CHECKING:  # reportlab loads only when a label is drawn
    from dispensary.cli.run import Run
    from dispensary.labels import Calibration, LabelStock
    from dispensary.services.labels import PrintRefused
    from dispensary.study import Study


def _reason(run: Run) -> tuple[bool, str]:
    """--reprint and --reason, checked by the print rule (services.labels) before any work;
    a slip is a usage mistake, said with this command line's options."""
    from dispensary.services import labels as label_prints

    reprint = bool(getattr(run.args, "reprint", False))
    try:
        return reprint, label_prints.reprint_reason(reprint, getattr(run.args, "reason", None))
    except label_prints.ReprintReasonMissing as exc:
        raise UsageError(_("A reprint is recorded with its reason: add --reason TEXT.")) from exc
    except label_prints.ReasonWithoutReprint as exc:
        raise UsageError(
            _("--reason goes with --reprint (a first print needs no reason).")
        ) from exc


def _the(what: str, items: Sequence[str]) -> str:
    """'The kit label of K1 has' or 'The kit labels of K1, K2 have': the subject of a refusal."""
    if len(items) == 1:
        return _("The {what} of {items} has").format(what=what, items=items[0])
    return _("The {what}s of {items} have").format(what=what, items=kits_text(items))


def _print_refused(refused: PrintRefused, what: str, reprint: bool) -> RuleViolation:
    """The print rule's refusal, told with this command line's options. Each sentence is
    translated whole, its full stop with it (。 in Chinese), and joined by `sentences`, which
    puts no space after a Chinese full stop."""
    if not reprint:
        told = _(
            "{the} been printed before. To print again, add --reprint --reason TEXT: "
            "the print is then marked REPRINT and recorded as a reprint."
        ).format(the=_the(what, refused.printed))
        also = _("Name the kits not printed yet separately.") if refused.fresh else ""
        return RuleViolation(sentences([told, also]))
    the = _the(what, refused.fresh)
    if refused.printed:
        return RuleViolation(
            _(
                "{the} not been printed yet: print without --reprint (name the kits printed "
                "before separately)."
            ).format(the=the)
        )
    return RuleViolation(_("{the} not been printed yet: print without --reprint.").format(the=the))


def _say_file_left(exc: DispensaryError, target: Path, existed: bool) -> None:
    """The refusal of a print written but not recorded, told what became of the file: the
    earlier file of that name kept as it was (--force replaces it only once the print is
    recorded), or no file written. The same refusal (its kind, its exit code), the system's
    technical detail still last."""
    if existed:
        left = _("{target} was not replaced: the file there before is kept as it was.")
    else:
        left = _("No file was written to {target}.")
    exc.message = before_detail(exc.message, left.format(target=target))
    exc.args = (exc.message,)


def _settings() -> config.Settings:
    return config.Settings.load()


def _stock_and_calibration(run: Run, study: Study | None) -> tuple[LabelStock, Calibration]:
    """The label stock asked for (else this workstation's, else the study's) and its saved
    calibration: what every label sheet or roll is drawn for. Without a study (a calibration
    page) the database is opened only when no stock is named at all."""
    from dispensary import labels

    settings = _settings()
    named = run.args.stock or settings.label_stock.strip()
    if study is None and named:
        stock = labels.get_stock(named)
    else:
        stock = labels.choose_stock(study or run.context().study, settings, run.args.stock or "")
    return stock, labels.calibration_for(settings, stock)


def cmd_label(run: Run, key: str) -> int:
    """One label of the catalogue: planned (a second print must be asked for as a reprint,
    with its reason), drawn, written beside the file named, recorded, then put in that file's
    place; nothing is recorded if drawing or writing fails, and if the record is refused the
    new file goes again, a file of that name (--force) left as it was."""
    from dispensary.services import labels as label_prints
    from dispensary.services.labels import PrintRefused

    entry = label_catalogue.label(key)
    if entry.kind is None:
        return _calibration_page(run, entry)
    a = run.args
    what = {"kit": _("a label sheet"), "leaflet": _("a leaflet")}.get(entry.kind) or _("a label")
    target, _kind = out_path(a.out, ("pdf",), what, force=a.force)
    reprint, reason = _reason(run)
    ctx, actor = run.context(), run.actor()
    stock, cal = _stock_and_calibration(run, ctx.study) if entry.on_stock else (None, None)
    noun = {
        "kit": N_("kit label"),
        "dispense": N_("dispensing label"),
        "leaflet": N_("participant leaflet"),
    }
    # The global --lang, given on this command line, asks for the labels in that language too
    # (still only once its study text is confirmed); without it the study decides, not LANG:
    # a label is in its participant's language, not the workstation's.
    asked = getattr(a, "lang", None)
    languages = (str(asked.value if hasattr(asked, "value") else asked),) if asked else ()
    try:
        sheet = label_catalogue.plan_label(
            entry, ctx, actor, document_values(a), stock, cal, reprint, languages
        )
    except PrintRefused as refused:
        raise _print_refused(refused, _(noun[entry.kind]), reprint) from refused
    assert sheet.plan is not None  # a label with a kind is planned
    plan, drawn = sheet.plan, []
    # Written beside the file named, put in its place only once the print is recorded: a
    # record refused (a locked database, another print first) takes back the new file alone,
    # and a file --force would have replaced (a copy kept on file) is left as it was.
    staged, existed = Staged(target), [False]

    def write(pdf: bytes) -> bool:
        existed[0] = target.exists()
        try:
            staged.write(pdf)
        except OSError as exc:  # a full disk, a read-only folder...: no file is left
            raise InvalidInput(write_error_text(exc, target)) from exc
        drawn.append(pdf)
        return True

    try:
        label_prints.print_labels(
            ctx, actor, plan, lambda _: sheet.draw(), write, reason, withdraw=staged.discard
        )
    except DispensaryError as exc:
        if drawn:  # written, then not recorded (the new file taken back): said so
            _say_file_left(exc, target, existed[0])
        raise
    try:
        staged.keep()
    except OSError as exc:  # recorded: the file cannot be had without a reprint
        staged.discard()
        raise InvalidInput(
            before_detail(
                write_error_text(exc, target),
                _(
                    "The print is recorded in the audit trail: to have the file, print it "
                    "again with --reprint --reason TEXT."
                ),
            )
        ) from exc
    info = written(target, drawn[0], pdf=True)
    info |= {"kind": plan.kind, "items": list(plan.items), "stock": plan.stock}
    info["reprint"] = plan.reprint
    info["languages"] = list(plan.languages)  # as the text output's "Languages" line
    marked = _(", marked REPRINT") if plan.reprint else ""
    lines = [
        _("Wrote {says} on {stock}{marked}: {target} ({size_text}).").format(
            says=sheet.says,
            stock=label_catalogue.medium_shown(plan.stock),
            marked=marked,
            target=target,
            size_text=size_text(info),
        )
    ]
    if entry.key == "shipment":  # the shipment's kits gone from the store, not labelled
        info["left_out"] = [{"kit": k, "status": s} for k, s in sheet.left_out]
    if sheet.left_out:  # a shipment's kits gone from the store: no label, said which
        lines.append(
            _("  Left out     {kits} (no label for a kit gone from the store)").format(
                kits=label_prints.left_out_text(sheet.left_out)
            )
        )
    if entry.kind == "kit" and cal is not None:
        lines.append(_("  Calibration  {text}").format(text=cal.text))
    lines.append(_("  Languages    {join}").format(join=", ".join(plan.languages)))
    if plan.language_note:
        lines.append(f"  {plan.language_note}")
    lines.append(
        _("  Recorded in the audit trail as ")
        + (_("a reprint.") if plan.reprint else _("printed."))
    )
    run.emit(info, lines)
    return EXIT_OK


def _calibration_page(run: Run, entry: label_catalogue.Label) -> int:
    """No sign-in: the page shows this workstation's printer settings, no trial records."""
    a = run.args
    target, _kind = out_path(a.out, ("pdf",), _("a calibration page"), force=a.force)
    stock, cal = _stock_and_calibration(run, None)
    sheet = label_catalogue.calibration_sheet(entry, stock, cal)
    pdf = sheet.draw()
    write_whole(target, pdf)
    info = written(target, pdf, pdf=True) | {"stock": stock.name, "calibration": asdict(cal)}
    run.emit(
        info,
        [
            _("Wrote {says}: {target}.").format(says=sheet.says, target=target),
            _("  Saved calibration  {text}").format(text=cal.text),
            _(
                "Print it at 100% (no 'fit to page'), measure, then: dispensary label "
                "calibrate --stock {name} --dx MM --dy MM [--scale X]"
            ).format(name=stock.name),
        ],
    )
    return EXIT_OK


def cmd_label_calibrate(run: Run) -> int:
    """Workstation settings, not trial records: saved in settings.json, not in the database."""
    from dispensary import labels

    a = run.args
    settings = _settings()
    stock = labels.get_stock(a.stock)
    before = labels.calibration_for(settings, stock)
    cal = labels.Calibration(a.dx, a.dy, before.scale if a.scale is None else a.scale)
    labels.save_calibration(settings, stock, cal)
    path = settings.save()
    run.emit(
        {"stock": stock.name, **asdict(cal), "settings": str(path)},
        [
            _("Saved the calibration of {name}: {text}.").format(name=stock.name, text=cal.text),
            _("  Before         {text}").format(text=before.text),
            _("  Settings file  {path}").format(path=path),
            _(
                "Labels printed on this workstation now use it. Print the calibration "
                "page again to check: dispensary label calibration --stock {name} --out "
                "FILE.pdf"
            ).format(name=stock.name),
        ],
    )
    return EXIT_OK


def label_parser(group: argparse.ArgumentParser) -> None:
    label = Commands.actions(group, "label_command")
    for entry in label_catalogue.LABELS:
        p = label.add(entry.key, partial(cmd_label, key=entry.key), entry.summary)
        positional = [f for f in entry.fields if f.param in POSITIONAL]
        param_options(p, positional, entry.sheet)
        out_options(p, ("pdf",))
        param_options(p, [f for f in entry.fields if f.param not in POSITIONAL], entry.sheet)
        if entry.kind is not None:
            p.add_argument("--reprint", action="store_true", help=N_("print again, marked REPRINT"))
            p.add_argument(
                "--reason", metavar="TEXT", help=N_("why it is reprinted (with --reprint)")
            )
    p = label.add("calibrate", cmd_label_calibrate, N_("save a stock's offset on this workstation"))
    p.add_argument("--stock", required=True, metavar="NAME", help=N_("the label stock (its name)"))
    # The offset saved replaces the one before: a page printed with a saved offset shows it.
    p.add_argument("--dx", required=True, type=number, metavar="MM", help=N_("+ moves print right"))
    p.add_argument("--dy", required=True, type=number, metavar="MM", help=N_("+ moves print down"))
    p.add_argument(
        "--scale", type=number, metavar="X", help=N_("50 / measured bar (default: kept)")
    )


PARSERS: dict[str, Fill] = {"label": label_parser}
