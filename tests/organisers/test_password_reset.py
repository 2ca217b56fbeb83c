"""A forgotten password over real HTTP and SMTP: one answer for any address, a link that works
once within its hour, every login ended, limits that tell nothing, and no token in the log."""

import re
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.extensions import db
from petition.mail.outbox import deliver_due
from petition.models import AccountEvent, Organiser, OutboxMessage
from petition.organisers.accounts import set_organiser_password
from tests.conftest import PASSWORD, LiveServer, SMTPServer
from tests.helpers.checks import must
from tests.helpers.http import csrf_token, organiser_session
from tests.helpers.processes import wait_until

EMAIL = "organiser@example.org"
NEW_PASSWORD = "a brand new passphrase"
SENT = "If an organiser account uses that address, we have sent it a link"
USED = "This reset link has been used"
EXPIRED = "This reset link has expired"
LIMITED = "Too many reset links were asked for."


def ask_for_link(
    http: requests.Session, base: str, email: str, lang: str = "en"
) -> requests.Response:
    """Fill in the forgotten-password form as a browser would; the answer is not followed."""
    page = http.get(f"{base}/organisers/forgot-password", params={"lang": lang}).text
    return http.post(
        f"{base}/organisers/forgot-password",
        params={"lang": lang},
        data={"csrf_token": csrf_token(page), "email": email},
        allow_redirects=False,
    )


def set_new_password(
    http: requests.Session, link: str, new: str, repeat: str | None = None
) -> requests.Response:
    """Open the emailed link and send the form on it."""
    page = http.get(link)
    assert page.status_code == 200, page.text[-800:]
    return http.post(
        link,
        data={"csrf_token": csrf_token(page.text), "new": new, "repeat": repeat or new},
        allow_redirects=False,
    )


def reset_link(text: str, base: str) -> str:
    match = re.search(rf"{re.escape(base)}/organisers/reset-password/\S+", text)
    assert match, text
    return match.group(0)


def log_in_over_http(http: requests.Session, base: str, password: str) -> requests.Response:
    page = http.get(f"{base}/organisers/login").text
    form = {"csrf_token": csrf_token(page), "email": EMAIL, "password": password}
    return http.post(f"{base}/organisers/login", data=form, allow_redirects=False)


def logged_in(http: requests.Session, base: str) -> bool:
    """Whether this session still opens the organisers' dashboard."""
    answer = http.get(f"{base}/organisers/", allow_redirects=False)
    return answer.status_code == 200


