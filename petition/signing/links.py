"""The links emailed to a signer: made with the signature's secret, read and checked in one place.

A link names its signature by id, but ids are not proof: it acts only on the signature whose
random secret it carries (compared in constant time) on the petition it names. Links made
before signatures had secrets carry none; they still work for the signature that existed when
they were made, never for a later one that happens to get the same id.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from petition import tokens
from petition.ids import is_id
from petition.models import Signature


@dataclass(frozen=True)
class SignatureLink:
    """What a genuine, unexpired link says, before it is checked against the stored signature."""

    signature_id: int
    petition_id: int
    secret: str | None  # None: made before signatures had secrets
    change_id: int | None  # the details a resubmission asked for (see SignatureChange)
    issued_at: datetime

    def fits(self, petition_id: int, secret: str, created_at: datetime) -> bool:
        """Whether the link was made for the signature with these stored values."""
        if petition_id != self.petition_id:
            return False
        if self.secret is None:
            # Made when the signature was made or later: a signature created after the link
            # under a reused id is someone else's.
            return self.issued_at >= created_at.replace(microsecond=0)
        return hmac.compare_digest(self.secret.encode(), secret.encode())


def confirmation_token(signature: Signature, change_id: int | None = None) -> str:
    """A link token that confirms this signature (with these proposed details) and nothing else."""
    payload: list[Any] = [signature.id, signature.petition_id, signature.link_secret]
    if change_id is not None:
        payload.append(change_id)
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.CONFIRM_SIGNATURE, payload)


def withdrawal_token(signature: Signature) -> str:
    """A link token that withdraws this signature and nothing else."""
    payload = [signature.id, signature.petition_id, signature.link_secret]
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.WITHDRAW_SIGNATURE, payload)


def _link(payload: Any, issued_at: datetime) -> SignatureLink:
    # Ids are checked even in a genuine token: one signed under a leaked key must not reach
    # the database with a number no id column holds.
    if not (
        isinstance(payload, list)
        and 2 <= len(payload) <= 4
        and all(is_id(value) for value in payload[:2])
        and (len(payload) < 3 or isinstance(payload[2], str))
        and (len(payload) < 4 or is_id(payload[3]))
    ):
        raise tokens.InvalidTokenError("unexpected payload")
    secret = payload[2] if len(payload) > 2 else None
    change_id = payload[3] if len(payload) > 3 else None
    return SignatureLink(payload[0], payload[1], secret, change_id, issued_at)


def _read(token: str, purpose: str, max_age_setting: str) -> SignatureLink:
    config = current_app.config
    payload, issued_at = tokens.read_stamped_token(
        config["SECRET_KEY"], purpose, token, config[max_age_setting]
    )
    return _link(payload, issued_at)


def read_confirmation_link(token: str) -> SignatureLink:
    """The signature a confirmation link names; raises InvalidTokenError or ExpiredTokenError."""
    return _read(token, tokens.CONFIRM_SIGNATURE, "CONFIRMATION_MAX_AGE")


def read_withdrawal_link(token: str) -> SignatureLink:
    """The signature a withdrawal link names; raises InvalidTokenError or ExpiredTokenError."""
    return _read(token, tokens.WITHDRAW_SIGNATURE, "WITHDRAW_MAX_AGE")


def petition_id_of_expired(error: tokens.ExpiredTokenError) -> int | None:
    """The petition an expired link was for, to offer signing again."""
    payload = error.payload
    if isinstance(payload, list) and len(payload) >= 2 and is_id(payload[1]):
        petition_id: int = payload[1]
        return petition_id
    return None


def unsubscribe_token(signature: Signature) -> str:
    """A link token that stops this signature's updates and does nothing else."""
    payload = [signature.id, signature.petition_id, signature.link_secret]
    return tokens.make_token(current_app.config["SECRET_KEY"], tokens.UNSUBSCRIBE_UPDATES, payload)


def read_unsubscribe_link(token: str) -> SignatureLink:
    """The signature an unsubscribe link names; raises InvalidTokenError or ExpiredTokenError."""
    link = _read(token, tokens.UNSUBSCRIBE_UPDATES, "UNSUBSCRIBE_MAX_AGE")
    if link.secret is None or link.change_id is not None:
        raise tokens.InvalidTokenError("not an unsubscribe link")  # ours always carry a secret
    return link
