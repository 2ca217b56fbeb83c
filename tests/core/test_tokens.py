"""Signed tokens: one purpose each, an expiry, and one error for every kind of bad token."""

import secrets
import time

import pytest

from petition import tokens

SECRET = "test-secret"


def test_a_token_gives_back_its_payload() -> None:
    token = tokens.make_token(SECRET, tokens.CONFIRM_SIGNATURE, [12, 3])
    assert tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, token, max_age=60) == [12, 3]


def test_a_token_for_one_purpose_does_not_serve_another() -> None:
    token = tokens.make_token(SECRET, "withdraw-signature", [12, 3])
    with pytest.raises(tokens.InvalidTokenError):
        tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, token, max_age=60)


@pytest.mark.parametrize(
    "mangle",
    [
        # The second-to-last character: the last one of a base64 signature carries padding bits,
        # so changing it sometimes leaves the decoded signature (and the token) valid.
        lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],
        lambda t: t[: len(t) // 2],
        lambda t: "",
        lambda t: "not.a.token",
        lambda t: t + "\x00",
        lambda t: "\u0436" * 40,
    ],
)
def test_a_tampered_token_is_invalid(mangle) -> None:
    token = tokens.make_token(SECRET, tokens.CONFIRM_SIGNATURE, [12, 3])
    with pytest.raises(tokens.InvalidTokenError) as info:
        tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, mangle(token), max_age=60)
    assert not isinstance(info.value, tokens.ExpiredTokenError)


def test_a_token_from_another_secret_is_invalid() -> None:
    token = tokens.make_token("another-secret", tokens.CONFIRM_SIGNATURE, [12, 3])
    with pytest.raises(tokens.InvalidTokenError):
        tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, token, max_age=60)


def test_an_old_token_is_expired_and_still_says_what_it_was_for(monkeypatch) -> None:
    issued = time.time() - 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: issued)
    token = tokens.make_token(SECRET, tokens.CONFIRM_SIGNATURE, [12, 3])
    monkeypatch.undo()
    with pytest.raises(tokens.ExpiredTokenError) as info:
        tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, token, max_age=60)
    assert info.value.payload == [12, 3]
    assert tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, token, max_age=7200) == [12, 3]


def test_a_token_longer_than_any_of_ours_is_refused_unread() -> None:
    """One guard for every route that takes a token: no route needs its own length check."""
    random_text = secrets.token_hex(tokens.MAX_TOKEN_LENGTH)  # does not compress
    long = tokens.make_token(SECRET, tokens.CONFIRM_SIGNATURE, [random_text])
    assert len(long) > tokens.MAX_TOKEN_LENGTH
    with pytest.raises(tokens.InvalidTokenError, match="too long"):
        tokens.read_token(SECRET, tokens.CONFIRM_SIGNATURE, long, max_age=60)
