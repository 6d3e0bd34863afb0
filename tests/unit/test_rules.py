"""Rules at the counter, each a typed refusal whose message says what to do."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation, ToConfirm
from dispensary.domain.rules import (
    DATABASE_INT_MAX,
    MAX_DAYS_AHEAD,
    KitCandidate,
    check_count,
    check_count_fits,
    check_day1_near,
    check_dispensed_after_enrolment,
    check_eligibility,
    check_interval,
    check_kit_dispensable,
    check_next_cycle,
    check_not_future,
    check_not_too_early,
    check_return_quantity,
    check_scanned_cover,
    check_text,
    choose_fefo,
    days_after,
    effective_status,
    initials_from_name,
    least_usable_tablets,
    new_kit_number,
    normalise_initials,
    normalise_kit_number,
    normalise_study_number,
    parse_cycle,
    parse_date,
    parse_decimal,
    parse_expiry,
    parse_whole,
    undecodable,
)
from dispensary.i18n import Language, speaking
from dispensary.study import default_study_path, load_study

TODAY = date(2026, 1, 5)
COVER = date(2026, 2, 1)


def says(error: type[Exception], words: str) -> pytest.RaisesExc[Exception]:
    """pytest.raises for an error whose message holds these exact words."""
    return pytest.raises(error, match=re.escape(words))


def kit(
    number: str = "K1",
    expiry: date = date(2027, 1, 1),
    status: KitStatus = KitStatus.AVAILABLE,
    product: str = "p7.5",
    tablets: int = 21,
    lot: str = "L1",
) -> KitCandidate:
    return KitCandidate(number, product, lot, expiry, status, tablets)


def test_a_kit_past_expiry_on_the_shelf_reads_expired() -> None:
    assert effective_status(KitStatus.AVAILABLE, TODAY - timedelta(days=1), TODAY) is (
        KitStatus.EXPIRED
    )
    assert effective_status(KitStatus.QUARANTINED, date(2025, 1, 1), TODAY) is KitStatus.EXPIRED
    assert effective_status(KitStatus.AVAILABLE, TODAY, TODAY) is KitStatus.AVAILABLE
    assert effective_status(KitStatus.DISPENSED, date(2025, 1, 1), TODAY) is KitStatus.DISPENSED


def test_kit_numbers_as_scanners_and_typists_give_them() -> None:
    assert normalise_kit_number("  k0001\n") == "K0001"
    assert normalise_kit_number("AB-12.x_3") == "AB-12.X_3"
    for bad in ("", "K 1", "-K1", "K0001\x00", "É1", "K" * 41):
        with pytest.raises(InvalidInput, match="is not a kit number"):
            normalise_kit_number(bad)
    with pytest.raises(InvalidInput) as info:
        normalise_kit_number("K\x1b[2J")
    assert "\x1b" not in info.value.message and "K?[2J" in info.value.message


def test_a_kit_number_received_starts_and_ends_with_a_letter_or_digit() -> None:
    assert new_kit_number(" ab-12.x_3 ") == "AB-12.X_3"
    for bad in ("K1400-", "-K1400", "K1400-K1405-", " k1400 - ", "K1400.", "_K1"):
        with says(InvalidInput, "Give a range by its first and last kit, as K0001-K0050"):
            new_kit_number(bad)
    with pytest.raises(InvalidInput, match="is not a kit number"):
        new_kit_number("K 1")
    # a kit a release before received as 'K1400-' is still found, to be put right
    assert normalise_kit_number("k1400-") == "K1400-"


def test_a_dispensing_label_number_is_never_received_as_a_kit_number() -> None:
    """DSP and six digits or more is the counter's own label: a kit received under it could not
    be told from a dispensing label by a scan (it was received: review finding)."""
    for label in ("DSP000123", " dsp0001234 "):
        with says(InvalidInput, "is a dispensing label's number, not a kit number"):
            new_kit_number(label)
    assert new_kit_number("DSP00012") == "DSP00012"  # five digits: not a dispense number
    assert new_kit_number("K-DSP000123") == "K-DSP000123"
    assert normalise_kit_number("dsp000123") == "DSP000123"  # looked up: other_label says what


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Ada Lovelace", "AL"),
        ("li wei", "LW"),  # upper case, as records are signed
        ("Élodie Anne Marie Durand", "EAMD"),  # an accented first letter is its letter; 4 at most
        ("Jean-Luc Picard", "JLP"),
        ("ｗａｎｇ ｆａｎｇ", "WF"),  # typed on a Chinese keyboard
        ("Madonna", "MA"),  # one word: its first two letters
        ("李伟", ""),  # Chinese characters give none: the caller asks for them
        ("Li 伟", ""),  # nor half of them
        ("A", ""),
        ("  ", ""),
    ],
)
def test_initials_offered_for_a_full_name(name: str, initials: str) -> None:
    assert initials_from_name(name) == initials
    if initials:
        assert normalise_initials(initials, staff=True) == initials  # always valid as offered


def test_study_numbers_and_initials() -> None:
    assert normalise_study_number(" 01-001 ") == "01-001"
    with pytest.raises(InvalidInput, match="is not a participant study number"):
        normalise_study_number("01 001")
    assert normalise_initials(" a.b. ") == "AB"
    assert normalise_initials("A B C") == "ABC"
    for bad in ("A", "ABCDE", "A1", "Ann Berry"):
        with pytest.raises(InvalidInput, match=r"are not initials.*participants are identified"):
            normalise_initials(bad)
        with pytest.raises(InvalidInput, match=r"are not initials\. Give 2 to 4 letters A-Z\.$"):
            normalise_initials(bad, staff=True)  # a user's: nothing of participants
    for empty in ("", " . "):
        for staff in (False, True):
            with pytest.raises(InvalidInput, match=r"^Give the initials: 2 to 4 letters A-Z\.$"):
                normalise_initials(empty, staff=staff)


def test_free_text() -> None:
    assert check_text("  broken seal ", "reason") == "broken seal"
    assert check_text("", "note", required=False) == ""
    assert check_text("a\tb", "note") == "a\tb"
    with pytest.raises(InvalidInput, match="Give the reason"):
        check_text("   ", "reason")
    with pytest.raises(InvalidInput, match="keep it under 10"):
        check_text("x" * 11, "reason", limit=10)
    with pytest.raises(InvalidInput, match="control characters"):
        check_text("a\nb", "reason")
    with pytest.raises(InvalidInput, match="control characters"):
        check_text("a\x7fb", "reason")


@pytest.mark.parametrize(
    "text",
    [
        "请把药放在冰箱里，包装破损",  # Chinese, with a full-width comma
        "café crème, Müller, Ørsted",
        "تم كسر الختم",  # right-to-left text is text; only the override controls are refused
        "क्ष",  # Devanagari with a virama
        "👩‍⚕️ checked",  # an emoji sequence joined by U+200D
        "❤️\u200d🔥 1️⃣",  # a joiner after a variation selector; a keycap
        "葛\U000e0100城",  # an ideographic variation sequence (a name's variant character)
        "کتاب\u200cها",  # Persian with a zero-width non-joiner
        "a\tb",
    ],
)
def test_free_text_of_any_script_is_kept(text: str) -> None:
    assert check_text(text, "note") == text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("dented \u202e12 box", "invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
        ("\u2066x\u2069", "invisible character (U+2066 LEFT-TO-RIGHT ISOLATE)"),
        ("a\u200fb", "invisible character (U+200F RIGHT-TO-LEFT MARK)"),
        ("a\u200bb", "invisible character (U+200B ZERO WIDTH SPACE)"),
        ("a\ufeffb", "invisible character (U+FEFF ZERO WIDTH NO-BREAK SPACE)"),
        ("a\u2028b", "control characters (a line break)"),
        ("a\u2029b", "control characters (a line break)"),
        ("a\x85b", "control characters (a line break)"),
        ("a\x9bb", "control characters (U+009B"),
        ("a\udcffb", "bytes that are not UTF-8 text"),
        ("a\ufffeb", "invisible character (U+FFFE)"),
        # Letters, marks and symbols that show as a blank (default-ignorable, or the braille blank)
        ("\u3164", "invisible character (U+3164 HANGUL FILLER)"),
        ("\u115f", "invisible character (U+115F HANGUL CHOSEONG FILLER)"),
        ("\u1160", "invisible character (U+1160 HANGUL JUNGSEONG FILLER)"),
        ("\uffa0", "invisible character (U+FFA0 HALFWIDTH HANGUL FILLER)"),
        ("\u2800", "invisible character (U+2800 BRAILLE PATTERN BLANK)"),
        ("box \u3164 crushed", "invisible character (U+3164 HANGUL FILLER)"),
        ("\u17b4", "invisible character (U+17B4 KHMER VOWEL INHERENT AQ)"),
        ("a\ufff0b", "invisible character (U+FFF0)"),
        # Joiners and variation selectors with no visible character before them
        ("\u200d", "invisible character (U+200D ZERO WIDTH JOINER)"),
        ("\u200c\u200c", "invisible character (U+200C ZERO WIDTH NON-JOINER)"),
        ("ok \u200d", "invisible character (U+200D ZERO WIDTH JOINER)"),
        ("\ufe0f", "invisible character (U+FE0F VARIATION SELECTOR-16)"),
        ("\u034f", "invisible character (U+034F COMBINING GRAPHEME JOINER)"),
        ("\U000e0100", "invisible character (U+E0100 VARIATION SELECTOR-17)"),
        ("\u180b", "invisible character (U+180B MONGOLIAN FREE VARIATION SELECTOR ONE)"),
    ],
)
def test_free_text_refuses_hidden_characters_naming_them(text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_text(text, "reason for quarantine")
    assert info.value.message.startswith("The reason for quarantine "), info.value.message
    assert words in info.value.message, info.value.message


def test_no_default_ignorable_character_alone_is_kept() -> None:
    """Every code point Unicode calls default-ignorable (DerivedCoreProperties.txt), alone, after
    a space and before a letter, is refused: none can make a reason that reads as empty."""
    ignorable = [
        *range(0x00AD, 0x00AE), 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5,
        *range(0x180B, 0x1810), *range(0x200B, 0x2010), *range(0x202A, 0x202F),
        *range(0x2060, 0x2070), 0x3164, *range(0xFE00, 0xFE10), 0xFEFF, 0xFFA0,
        *range(0xFFF0, 0xFFF9), *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B),
        *range(0xE0000, 0xE1000),
    ]  # fmt: skip
    for code in ignorable:
        for text in (chr(code), f"x {chr(code)}", f"{chr(code)}x"):
            with pytest.raises(InvalidInput):
                check_text(text, "reason")


def test_undecodable_text_is_told_apart() -> None:
    assert undecodable("x\udcff") and not undecodable("请 é 👩‍⚕️")


@pytest.mark.parametrize(
    ("text", "value"),
    [("21", 21), (" 21 ", 21), ("+5", 5), (" +5", 5), ("-3", -3), ("007", 7), ("0", 0)],
)
def test_whole_numbers_as_typed(text: str, value: int) -> None:
    assert parse_whole(text, "tablet count") == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1_0", "'1_0' is not a whole number: write the tablet count with the digits 0-9"),
        ("١٠", "is not a whole number"),  # Arabic-Indic: int() reads 10
        # full-width (int() reads 10): refused, saying what to change on the keyboard
        ("１０", "'１０' is typed in full-width characters"),
        ("2\u30001", "'2\u30001' is typed in full-width characters"),  # a full-width space
        ("10.0", "is not a whole number"),
        ("1e3", "is not a whole number"),
        ("1 0", "is not a whole number"),
        ("++5", "is not a whole number"),
        ("", "Give the tablet count"),
        # Beyond the database's bounds, which are no range a tablet count has: not named.
        ("99999999999999999999", "is far beyond any tablet count; check the number"),
        (str(DATABASE_INT_MAX + 1), "is far beyond any tablet count"),
        (str(-DATABASE_INT_MAX - 1), "is far beyond any tablet count"),
    ],
)
def test_whole_numbers_refused(text: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(words)):
        parse_whole(text, "tablet count")


def test_whole_numbers_within_bounds() -> None:
    assert parse_whole(str(DATABASE_INT_MAX), "id") == DATABASE_INT_MAX
    assert parse_whole("0", "count", minimum=0, maximum=5) == 0
    with pytest.raises(InvalidInput, match="-1 is not a count from 0 to 2147483647"):
        parse_whole("-1", "count", minimum=0)
    with pytest.raises(InvalidInput, match="6 is not a count from -2147483647 to 5"):
        parse_whole("6", "count", maximum=5)


def test_decimal_numbers() -> None:
    for text, value in [("5", 5.0), ("-0.5", -0.5), (".5", 0.5), ("5.", 5.0), (" +2.25 ", 2.25)]:
        assert parse_decimal(text, "temperature") == value
    for bad in ("nan", "inf", "-inf", "1e3", "1_0.5", "١٠.٥", "5,2", "", "0x1", "1.2.3"):
        with pytest.raises(InvalidInput):
            parse_decimal(bad, "temperature")
    with pytest.raises(InvalidInput, match=re.escape("write the decimal point as '.'")):
        parse_decimal("5,2", "temperature")
    with pytest.raises(InvalidInput, match="81 is not a temperature from -80 to 80"):
        parse_decimal("81", "temperature", minimum=-80, maximum=80)


def test_dates_as_typed_within_the_window() -> None:
    assert parse_date(" 2026-01-05 ", "date") == TODAY
    assert parse_date("1900-01-01", "date") == date(1900, 1, 1)
    assert parse_date("2199-12-31", "date") == date(2199, 12, 31)
    for bad in ("20260105", "2026-W01-1", "٢٠٢٦-٠١-٠٥", "5/1/2026", "2026-1-5"):
        with pytest.raises(InvalidInput, match="is not a date: write it as YYYY-MM-DD"):
            parse_date(bad, "date")
    # Written as asked, but no such day: said so, not "write it as YYYY-MM-DD" again.
    for bad in ("2026-02-30", "2026-13-01", "2026-00-10"):
        with pytest.raises(InvalidInput, match="is not a day of the calendar: check the month"):
            parse_date(bad, "date")
    for far in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"):
        with pytest.raises(InvalidInput, match="is not a plausible expiry"):
            parse_date(far, "expiry")


def test_numbers_and_dates_typed_in_full_width_say_to_switch_the_input_method() -> None:
    """A Chinese input method in full-width mode types what reads as a number or a date: each
    reading refuses it (never reads it as another number), saying what to change; the cycle
    number's refusal too, rather than "cycles start at 1" for a "９"."""
    said = "is typed in full-width characters (the input method's full-width mode): switch"
    for parse, text in [
        (lambda t: parse_whole(t, "tablet count"), "２１"),
        (lambda t: parse_decimal(t, "platelet count"), "７７.５"),
        (lambda t: parse_date(t, "date"), "２０２６－０１－０５"),
        (parse_expiry, "２０２８－０９"),
        (parse_cycle, "９"),
    ]:
        with pytest.raises(InvalidInput, match=re.escape(f"'{text}' {said}")):
            parse(text)
    with speaking(Language.ZH_CN), pytest.raises(InvalidInput) as refused:
        parse_whole("２１", "tablet count")
    assert (
        refused.value.message
        == "“２１”是用全角字符输入的（输入法处于全角模式）：请将输入法切换为半角后重新输入。"
    )
    # Letters alone are not taken for a number typed in full width: the usual words.
    with pytest.raises(InvalidInput, match="is not a whole number"):
        parse_whole("ａｂｃ", "tablet count")


