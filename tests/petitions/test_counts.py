"""The stored count against the confirmed rows: `petitions recount`."""

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from petition.extensions import db
from petition.models import Petition, Signature, SignatureStatus
from petition.signing.links import confirmation_token
from petition.signing.signatures import confirm_signature, sign_petition
from petition.transactions import write_transaction
from petition.transparency.recount import UnknownPetitionError, recount_signatures
from tests.helpers.checks import must


def confirmed_petition(make_petition, slug: str, confirmed: int, pending: int = 1) -> Petition:
    """A petition with this many confirmed and pending signatures, its count right."""
    petition = make_petition(title=slug, slug=slug)
    for n in range(confirmed + pending):
        sign_petition(petition, name=f"Signer {n}", email=f"s{n}@example.org")
    signatures = db.session.scalars(
        select(Signature).where(Signature.petition_id == petition.id).order_by(Signature.id)
    ).all()
    for signature in signatures[:confirmed]:
        confirm_signature(confirmation_token(signature))
    return petition


def set_stored_count(slug: str, value: int) -> None:
    """Corrupt the stored count, as a bug or a hand edit might."""
    with write_transaction() as session:
        session.execute(update(Petition).where(Petition.slug == slug).values(signature_count=value))


def stored_count(slug: str) -> int:
    db.session.rollback()
    return must(db.session.scalar(select(Petition.signature_count).where(Petition.slug == slug)))


def test_counts_kept_by_confirmation_show_no_drift(make_petition) -> None:
    confirmed_petition(make_petition, "housing", confirmed=3)
    confirmed_petition(make_petition, "parks", confirmed=0)
    checks = recount_signatures()
    assert [(c.slug, c.stored, c.confirmed, c.drift) for c in checks] == [
        ("housing", 3, 3, 0),
        ("parks", 0, 0, 0),
    ]


def test_drift_either_way_is_reported_and_corrected(make_petition) -> None:
    confirmed_petition(make_petition, "housing", confirmed=3)
    confirmed_petition(make_petition, "parks", confirmed=2)
    set_stored_count("housing", 7)
    set_stored_count("parks", 0)
    drifts = {c.slug: c.drift for c in recount_signatures()}
    assert drifts == {"housing": 4, "parks": -2}
    assert (stored_count("housing"), stored_count("parks")) == (3, 2)
    assert all(c.drift == 0 for c in recount_signatures())


def test_one_petition_alone_is_recounted(make_petition) -> None:
    confirmed_petition(make_petition, "housing", confirmed=2)
    confirmed_petition(make_petition, "parks", confirmed=1)
    set_stored_count("housing", 9)
    set_stored_count("parks", 9)
    assert [(c.slug, c.drift) for c in recount_signatures("parks")] == [("parks", 8)]
    assert (stored_count("housing"), stored_count("parks")) == (9, 1)


def test_check_only_reports(make_petition) -> None:
    confirmed_petition(make_petition, "housing", confirmed=2)
    set_stored_count("housing", 5)
    assert [c.drift for c in recount_signatures(fix=False)] == [3]
    assert stored_count("housing") == 5


def test_an_unknown_slug_is_an_error(app) -> None:
    with pytest.raises(UnknownPetitionError):
        recount_signatures("nothing-here")


def test_recount_command_reports_and_fixes(runner: FlaskCliRunner, make_petition) -> None:
    confirmed_petition(make_petition, "housing", confirmed=2)
    confirmed_petition(make_petition, "parks", confirmed=1)
    set_stored_count("housing", 1)
    result = runner.invoke(args=["petitions", "recount"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "housing: stored 1, confirmed 2 (-1), set to 2",
        "2 petitions checked, 1 drifted.",
    ]
    assert stored_count("housing") == 2


def test_recount_check_exits_non_zero_on_drift(runner: FlaskCliRunner, make_petition) -> None:
    confirmed_petition(make_petition, "housing", confirmed=2)
    assert runner.invoke(args=["petitions", "recount", "--check", "housing"]).exit_code == 0
    set_stored_count("housing", 4)
    result = runner.invoke(args=["petitions", "recount", "--check", "housing"])
    assert result.exit_code == 1
    assert "housing: stored 4, confirmed 2 (+2), left as is" in result.output
    assert stored_count("housing") == 4


def test_recount_of_an_unknown_slug_fails_clearly(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["petitions", "recount", "nothing-here"])
    assert result.exit_code != 0
    assert "No petition has the slug 'nothing-here'." in result.output


def test_confirmed_rows_are_what_counts(make_petition) -> None:
    petition = confirmed_petition(make_petition, "housing", confirmed=2, pending=3)
    pending = db.session.scalar(
        select(Signature.id).where(
            Signature.petition_id == petition.id, Signature.status == SignatureStatus.PENDING
        )
    )
    assert pending is not None
    assert [(c.stored, c.confirmed) for c in recount_signatures("housing")] == [(2, 2)]
