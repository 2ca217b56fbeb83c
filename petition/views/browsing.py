"""The pages anyone reads first: the open petitions, a petition's page and its JSON, the privacy
notice. The petition page and its count are what a surge reads: both come from this process's
copy of the petition and carry cache headers."""

from flask import Blueprint, current_app, make_response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from petition.i18n.languages import (
    current_language,
    in_language,
    requested_language,
    to_language_address,
)
from petition.petitions.publishing import open_petitions
from petition.petitions.versions import all_in_language
from petition.views.caching import (
    readable_from_any_site,
    shared_cacheable,
    shared_page,
)
from petition.views.lookups import public_snapshot_or_404
from petition.views.pages import fresh_petition_page


def register(bp: Blueprint) -> None:
    """Serve these pages on the public blueprint."""
    bp.add_url_rule("/", view_func=index, methods=["GET"])
    bp.add_url_rule("/petitions/<slug:slug>", view_func=petition, methods=["GET"])
    bp.add_url_rule("/petitions/<slug:slug>.json", view_func=petition_json, methods=["GET"])
    bp.add_url_rule("/privacy", view_func=privacy, methods=["GET"])
    bp.add_url_rule("/language", view_func=choose_language, methods=["GET"])


def index() -> str:
    petitions = all_in_language(open_petitions(), current_language())
    return render_template("public/index.html", petitions=petitions)


def petition(slug: str) -> BaseResponse:
    snapshot = public_snapshot_or_404(slug)
    if requested_language() is None:  # one copy per language, each at its own address
        return shared_cacheable(to_language_address())
    return shared_page(make_response(fresh_petition_page(snapshot)))


def petition_json(slug: str) -> BaseResponse:
    # Shared caches keep one copy per address, so only the address (?lang=) chooses the text.
    body = public_snapshot_or_404(slug).json_body(requested_language())
    response = current_app.response_class(body, mimetype="application/json")
    return readable_from_any_site(shared_cacheable(response))  # campaign sites read the count


def privacy() -> str:
    return render_template("public/privacy.html")


def choose_language() -> BaseResponse:
    """The switcher's link: back to the page it was on, in the language chosen, remembered.

    The choice is kept (i18n.languages.remember_choice) before the redirect to a page that may
    be one copy for everyone, where no cookie is set.
    """
    return redirect(in_language(request.args.get("next"), current_language()), 303)
