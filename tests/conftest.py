"""Fixtures: an app and empty tables per test, a real SMTP server, a live HTTP server.

What is costly is made once per run and reset per test: the schema (copied from a template file
on SQLite, emptied on PostgreSQL), the SMTP server (its mailbox emptied) and
Chromium (a fresh browser context per test).
"""

import copy
import email
import hashlib
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import BaseWSGIServer, make_server

from petition import create_app
from petition.extensions import db, limiter
from petition.mail.background import deliverer_for
from petition.models import Organiser, Petition
from petition.organisers.accounts import set_organiser_password
from petition.petitions.public_copies import forget_public_copies
from petition.petitions.publishing import create_petition

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# The suite runs on SQLite by default and on PostgreSQL when this names a database.
DATABASE_URL_VARIABLE = "PETITION_TEST_DATABASE_URL"
PASSWORD = "correct horse battery staple"
# Signs the test logs' checkpoints, so no test writes a key into the instance folder.
TEST_LOG_KEY = "dGVzdC1vbmx5IGxvZyBzaWduaW5nIGtleSwgMzIgYnk="
TEST_PASSWORD_HASH = "scrypt:1024:8:1"
# The checkout's instance folder: no test may leave a file there.
INSTANCE = Path(__file__).resolve().parents[1] / "instance"
SLOW_FOLDERS = {"faults", "browser"}
SLOW_FIXTURES = {"gunicorn", "browser"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fault, browser and process tests are slow: `make test-fast` leaves them out (-m)."""
    for item in items:
        folder = item.path.parent.name
        if folder in SLOW_FOLDERS or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)  # after -m has left tests out; before pytest-xdist reads the list
def pytest_collection_finish(session: pytest.Session) -> None:
    """Under pytest-xdist each worker starts with an equal share of the slow tests, then its
    fast ones.

    The run hands each worker one stretch of the list, in order, and lets idle workers take
    tests from the end of a busy one's stretch. With every slow test in the first stretch, one
    worker ran them all and finished alone.
    """
    items = session.items
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    fast = [item for item in items if item.get_closest_marker("slow") is None]
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    ordered: list[pytest.Item] = []
    left = len(items)
    for worker in range(workers):
        size = left // (workers - worker)  # the stretch pytest-xdist hands this worker
        share = slow[worker::workers]
        ordered += share + fast[: size - len(share)]
        del fast[: size - len(share)]
        left -= size
    items[:] = ordered + fast


def _instance_files() -> set[str]:
    return {str(path.relative_to(INSTANCE)) for path in INSTANCE.rglob("*")}


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_INSTANCE_BEFORE] = _instance_files()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test wrote into the checkout's instance folder."""
    before = session.config.stash.get(_INSTANCE_BEFORE, None)
    if before is None:
        return
    written = _instance_files() - before
    if written:
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(f"tests wrote into {INSTANCE}: {sorted(written)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_INSTANCE_BEFORE = pytest.StashKey[set[str]]()


def service_missing(reason: str) -> None:
    """Skip a test whose service is absent on this machine; in CI (CI=true) that is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailSink:
    """An aiosmtpd handler that keeps what it receives and can answer with an error instead."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.connections: list[tuple[str, int]] = []  # the client's address and port, per message
        self.reply: str | None = None  # e.g. "451 4.3.0 try later" to refuse every message
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._changed:
            self.messages.append(message)
            self.connections.append(tuple(session.peer))
            self._changed.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """Block until `count` messages have arrived; fail the test if they do not in time."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.messages) >= count, timeout)
        assert arrived, f"expected {count} messages, got {len(self.messages)} in {timeout}s"
        return list(self.messages)


class SMTPServer:
    """A real SMTP server on a loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.sink = MailSink()
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reset(self) -> None:
        """An empty mailbox that accepts everything, on a running server."""
        with self.sink._changed:
            self.sink.messages.clear()
            self.sink.connections.clear()
        self.sink.reply = None
        if not self.running:
            self.start()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    """The run's one SMTP server; tests take it through `smtp`."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SMTPServer) -> Iterator[SMTPServer]:
    """The SMTP server with an empty mailbox; a test that stops it gets it back running after."""
    smtp_server.reset()
    yield smtp_server
    smtp_server.reset()


@pytest.fixture(scope="session")
def server_database() -> Iterator[str | None]:
    """On PostgreSQL, a database of this test run's own, dropped at the end; None on SQLite."""
    base = os.environ.get(DATABASE_URL_VARIABLE)
    if not base:
        yield None
        return
    url = make_url(base)
    name = f"petition_test_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        service_missing(f"PostgreSQL at {url.render_as_string(hide_password=True)}: {exc}")
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(server_database: str | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The worker's database: the run's PostgreSQL database, or a SQLite file that each test
    gets with empty tables (see Schema)."""
    if server_database:
        return server_database
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'test.sqlite3'}"


def base_settings(database_url: str, smtp_port: int) -> dict[str, Any]:
    """The settings every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_URL": "https://petitions.example.org",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "Petitions <petitions@example.org>",
        "OUTBOX_DELIVER_IN_WEB": False,
        "OUTBOX_POLL_SECONDS": 0.2,
        "LOG_SIGNING_KEY": TEST_LOG_KEY,
        # Real scrypt at a thirty-second of the cost: an organiser's login takes 3 ms, not 0.1 s.
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
    }


_JOURNALS = ("-wal", "-shm", "-journal")


class Schema:
    """The tables, built once per run and handed to each test empty.

    Tests commit from other threads and processes (live servers, deliverers, gunicorn), so a
    rolled-back savepoint cannot undo them: on SQLite each test gets a copy of a template file,
    on PostgreSQL every table is emptied. A test that changed the schema itself (the
    migration tests) is noticed by the schema's fingerprint, and the tables are built again.
    """

    def __init__(self, folder: Path, server_database: str | None) -> None:
        self.template = folder / "template.sqlite3"
        self.server_database = server_database
        self.fingerprint: str | None = None
        self.emptying = ""

    def prepare(self, database_url: str) -> bool:
        """Before the test's first app: give the SQLite file the tables; True when it did."""
        if self.server_database is not None or not database_url.startswith("sqlite:///"):
            return False
        if not self.template.exists():
            template = create_app(base_settings(f"sqlite:///{self.template}", 0))
            with template.app_context():
                db.create_all()
                db.engine.dispose()  # the last connection folds the WAL into the file
        database = Path(make_url(database_url).database or "")
        # A new file, not the old one overwritten: a connection a test left open keeps the old
        # one, and SQLite's journal files belong to it.
        for path in (database, *(database.with_name(database.name + end) for end in _JOURNALS)):
            path.unlink(missing_ok=True)
        shutil.copyfile(self.template, database)
        return True

    def reset(self, app: Flask) -> None:
        """Empty every table of the run's PostgreSQL database, or build them when they changed."""
        with app.app_context():
            if self.fingerprint is not None and self._fingerprint() == self.fingerprint:
                db.session.connection().exec_driver_sql(self.emptying)
                db.session.commit()
                return
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
            db.create_all()
            self.fingerprint = self._fingerprint()
            # DELETE and a restart of each sequence: on tables this small, ten times faster
            # than TRUNCATE, which makes new files for every table.
            sequences = db.session.scalars(
                text(
                    "SELECT sequence_name FROM information_schema.sequences"
                    " WHERE sequence_schema = 'public'"
                )
            )
            self.emptying = "; ".join(
                [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
                + [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences]
            )
            db.session.rollback()

    @staticmethod
    def _fingerprint() -> str:
        rows = db.session.scalars(
            text(
                "SELECT table_name || '.' || column_name || ' ' || data_type || ' '"
                " || is_nullable || ' ' || coalesce(column_default, '')"
                " FROM information_schema.columns WHERE table_schema = 'public'"
                " UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"
                " UNION ALL SELECT conname || ' ' || pg_get_constraintdef(c.oid)"
                " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                " WHERE n.nspname = 'public'"
            )
        ).all()
        db.session.rollback()
        return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


@pytest.fixture(scope="session")
def schema(server_database: str | None, tmp_path_factory: pytest.TempPathFactory) -> Schema:
    return Schema(tmp_path_factory.mktemp("schema"), server_database)


class TemplateCode(BytecodeCache):
    """Compiled templates kept in memory for the worker's life: each test's app has a Jinja
    environment of its own, and compiling every template it renders again cost a test 60 ms.
    Jinja checks each entry against the template's source, so an edited one is compiled anew."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = TemplateCode()


def structure(app: Flask) -> tuple[int, ...]:
    """How many routes, hooks, handlers and template names the app has: what a test could add to
    it but not take away."""
    hooks = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
        app.url_value_preprocessors,
        app.url_default_functions,
        app.template_context_processors,
    )
    return (
        len(list(app.url_map.iter_rules())),
        len(app.view_functions),
        *(sum(len(functions) for functions in hook.values()) for hook in hooks),
        len(app.teardown_appcontext_funcs),
        sum(
            len(handlers)
            for codes in app.error_handler_spec.values()
            for handlers in codes.values()
        ),
        len(app.jinja_env.globals),
        len(app.jinja_env.filters),
    )


class SharedApp:
    """The worker's app with the test settings alone, handed to every test that takes `app`.

    Building an app costs 40 ms, most of it Werkzeug compiling the URL rules, and a thousand tests
    take this one. What a test may change on it is put back before the next test has it: its
    settings; its extensions (a test swaps the mail sender; the deliverer a test started goes);
    the rate limiter, one object per process that the last app built took over, with its counts
    emptied; and the public copies, which were read from the last test's tables. A test that
    added a route, a hook or a handler leaves an app that cannot be put back: it is built anew.
    A test that needs an app of its own, or other settings, calls `make_app`.
    """

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.settings: dict[str, Any] = {}
        self.extensions: dict[str, Any] = {}
        self.limiter: dict[str, Any] = {}
        self.shape: tuple[int, ...] = ()

    def take(self, build: Callable[[], Flask]) -> Flask:
        app = self.app
        if app is None or structure(app) != self.shape:
            app = self.app = build()
            self.settings = copy.deepcopy(dict(app.config))
            self.extensions = dict(app.extensions)
            self.limiter = dict(vars(limiter))
            self.shape = structure(app)
            return app
        app.config.clear()
        app.config.update(copy.deepcopy(self.settings))
        app.extensions.clear()
        app.extensions.update(self.extensions)
        vars(limiter).clear()
        vars(limiter).update(self.limiter)
        limiter.reset()
        forget_public_copies()
        return app


@pytest.fixture(scope="session")
def shared_app() -> SharedApp:
    return SharedApp()


class AppMaker:
    """A test's apps: `maker(**settings)` builds one, `maker.shared()` hands out the worker's.

    The test's first app, of either kind, gets empty tables.
    """

    def __init__(
        self, database_url: str, smtp_port: int, schema: Schema, shared: SharedApp
    ) -> None:
        self.database_url = database_url
        self.smtp_port = smtp_port
        self.schema = schema
        self._shared = shared
        self.apps: list[Flask] = []

    def __call__(self, **overrides: Any) -> Flask:
        config = base_settings(self.database_url, self.smtp_port) | overrides
        own_database = config["SQLALCHEMY_DATABASE_URI"] != self.database_url
        return self._handed_out(lambda: self._build(config), own_database)

    def shared(self) -> Flask:
        settings = base_settings(self.database_url, self.smtp_port)
        return self._handed_out(
            lambda: self._shared.take(lambda: self._build(settings)), own_database=False
        )

    def _handed_out(self, get: Callable[[], Flask], own_database: bool) -> Flask:
        first = not self.apps
        copied = first and not own_database and self.schema.prepare(self.database_url)
        app = get()
        if first and not copied:
            if not own_database and self.schema.server_database is not None:
                self.schema.reset(app)
            else:  # a database of the test's own choosing
                with app.app_context():
                    db.drop_all()
                    db.create_all()
        self.apps.append(app)
        return app

    @staticmethod
    def _build(config: dict[str, Any]) -> Flask:
        app = create_app(config)
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        return app

    def close(self) -> None:
        for app in self.apps:
            deliverer_for(app).stop()
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def make_app(
    database_url: str, smtp: SMTPServer, schema: Schema, shared_app: SharedApp
) -> Iterator[AppMaker]:
    """Build an app with test settings plus overrides; the test's first app gets empty tables."""
    maker = AppMaker(database_url, smtp.port, schema, shared_app)
    yield maker
    maker.close()


@pytest.fixture
def app(make_app: AppMaker) -> Iterator[Flask]:
    """The worker's app with the test settings, its tables empty, inside its app context."""
    app = make_app.shared()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_organiser(app: Flask) -> Callable[..., Organiser]:
    def make(email: str = "organiser@example.org", password: str = PASSWORD) -> Organiser:
        return set_organiser_password(email, password)

    return make


@pytest.fixture
def make_petition(app: Flask, make_organiser: Callable[..., Organiser]) -> Callable[..., Petition]:
    def make(**overrides: Any) -> Petition:
        fields: dict[str, Any] = {
            "title": "Stop the forced evictions",
            "body": "We call on the city to **stop** evicting families.",
            "target": "The city administration",
        } | overrides
        if "organiser" not in fields:
            fields["organiser"] = make_organiser()
        return create_petition(**fields)

    return make


@pytest.fixture
def organiser_client(client: FlaskClient, make_organiser: Callable[..., Organiser]) -> FlaskClient:
    """The test client, logged in as the organiser make_organiser makes."""
    make_organiser()
    response = client.post(
        "/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    return client


class LiveServer:
    """The app served over real HTTP on a loopback port, in a thread."""

    def __init__(self, app: Flask, port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        app.config["PUBLIC_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()


@pytest.fixture
def live_server(make_app: Callable[..., Flask]) -> Iterator[LiveServer]:
    """A server as a newcomer runs it: CSRF on, mail delivered by the web process itself."""
    app = make_app(WTF_CSRF_ENABLED=True, OUTBOX_DELIVER_IN_WEB=True, PUBLIC_URL="http://127.0.0.1")
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def gunicorn(app: Flask, database_url: str, smtp: SMTPServer) -> Iterator[Callable[..., Any]]:
    """Start gunicorn servers on the test database (workers, settings=…, access_log=…)."""
    from tests.helpers.processes import Gunicorn

    servers: list[Gunicorn] = []

    def start(workers: int, **options: Any) -> Gunicorn:
        server = Gunicorn(database_url, smtp.port, workers, **options)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator["Browser"]:
    """The run's one headless Chromium (Debian's); skips, or fails in CI, when it is missing."""
    from tests.helpers.browsing import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def browser(chromium_browser: "Browser") -> Iterator["Browser"]:
    """The run's Chromium; the contexts (and pages) a test opens are closed after it."""
    before = set(chromium_browser.contexts)
    yield chromium_browser
    for context in chromium_browser.contexts:
        if context not in before:
            context.close()
