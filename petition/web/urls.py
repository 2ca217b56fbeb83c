"""Absolute links for emails and the command line, built from PUBLIC_URL, never from a request."""

from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of an endpoint under the configured PUBLIC_URL."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def site_name() -> str:
    """The site as mail names it: the host of PUBLIC_URL, which no organiser or visitor chose."""
    base: SplitResult = urlsplit(current_app.config["PUBLIC_URL"])
    return base.hostname or base.netloc
