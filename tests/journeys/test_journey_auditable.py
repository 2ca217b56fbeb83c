"""The auditable count end to end over real HTTP: sign, confirm, keep the receipt, another signer
withdraws, a checkpoint is signed, and the shipped verifier checks it all, then checks growth."""

import re
import subprocess
import sys
from pathlib import Path

import requests

from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition
from petition.transparency.keys import log_key
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must
from tests.helpers.http import form_token


def sign_over_http(base: str, slug: str, name: str, email: str) -> None:
    session = requests.Session()
    page = session.get(f"{base}/petitions/{slug}").text
    data = {"form_token": form_token(page), "name": name, "email": email}
    assert session.post(f"{base}/petitions/{slug}/sign", data=data).status_code == 200


def links(smtp: SMTPServer, count: int, email: str, base: str) -> dict[str, str]:
    [message] = [m for m in smtp.sink.wait_for(count) if m["To"] == email]
    text = must(message.get_body(("plain",))).get_content()
    return {
        kind: must(re.search(rf"{re.escape(base)}/{kind}/\S+", text)).group(0)
        for kind in ("confirm", "withdraw")
    }


def verify(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "petition.verify", url, *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_signer_and_a_target_check_the_count_with_the_shipped_verifier(
    live_server: LiveServer, smtp: SMTPServer, tmp_path: Path
) -> None:
    app = live_server.app
    app.config["LOG_CHECKPOINT_SECONDS"] = 0  # sign a checkpoint whenever the log has grown
    with app.app_context():
        organiser = set_organiser_password("organiser@example.org", PASSWORD)
        slug = create_petition(title="Free the lawyer", body="Now.", organiser=organiser).slug
        fingerprint = log_key().fingerprint
    base = live_server.url
    url = f"{base}/petitions/{slug}"
    sign_over_http(base, slug, "Айгерим", "aigerim@example.org")
    sign_over_http(base, slug, "Bob", "bob@example.org")
    aigerim = links(smtp, 2, "aigerim@example.org", base)
    bob = links(smtp, 2, "bob@example.org", base)
    confirmed = requests.post(aigerim["confirm"]).text
    receipt = must(re.search(r'id="receipt-code"[^>]*>([a-z2-7-]{39})<', confirmed)).group(1)
    assert requests.post(bob["confirm"]).status_code == 200
    assert requests.post(bob["withdraw"]).status_code == 200
    assert requests.get(f"{url}.json").json()["signature_count"] == 1

    saved = tmp_path / "checkpoint.txt"
    first = verify(
        url, "--receipt", receipt, "--key-fingerprint", fingerprint, "--save", str(saved)
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"Counted:\s+1\b", first.stdout) and "1 withdrawn" in first.stdout
    assert re.search(r"Receipt:\s+entry 1 of 3, proof of inclusion verified, counted", first.stdout)
    assert saved.read_text().startswith(f"{live_server.url.removeprefix('http://')}/petitions/")

    sign_over_http(base, slug, "Carol", "carol@example.org")
    assert requests.post(links(smtp, 3, "carol@example.org", base)["confirm"]).status_code == 200
    later = verify(url, "--checkpoint", str(saved), "--key-fingerprint", fingerprint)
    assert later.returncode == 0, later.stdout + later.stderr
    assert re.search(r"Counted:\s+2\b", later.stdout)

    wrong = verify(url, "--key-fingerprint", "0" * 64)
    assert wrong.returncode == 1
