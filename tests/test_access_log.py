"""The shipped gunicorn config: no client address and no whole token in the access log."""

import importlib.util
from datetime import timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace

from gunicorn.config import Config

from petition.accesslog import RedactingLogger

ROOT = Path(__file__).resolve().parent.parent


def shipped_config() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shipped_gunicorn", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_access_lines_hold_neither_the_address_nor_the_whole_token(capsys) -> None:
    shipped = shipped_config()
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", shipped.access_log_format)
    assert shipped.logger_class == "petition.accesslog.RedactingLogger"
    logger = RedactingLogger(config)
    token = "WzEsMV0.Zx9Qkw.secret-part-of-the-token"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/withdraw/{token}",
        "PATH_INFO": f"/withdraw/{token}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.99",
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[], status_code=200)
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    line = capsys.readouterr().out
    assert "/withdraw/WzEsMV0." in line
    assert "secret-part" not in line and token not in line
    assert "192.0.2.99" not in line
