"""What runs on whose behalf is wired in one place (petition/wiring.py), once per app, by name."""

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from petition import wiring
from petition.extensions import db, limiter
from petition.mail.messages import Email
from petition.mail.outbox import ClaimedMessage, composers, register_composers
from petition.models import MailKind
from petition.petitions import public_copies
from petition.petitions.editing import closing_hooks
from petition.transactions import tune_engine

PACKAGE = Path(__file__).resolve().parents[2] / "petition"

# Every listener the wiring puts on an app's engines, by event.
ENGINE_LISTENERS = {
    "connect": "petition.transactions._tune_sqlite",
    "begin": "petition.transactions._begin_sqlite",
    "handle_error": "petition.transactions._detect_ended_connection",
    "before_execute": "petition.petitions.public_copies._note_public_write",
    "commit": "petition.petitions.public_copies._forget_after_commit",
    "rollback": "petition.petitions.public_copies._keep_after_rollback",
}


def _listener(dotted: str) -> Callable[..., object]:
    module, _, name = dotted.rpartition(".")
    found: Callable[..., object] = getattr(__import__(module, fromlist=[name]), name)
    return found


def _listeners_of(engine: Engine, name: str) -> list[object]:
    """The functions listening to one event of one engine (pool and dialect events included)."""
    for target in (engine, engine.pool, engine.dialect):
        try:
            collection = getattr(target.dispatch, name)
        except AttributeError:
            continue
        return list(collection)
    raise AssertionError(f"no event {name!r}")


def _engine_of(app: Flask) -> Engine:
    with app.app_context():
        return db.engine


def test_every_kind_of_mail_has_exactly_one_composer_in_the_table() -> None:
    kinds = Counter(kind for kind, _compose in wiring.MAIL_COMPOSERS)
    assert set(kinds) == set(MailKind)
    assert [kind for kind, number in kinds.items() if number > 1] == []


def test_the_app_finds_each_kinds_composer_in_the_table(app: Flask) -> None:
    assert dict(composers()) == dict(wiring.MAIL_COMPOSERS)


def test_a_kind_named_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def another(message: ClaimedMessage) -> Email:
        raise AssertionError("never called")

    doubled = (*wiring.MAIL_COMPOSERS, (MailKind.CONFIRM, another))
    monkeypatch.setattr(wiring, "MAIL_COMPOSERS", doubled)
    with pytest.raises(RuntimeError, match="two composers"):
        wiring.composer_table()


def test_an_app_missing_a_kinds_composer_refuses_to_start() -> None:
    table = {kind: compose for kind, compose in wiring.MAIL_COMPOSERS}
    del table[MailKind.UPDATE]
    with pytest.raises(RuntimeError, match="no composer"):
        register_composers(Flask(__name__), table)


def test_building_two_apps_wires_each_once(make_app: Callable[..., Flask]) -> None:
    first, second = make_app(), make_app()
    counts = []
    for app in (first, second):
        engine = _engine_of(app)
        before = {name: len(_listeners_of(engine, name)) for name in ENGINE_LISTENERS}
        wiring.wire_app(app)  # wiring the same app again changes nothing
        tune_engine(engine)
        public_copies.listen_for_public_copy_changes(engine)
        assert {name: len(_listeners_of(engine, name)) for name in ENGINE_LISTENERS} == before
        counts.append(before)
        with app.app_context():
            assert closing_hooks() == wiring.CLOSING_HOOKS
        for name, dotted in ENGINE_LISTENERS.items():
            listener = _listener(dotted)
            assert event.contains(engine, name, listener), (name, dotted)
            assert not event.contains(Engine, name, listener), f"{dotted} listens to every engine"
    assert counts[0] == counts[1], "the two apps' engines are wired alike"
    assert _engine_of(first) is not _engine_of(second)


def test_closing_hooks_are_named_in_the_wiring() -> None:
    assert wiring.CLOSING_HOOKS, "the log signs a closed petition's final count"
    assert len(set(wiring.CLOSING_HOOKS)) == len(wiring.CLOSING_HOOKS)


def test_no_module_is_imported_only_for_what_importing_it_does() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"noqa:\s*F401", line)
    ]
    assert offenders == [], "wire it by name in petition/wiring.py instead"


def test_the_limiters_hook_before_every_request_is_left_out(app: Flask) -> None:
    """Flask-Limiter has no public switch for it: extensions.init_limiter removes it by name."""
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])
