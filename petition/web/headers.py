"""Security headers on every response; only embeddable pages may be framed by other sites."""

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

# No inline script or style anywhere: everything the pages need comes from this site.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)


def is_embeddable(endpoint: str | None) -> bool:
    """Pages meant to sit in an iframe on other sites (the embed.* endpoints)."""
    return bool(endpoint) and str(endpoint).startswith("embed.")


def add_security_headers(response: Response) -> Response:
    """Set CSP, framing, sniffing, referrer and (over HTTPS) HSTS headers, unless a view set its own."""
    embeddable = is_embeddable(request.endpoint)
    wanted = [
        ("Content-Security-Policy", _POLICY.format(ancestors="*" if embeddable else "'none'")),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]
    if not embeddable:
        wanted.append(("X-Frame-Options", "DENY"))
    if request.is_secure:
        wanted.append(
            ("Strict-Transport-Security", f"max-age={current_app.config['HSTS_SECONDS']}")
        )
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
