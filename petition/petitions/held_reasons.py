"""Why a signature is held (its stored flag_reason), as organisers read it.

The history of a petition and the moderation pages both name these reasons.
"""

from flask_babel import gettext

from petition.i18n.languages import N_

# Why signatures are held, as stored in flag_reason, and as organisers read it.
HELD_REASONS = {
    "invalidation": N_("invalidation"),
    "blocked domain": N_("blocked domain"),
    "blocked address": N_("blocked address"),
    "blocked network": N_("blocked network"),
    "disposable domain": N_("disposable domain"),
    "rate-limit": N_("rate limit"),
    "unknown": N_("unknown"),
}


def held_reason_text(reason: str) -> str:
    """A held signature's reason in the reader's language (an unknown one as stored)."""
    return gettext(HELD_REASONS[reason]) if reason in HELD_REASONS else reason
