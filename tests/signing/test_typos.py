"""Suggestions for mistyped mail domains: common slips found, real domains left alone."""

import random

import pytest

from petition.signing.typos import KNOWN_DOMAINS, _within, suggested_address, suggested_domain


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("gmial.com", "gmail.com"),
        ("gmai.com", "gmail.com"),
        ("gnail.com", "gmail.com"),
        ("gamil.com", "gmail.com"),
        ("gmail.co", "gmail.com"),
        ("gmail.cm", "gmail.com"),
        ("gmail.ru", "gmail.com"),
        ("GMIAL.COM", "gmail.com"),
        ("gmail.com.", None),
        ("mail.ry", "mail.ru"),
        ("maill.ru", "mail.ru"),
        ("yandex.ri", "yandex.ru"),
        ("yandeks.ru", "yandex.ru"),
        ("yandex.kx", "yandex.kz"),
        ("yandx.com", "yandex.com"),
        ("inbox.ry", "inbox.ru"),
        ("lisy.ru", "list.ru"),
        ("bk.ry", "bk.ru"),
        ("hotmial.com", "hotmail.com"),
        ("hotmai.com", "hotmail.com"),
        ("outlok.com", "outlook.com"),
        ("outllok.com", "outlook.com"),
        ("iclod.com", "icloud.com"),
        ("icluod.com", "icloud.com"),
        ("yahooo.com", "yahoo.com"),
        ("yaho.com", "yahoo.com"),
    ],
)
def test_common_slips_are_corrected(typed: str, meant: str | None) -> None:
    assert suggested_domain(typed) == meant


@pytest.mark.parametrize(
    "domain",
    [
        *KNOWN_DOMAINS,
        "mail.com",  # a real mailbox, one letter from mail.ru
        "mail.kz",
        "ya.ru",
        "gmx.com",
        "inbox.lv",
        "yandex.by",
        "hotmail.de",
        "example.org",
        "university.kz",
        "",
    ],
)
def test_real_and_unknown_domains_are_left_alone(domain: str) -> None:
    assert suggested_domain(domain) is None


def test_the_whole_address_keeps_what_comes_before_the_at_sign() -> None:
    assert suggested_address("Ivan.Petrov+petition@gmial.com") == "Ivan.Petrov+petition@gmail.com"
    assert suggested_address("ivan@gmail.com") is None
    assert suggested_address("no-at-sign") is None
    assert suggested_address("@gmial.com") is None


def _distance(a: str, b: str) -> int:
    """The optimal-string-alignment distance, computed in full: the reference."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def test_the_banded_distance_agrees_with_the_full_one() -> None:
    chance = random.Random(7)
    for _ in range(3000):
        a = "".join(chance.choice("gmail.co") for _ in range(chance.randint(0, 9)))
        b = "".join(chance.choice("gmail.co") for _ in range(chance.randint(0, 9)))
        for bound in (1, 2):
            assert _within(a, b, bound) == (_distance(a, b) <= bound), (a, b, bound)


def test_a_huge_address_is_answered_without_comparing() -> None:
    assert suggested_address("ivan@" + "a." * 125_000) is None
    assert suggested_address("a." * 125_000 + "@gmial.com") == "a." * 125_000 + "@gmail.com"
