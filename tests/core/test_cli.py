"""The operator's commands (`flask --app petition …`) through Flask's CLI runner, and migrations."""

import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import create_engine, inspect, select, text

from petition.extensions import db
from petition.models import OutboxMessage, OutboxState, Petition, utcnow
from petition.organisers.accounts import authenticate, find_organiser
from petition.signing.signatures import confirm_signature, sign_petition
from tests.conftest import DATABASE_URL_VARIABLE, SMTPServer
from tests.helpers.checks import must
from tests.helpers.mailbox import owed_mail

ORGANISER = "organiser@example.org"


def invoke(runner: FlaskCliRunner, *args: str, input: str | None = None) -> Result:
    result = runner.invoke(args=list(args), input=input)
    db.session.rollback()  # the command wrote through its own transactions; read afresh
    return result


def petition(slug: str) -> Petition:
    found = db.session.scalar(select(Petition).where(Petition.slug == slug))
    assert found is not None, f"no petition {slug!r}"
    return found


@pytest.fixture
def body_file(tmp_path: Path) -> Path:
    path = tmp_path / "body.md"
    path.write_text("Families are evicted with **ten days'** notice.\n\nБудьте людьми.\n", "utf-8")
    return path


@pytest.fixture
def add_args(body_file: Path, make_organiser) -> list[str]:
    make_organiser(ORGANISER)
    return ["petitions", "add", "--title", "Stop the evictions", "--body-file", str(body_file),
            "--organiser", ORGANISER]  # fmt: skip


# --- petitions add ------------------------------------------------------------------------------


def test_add_publishes_with_every_option_and_prints_the_public_url(
    runner: FlaskCliRunner, add_args: list[str], body_file: Path
) -> None:
    add_args[add_args.index("--organiser") + 1] = " Organiser@Example.ORG"  # as typed
    result = invoke(runner, *add_args, "--slug", "stop-evictions", "--target", "The akimat",
                    "--goal", "1000", "--closes", "2031-12-31")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "https://petitions.example.org/petitions/stop-evictions"
    published = petition("stop-evictions")
    assert published.title == "Stop the evictions"
    assert published.body == body_file.read_text("utf-8")
    assert (published.target, published.goal) == ("The akimat", 1000)
    assert published.closes_at == datetime(2032, 1, 1, tzinfo=UTC)  # open through the last day
    assert [o.email for o in published.organisers] == [ORGANISER]


def test_add_derives_the_slug_from_a_cyrillic_title(
    runner: FlaskCliRunner, add_args: list[str]
) -> None:
    add_args[add_args.index("--title") + 1] = "Чистый воздух"
    result = invoke(runner, *add_args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "https://petitions.example.org/petitions/chistyy-vozdukh"
    assert petition("chistyy-vozdukh").closes_at is None


def test_add_for_an_unknown_organiser_fails_clearly(
    runner: FlaskCliRunner, add_args: list[str]
) -> None:
    add_args[add_args.index("--organiser") + 1] = "nobody@example.org"
    result = invoke(runner, *add_args)
    assert result.exit_code == 1
    assert "No organiser 'nobody@example.org'" in result.output
    assert "organisers add nobody@example.org" in result.output
    assert db.session.scalars(select(Petition)).all() == []


def test_add_with_a_taken_slug_fails(runner: FlaskCliRunner, add_args: list[str]) -> None:
    assert invoke(runner, *add_args, "--slug", "stop-evictions").exit_code == 0
    result = invoke(runner, *add_args, "--slug", "stop-evictions")
    assert result.exit_code == 1
    assert "The slug 'stop-evictions' is taken." in result.output
    assert len(db.session.scalars(select(Petition)).all()) == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [("--slug", "Not A Slug"), ("--goal", "0"), ("--goal", str(2**31)), ("--closes", "31.12.2031")],
)
def test_add_refuses_bad_option_values(
    runner: FlaskCliRunner, add_args: list[str], option: str, value: str
) -> None:
    result = invoke(runner, *add_args, option, value)
    assert result.exit_code != 0
    assert "Error" in result.output
    assert db.session.scalars(select(Petition)).all() == []


