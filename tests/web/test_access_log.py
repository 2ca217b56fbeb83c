"""The shipped gunicorn config: no client address and no token of an emailed link in the access log."""

import importlib.util
import re
from datetime import timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from flask import Flask
from gunicorn.config import Config

from petition.web.access_log import RedactingLogger

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "WzEsMV0.Zx9Qkw.secret-part-of-the-token"


def shipped_config() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shipped_gunicorn", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def access_line(capsys, path: str, query: str = "", referrer: str = "") -> str:
    """What the shipped logger writes for one request, read back from its real output."""
    shipped = shipped_config()
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", shipped.access_log_format)
    assert shipped.logger_class == "petition.web.access_log.RedactingLogger"
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + (f"?{query}" if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.99",
        "HTTP_REFERER": referrer,
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[], status_code=200)
    request = SimpleNamespace(headers=[("REFERER", referrer)] if referrer else [])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "route",
    [
        "/confirm/",
        "/withdraw/",
        "/unsubscribe/",
        "/organisers/invitations/",
        "/organisers/reset-password/",
    ],
)
def test_access_lines_hold_neither_the_address_nor_any_part_of_a_token(capsys, route: str) -> None:
    line = access_line(capsys, f"{route}{TOKEN}", "lang=ru", f"https://x.example{route}{TOKEN}")
    assert f'"GET {route}...?lang=ru HTTP/1.1"' in line
    assert f'"https://x.example{route}..."' in line  # the referrer too
    assert TOKEN[:4] not in line and "secret-part" not in line
    assert "192.0.2.99" not in line


def test_every_route_that_takes_a_token_is_cut_from_the_log(app: Flask, capsys) -> None:
    # A token route added or moved later (say, the invitation) must join the redacted ones.
    token_rules = [r.rule for r in app.url_map.iter_rules() if "<token>" in r.rule]
    assert len(token_rules) >= 3
    for rule in token_rules:
        line = access_line(capsys, rule.replace("<token>", TOKEN))
        assert TOKEN[:4] not in line, rule
        assert re.search(r"/\.\.\. HTTP/1\.1", line), rule
