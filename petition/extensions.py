"""Every extension object, created unbound; create_app() binds them.

Flask-Migrate is the exception: it (and Alembic) load only when a `flask db` command runs; see cli.py.
"""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from petition.web.clients import limit_key


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


db = SQLAlchemy(model_class=Base)
babel = Babel()
mail = Mail()
csrf = CSRFProtect()
login = LoginManager()


def client_limit_key() -> str:
    """The client a limit counts: the address ProxyFix vouches for, an IPv6 one by its /64."""
    return limit_key(get_remote_address())


# Storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=client_limit_key)


@limiter.request_filter
def _is_public_read() -> bool:
    """A petition's page and count carry no limit: a surge reads them from caches and copies.

    Skipping the limiter's search for limits that are not there saves a fifth of such a read.
    """
    return request.endpoint in ("public.petition", "public.petition_json")
