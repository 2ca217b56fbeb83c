"""Messages of support: short notes to the people a campaign supports, shown once approved."""

from petition.support.messages import (
    MAX_PAGE,
    PETITION_PAGE_MESSAGES,
    Page,
    all_approved,
    approved_messages,
    decide_messages,
    message_count,
    pending_messages,
    purge_support_messages,
    write_message,
)

__all__ = [
    "MAX_PAGE",
    "PETITION_PAGE_MESSAGES",
    "Page",
    "all_approved",
    "approved_messages",
    "decide_messages",
    "message_count",
    "pending_messages",
    "purge_support_messages",
    "write_message",
]
