"""held signatures say so: the status "fraudulent" becomes "held"

Revision ID: 0019_held_status
Revises: 0018_one_count_column
Create Date: 2026-12-07 17:40:00.000000

A signature kept out of the count (held by a rule, or invalidated by an organiser) was stored
with the status "fraudulent", though most are held for a rate limit or a domain and the same
status is reversed by reinstating them. The status now says what it means. Nothing public shows
it: exports and the API read confirmed signatures only.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_held_status"
down_revision = "0018_one_count_column"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE signatures SET status = 'held' WHERE status = 'fraudulent'")


def downgrade() -> None:
    op.execute("UPDATE signatures SET status = 'fraudulent' WHERE status = 'held'")
