"""The delivery pack says how anyone can check its count against the petition's log."""

import io

from flask.testing import FlaskClient
from pypdf import PdfReader

from petition.extensions import db
from petition.models import Signature
from petition.signing.links import confirmation_token, withdrawal_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.signing.withdrawal import withdraw_signature
from petition.transparency.keys import log_key
from tests.conftest import PASSWORD


def test_the_pack_carries_the_checkpoint_the_key_the_counts_and_the_command(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(slug="free-the-lawyer")
    for n in range(3):
        sign_petition(petition, name=f"Signer {n}", email=f"s{n}@example.org")
    signatures = db.session.query(Signature).order_by(Signature.id).all()
    for signature in signatures:
        confirm_signature(confirmation_token(signature))
    withdraw_signature(withdrawal_token(signatures[0]))
    client.post("/organisers/login", data={"email": "organiser@example.org", "password": PASSWORD})
    response = client.get("/organisers/petitions/free-the-lawyer/delivery-pack.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "2 verified signatures" in text and "How to check this count" in text
    assert "petitions.example.org/petitions/free-the-lawyer\n4\n" in text  # the checkpoint
    assert "count 2" in text and "Counted: 2" in text
    assert "Signatures added: 3" in text and "withdrawn by their signers: 1" in text
    # The command, one argument a line joined by the shell, each line whole and copyable.
    lines = {line.strip() for line in text.splitlines()}
    assert "python -m petition.verify \\" in lines
    assert "https://petitions.example.org/petitions/free-the-lawyer \\" in lines
    assert f"--key-fingerprint {log_key().fingerprint}" in lines
