"""The `return` and `correct-return` commands in a study whose products are not all tablets (the
demo's DEMO-2DRUG: democapib capsules with demotinib tablets): the kit's count back in its
product's word ("8 capsules back", 退回 8 粒), each product of the dispense named with its own
figures ("8 capsules of 28 capsules dispensed", "taken 20 capsules of 28 capsules expected"),
never "8 tablets" of a capsule kit nor "41 of 49" summed over a capsule and a tablet. A study of
tablets only reads as before."""

from __future__ import annotations

from cli_support import DEMO_PASSWORD, Cli

TWO = ("--study", "DEMO-2DRUG")
TABLETS = ("--study", "NCT07198672")
ZH = ("--lang", "zh_CN")


def _return(cli: Cli, *args: str) -> str:
    done = cli(*args)
    assert done.code == 0, done.err + done.out
    return done.out


def test_a_capsule_kit_back_is_said_in_capsules_each_product_on_its_own(cli: Cli) -> None:
    first = _return(
        cli, *TWO, "return", "21-001", "--cycle", "3", "--kit", "C3007", "--tablets", "8"
    )
    assert first.splitlines() == [
        "Return 116 recorded: kit C3007 of DSP000109 (21-001, cycle 3): 8 capsules back.",
        "  Adherence is worked out once every kit of DSP000109 is back.",
        "  democapib (fictional) 100 mg capsule: 8 capsules of 28 capsules dispensed are back so "
        "far.",
        "  demotinib (fictional) 25 mg tablet: 0 tablets of 30 tablets dispensed are back so far.",
    ], first
    last = _return(
        cli, *TWO, "return", "21-001", "--cycle", "3", "--kit", "T3007", "--tablets", "9"
    )
    assert last.splitlines() == [
        "Return 117 recorded: kit T3007 of DSP000109 (21-001, cycle 3): 9 tablets back.",
        "  democapib (fictional) 100 mg capsule taken 20 capsules of 28 capsules expected: "
        "adherence 71%.",
        "  demotinib (fictional) 25 mg tablet taken 21 tablets of 21 tablets expected: adherence "
        "100%.",
        "  FLAG  Under-use (missed doses).",
        '  Record the reason: dispensary explain DSP000109 --reason "..."',
    ], last
    fixed = _return(cli, *TWO, "correct-return", "116", "--tablets", "7", "--reason", "recount")
    assert fixed.splitlines()[:2] == [
        "Return 118 corrects return 116: kit C3007 of DSP000109 now counts 7 capsules back.",
        "  democapib (fictional) 100 mg capsule taken 21 capsules of 28 capsules expected: "
        "adherence 75%.",
    ], fixed
    assert "41 of 49" not in last and "58" not in first


def test_a_capsule_kit_back_in_chinese(cli: Cli) -> None:
    first = _return(
        cli, *ZH, *TWO, "return", "21-002", "--cycle", "3", "--kit", "C3008", "--tablets", "8"
    )
    assert first.splitlines() == [
        "已记录退药 116：DSP000115（21-002，第 3 周期）的药盒 C3008：退回 8 粒。",
        "  DSP000115 的所有药盒退回后才计算依从性。",
        "  德莫卡匹布胶囊（虚构）100 mg：已发放 28 粒，目前已退回 8 粒。",
        "  德莫替尼片（虚构）25 mg：已发放 30 片，目前已退回 0 片。",
    ], first
    last = _return(
        cli, *ZH, *TWO, "return", "21-002", "--cycle", "3", "--kit", "T3008", "--tablets", "2",
        "--note", "漏服",
    )  # fmt: skip
    assert last.splitlines()[1:] == [
        "  德莫卡匹布胶囊（虚构）100 mg：应服 28 粒，已服 20 粒，依从性 71%。",
        "  德莫替尼片（虚构）25 mg：应服 18 片，已服 28 片，依从性 156%。",
        "  标记  用药不足（漏服）。",
        "  标记  用药过量（安全性信号）。",
        "  已记录原因：漏服",
    ], last
    fixed = _return(cli, *ZH, *TWO, "correct-return", "116", "--tablets", "7", "--reason", "重数")
    assert fixed.splitlines()[0] == (
        "退药 118 更正退药 116：DSP000115 的药盒 C3008 现计为退回 7 粒。"
    ), fixed
    assert "片" not in first.splitlines()[0] and "58" not in first