def test_days_ahead_stay_in_the_calendar() -> None:
    assert days_after(TODAY, 90, "days") == TODAY + timedelta(days=90)
    assert days_after(date(2199, 12, 31), MAX_DAYS_AHEAD, "days").year == 2299
    with pytest.raises(InvalidInput, match=f"more than {MAX_DAYS_AHEAD}"):
        days_after(TODAY, 3_000_000, "number of days")
    with pytest.raises(InvalidInput, match="past the calendar"):
        days_after(date(9999, 1, 1), 1000, "number of days")


def test_counts() -> None:
    assert check_count(0, "count") == 0
    with pytest.raises(InvalidInput, match="cannot be negative"):
        check_count(-1, "count")
    with pytest.raises(InvalidInput, match="more than 100000"):
        check_count(100_001, "count")
    with pytest.raises(InvalidInput, match="whole number"):
        check_count(True, "count")
    with pytest.raises(InvalidInput, match="whole number"):
        check_count(2.5, "count")  # type: ignore[arg-type]


def test_dates_not_in_the_future() -> None:
    assert check_not_future(TODAY, TODAY, "date") == TODAY
    with pytest.raises(InvalidInput, match="2026-01-06 is in the future"):
        check_not_future(TODAY + timedelta(days=1), TODAY, "date")
    with pytest.raises(InvalidInput, match="before 2000"):
        check_not_future(date(1999, 12, 31), TODAY, "date")


