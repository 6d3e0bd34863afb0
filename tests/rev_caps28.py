"""The reviewer's second study (REV-CAPS-28: revicapib capsules of two strengths, from its study
file alone), set up through the real services as the tests of its counts, reports, commands and
study file start from it (tests/services/test_capsule_count_refusals.py, tests/reports/
test_caps28_report_units.py, tests/cli/test_cli_capsule_refusals.py, tests/services/
test_second_study_file.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from dispensary.domain.codes import Role
from dispensary.services import dispensing, participants, receiving, setup, users
from dispensary.services.context import Context, FixedClock
from dispensary.services.demo import DEMO_PASSWORD
from dispensary.study import parse_study

FIXTURE = Path(__file__).parent / "fixtures" / "REV-CAPS-28.toml"
DAY1 = date(2026, 3, 2)
BACK = DAY1 + timedelta(days=28)
HUNDRED = "revicapib-100mg"
QUARTER = "revicapib-25mg"


def received(
    folder: Path, text: str | None = None, *, password: str = DEMO_PASSWORD, training: bool = False
) -> tuple[Context, str]:
    """REV-CAPS-28 (its study file, or `text`, a variant of it) in a new database in `folder`
    (rev.sqlite3, returned beside its context), on a fixed clock at DAY1: kits of both strengths
    received (R1001-R1004 of HUNDRED, lot LR; Q1001-Q1004 of QUARTER, lot LQ; 56 capsules each)
    and 01-001 enrolled; nothing dispensed. The administrator is admin (admin-pass-1), the
    pharmacist pharm (`password`). `training`: a training database, whose date the command
    line's tests fix."""
    clock = FixedClock()
    clock.set_date(DAY1)
    db = str(folder / "rev.sqlite3")
    study_text = FIXTURE.read_text(encoding="utf-8") if text is None else text
    ctx = setup.init_database(
        db,
        parse_study(study_text, str(FIXTURE), new_file=True),
        "admin",
        "Ada Admin",
        "AA",
        "admin-pass-1",
        clock,
        training=training,
    )
    admin = users.sign_in(ctx, "admin", "admin-pass-1")
    users.add_user(ctx, admin, "pharm", Role.PHARMACIST, "Paula Pharm", "PP", password, False)
    pharm = users.sign_in(ctx, "pharm", password)
    for kits, product, lot in (("R1001-R1004", HUNDRED, "LR"), ("Q1001-Q1004", QUARTER, "LQ")):
        listed = receiving.kits_from_range(ctx, kits, product, lot, date(2028, 6, 30), None)
        receiving.receive_shipment(ctx, pharm, "SH-" + lot, listed)
    participants.enroll(
        ctx,
        pharm,
        "01-001",
        "AB",
        1970,
        "F",
        "Dr Example",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )
    return ctx, db


def pharmacy(folder: Path) -> tuple[Context, str]:
    """As received, in a training database (the command line's tests fix its date), with cycle 1
    of 01-001 dispensed (R1001 and R1002 of HUNDRED) and R1003 on the shelf; the pharmacist
    signs with the demo's password (the command line's)."""
    ctx, db = received(folder, training=True)
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    done = dispensing.dispense_cycle(ctx, pharm, "01-001", 1, DAY1, DEMO_PASSWORD)
    assert [k.kit for k in done.kits if k.product == HUNDRED] == ["R1001", "R1002"], done.kits
    return ctx, db
