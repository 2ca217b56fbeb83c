"""History as data: every recorded action renders from its values in each language the site speaks."""

from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from petition.models import EventAction, Invalidation, PetitionEvent
from petition.moderation.invalidations import criteria_text
from petition.petitions.history import ACTIONS, RENDERERS, action_label, event_detail
from tests.helpers.reading import english_words

# Values as the code records them, one sample per action; what people typed is in Russian.
SAMPLES: dict[EventAction, dict[str, Any]] = {
    EventAction.CREATED: {"slug": "skver"},
    EventAction.CLOSED: {},
    EventAction.REOPENED: {},
    EventAction.HIDDEN: {},
    EventAction.SHOWN: {},
    EventAction.EDITED: {
        "fields": ["title", "body", "target", "goal", "closes_at", "collects_country", "language"]
    },
    EventAction.INVITED: {"address": "new@example.org"},
    EventAction.JOINED: {"address": "new@example.org"},
    EventAction.INVITATION_WITHDRAWN: {"address": "new@example.org"},
    EventAction.REMOVED: {"address": "new@example.org"},
    EventAction.LEFT: {"address": "new@example.org"},
    EventAction.RESENT: {"count": 5, "older_than_hours": 24},
    EventAction.REINSTATED: {
        "address": "a***@example.org", "held_for": "rate-limit", "reason": "Общий офис"
    },
    EventAction.EXPORT: {
        "format": "xlsx", "source": "command line", "first": None, "last": "2026-02-01"
    },
    EventAction.VERSION_ADDED: {"language": "kk"},
    EventAction.VERSION_CHANGED: {"language": "ru"},
    EventAction.VERSION_REMOVED: {"language": "kk"},
    EventAction.UPDATE_SENT: {"update_id": 1, "recipients": 1200, "subject": "Петицию вручили"},
}  # fmt: skip
# Other samples a renderer must read as well as the ones above.
MORE_SAMPLES = [
    (EventAction.RESENT, {"count": 1, "older_than_hours": None}),
    (EventAction.REINSTATED, {"address": "all", "held_for": "invalidation", "reason": "Люди"}),
    (EventAction.EXPORT, {"format": "csv", "source": "browser", "first": None, "last": None}),
    (EventAction.EXPORT, {"format": "json", "source": "browser", "first": "2026-01-01", "last": None}),
    (EventAction.EXPORT, {"format": "delivery pack", "source": "browser"}),
]  # fmt: skip
FORMAT_NAMES = {"CSV", "XLSX", "JSON", "PDF"}
# The timeline and paper signatures.
SAMPLES |= {
    EventAction.MILESTONE_RECORDED: {"milestone": 3, "kind": "delivered", "day": "2026-03-03"},
    EventAction.MILESTONE_REMOVED: {"milestone": 3, "kind": "answered", "day": "2026-03-10"},
    EventAction.PAPER_RECORDED: {"batch": 2, "count": 1200, "day": "2026-02-01"},
    EventAction.PAPER_REMOVED: {"batch": 2, "count": 1, "day": "2026-02-01"},
}
# Messages of support.
SAMPLES |= {
    EventAction.MESSAGES_APPROVED: {"count": 12},
    EventAction.MESSAGES_REJECTED: {"count": 1},
}

SAMPLES |= {
    EventAction.LETTER_ADDED: {"action_id": 1, "title": "Письмо в посольство"},
    EventAction.LETTER_CHANGED: {"action_id": 1, "title": "Письмо в посольство"},
    EventAction.LETTER_REMOVED: {"action_id": 1, "title": "Письмо в посольство"},
    EventAction.TARGETS_IMPORTED: {"action_id": 1, "title": "Письмо", "count": 21},
    EventAction.TARGET_ADDED: {"action_id": 1, "title": "Письмо", "name": "Суд", "country": None},
    EventAction.TARGET_REMOVED: {"action_id": 1, "title": "Письмо", "name": "Суд", "country": "KZ"},
}


def test_every_action_has_a_label_a_renderer_and_a_sample() -> None:
    assert set(ACTIONS) == set(RENDERERS) == set(SAMPLES) == set(EventAction)


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize(
    ("action", "values"), [*SAMPLES.items(), *MORE_SAMPLES], ids=lambda value: str(value)[:20]
)
def test_each_action_reads_without_english_in_other_languages(
    app: Flask, action: EventAction, values: dict[str, Any], language: str
) -> None:
    event = PetitionEvent(action=action, values=values, detail="")
    with app.test_request_context(), force_locale(language):
        line = f"{action_label(event)}: {event_detail(event)}"
    assert english_words(line, FORMAT_NAMES) == set(), line


def test_each_action_renders_its_values_in_english(app: Flask) -> None:
    lines = {
        action: event_detail(PetitionEvent(action=action, values=values, detail=""))
        for action, values in SAMPLES.items()
    }
    assert lines[EventAction.CREATED] == "Published at /petitions/skver"
    assert lines[EventAction.EDITED] == (
        "Changed title, text, addressed to, goal, last day to sign, country question, language"
    )
    assert lines[EventAction.RESENT] == (
        "Sent 5 confirmation links again to pending signers older than 24 h"
    )
    assert lines[EventAction.REINSTATED] == "a***@example.org, held for rate limit: Общий офис"
    assert lines[EventAction.EXPORT] == "XLSX, command line, the start to 2026-02-01"
    assert lines[EventAction.VERSION_CHANGED] == "Русский"
    assert lines[EventAction.UPDATE_SENT] == "“Петицию вручили” to 1,200 signers"
    assert lines[EventAction.CLOSED] == ""
    assert lines[EventAction.MILESTONE_RECORDED] == "Delivered, 3 March 2026"
    assert lines[EventAction.PAPER_RECORDED] == (
        "1,200 signatures on paper, collected on 1 February 2026"
    )
    assert lines[EventAction.PAPER_REMOVED] == "1 signature on paper, collected on 1 February 2026"


def test_a_row_kept_as_free_text_reads_as_stored(app: Flask) -> None:
    unread = PetitionEvent(action="edited", values={}, detail="Changed the colour of the sky")
    unnamed = PetitionEvent(action="renamed", values={}, detail="Renamed by hand")
    with app.test_request_context(), force_locale("ru"):
        assert event_detail(unread) == "Changed the colour of the sky"
        assert (action_label(unnamed), event_detail(unnamed)) == ("Renamed", "Renamed by hand")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_invalidation_criteria_read_without_english(app: Flask, language: str) -> None:
    record = Invalidation(
        criteria="",
        criteria_values={
            "domain": "spam.example",
            "network": "0123456789ab",
            "name_pattern": "Иван*",
            "since": "2026-01-05T10:00:00+00:00",
            "until": "2026-01-06T10:00:00+00:00",
        },
    )
    with app.test_request_context(), force_locale(language):
        line = criteria_text(record)
    assert "2026-01-05 10:00 UTC" in line and "spam.example" in line
    assert english_words(line, {"UTC"}) == set(), line
