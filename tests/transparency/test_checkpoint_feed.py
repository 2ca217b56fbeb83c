"""Each petition's signed checkpoints as an Atom feed, so anyone can archive them as they come."""

from xml.etree import ElementTree

from flask.testing import FlaskClient

from petition.extensions import db
from petition.models import Signature
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.transparency.checkpoints import checkpoint_petitions

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_lists_every_checkpoint_newest_first_with_its_signed_text(
    client: FlaskClient, make_petition
) -> None:
    petition = make_petition(slug="free-the-lawyer")
    for n in range(2):
        sign_petition(petition, name=f"Signer {n}", email=f"s{n}@example.org")
        signature = db.session.query(Signature).order_by(Signature.id.desc()).first()
        assert signature is not None
        confirm_signature(confirmation_token(signature))
        checkpoint_petitions("free-the-lawyer")
    response = client.get("/petitions/free-the-lawyer/log/checkpoints.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles[:2] == ["2 entries in the log, 2 counted", "1 entry in the log, 1 counted"]
    text = entries[0].findtext(f"{ATOM}content")
    assert text is not None
    assert text.startswith("petitions.example.org/petitions/free-the-lawyer\n2\n")
    assert "count 2\n" in text and "\n— petitions.example.org " in text
    assert client.get("/petitions/no-such/log/checkpoints.atom").status_code == 404
