"""The public log endpoints: formats per the spec, CORS, caching, and a 400 for every bad value."""

import base64
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.extensions import db
from petition.models import Petition, Signature
from petition.petitions.editing import StateChange, change_state
from petition.signing.links import confirmation_token, withdrawal_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.signing.withdrawal import withdraw_signature
from petition.transparency import merkle


@pytest.fixture
def logged(make_petition) -> Petition:
    """A petition whose log holds 6 entries: 5 adds and the exclude of a withdrawal."""
    petition = make_petition()
    for n in range(5):
        sign_petition(petition, name="Signer", email=f"s{n}@example.org")
        signature = db.session.scalar(select(Signature).filter_by(email=f"s{n}@example.org"))
        assert signature is not None
        confirm_signature(confirmation_token(signature))
        if n == 0:
            first = signature
    assert first is not None
    withdraw_signature(withdrawal_token(first))
    return petition


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def test_the_key_is_published_as_text(client: FlaskClient) -> None:
    response = client.get("/log/key")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    name, key_id, key = response.get_data(as_text=True).removesuffix("\n").split("+", 2)
    assert name == "petitions.example.org" and len(key_id) == 8 and len(b64(key)) == 33
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_checkpoint_is_text_and_briefly_cacheable(client: FlaskClient, logged) -> None:
    response = client.get(f"/petitions/{logged.slug}/log/checkpoint")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).split("\n")
    assert lines[0] == f"petitions.example.org/petitions/{logged.slug}"
    assert lines[4] == "" and lines[5].startswith("\u2014 petitions.example.org ")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=5" in response.headers["Cache-Control"]


def test_the_checkpoints_list_pages_back(client: FlaskClient, logged) -> None:
    client.get(f"/petitions/{logged.slug}/log/checkpoint")
    listed = client.get(f"/petitions/{logged.slug}/log/checkpoints").get_json()["checkpoints"]
    assert listed and listed[0]["size"] >= 1 and listed[0]["text"].endswith("\n")
    assert set(listed[0]) == {"size", "count", "created_at", "text"}
    before = client.get(f"/petitions/{logged.slug}/log/checkpoints?before={listed[0]['size']}")
    assert all(c["size"] < listed[0]["size"] for c in before.get_json()["checkpoints"])


def test_entries_proofs_and_consistency(client: FlaskClient, logged) -> None:
    base = f"/petitions/{logged.slug}/log"
    answer = client.get(f"{base}/entries?start=0&end=6")
    assert answer.status_code == 200
    assert "max-age=31536000" in answer.headers["Cache-Control"]
    page = answer.get_json()
    assert page["size"] == 6 and page["next"] is None
    leaves = [b64(e["leaf"]) for e in page["entries"]]
    assert [e["index"] for e in page["entries"]] == list(range(6))
    assert json.loads(leaves[5])["refers_to"] == 0
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]

    proof = client.get(f"{base}/proof?index=3&size=6").get_json()
    assert proof["index"] == 3 and proof["size"] == 6 and b64(proof["leaf_hash"]) == hashes[3]
    stored = {(0, i): h for i, h in enumerate(hashes)}
    for level in (1, 2):
        for i in range(6 >> level):
            stored[(level, i)] = merkle.node_hash(
                stored[(level - 1, 2 * i)], stored[(level - 1, 2 * i + 1)]
            )
    assert [b64(h) for h in proof["path"]] == merkle.inclusion_path(
        lambda level, i: stored[(level, i)], 3, 6
    )
    consistency = client.get(f"{base}/consistency?from=2&to=6").get_json()
    assert consistency["from"] == 2 and consistency["to"] == 6 and consistency["path"]
    same = client.get(f"{base}/consistency?from=6&to=6").get_json()
    assert same["path"] == []


@pytest.mark.parametrize(
    "query",
    [
        "entries",
        "entries?start=0",
        "entries?start=-1&end=2",
        "entries?start=abc&end=2",
        "entries?start=3&end=2",
        "entries?start=2&end=2",
        "entries?start=0&end=7",
        "entries?start=0&end=99999999999999999999999999",
        "entries?start=1.5&end=2",
        "entries?start=%C2%B2&end=3",
        "proof?index=0",
        "proof?index=6&size=6",
        "proof?index=0&size=7",
        "proof?index=-1&size=3",
        "proof?index=0&size=0",
        "proof?index=x&size=y",
        "consistency?from=0&to=3",
        "consistency?from=4&to=3",
        "consistency?from=1&to=7",
        "consistency?from=1",
        "consistency?from=&to=3",
        "checkpoints?before=-5",
        "checkpoints?before=many",
    ],
)
def test_bad_parameters_get_a_json_400(client: FlaskClient, logged, query: str) -> None:
    response = client.get(f"/petitions/{logged.slug}/log/{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert isinstance(response.get_json()["error"], str)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_long_log_answers_in_pages(client: FlaskClient, logged, monkeypatch) -> None:
    monkeypatch.setattr("petition.transparency.reading.MAX_ENTRIES", 4)
    page = client.get(f"/petitions/{logged.slug}/log/entries?start=1&end=6").get_json()
    assert [e["index"] for e in page["entries"]] == [1, 2, 3, 4] and page["next"] == 5


def test_unknown_and_hidden_petitions_are_not_found(
    client: FlaskClient, logged, make_organiser
) -> None:
    assert client.get("/petitions/no-such-petition/log/checkpoint").status_code == 404
    change_state(logged, make_organiser(), StateChange.HIDE)
    for path in ("checkpoint", "checkpoints", "entries?start=0&end=1", "proof?index=0&size=1"):
        response = client.get(f"/petitions/{logged.slug}/log/{path}")
        assert response.status_code == 404
        assert "error" in response.get_json()


def test_an_empty_log_has_a_checkpoint_of_size_0(client: FlaskClient, make_petition) -> None:
    petition = make_petition()
    text = client.get(f"/petitions/{petition.slug}/log/checkpoint").get_data(as_text=True)
    lines = text.split("\n")
    assert lines[1] == "0" and b64(lines[2]) == merkle.EMPTY_ROOT and lines[3] == "count 0"
    assert client.get(f"/petitions/{petition.slug}/log/entries?start=0&end=1").status_code == 400
