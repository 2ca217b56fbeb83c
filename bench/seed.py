"""Bench data written straight through sqlite3: the fastest way to make a million rows."""

import secrets
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

# How SQLAlchemy stores a UTC datetime in SQLite, so the app reads these rows as its own.
NOW = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def add_petition(database: Path, slug: str) -> int:
    """A bare open petition; returns its id."""
    with sqlite3.connect(database) as connection:
        cursor = connection.execute(
            "INSERT INTO petitions (slug, title, body, collects_country, created_at,"
            " signature_count) VALUES (?, ?, ?, 0, ?, 0)",
            (slug, f"Bench {slug}", "Bench petition.", NOW),
        )
        return int(cursor.lastrowid or 0)


def _signatures(petition_id: int, count: int, status: str) -> Iterator[tuple]:
    confirmed_at = NOW if status == "confirmed" else None
    for n in range(count):
        email = f"signer{n}@example.org"
        secret = secrets.token_hex(16)
        yield (petition_id, f"Signer Number {n}", email, email, status, NOW, confirmed_at, secret)


def add_signatures(
    database: Path, petition_id: int, count: int, status: str
) -> list[tuple[int, str]]:
    """Insert signatures in one transaction; returns their ids and link secrets."""
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO signatures (petition_id, name, email, email_canonical, status,"
            " created_at, confirmed_at, link_secret, messages_sent)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
            _signatures(petition_id, count, status),
        )
        if status == "confirmed":
            connection.execute(
                "UPDATE petitions SET signature_count = ? WHERE id = ?", (count, petition_id)
            )
        rows = connection.execute(
            "SELECT id, link_secret FROM signatures WHERE petition_id = ? ORDER BY id",
            (petition_id,),
        )
        return [(row[0], row[1]) for row in rows]


BARE_EXPORT = """
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
rows = connection.execute(
    "SELECT name, email, created_at, confirmed_at FROM signatures"
    " WHERE petition_id = ? AND status = 'confirmed' ORDER BY id", (int(sys.argv[2]),))
with open(sys.argv[3], "w", encoding="utf-8", newline="") as file:
    writer = csv.writer(file)
    writer.writerow(["name", "email", "signed_at", "confirmed_at"])
    for row in rows:
        writer.writerow(row)
"""