def test_eligibility() -> None:
    # 18 this year: 17 until the birthday, unknown here, so the age is asked
    with pytest.raises(ToConfirm, match="born in 2008 is 17 or 18 on 2026-01-05"):
        check_eligibility(2008, "F", TODAY, 18, "F")
    check_eligibility(2008, "F", TODAY, 18, "F", age_confirmed=True)
    check_eligibility(2008, "F", date(2026, 12, 31), 18, "F")  # every birthday has passed
    with pytest.raises(RuleViolation, match="born in 2009 is under 18"):
        check_eligibility(2009, "F", TODAY, 18, "F")
    with pytest.raises(RuleViolation, match="born in 2009 is under 18 on 2026-12-05"):
        check_eligibility(2009, "F", date(2026, 12, 5), 18, "F", age_confirmed=True)
    with pytest.raises(RuleViolation, match="admit sex 'female' only"):
        check_eligibility(1970, "M", TODAY, 18, "F")
    check_eligibility(1970, "M", TODAY, 18, "ALL")
    with pytest.raises(InvalidInput, match="Year of birth 2027 is not possible"):
        check_eligibility(2027, "F", TODAY, 18, "F")
    with pytest.raises(InvalidInput, match="Year of birth 1899"):
        check_eligibility(1899, "F", TODAY, 18, "F")


