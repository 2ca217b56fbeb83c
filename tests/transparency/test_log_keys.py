"""The checkpoint key: from LOG_SIGNING_KEY, or made once in the instance folder for every process."""

import base64
import hashlib
import stat
from pathlib import Path

import pytest

from petition.transparency.keys import KEY_FILE, SigningKeyError, log_key


def test_a_key_is_made_once_in_the_instance_folder_and_shared(make_app, tmp_path: Path) -> None:
    verifiers = []
    for _ in range(2):  # two processes' apps on one instance folder
        app = make_app(LOG_SIGNING_KEY=None)
        app.instance_path = str(tmp_path / "instance")
        with app.app_context():
            verifiers.append(log_key().verifier)
    assert verifiers[0] == verifiers[1]
    assert stat.S_IMODE((tmp_path / "instance" / KEY_FILE).stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "instance").iterdir()] == [KEY_FILE]  # no draft left behind


def test_the_setting_wins_and_names_the_key_for_the_public_host(make_app) -> None:
    seed = bytes(range(32))
    app = make_app(
        LOG_SIGNING_KEY=base64.b64encode(seed).decode(), PUBLIC_URL="https://x.example:8443"
    )
    with app.app_context():
        key = log_key()
        name, key_id, encoded = key.verifier.split("+", 2)
        assert name == "x.example:8443"
        public = base64.b64decode(encoded)[1:]
        assert key_id == hashlib.sha256(b"x.example:8443\n\x01" + public).digest()[:4].hex()
        assert key.fingerprint == hashlib.sha256(public).hexdigest()


@pytest.mark.parametrize("setting", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_bad_setting_is_refused_clearly(make_app, setting: str) -> None:
    app = make_app(LOG_SIGNING_KEY=setting)
    with app.app_context(), pytest.raises(SigningKeyError):
        log_key()
