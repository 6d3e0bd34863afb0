"""The commands of the reviewer's second study (REV-CAPS-28: capsules) say its counts in
capsules (粒), not tablets (片): the receipt's kit-count refusal (`check receive`), a return of
more than was dispensed (`check return`) and the reconciliation's count difference
(`reconcile`), in English and Chinese. The services' side and NCT07198672's tablets:
tests/services/test_capsule_count_refusals.py."""

from __future__ import annotations

from pathlib import Path

from cli_support import Cli

from dispensary.services import counts, users
from dispensary.services.demo import DEMO_PASSWORD
from rev_caps28 import BACK, DAY1, HUNDRED, pharmacy


def test_the_commands_say_capsules(tmp_path: Path) -> None:
    ctx, db = pharmacy(tmp_path)
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    counts.record_count(ctx, pharm, "R1003", 55, DEMO_PASSWORD)
    ctx.engine.dispose()
    home = tmp_path / "home"
    home.mkdir()
    cli = Cli(db, home, today=BACK, user="pharm")
    study = {"DISPENSARY_STUDY": "REV-CAPS-28"}
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"kit,lot,expiry,tablets,product\nR2001,LR2,2028-06-30,60,{HUNDRED}\n")
    receipt = ["check", "receive", "--shipment", "SH-R2", "--manifest", str(manifest)]
    back = ["check", "return", "R1001", "--tablets", "60"]
    said = {
        "en": (
            "Kit R2001 is listed with 60 capsules, but a kit of revicapib 100 mg capsule holds 56 "
            "capsules",
            "60 capsules returned for kit R1001, but only 56 capsules were dispensed",
            "55 capsules counted, 56 capsules in the book (-1)",
        ),
        "zh_CN": (
            "药盒 R2001 列出的数量为 60 粒，但 ",
            "药盒 R1001 登记退回 60 粒，但该药盒只发放了 56 粒。",
            "盘点数 55 粒，账面 56 粒（-1）",
        ),
    }
    for lang, (listed, returned, counted) in said.items():
        found = cli("--lang", lang, *receipt, env=study)
        assert found.code == 3 and listed in found.out, found.out + found.err
        found = cli("--lang", lang, *back, env=study)
        assert found.code == 3 and returned in found.err, found.out + found.err
        found = cli("--lang", lang, "reconcile", env=study)
        assert counted in found.out, found.out + found.err
    chinese = cli("--lang", "zh_CN", "reconcile", env=study).out
    assert "55 片" not in chinese and "56 片" not in chinese


def test_a_void_refused_for_its_returns_says_capsules(tmp_path: Path) -> None:
    """`void` of a dispense with a return recorded said "the tablets left the pharmacy" of
    REV-CAPS-28's capsules (药片已离开药房)."""
    from dispensary.services import queries, returns

    ctx, db = pharmacy(tmp_path)
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    number = queries.participant_history(ctx, pharm, "01-001")[1][0].dispense_number
    returns.record_return(ctx, pharm, "R1001", 0, DEMO_PASSWORD, number)
    ctx.engine.dispose()
    home = tmp_path / "home"
    home.mkdir()
    cli = Cli(db, home, today=DAY1, user="pharm")
    study = {"DISPENSARY_STUDY": "REV-CAPS-28"}
    said = {"en": "has returns recorded: the capsules left the pharmacy", "zh_CN": "（以粒计）"}
    for lang, words in said.items():
        found = cli("--lang", lang, "void", number, "--reason", "entered in error", env=study)
        assert found.code != 0 and words in found.err, found.out + found.err
        assert "tablets" not in found.err and "片" not in found.err, found.err
