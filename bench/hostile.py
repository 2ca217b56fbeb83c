"""What a hostile post costs: each public form's text fields, a short value beside 250 KB of bait.

`python bench/hostile.py [KB]` prints, per field and bait, the best of three posts in
milliseconds and its ratio to a one-letter value posted in the same run. An anonymous post must
never cost seconds; round two's patterns took 35 s for 8 KB of "a." in a message of support.
"""

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from petition import create_app
from petition.extensions import db
from petition.organisers.accounts import set_organiser_password
from petition.petitions.publishing import create_petition

BAITS = {"a.": "a.", "a-": "a-", "zero-width": "\u200b", "accents": "a\u0301\u0302"}


def best_of_three(post: Callable[[], int]) -> float:
    took = []
    for _ in range(3):
        start = time.perf_counter()
        status = post()
        took.append(time.perf_counter() - start)
        assert status < 500, status
    return min(took)


def main(size_kb: int) -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_URL": "https://petitions.example.org",
            "PROPAGATE_EXCEPTIONS": False,
            "OUTBOX_DELIVER_IN_WEB": False,
        }
    )
    with app.app_context():
        db.create_all()
        organiser = set_organiser_password("bench@example.org", "correct horse battery staple")
        slug = create_petition(title="Bench", body="Text", organiser=organiser).slug
    client = app.test_client()
    doors = {
        ("support", "message"): (f"/petitions/{slug}/support", {"message": "ok"}),
        ("support", "city"): (f"/petitions/{slug}/support", {"message": "ok"}),
        ("sign", "name"): (f"/petitions/{slug}/sign", {"name": "A", "email": "a@example.org"}),
        ("code", "code"): (f"/petitions/{slug}/code", {"email": "a@example.org"}),
    }
    print(f"{'form':8} {'field':8} {'bait':11} {'short ms':>9} {'hostile ms':>11} {'ratio':>6}")
    for (form, field), (path, valid) in doors.items():

        def post(value: str, path: str = path, valid: dict = valid, field: str = field) -> int:
            data = valid | {field: value}
            response = client.post(path, data=data, content_type="multipart/form-data")
            return response.status_code

        short = best_of_three(lambda post=post: post("x"))
        for name, unit in BAITS.items():
            bait = unit * (size_kb * 1000 // len(unit.encode()))
            hostile = best_of_three(lambda post=post, bait=bait: post(bait))
            ratio = hostile / short
            print(
                f"{form:8} {field:8} {name:11} {short * 1e3:9.1f} {hostile * 1e3:11.1f} {ratio:6.1f}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 250)
