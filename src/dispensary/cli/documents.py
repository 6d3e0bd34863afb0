"""What the label and report commands share: the options of a document's parameters (from the
catalogues' fields), the values read from them, and the file written whole.

This module loads no service: the parameters are plain data (domain.documents), so that
`dispensary report --help` stays quick. The label catalogue loads the services, so `label
--help` does; the renderers (reportlab) load only when a document is drawn.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dispensary.cli.core import (
    UsageError,
    calendar_date,
    comma_pieces,
    days,
    help_text,
    path_option,
    plural,
    whole,
)
from dispensary.cli.forecast import weeks_option
from dispensary.domain import documents
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import InvalidInput
from dispensary.domain.forecast import DEFAULT_WEEKS
from dispensary.files import staged_name, write_error_text, write_private
from dispensary.i18n import N_, _

_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def out_options(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """--out and --force, the same for every document written to a file (labels, reports)."""
    p.add_argument(
        "--out",
        required=True,
        type=path_option,
        metavar="|".join(f"FILE.{f}" for f in formats),
        help=N_(
            "the file written, PDF or CSV by its suffix; one that exists is refused unless --force"
        )
        if len(formats) > 1
        else N_("the PDF file written; one that exists is refused unless --force"),
    )
    p.add_argument(
        "--force", action="store_true", help=N_("replace the file --out names if it exists")
    )


def out_path(path: str, formats: Sequence[str], what: str, force: bool) -> tuple[Path, str]:
    """The file to write and its format (from the suffix), checked before any work is done.
    An existing file is refused unless `force` (--force): a label sheet or report, as a backup,
    is not written over an earlier copy kept on file (a signed DARF, a leaflet handed out) by a
    name typed again or mistyped."""
    try:
        target = Path(path).expanduser().absolute()
    except RuntimeError:  # ~user of no such user
        target = Path(path).absolute()
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in formats:
        allowed = " or ".join(f".{f}" for f in formats)
        raise UsageError(
            _("--out {path}: {what} is written as {allowed}; end the file name so.").format(
                path=path, what=what, allowed=allowed
            )
        )
    try:
        if target.is_dir():
            raise InvalidInput(
                _("{target} is a folder: give a file name after --out.").format(target=target)
            )
        if not target.parent.is_dir():
            raise InvalidInput(
                _("The folder {parent} does not exist: create it first.").format(
                    parent=target.parent
                )
            )
        if not force and target.exists():
            raise InvalidInput(
                _(
                    "{target} already exists, and a file is not written over unless you say so "
                    "(it may be an earlier copy kept on file): give another file name, or add "
                    "--force to replace it. Nothing was written."
                ).format(target=target)
            )
        staged_name(target).exists()  # a name over the system's limit, its temporary file's
    except OSError as exc:
        raise InvalidInput(write_error_text(exc, target)) from exc
    if not os.access(target.parent, os.W_OK | os.X_OK):
        denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
        raise InvalidInput(write_error_text(denied, target))
    return target, suffix


def write_whole(target: Path, data: bytes) -> None:
    """Written whole or not at all (a half-written PDF must not be printed), and readable by
    its owner only from the first byte: reports and labels hold study data."""
    try:
        write_private(target, data)
    except OSError as exc:  # a full disk, a read-only folder...: no partial file is left
        raise InvalidInput(write_error_text(exc, target)) from exc


def _pdf_pages(data: bytes) -> int:
    """Pages of a reportlab PDF: each page is one uncompressed /Type /Page dictionary."""
    return len(_PDF_PAGE.findall(data))


def written(target: Path, data: bytes, pdf: bool) -> dict[str, Any]:
    return {"out": str(target), "pages": _pdf_pages(data) if pdf else None, "bytes": len(data)}


def size_text(info: dict[str, Any]) -> str:
    size = _("{max} kB").format(max=max(1, round(info["bytes"] / 1024)))
    if info["pages"] is None:
        return size
    return _("{pages}, {size}").format(pages=plural(info["pages"], "page"), size=size)


def document_values(a: argparse.Namespace) -> documents.Values:
    """The parameters of a report or label as given on the command line (see `param_options`)."""
    kits: Sequence[str] = getattr(a, "kits", None) or ()
    return documents.Values(
        product=getattr(a, "product", None),
        lot=getattr(a, "lot", None),
        participant=getattr(a, "participant", None),
        days=getattr(a, "days", 90),
        weeks=getattr(a, "weeks", DEFAULT_WEEKS),
        since=getattr(a, "since", None),
        until=getattr(a, "until", None),
        kits=tuple(comma_pieces(kits)),
        shipment=getattr(a, "shipment", None),
        dispense=getattr(a, "dispense", None),
        paper=getattr(a, "paper", "a4"),
        position=getattr(a, "position", 1),
        destruction=getattr(a, "destruction", None),
        kit=getattr(a, "kit", None),
        user=getattr(a, "by_user", None),
        action=getattr(a, "action", None),
        text=getattr(a, "text", None),
    )


def _item(
    p: argparse.ArgumentParser, flag: str, metavar: str, required: bool, the: str, one: str
) -> None:
    """An option naming one lot, participant or kit: its help says `the` where the report
    needs one, `one` (which may be left out) where it narrows the report."""
    p.add_argument(flag, required=required, metavar=metavar, help=the if required else one)


def param_options(
    p: argparse.ArgumentParser, fields: Sequence[documents.Field], sheet: bool
) -> None:
    """The options of a report's or label's parameters (the catalogue's `Param`s)."""
    for field in fields:
        param = field.param
        if param is documents.Param.PRODUCT:
            p.add_argument("--product", metavar="CODE", help=N_("one product (default: all)"))
        elif param is documents.Param.LOT:
            _item(p, "--lot", "LOT", field.required, N_("the lot"), N_("one lot (default: all)"))
        elif param is documents.Param.PARTICIPANT:
            _item(
                p,
                "--participant",
                "NUMBER",
                field.required,
                N_("the participant's study number"),
                N_("one participant's study number (default: all)"),
            )
        elif param is documents.Param.KIT:
            _item(
                p,
                "--kit",
                "NUMBER",
                field.required,
                N_("the kit's number"),
                N_("one kit's number (default: all)"),
            )
        elif param is documents.Param.USER:  # --user signs in, before the command as after
            p.add_argument("--by", dest="by_user", metavar="NAME", help=N_("entries by this user"))
        elif param is documents.Param.ACTION:
            # Every code listed, as `audit list --help` lists them (a code mistyped is refused,
            # listing them too).
            p.add_argument(
                "--action",
                metavar="A",
                help=help_text(
                    N_(
                        "entries of this action: its code ({codes}) or its name as the trail "
                        "shows it"
                    ),
                    codes=", ".join(a.value for a in AuditAction),
                ),
            )
        elif param is documents.Param.TEXT:
            p.add_argument(
                "--text",
                metavar="TEXT",
                help=N_(
                    "entries this text is found in (record, values, reason), as the Audit "
                    "trail window's Text"
                ),
            )
        elif param is documents.Param.DAYS:
            p.add_argument("--days", type=days, default=90, metavar="N", help=N_("default: 90"))
        elif param is documents.Param.WEEKS:
            weeks_option(p)
        elif param is documents.Param.PERIOD:
            p.add_argument(
                "--from",
                dest="since",
                type=calendar_date,
                required=field.required,
                metavar="DATE",
                help=N_("first day of the period"),
            )
            p.add_argument(
                "--to",
                dest="until",
                type=calendar_date,
                metavar="DATE",
                help=N_("last day (default: today)"),
            )
        elif param is documents.Param.KITS:
            p.add_argument("kits", nargs="+", metavar="KIT")
        elif param is documents.Param.SHIPMENT:
            p.add_argument("shipment", metavar="NO")
        elif param is documents.Param.DISPENSE:
            p.add_argument("dispense", metavar="DISPENSE")
        elif param is documents.Param.STOCK:
            p.add_argument(
                "--stock", metavar="NAME", help=N_("label stock (default: this workstation's)")
            )
            if sheet:
                p.add_argument(
                    "--position",
                    type=whole,
                    default=1,
                    metavar="N",
                    help=N_("first free label on a part-used sheet (1 = top left)"),
                )
        elif param is documents.Param.DESTRUCTION:
            p.add_argument(
                "--destruction",
                required=field.required,
                metavar="NO|REFERENCE",
                help=N_(
                    "the destruction's record number, or the sponsor's authorisation reference "
                    "(without it: the destructions on record are listed)"
                ),
            )
        else:
            paper_option(p)


def paper_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paper", choices=list(documents.PAPERS), default="a4", help=N_("default: a4"))


POSITIONAL = {documents.Param.KITS, documents.Param.SHIPMENT, documents.Param.DISPENSE}
"""Parameters given as positional arguments (the kits, the shipment, the dispense)."""
