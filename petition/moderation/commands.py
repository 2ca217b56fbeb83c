"""`flask --app petition rules …`: the blocked and allowed lists, kept by the site's operators."""

import click
from flask.cli import AppGroup

from petition.ids import MAX_ID
from petition.moderation.screening import (
    EFFECTS,
    KINDS,
    RuleError,
    add_rule,
    all_rules,
    remove_rule,
)
from petition.petitions.publishing import petition_by_slug

rules_cli = AppGroup("rules", help="Block or allow email domains, addresses and client networks.")


@rules_cli.command("add")
@click.argument("effect", type=click.Choice(EFFECTS))
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("pattern")
@click.option("--petition", "slug", help="Only for this petition (default: site-wide).")
def add(effect: str, kind: str, pattern: str, slug: str | None) -> None:
    """Add a rule, e.g. `rules add block domain '*.example'` or `rules add block network 203.0.113.0/24`."""
    petition = petition_by_slug(slug) if slug else None
    if slug and petition is None:
        raise click.ClickException(f"No petition has the slug {slug!r}.")
    try:
        rule = add_rule(kind, pattern, effect, petition)
    except RuleError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Rule {rule.id}: {effect} {kind} {rule.pattern}" + (f" on {slug}" if slug else ""))


@rules_cli.command("list")
def list_rules() -> None:
    """Every rule: number, scope, effect, kind, pattern."""
    for rule in all_rules():
        scope = rule.petition_id if rule.petition_id is not None else "site"
        click.echo(f"{rule.id}\t{scope}\t{rule.effect}\t{rule.kind}\t{rule.pattern}")


@rules_cli.command("remove")
@click.argument("rule_id", type=click.IntRange(1, MAX_ID))
def remove(rule_id: int) -> None:
    """Delete a rule by its number."""
    if not remove_rule(rule_id):
        raise click.ClickException(f"No rule {rule_id}.")
    click.echo(f"Removed rule {rule_id}.")