def test_next_cycle_only() -> None:
    check_next_cycle(1, None, 0)
    check_next_cycle(4, 3, 0)
    with pytest.raises(RuleViolation, match="Cycle 2 is not the next cycle: dispense cycle 1"):
        check_next_cycle(2, None, 0)
    with says(RuleViolation, "Cycle 3 has already been dispensed. The next cycle"):
        check_next_cycle(3, 3, 0)
    with pytest.raises(RuleViolation, match="the last dispensed cycle is 3"):
        check_next_cycle(2, 3, 0)
    with pytest.raises(RuleViolation, match="not the next cycle: dispense cycle 4"):
        check_next_cycle(5, 3, 0)
    with pytest.raises(RuleViolation, match="at most 6 cycles"):
        check_next_cycle(7, 6, 6)


def test_minimum_interval_since_previous_day1() -> None:
    enrolled = date(2026, 1, 2)
    check_interval(TODAY, None, 18, enrolled)
    check_interval(TODAY + timedelta(days=18), TODAY, 18, enrolled)
    with pytest.raises(RuleViolation, match=r"only 17 days after .* from 2026-01-23"):
        check_interval(TODAY + timedelta(days=17), TODAY, 18, enrolled)
    with pytest.raises(InvalidInput, match="before enrolment"):
        check_interval(date(2026, 1, 1), None, 18, enrolled)


