"""gunicorn's access log without the secrets that travel in emailed links."""

import re
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

# Routes whose last path segment is a secret: the links to confirm or withdraw a signature or to
# stop its updates, the invitation to help run a petition and the link to reset an organiser's
# password. Whoever holds one can act on it.
SECRET_ROUTES = (
    "/confirm/",
    "/withdraw/",
    "/unsubscribe/",
    "/organisers/invitations/",
    "/organisers/reset-password/",
)
CUT = "..."
# A token runs from its route to the next slash, query, fragment, quote or space.
_TOKEN = re.compile("(" + "|".join(map(re.escape, SECRET_ROUTES)) + r')[^/?#\s"]+')


def redact_tokens(text: str) -> str:
    """A logged request line, path or URL with every token of an emailed link cut out whole.

    Even a prefix is too much: it narrows the search for the rest, and nothing needs it.
    """
    return _TOKEN.sub(rf"\1{CUT}", text)


class RedactingLogger(Logger):
    """gunicorn's logger, with the tokens of emailed links cut out of every access-log field."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        """The access-log fields, each redacted (request line, path, referrer, headers)."""
        fields: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in fields.items():
            if isinstance(value, str) and any(route in value for route in SECRET_ROUTES):
                fields[key] = redact_tokens(value)
        return fields
