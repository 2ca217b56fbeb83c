"""Forms posted from other sites are refused before any view runs.

Every form of ours also carries a token (the session's CSRF token, or the widget's signed form
token); this is the second lock, and the one that needs no cookie: browsers say where a POST
comes from. `Sec-Fetch-Site: cross-site` (every current browser sends it) or an Origin naming
another site is refused with 403. `Origin: null` is let through to the token check: browsers
send it for a form on a page whose referrer policy is no-referrer (our pages with a secret in
the address), and for opaque origins, which the token then refuses. A request with neither
header is no browser page on another site (a mail provider's one-click unsubscribe, curl).
"""

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_own_origin(origin: str | None, request_url: str, *, null_allowed: bool = True) -> bool:
    """Whether a POST's Origin header is this site (by PUBLIC_URL or the address it was sent to).

    Browsers send Origin with every form POST; a client that sends none is not a browser page
    on another site, and still needs a valid form token. `Origin: null` passes unless
    `null_allowed` is false: the widget's form token can be fetched by anyone, so its form
    must prove where it was posted from.
    """
    if origin is None:
        return True
    if origin == "null":
        return null_allowed
    return origin.lower() in {_origin(current_app.config["PUBLIC_URL"]), _origin(request_url)}


def refuse_cross_site_posts() -> None:
    """Before every request: a state-changing request sent from another site gets 403."""
    if request.method in _SAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)
    if not is_own_origin(request.headers.get("Origin"), request.url):
        abort(403)


def register_cross_site_guard(app: Flask) -> None:
    app.before_request(refuse_cross_site_posts)
