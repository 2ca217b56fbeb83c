"""Demo petitions and a demo organiser, so a newcomer can try every step locally."""

import secrets
from datetime import timedelta
from typing import TypedDict

from petition.models import MilestoneKind, utcnow
from petition.organisers.accounts import find_organiser, set_organiser_password
from petition.petitions.publishing import create_petition, petition_by_slug
from petition.petitions.versions import save_petition_text
from petition.updates.milestones import record_milestone
from petition.updates.paper import record_paper_batch

DEMO_ORGANISER = "demo-organiser@example.org"

HOUSING = """\
Since spring, families in the riverside district have been given **ten days' notice** to leave
homes they have lived in for decades, to make way for a private development.

Many have no papers for land their grandparents were given, and no offer of rehousing.
Children have been taken out of school mid-year; elderly residents have nowhere to go.

We call on the city administration to:

1. stop every eviction until each family has a fair hearing;
2. offer adequate rehousing in the same district, or fair compensation;
3. publish the development contracts.

*Signatures are delivered to the city administration and the UN Special Rapporteur on adequate housing.*
"""

HOUSING_RU = """\
С весны семьям в прибрежном районе дают **десять дней**, чтобы покинуть дома, в которых они
прожили десятилетия: на их месте собираются строить частный жилой комплекс.

У многих нет документов на землю, которую получили ещё их деды, и никто не предлагает им
другого жилья. Детей забирают из школ посреди года; пожилым жителям некуда идти.

Мы призываем администрацию города:

1. остановить все выселения, пока каждая семья не будет справедливо выслушана;
2. предоставить достойное жильё в том же районе или справедливую компенсацию;
3. опубликовать договоры о застройке.

*Подписи будут переданы администрации города и Специальному докладчику ООН по вопросу о праве на достаточное жилище.*
"""

LAWYER = """\
Our colleague, a human-rights lawyer, has been held in pre-trial detention for eight months
on charges of "spreading false information" after representing peaceful protesters in court.

Lawyers must be able to defend their clients without fear. Detaining them for doing their job
undermines the right of every person to a fair trial.

We ask the Prosecutor General to:

- release our colleague and drop the charges;
- guarantee access to independent doctors and to family;
- end the prosecution of lawyers for their work.

Read the [UN Basic Principles on the Role of Lawyers](https://www.ohchr.org/en/instruments-mechanisms/instruments/basic-principles-role-lawyers).
"""


class DemoPetition(TypedDict):
    """One demo petition, with its versions in other languages (title, text)."""

    slug: str
    title: str
    target: str
    body: str
    goal: int | None
    closes_in_days: int | None
    versions: dict[str, tuple[str, str]]


PETITIONS: tuple[DemoPetition, ...] = (
    {
        "slug": "stop-forced-evictions",
        "title": "Stop the forced evictions in the riverside district",
        "target": "The city administration",
        "body": HOUSING,
        "goal": 5000,
        "closes_in_days": 60,
        # Shown to readers of Russian; the others get the English original.
        "versions": {"ru": ("Остановите принудительные выселения в прибрежном районе", HOUSING_RU)},
    },
    {
        "slug": "free-the-jailed-lawyer",
        "title": "Free the human-rights lawyer jailed for defending protesters",
        "target": "The Prosecutor General",
        "body": LAWYER,
        "goal": None,
        "closes_in_days": None,
        "versions": {},
    },
)


def load_demo() -> tuple[str, str, list[str]]:
    """Create what is missing; give the demo organiser a fresh password. Returns login and slugs."""
    password = secrets.token_urlsafe(12)
    set_organiser_password(DEMO_ORGANISER, password)
    organiser = find_organiser(DEMO_ORGANISER)
    assert organiser is not None
    created: list[str] = []
    for spec in PETITIONS:
        if petition_by_slug(spec["slug"]) is not None:
            continue
        days = spec["closes_in_days"]
        petition = create_petition(
            title=spec["title"],
            body=spec["body"],
            organiser=organiser,
            slug=spec["slug"],
            target=spec["target"],
            goal=spec["goal"],
            closes_on=(utcnow() + timedelta(days=days)).date() if days else None,
        )
        for language, (title, body) in spec["versions"].items():
            save_petition_text(petition, organiser, language=language, title=title, body=body)
        if spec["slug"] == "free-the-jailed-lawyer":  # what happens after the signing
            last_week = (utcnow() - timedelta(days=7)).date()
            record_milestone(
                petition,
                organiser,
                kind=MilestoneKind.DELIVERED,
                happened_on=last_week,
                recipient="The Prosecutor General's office",
                method="by hand",
                reference="PG-2026/1187",
            )
            record_paper_batch(
                petition, organiser, count=240, collected_on=last_week, note="Bar association"
            )
        created.append(spec["slug"])
    return DEMO_ORGANISER, password, created
