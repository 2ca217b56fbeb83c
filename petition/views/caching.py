"""HTTP caching for the pages a surge reads: a few seconds fresh, stale while revalidating, ETags.

The JSON count is the same for everyone, so shared caches (a CDN, a reverse proxy) may keep it.
The petition page is not: its sign form carries a CSRF token bound to the visitor's session, and
a shared cache would hand one visitor's token to everyone else, whose submissions would then fail.
So the page is cacheable by the visitor's own browser only (`private`), and its ETag covers the
session's token: a browser revalidating with another session's copy gets a fresh page, not a 304.
"""

import hashlib
from typing import TypeVar

from flask import current_app, g, request, session
from werkzeug.wrappers import Response

AnyResponse = TypeVar("AnyResponse", bound=Response)

CSRF_FIELD_DEFAULT = "csrf_token"


def _cache_control(scope: str) -> str:
    config = current_app.config
    return (
        f"{scope}, max-age={int(config['PAGE_CACHE_MAX_AGE'])}, "
        f"stale-while-revalidate={int(config['PAGE_CACHE_STALE_WHILE_REVALIDATE'])}"
    )


def _conditional(response: Response) -> Response:
    """Answer 304 when the client already holds this version; most requests do not ask."""
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return response.make_conditional(request)
    return response


def shared_cacheable(response: Response) -> Response:
    """Let browsers and shared caches reuse a response that is the same for everyone."""
    response.headers["Cache-Control"] = _cache_control("public")
    response.add_etag()
    return _conditional(response)


def private_cacheable(response: Response) -> Response:
    """Let only this visitor's browser reuse a page that embeds their session's CSRF token."""
    response.headers["Cache-Control"] = _cache_control("private")
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", CSRF_FIELD_DEFAULT)
    body = response.get_data()
    signed = g.get(field)  # the token in this page; its timestamp changes every second
    if signed:
        body = body.replace(signed.encode(), b"")
    digest = hashlib.sha256(body)
    digest.update(str(session.get(field, "")).encode())
    response.set_etag(digest.hexdigest()[:32])
    return _conditional(response)


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
