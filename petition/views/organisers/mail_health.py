"""Organiser pages: whether confirmation mail gets through (the funnel by domain, stalls)."""

from petition.models import Petition


def mail_health_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    return {}
