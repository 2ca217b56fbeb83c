"""Property tests: canonical addresses, tokens and spreadsheet cells hold for any input."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from petition import tokens
from petition.addresses import canonical_email
from petition.exports.rows import safe_cell

SECRET = "property-test-secret"
local_parts = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=30)
domains = st.sampled_from(["example.org", "Example.ORG", "gmail.com", "googlemail.com", "a.b.c"])
addresses = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
payloads = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=10,
)


@given(addresses)
def test_canonical_email_is_idempotent(address: str) -> None:
    once = canonical_email(address)
    assert canonical_email(once) == once


@given(addresses, st.text(string.ascii_lowercase + string.digits, max_size=10))
def test_case_and_plus_tags_never_make_a_second_signature(address: str, tag: str) -> None:
    local, _, domain = address.rpartition("@")
    variant = f"{local.upper()}+{tag}@{domain.swapcase()}"
    assert canonical_email(variant) == canonical_email(address)


@given(addresses)
def test_canonical_email_keeps_one_at_sign_and_no_uppercase(address: str) -> None:
    canonical = canonical_email(address)
    assert canonical.count("@") == 1 and canonical == canonical.lower()


@given(payloads, st.sampled_from([tokens.CONFIRM_SIGNATURE, tokens.WITHDRAW_SIGNATURE]))
def test_a_token_reads_back_its_payload_for_its_own_purpose_only(payload, purpose: str) -> None:
    token = tokens.make_token(SECRET, purpose, payload)
    assert tokens.read_token(SECRET, purpose, token, max_age=60) == payload
    other = (
        tokens.WITHDRAW_SIGNATURE
        if purpose == tokens.CONFIRM_SIGNATURE
        else tokens.CONFIRM_SIGNATURE
    )
    try:
        tokens.read_token(SECRET, other, token, max_age=60)
    except tokens.InvalidTokenError:
        pass
    else:
        raise AssertionError("a token worked for another purpose")


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_as_a_token_is_refused_with_the_one_error(text: str) -> None:
    try:
        tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, text, max_age=60)
    except tokens.InvalidTokenError:
        return
    raise AssertionError("arbitrary text was accepted as a token")


@given(payloads, st.integers(min_value=0, max_value=40), st.text(max_size=3))
def test_a_tampered_token_is_refused(payload, position: int, junk: str) -> None:
    token = tokens.make_token(SECRET, tokens.CONFIRM_SIGNATURE, payload)
    position %= len(token)
    tampered = token[:position] + junk + token[position + 1 :]
    if tampered == token:
        return
    try:
        result = tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, tampered, max_age=60)
    except tokens.InvalidTokenError:
        return
    # base64 padding can make two spellings decode alike; then the payload must be unchanged.
    assert result == payload


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@given(st.text(max_size=50))
def test_no_cell_starts_like_a_formula_and_nothing_is_lost(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (value, "'" + value)


@given(st.sampled_from(FORMULA_STARTS), st.text(max_size=50))
def test_formula_cells_are_escaped_by_one_apostrophe(start: str, rest: str) -> None:
    assert safe_cell(start + rest) == "'" + start + rest
