"""Organiser pages: whether confirmation mail gets through (the funnel by domain, stalls)."""

from petition.models import Petition
from petition.petitions.funnel import FUNNEL_DAYS, confirmation_funnel, confirmation_stall


def mail_health_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    return {
        "mail_funnel": confirmation_funnel(petition),
        "mail_funnel_days": FUNNEL_DAYS,
        "mail_stall": confirmation_stall(petition),
    }