def test_a_tablet_studys_return_reads_as_before(cli: Cli) -> None:
    said = _return(
        cli, *TABLETS, "return", "01-006", "--cycle", "6", "--kit", "K1072", "--tablets", "10"
    )
    assert said.splitlines() == [
        "Return 116 recorded: kit K1072 of DSP000081 (01-006, cycle 6): 10 tablets back.",
        "  Taken 11 of 21 expected: adherence 52%.",
        "  FLAG  Under-use (missed doses).",
        '  Record the reason: dispensary explain DSP000081 --reason "..."',
    ], said
    fixed = _return(
        cli, *ZH, *TABLETS, "correct-return", "116", "--tablets", "11", "--reason", "重数"
    )
    assert fixed.splitlines() == [
        "退药 117 更正退药 116：DSP000081 的药盒 K1072 现计为退回 11 片。",
        "  应服 21 片，已服 10 片：依从性 48%。",
        "  标记  用药不足（漏服）。",  # the flag in Chinese, as the windows name it
        '  记录原因：dispensary explain DSP000081 --reason "..."',
    ], fixed


def test_a_capsule_kit_not_brought_back_with_a_count_is_refused_without_tablets(cli: Cli) -> None:
    """The refusal said "has no tablets to count ... count the tablets" of a capsule kit."""
    named = ("return", "21-001", "--cycle", "3", "--kit", "C3007", "--not-brought-back")
    for lang, said in (
        ((), "A kit not brought back has nothing to count, not 3: record 0, or count what is in"),
        (ZH, "未带回的药盒没有可清点之物，不能是 3"),
    ):
        checked = cli(*lang, *TWO, "check", *named, "--tablets", "3")
        assert checked.code == 3, checked.err + checked.out
        text = " ".join((checked.out + checked.err).split())
        assert said in text, text
        assert "no tablets to count" not in text and "没有药片" not in text, text


def test_a_negative_count_of_a_capsule_kit_back_is_not_called_tablets(cli: Cli) -> None:
    """ "The number of tablets returned cannot be negative" (退回片数) of capsule kit C3007."""
    named = ("return", "21-001", "--cycle", "3", "--kit", "C3007", "--tablets", "-1")
    for lang, said in (
        ((), "The number of units returned cannot be negative (-1). Count again."),
        (ZH, "退回数量"),
    ):
        refused = cli(*lang, *TWO, *named)
        assert refused.code == 3, refused.err + refused.out
        assert said in refused.err and "片" not in refused.err, refused.err


def test_a_correction_after_a_capsule_kit_was_destroyed_is_refused_without_tablets(
    cli: Cli,
) -> None:
    """ "The returned tablets of kit C3007 have already been destroyed" of capsules."""
    _return(cli, *TWO, "return", "21-001", "--cycle", "3", "--kit", "C3007", "--tablets", "8")
    witnessed = (
        "--witness", "technician", "--method", "incineration", "--reference", "R1",
        "--unseen-returns-ok",  # no monitor has signed off the demo's second study
    )  # fmt: skip
    witness = {"DISPENSARY_WITNESS_PASSWORD": DEMO_PASSWORD}
    destroyed = cli(*TWO, "destroy", "C3007", *witnessed, env=witness)
    assert destroyed.code == 0, destroyed.err + destroyed.out
    for lang, said in (
        ((), "What was returned of kit C3007 has already been destroyed"),
        (ZH, "药盒 C3007 退回的药品已销毁"),
    ):
        refused = cli(*lang, *TWO, "correct-return", "116", "--tablets", "7", "--reason", "x")
        assert refused.code == 3, refused.err + refused.out
        assert said in refused.err and "片" not in refused.err, refused.err
        assert "tablets" not in refused.err, refused.err
