"""The app factory: settings, extensions, wiring, blueprints and commands in one place."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from petition import config as default_config
from petition.extensions import babel, csrf, db, init_limiter, login
from petition.extensions import mail as mail_extension
from petition.i18n.languages import N_, register_languages, select_locale
from petition.ids import parse_id, parse_number
from petition.mail.senders import register_sender
from petition.petitions.slugs import SLUG_PATTERN
from petition.transactions import release_session
from petition.web.clients import register_proxy_warning
from petition.web.cross_site import register_cross_site_guard
from petition.web.cut_connections import PetitionFlask
from petition.web.headers import register_security_headers
from petition.web.numbers import IdConverter
from petition.web.sessions import SessionInterface, offer_current_user, register_remember_cookie
from petition.web.static_files import register_static_fingerprints
from petition.wiring import wire_app

ROOT = Path(__file__).resolve().parent.parent
# Shorter keys can be guessed offline from one signed cookie or emailed link.
MIN_SECRET_KEY_BYTES = 32


class SlugConverter(BaseConverter):
    """Matches petition slugs only, so /petitions/x.json is never read as a slug."""

    regex = SLUG_PATTERN


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: load config, bind extensions, wire features, add blueprints and commands."""
    app = PetitionFlask(
        "petition",  # the package: its logger, and where Flask looks for its files
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(default_config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    _check_settings(app)
    _trust_proxies(app)
    register_proxy_warning(app)
    _tune_engine(app)
    app.session_interface = SessionInterface()

    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    wire_app(app)  # which function writes each mail, what runs at closing, the engine listeners
    app.teardown_appcontext(release_session)  # runs before Flask-SQLAlchemy's own teardown
    mail_extension.init_app(app)
    register_sender(app)
    babel.init_app(app, locale_selector=select_locale)
    register_languages(app)
    register_cross_site_guard(app)  # first: refused before the session or a token is read
    csrf.init_app(app)
    init_limiter(app)
    _init_login(app)
    _register_views(app)
    register_security_headers(app)
    register_static_fingerprints(app)

    from petition.cli import register_cli

    register_cli(app)
    return app


def _check_settings(app: Flask) -> None:
    if not app.testing:
        _check_secret_key(app)
    if not (app.debug or app.testing) and not app.config["CLIENT_HASH_KEY"]:
        raise RuntimeError(
            "Refusing to start: CLIENT_HASH_KEY is not set. Set FLASK_CLIENT_HASH_KEY to a long "
            "random value, different from SECRET_KEY; client addresses are hashed with it."
        )
    if str(app.config["PUBLIC_URL"]).startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True


def _check_secret_key(app: Flask) -> None:
    """The development key only on a development machine (`make run`); any other key long enough.

    Debug mode alone is no proof of one: FLASK_DEBUG=1 left on a server must not open the door.
    """
    key = app.config["SECRET_KEY"]
    if key == default_config.DEV_SECRET_KEY:
        if app.debug and app.config["DEV_MAIL_VIEWER"]:
            return
        raise RuntimeError(
            "Refusing to start: SECRET_KEY is the development key, which only a development "
            "machine may use (FLASK_DEBUG=1 and FLASK_DEV_MAIL_VIEWER=true, as `make run` sets). "
            "Set FLASK_SECRET_KEY (or SECRET_KEY in instance/config.py) to a long random value."
        )
    size = len(key) if isinstance(key, bytes) else len(str(key or "").encode())
    if size < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"Refusing to start: SECRET_KEY has {size} bytes; it needs at least "
            f"{MIN_SECRET_KEY_BYTES}. Set FLASK_SECRET_KEY to a long random value, e.g. the "
            "output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )


def _tune_engine(app: Flask) -> None:
    """No pre-ping for SQLite: a file has no server that could drop the connection in between."""
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only from the configured number of proxies in front."""
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _init_login(app: Flask) -> None:
    from petition.models import Organiser

    login.init_app(app, add_context_processor=False)
    offer_current_user(app)
    register_remember_cookie(app, login)
    login.login_view = "organisers.login"
    login.login_message = N_("Please log in to see that page.")
    login.localize_callback = gettext

    @login.user_loader
    def load_organiser(user_id: str) -> Organiser | None:
        """The organiser of a session, unless its session version has been raised since."""
        raw_id, _, raw_version = user_id.partition(":")
        organiser_id, version = parse_id(raw_id), parse_number(raw_version)
        if organiser_id is None or version is None:
            return None  # also a session from before versions: it logs in again
        try:
            organiser = db.session.get(Organiser, organiser_id)
        except OperationalError:
            return None  # the database is down; the page says so without the account
        if organiser is None or organiser.session_version != version:
            return None
        return organiser


def _register_views(app: Flask) -> None:
    from petition.i18n.dates import last_day, long_day
    from petition.i18n.plurals import plural_samples
    from petition.mail.background import deliverer_for
    from petition.petitions.markdown import fold_markdown, render_markdown, summary
    from petition.views import api, dev, embed, feed, health, log, organisers, public, sharing
    from petition.views.caching import register_caching
    from petition.views.errors import register_error_handlers, unavailable
    from petition.views.organisers import moderation
    from petition.web.embedding import embed_snippet
    from petition.web.urls import public_url

    register_caching(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(sharing.bp)
    app.register_blueprint(organisers.bp)
    app.register_blueprint(dev.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(log.bp)
    register_error_handlers(app)
    app.register_error_handler(OperationalError, unavailable)
    app.register_error_handler(PoolTimeoutError, unavailable)  # every connection is busy

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["folded_markdown"] = fold_markdown
    app.jinja_env.filters["last_day"] = last_day
    app.jinja_env.filters["long_day"] = long_day
    app.jinja_env.filters["summary"] = summary
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["embed_snippet"] = embed_snippet
    app.jinja_env.globals["plural_samples"] = plural_samples

    if app.config["OUTBOX_DELIVER_IN_WEB"]:  # else dedicated workers deliver; requests need not ask

        @app.before_request
        def start_delivery() -> None:
            # Cheap after the first request; restarts the thread in a forked worker.
            deliverer_for(app).ensure_started()
