"""Flask's signed-cookie sessions, with the cookie's signer made once per key instead of per request,
and what a request's cookies tell without opening the session's user."""

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g, get_flashed_messages, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from flask_login import COOKIE_NAME as REMEMBER_COOKIE_DEFAULT
from flask_login import LoginManager, current_user
from itsdangerous import URLSafeTimedSerializer
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response

from petition.tokens import SigningSerializer


class SessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's own; only the signer is kept between requests.

    Flask builds a new signer each time a session is opened or saved, which is a measurable part of
    serving a page; the keys are still read from the config on every request, so a changed key
    takes effect at once.
    """

    def __init__(self) -> None:
        self._signers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session at once for a request without cookies (a first visit, a CDN, a
        script reading the count): there is nothing to parse or verify."""
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        signer = self._signers.get(keys)
        if signer is None:
            # As Flask's own makes it, the current key last, with the signer kept.
            signer = SigningSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            if len(self._signers) > 8:  # keys only change by hand; never let them pile up
                self._signers.clear()
            self._signers[keys] = signer
        return signer


def may_be_logged_in(*, flashes: bool = False) -> bool:
    """Whether this request may come from a logged-in organiser, known without loading anyone.

    Flask-Login keeps an organiser's id in the session, or in a "remember me" cookie of its own;
    without either the visitor is anonymous. Asking Flask-Login instead costs a hash of the
    client's address and browser, a query, and, for a session without an organiser, a rewritten
    session cookie on every page. With `flashes`, a session holding messages to show counts too:
    the page shows them to this visitor alone. A request without the session cookie never opens
    the session, so its answer does not vary by cookie.
    """
    if "HTTP_COOKIE" not in request.environ:
        return False  # neither a session nor a remember-me cookie came with the request
    config = current_app.config
    cookies = request.cookies
    if config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_DEFAULT) in cookies:
        return True
    if config["SESSION_COOKIE_NAME"] not in cookies:
        return False
    return "_user_id" in session or (flashes and "_flashes" in session)


def flashed_messages(
    with_categories: bool = False, category_filter: Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """Flask's get_flashed_messages, without opening a session that no cookie brought.

    Opening it would mark the page as varying by cookie (any use of Flask's session does), and a
    shared cache keeps one copy per cookie header of such a page. Every view that flashes then
    redirects, so a message always comes back with the cookie that holds it.
    """
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return []
    return get_flashed_messages(with_categories, category_filter)


def register_remember_cookie(app: Flask, login: LoginManager) -> None:
    """Run Flask-Login's remember-me cookie upkeep only on requests that touched a login.

    Flask-Login reads the session after every response, and a session read is a session opened
    and a `Vary: Cookie` sent, even on the JSON count that is the same for everyone. Its upkeep
    has work only once this request loaded, logged in or logged out someone (which Flask-Login
    records on `g`), or when it is told to refresh the cookie on every request.
    """
    upkeep: Callable[[Response], Response] = login._update_remember_cookie

    def update_remember_cookie(response: Response) -> Response:
        if "_login_user" in g or current_app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return upkeep(response)
        return response

    hooks = app.after_request_funcs[None]
    hooks[hooks.index(upkeep)] = update_remember_cookie


def _visitor() -> Any:
    """Flask-Login's current user, or an anonymous one straight away when no cookie holds a login."""
    if may_be_logged_in():
        return current_user._get_current_object()
    return current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


def offer_current_user(app: Flask) -> None:
    """Give templates `current_user`, loaded only when a template reads it and a login may exist.

    Flask-Login's own context processor loads the user for every template rendered, even
    where nothing reads it, and for an anonymous visitor costs what may_be_logged_in avoids.
    """
    app.jinja_env.globals["current_user"] = LocalProxy(_visitor)
    app.jinja_env.globals["get_flashed_messages"] = flashed_messages
