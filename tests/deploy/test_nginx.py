"""The shipped nginx configuration, run by Debian's nginx in front of a real gunicorn: public reads
come from its cache, nothing personal ever does, signing works through it, and the limits see
the client's address, not one a client wrote into a header."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from petition.petitions.publishing import create_petition
from tests.conftest import PASSWORD, SMTPServer
from tests.helpers.checks import must
from tests.helpers.http import form_token, organiser_session
from tests.helpers.nginx import Nginx, check
from tests.helpers.processes import wait_until
from tests.helpers.signing import count_of, signature_of

STYLESHEET = re.compile(r'href="(/static/site\.css\?v=[0-9a-f]{12})"')


def test_the_shipped_configuration_passes_nginx_t(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.fixture
def front(tmp_path: Path) -> Iterator[Nginx]:
    nginx = Nginx(tmp_path)
    yield nginx
    nginx.stop()


@pytest.fixture
def served(
    app: Flask, make_organiser: Callable[..., Any], gunicorn: Callable[..., Any], front: Nginx
) -> Callable[..., str]:
    """Start gunicorn (with extra settings) behind nginx; the slug of a petition it serves."""

    def start(workers: int = 2, **settings: str) -> str:
        slug = create_petition(
            title="Free the lawyer", body="Now.", organiser=make_organiser()
        ).slug
        server = gunicorn(workers, settings={"FLASK_PUBLIC_URL": front.url} | settings)
        front.start(server.port)
        return slug

    return start


def sign(session: requests.Session, base: str, slug: str, email: str, **headers: str) -> int:
    page = session.get(f"{base}/petitions/{slug}", timeout=10)
    data = {"form_token": form_token(page.text), "name": "Айгерим", "email": email}
    response = session.post(
        f"{base}/petitions/{slug}/sign",
        data=data,
        headers={"Origin": base} | headers,
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def cache_status(response: requests.Response) -> str:
    return response.headers.get("X-Cache-Status", "-")


def test_public_reads_come_from_the_cache_one_copy_per_language(
    served: Callable[..., str], front: Nginx
) -> None:
    slug = served()
    count = f"{front.url}/petitions/{slug}.json"
    first, second = requests.get(count, timeout=10), requests.get(count, timeout=10)
    assert [cache_status(first), cache_status(second)] == ["MISS", "HIT"]
    assert second.json() == first.json()
    for response in (first, second):
        assert "Set-Cookie" not in response.headers

    page = f"{front.url}/petitions/{slug}"
    pages = [requests.get(f"{page}?lang=en", timeout=10) for _ in range(2)]
    assert [cache_status(p) for p in pages] == ["MISS", "HIT"]
    assert form_token(pages[0].text) == form_token(pages[1].text), "one copy for everyone"
    for response in pages:
        assert "Set-Cookie" not in response.headers and '<html lang="en">' in response.text

    # The bare address leads each reader to their language's copy, never to another's.
    asked = {"ru": "ru-RU,ru;q=0.9,en;q=0.5", "kk": "kk,ru;q=0.8", "en": "en-GB,en;q=0.9"}
    for _ in range(2):
        for language, header in asked.items():
            answer = requests.get(
                page, headers={"Accept-Language": header}, allow_redirects=False, timeout=10
            )
            assert answer.status_code == 302
            assert answer.headers["Location"].endswith(f"?lang={language}"), (language, answer)
    chosen = requests.get(page, headers={"Accept-Language": "kk"}, timeout=10)
    assert '<html lang="kk">' in chosen.text and "Set-Cookie" not in chosen.headers
    again = requests.get(page, headers={"Accept-Language": "kk"}, timeout=10)
    assert cache_status(again) == "HIT" and '<html lang="kk">' in again.text

    stylesheet = must(STYLESHEET.search(pages[0].text)).group(1)
    css = requests.get(f"{front.url}{stylesheet}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200 and css.headers["Content-Encoding"] == "gzip"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    bare = requests.get(f"{front.url}/static/site.css", timeout=10)
    assert bare.headers["Cache-Control"] == "no-cache", "an address without its fingerprint"


def test_signing_and_confirming_work_through_it_and_no_visitor_sees_another_s_message(
    served: Callable[..., str], front: Nginx, smtp: SMTPServer
) -> None:
    slug = served()
    signer = requests.Session()
    assert sign(signer, front.url, slug, "aigerim@example.org") == 303
    own = signer.get(f"{front.url}/petitions/{slug}/check-email", timeout=10)
    assert own.status_code == 200 and "aigerim@example.org" in own.text
    stranger = requests.get(f"{front.url}/petitions/{slug}/check-email", timeout=10)
    assert "aigerim@example.org" not in stranger.text
    assert stranger.headers.get("X-Cache-Status") != "HIT"
    # With a session of their own, the signer's pages bypass the cache, whichever copy it holds.
    requests.get(f"{front.url}/petitions/{slug}?lang=en", timeout=10)
    mine = signer.get(f"{front.url}/petitions/{slug}?lang=en", timeout=10)
    assert cache_status(mine) == "BYPASS"

    [message] = smtp.sink.wait_for(1)
    text = must(message.get_body(("plain",))).get_content()
    link = must(re.search(rf"{re.escape(front.url)}/confirm/\S+", text)).group(0)
    assert requests.post(link, headers={"Origin": front.url}, timeout=10).status_code == 200
    assert count_of(slug) == 1
    # The count's copy lasts PAGE_CACHE_MAX_AGE (5 s); then the confirmation shows through.
    wait_until(
        lambda: (
            requests.get(f"{front.url}/petitions/{slug}.json", timeout=10).json()["signature_count"]
            == 1
        ),
        15,
        "the cached count catches up",
    )


def test_a_logged_in_organiser_gets_their_own_page_and_leaves_no_copy(
    served: Callable[..., str], front: Nginx
) -> None:
    slug = served()
    page = f"{front.url}/petitions/{slug}?lang=en"
    anonymous = [requests.get(page, timeout=10) for _ in range(2)]
    assert cache_status(anonymous[1]) == "HIT"
    organiser = organiser_session(front.url, "organiser@example.org", PASSWORD)
    theirs = organiser.get(page, timeout=10)
    assert cache_status(theirs) == "BYPASS" and "/organisers/logout" in theirs.text
    assert theirs.headers["Cache-Control"] == "private, no-store"
    after = requests.get(page, timeout=10)
    assert cache_status(after) == "HIT" and "/organisers/logout" not in after.text


def test_a_cross_site_post_is_refused_and_changes_nothing(
    served: Callable[..., str], front: Nginx
) -> None:
    slug = served()
    forged = requests.Session()
    status = sign(forged, front.url, slug, "victim@example.org", Origin="https://evil.example")
    assert status in (400, 403)
    assert count_of(slug) == 0


def test_the_limits_count_the_address_nginx_saw_not_one_written_in_a_header(
    served: Callable[..., str], front: Nginx
) -> None:
    # One worker, so that its memory holds every count.
    slug = served(1, FLASK_SIGN_RATE_LIMIT="2 per minute", FLASK_RATELIMIT_STORAGE_URI="memory://")
    statuses = [
        sign(requests.Session(), front.url, slug, f"s{n}@example.org", **{
            "X-Forwarded-For": f"203.0.113.{n}"
        })
        for n in range(3)
    ]  # fmt: skip
    assert statuses == [303, 303, 303], "past the limit a signature is held quietly"
    flags = [signature_of(f"s{n}@example.org").flag_reason for n in range(3)]
    assert flags == [None, None, "rate-limit"], "a forged address does not buy a fresh limit"


def test_a_flood_of_posts_meets_nginx_s_wall_before_the_app(
    served: Callable[..., str], front: Nginx
) -> None:
    slug = served()
    answers = [
        requests.post(f"{front.url}/petitions/{slug}/sign", data={}, timeout=10) for _ in range(40)
    ]
    walled = [a for a in answers if a.status_code == 429 and "nginx" in a.text]
    assert walled, "more than 20 POSTs at once from one address reach the wall"
    assert requests.get(f"{front.url}/petitions/{slug}?lang=en", timeout=10).status_code == 200
