"""The confirmation code: a short stand-in for the emailed link, typed with the signing address.

Some signers fear links, and some mail apps break them. Every confirmation email therefore also
carries a code the signer can type on the petition's site. The code is an HMAC of the site's key
over the signature's id, petition and random link secret, so it is bound to that one signature,
needs nothing stored, and changes if the signature is made anew. It is only ever looked up
together with the address that signed: a code alone finds nothing. Wrong codes are counted per
signature (CONFIRM_CODE_ATTEMPTS); past the limit only the emailed link confirms.
"""

import enum
import hashlib
import hmac
import unicodedata

from flask import current_app
from sqlalchemy import bindparam, select, update

from petition.addresses import canonical_email
from petition.mail.background import notify_delivery
from petition.models import Signature, table_of
from petition.signing.signatures import Confirmation, lock_for_confirming, record_confirmation
from petition.transactions import write_transaction

# No 0/O, 1/I/L or U/V: nothing a reader could take for another character.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 10
GROUP = 5
# Cyrillic capitals that look like Latin ones (a Russian or Kazakh keyboard types these).
_LOOK_ALIKES = str.maketrans("АВСЕНКМРТХУЗ", "ABCEHKMPTXY3")
_SEPARATORS = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\t")


def _digest(signature_id: int, petition_id: int, link_secret: str) -> bytes:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"petition.confirm-code|{signature_id}|{petition_id}|{link_secret}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def _code(signature_id: int, petition_id: int, link_secret: str) -> str:
    number = int.from_bytes(_digest(signature_id, petition_id, link_secret))
    letters = []
    for _ in range(CODE_LENGTH):  # 256 bits: taking 10 letters of 29 leaves no useful bias
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def confirmation_code(signature: Signature) -> str:
    """The code that confirms this signature, as the email shows it: ABCDE-FGHJK."""
    code = _code(signature.id, signature.petition_id, signature.link_secret)
    return "-".join(code[start : start + GROUP] for start in range(0, CODE_LENGTH, GROUP))


def normalise_code(text: str) -> str | None:
    """The code as typed, in its plain form (case, spaces, dashes and look-alikes aside); None if
    it cannot be a code: a wrong length or a character no code has."""
    if len(text) > 100:
        return None
    plain = unicodedata.normalize("NFKC", text).upper().translate(_LOOK_ALIKES)
    plain = plain.translate(_SEPARATORS)
    if len(plain) != CODE_LENGTH or any(char not in ALPHABET for char in plain):
        return None
    return plain


class CodeOutcome(enum.StrEnum):
    """What typing a code did, when it confirmed nothing."""

    NO_MATCH = "no-match"  # a wrong code, or an address that has not signed: told apart by no one
    LOCKED = "locked"  # the right code, after too many wrong ones: only the link works now


class CodeRefusedError(Exception):
    """The code confirmed nothing; `outcome` says how to tell the signer."""

    def __init__(self, outcome: CodeOutcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


_s = table_of(Signature).c
_SIGNED = select(_s.id).where(
    _s.petition_id == bindparam("petition_id"), _s.email_canonical == bindparam("email")
)
_COUNT_FAILURE = (
    update(table_of(Signature))
    .where(_s.id == bindparam("signature_id"))
    .values(code_failures=_s.code_failures + 1)
)
_FAILURES = select(_s.code_failures).where(_s.id == bindparam("signature_id"))


def confirm_with_code(petition_id: int, email: str, code: str) -> Confirmation:
    """Confirm the signature this address made on this petition, if the code is its code.

    Confirms exactly as the emailed link's Confirm button does (see record_confirmation), with
    the details stored at signing: details a resubmission proposed wait for that mail's link.
    A wrong code is counted in the same transaction. Raises CodeRefusedError, or
    PetitionClosedError as the link would. `code` is normalised (see normalise_code).
    """
    refused: CodeOutcome | None = None
    with write_transaction() as session:
        params = {"petition_id": petition_id, "email": canonical_email(email)}
        signature_id = session.scalar(_SIGNED, params)
        row = lock_for_confirming(session, signature_id) if signature_id is not None else None
        if signature_id is None or row is None:
            refused = CodeOutcome.NO_MATCH
        else:
            expected = _code(signature_id, row.petition_id, row.link_secret)
            failures = session.scalar(_FAILURES, {"signature_id": signature_id}) or 0
            if not hmac.compare_digest(expected, code):
                session.execute(_COUNT_FAILURE, {"signature_id": signature_id})
                refused = CodeOutcome.NO_MATCH  # locked or not: only the right code learns that
            elif row.confirmed_at is None and failures >= _attempts():
                refused = CodeOutcome.LOCKED
            else:
                confirmation = record_confirmation(session, signature_id, row, link=None)
    if refused is not None:
        raise CodeRefusedError(refused)
    if confirmation.mail_owed:
        notify_delivery()
    return confirmation


def _attempts() -> int:
    return int(current_app.config["CONFIRM_CODE_ATTEMPTS"])
