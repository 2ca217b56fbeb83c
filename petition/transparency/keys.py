"""The key that signs checkpoints: its name, id, the published verifier key and its fingerprint.

LOG_SIGNING_KEY (base64 of a 32-byte Ed25519 seed) if set; otherwise a key made on first use and
kept in the instance folder, readable by its owner only, so every process signs with one key.
"""

import base64
import binascii
import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app

KEY_FILE = "log-signing-key"
_ED25519 = b"\x01"  # the signed-note signature type of Ed25519
_EXTENSION = "petition_log_key"


class SigningKeyError(RuntimeError):
    """LOG_SIGNING_KEY (or the key file) is not base64 of 32 bytes."""


@dataclass(frozen=True)
class LogKey:
    """The checkpoint signer and what verifiers need to know of it."""

    private: Ed25519PrivateKey
    name: str

    @property
    def public(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        """The 4 bytes that name this key in signature lines (C2SP signed note)."""
        return hashlib.sha256(self.name.encode() + b"\n" + _ED25519 + self.public).digest()[:4]

    @property
    def verifier(self) -> str:
        """The published verifier key: <name>+<key id hex>+<base64(0x01 || public key)>."""
        encoded = base64.b64encode(_ED25519 + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def fingerprint(self) -> str:
        """Lowercase hex SHA-256 of the raw public key, as the delivery pack prints it."""
        return hashlib.sha256(self.public).hexdigest()

    def sign(self, note: str) -> str:
        """The signature line for a note's text (everything before its blank line)."""
        signature = self.private.sign(note.encode("utf-8"))
        return f"\u2014 {self.name} {base64.b64encode(self.key_id + signature).decode()}\n"


def _seed(encoded: str) -> bytes:
    try:
        seed = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError("LOG_SIGNING_KEY must be base64") from exc
    if len(seed) != 32:
        raise SigningKeyError("LOG_SIGNING_KEY must be base64 of 32 bytes")
    return seed


def _stored_seed(folder: Path) -> bytes:
    """The instance folder's key, made now if there is none (whoever links it first wins)."""
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, draft = tempfile.mkstemp(dir=folder, prefix=".log-key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")
            with contextlib.suppress(FileExistsError):  # a second process keeps the first's key
                os.link(draft, path)  # atomic, unlike checking first
        finally:
            os.unlink(draft)
    return _seed(path.read_text())


def log_key() -> LogKey:
    """This app's checkpoint key (read once per app), named for the host of PUBLIC_URL."""
    app = current_app
    private = app.extensions.get(_EXTENSION)
    if private is None:
        configured = app.config.get("LOG_SIGNING_KEY")
        seed = _seed(configured) if configured else _stored_seed(Path(app.instance_path))
        private = app.extensions[_EXTENSION] = Ed25519PrivateKey.from_private_bytes(seed)
    return LogKey(private, urlsplit(app.config["PUBLIC_URL"]).netloc)
