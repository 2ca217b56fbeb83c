"""Black-box over real HTTP and SMTP: paper signatures appear apart and never join the verified
count, its exports or the public log."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import requests

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must
from tests.helpers.http import csrf_token, form_token, organiser_session

ATOM = "{http://www.w3.org/2005/Atom}"


def test_paper_and_the_timeline_over_http(live_server: LiveServer, smtp: SMTPServer) -> None:
    with live_server.app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        slug = create_petition(
            title="Free the jailed lawyer", body="Now.", organiser=organiser
        ).slug
    base = live_server.url
    signer = requests.Session()
    page = signer.get(f"{base}/petitions/{slug}").text
    signed = signer.post(
        f"{base}/petitions/{slug}/sign",
        data={"form_token": form_token(page), "name": "Айгерим", "email": "a@example.org"},
    )
    assert signed.status_code == 200
    [message] = smtp.sink.wait_for(1)
    link = re.search(
        rf"{re.escape(base)}/confirm/\S+", must(message.get_body(("plain",))).get_content()
    )
    assert link is not None
    assert requests.post(link.group(0)).status_code == 200

    session = organiser_session(base, "organiser@example.org", PASSWORD)
    paper_page = session.get(f"{base}/organisers/petitions/{slug}/paper").text
    recorded = session.post(
        f"{base}/organisers/petitions/{slug}/paper",
        data={
            "csrf_token": csrf_token(paper_page),
            "count": "1,200",
            "collected_on": "2026-02-01",
            "note": "Market square",
        },
    )
    assert recorded.status_code == 200 and "1,200 signatures on paper in all." in recorded.text
    absurd = session.post(
        f"{base}/organisers/petitions/{slug}/paper",
        data={"csrf_token": csrf_token(paper_page), "count": "1" + "0" * 30, "collected_on": "x"},
    )
    assert absurd.status_code == 400
    timeline = session.get(f"{base}/organisers/petitions/{slug}/timeline").text
    token_field = re.search(r'name="delivered-csrf_token" type="hidden" value="([^"]+)"', timeline)
    token = must(token_field)[1]
    delivered = session.post(
        f"{base}/organisers/petitions/{slug}/timeline",
        data={
            "kind": "delivered",
            "delivered-csrf_token": token,
            "delivered-happened_on": "2026-03-03",
            "delivered-recipient": "The Ministry",
        },
    )
    assert delivered.status_code == 200 and "Delivered to The Ministry." in delivered.text

    public = requests.get(f"{base}/petitions/{slug}").text
    assert "<strong data-count>1</strong>" in public
    assert "Also 1,200 signatures on paper, counted by the organisers" in public
    assert "Delivered to The Ministry." in public
    data = requests.get(f"{base}/petitions/{slug}.json").json()
    assert (data["signature_count"], data["paper_signature_count"]) == (1, 1200)
    assert data["milestones"][0]["recipient"] == "The Ministry"
    api = requests.get(f"{base}/api/v1/petitions/{slug}/count").json()
    assert (api["signature_count"], api["paper_signature_count"]) == (1, 1200)
    feed = ET.fromstring(requests.get(f"{base}/petitions/{slug}.atom").content)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "Delivered: 3 March 2026"
    ]
    checkpoint = requests.get(f"{base}/petitions/{slug}/log/checkpoint").text
    assert "count 1" in checkpoint and "1200" not in checkpoint

    export = session.get(f"{base}/organisers/petitions/{slug}/export.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == "Айгерим"
