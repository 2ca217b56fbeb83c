"""The link in every update that stops them: a page with a button, and the one-click post."""

from flask import Blueprint, render_template

from petition import tokens
from petition.extensions import csrf
from petition.updates.unsubscribe import subscription, unsubscribe
from petition.views.lookups import as_read
from petition.web.headers import NO_REFERRER


def register(bp: Blueprint) -> None:
    """Serve these pages on the public blueprint."""
    bp.add_url_rule(
        "/unsubscribe/<token>", "unsubscribe", view_func=unsubscribe_page, methods=["GET"]
    )
    bp.add_url_rule(
        "/unsubscribe/<token>", "unsubscribe_post", view_func=unsubscribe_post, methods=["POST"]
    )


def _unsubscribe_page(token: str, stop: bool) -> tuple[str, int, dict[str, str]]:
    try:
        found = unsubscribe(token) if stop else subscription(token)
    except tokens.InvalidTokenError as error:
        expired = isinstance(error, tokens.ExpiredTokenError)
        page = render_template("public/unsubscribe_invalid.html", expired=expired)
        return page, 410 if expired else 400, NO_REFERRER
    petition = as_read(found.petition)
    if stop or not found.wants_updates:
        return render_template("public/unsubscribed.html", petition=petition), 200, NO_REFERRER
    return render_template("public/unsubscribe.html", petition=petition), 200, NO_REFERRER


def unsubscribe_page(token: str) -> tuple[str, int, dict[str, str]]:
    """Show the button that stops a signer's updates; opening the link changes nothing."""
    return _unsubscribe_page(token, stop=False)


@csrf.exempt  # the signed token is the proof; mail apps post here with no cookie (RFC 8058)
def unsubscribe_post(token: str) -> tuple[str, int, dict[str, str]]:
    return _unsubscribe_page(token, stop=True)
