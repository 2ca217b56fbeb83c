"""The mail a signer gets, written by the deliverer just before it is sent.

The outbox row names the signature, the language and (after a resubmission) the proposed
details; the name, the address and the links' secret are read from the signature now, so no row
at rest holds them, and a request that owes mail renders none.
"""

from flask_babel import force_locale, gettext

from petition.extensions import db
from petition.mail.messages import Email, compose_email
from petition.mail.outbox import ClaimedMessage, MessageGoneError
from petition.models import Signature, SignatureChange
from petition.petitions.versions import in_language
from petition.signing.codes import confirmation_code
from petition.signing.links import confirmation_token, withdrawal_token
from petition.web.urls import public_url


def _signature(message: ClaimedMessage) -> Signature:
    signature = db.session.get(Signature, message.signature_id) if message.signature_id else None
    if signature is None:
        raise MessageGoneError(f"signature {message.signature_id} is gone")
    return signature


def _proposed_name(message: ClaimedMessage, signature: Signature) -> str:
    """The name typed with a resubmission, which its link would record; else the stored one."""
    if message.change_id is None:
        return signature.name
    change = db.session.get(SignatureChange, message.change_id)
    return (
        change.name
        if change is not None and change.signature_id == signature.id
        else signature.name
    )


def confirmation_email(message: ClaimedMessage) -> Email:
    """The double opt-in message: one link that leads to the Confirm button."""
    signature = _signature(message)
    language = message.language or signature.language or "en"
    petition = in_language(signature.petition, language)  # the title they signed under
    with force_locale(language):  # the signer's language, whoever caused the mail
        return compose_email(
            "confirm",
            signature.email,
            gettext("Confirm your signature: %(title)s", title=petition.title),
            petition=petition,
            name=_proposed_name(message, signature),
            # Every link opens in the language of the mail, whatever the browser says.
            confirm_url=public_url(
                "public.confirm",
                token=confirmation_token(signature, message.change_id),
                lang=language,
            ),
            withdraw_url=public_url(
                "public.withdraw", token=withdrawal_token(signature), lang=language
            ),
            petition_url=public_url("public.petition", slug=petition.slug, lang=language),
            # For signers who would rather not open the link, or whose mail app breaks it.
            code=confirmation_code(signature),
            code_url=public_url("public.code", slug=petition.slug, lang=language),
        )


def already_signed_email(message: ClaimedMessage) -> Email:
    """The note for someone who signs again after confirming: nothing more to do."""
    signature = _signature(message)
    language = message.language or signature.language or "en"
    petition = in_language(signature.petition, language)
    with force_locale(language):
        return compose_email(
            "already_signed",
            signature.email,
            gettext("You have already signed: %(title)s", title=petition.title),
            petition=petition,
            name=signature.name,
            withdraw_url=public_url(
                "public.withdraw", token=withdrawal_token(signature), lang=language
            ),
            petition_url=public_url("public.petition", slug=petition.slug, lang=language),
        )
