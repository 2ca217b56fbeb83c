"""`flask --app petition mail check ADDRESS`: one test message, every answer of a real relay shown."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from tests.conftest import SMTPServer, free_port


def _check(app: Flask, address: str) -> Any:
    return app.test_cli_runner().invoke(args=["mail", "check", address])


def test_a_message_the_relay_accepts_is_received_and_every_step_is_shown(
    app: Flask, smtp: SMTPServer
) -> None:
    result = _check(app, "operator@example.net")

    assert result.exit_code == 0, result.output
    for command in ("connect 127.0.0.1", "EHLO", "MAIL FROM:<petitions@example.org>",
                    "RCPT TO:<operator@example.net>", "DATA", "QUIT"):  # fmt: skip
        assert f">>> {command}" in result.output
    assert "<<< 220 " in result.output and "<<< 250 " in result.output
    assert "<<< 221 " in result.output
    assert "STARTTLS" not in result.output and "AUTH" not in result.output  # not configured
    assert "Sent: the relay accepted" in result.output
    (received,) = smtp.sink.wait_for(1)
    assert received["To"] == "operator@example.net"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@petitions.example.org>")
    # Where to look next: the From address's domain and the three DNS records.
    assert "Mail is sent as example.org" in result.output
    assert "_dmarc.example.org" in result.output and "_domainkey.example.org" in result.output


class _Refusing:
    """A relay that knows no such mailbox."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return "550 5.1.1 No such mailbox here"


@pytest.fixture
def refusing_relay() -> Iterator[int]:
    port = free_port()
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_a_refused_recipient_fails_with_the_relays_answer(
    make_app: Callable[..., Flask], refusing_relay: int
) -> None:
    app = make_app(MAIL_PORT=refusing_relay)

    result = _check(app, "nobody@example.net")

    assert result.exit_code == 1
    assert "<<< 550 5.1.1 No such mailbox here" in result.output
    assert "Not sent: RCPT TO:<nobody@example.net>: the relay answered 550" in result.output
    assert ">>> DATA" not in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_relay_fails_in_one_line(make_app: Callable[..., Flask]) -> None:
    app = make_app(MAIL_PORT=free_port())

    result = _check(app, "operator@example.net")

    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("Not sent:")]
    assert len(failures) == 1 and f"connect 127.0.0.1:{app.config['MAIL_PORT']}" in failures[0]
    assert "Traceback" not in result.output and result.exception is not None  # SystemExit only
    assert isinstance(result.exception, SystemExit)


def test_login_is_shown_without_the_password(
    make_app: Callable[..., Flask], smtp: SMTPServer
) -> None:
    # The test relay offers no AUTH: the step fails, and still names no password.
    app = make_app(MAIL_USERNAME="relay-user", MAIL_PASSWORD="hunter2-secret")

    result = _check(app, "operator@example.net")

    assert ">>> AUTH as relay-user (password not shown)" in result.output
    assert "hunter2-secret" not in result.output
    assert result.exit_code == 1
    assert smtp.sink.messages == []


@pytest.mark.parametrize("address", ["not-an-address", "two@@example.org", "a@b\x00.org", ""])
def test_an_invalid_address_is_a_usage_error(app: Flask, address: str, smtp: SMTPServer) -> None:
    result = _check(app, address)

    assert result.exit_code == 2
    assert "ADDRESS" in result.output
    assert smtp.sink.messages == []


def test_without_a_relay_it_says_so(make_app: Callable[..., Flask]) -> None:
    result = _check(make_app(MAIL_SERVER=""), "operator@example.net")

    assert result.exit_code == 1
    assert "MAIL_SERVER is not set" in result.output
