"""Every extension object, created unbound; create_app() binds them.

Flask-Migrate is the exception: it (and Alembic) load only when a `flask db` command runs; see cli.py.
"""

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from petition.web.clients import limit_key
from petition.web.memory_counters import MemoryCounters

V = TypeVar("V", bound=Callable[..., object])
U = TypeVar("U")


class CSRFExtension(Protocol):
    """What we use of Flask-WTF's CSRFProtect, which ships no type information."""

    def init_app(self, app: Flask) -> None: ...

    def exempt(self, view: V) -> V:
        """Leave this view out of the CSRF check; returns the view itself."""
        ...


class LoginExtension(Protocol):
    """What we use of Flask-Login's LoginManager, which ships no type information."""

    login_view: str
    login_message: str
    localize_callback: Callable[[str], str]

    def init_app(self, app: Flask, add_context_processor: bool = True) -> None: ...

    def user_loader(self, callback: Callable[[str], U]) -> Callable[[str], U]:
        """Load the user of a session from the id it keeps; returns the loader itself."""
        ...


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


db = SQLAlchemy(model_class=Base)
babel = Babel()
mail = Mail()
csrf: CSRFExtension = CSRFProtect()
login: LoginExtension = LoginManager()


def client_limit_key() -> str:
    """The client a limit counts: the address ProxyFix vouches for, an IPv6 one by its /64."""
    return limit_key(get_remote_address())


# Storage comes from RATELIMIT_STORAGE_URI. Defining this class registered it as the store that
# memory:// makes, the default (see web.memory_counters).
MEMORY_STORE: type[MemoryCounters] = MemoryCounters
limiter = Limiter(key_func=client_limit_key)


@limiter.request_filter
def _is_public_read() -> bool:
    """A petition's page and count carry no limit: a surge reads them from caches and copies.

    Skipping the limiter's search for limits that are not there saves a fifth of such a read.
    """
    return request.endpoint in ("public.petition", "public.petition_json")


# Settings that give Flask-Limiter limits on every request, which only its own hook can check.
_LIMITS_ON_EVERY_REQUEST = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def init_limiter(app: Flask) -> None:
    """Bind the limiter; unless some limit covers every request, leave requests unchecked by it.

    Flask-Limiter's hook before every request looks for default, application-wide and
    blueprint limits, and costs even the requests it exempts. We set none of those: our limits
    sit on views (the login form), whose decorator checks them itself, and in signing, which
    counts its own. An operator who sets one of these settings gets the hook back.

    Flask-Limiter (4.1) offers no setting to leave that hook out: RATELIMIT_ENABLED=False would
    switch off the login form's limit too. So this is the one place we reach into it, taking its
    hook out by the private name it registers. A test checks it is gone by default and back with
    a default limit (tests/architecture/test_wiring.py, tests/signing/test_rate_limits.py).
    """
    limiter.init_app(app)
    hooks = app.before_request_funcs.get(None, [])
    every_request = any(app.config.get(setting) for setting in _LIMITS_ON_EVERY_REQUEST)
    if not every_request and limiter._check_request_limit in hooks:  # none when it is off
        hooks.remove(limiter._check_request_limit)
