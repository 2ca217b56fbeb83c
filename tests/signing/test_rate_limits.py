"""Rate limits per client address (as ProxyFix vouches for it), in memory and in Redis.

Signing past the limit is held quietly, never refused: the page looks the same, and no mail leaves
for a client over its limit (the form is no relay)."""

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from petition.exports.rows import export_chunks
from petition.extensions import db, limiter
from petition.mail.outbox import deliver_due
from petition.models import Petition, Signature
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature
from tests.conftest import PASSWORD, free_port, service_missing
from tests.helpers.checks import json_of, must
from tests.helpers.mailbox import owed_mail
from tests.helpers.signing import sign

REDIS_URL = "redis://127.0.0.1:6379"


def sign_as(client: FlaskClient, slug: str, n: int, **kw: Any) -> TestResponse:
    """Sign as signer number `n` (Signer n, signern@example.org)."""
    return sign(client, slug, name=f"Signer {n}", email=f"signer{n}@example.org", **kw)


def publisher(app: Flask) -> Callable[..., str]:
    """Publish petitions in this app only: the make_petition fixture would build a second app,
    and the limiter (one object, as every extension) follows the app built last."""

    def publish(title: str = "Stop the evictions") -> str:
        with app.app_context():
            organiser = set_organiser_password("organiser@example.org", PASSWORD)
            # A slug of this test's own: counters in a shared Redis never meet another test's.
            unique = f"{title} {uuid.uuid4().hex[:12]}"
            return create_petition(title=unique, body="Now.", organiser=organiser).slug

    return publish


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, make_app) -> Flask:
    """An app whose signing limit is 3 a minute, counted in memory or in a real Redis."""
    settings = {"SIGN_RATE_LIMIT": "3 per minute; 5 per day", "LOGIN_RATE_LIMIT": "2 per minute"}
    if request.param == "redis":
        try:
            redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
        except redis.RedisError as exc:
            service_missing(f"Redis at {REDIS_URL}: {exc}")
        # Counters of this test's own: the per-client mail budget spans petitions and a day.
        settings |= {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    return make_app(**settings)


def held(app: Flask, slug: str) -> dict[str, tuple[str, str | None]]:
    """Each stored signature of the petition: its email, status and flag."""
    with app.app_context():
        rows = db.session.execute(
            select(Signature.email, Signature.status, Signature.flag_reason)
            .join(Petition)
            .where(Petition.slug == slug)
        ).all()
        return {email: (status, flag) for email, status, flag in rows}


def published(app: Flask, slug: str) -> tuple[int, str]:
    """What the public and the organisers' export see: the count and the exported rows."""
    with app.app_context():
        petition = db.session.scalar(select(Petition).filter_by(slug=slug))
        assert petition is not None
        return petition.signature_count, "".join(export_chunks(petition, "csv"))


def test_the_widget_shares_the_pages_signing_budget(limited_app: Flask) -> None:
    client = limited_app.test_client()
    slug = publisher(limited_app)()
    assert [sign_as(client, slug, n).status_code for n in range(3)] == [303, 303, 303]
    page = client.get(f"/petitions/{slug}/embed").get_data(as_text=True)
    token = must(re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)).group(1)
    widget = client.post(
        f"/petitions/{slug}/embed/sign",
        data={"name": "A", "email": "a@example.org", "form_token": token},
        headers={"Origin": "http://localhost"},
    )
    assert widget.status_code == 303  # the usual answer, but the frame is no second door
    assert held(limited_app, slug)["a@example.org"] == ("held", "rate-limit")


