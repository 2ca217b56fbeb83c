"""Confirming by the code from the email: typed with the signing address, without a cookie.

Black-box: signatures are made over HTTP, mail arrives through the real SMTP server, and the code
is read from the received message and posted as a stranger's browser would (no cookie, no token).
"""

import re
import statistics
import time
from collections.abc import Callable
from functools import partial

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from petition.mail.outbox import deliver_due
from petition.models import Petition, SignatureStatus
from petition.signing.codes import ALPHABET, confirmation_code, normalise_code
from petition.signing.signatures import sign_petition
from petition.transparency.reading import counted_totals_by_slug
from tests.conftest import SMTPServer
from tests.helpers import signing
from tests.helpers.checks import must
from tests.helpers.signing import count_of, signature_of

NO_MATCH = "That code does not match."
LOCKED = "This code no longer works here: too many wrong codes were typed for this address."
FORMAT = "This is not a confirmation code"
CONFIRMED = "your signature is confirmed"
ALREADY = "It was confirmed already"

# Dana signs unless a test names someone else.
sign = partial(signing.sign, name="Dana Petrova")


@pytest.fixture
def stranger(app: Flask) -> FlaskClient:
    """A browser that keeps no cookie; the per-client limit is out of the way unless a test sets it."""
    app.config["CONFIRM_CODE_LIMIT"] = "1000 per minute"
    return app.test_client(use_cookies=False)


def mailed_code(smtp: SMTPServer, count: int) -> str:
    """The code in the newest of `count` confirmation messages, delivered over SMTP now."""
    deliver_due()
    message = smtp.sink.wait_for(count)[count - 1]
    text = must(message.get_body(("plain",))).get_content()
    html = must(message.get_body(("html",))).get_content()
    match = re.search(r"with this email address: ([A-Z0-9]{5}-[A-Z0-9]{5})", text)
    assert match, text
    assert match.group(1) in html  # the HTML version shows the same code
    return match.group(1)


def type_code(client: FlaskClient, slug: str, email: str, code: str, **kw: object):
    return client.post(f"/petitions/{slug}/code", data={"email": email, "code": code}, **kw)


def wrong(code: str) -> str:
    """Another well-formed code: the first letter changed."""
    other = ALPHABET[(ALPHABET.index(code[0]) + 1) % len(ALPHABET)]
    return other + code[1:]


