"""gunicorn's access log without the secrets that travel in confirmation links."""

import re
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

KEPT_TOKEN_CHARACTERS = 8
# A confirmation or withdrawal token runs from /confirm/ or /withdraw/ to the next slash, query,
# quote or space.
_CONFIRM_TOKEN = re.compile(
    rf"(/(?:confirm|withdraw)/)([^/?#\s\"]{{0,{KEPT_TOKEN_CHARACTERS}}})[^/?#\s\"]+"
)


def redact_tokens(text: str) -> str:
    """A logged request line, path or URL with each confirmation token cut to its first characters.

    A log line that kept the whole token would let anyone who reads the logs confirm signatures.
    """
    return _CONFIRM_TOKEN.sub(r"\1\2...", text)


class RedactingLogger(Logger):
    """gunicorn's logger, with confirmation tokens cut out of every access-log field."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> dict:
        """The access-log fields, each redacted (request line, path, referrer, headers)."""
        fields = super().atoms(resp, req, environ, request_time)
        for key, value in fields.items():
            if isinstance(value, str) and ("/confirm/" in value or "/withdraw/" in value):
                fields[key] = redact_tokens(value)
        return fields
