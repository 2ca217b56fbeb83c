"""The public JSON API: its answers, its openness to other sites, caching, and its OpenAPI description."""

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus, utcnow
from petition.petitions.editing import StateChange, change_state
from petition.petitions.listing import MAX_PER_PAGE
from petition.signing.signatures import sign_petition
from tests.conftest import PASSWORD
from tests.helpers.checks import json_of, must

PUBLIC = "https://petitions.example.org"


def signed(petition: Petition, email: str, country: str | None, confirmed: bool = True) -> None:
    """A signature on the petition, confirmed or left pending."""
    sign_petition(petition, name=f"Name {email}", email=email, country=country)
    if confirmed:
        signature = db.session.scalar(select(Signature).where(Signature.email == email))
        assert signature is not None
        signature.status = SignatureStatus.CONFIRMED
        signature.petition.signature_count += 1
        db.session.commit()


@pytest.fixture
def catalogue(make_petition) -> dict[str, Petition]:
    """Three open petitions and two closed ones, created in this order."""
    past = (utcnow() - timedelta(days=3)).date()
    made = {}
    for name in ("open-1", "closed-1", "open-2", "closed-2", "open-3"):
        closes = {"closes_on": past} if name.startswith("closed") else {}
        made[name] = make_petition(title=f"Petition {name}", slug=name, **closes)
    return made


def slugs(response) -> list[str]:
    return [p["slug"] for p in response.json["petitions"]]


