"""The confirmation funnel by email domain and the stall note on the organiser's petition page."""

from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus, utcnow
from petition.petitions.funnel import FLAG_MIN_SIGNED, confirmation_funnel, confirmation_stall
from petition.transactions import write_transaction
from tests.conftest import PASSWORD

SETTLED = timedelta(hours=2)  # old enough to count: the funnel leaves out the last hour


def add(
    petition: Petition,
    domain: str,
    signed: int,
    confirmed: int = 0,
    age: timedelta = SETTLED,
    status: SignatureStatus | None = None,
) -> None:
    """Signatures made `age` ago at `domain`, the first `confirmed` of them confirmed."""
    made = utcnow() - age
    with write_transaction() as session:
        start = session.scalar(select(db.func.count()).select_from(Signature)) or 0
        for n in range(signed):
            address = f"s{start + n}@{domain}"
            done = n < confirmed
            session.add(
                Signature(
                    petition_id=petition.id,
                    name=f"Signer {start + n}",
                    email=address,
                    email_canonical=address,
                    created_at=made,
                    confirmed_at=made + timedelta(minutes=5) if done else None,
                    status=status
                    or (SignatureStatus.CONFIRMED if done else SignatureStatus.PENDING),
                )
            )


def page_of(client: FlaskClient, petition: Petition) -> str:
    response = client.get(f"/organisers/petitions/{petition.slug}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_domain_whose_mail_is_never_confirmed_is_marked(
    organiser_client: FlaskClient, make_petition
) -> None:
    petition = make_petition()
    add(petition, "example.org", 20, confirmed=18)
    add(petition, "trap.example", 12, confirmed=0)
    add(petition, "small.example", 3, confirmed=0)  # too few to judge
    page = page_of(organiser_client, petition)
    assert '<h2 id="mail-health-heading">Confirmation mail</h2>' in page
    assert "trap.example: 0% confirmed, 51% overall: mail may be landing in spam." in page
    assert "small.example:" not in page and "example.org:" not in page
    assert (
        '<td class="num">12</td><td class="num">0</td><td class="num">0%</td>' in page
    )  # trap.example's row
    assert '<th scope="row">All domains</th><td class="num">35</td><td class="num">18</td>' in page


def test_the_busiest_ten_domains_are_shown_and_the_rest_added_together(make_petition) -> None:
    petition = make_petition()
    for n in range(12):  # d0 has 14 signatures, d11 has 3
        add(petition, f"d{n}.example", 14 - n, confirmed=1)
    with write_transaction() as session:  # an anonymised signature has no domain left
        session.add(
            Signature(
                petition_id=petition.id,
                name="",
                email="",
                email_canonical="#999",
                created_at=utcnow() - SETTLED,
                confirmed_at=utcnow() - SETTLED,
                status=SignatureStatus.CONFIRMED,
            )
        )
    funnel = confirmation_funnel(petition)
    assert [row.domain for row in funnel.domains] == [f"d{n}.example" for n in range(10)]
    assert [row.signed for row in funnel.domains] == list(range(14, 4, -1))
    assert funnel.other is not None
    assert (funnel.other.signed, funnel.other.confirmed) == (4 + 3 + 1, 3)
    assert (funnel.signed, funnel.confirmed) == (sum(range(3, 15)) + 1, 13)
    assert sum(row.signed for row in funnel.domains) + funnel.other.signed == funnel.signed


def test_a_domain_is_marked_only_far_below_the_rate_and_with_enough_signatures(
    make_petition,
) -> None:
    petition = make_petition()
    add(petition, "good.example", 40, confirmed=36)
    add(petition, "half.example", FLAG_MIN_SIGNED, confirmed=5)  # 50%, not under half of ~80%
    add(petition, "low.example", FLAG_MIN_SIGNED, confirmed=3)
    add(petition, "few.example", FLAG_MIN_SIGNED - 1, confirmed=0)
    funnel = confirmation_funnel(petition)
    assert [row.domain for row in funnel.flagged] == ["low.example"]


def test_the_funnel_counts_the_last_seven_days_but_the_last_hour(make_petition) -> None:
    petition = make_petition()
    add(petition, "old.example", 5, age=timedelta(days=7, hours=2))
    add(petition, "week.example", 3, confirmed=1, age=timedelta(days=6, hours=23))
    add(petition, "fresh.example", 4, age=timedelta(minutes=30))
    add(petition, "held.example", 6, age=SETTLED, status=SignatureStatus.HELD)
    funnel = confirmation_funnel(petition)
    assert [(row.domain, row.signed, row.confirmed) for row in funnel.domains] == [
        ("week.example", 3, 1)
    ]
    assert funnel.other is None
    assert funnel.rate == 1 / 3


def test_an_empty_funnel_says_so(organiser_client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    page = page_of(organiser_client, petition)
    assert "No one signed in the last 7 days (apart from the last hour)." in page
    assert 'id="funnel"' not in page and 'id="stall"' not in page


def test_another_organiser_cannot_see_the_page(
    client: FlaskClient, make_petition, make_organiser
) -> None:
    petition = make_petition()
    add(petition, "example.org", 3)
    make_organiser("stranger@example.org")
    client.post("/organisers/login", data={"email": "stranger@example.org", "password": PASSWORD})
    assert client.get(f"/organisers/petitions/{petition.slug}/").status_code == 404


def stalled(petition: Petition, now: datetime | None = None) -> bool:
    return confirmation_stall(petition, now) is not None


def test_the_stall_note_appears_and_goes_by_the_thresholds(
    organiser_client: FlaskClient, make_petition
) -> None:
    petition = make_petition()  # defaults: 6 hours, 20 signers, under 20% confirmed
    add(petition, "example.org", 19, confirmed=3, age=timedelta(hours=1))
    add(petition, "example.org", 5, age=timedelta(minutes=5))  # too fresh to count
    add(petition, "example.org", 5, age=timedelta(hours=7))  # before the window
    add(petition, "held.example", 5, age=timedelta(hours=1), status=SignatureStatus.HELD)
    assert not stalled(petition)
    assert 'id="stall"' not in page_of(organiser_client, petition)
    add(petition, "example.org", 1, age=timedelta(hours=2))  # 20 signed, 3 confirmed: 15%
    stall = confirmation_stall(petition)
    assert stall is not None and (stall.signed, stall.waiting, stall.hours) == (20, 17, 6)
    page = page_of(organiser_client, petition)
    assert '<p class="notice" role="status" id="stall">' in page
    assert "of the 20 people who signed in the last 6 hours, 17 have not confirmed." in page
    assert "flask --app petition mail check ADDRESS" in page
    add(petition, "example.org", 1, confirmed=1, age=timedelta(hours=2))  # 21 signed, 4: 19%
    assert stalled(petition)
    add(petition, "example.org", 1, confirmed=1, age=timedelta(hours=2))  # 22 signed, 5: 22.7%
    assert not stalled(petition)
    assert 'id="stall"' not in page_of(organiser_client, petition)
    # Six hours on, the window has moved past them all.
    assert not stalled(petition, utcnow() + timedelta(hours=6))


def test_the_stall_thresholds_are_settings(make_app, make_petition) -> None:
    app = make_app(STALL_HOURS=1, STALL_MIN_PENDING=3, STALL_RATE=0.5)
    with app.app_context():
        petition = make_petition()
        add(petition, "example.org", 3, confirmed=1, age=timedelta(minutes=30))
        assert stalled(petition)
        add(petition, "example.org", 1, confirmed=1, age=timedelta(minutes=30))
        assert not stalled(petition)