@pytest.mark.parametrize("number", [str(2**31), str(2**63), "0", "-1"])
def test_removing_a_rule_no_id_column_holds_is_a_usage_error(
    runner: FlaskCliRunner, number: str
) -> None:
    result = invoke(runner, "rules", "remove", "--", number)
    assert result.exit_code == 2 and "Error" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_removing_a_rule_no_row_has_says_so(runner: FlaskCliRunner) -> None:
    result = invoke(runner, "rules", "remove", str(2**31 - 1))
    assert result.exit_code == 1 and f"No rule {2**31 - 1}." in result.output


# --- petitions close / list ---------------------------------------------------------------------


def test_close_stops_a_petition(runner: FlaskCliRunner, add_args: list[str]) -> None:
    invoke(runner, *add_args, "--slug", "stop-evictions")
    result = invoke(runner, "petitions", "close", "stop-evictions")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Closed stop-evictions."
    closed = petition("stop-evictions")
    assert closed.closes_at is not None and closed.closes_at <= utcnow()
    assert not closed.is_open()


def test_close_of_an_unknown_slug_fails(runner: FlaskCliRunner) -> None:
    result = invoke(runner, "petitions", "close", "no-such-petition")
    assert result.exit_code == 1
    assert "No petition has the slug 'no-such-petition'" in result.output


def test_list_shows_state_count_and_title_newest_first(
    runner: FlaskCliRunner, add_args: list[str]
) -> None:
    invoke(runner, *add_args, "--slug", "first")
    invoke(runner, *add_args, "--slug", "second")
    invoke(runner, "petitions", "close", "first")
    result = invoke(runner, "petitions", "list")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "second\topen\t0\tStop the evictions",
        "first\tclosed\t0\tStop the evictions",
    ]


# --- organisers add -----------------------------------------------------------------------------


def test_organisers_add_reads_the_password_twice_from_stdin(runner: FlaskCliRunner) -> None:
    result = invoke(runner, "organisers", "add", "New@Example.org", input="a long password\n" * 2)
    assert result.exit_code == 0, result.output
    assert "Organiser new@example.org can log in." in result.output
    assert "a long password" not in result.output  # the prompt does not echo it
    assert authenticate("new@example.org", "a long password") is not None


def test_organisers_add_again_sets_a_new_password(runner: FlaskCliRunner) -> None:
    invoke(runner, "organisers", "add", "new@example.org", input="first password\n" * 2)
    result = invoke(runner, "organisers", "add", "new@example.org", input="second password\n" * 2)
    assert result.exit_code == 0, result.output
    assert authenticate("new@example.org", "first password") is None
    assert authenticate("new@example.org", "second password") is not None


def test_organisers_add_refuses_a_short_password(runner: FlaskCliRunner) -> None:
    result = invoke(runner, "organisers", "add", "new@example.org", input="pw\npw\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert find_organiser("new@example.org") is None


def test_organisers_add_refuses_passwords_that_differ(runner: FlaskCliRunner) -> None:
    result = invoke(runner, "organisers", "add", "new@example.org",
                    input="a long password\nanother password\n")  # fmt: skip
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert find_organiser("new@example.org") is None


# --- export -------------------------------------------------------------------------------------


@pytest.fixture
def signed(make_petition) -> Petition:
    """A petition with one confirmed signature (Cyrillic) and one pending."""
    signed = make_petition(slug="stop-evictions")
    sign_petition(signed, name="Айгерим", email="aigerim@example.org")
    token = re.search(r"/confirm/([^\s?]+)", owed_mail()[0].text)
    assert token
    confirm_signature(token.group(1))
    sign_petition(signed, name="Pending", email="pending@example.org")
    return signed


def test_export_writes_a_csv_file(runner: FlaskCliRunner, signed: Petition, tmp_path: Path) -> None:
    output = tmp_path / "signatures.csv"
    result = invoke(runner, "export", "stop-evictions", "--output", str(output), "--format", "csv")
    assert result.exit_code == 0, result.output
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfname,email,signed_at,confirmed_at\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row[:2] for row in rows[1:]] == [["Айгерим", "aigerim@example.org"]]
    assert f"Wrote {output}." in result.stderr


