"""The organiser area: petitions, their progress, exports, delivery, the team that runs them, and
(in `moderation`, a blueprint of its own under /organisers/) the activity and moderation pages."""

from petition.views.organisers import (
    account,
    campaigns,
    downloads,
    letters,
    password_reset,
    support,
    team,
    texts,
    timeline,
    updates,
)
from petition.views.organisers.blueprint import bp

__all__ = [
    "account",
    "bp",
    "campaigns",
    "downloads",
    "letters",
    "password_reset",
    "support",
    "team",
    "texts",
    "timeline",
    "updates",
]