def test_signing_over_the_limit_is_held_quietly_per_address_per_petition(
    limited_app: Flask, smtp
) -> None:
    client = limited_app.test_client()
    first, second = publisher(limited_app)("First"), publisher(limited_app)("Second")
    answers = [sign_as(client, first, n) for n in range(4)]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 303]
    assert len({answer.headers["Location"] for answer in answers}) == 1
    statuses = held(limited_app, first)
    assert statuses["signer3@example.org"] == ("held", "rate-limit")
    assert {statuses[f"signer{n}@example.org"] for n in range(3)} == {("pending", None)}
    assert sign_as(client, second, 5).status_code == 303  # another petition: its own bucket
    other = "198.51.100.7"
    assert sign_as(client, first, 6, address=other).status_code == 303
    assert held(limited_app, first)["signer6@example.org"] == ("pending", None)
    if limited_app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL:  # the counters really are there
        assert redis.Redis.from_url(REDIS_URL).keys(f"*|{first}/*")

    # Over its limit a client causes no mail: the held signer gets none, and nothing public moves.
    with limited_app.app_context():
        deliver_due()
        queued = [message.recipient for message in owed_mail()]
    assert sorted(queued) == [f"signer{n}@example.org" for n in (0, 1, 2, 5, 6)]
    assert sorted(m["To"] for m in smtp.sink.wait_for(5)) == sorted(queued)
    count, export = published(limited_app, first)
    assert count == 0 and "signer3@example.org" not in export
    assert json_of(client.get(f"/petitions/{first}.json"))["signature_count"] == 0


def test_a_client_has_one_daily_mail_budget_across_petitions(make_app, smtp) -> None:
    app = make_app(SIGN_RATE_LIMIT="3 per minute", SIGN_MAIL_LIMIT="4 per day")
    client = app.test_client()
    slugs = [publisher(app)(f"Petition {n}") for n in range(3)]
    answers = [sign_as(client, slug, 10 * p + n) for p, slug in enumerate(slugs) for n in range(2)]
    assert {answer.status_code for answer in answers} == {303}  # each within its petition's limit
    assert len({answer.headers["Location"].split("/")[-1] for answer in answers}) == 1
    with app.app_context():
        queued = [message.recipient for message in owed_mail()]
        stored = db.session.scalars(select(Signature.status)).all()
    assert len(queued) == 4, "the budget spans petitions"
    assert stored == ["pending"] * 6, "over the budget a signature is kept, only its mail is not"
    other = "198.51.100.7"
    assert sign_as(client, slugs[2], 99, address=other).status_code == 303
    with app.app_context():
        assert owed_mail()[-1].recipient == "signer99@example.org"


def test_a_held_submission_leaves_a_counted_signature_as_it_was(limited_app: Flask) -> None:
    client = limited_app.test_client()
    slug = publisher(limited_app)()
    sign_as(client, slug, 0)
    with limited_app.app_context():
        signature = db.session.scalar(select(Signature).filter_by(email="signer0@example.org"))
        assert signature is not None
        confirm_signature(confirmation_token(signature))
    for n in range(1, 4):
        sign_as(client, slug, n)
    assert sign_as(client, slug, 0).status_code == 303  # over the limit, an address already counted
    assert held(limited_app, slug)["signer0@example.org"] == ("confirmed", None)
    assert published(limited_app, slug)[0] == 1


def test_a_forged_forwarded_for_changes_nothing(limited_app: Flask) -> None:
    client = limited_app.test_client()
    slug = publisher(limited_app)()
    for n in range(4):
        sign_as(client, slug, n, headers={"X-Forwarded-For": f"203.0.113.{n}"})
    assert held(limited_app, slug)["signer3@example.org"] == ("held", "rate-limit")


def test_behind_trusted_proxies_the_forwarded_address_is_the_client(make_app) -> None:
    app = make_app(TRUSTED_PROXY_HOPS=1, SIGN_RATE_LIMIT="1 per minute")
    client, slug = app.test_client(), publisher(app)()
    for n in range(3):
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert sign_as(client, slug, n, headers=forwarded).status_code == 303
    assert sign_as(client, slug, 9, headers={"X-Forwarded-For": "203.0.113.0"}).status_code == 303
    statuses = held(app, slug)
    assert {statuses[f"signer{n}@example.org"] for n in range(3)} == {("pending", None)}
    assert statuses["signer9@example.org"] == ("held", "rate-limit")


