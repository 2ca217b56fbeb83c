"""Messages to signers, composed from the text and HTML templates in templates/email/."""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale, gettext

from petition.i18n.languages import current_language
from petition.models import Petition, PublicPetition, Signature
from petition.petitions.versions import in_language
from petition.web.urls import public_url


@dataclass(frozen=True)
class Email:
    """A composed message, ready for the outbox and, read back from it, for a mail sender."""

    recipient: str
    subject: str
    text: str
    html: str | None  # every message we compose has one; a plain-text message would not


def _compose(template: str, recipient: str, subject: str, **context: object) -> Email:
    return Email(
        recipient=recipient,
        subject=subject,
        text=render_template(f"email/{template}.txt", **context),
        html=render_template(f"email/{template}.html", **context),
    )


def confirmation_email(
    original: PublicPetition, signature: Signature, token: str, withdraw_token: str
) -> Email:
    """The double opt-in message: one link that leads to the Confirm button."""
    petition = in_language(original, signature.language)  # the title they signed under
    with force_locale(signature.language or "en"):  # the signer's language, whoever sends it
        return _compose(
            "confirm",
            signature.email,
            gettext("Confirm your signature: %(title)s", title=petition.title),
            petition=petition,
            name=signature.name,
            # Every link opens in the language of the mail, whatever the browser says.
            confirm_url=public_url("public.confirm", token=token, lang=signature.language),
            withdraw_url=public_url(
                "public.withdraw", token=withdraw_token, lang=signature.language
            ),
            petition_url=public_url("public.petition", slug=petition.slug, lang=signature.language),
        )


def already_signed_email(
    original: PublicPetition, signature: Signature, withdraw_token: str
) -> Email:
    """The note for someone who signs again after confirming: nothing more to do."""
    petition = in_language(original, signature.language)
    with force_locale(signature.language or "en"):
        return _compose(
            "already_signed",
            signature.email,
            gettext("You have already signed: %(title)s", title=petition.title),
            petition=petition,
            name=signature.name,
            withdraw_url=public_url(
                "public.withdraw", token=withdraw_token, lang=signature.language
            ),
            petition_url=public_url("public.petition", slug=petition.slug, lang=signature.language),
        )


def invitation_email(
    petition: Petition, inviter: str, recipient: str, token: str, new_account: bool, days: int
) -> Email:
    """An invitation to become one of a petition's organisers, in the inviter's language."""
    return _compose(
        "invite",
        recipient,
        gettext("Help run the petition: %(title)s", title=petition.title),
        petition=petition,
        inviter=inviter,
        accept_url=public_url("organisers.accept_invitation", token=token, lang=current_language()),
        new_account=new_account,
        days=days,
    )
