"""The whole journey over real HTTP: sign with CSRF on, receive the mail by SMTP, confirm, export."""

import csv
import io
import re

import requests

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition, petition_by_slug
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must
from tests.helpers.http import form_token, organiser_session


def test_sign_confirm_count_and_export(live_server: LiveServer, smtp: SMTPServer) -> None:
    with live_server.app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        slug = create_petition(
            title="Free the jailed lawyer",
            body="Release her **now**.",
            organiser=organiser,
            goal=10,
        ).slug
    base = live_server.url
    signer = requests.Session()

    page = signer.get(f"{base}/petitions/{slug}").text
    response = signer.post(
        f"{base}/petitions/{slug}/sign",
        data={"form_token": form_token(page), "name": "Иван Петров", "email": "ivan@example.org"},
    )
    assert response.status_code == 200, response.text[-1500:]
    assert response.url == f"{base}/petitions/{slug}/check-email#main"
    assert "Check your email" in response.text

    [message] = smtp.sink.wait_for(1)
    assert message["To"] == "ivan@example.org"
    assert message["Subject"] == "Confirm your signature: Free the jailed lawyer"
    assert message.get_body(("html",)) is not None
    text = must(message.get_body(("plain",))).get_content()
    link = must(re.search(rf"{re.escape(base)}/confirm/\S+", text)).group(0)

    cookieless = requests.Session()
    assert "Confirm my signature" in cookieless.get(link).text
    assert requests.get(f"{base}/petitions/{slug}.json").json()["signature_count"] == 0
    for _ in range(2):
        done = cookieless.post(link)
        assert done.status_code == 200 and "your signature is confirmed" in done.text
        # Nothing needed a session; the link only remembers the language the mail was written in.
        assert dict(cookieless.cookies) == {"lang": "en"}
    assert requests.get(f"{base}/petitions/{slug}.json").json()["signature_count"] == 1
    assert ">1</strong>" in requests.get(f"{base}/").text

    logged_in = organiser_session(base, "organiser@example.org", PASSWORD)
    export = logged_in.get(f"{base}/organisers/petitions/{slug}/export.csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "signed_at", "confirmed_at"]
    assert rows[1][:2] == ["Иван Петров", "ivan@example.org"]
    assert len(rows) == 2
    assert (
        requests.get(
            f"{base}/organisers/petitions/{slug}/export.csv", allow_redirects=False
        ).status_code
        == 302
    )

    with live_server.app.app_context():
        assert must(petition_by_slug(slug)).signature_count == 1
