"""Signed, expiring tokens for emailed links and framed forms: one salt per purpose, so no token does another's job."""

from datetime import datetime
from typing import Any

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

CONFIRM_SIGNATURE = "confirm-signature"
INVITE_ORGANISER = "invite-organiser"
WITHDRAW_SIGNATURE = "withdraw-signature"
# The sign form served in another site's frame, where no session cookie arrives to carry CSRF.
EMBED_FORM = "embed-form"
# Longest token any of ours can be; anything longer is refused unread, whatever route it came by.
MAX_TOKEN_LENGTH = 512


class InvalidTokenError(Exception):
    """The token was tampered with, truncated, or made for another purpose."""


class ExpiredTokenError(InvalidTokenError):
    """The token is genuine but too old; its payload says what it was for."""

    def __init__(self, payload: Any) -> None:
        super().__init__("token expired")
        self.payload = payload


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"petition.{purpose}")


def make_token(secret: str, purpose: str, payload: Any) -> str:
    """Sign a JSON-serialisable payload for one purpose."""
    return _serializer(secret, purpose).dumps(payload)


def read_token(secret: str, purpose: str, token: str, max_age: int) -> Any:
    """Return the payload of a token made for this purpose within max_age seconds."""
    return read_stamped_token(secret, purpose, token, max_age)[0]


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
