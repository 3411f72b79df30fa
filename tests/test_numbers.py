"""Vietnamese number parsing/formatting, number words, money (with property tests)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.numbers import (format_number, number_to_words, parse_money, parse_number,
                              words_to_number)


@pytest.mark.parametrize("surface,value,decimals", [
    ("6.326", 6326, 0), ("38.687", 38687, 0), ("97,79", 97.79, 2), ("83,288", 83.288, 3),
    ("16.657.859.964", 16657859964, 0), ("02", 2, 0), ("03", 3, 0), ("87,9", 87.9, 1),
    ("1.234,5", 1234.5, 1), ("0,5", 0.5, 1), ("100", 100, 0), ("4.5", 4.5, 1),
])
def test_parse_number(surface, value, decimals):
    assert parse_number(surface) == (pytest.approx(value), decimals)


@pytest.mark.parametrize("bad", ["", "abc", "1..2", ",5", "1,2,3"])
def test_parse_number_rejects(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


def test_format_number():
    assert format_number(6326) == "6.326"
    assert format_number(97.79, 2) == "97,79"
    assert format_number(16657859964) == "16.657.859.964"
    assert format_number(2, pad=2) == "02"
    assert format_number(1234567.5, 1) == "1.234.567,5"


@pytest.mark.parametrize("phrase,value", [
    ("không", 0), ("một", 1), ("hai", 2), ("mười", 10), ("mười lăm", 15), ("mười bốn", 14),
    ("hai mươi", 20), ("hai mươi mốt", 21), ("ba mươi", 30), ("ba mươi tư", 34),
    ("bốn mươi lăm", 45), ("chín mươi chín", 99), ("năm mươi năm", 55),
    ("một trăm", 100), ("một trăm linh năm", 105), ("hai trăm mười", 210),
])
def test_words_to_number(phrase, value):
    assert words_to_number(phrase) == value


@pytest.mark.parametrize("phrase", ["mốt", "mười mốt", "mươi", "tư", "lăm", "hai ba", "trăm"])
def test_words_to_number_rejects(phrase):
    assert words_to_number(phrase) is None


@pytest.mark.parametrize("surface,vnd", [
    ("16.657.859.964 đồng", 16657859964), ("1,5 tỷ đồng", 1.5e9), ("250 triệu đồng", 2.5e8),
    ("12,5 nghìn đồng", 12500), ("3 tỉ đồng", 3e9), ("2,35 tỷ", 2.35e9),
])
def test_parse_money(surface, vnd):
    assert parse_money(surface) == pytest.approx(vnd)


# ---- properties ------------------------------------------------------------------------

@settings(max_examples=400)
@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=4))
def test_format_parse_round_trip(units, decimals):
    value = units / 10**decimals
    text = format_number(value, decimals)
    parsed, stated = parse_number(text)
    assert stated == decimals
    assert round(parsed * 10**decimals) == units


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=99_999), st.integers(min_value=1, max_value=5))
def test_leading_zeros_round_trip(n, pad):
    assert parse_number(format_number(n, pad=pad)) == (n, 0)


@given(st.integers(min_value=0, max_value=999))
def test_words_round_trip(n):
    assert words_to_number(number_to_words(n)) == n


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(
    [("đồng", 1), ("nghìn đồng", 1e3), ("triệu đồng", 1e6), ("tỷ đồng", 1e9)]))
def test_money_round_trip(units, unit):
    name, factor = unit
    text = f"{format_number(units / 100, 2)} {name}"
    assert parse_money(text) == pytest.approx(units / 100 * factor)
