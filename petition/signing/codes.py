"""The confirmation code: a short stand-in for the emailed link, typed with the signing address.

Some signers fear links, and some mail apps break them. Every confirmation email therefore also
carries a code the signer can type on the petition's site. The code is an HMAC of the site's key
over the signature's id, petition, random link secret and the number of messages sent for it, so
it is bound to that one signature, needs nothing stored, and each new confirmation mail carries a
new code: only the newest mail's code confirms. It is only ever looked up together with the
address that signed: a code alone finds nothing. Wrong codes are counted per client, address and
mail (CONFIRM_CODE_ATTEMPTS, by the view, under budget.code_tries), never on the signature: a
stranger who knows an address must not be able to spend its signer's tries, nor learn from them
who signed. A new mail brings fresh tries, so the tries a signature can ever get stay bounded by
its mail cap (MAX_MESSAGES_PER_SIGNATURE).
"""

import hashlib
import hmac
import unicodedata

from flask import current_app
from sqlalchemy import bindparam, select

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


def _keyed(message: str) -> bytes:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _code(signature_id: int, petition_id: int, link_secret: str, mail: int) -> str:
    """The code of the `mail`-th message sent for this signature."""
    message = f"petition.confirm-code|{signature_id}|{petition_id}|{link_secret}|{mail}"
    number = int.from_bytes(_keyed(message))
    letters = []
    for _ in range(CODE_LENGTH):  # 256 bits: taking 10 letters of 29 leaves no useful bias
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def confirmation_code(signature: Signature) -> str:
    """The code that confirms this signature, as its newest email shows it: ABCDE-FGHJK.

    Composed as the mail leaves, so every message sent since the last submission carries the
    newest code, even one delivered late.
    """
    code = _code(
        signature.id, signature.petition_id, signature.link_secret, signature.messages_sent
    )
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


class CodeRefusedError(Exception):
    """The code confirmed nothing: a wrong code, or an address that has not signed. The two are
    told apart by no one, not even by the time they take."""


_s = table_of(Signature).c
_BY_ADDRESS = (_s.petition_id == bindparam("petition_id"), _s.email_canonical == bindparam("email"))
_SIGNED = select(_s.id, _s.link_secret, _s.messages_sent).where(*_BY_ADDRESS)
# Stands in for the secret of an address that has not signed, so its wrong code costs a digest too.
_NOBODY = "-"


def code_tries_scope(petition_id: int, email: str) -> str:
    """Whose wrong codes count together (with the client and its signing rounds, added by the
    caller): this address on this petition, as a keyed digest, never the address itself.

    Nothing read from the database goes into it: whether the address signed, or how many mails
    it had, must not change when a client's tries run out or start afresh.
    """
    return _keyed(f"petition.code-tries|{petition_id}|{canonical_email(email)}").hex()[:32]


def confirm_with_code(petition_id: int, email: str, code: str) -> Confirmation:
    """Confirm the signature this address made on this petition, if the code is its newest mail's.

    Confirms exactly as the emailed link's Confirm button does (see record_confirmation), with
    the details stored at signing: details a resubmission proposed wait for that mail's link.
    A wrong code does the same work whether the address signed or not (one read, one digest,
    nothing written), so neither its answer nor its timing tells a stranger who signed, and it
    costs the signer nothing: wrong codes are counted per client, by the caller. Raises
    CodeRefusedError, or PetitionClosedError as the link would. `code` is normalised (see
    normalise_code).
    """
    params = {"petition_id": petition_id, "email": canonical_email(email)}
    with write_transaction() as session:
        found = session.execute(_SIGNED, params).one_or_none()
        signature_id, secret, mails = found if found is not None else (0, _NOBODY, 0)
        matches = hmac.compare_digest(_code(signature_id, petition_id, secret, mails), code)
        row = lock_for_confirming(session, signature_id) if matches and found else None
        if row is None:
            raise CodeRefusedError()
        confirmation = record_confirmation(session, signature_id, row, link=None)
    if confirmation.mail_owed:
        notify_delivery()
    return confirmation