def test_export_writes_a_json_file(
    runner: FlaskCliRunner, signed: Petition, tmp_path: Path
) -> None:
    output = tmp_path / "signatures.json"
    result = invoke(runner, "export", "stop-evictions", "--output", str(output), "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(output.read_text("utf-8"))
    assert [(r["name"], r["email"]) for r in records] == [("Айгерим", "aigerim@example.org")]


def test_export_without_output_writes_to_stdout(runner: FlaskCliRunner, signed: Petition) -> None:
    result = invoke(runner, "export", "stop-evictions", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["name"] for r in json.loads(result.stdout)] == ["Айгерим"]


def test_export_of_an_unknown_petition_or_format_fails(
    runner: FlaskCliRunner, signed: Petition
) -> None:
    unknown = invoke(runner, "export", "no-such-petition")
    assert unknown.exit_code == 1 and "No petition has the slug" in unknown.output
    assert invoke(runner, "export", "stop-evictions", "--format", "xls").exit_code == 2


# --- outbox deliver -----------------------------------------------------------------------------


def test_outbox_deliver_once_sends_what_is_due_then_stops(
    runner: FlaskCliRunner, smtp: SMTPServer, make_petition
) -> None:
    target = make_petition()
    for n in range(3):
        sign_petition(target, name=f"Signer {n}", email=f"signer{n}@example.org")
    result = invoke(runner, "outbox", "deliver", "--once")
    assert result.exit_code == 0, result.output
    assert "sent 3, retrying 0, failed 0" in result.output
    arrived = smtp.sink.wait_for(3)
    assert sorted(m["To"] for m in arrived) == [f"signer{n}@example.org" for n in range(3)]
    assert set(db.session.scalars(select(OutboxMessage.state))) == {OutboxState.SENT}


def test_outbox_deliver_once_stops_while_the_server_is_down(
    runner: FlaskCliRunner, smtp: SMTPServer, make_petition
) -> None:
    sign_petition(make_petition(), name="Ann", email="ann@example.org")
    smtp.stop()
    result = invoke(runner, "outbox", "deliver", "--once")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 0, retrying 1, failed 0"
    assert db.session.scalars(select(OutboxMessage.state)).one() == OutboxState.PENDING


# --- demo ---------------------------------------------------------------------------------------

DEMO_SLUGS = ["stop-forced-evictions", "free-the-jailed-lawyer"]


def demo_password(output: str) -> str:
    match = re.search(r"Demo organiser: (\S+) / password: (\S+)", output)
    assert match, output
    return match.group(2)


def test_demo_loads_two_petitions_and_is_safe_to_run_twice(runner: FlaskCliRunner) -> None:
    first = invoke(runner, "demo")
    assert first.exit_code == 0, first.output
    assert (
        re.findall(r"Loaded https://petitions\.example\.org/petitions/(\S+)", first.output)
        == DEMO_SLUGS
    )
    second = invoke(runner, "demo")
    assert second.exit_code == 0, second.output
    assert "Loaded" not in second.output
    assert sorted(db.session.scalars(select(Petition.slug))) == sorted(DEMO_SLUGS)
    assert authenticate("demo-organiser@example.org", demo_password(first.output)) is None
    demo = authenticate("demo-organiser@example.org", demo_password(second.output))
    assert demo is not None
    assert sorted(p.slug for p in demo.petitions) == sorted(DEMO_SLUGS)


# --- migrations ---------------------------------------------------------------------------------

TABLES = {
    "log_entries",
    "log_nodes",
    "log_checkpoints",
    "petition_events",
    "account_events",
    "organisers",
    "petitions",
    "memberships",
    "signatures",
    "outbox",
    "alembic_version",
    "access_rules",
    "invalidations",
    "petition_texts",
    "signature_changes",
    "invitations",
    "login_failures",
    "petition_updates",
    "petition_milestones",
    "paper_batches",
    "letter_actions",
    "letter_targets",
    "support_messages",
}


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Alembic's env.py runs logging.fileConfig, which resets the root logger; put it back."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    loggers = [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    saved = {lg: (lg.level, list(lg.handlers), lg.disabled, lg.propagate) for lg in loggers}
    yield
    root.setLevel(saved_root[0])
    root.handlers[:] = saved_root[1]
    for lg, (level, handlers, disabled, propagate) in saved.items():
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.disabled, lg.propagate = disabled, propagate


@pytest.fixture
def empty_database_app(
    make_app: Callable[..., Flask], tmp_path: Path, logging_restored: None
) -> Iterator[Flask]:
    """An app on a database with no tables at all, not even alembic_version."""
    app = make_app()  # the suite's database, with its tables created as usual
    if not os.environ.get(DATABASE_URL_VARIABLE):
        yield make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        return
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()


def test_migrations_build_the_schema_the_models_describe(empty_database_app: Flask) -> None:
    runner = empty_database_app.test_cli_runner()
    with empty_database_app.app_context():
        assert inspect(db.engine).get_table_names() == []
        assert runner.invoke(args=["db", "check"]).exit_code != 0, (
            "check must notice a bare database"
        )
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert set(inspect(db.engine).get_table_names()) == TABLES
        check = runner.invoke(args=["db", "check"])  # exits non-zero on any difference
        assert check.exit_code == 0, check.output
        db.session.execute(text("ALTER TABLE outbox ADD COLUMN stray INTEGER"))
        db.session.commit()
        assert runner.invoke(args=["db", "check"]).exit_code != 0, "check must notice drift"
        db.session.remove()
        db.engine.dispose()


def test_flask_db_upgrade_from_the_command_line_builds_the_schema(tmp_path: Path) -> None:
    """`flask db …` loads Flask-Migrate only when run: its own options and setup still apply."""
    database = tmp_path / "fresh.sqlite3"
    env = os.environ | {
        "FLASK_SECRET_KEY": "a-test-secret-key-of-at-least-32-bytes",
        "FLASK_CLIENT_HASH_KEY": "a-test-client-hash-key",
        "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
    }
    command = [sys.executable, "-m", "flask", "--app", "petition", "db"]
    upgrade = subprocess.run([*command, "upgrade"], env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    check = subprocess.run([*command, "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr[-2000:]
    engine = create_engine(f"sqlite:///{database}")
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_upgrading_binds_links_to_their_signatures_and_keeps_links_in_mailboxes(
    empty_database_app: Flask,
) -> None:
    """Existing signatures get their own secrets; a link mailed before the upgrade still confirms."""
    from datetime import timedelta

    from sqlalchemy import column, insert, table

    from petition import tokens
    from petition.models import UTCDateTime

    app = empty_database_app
    runner = app.test_cli_runner()
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "7d2f4a9c1e63"])  # the schema before secrets
        assert before.exit_code == 0, before.output
        signed = utcnow() - timedelta(hours=1)
        petitions = table(
            "petitions",
            *map(column, ("id", "slug", "title", "body", "signature_count")),
            *map(column, ("collects_country", "blocks_disposable")),
            column("created_at", UTCDateTime),
        )
        signatures = table(
            "signatures",
            *map(column, ("id", "petition_id", "name", "email", "email_canonical", "status")),
            *map(column, ("messages_sent", "show_name")),
            column("created_at", UTCDateTime),
        )
        petition_id = db.session.scalar(
            insert(petitions)
            .values(
                slug="old", title="Old", body="x", signature_count=0, collects_country=False,
                blocks_disposable=False, created_at=signed,
            )
            .returning(petitions.c.id)
        )  # fmt: skip
        ids = [
            db.session.scalar(
                insert(signatures)
                .values(
                    petition_id=petition_id, name=f"Signer {n}", email=f"s{n}@example.org",
                    email_canonical=f"s{n}@example.org", status="pending", messages_sent=1,
                    show_name=False, created_at=signed,
                )
                .returning(signatures.c.id)
            )
            for n in (1, 2)
        ]  # fmt: skip
        organisers = table(
            "organisers", column("email"), column("password_hash"), column("failed_logins"),
            column("created_at", UTCDateTime),
        )  # fmt: skip
        organiser_id = db.session.scalar(
            insert(organisers)
            .values(email="o@example.org", password_hash="x", failed_logins=0, created_at=signed)
            .returning(column("id"))
        )
        memberships = table("memberships", column("petition_id"), column("organiser_id"))
        db.session.execute(
            insert(memberships).values(petition_id=petition_id, organiser_id=organiser_id)
        )
        db.session.commit()
        key = app.config["SECRET_KEY"]
        mailed = tokens.make_token(key, tokens.CONFIRM_SIGNATURE, [ids[0], petition_id])

        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        # Rebuilding a table on the way (SQLite) kept every row that refers to it.
        kept = db.session.execute(text("SELECT petition_id, organiser_id FROM memberships")).all()
        assert kept == [(petition_id, organiser_id)]
        secrets = db.session.scalars(text("SELECT link_secret FROM signatures ORDER BY id")).all()
        assert len(set(secrets)) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", s) for s in secrets)
        if db.engine.dialect.name == "sqlite":
            for name in ("signatures", "outbox", "signature_changes"):
                schema = db.session.scalar(
                    text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": name}
                )
                assert "AUTOINCREMENT" in schema, name
        db.session.commit()
        confirm_signature(mailed)
        assert db.session.scalar(text("SELECT signature_count FROM petitions")) == 1
        assert runner.invoke(args=["db", "check"]).exit_code == 0
        # New rows carry on from the old ones: no id is handed out again.
        petition = db.session.get(Petition, petition_id)
        assert petition is not None
        sign_petition(petition, name="New Signer", email="new@example.org")
        newest = db.session.scalar(text("SELECT max(id) FROM signatures"))
        assert newest > max(ids)
        db.session.remove()
        db.engine.dispose()


# The sentences events and invalidations were stored as before history was kept as data.
OLD_EVENTS = [
    ("created", "Published at /petitions/old"),
    ("edited", "Changed title, closes at"),
    ("invited", "Invited new@example.org"),
    ("joined", "new@example.org joined"),
    ("invitation withdrawn", "Withdrew the invitation of gone@example.org"),
    ("removed", "Removed new@example.org"),
    ("left", "other@example.org left"),
    ("resent", "Sent 3 confirmation link(s) again to pending signers older than 24 h"),
    ("resent", "Sent 1 confirmation link(s) again to pending signers"),
    ("reinstated", "a***@example.org, held for rate-limit: Our office: one address"),
    ("reinstated", "all held for invalidation: Это живые люди"),
    ("version added", "Русский"),
    ("closed", ""),
    ("export", "CSV, 2026-01-06 to today"),
    ("export", "XLSX, command line, all dates"),
    ("export", "JSON, the start to 2026-02-01"),
    ("export", "Delivery pack (PDF)"),
    ("edited", "Changed the colour of the sky"),  # in no form the code wrote
    ("renamed", "Renamed by hand"),  # an action no longer named
]
OLD_VALUES = [
    {"slug": "old"},
    {"fields": ["title", "closes_at"]},
    {"address": "new@example.org"},
    {"address": "new@example.org"},
    {"address": "gone@example.org"},
    {"address": "new@example.org"},
    {"address": "other@example.org"},
    {"count": 3, "older_than_hours": 24},
    {"count": 1, "older_than_hours": None},
    {"address": "a***@example.org", "held_for": "rate-limit", "reason": "Our office: one address"},
    {"address": "all", "held_for": "invalidation", "reason": "Это живые люди"},
    {"language": "ru"},
    {},
    {"format": "csv", "source": "browser", "first": "2026-01-06", "last": None},
    {"format": "xlsx", "source": "command line", "first": None, "last": None},
    {"format": "json", "source": "browser", "first": None, "last": "2026-02-01"},
    {"format": "delivery pack", "source": "browser"},
    {},
    {},
]


def test_upgrading_reads_old_history_sentences_into_values_and_keeps_the_rest(
    empty_database_app: Flask,
) -> None:
    """Each sentence the code wrote becomes values the pages translate; anything else stays."""
    from sqlalchemy import column, insert, table

    from petition.models import Invalidation, PetitionEvent, UTCDateTime
    from petition.organisers.accounts import set_organiser_password
    from tests.conftest import PASSWORD

    app = empty_database_app
    runner = app.test_cli_runner()
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "bdc4371b15c9"])  # history as sentences
        assert before.exit_code == 0, before.output
        now = utcnow()
        petitions = table(
            "petitions",
            *map(column, ("slug", "title", "body", "signature_count", "collects_country")),
            *map(column, ("blocks_disposable", "language")),
            column("created_at", UTCDateTime),
        )
        petition_id = db.session.scalar(
            insert(petitions)
            .values(
                slug="old", title="Old", body="x", signature_count=0, collects_country=False,
                blocks_disposable=False, language="en", created_at=now,
            )
            .returning(column("id"))
        )  # fmt: skip
        events = table(
            "petition_events", *map(column, ("petition_id", "action", "detail")),
            column("created_at", UTCDateTime),
        )  # fmt: skip
        for action, detail in OLD_EVENTS:
            db.session.execute(
                insert(events).values(
                    petition_id=petition_id, action=action, detail=detail, created_at=now
                )
            )
        invalidations = table(
            "invalidations", *map(column, ("petition_id", "criteria", "reason", "count")),
            column("created_at", UTCDateTime),
        )  # fmt: skip
        for criteria in ("domain spam.example, from 2026-01-05 10:00 UTC", "by hand: odd ones"):
            db.session.execute(
                insert(invalidations).values(
                    petition_id=petition_id, criteria=criteria, reason="spam", count=1,
                    created_at=now,
                )
            )  # fmt: skip
        db.session.commit()

        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        stored = db.session.scalars(select(PetitionEvent).order_by(PetitionEvent.id)).all()
        assert [event.values for event in stored] == OLD_VALUES
        kept = [(event.action, event.detail) for event in stored if event.detail]
        assert kept == OLD_EVENTS[-2:], "only what could not be read keeps its sentence"
        records = db.session.scalars(select(Invalidation).order_by(Invalidation.id)).all()
        assert [(record.criteria_values, record.criteria) for record in records] == [
            ({"domain": "spam.example", "since": "2026-01-05T10:00:00+00:00"}, ""),
            ({}, "by hand: odd ones"),
        ]
        organiser = set_organiser_password("o@example.org", PASSWORD)
        db.session.execute(
            table("memberships", column("petition_id"), column("organiser_id"))
            .insert()
            .values(petition_id=petition_id, organiser_id=organiser.id)
        )
        db.session.commit()

    client = app.test_client()
    client.post("/organisers/login", data={"email": "o@example.org", "password": PASSWORD})
    english = client.get("/organisers/petitions/old/?lang=en").get_data(as_text=True)
    for line in (
        "Published at /petitions/old",
        "Changed title, last day to sign",
        "Sent 3 confirmation links again to pending signers older than 24 h",
        "a***@example.org, held for rate limit: Our office: one address",
        "Reinstated: all held for invalidation: Это живые люди",
        "Version added: Русский",
        "XLSX, command line, all dates",
        "JSON, the start to 2026-02-01",
        "Delivery pack (PDF)",
        "Edited: Changed the colour of the sky",
        "Renamed: Renamed by hand",
    ):
        assert line in english, line
    russian = client.get("/organisers/petitions/old/?lang=ru").get_data(as_text=True)
    for line in (
        "Опубликована по адресу /petitions/old",
        "поля: заголовок, последний день для подписи",
        "a***@example.org, задержана (слишком частые подписи): Our office: one address",
        "все задержанные (аннулирование): Это живые люди",
        "XLSX, командная строка, все даты",
        "с начала по 2026-02-01",
        "Changed the colour of the sky",  # kept as it was stored
    ):
        assert line in russian, line
    activity = client.get("/organisers/petitions/old/activity/?lang=ru").get_data(as_text=True)
    assert "домен spam.example, с 2026-01-05 10:00 UTC" in activity
    assert "by hand: odd ones" in activity


