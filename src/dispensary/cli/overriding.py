"""The overrides of a dispense's warnings on the command line, as `dispense` and `check
dispense` take them: `--override CODE` once per warning the reason covers, with
`--override-reason`, and the lines that say how to give them when a dispense asks."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from dispensary.cli.core import help_text, override_hints
from dispensary.domain.codes import DISPENSE_OVERRIDES
from dispensary.i18n import N_, _

OVERRIDE_OPTION = "--override"  # an option's name: the same in every language


def dispense_override_hints(needs: Sequence[str], codes: Sequence[str]) -> list[str]:
    """How to give, on the command line, what a dispense refused for want of an override needs:
    who ordered it, or the reason with each warning it overrides named by its code (`codes`,
    every warning that needs the reason now)."""
    hints = override_hints([n for n in needs if n != "reason"])
    if "reason" in needs:
        hints.append(
            _(
                "To dispense anyway, give the same command again with {options} --override-reason "
                '"TEXT" (a reason overrides only the warnings named).'
            ).format(options=" ".join(f"{OVERRIDE_OPTION} {code}" for code in codes))
        )
    return hints


def override_options(p: argparse.ArgumentParser, reason_help: str) -> None:
    """`--override CODE` (once per warning) and `--override-reason`: `dispense` and `check
    dispense` take them alike."""
    p.add_argument(
        "--override",
        action="append",
        choices=DISPENSE_OVERRIDES,
        metavar="CODE",
        help=help_text(
            N_("a warning the reason overrides, by its code; once per warning: {codes}"),
            codes=", ".join(DISPENSE_OVERRIDES),
        ),
    )
    p.add_argument("--override-reason", metavar="TEXT", help=reason_help)