def test_a_code_typed_on_the_check_email_page_confirms_exactly_once(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    assert sign(stranger, slug, email="dana@example.org").status_code == 303
    page = stranger.get(f"/petitions/{slug}/check-email").text
    assert 'name="code"' in page and 'name="email"' in page
    assert f'action="/petitions/{slug}/code#code-errors"' in page
    assert "dana@example.org" not in page  # reached by a redirect: no address is carried over
    code = mailed_code(smtp, 1)

    # Typed as people type: small letters, spaces instead of the dash, the address in capitals.
    done = type_code(stranger, slug, "DANA@example.org", f" {code.lower().replace('-', ' ')} ")
    assert done.status_code == 200, done.text
    assert CONFIRMED in done.text and ALREADY not in done.text
    assert 'id="receipt-code"' in done.text
    assert count_of(slug) == 1
    assert counted_totals_by_slug()[slug] == 1  # logged once, as the link would

    again = type_code(stranger, slug, "dana@example.org", code)
    assert again.status_code == 200
    assert ALREADY in again.text
    assert count_of(slug) == 1
    assert signature_of("dana@example.org").status == SignatureStatus.CONFIRMED


def test_the_code_page_is_linked_from_the_petition_and_takes_the_code(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    petition_page = stranger.get(f"/petitions/{slug}?lang=en").text
    assert f'href="/petitions/{slug}/code"' in petition_page
    assert "Received a code by email? Type it here" in petition_page
    form = stranger.get(f"/petitions/{slug}/code")
    assert form.status_code == 200 and 'name="code"' in form.text
    assert sign(stranger, slug, email="ivan@example.org").status_code == 303
    code = mailed_code(smtp, 1)
    assert CONFIRMED in type_code(stranger, slug, "ivan@example.org", code).text
    assert count_of(slug) == 1


def test_the_code_is_in_the_signers_language(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    answer = stranger.post(
        f"/petitions/{slug}/sign?lang=ru", data={"name": "Иван", "email": "ivan@example.org"}
    )
    assert answer.status_code == 303
    deliver_due()
    text = must(smtp.sink.wait_for(1)[0].get_body(("plain",))).get_content()
    code = confirmation_code(signature_of("ivan@example.org"))
    assert code in text
    assert f"/petitions/{slug}/code?lang=ru" in text
    with force_locale("ru"):  # the line that explains the code, as the Russian catalogue has it
        explained = gettext(
            "If the link does not work, type this code on the petition's site, with this email "
            "address: %(code)s",
            code=code,
        )
    assert explained in text


def error_of(page: str) -> str:
    return must(re.search(r'<p class="error" id="code-error">(.*?)</p>', page, re.S)).group(1)


def test_wrong_codes_lock_an_address_for_that_client_only(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer, app: Flask
) -> None:
    app.config["CONFIRM_CODE_ATTEMPTS"] = 3
    slug = make_petition().slug
    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    assert sign(stranger, slug, email="bob@example.org").status_code == 303
    ann_code = mailed_code(smtp, 1)
    bob_code = mailed_code(smtp, 2)
    prober = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    for _ in range(3):
        answer = type_code(stranger, slug, "ann@example.org", wrong(ann_code), **prober)
        assert answer.status_code == 400 and NO_MATCH in answer.text

    locked = type_code(stranger, slug, "ann@example.org", ann_code, **prober)
    assert locked.status_code == 400 and LOCKED in locked.text
    assert "link in the confirmation email" in locked.text
    assert count_of(slug) == 0

    # An address that never signed locks alike: the lock tells the prober nothing either.
    for _ in range(3):
        type_code(stranger, slug, "nobody@example.org", wrong(ann_code), **prober)
    nobody = type_code(stranger, slug, "nobody@example.org", ann_code, **prober)
    assert nobody.status_code == 400 and error_of(nobody.text) == error_of(locked.text)

    # The prober's other addresses are untouched, and the prober spent none of Ann's tries.
    assert CONFIRMED in type_code(stranger, slug, "bob@example.org", bob_code, **prober).text
    assert CONFIRMED in type_code(stranger, slug, "ann@example.org", ann_code).text
    assert count_of(slug) == 2


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_code(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    code = mailed_code(smtp, 1)

    unknown = type_code(stranger, slug, "nobody@example.org", code)
    mistyped = type_code(stranger, slug, "ann@example.org", wrong(code))

    assert unknown.status_code == mistyped.status_code == 400
    assert NO_MATCH in unknown.text and NO_MATCH in mistyped.text

    assert error_of(unknown.text) == error_of(mistyped.text)
    assert count_of(slug) == 0


@pytest.mark.parametrize("typed", ["ABCDE-FGH", "ABCDE-FGHJK-M", "ABCDE-FGHJ0", "ABCDE-FGHJI", "!"])
def test_a_code_of_the_wrong_shape_gets_the_format_message(
    make_petition: Callable[..., Petition],
    stranger: FlaskClient,
    smtp: SMTPServer,
    app: Flask,
    typed: str,
) -> None:
    app.config["CONFIRM_CODE_ATTEMPTS"] = 1
    slug = make_petition().slug
    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    answer = type_code(stranger, slug, "ann@example.org", typed)
    assert answer.status_code == 400
    assert FORMAT in answer.text and NO_MATCH not in answer.text
    # A typo of shape costs no attempt: the one allowed is still there for the right code.
    assert CONFIRMED in type_code(stranger, slug, "ann@example.org", mailed_code(smtp, 1)).text


def test_a_code_from_one_petition_does_not_confirm_on_another(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    first = make_petition(title="Save the river").slug
    second = make_petition(title="Save the park").slug
    assert sign(stranger, first, email="ann@example.org").status_code == 303
    assert sign(stranger, second, email="ann@example.org").status_code == 303
    first_code = mailed_code(smtp, 1)
    second_code = mailed_code(smtp, 2)
    assert first_code != second_code

    answer = type_code(stranger, second, "ann@example.org", first_code)
    assert answer.status_code == 400 and NO_MATCH in answer.text
    assert count_of(first) == count_of(second) == 0
    assert CONFIRMED in type_code(stranger, first, "ann@example.org", first_code).text
    assert (count_of(first), count_of(second)) == (1, 0)


@pytest.mark.parametrize(
    "data",
    [
        {"email": "ann@example.org\x00", "code": "ABCDE-FGHJK"},
        {"email": "ann@example.org", "code": "ABCDE\x00FGHJK"},
        {"email": "a" * 100_000 + "@example.org", "code": "ABCDE-FGHJK"},
        {"email": "ann@example.org", "code": "A" * 100_000},
        {"email": "ann@example.org"},
        {"code": "ABCDE-FGHJK"},
        {"email": ["a@example.org", "b@example.org"], "code": ["x", "y"]},
    ],
)
def test_hostile_input_is_a_400_never_a_500(
    make_petition: Callable[..., Petition], stranger: FlaskClient, data: dict[str, object]
) -> None:
    slug = make_petition().slug
    answer = stranger.post(f"/petitions/{slug}/code", data=data)
    assert answer.status_code == 400
    assert 'class="error"' in answer.text


def test_json_and_an_unknown_petition_are_refused(
    make_petition: Callable[..., Petition], stranger: FlaskClient
) -> None:
    slug = make_petition().slug
    answer = stranger.post(f"/petitions/{slug}/code", json=["not", "a", "form"])
    assert answer.status_code == 400
    assert stranger.post("/petitions/no-such-petition/code", data={}).status_code == 404


def test_the_per_client_limit_answers_429_with_the_form_as_typed(
    make_petition: Callable[..., Petition], stranger: FlaskClient, app: Flask
) -> None:
    app.config["CONFIRM_CODE_LIMIT"] = "3 per minute"
    slug = make_petition().slug
    for _ in range(3):
        assert type_code(stranger, slug, "ann@example.org", "ABCDE-FGHJK").status_code == 400
    refused = type_code(stranger, slug, "ann@example.org", "ABCDE-FGHJK")
    assert refused.status_code == 429
    assert (
        "many tries from this connection" in refused.text
        and "try again in 1 minute" in refused.text
    )
    assert 'value="ann@example.org"' in refused.text and 'value="ABCDE-FGHJK"' in refused.text
    assert "<title>Error: " in refused.text
    # Another client is not affected; reading the page is not limited.
    other = type_code(
        stranger, slug, "ann@example.org", "ABCDE-FGHJK", environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert other.status_code == 400
    assert stranger.get(f"/petitions/{slug}/code").status_code == 200


def test_a_held_signers_code_behaves_like_their_link(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    petition = make_petition()
    sign_petition(petition, name="Flooder", email="held@example.org", flag_reason="rule")
    code = mailed_code(smtp, 1)

    answer = type_code(stranger, petition.slug, "held@example.org", code)

    assert answer.status_code == 200 and CONFIRMED in answer.text  # looks confirmed to them
    assert 'id="receipt-code"' in answer.text
    held = signature_of("held@example.org")
    assert held.status == SignatureStatus.HELD and held.confirmed_at is not None
    assert held.receipt is not None and held.log_index is not None
    assert count_of(petition.slug) == 0
    assert counted_totals_by_slug()[petition.slug] == 0  # logged, and at once excluded


def test_a_closed_petition_refuses_the_code_like_the_link(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer, app: Flask
) -> None:
    from petition.petitions.editing import close_petition

    petition = make_petition()
    assert sign(stranger, petition.slug, email="late@example.org").status_code == 303
    code = mailed_code(smtp, 1)
    app.config["CLOSED_CONFIRMATION_GRACE"] = 0
    close_petition(petition.slug)

    answer = type_code(stranger, petition.slug, "late@example.org", code)

    assert answer.status_code == 410 and "This petition has closed" in answer.text
    assert count_of(petition.slug) == 0


def test_a_code_confirms_the_stored_details_not_a_resubmissions(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer
) -> None:
    slug = make_petition().slug
    assert sign(stranger, slug, email="ann@example.org", name="Ann Original").status_code == 303
    assert sign(stranger, slug, email="ann@example.org", name="Someone Else").status_code == 303
    code = mailed_code(smtp, 2)

    assert CONFIRMED in type_code(stranger, slug, "ann@example.org", code).text
    assert signature_of("ann@example.org").name == "Ann Original"


def test_codes_are_read_as_people_type_them() -> None:
    assert normalise_code("abcde-fghjk") == "ABCDEFGHJK"
    assert normalise_code(" ABCDE  FGHJK ") == "ABCDEFGHJK"
    assert normalise_code("АВСЕН–КМРТХ") == "ABCEHKMPTX"  # Cyrillic look-alikes, an en dash
    assert normalise_code("ＡＢＣＤＥＦＧＨＪＫ") == "ABCDEFGHJK"  # full-width
    assert normalise_code("ABCDE-FGHJ") is None
    assert normalise_code("OBCDE-FGHJK") is None  # O is never in a code
    assert normalise_code("A" * 1000) is None
    assert not set("01OILUV") & set(ALPHABET)


@pytest.mark.serial
def test_a_signers_wrong_code_takes_the_time_of_a_strangers(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer, app: Flask
) -> None:
    """Whether an address signed is told only to its mailbox: not by the answer, nor its time."""
    app.config["CONFIRM_CODE_ATTEMPTS"] = 100_000
    app.config["CONFIRM_CODE_LIMIT"] = "100000 per minute"
    slug = make_petition().slug
    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    typed = wrong(mailed_code(smtp, 1))
    times: dict[str, list[float]] = {"ann@example.org": [], "nobody@example.org": []}
    for pair in range(330):  # back to back, in turns, so drift in the machine hits both alike
        for email in sorted(times, reverse=pair % 2 == 1):
            start = time.perf_counter()
            answer = type_code(stranger, slug, email, typed)
            times[email].append(time.perf_counter() - start)
            assert answer.status_code == 400 and NO_MATCH in answer.text
    signer, nobody = times["ann@example.org"][30:], times["nobody@example.org"][30:]
    slower = sum(s > n for s, n in zip(signer, nobody, strict=True)) / len(signer)
    assert 0.3 <= slower <= 0.7, f"a signer's wrong code was slower in {slower:.0%} of pairs"
    # The median of the pairs' differences, against its own noise (about 1.9 median absolute
    # deviations over the root of the count make one standard error): four errors at most.
    differences = [s - n for s, n in zip(signer, nobody, strict=True)]
    median = statistics.median(differences)
    spread = statistics.median(abs(d - median) for d in differences)
    noise = max(7.5 * spread / len(differences) ** 0.5, 0.02 * statistics.median(nobody))
    assert abs(median) <= noise, f"{median * 1e3:.3f} ms apart; noise {noise * 1e3:.3f} ms"
    assert count_of(slug) == 0


def test_signing_again_mails_a_new_code_with_fresh_tries_up_to_the_mail_cap(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer, app: Flask
) -> None:
    app.config["CONFIRM_CODE_ATTEMPTS"] = 2
    app.config["MAX_MESSAGES_PER_SIGNATURE"] = 2
    slug = make_petition().slug
    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    old = mailed_code(smtp, 1)
    for _ in range(2):
        assert NO_MATCH in type_code(stranger, slug, "ann@example.org", wrong(old)).text
    locked = type_code(stranger, slug, "ann@example.org", old)
    assert locked.status_code == 400 and LOCKED in locked.text
    assert "sign again with the same address to get a new email with a new code" in locked.text

    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    new = mailed_code(smtp, 2)
    assert new != old
    newest = must(smtp.sink.wait_for(2)[1].get_body(("plain",))).get_content()
    assert "Each new email has a new code: use the one in the newest email." in newest
    # Only the newest mail's code confirms, and it comes with fresh tries.
    assert NO_MATCH in type_code(stranger, slug, "ann@example.org", old).text
    assert NO_MATCH in type_code(stranger, slug, "ann@example.org", wrong(new)).text
    assert LOCKED in type_code(stranger, slug, "ann@example.org", new).text

    # Past the mail cap no mail goes out and the code stays; the client's tries start afresh
    # all the same, since whether they do must not depend on what the address did before.
    assert sign(stranger, slug, email="ann@example.org").status_code == 303
    deliver_due()
    assert len(smtp.sink.wait_for(2)) == 2
    assert confirmation_code(signature_of("ann@example.org")) == new
    assert count_of(slug) == 0
    assert CONFIRMED in type_code(stranger, slug, "ann@example.org", new).text
    assert count_of(slug) == 1


def test_a_probers_tries_lock_and_start_afresh_alike_whoever_signed(
    make_petition: Callable[..., Petition], stranger: FlaskClient, smtp: SMTPServer, app: Flask
) -> None:
    """A stranger who signs again and again with an address learns nothing from the lock."""
    app.config["CONFIRM_CODE_ATTEMPTS"] = 1
    app.config["MAX_MESSAGES_PER_SIGNATURE"] = 2
    slug = make_petition().slug
    for _ in range(2):  # Ann signed twice herself: her mail cap is reached
        assert sign(stranger, slug, email="ann@example.org").status_code == 303
    prober = {"environ_base": {"REMOTE_ADDR": "203.0.113.66"}}
    seen: dict[str, list[str]] = {}
    for email in ("ann@example.org", "nobody@example.org"):
        answers = []
        for _ in range(3):
            signed = stranger.post(
                f"/petitions/{slug}/sign", data={"name": "Prober", "email": email}, **prober
            )
            assert signed.status_code == 303
            for _ in range(2):
                answers.append(
                    error_of(type_code(stranger, slug, email, "ABCDE-FGHJK", **prober).text)
                )
        seen[email] = answers
    assert seen["ann@example.org"] == seen["nobody@example.org"]
    assert len(set(seen["nobody@example.org"])) == 2  # a wrong code, then the lock, each round