def test_the_list_pages_newest_first_and_filters_by_state(
    client: FlaskClient, catalogue: dict[str, Petition]
) -> None:
    first = client.get("/api/v1/petitions?per_page=2")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert slugs(first) == ["open-3", "closed-2"]
    assert (
        json_of(first)["total"] == 5
        and json_of(first)["page"] == 1
        and json_of(first)["previous"] is None
    )
    assert json_of(first)["next"] == f"{PUBLIC}/api/v1/petitions?page=2&per_page=2"
    last = client.get("/api/v1/petitions?per_page=2&page=3")
    assert slugs(last) == ["open-1"] and json_of(last)["next"] is None
    assert json_of(last)["previous"] == f"{PUBLIC}/api/v1/petitions?page=2&per_page=2"
    assert slugs(client.get("/api/v1/petitions?state=open")) == ["open-3", "open-2", "open-1"]
    closed = client.get("/api/v1/petitions?state=closed&per_page=1")
    assert slugs(closed) == ["closed-2"]
    assert json_of(closed)["next"] == f"{PUBLIC}/api/v1/petitions?page=2&per_page=1&state=closed"
    assert json_of(client.get("/api/v1/petitions?page=9"))["petitions"] == []


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "page=%C2%B2", "page=100001",
     f"per_page={MAX_PER_PAGE + 1}", "per_page=", "state=pending", "state=OPEN"],
)  # fmt: skip
def test_a_bad_query_gets_a_json_400_that_says_why(
    client: FlaskClient, catalogue: dict[str, Petition], query: str
) -> None:
    response = client.get(f"/api/v1/petitions?{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert json_of(response)["error"]["status"] == 400
    assert re.search(
        r"must be (open or closed|a whole number from 1 to \d+)\.",
        json_of(response)["error"]["message"],
    )


def test_one_petition_and_its_count(client: FlaskClient, make_petition) -> None:
    petition = make_petition(
        body="Families are **evicted**.\n\nSecond paragraph.", goal=500, slug="evictions"
    )
    signed(petition, "a@example.org", None)
    signed(petition, "b@example.org", None, confirmed=False)
    data = client.get("/api/v1/petitions/evictions").json
    assert data == {
        "slug": "evictions",
        "title": "Stop the forced evictions",
        "language": "en",
        "original_language": "en",
        "languages": ["en"],
        "target": "The city administration",
        "summary": "Families are evicted.",
        "url": f"{PUBLIC}/petitions/evictions",
        "state": "open",
        "signature_count": 1,
        "goal": 500,
        "created_at": petition.created_at.isoformat(),
        "closes_at": None,
        "paper_signature_count": 0,
        "milestones": [],
        "support_message_count": 0,
        "letter_actions": [],
    }
    count = client.get("/api/v1/petitions/evictions/count").json
    assert count == {
        "slug": "evictions",
        "signature_count": 1,
        "goal": 500,
        "paper_signature_count": 0,
    }


def test_countries_count_verified_signatures_and_never_name_anyone(make_app, make_petition) -> None:
    petition = make_petition(slug="evictions")
    for number, country in enumerate(["KZ", "KZ", "RU", None, "KZ"]):
        signed(petition, f"signer{number}@example.org", country)
    signed(petition, "pending@example.org", "RU", confirmed=False)
    app = make_app(PUBLIC_COUNTRY_MIN=1)  # every country shown on its own
    response = app.test_client().get("/api/v1/petitions/evictions/countries")
    assert response.json["countries"][0] == {"country": "KZ", "signature_count": 3}
    assert sorted(response.json["countries"][1:], key=str) == sorted(
        [{"country": "RU", "signature_count": 1}, {"country": None, "signature_count": 1}], key=str
    )
    assert response.json["other_countries"] == 0
    assert "@" not in response.get_data(as_text=True) and "Name" not in response.get_data(
        as_text=True
    )


def test_countries_below_the_threshold_are_only_counted_together(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(slug="evictions", collects_country=True)
    for number, country in enumerate(["KZ"] * 5 + ["RU"] * 4 + ["MN", None]):
        signed(petition, f"signer{number}@example.org", country)
    response = client.get("/api/v1/petitions/evictions/countries")
    assert response.json == {
        "slug": "evictions",
        "countries": [
            {"country": "KZ", "signature_count": 5},
            {"country": None, "signature_count": 1},
        ],
        "other_countries": 5,  # RU's 4 and MN's 1, neither named
        "min_count": 5,
    }
    # The petition's organisers still see every exact count on their own page.
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    page = client.get("/organisers/petitions/evictions/").get_data(as_text=True)
    table = page.split('id="by-country"')[1].split("</table>")[0]
    assert re.search(r"Mongolia</th><td class=\"num\">1<", table)
    assert re.search(r"Russian Federation</th><td class=\"num\">4<", table)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/petitions/nope", "/api/v1/petitions/nope/count", "/api/v1/petitions/nope/countries",
     "/api/v1/petitions/UPPER", "/api/v1/petitions/a%00b/count", "/api/v1/nothing", "/api/v1/"],
)  # fmt: skip
def test_unknown_addresses_answer_in_json(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.json == {"error": {"status": 404, "message": "Not Found"}}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_any_site_may_read_it_and_caches_may_keep_it(
    client: FlaskClient, catalogue: dict[str, Petition]
) -> None:
    response = client.get("/api/v1/petitions/open-1", headers={"Origin": "https://blog.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "ETag"
    assert response.cache_control.public and response.cache_control.max_age == 5
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    again = client.get("/api/v1/petitions/open-1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    preflight = client.options(
        "/api/v1/petitions",
        headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.post("/api/v1/petitions").status_code == 405


def test_a_new_signature_changes_the_etag(client: FlaskClient, make_petition) -> None:
    petition = make_petition(slug="evictions")
    before = client.get("/api/v1/petitions/evictions/count").headers["ETag"]
    signed(petition, "a@example.org", None)
    after = client.get("/api/v1/petitions/evictions/count", headers={"If-None-Match": before})
    assert after.status_code == 200 and json_of(after)["signature_count"] == 1


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule).removeprefix("/api/v1")


def test_the_description_covers_every_api_route_and_nothing_else(
    app: Flask, client: FlaskClient
) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document is not None
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/api/v1"}]
    routes = {
        _openapi_path(rule.rule): must(rule.methods) - {"HEAD", "OPTIONS"}
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("api.", "log."))
    }
    described = {
        path: {m.upper() for m in operations if m != "servers"}
        for path, operations in must(document)["paths"].items()
    }
    assert described == routes
    assert "/petitions/{slug}/countries" in described
    # The log is served at the site's root, in the formats its verifiers read.
    for path, item in must(document)["paths"].items():
        assert ("servers" in item) == (path.startswith("/log/") or "/log/" in path)


def test_a_petition_its_organisers_hid_is_gone_from_the_api(
    client: FlaskClient, catalogue: dict[str, Petition], make_organiser
) -> None:
    change_state(catalogue["open-2"], make_organiser(), StateChange.HIDE)
    assert "open-2" not in slugs(client.get("/api/v1/petitions"))
    assert json_of(client.get("/api/v1/petitions"))["total"] == 4
    for path in ("", "/count", "/countries"):
        assert client.get(f"/api/v1/petitions/open-2{path}").status_code == 404
