"""Email addresses: what is accepted, and the canonical form that makes one mailbox sign once."""

import pytest

from petition.addresses import InvalidAddressError, canonical_email, normalise_email


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("Ann@Example.org", "ann@example.org"),
        ("ann+petitions@example.org", "ann@example.org"),
        ("a.n.n@example.org", "a.n.n@example.org"),
        ("A.N.N+x@gmail.com", "ann@gmail.com"),
        ("ann@googlemail.com", "ann@gmail.com"),
        ("  ann@example.org ", "ann@example.org"),
        ("ann@Example.ORG.", "ann@example.org"),
    ],
)
def test_variants_of_one_mailbox_fold_together(address: str, canonical: str) -> None:
    assert canonical_email(address) == canonical


def test_dots_matter_outside_gmail() -> None:
    assert canonical_email("a.nn@example.org") != canonical_email("ann@example.org")


@pytest.mark.parametrize(
    "text",
    ["", "ann", "ann@", "@example.org", "ann@@example.org", "ann example@x.org", "ann@exa mple.org",
     "a" * 250 + "@example.org", "ann@example.org\r\nBcc: x@y.org"],
)  # fmt: skip
def test_malformed_addresses_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidAddressError) as info:
        normalise_email(text)
    assert str(info.value)


def test_a_good_address_is_normalised_without_dns() -> None:
    assert normalise_email(" Ann@EXAMPLE.ORG ") == "Ann@example.org"


def test_internationalised_domains_are_accepted() -> None:
    assert normalise_email("aigerim@пример.рф") == "aigerim@пример.рф"


def test_non_latin_mailbox_names_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidAddressError, match="Before the @ sign"):
        normalise_email("айгерим@пример.рф")
