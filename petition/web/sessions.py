"""Flask's signed-cookie sessions, with the cookie's signer made once per key instead of per request."""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's own; only the signer is kept between requests.

    Flask builds a new signer each time a session is opened or saved, which is a measurable part of
    serving a page; the keys are still read from the config on every request, so a changed key
    takes effect at once.
    """

    def __init__(self) -> None:
        self._signers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        signer = self._signers.get(keys)
        if signer is None:
            signer = super().get_signing_serializer(app)
            if len(self._signers) > 8:  # keys only change by hand; never let them pile up
                self._signers.clear()
            self._signers[keys] = signer  # type: ignore[assignment]
        return signer