def test_mail_queued_before_composing_at_delivery_is_still_delivered_after_the_upgrade(
    empty_database_app: Flask, smtp: SMTPServer
) -> None:
    """A message the old code queued with its text goes out as written, once, after the upgrade."""
    from sqlalchemy import column, insert, table

    from petition.mail.outbox import deliver_due
    from petition.models import UTCDateTime

    app = empty_database_app
    runner = app.test_cli_runner()
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "c57b56f32b61"])  # rows held their text
        assert before.exit_code == 0, before.output
        outbox = table(
            "outbox",
            *map(column, ("recipient", "subject", "body_text", "body_html", "state", "attempts")),
            column("created_at", UTCDateTime),
            column("next_attempt_at", UTCDateTime),
        )
        now = utcnow()
        db.session.execute(
            insert(outbox).values(
                recipient="ann@example.org", subject="Подтвердите подпись",
                body_text="Откройте ссылку: https://petitions.example.org/confirm/old",
                body_html="<p>Откройте ссылку</p>", state="pending", attempts=0,
                created_at=now, next_attempt_at=now,
            )
        )  # fmt: skip
        db.session.commit()
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        assert deliver_due().sent == 1
        assert deliver_due().claimed == 0
    [message] = smtp.sink.wait_for(1)
    assert message["To"] == "ann@example.org" and message["Subject"] == "Подтвердите подпись"
    assert (
        "https://petitions.example.org/confirm/old"
        in must(message.get_body(("plain",))).get_content()
    )
    assert "Откройте ссылку" in must(message.get_body(("html",))).get_content()


