"""Replacing the study file of a database: administrator only, same protocol, nothing used lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dispensary.domain.errors import NotPermitted, RuleViolation, StudyFileError
from dispensary.services import audit, setup, studies
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .helpers import P25, dispense, enroll, receive

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def test_new_wording_is_stored_and_the_old_kept_in_the_audit_trail(
    ctx: Context, study: Study, admin: Actor, clock: FixedClock
) -> None:
    text = study.source_text.replace("Keep out of reach of children", "Keep away from children")
    new = studies.update_study(ctx, admin, text, "v2.toml", "sponsor's label text v2")
    assert new.label.keep_out_of_reach == "Keep away from children"
    reopened = setup.open_database(ctx.database, clock)
    try:
        assert reopened.context.study.label.keep_out_of_reach == "Keep away from children"
    finally:
        reopened.context.engine.dispose()
    entry = audit.list_entries(ctx, admin, action="study_updated")[-1]
    assert "Keep out of reach of children" in entry.old
    assert entry.reason == "sponsor's label text v2"
    assert audit.verify(ctx, admin).ok


def test_only_an_administrator_may_replace_it(
    ctx: Context, study: Study, pharmacist: Actor, refused: Refused
) -> None:
    text = study.source_text.replace("Site 01", "Site 02")
    with refused(ctx, NotPermitted, "may not change the study set-up"):
        studies.update_study(ctx, pharmacist, text, "v2.toml", "site renumbered")


def test_another_protocol_or_the_same_text_is_refused(
    ctx: Context, study: Study, admin: Actor, refused: Refused
) -> None:
    other = study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT99999999"')
    with refused(ctx, RuleViolation, "add it as a new study"):
        studies.update_study(ctx, admin, other, "other.toml", "wrong file")
    with refused(ctx, RuleViolation, "nothing to change"):
        studies.update_study(ctx, admin, study.source_text, "same.toml", "again")
    with refused(ctx, StudyFileError, "line"):
        studies.update_study(ctx, admin, "[study]\nprotocol = 3\n", "broken.toml", "typo")


def test_a_product_or_dose_level_in_use_cannot_be_dropped(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    # Level 0, the starting dose, cannot be dropped by any file (the loader requires it): the
    # level in use dropped here is -1, the reduced dose, dispensed as ordered.
    receive(ctx, pharmacist, "K0101-K0110", product=P25)
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist), dose_level=-1, dose_ordered_by="WF")
    level1 = study.source_text.index("[[dose_levels]]\nlevel = -1")
    level2 = study.source_text.index("[[dose_levels]]\nlevel = -2")
    without_level1 = study.source_text[:level1] + study.source_text[level2:]
    without_level1 = "\n".join(
        line for line in without_level1.splitlines() if not line.startswith('"-1" = ')
    )  # its names in the label languages
    with refused(ctx, RuleViolation, "dose level -1 are on record"):
        studies.update_study(ctx, admin, without_level1, "v2.toml", "drop level -1")
