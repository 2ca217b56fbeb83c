"""The one rule for ids and INTEGER columns: one spelling per number, and only what a column holds."""

import pytest

from petition.ids import MAX_ID, is_id, parse_id, parse_number


@pytest.mark.parametrize(
    ("text", "found"),
    [("1", 1), ("42", 42), (str(MAX_ID), MAX_ID), (str(2**31 - 1), 2**31 - 1)],
)
def test_an_id_is_read_as_written(text: str, found: int) -> None:
    assert parse_id(text) == found


@pytest.mark.parametrize(
    "text",
    [
        str(2**31), str(2**63 - 1), str(2**63), str(10**30), "9" * 5000,
        "0", "-1", "+1", "0001", "", " 1", "1 ", "1\n", "1.0", "1e3", "0x1",
        "\u00b2", "\u0661", "\uff11",  # digits str.isdigit() accepts: superscript, Arabic, wide
    ],
)  # fmt: skip
def test_anything_else_is_no_id(text: str) -> None:
    assert parse_id(text) is None


def test_a_number_is_read_within_its_range_from_zero() -> None:
    assert parse_number("0") == 0
    assert parse_number("7", low=1, high=7) == 7
    assert parse_number("8", low=1, high=7) is None
    assert parse_number("0", low=1) is None
    assert parse_number("00") is None


@pytest.mark.parametrize("value", [1, MAX_ID])
def test_an_int_in_the_column_s_range_is_an_id(value: int) -> None:
    assert is_id(value)


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 2**63, True, 1.0, "1", None])
def test_other_values_are_not_ids(value: object) -> None:
    assert not is_id(value)