def test_day1_near_the_dispense_date() -> None:
    check_day1_near(TODAY + timedelta(days=7), TODAY)
    check_day1_near(TODAY - timedelta(days=7), TODAY)
    with pytest.raises(InvalidInput, match="more than 7 days from the dispense date"):
        check_day1_near(TODAY + timedelta(days=8), TODAY)


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (KitStatus.QUARANTINED, "Release it from quarantine first"),
        (KitStatus.DISPENSED, "Take another kit"),
        (KitStatus.RETURNED, "A returned kit is never dispensed again"),
        (KitStatus.DESTROYED, "Check the kit you scanned"),
    ],
)
def test_only_available_kits_are_dispensed(status: KitStatus, words: str) -> None:
    with pytest.raises(RuleViolation, match=rf"Kit K1 is {status.value}\. .*{re.escape(words)}"):
        check_kit_dispensable(kit(status=status), "p7.5", COVER, TODAY)


def test_scanned_kit_product_and_expiry() -> None:
    check_kit_dispensable(kit(expiry=COVER), "p7.5", COVER, TODAY)
    with says(RuleViolation, "is expired. Set it aside for destruction"):
        check_kit_dispensable(kit(expiry=TODAY - timedelta(days=1)), "p7.5", COVER, TODAY)
    with says(RuleViolation, "holds p2.5, but this dose needs p7.5"):
        check_kit_dispensable(kit(product="p2.5"), "p7.5", COVER, TODAY)
    with pytest.raises(RuleViolation, match="expires 2026-01-31, before the supply must last"):
        check_kit_dispensable(kit(expiry=COVER - timedelta(days=1)), "p7.5", COVER, TODAY)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            Language.EN,
            "Kit K1 holds herombopag (hetrombopag olamine) 2.5 mg tablet, but this dose needs "
            "herombopag (hetrombopag olamine) 7.5 mg tablet. Take a kit of the right product.",
        ),
        (
            Language.ZH_CN,
            "药盒 K1 装的是海曲泊帕乙醇胺片 2.5 mg，但此剂量需要海曲泊帕乙醇胺片 7.5 mg。"
            "请取用正确药品的药盒。",
        ),
    ],
)
def test_a_kit_of_the_wrong_product_is_named_as_the_reader_names_it(
    language: Language, said: str
) -> None:
    """Not by the study file's codes ("holds herombopag-2.5mg"): `name` is the study's."""
    study = load_study(default_study_path())
    wrong = kit(product="herombopag-2.5mg")
    with speaking(language), pytest.raises(RuleViolation) as refused:
        check_kit_dispensable(wrong, "herombopag-7.5mg", COVER, TODAY, study.product_name)
    assert refused.value.message == said


