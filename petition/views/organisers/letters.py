"""Organiser pages: letters."""

from petition.models import Petition
from petition.views.organisers.blueprint import bp

__all__ = ["bp"]


def letters_panel(petition: Petition) -> dict[str, object]:
    """What the petition's organiser page shows of this feature."""
    return {}
