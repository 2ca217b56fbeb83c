"""The organiser area: petitions, their progress, exports, delivery and the team that runs them."""

from petition.views.organisers import account, campaigns, downloads, team, texts
from petition.views.organisers.blueprint import bp

__all__ = ["account", "bp", "campaigns", "downloads", "team", "texts"]