def test_login_attempts_are_limited_but_the_form_still_shows(limited_app: Flask) -> None:
    client = limited_app.test_client()
    wrong = {"email": "nobody@example.org", "password": "wrong password"}
    # An address of this test's own: login counters in a shared Redis outlive a run.
    address = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"}
    statuses = [
        client.post("/organisers/login", data=wrong, environ_base=address).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    assert client.get("/organisers/login").status_code == 200


def test_while_the_counter_store_is_down_limits_count_in_memory_and_say_so_once(
    make_app, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}", SIGN_RATE_LIMIT="3 per minute"
    )
    slug = publisher(app)()
    client = app.test_client()
    with caplog.at_level("WARNING", logger=app.logger.name):
        statuses = [sign_as(client, slug, n).status_code for n in range(5)]
        wrong = {"email": "nobody@example.org", "password": "wrong password"}
        logins = [client.post("/organisers/login", data=wrong).status_code for _ in range(12)]
    assert statuses == [303] * 5  # signing goes on: past the limit, signatures are held quietly
    states = held(app, slug)
    assert [states[f"signer{n}@example.org"][0] for n in range(5)] == ["pending"] * 3 + ["held"] * 2
    assert 429 in logins, "the login limit counts in memory too"
    down = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(down) == 1, "one line per outage, not one per request"


def _random_64() -> str:
    """An IPv6 /64 of this test's own (counters in a shared Redis outlive a run)."""
    return f"2001:db8:{uuid.uuid4().int % 65536:x}:{uuid.uuid4().int % 65536:x}"


def test_signing_counts_an_ipv6_client_by_its_64_network(limited_app: Flask) -> None:
    client = limited_app.test_client()
    slug = publisher(limited_app)()
    network = _random_64()
    # One subscriber's /64 holds billions of addresses: a new one per attempt buys nothing.
    for n, host in enumerate([":1", ":2", "abcd:1:2:3", "ffff:ffff:ffff:fffe"]):
        assert sign_as(client, slug, n, address=f"{network}:{host}").status_code == 303
    statuses = held(limited_app, slug)
    assert {statuses[f"signer{n}@example.org"] for n in range(3)} == {("pending", None)}
    assert statuses["signer3@example.org"] == ("held", "rate-limit")
    neighbour = f"{_random_64()}::1"  # another /64: a budget of its own
    assert sign_as(client, slug, 4, address=neighbour).status_code == 303
    assert held(limited_app, slug)["signer4@example.org"] == ("pending", None)


def test_login_attempts_count_an_ipv6_client_by_its_64_network(limited_app: Flask) -> None:
    client = limited_app.test_client()
    wrong = {"email": "nobody@example.org", "password": "wrong password"}
    network = _random_64()
    statuses = [
        client.post(
            "/organisers/login", data=wrong, environ_base={"REMOTE_ADDR": f"{network}::{n + 1}"}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_a_forwarded_request_from_a_private_peer_without_trusted_proxies_warns_once(
    make_app, caplog
) -> None:
    app = make_app()  # TRUSTED_PROXY_HOPS=0
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    with caplog.at_level("WARNING", logger=app.logger.name):
        client.get("/privacy", environ_base={"REMOTE_ADDR": "93.184.216.34"}, headers=forwarded)
        assert "TRUSTED_PROXY_HOPS" not in caplog.text  # a public peer: a forged header, no proxy
        client.get("/privacy")  # the loopback, but nothing forwarded
        assert "TRUSTED_PROXY_HOPS" not in caplog.text
        for peer in ("10.0.0.5", "127.0.0.1", "fd00::5"):
            client.get("/privacy", environ_base={"REMOTE_ADDR": peer}, headers=forwarded)
    warnings = [r for r in caplog.records if "TRUSTED_PROXY_HOPS is 0" in r.getMessage()]
    assert len(warnings) == 1 and "10.0.0.5" in warnings[0].getMessage()

    trusting = make_app(TRUSTED_PROXY_HOPS=1)
    caplog.clear()
    with caplog.at_level("WARNING", logger=trusting.logger.name):
        trusting.test_client().get("/privacy", headers=forwarded)
    assert "TRUSTED_PROXY_HOPS" not in caplog.text


def test_a_default_limit_an_operator_sets_still_covers_every_request(
    make_app: Callable[..., Flask],
) -> None:
    """Without one, the limiter's hook before every request is left out; with one, it is back."""
    app = make_app(RATELIMIT_DEFAULT="2 per minute", RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    try:
        client = app.test_client()
        assert [client.get("/privacy").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        limiter.limit_manager.set_default_limits([])  # the limiter outlives this app
