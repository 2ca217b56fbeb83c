"""Security headers on every response; only embeddable pages may be framed by other sites."""

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

# No inline script or style anywhere: everything the pages need comes from this site.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)

# For a page whose address holds a secret token: the token goes nowhere else.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


def is_embeddable(endpoint: str | None) -> bool:
    """Pages meant to sit in an iframe on other sites (the embed.* endpoints)."""
    return bool(endpoint) and str(endpoint).startswith("embed.")


def _wanted(embeddable: bool) -> tuple[tuple[str, str], ...]:
    headers = [
        ("Content-Security-Policy", _POLICY.format(ancestors="*" if embeddable else "'none'")),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]
    if not embeddable:
        headers.append(("X-Frame-Options", "DENY"))
    return tuple(headers)


# Built once: they are the same for every response of their kind.
_FRAMABLE = _wanted(embeddable=True)
_UNFRAMABLE = _wanted(embeddable=False)


def add_security_headers(response: Response) -> Response:
    """Set CSP, framing, sniffing, referrer and (over HTTPS) HSTS headers, unless a view set its own."""
    wanted = _FRAMABLE if is_embeddable(request.endpoint) else _UNFRAMABLE
    if request.is_secure:
        hsts = f"max-age={current_app.config['HSTS_SECONDS']}"
        wanted = (*wanted, ("Strict-Transport-Security", hsts))
    headers = response.headers
    # One pass over the headers instead of a search per name: this runs on every response.
    present = {name.lower() for name, _ in headers.items()}
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def register_security_headers(app: Flask) -> None:
    """Attach the headers to every response of the app."""
    app.after_request(add_security_headers)