def test_fefo_takes_the_earliest_expiry_that_lasts() -> None:
    kits = [
        kit("K1", date(2027, 6, 1)),
        kit("K2", date(2026, 3, 1)),
        kit("K3", date(2026, 1, 31)),  # expires before the supply must last
        kit("K4", date(2026, 2, 1), status=KitStatus.QUARANTINED),
        kit("K5", date(2026, 2, 1), product="p2.5"),
        kit("K6", date(2026, 2, 1), tablets=0),
        kit("K7", date(2026, 12, 1)),
    ]
    assert [k.number for k in choose_fefo(kits, "p7.5", 21, COVER, TODAY)] == ["K2"]
    assert [k.number for k in choose_fefo(kits, "p7.5", 42, COVER, TODAY)] == ["K2", "K7"]
    with says(RuleViolation, "Not enough p7.5 in stock: 64 tablets needed, 63 av"):
        choose_fefo(kits, "p7.5", 64, COVER, TODAY)


def test_a_short_shelf_of_capsules_is_said_in_capsules() -> None:
    """A capsule is never said to be a tablet: the shortage is given in the product's word."""
    kits = [kit("C1", date(2027, 6, 1), product="cap", tablets=28)]
    with says(RuleViolation, "Not enough Capsulinib in stock: 56 capsules needed, 28 capsules av"):
        choose_fefo(kits, "cap", 56, COVER, TODAY, "Capsulinib", lambda n: f"{n} capsules")


