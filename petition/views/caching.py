"""HTTP caching for the pages a surge reads: a few seconds fresh, stale while revalidating, ETags.

The petition page, its messages, its JSON count, its feed and its log are the same for every
anonymous visitor of an address (the language is in the address, `?lang=`), so shared caches (the
shipped nginx, a CDN) keep one copy for everyone: their forms carry no session's token but a form
token that is the same for everyone (web.form_tokens). A response that may carry something of
one visitor's (a logged-in organiser's menu, a flash message, a form with the visitor's own
errors) is `private, no-store`, and so is every response a view did not mark: nothing is kept
unless a view says it is the same for everyone.
"""

from typing import TypeVar

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from petition.web.sessions import may_be_logged_in

AnyResponse = TypeVar("AnyResponse", bound=Response)

PERSONAL = "private, no-store"


def _conditional(response: Response) -> Response:
    """Answer 304 when the client already holds this version; most requests do not ask."""
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return response.make_conditional(request)
    return response


def shared_cacheable(response: Response, *, browser: bool = True) -> Response:
    """Let shared caches, and browsers unless `browser` is false, reuse what is the same for all.

    A page a visitor may come back to after acting on it (signing, sending a letter) is kept by
    shared caches only: the browser asks again each time, and a cache answers it at once.
    """
    config = current_app.config
    fresh = int(config["PAGE_CACHE_MAX_AGE"])
    stale = int(config["PAGE_CACHE_STALE_WHILE_REVALIDATE"])
    response.headers["Cache-Control"] = (
        f"public, max-age={fresh if browser else 0}, s-maxage={fresh}, "
        f"stale-while-revalidate={stale}"
    )
    response.add_etag()
    return _conditional(response)


def is_personal() -> bool:
    """Whether this visitor's page may hold something of theirs: an organiser's menu, a flash."""
    return may_be_logged_in(flashes=True)


def shared_page(response: Response) -> Response:
    """A page everyone shares, unless this visitor's copy may hold something of theirs."""
    if is_personal():
        response.headers["Cache-Control"] = PERSONAL
        return response
    return shared_cacheable(response, browser=False)


def _personal_unless_marked(response: Response) -> Response:
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = PERSONAL
    return response


def register_caching(app: Flask) -> None:
    """Keep every response out of shared caches unless its view marked it."""
    app.after_request(_personal_unless_marked)


def readable_from_any_site(response: Response) -> Response:
    """Let scripts on every origin read this public answer (CORS), ETag included.

    Only for what is the same for everyone and carries no cookie's worth: the API and the JSON count.
    """
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


def open_to_every_site(response: AnyResponse, *, allow_headers: str | None = None) -> AnyResponse:
    """A public blueprint's answers, readable from every origin, with its preflights answered.

    Only reads are offered: GET and HEAD, and the request headers named in allow_headers.
    """
    readable_from_any_site(response)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        if allow_headers:
            response.headers["Access-Control-Allow-Headers"] = allow_headers
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