def test_counts_past_what_integer_holds_are_kept_and_a_downgrade_caps_them(
    empty_database_app: Flask,
) -> None:
    """Counts strangers raise hold 64 bits; going back, a count too large for INTEGER stops at
    the largest it holds (SQLite's INTEGER holds 64 bits either way)."""
    big, integer_max = 2**31 + 5, 2**31 - 1
    runner = empty_database_app.test_cli_runner()
    with empty_database_app.app_context():
        upgrade = runner.invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        db.session.execute(
            text(
                "INSERT INTO petitions (id, slug, title, body, collects_country, created_at,"
                " signature_count, blocks_disposable, log_size)"
                " VALUES (1, 'big', 'Big', 'Text', false, CURRENT_TIMESTAMP, :n, false, :n)"
            ),
            {"n": big},
        )
        db.session.execute(
            text(
                "INSERT INTO letter_actions (petition_id, title, subject, body, letters_sent,"
                " created_at, updated_at)"
                " VALUES (1, 'Write', 'S', 'B', :n, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"n": big},
        )
        db.session.commit()
        joined = " FROM petitions JOIN letter_actions ON letter_actions.petition_id = petitions.id"
        counts = "SELECT signature_count, log_size, letters_sent" + joined
        assert tuple(db.session.execute(text(counts)).one()) == (big,) * 3
        db.session.commit()
        downgrade = runner.invoke(args=["db", "downgrade", "7b2e4f6a8c13"])
        assert downgrade.exit_code == 0, downgrade.output
        # Going back past revision 0018 gives log_counted the count again, then caps it too.
        counts = "SELECT signature_count, log_size, log_counted, letters_sent" + joined
        capped = big if db.engine.dialect.name == "sqlite" else integer_max
        assert tuple(db.session.execute(text(counts)).one()) == (capped,) * 4
        db.session.execute(text("DELETE FROM letter_actions"))
        db.session.execute(text("DELETE FROM petitions"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_upgrading_keeps_only_the_codes_of_stored_mail_failures(empty_database_app: Flask) -> None:
    """Failures stored in full before 0020 kept the relay's words, and with them the address."""
    from sqlalchemy import column, insert, select, table

    from petition.models import UTCDateTime

    app = empty_database_app
    runner = app.test_cli_runner()
    outbox = table(
        "outbox",
        *map(column, ("id", "state", "attempts", "priority", "last_error")),
        column("created_at", UTCDateTime),
        column("next_attempt_at", UTCDateTime),
    )
    stored = {
        "SMTPRecipientsRefused({'ann@example.org': (550, b'5.1.1 <ann@example.org>: no such')})": (
            "550 5.1.1"
        ),
        "gave up after 12 attempts: SMTPDataError(451, b'4.3.0 bob@example.org busy')": (
            "gave up after 12 attempts: 451 4.3.0"
        ),
        "nothing left to send: signature 5 is gone": "nothing left to send",
        "SMTPServerDisconnected('Connection unexpectedly closed')": "error details removed",
    }
    with app.app_context():
        before = runner.invoke(args=["db", "upgrade", "0019_held_status"])
        assert before.exit_code == 0, before.output
        now = utcnow()
        for error in stored:
            db.session.execute(
                insert(outbox).values(
                    state="failed", attempts=1, priority=0, last_error=error,
                    created_at=now, next_attempt_at=now,
                )
            )  # fmt: skip
        db.session.commit()
        after = runner.invoke(args=["db", "upgrade"])
        assert after.exit_code == 0, after.output
        kept = db.session.scalars(select(outbox.c.last_error).order_by(outbox.c.id)).all()
    assert kept == list(stored.values())
    assert not any("@" in error for error in kept)
