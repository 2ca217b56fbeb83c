"""Static files are addressed with their content's fingerprint and kept for a year by address;
an address without it, or with an old one, is revalidated."""

import re
from pathlib import Path

from flask import Flask, url_for
from flask.testing import FlaskClient

from petition.web.static_files import Fingerprints

FINGERPRINTED = re.compile(r"/static/site\.css\?v=([0-9a-f]{12})\b")


def test_pages_link_static_files_by_fingerprint_and_those_are_kept_a_year(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/").get_data(as_text=True)
    match = FINGERPRINTED.search(page)
    assert match, "the stylesheet's address carries its fingerprint"
    kept = client.get(match.group(0))
    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/static/site.css", "/static/site.css?v=000000000000"):
        assert client.get(stale).headers["Cache-Control"] == "no-cache", stale


def test_a_changed_file_gets_a_new_fingerprint_and_no_name_leaves_the_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "site.css").write_text("body { color: black }")
    (tmp_path.parent / "secret.txt").write_text("not static")
    fingerprints = Fingerprints(tmp_path)
    first = fingerprints.of("site.css")
    assert first is not None and len(first) == 12
    (tmp_path / "site.css").write_text("body { color: navy }")
    assert fingerprints.of("site.css") not in (None, first)
    assert fingerprints.of("../secret.txt") is None
    assert fingerprints.of("missing.css") is None
    assert fingerprints.of("") is None


def test_url_for_adds_the_fingerprint_only_to_static_files(app: Flask) -> None:
    with app.test_request_context():
        assert "?v=" in url_for("static", filename="site.css")
        assert "?v=" not in url_for("static", filename="no-such-file.css")
        assert "v=" not in url_for("public.index")
