"""A petition's team: organisers removing one another, or leaving, never leaving it with none."""

from flask_babel import gettext
from sqlalchemy import delete, select

from petition.models import EventAction, Organiser, Petition, memberships
from petition.petitions.history import record_event
from petition.transactions import write_transaction


class TeamError(ValueError):
    """A change to a team cannot be made as asked; the message says why, in the reader's language."""


class LastOrganiserError(TeamError):
    """The change would leave the petition with no one to run it."""


def remove_organiser(petition: Petition, by: Organiser, member_id: int) -> Organiser:
    """Take an organiser off a petition's team; removing oneself is leaving. Returns who left.

    The petition's row is locked first, so two organisers leaving at once cannot both succeed
    and leave it with nobody.
    """
    with write_transaction() as session:
        locked = session.get(Petition, petition.id, with_for_update=True)
        members = set(
            session.scalars(
                select(memberships.c.organiser_id).where(memberships.c.petition_id == petition.id)
            )
        )
        member = session.get(Organiser, member_id)
        if locked is None or by.id not in members or member is None or member_id not in members:
            raise TeamError(gettext("That organiser no longer runs this petition."))
        if len(members) == 1:
            raise LastOrganiserError(
                gettext(
                    "A petition needs at least one organiser. Invite someone to run it before "
                    "you leave."
                )
            )
        session.execute(
            delete(memberships).where(
                memberships.c.petition_id == petition.id, memberships.c.organiser_id == member_id
            )
        )
        if member_id == by.id:
            record_event(session, locked, by, EventAction.LEFT, address=member.email)
        else:
            record_event(session, locked, by, EventAction.REMOVED, address=member.email)
    return member


def leave_petition(petition: Petition, organiser: Organiser) -> None:
    """Stop running a petition, unless no one else runs it."""
    remove_organiser(petition, organiser, organiser.id)
