"""What the visitor just typed into a sign form, kept for the "check your email" page after it.

The page shows the address the mail went to, suggests a likely correction, and fills in the
code form, so a typo is caught while the signer is still here. The details travel in the
visitor's own signed session cookie, never in a URL or a log line: only their browser holds
them, and a browser without cookies sees the page as it always was ("the address you gave").
They are exactly what was typed, whatever the database holds for that address, so the page is
the same for a new, a pending and a confirmed signature.
"""

from dataclasses import dataclass

from flask import request, session
from werkzeug.wrappers import Response

from petition.addresses import MAX_EMAIL_LENGTH
from petition.extensions import client_limit_key
from petition.i18n.languages import current_language
from petition.models import PublicPetition
from petition.signing.budget import start_code_round, submit_signature
from petition.signing.forms import SignForm
from petition.signing.typos import suggested_address
from petition.views.lookups import after_form
from petition.web.forms import MAX_NAME_LENGTH

_KEY = "signer"


@dataclass(frozen=True)
class TypedSigner:
    """A sign form's details as the visitor typed them, and the address we would suggest."""

    name: str
    email: str
    show_name: bool
    wants_updates: bool
    country: str | None

    @property
    def suggestion(self) -> str | None:
        """The address with a likely mistyped domain corrected (gmial.com: gmail.com), if any."""
        return suggested_address(self.email)


def remember_signer(form: SignForm) -> None:
    """Keep what this visitor typed for the next page; a bot's junk is cut to an address's size."""
    country = getattr(form, "country", None)
    session[_KEY] = {
        "name": str(form.name.data or "")[:MAX_NAME_LENGTH],
        "email": str(form.email.data or "")[:MAX_EMAIL_LENGTH],
        "show_name": bool(form.show_name.data),
        "wants_updates": bool(form.wants_updates.data),
        "country": str(country.data or "")[:2] if country is not None else None,
    }


def answer_to_bot(form: SignForm, slug: str) -> Response | None:
    """The usual answer, with nothing stored or sent, if a bot filled the honeypot; else None."""
    if not form.leave_blank.data:
        return None
    remember_signer(form)
    return after_form(".check_email", slug=slug)


def sign_as_typed(petition: PublicPetition, form: SignForm, *, over_limit: bool) -> None:
    """Sign with this request's validated form, keep what was typed and open a code round.

    The petition's page and the widget sign alike; `over_limit` is what `spend_signing_budget`
    answered. Raises PetitionClosedError, with nothing kept, if the petition closed meanwhile.
    """
    submit_signature(
        petition,
        form,
        client=client_limit_key(),
        client_address=request.remote_addr,
        language=current_language(),
        over_limit=over_limit,
    )
    remember_signer(form)
    start_code_round(client_limit_key(), petition.id, form.email.data)


def typed_signer() -> TypedSigner | None:
    """The details this visitor last typed into a sign form, or None (no cookie, or none yet)."""
    kept = session.get(_KEY)
    if not isinstance(kept, dict) or not kept.get("email"):
        return None
    return TypedSigner(
        name=str(kept.get("name", "")),
        email=str(kept["email"]),
        show_name=bool(kept.get("show_name")),
        wants_updates=bool(kept.get("wants_updates")),
        country=kept.get("country") or None,
    )


def not_kept(response: Response) -> Response:
    """Let no cache keep a page that may show what this visitor typed, such as their address."""
    response.headers["Cache-Control"] = "private, no-store"
    return response