def test_fefo_breaks_expiry_ties_by_lot_then_kit() -> None:
    same_day = date(2026, 6, 1)
    kits = [
        kit("K9", same_day, lot="B"),
        kit("K8", same_day, lot="A"),
        kit("K7", same_day, lot="B"),
    ]
    assert [k.number for k in choose_fefo(kits, "p7.5", 42, COVER, TODAY)] == ["K8", "K7"]


def test_a_kit_is_usable_stock_when_the_counter_would_hand_it_out_beside_full_kits() -> None:
    """rules.least_usable_tablets is choose_fefo's own rule: a part-used kit first in line,
    full kits behind it, is handed out exactly when it holds what the full kits of its cycle
    leave over, and a full kit always is, however many kits a cycle takes (DEMO-28D-BID:
    112 tablets from bottles of 60; NCT07198672: 21 from kits of 21; DEMO-2DRUG: 21 from
    kits of 30)."""
    for per_kit in (21, 30, 60):
        full = [kit(f"F{n}", date(2027, 6, 1), tablets=per_kit) for n in range(4)]
        for need in range(1, 3 * per_kit + 1):
            least = least_usable_tablets([need], per_kit)
            assert 0 < least <= per_kit
            for tablets in range(1, per_kit + 1):
                part = kit("P", date(2026, 6, 1), tablets=tablets)
                chosen = choose_fefo([part, *full], "p7.5", need, COVER, TODAY)
                assert (part in chosen) == (tablets >= least), (per_kit, need, tablets)
    assert least_usable_tablets([112], 60) == 52
    assert least_usable_tablets([120], 60) == 60
    assert least_usable_tablets([21], 30) == 21
    # The smallest over the cycles to come (a kit one of them takes); none: a full kit.
    assert least_usable_tablets([112, 0, 56], 60) == 52
    assert least_usable_tablets([], 60) == least_usable_tablets([0], 60) == 60


candidates = st.lists(
    st.builds(
        kit,
        number=st.text("ABCDEFGHK0123456789", min_size=1, max_size=6),
        expiry=st.dates(date(2025, 12, 1), date(2027, 12, 31)),
        status=st.sampled_from(list(KitStatus)),
        product=st.sampled_from(["p7.5", "p2.5"]),
        tablets=st.integers(0, 42),
        lot=st.sampled_from(["L1", "L2", "L3"]),
    ),
    max_size=15,
    unique_by=lambda k: k.number,
)


@given(candidates, st.integers(1, 100))
def test_fefo_properties(kits: list[KitCandidate], needed: int) -> None:
    def usable(k: KitCandidate) -> bool:
        return (
            k.product == "p7.5"
            and effective_status(k.status, k.expiry, TODAY) is KitStatus.AVAILABLE
            and k.expiry >= COVER
            and k.tablets > 0
        )

    try:
        chosen = choose_fefo(kits, "p7.5", needed, COVER, TODAY)
    except RuleViolation:
        assert sum(k.tablets for k in kits if usable(k)) < needed
        return
    assert all(usable(k) for k in chosen)
    assert sum(k.tablets for k in chosen) >= needed
    assert sum(k.tablets for k in chosen[:-1]) < needed  # no kit more than needed
    expiries = [k.expiry for k in chosen]
    assert expiries == sorted(expiries)
    left_out = [k for k in kits if usable(k) and k not in chosen]
    # first expiry, first out; an earlier kit is left out only when the later ones cover the
    # need without it (a partial kit is never topped up with a full one): it is smaller
    assert all(
        k.expiry >= chosen[-1].expiry or k.tablets < max(c.tablets for c in chosen)
        for k in left_out
    )


