"""Rate limits per client address (as ProxyFix vouches for it), in memory and in Redis."""

import uuid
from collections.abc import Callable

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from petition.accounts import set_organiser_password
from petition.petitions import create_petition
from tests.conftest import PASSWORD, free_port, service_missing

REDIS_URL = "redis://127.0.0.1:6379"


def sign(client: FlaskClient, slug: str, n: int, **kw):
    data = {"name": f"Signer {n}", "email": f"signer{n}@example.org"}
    return client.post(f"/petitions/{slug}/sign", data=data, **kw)


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
        settings |= {"RATELIMIT_STORAGE_URI": REDIS_URL}
    return make_app(**settings)


def test_the_widget_shares_the_pages_signing_budget(limited_app: Flask) -> None:
    client = limited_app.test_client()
    slug = publisher(limited_app)()
    assert [sign(client, slug, n).status_code for n in range(3)] == [303, 303, 303]
    widget = client.post(
        f"/petitions/{slug}/embed/sign", data={"name": "A", "email": "a@example.org"}
    )
    assert widget.status_code == 429  # the frame is no second door for the same address


def test_signing_is_limited_per_address_per_petition(limited_app: Flask) -> None:
    client = limited_app.test_client()
    first, second = publisher(limited_app)("First"), publisher(limited_app)("Second")
    statuses = [sign(client, first, n).status_code for n in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert "Too many requests" in sign(client, first, 9).get_data(as_text=True)
    assert sign(client, second, 5).status_code == 303  # another petition: its own bucket
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert sign(client, first, 6, environ_base=other).status_code == 303
    if limited_app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL:  # the counters really are there
        assert redis.Redis.from_url(REDIS_URL).keys(f"*|{first}/*")


def test_a_forged_forwarded_for_changes_nothing(limited_app: Flask) -> None:
    client = limited_app.test_client()
    slug = publisher(limited_app)()
    statuses = [
        sign(client, slug, n, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429


def test_behind_trusted_proxies_the_forwarded_address_is_the_client(make_app) -> None:
    app = make_app(TRUSTED_PROXY_HOPS=1, SIGN_RATE_LIMIT="1 per minute")
    client, slug = app.test_client(), publisher(app)()
    for n in range(3):
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert sign(client, slug, n, headers=forwarded).status_code == 303
    assert sign(client, slug, 9, headers={"X-Forwarded-For": "203.0.113.0"}).status_code == 429


def test_login_attempts_are_limited_but_the_form_still_shows(limited_app: Flask) -> None:
    client = limited_app.test_client()
    wrong = {"email": "nobody@example.org", "password": "wrong password"}
    statuses = [client.post("/organisers/login", data=wrong).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert client.get("/organisers/login").status_code == 200


def test_signing_still_works_while_the_counter_store_is_down(make_app) -> None:
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}")
    assert sign(app.test_client(), publisher(app)(), 1).status_code == 303
