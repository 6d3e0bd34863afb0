"""Verification codes: A-<entry>-XXXX-XXXX-C, 40 bits of the entry's hash in Crockford base 32
and a check character, read back whatever the case and with O for 0, I or L for 1."""

from __future__ import annotations

import hashlib

import pytest

from dispensary.domain.anchor import (
    ALPHABET,
    EXAMPLE,
    Anchor,
    anchor_code,
    check_character,
    parse_anchor,
)
from dispensary.domain.errors import InvalidInput

HASHES = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(40)]


def test_round_trip() -> None:
    positions = [0, 1, 9, 104233, 7_000_000_123, *range(35)]
    for position, entry_hash in zip(positions, HASHES, strict=True):
        code = anchor_code(position, entry_hash)
        anchor = parse_anchor(code)
        assert anchor == Anchor(position, entry_hash[:10])
        assert anchor.code == code
        assert anchor.matches(entry_hash) and anchor.matches(entry_hash.upper())
        assert not anchor.matches("f" + entry_hash[1:]) or entry_hash[0] == "f"


def test_the_shape_of_a_code() -> None:
    code = anchor_code(104233, "2d711642b7" + "0" * 54)
    assert code == "A-104233-5NRH-CGNQ-D"
    letter, position, first, second, check = code.split("-")
    assert (letter, position) == ("A", "104233")
    assert len(first) == len(second) == 4 and len(check) == 1
    assert not set(first + second + check) & set("ILOU")
    assert anchor_code(0, "0" * 64) == "A-0-0000-0000-0"
    assert parse_anchor(EXAMPLE).position == 104233  # the example the messages give is a code
    assert EXAMPLE[-1] == check_character("1042337QK2M9TD")


def test_only_the_first_40_bits_count() -> None:
    entry_hash = HASHES[0]
    assert anchor_code(5, entry_hash) == anchor_code(5, entry_hash[:10] + "f" * 54)
    tenth = "0" if entry_hash[9] != "0" else "1"
    assert anchor_code(5, entry_hash) != anchor_code(5, entry_hash[:9] + tenth + entry_hash[10:])


def test_every_one_character_misread_is_caught() -> None:
    for position, entry_hash in [(104233, HASHES[1]), (17, HASHES[2]), (3, HASHES[3])]:
        code = anchor_code(position, entry_hash)
        for index, char in enumerate(code):
            if char == "-" or index == 0:
                continue
            choices = "0123456789" if index < code.index("-", 2) else ALPHABET
            for other in choices:
                if other == char:
                    continue
                misread = code[:index] + other + code[index + 1 :]
                with pytest.raises(InvalidInput, match="misread"):
                    parse_anchor(misread)


def test_two_neighbours_swapped_are_caught() -> None:
    code = anchor_code(104233, HASHES[4])
    body = code.replace("-", "")
    for index in range(1, len(body) - 1):
        if body[index] == body[index + 1]:
            continue
        swapped = body[:index] + body[index + 1] + body[index] + body[index + 2 :]
        parts = (swapped[1:7], swapped[7:11], swapped[11:15], swapped[15])
        typed = "A-" + "-".join(parts)
        if typed[2:].split("-")[0].isdigit():
            with pytest.raises(InvalidInput):
                parse_anchor(typed)


def test_crockford_reading_forgives_case_and_look_alikes() -> None:
    code = anchor_code(1010, "0" * 2 + "1" * 8 + "0" * 54)
    assert "0" in code and "1" in code
    spoken = code.lower().replace("0", "o").replace("1", "l")
    assert parse_anchor(spoken) == parse_anchor(code)
    assert parse_anchor(code.replace("1", "I")) == parse_anchor(code)
    assert parse_anchor(f"  {code.replace('-', ' ')}  ") == parse_anchor(code)
    assert parse_anchor(code.replace("-", "\u2013")) == parse_anchor(
        code
    )  # a word processor's dash
    assert parse_anchor(code.replace("-", "", 1)) == parse_anchor(code)  # A104233-...


def test_leading_zeros_of_the_position_are_the_same_code() -> None:
    code = anchor_code(42, HASHES[5])
    assert parse_anchor(code.replace("A-42-", "A-0042-")).position == 42


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "A-",
        "104233-7QK2-M9TD-K",
        "B-104233-7QK2-M9TD-K",
        "A-104233-7QK2-M9TD",  # no check character
        "A-104233-7QK-M9TD-K",
        "A-10x233-7QK2-M9TD-K",
        "A-104233-7QK2-M9TD-C-1",
        "A-104233-7QK2-M9TD-CK",
    ],
)
def test_a_malformed_code_says_what_a_code_looks_like(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_anchor(typed)
    assert "looks like A-104233-7QK2-M9TD-C" in refused.value.message


def test_u_is_never_a_character_of_a_code() -> None:
    with pytest.raises(InvalidInput, match="U is never used"):
        parse_anchor("A-1-UUUU-0000-0")


def test_an_anchor_needs_a_hash_prefix() -> None:
    with pytest.raises(ValueError):
        Anchor(1, "abc")
    with pytest.raises(ValueError):
        Anchor(-1, "0" * 10)
    with pytest.raises(ValueError):
        anchor_code(1, "not a hash at all")