def test_scanned_kits_must_cover_the_cycle() -> None:
    check_scanned_cover([kit(tablets=21)], "p7.5", 21)
    with says(RuleViolation, "hold 20 tablets of p7.5; 21 are needed"):
        check_scanned_cover([kit(tablets=20), kit("K2", product="p2.5")], "p7.5", 21)


def test_scanned_capsules_are_said_as_capsules() -> None:
    """A capsule product's shortfall in its own word: "hold 0 tablets of ... capsule" said
    a capsule was a tablet."""
    with says(RuleViolation, "hold 0 capsules of c100; 28 capsules are needed for the cycle"):
        check_scanned_cover([kit("K2", product="t25")], "c100", 28, "", lambda n: f"{n} capsules")
    with (
        speaking(Language.ZH_CN),
        says(RuleViolation, "已扫描的药盒共有c100 0粒；本周期需要 28粒。"),
    ):
        check_scanned_cover([], "c100", 28, "", lambda n: f"{n}粒")


def test_returns_cannot_exceed_what_was_dispensed() -> None:
    check_return_quantity(21, 21, 0, "K1")
    check_return_quantity(5, 21, 16, "K1")
    with pytest.raises(RuleViolation, match="16 are already recorded as returned, so only 5 can"):
        check_return_quantity(6, 21, 16, "K1")
    with pytest.raises(RuleViolation, match="returned for kit K1, but only 21 were dispensed from"):
        check_return_quantity(40, 21, 0, "K1")
    with pytest.raises(InvalidInput, match="cannot be negative"):
        check_return_quantity(-1, 21, 0, "K1")


def test_an_empty_bare_number_is_asked_for_once() -> None:
    """The command's bare number type said "Give the number: a number."."""
    with pytest.raises(InvalidInput, match=r"^Give a number\.$"):
        parse_decimal("", "number")
    with pytest.raises(InvalidInput, match=r"^Give a whole number\.$"):
        parse_whole(" ", "number")


def test_no_dispense_before_the_enrolment_nor_a_day_proposed_before_it() -> None:
    check_dispensed_after_enrolment("01-001", TODAY, TODAY)
    with says(RuleViolation, "Participant 01-001 was enrolled on 2026-01-05: a dispense cannot"):
        check_dispensed_after_enrolment("01-001", TODAY - timedelta(days=1), TODAY)
    with says(RuleViolation, "Dispense it from 2025-12-29."):  # the earliest day 1 less 7 days
        check_not_too_early(2, TODAY, TODAY - timedelta(days=10))
    with says(RuleViolation, "Dispense it from 2026-01-05."):  # not before the enrolment
        check_not_too_early(1, TODAY, TODAY - timedelta(days=10), not_before=TODAY)


def test_a_count_up_to_the_book_passes_even_above_the_receipt() -> None:
    """A book raised above the receipt by an earlier signed count (a 'found' before the cap)
    is counted again as it stands: the cap refused a count equal to the book."""
    check_count_fits("K1", 21, 21, 19)
    check_count_fits("K1", 22, 21, 22)  # as the book says
    with says(RuleViolation, "23 tablets counted in kit K1, which was received with 21"):
        check_count_fits("K1", 23, 21, 22)
    with says(RuleViolation, "quarantine it and ask the sponsor"):
        check_count_fits("K1", 500, 21, 19)
