"""What one client may cause by signing, and what happens past it: the signature is held, quietly.

Every sign form counts, the petition page's and the framed widget's alike, against one budget
per client and petition (SIGN_RATE_LIMIT), so the widget is no second door. Spending it is never
refused with a 429: the submission is held quietly instead (flagged "rate-limit") and causes no
mail, so a script cannot tell it was caught. A client that signs on many petitions, each within
its limit, also spends a daily mail budget across all of them (SIGN_MAIL_LIMIT): past it, its
submissions are stored but cause no mail. The page the signer sees is the same either way.

A client is whatever the caller counts limits by (`client_limit_key`); nothing here reads the
request. Wrong confirmation codes are counted per client too, afresh after each submission.
"""

from petition.models import PublicPetition
from petition.signing.codes import code_tries_scope
from petition.signing.forms import SignForm
from petition.signing.signatures import SignOutcome, sign_petition
from petition.web.limits import add_to_tally, spend_limit, tally

HELD_REASON = "rate-limit"  # what a held signature is flagged with (see petitions.held_reasons)


def spend_signing_budget(client: str, slug: str) -> bool:
    """Count one submission against the client's budget on this petition; true once it is spent.

    Counted for every submission, valid or not, before anything else is looked at.
    """
    return spend_limit("SIGN_RATE_LIMIT", "sign", f"{client}|{slug}")


def _spend_mail_budget(client: str) -> bool:
    """Count one message against the client's daily budget across all petitions; true once spent."""
    return spend_limit("SIGN_MAIL_LIMIT", "sign-mail", client)


def submit_signature(
    petition: PublicPetition,
    form: SignForm,
    *,
    client: str,
    client_address: str | None,
    language: str,
    over_limit: bool,
) -> SignOutcome:
    """Sign with a validated form: held and mailing nothing once the client's budget is spent.

    `over_limit` is what `spend_signing_budget` answered for this submission. The mail budget is
    only spent by a submission within its signing budget; `client_address` is only hashed.
    """
    return sign_petition(
        petition,
        name=form.name.data,
        email=form.email.data,
        country=form.country.data if petition.collects_country else None,
        client_address=client_address,
        show_name=form.show_name.data,
        wants_updates=bool(form.wants_updates.data),
        flag_reason=HELD_REASON if over_limit else None,
        language=language,
        # Over its limit a client causes no mail at all; the page it sees is the same.
        mail=not over_limit and not _spend_mail_budget(client),
    )


def _code_round(client: str, petition_id: int, email: str) -> str:
    return f"{client}|{code_tries_scope(petition_id, email)}"


def start_code_round(client: str, petition_id: int, email: str) -> None:
    """A sign form was sent with this address: its code tries start afresh for this client."""
    add_to_tally("code-rounds", _code_round(client, petition_id, email))


def code_tries(client: str, petition_id: int, email: str) -> str:
    """Whose wrong codes count together: this client's, for this address, since it last signed.

    Per client, so a stranger's guesses never spend the signer's tries; afresh each time this
    client signs again (a new mail brings a new code), counted by the client's own submissions
    and never by what the database holds, so neither a lock nor its lifting tells who signed.
    """
    scope = _code_round(client, petition_id, email)
    return f"{scope}|{tally('code-rounds', scope)}"
