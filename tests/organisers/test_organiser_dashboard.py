"""A petition's page for its organisers: counts, rate, the per-day chart, countries, sharing."""

import re
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus
from petition.organisers.chart import BOTTOM, HEIGHT, TOP, daily_chart
from petition.organisers.sharing import qr_code
from petition.petitions.stats import Day, by_country, daily, summary
from tests.conftest import PASSWORD

# Known data: (day signed, confirmed?, country)
SIGNATURES = [
    (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), True, "KZ"),
    (datetime(2026, 3, 1, 8, 0, tzinfo=UTC), True, "KZ"),
    (datetime(2026, 3, 1, 9, 0, tzinfo=UTC), False, "RU"),
    (datetime(2026, 3, 3, 0, 0, tzinfo=UTC), True, "RU"),
    (datetime(2026, 3, 4, 12, 0, tzinfo=UTC), False, None),
    (datetime(2026, 3, 4, 13, 0, tzinfo=UTC), False, None),
]


@pytest.fixture
def known(make_petition) -> Petition:
    """A petition with the signatures above, written directly so their days are exact."""
    petition = make_petition(collects_country=True)
    for n, (signed_at, confirmed, country) in enumerate(SIGNATURES):
        db.session.add(
            Signature(
                petition_id=petition.id,
                name=f"Signer {n}",
                email=f"s{n}@example.org",
                email_canonical=f"s{n}@example.org",
                country=country,
                status=SignatureStatus.CONFIRMED if confirmed else SignatureStatus.PENDING,
                created_at=signed_at,
                confirmed_at=signed_at if confirmed else None,
            )
        )
    petition.signature_count = sum(1 for _, confirmed, _ in SIGNATURES if confirmed)
    db.session.commit()
    return petition


def test_daily_counts_match_the_known_data_with_gaps_filled(known: Petition) -> None:
    assert daily(known) == [
        Day(date(2026, 3, 1), 3, 2),
        Day(date(2026, 3, 2), 0, 0),
        Day(date(2026, 3, 3), 1, 1),
        Day(date(2026, 3, 4), 2, 0),
    ]
    figures = summary(known)
    assert (figures.verified, figures.pending, figures.confirmation_rate) == (3, 3, 0.5)
    assert by_country(known) == [("KZ", 2), ("RU", 1)]


def test_the_chart_draws_each_bar_in_proportion(known: Petition) -> None:
    svg = str(daily_chart(daily(known)))
    assert '<svg class="chart"' in svg and 'role="img"' in svg and "<script" not in svg
    bars = re.findall(
        r'<rect class="(\w+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" '
        r'data-count="(\d+)"',
        svg,
    )
    assert [(kind, int(count)) for kind, _, _, count in bars] == [
        ("verified", 2), ("pending", 1), ("verified", 1), ("pending", 2)
    ]  # fmt: skip
    # The axis top is 5 (the smallest 1-2-5 step at least 3): one signature is a fifth of the plot.
    unit = (HEIGHT - TOP - BOTTOM) / 5
    for _, _, height, count in bars:
        assert float(height) == pytest.approx(int(count) * unit, abs=0.1)
    # The labels are page text, so a phone shows them at the page's size, not scaled down.
    assert "<span>5</span><span>0</span>" in svg
    assert "<span>01 Mar 2026</span><span>04 Mar 2026</span>" in svg


def test_no_signatures_means_no_chart(make_petition) -> None:
    petition = make_petition()
    assert daily(petition) == [] and str(daily_chart([])) == ""
    assert summary(petition).confirmation_rate is None


def test_the_page_shows_figures_chart_table_and_countries(
    client: FlaskClient, known: Petition
) -> None:
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    page = client.get(f"/organisers/petitions/{known.slug}/").get_data(as_text=True)
    assert re.search(r'id="verified">3<', page) and re.search(r'id="pending">3<', page)
    assert re.search(r'id="rate">50%<', page)
    assert '<svg class="chart"' in page
    table = page.split('id="per-day"')[1].split("</table>")[0]
    assert re.findall(r"<th scope=\"row\">([\d-]+)</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", table) == [
        ("2026-03-04", "2", "0"), ("2026-03-03", "1", "1"), ("2026-03-02", "0", "0"), ("2026-03-01", "3", "2")
    ]  # fmt: skip
    countries = page.split('id="by-country"')[1].split("</table>")[0]
    assert "Kazakhstan" in countries and "Russian Federation" in countries


def test_share_links_and_qr_code(client: FlaskClient, known: Petition) -> None:
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    page = client.get(f"/organisers/petitions/{known.slug}/").get_data(as_text=True)
    url = f"https://petitions.example.org/petitions/{known.slug}"
    assert f'value="{url}"' in page
    for host in ("t.me/share", "wa.me", "facebook.com/sharer", "x.com/intent", "mailto:"):
        assert host in page
    assert "<script" not in page.split("<main")[1]
    svg = client.get(f"/organisers/petitions/{known.slug}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<?xml")
    png = client.get(f"/organisers/petitions/{known.slug}/qr.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert client.get(f"/organisers/petitions/{known.slug}/qr.gif").status_code == 404


def test_the_qr_code_carries_the_public_address_not_the_request_host(
    client: FlaskClient, known: Petition
) -> None:
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    served = client.get(f"/organisers/petitions/{known.slug}/qr.png").data
    public = qr_code(f"https://petitions.example.org/petitions/{known.slug}", "png")
    local = qr_code(f"http://localhost/petitions/{known.slug}", "png")
    assert served == public and served != local


def test_the_sign_form_asks_for_a_country_only_when_the_petition_collects_it(
    client: FlaskClient, known: Petition, make_petition
) -> None:
    plain = make_petition(title="No countries")
    assert 'name="country"' not in client.get(f"/petitions/{plain.slug}?lang=en").get_data(
        as_text=True
    )
    page = client.get(f"/petitions/{known.slug}?lang=en").get_data(as_text=True)
    assert '<option value="KZ">Kazakhstan</option>' in page
    missing = client.post(
        f"/petitions/{known.slug}/sign", data={"name": "A", "email": "a@example.org"}
    )
    assert missing.status_code == 400 and "Please choose your country." in missing.get_data(
        as_text=True
    )
    bogus = client.post(
        f"/petitions/{known.slug}/sign",
        data={"name": "A", "email": "a@example.org", "country": "XX"},
    )
    assert bogus.status_code == 400 and "Not a valid choice" in bogus.get_data(as_text=True)
    ok = client.post(
        f"/petitions/{known.slug}/sign",
        data={"name": "A", "email": "a@example.org", "country": "KZ"},
    )
    assert ok.status_code == 303
    assert (
        db.session.scalar(select(Signature.country).where(Signature.email == "a@example.org"))
        == "KZ"
    )
