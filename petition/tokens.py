"""Signed, expiring tokens for emailed links and framed forms: one salt per purpose, so no token does another's job."""

from datetime import datetime
from functools import lru_cache
from typing import Any

from itsdangerous import BadData, SignatureExpired, Signer, TimestampSigner, URLSafeTimedSerializer

from petition.ids import is_id

CONFIRM_SIGNATURE = "confirm-signature"
INVITE_ORGANISER = "invite-organiser"
WITHDRAW_SIGNATURE = "withdraw-signature"
# An organiser's emailed link to choose a new password; it logs no one in.
RESET_PASSWORD = "reset-password"
# Stop a signer's updates (the one-click link in every update); never withdraws or confirms.
UNSUBSCRIBE_UPDATES = "unsubscribe-updates"
# The forms on a petition's shared pages and widget, which no session's CSRF token can guard
# (web.form_tokens). The name is the one the widget's tokens were first made with.
PETITION_FORM = "embed-form"
# Longest token any of ours can be; anything longer is refused unread, whatever route it came by.
MAX_TOKEN_LENGTH = 512


class InvalidTokenError(Exception):
    """The token was tampered with, truncated, or made for another purpose."""


class ExpiredTokenError(InvalidTokenError):
    """The token is genuine but too old; its payload says what it was for."""

    def __init__(self, payload: Any) -> None:
        super().__init__("token expired")
        self.payload = payload


class _KeyKeepingSigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving each key from its secret once, not per signature."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[str | bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self._derived.get(secret_key)
        if key is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key


class SigningSerializer(URLSafeTimedSerializer):
    """itsdangerous's URL-safe timed serializer, keeping the signer it makes for its own salt.

    The tokens are the same; only the work of making the signer and deriving its key, which
    itsdangerous repeats for every token signed or read, is done once.
    """

    default_signer = _KeyKeepingSigner

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and salt != self.salt:  # reading checks its own salt too
            return super().make_signer(salt)
        signer: Signer | None = self.__dict__.get("_own_signer")
        if signer is None:
            signer = self._own_signer = super().make_signer()
        return signer


@lru_cache(maxsize=64)
def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    """One serializer per key and purpose, kept: every sign and confirm makes or reads a token."""
    return SigningSerializer(secret, salt=f"petition.{purpose}")


def make_token(secret: str, purpose: str, payload: Any) -> str:
    """Sign a JSON-serialisable payload for one purpose."""
    return _serializer(secret, purpose).dumps(payload)


def read_token(secret: str, purpose: str, token: str, max_age: int) -> Any:
    """Return the payload of a token made for this purpose within max_age seconds."""
    return read_stamped_token(secret, purpose, token, max_age)[0]


def read_bound_token(secret: str, purpose: str, token: str, max_age: int) -> tuple[int, str]:
    """The id and the secret a link bound to one stored object carries; any other payload is invalid.

    The caller compares the secret with the object's own in constant time.
    """
    payload = read_token(secret, purpose, token, max_age)
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and is_id(payload[0])
        and isinstance(payload[1], str)
    ):
        raise InvalidTokenError("unexpected payload")
    return payload[0], payload[1]


def read_stamped_token(secret: str, purpose: str, token: str, max_age: int) -> tuple[Any, datetime]:
    """The payload of a token made for this purpose within max_age seconds, and when it was made."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTokenError("token too long")
    serializer = _serializer(secret, purpose)
    try:
        payload, issued_at = serializer.loads(token, max_age=max_age, return_timestamp=True)
        return payload, issued_at
    except SignatureExpired as exc:
        try:
            payload = serializer.load_payload(exc.payload) if exc.payload is not None else None
        except BadData:
            payload = None
        raise ExpiredTokenError(payload) from exc
    except (BadData, UnicodeError, ValueError, TypeError) as exc:
        raise InvalidTokenError("invalid token") from exc
