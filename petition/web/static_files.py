"""Fingerprinted static files: each address of a static file carries a hash of its content
(`/static/site.css?v=3f9a0c…`), so browsers and a reverse proxy keep it for a year, and a
release that changes the file changes the address, which is fetched at once."""

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.wrappers import Response

FINGERPRINT = "v"
YEAR_SECONDS = 365 * 24 * 3600
_CHUNK = 1 << 16


class Fingerprints:
    """The content hash of each static file, computed again only when the file changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._known: dict[str, tuple[int, str]] = {}

    def of(self, filename: str) -> str | None:
        """The file's fingerprint, or None for a name outside the folder or no file at all."""
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        changed = path.stat().st_mtime_ns
        known = self._known.get(filename)
        if known is None or known[0] != changed:
            digest = hashlib.sha256()
            with path.open("rb") as file:
                while chunk := file.read(_CHUNK):
                    digest.update(chunk)
            known = (changed, digest.hexdigest()[:12])
            self._known[filename] = known
        return known[1]


def register_static_fingerprints(app: Flask) -> None:
    """Add the fingerprint to every url_for("static", …), and let a fingerprinted address be
    kept for a year, immutable; an address with another or no fingerprint is revalidated."""
    if app.static_folder is None:
        return
    fingerprints = Fingerprints(Path(app.static_folder))

    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and FINGERPRINT not in values:
            fingerprint = fingerprints.of(str(values.get("filename", "")))
            if fingerprint:
                values[FINGERPRINT] = fingerprint

    def cache_fingerprinted(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        asked = request.args.get(FINGERPRINT)
        if asked is not None and asked == fingerprints.of(str(filename)):
            response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response

    app.url_defaults(add_fingerprint)
    app.after_request(cache_fingerprinted)
