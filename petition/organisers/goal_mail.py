"""The email to a petition's organisers when it passes a quarter of its goal.

Each quarter (25, 50, 75 and 100%) is told once, ever. Raising Petition.goal_notified in the
confirming transaction claims it, so two confirmations passing it at the same moment send one
mail, and a count that falls back (a withdrawal) and passes it again sends none. A count that
jumps past several quarters at once tells only the highest.
"""

from flask_babel import force_locale, gettext
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.mail.messages import Email, compose_email
from petition.mail.outbox import ClaimedMessage, MessageGoneError, OwedMail, queue_message
from petition.models import MailKind, MailPriority, Organiser, Petition, memberships, table_of
from petition.petitions.publishing import is_organiser_of
from petition.petitions.versions import in_language
from petition.transparency.tally import CountedTowardsGoal
from petition.web.urls import public_url

QUARTERS = 4

_petitions = table_of(Petition).c
# Only the transaction that raises the mark owes the mail: the WHERE makes it change one row once.
_CLAIM_QUARTER = (
    update(table_of(Petition))
    .where(_petitions.id == bindparam("petition_id"))
    .where(_petitions.goal_notified < bindparam("quarter"))
    .values(goal_notified=bindparam("quarter"))
    .returning(_petitions.language)
)
_ORGANISERS = (
    select(memberships.c.organiser_id)
    .where(memberships.c.petition_id == bindparam("petition_id"))
    .order_by(memberships.c.organiser_id)
)


def quarter_reached(count: int, goal: int | None) -> int:
    """The highest quarter of the goal the count has reached, as a percentage (0 for none)."""
    if not goal or goal <= 0:
        return 0
    return min(QUARTERS, count * QUARTERS // goal) * 100 // QUARTERS


def owe_goal_mail(session: Session, counted: CountedTowardsGoal) -> bool:
    """Owe each organiser one email if the count just passed a quarter not told yet.

    Runs in the confirming transaction, from what the count's change returned: a confirmation
    that passes no new quarter costs no query. Says whether mail was owed.
    """
    quarter = quarter_reached(counted.count, counted.goal)
    if quarter <= counted.goal_notified:
        return False
    params = {"petition_id": counted.petition_id, "quarter": quarter}
    language = session.execute(_CLAIM_QUARTER, params).scalar_one_or_none()
    if language is None:  # another confirmation told this quarter first
        return False
    for organiser_id in session.scalars(_ORGANISERS, params):
        queue_message(
            session,
            OwedMail(
                MailKind.GOAL_PASSED,
                language,
                petition_id=counted.petition_id,
                organiser_id=organiser_id,
                figure=quarter,
                priority=MailPriority.TRANSACTIONAL,
            ),
        )
    return True


def _recipient(message: ClaimedMessage) -> tuple[Organiser, Petition]:
    """The organiser and the petition, if they still run it; else there is nothing to send."""
    organiser = db.session.get(Organiser, message.organiser_id) if message.organiser_id else None
    petition = db.session.get(Petition, message.petition_id) if message.petition_id else None
    if organiser is None or petition is None:
        raise MessageGoneError(f"organiser {message.organiser_id} or its petition is gone")
    if not is_organiser_of(organiser, petition):
        raise MessageGoneError(f"organiser {organiser.id} no longer runs petition {petition.id}")
    return organiser, petition


def goal_passed_email(message: ClaimedMessage) -> Email:
    """The news that the petition passed a quarter of its goal, with its count as it is now."""
    organiser, petition = _recipient(message)
    language = message.language or petition.language
    shown = in_language(petition, language)
    with force_locale(language):
        return compose_email(
            "goal_passed",
            organiser.email,
            gettext(
                "%(title)s passed %(percent)s%% of its goal",
                title=shown.title,
                percent=message.figure,
            ),
            petition=shown,
            percent=message.figure,
            count=petition.signature_count,
            goal=petition.goal,
            petition_url=public_url("organisers.petition", slug=petition.slug, lang=language),
        )