def outbox_rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_a_forgotten_password_is_reset_by_the_emailed_link_once(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base = live_server.url
    with live_server.app.app_context():
        set_organiser_password(EMAIL, PASSWORD)
    elsewhere = organiser_session(base, EMAIL, PASSWORD)  # a login on another device
    assert logged_in(elsewhere, base)

    visitor = requests.Session()
    login_page = visitor.get(f"{base}/organisers/login").text
    assert 'href="/organisers/forgot-password">Forgot your password?' in login_page
    asked = ask_for_link(visitor, base, EMAIL, lang="ru")
    assert asked.status_code == 303
    assert asked.headers["Location"] == "/organisers/forgot-password/sent?lang=ru#main"
    sent = visitor.get(f"{base}{asked.headers['Location']}")
    assert '<html lang="ru">' in sent.text and "Проверьте почту" in sent.text

    # The outbox row says what to send and in which language; the link is made at delivery.
    with live_server.app.app_context():
        row = db.session.scalars(select(OutboxMessage)).one()
        assert (row.kind, row.language, row.recipient, row.body_text) == (
            "password-reset",
            "ru",
            None,
            None,
        )
    [message] = smtp.sink.wait_for(1)
    assert message["To"] == EMAIL
    text = must(message.get_body(("plain",))).get_content()
    html = must(message.get_body(("html",))).get_content()
    assert text.startswith("Здравствуйте!")  # written in the language the form was read in
    assert '<html lang="ru">' in html and "Или скопируйте эту ссылку в браузер:" in html
    link = reset_link(text, base)
    assert link.endswith("?lang=ru")
    assert link in html

    holder = requests.Session()  # whoever opens the mail, logged in or not
    differ = set_new_password(holder, link, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 400 and "Новые пароли не совпадают" in differ.text
    assert 'class="error-summary"' in differ.text
    short = set_new_password(holder, link, "short")
    assert short.status_code == 400 and 'href="#new"' in short.text
    done_page = holder.get(link).text
    done = set_new_password(holder, link, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["Location"] == "/organisers/login?lang=ru#main"
    login_again = holder.get(f"{base}{done.headers['Location']}").text
    assert (
        "Вход для организаторов" in login_again and '<p class="flash" role="status">' in login_again
    )

    # Every login made with the old password has ended; the new one logs in, the old one not.
    assert not logged_in(elsewhere, base)
    assert log_in_over_http(requests.Session(), base, PASSWORD).status_code == 401
    fresh = organiser_session(base, EMAIL, NEW_PASSWORD)
    assert logged_in(fresh, base)

    # The link worked once: opening or sending it again is refused with a clear page.
    again = holder.get(link)
    assert again.status_code == 410 and '<html lang="ru">' in again.text
    assert 'href="/organisers/forgot-password"' in again.text  # a way to ask for a new link
    assert again.headers["Referrer-Policy"] == "no-referrer"
    form = {"csrf_token": csrf_token(done_page), "new": "another new passphrase"}
    assert holder.post(link, data=form | {"repeat": form["new"]}).status_code == 410
    assert logged_in(fresh, base)  # the refused link changed nothing

    history = fresh.get(f"{base}/organisers/password", params={"lang": "en"}).text
    lines = re.findall(r"\(UTC\): ([^<]+)</li>", history)
    assert lines == [
        "The password was reset with an emailed link",
        "A link to reset the password was asked for",
    ]


def test_an_unknown_address_gets_the_same_answer_byte_for_byte_and_no_mail(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base = live_server.url
    with live_server.app.app_context():
        set_organiser_password(EMAIL, PASSWORD)
    stranger = requests.Session()
    answers: dict[str, list[tuple[int, str, bytes, int, bytes]]] = {}
    for email in (EMAIL, "nobody@example.org", EMAIL.upper(), "nobody@example.org"):
        asked = ask_for_link(stranger, base, email)
        sent = stranger.get(f"{base}{asked.headers['Location']}")
        answers.setdefault(email.lower(), []).append(
            (
                asked.status_code,
                asked.headers["Location"],
                asked.content,
                sent.status_code,
                sent.content,
            )
        )
    known, unknown = answers[EMAIL], answers["nobody@example.org"]
    assert known == unknown
    assert SENT in known[0][4].decode()
    smtp.sink.wait_for(2)  # the two asked for the account (one as typed in capitals)
    assert {m["To"] for m in smtp.sink.messages} == {EMAIL}
    with live_server.app.app_context():
        assert outbox_rows() == 2


@pytest.fixture
def proxied_server(make_app: Callable[..., Flask]) -> Iterator[LiveServer]:
    """A live server behind one proxy, so each request can say which client it comes from."""
    app = make_app(
        WTF_CSRF_ENABLED=True,
        OUTBOX_DELIVER_IN_WEB=False,
        PUBLIC_URL="http://127.0.0.1",
        TRUSTED_PROXY_HOPS=1,
        PASSWORD_RESET_LIMIT="3 per hour",
        PASSWORD_RESET_ADDRESS_LIMIT="2 per hour",
    )
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def from_client(address: str) -> requests.Session:
    http = requests.Session()
    http.headers["X-Forwarded-For"] = address
    return http


def test_limits_count_per_client_and_per_address_alike_for_unknown_addresses(
    proxied_server: LiveServer,
) -> None:
    base = proxied_server.url
    with proxied_server.app.app_context():
        set_organiser_password(EMAIL, PASSWORD)
    refusals = {}
    for email in (EMAIL, "nobody@example.org"):
        # Per address: two asks, from two clients; a third client is refused for that address.
        for n in range(2):
            assert ask_for_link(from_client(f"192.0.2.{n + 1}"), base, email).status_code == 303
        refused = ask_for_link(from_client("192.0.2.50"), base, email)
        assert refused.status_code == 429
        assert LIMITED in refused.text and 'class="error-summary"' in refused.text
        assert 'name="email"' in refused.text  # the form is still there
        refusals[email] = refused.text.replace(email, "ADDRESS")
    assert refusals[EMAIL] == refusals["nobody@example.org"] or _same_but_csrf(
        refusals[EMAIL], refusals["nobody@example.org"]
    )
    with proxied_server.app.app_context():
        assert outbox_rows() == 2  # the refused ask owed nothing

    # Per client: three asks for three addresses, then this client is refused whatever it types.
    client = from_client("198.51.100.7")
    for n in range(3):
        assert ask_for_link(client, base, f"someone{n}@example.org").status_code == 303
    assert ask_for_link(client, base, "someone-else@example.org").status_code == 429
    assert (
        ask_for_link(from_client("198.51.100.8"), base, "someone-else@example.org").status_code
        == 303
    )


def _same_but_csrf(one: str, other: str) -> bool:
    token = re.compile(r'value="[^"]+"')
    return token.sub("", one) == token.sub("", other)


def test_an_expired_or_forged_link_is_refused_and_changes_nothing(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base = live_server.url
    with live_server.app.app_context():
        set_organiser_password(EMAIL, PASSWORD)
    assert ask_for_link(requests.Session(), base, EMAIL).status_code == 303
    [message] = smtp.sink.wait_for(1)
    link = reset_link(must(message.get_body(("plain",))).get_content(), base)

    live_server.app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link is already too old
    expired = requests.get(link)
    assert expired.status_code == 410 and EXPIRED in expired.text
    assert 'href="/organisers/forgot-password"' in expired.text
    live_server.app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    path, query = link.split("?")
    forged = requests.get(f"{path[:-3]}{'BBB' if path.endswith('AAA') else 'AAA'}?{query}")
    assert forged.status_code == 400 and "This reset link is not valid" in forged.text
    assert requests.get(f"{base}/organisers/reset-password/{'x' * 5000}").status_code == 400
    assert logged_in(organiser_session(base, EMAIL, PASSWORD), base)


def test_any_later_password_change_ends_a_link_not_yet_used(
    live_server: LiveServer, smtp: SMTPServer
) -> None:
    base = live_server.url
    with live_server.app.app_context():
        set_organiser_password(EMAIL, PASSWORD)
    for _ in range(2):
        assert ask_for_link(requests.Session(), base, EMAIL).status_code == 303
    first, second = smtp.sink.wait_for(2)
    links = [reset_link(must(m.get_body(("plain",))).get_content(), base) for m in (first, second)]
    assert set_new_password(requests.Session(), links[1], NEW_PASSWORD).status_code == 303
    older = requests.get(links[0])
    assert older.status_code == 410 and USED in older.text


def test_the_access_log_holds_no_reset_token(
    app: Flask, smtp: SMTPServer, gunicorn: Callable, tmp_path: Path
) -> None:
    set_organiser_password(EMAIL, PASSWORD)
    log = tmp_path / "access.log"
    server = gunicorn(1, access_log=log)
    http = requests.Session()
    page = http.get(f"{server.url}/organisers/forgot-password", timeout=10).text
    asked = http.post(
        f"{server.url}/organisers/forgot-password",
        data={"csrf_token": csrf_token(page), "email": EMAIL},
        timeout=10,
    )
    assert SENT in asked.text
    [message] = smtp.sink.wait_for(1, timeout=30)
    link = reset_link(must(message.get_body(("plain",))).get_content(), server.url)
    token = link.rsplit("/", 1)[1].split("?")[0]
    assert set_new_password(http, link, NEW_PASSWORD).status_code == 303
    wait_until(lambda: log.read_text().count("/reset-password/") >= 2, 10, "the link is logged")
    text = log.read_text()
    assert token[:4] not in text and token[-12:] not in text
    assert "GET /organisers/reset-password/...?lang=en HTTP/1.1" in text
    assert "POST /organisers/reset-password/...?lang=en HTTP/1.1" in text


@pytest.mark.serial
def test_a_known_address_takes_the_time_of_an_unknown_one(
    app: Flask, client: FlaskClient, make_organiser: Callable[..., Organiser]
) -> None:
    """Whether an address has an account is told only to its mailbox: not by the answer's time."""
    app.config["PASSWORD_RESET_LIMIT"] = "100000 per minute"
    app.config["PASSWORD_RESET_ADDRESS_LIMIT"] = "100000 per minute"
    make_organiser(EMAIL)
    stranger = client
    times: dict[str, list[float]] = {EMAIL: [], "nobody@example.org": []}
    for pair in range(330):  # back to back, in turns, so drift in the machine hits both alike
        for email in sorted(times, reverse=pair % 2 == 1):
            start = time.perf_counter()
            answer = stranger.post("/organisers/forgot-password", data={"email": email})
            times[email].append(time.perf_counter() - start)
            assert answer.status_code == 303
    known, nobody = times[EMAIL][30:], times["nobody@example.org"][30:]
    differences = [k - n for k, n in zip(known, nobody, strict=True)]
    median = statistics.median(differences)
    spread = statistics.median(abs(d - median) for d in differences)
    noise = 7.5 * spread / len(differences) ** 0.5
    # What remains is writing the two rows (0.1 to 0.2 ms, under a tenth of an answer), which
    # an observer may sample PASSWORD_RESET_ADDRESS_LIMIT times a day per address; a mail sent
    # while answering, a password hashed or a commit waiting for the disk (3 ms on PostgreSQL
    # here) each cost many times the allowance.
    allowed = max(noise, 0.15 * statistics.median(nobody))
    assert abs(median) <= allowed, f"{median * 1e3:.3f} ms apart; allowed {allowed * 1e3:.3f} ms"
    db.session.rollback()
    events = db.session.scalar(select(func.count()).select_from(AccountEvent))
    assert events == 330  # every known ask was recorded: the work was really done


def test_a_password_changed_while_logged_in_is_in_the_history_too(
    organiser_client: FlaskClient,
) -> None:
    before = organiser_client.get("/organisers/password").text
    assert "Nothing has happened to your account's password yet." in before
    changed = organiser_client.post(
        "/organisers/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert changed.status_code == 303
    after = organiser_client.get("/organisers/password").text
    assert re.findall(r"\(UTC\): ([^<]+)</li>", after) == ["The password was changed"]


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("", "Please enter your email address."),
        ("a" * 300 + "@example.org", "At most 254"),
        # A typo that can be no one's login is shown, not answered with "check your email".
        ("organiser.example.org", "An organiser logs in with an email address."),
    ],
)
def test_a_bad_address_gets_a_clear_error_and_owes_nothing(
    client: FlaskClient, email: str, problem: str
) -> None:
    answer = client.post("/organisers/forgot-password", data={"email": email})
    assert answer.status_code == 400
    assert problem in answer.text and 'href="#email"' in answer.text
    assert outbox_rows() == 0


def test_wrong_passwords_before_a_reset_do_not_keep_the_new_one_waiting(
    client: FlaskClient, make_organiser: Callable[..., Organiser], smtp: SMTPServer
) -> None:
    make_organiser(EMAIL)
    for _ in range(6):
        client.post("/organisers/login", data={"email": EMAIL, "password": "a wrong guess"})
    delayed = client.post("/organisers/login", data={"email": EMAIL, "password": PASSWORD})
    assert delayed.status_code == 429  # even the right password waits now
    assert client.post("/organisers/forgot-password", data={"email": EMAIL}).status_code == 303
    deliver_due()
    [message] = smtp.sink.wait_for(1)
    link = reset_link(
        must(message.get_body(("plain",))).get_content(), "https://petitions.example.org"
    )
    path = link.removeprefix("https://petitions.example.org")
    form = {"new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post(path, data=form).status_code == 303
    logged = client.post("/organisers/login", data={"email": EMAIL, "password": NEW_PASSWORD})
    assert logged.status_code == 303
