"""Commands under `flask --app petition …` for operators."""

import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from petition.addresses import InvalidAddressError
from petition.backups import BackupError, back_up
from petition.days import FIRST_DAY, LAST_DAY, is_usable_day
from petition.demo import load_demo
from petition.exports.rows import ROWS_DONE, Period
from petition.exports.runs import ALL_FORMATS, plan_export, run_export
from petition.extensions import db
from petition.mail.check import (
    MailCheckError,
    authentication_hints,
    check_mail,
    recipient_address,
)
from petition.mail.outbox import BatchSize, deliver_round
from petition.moderation.commands import rules_cli
from petition.organisers.accounts import AccountError, find_organiser, set_organiser_password
from petition.petitions.editing import close_petition
from petition.petitions.publishing import (
    PetitionError,
    all_petitions,
    create_petition,
    petition_by_slug,
)
from petition.signing.retention import purge
from petition.support import purge_support_messages
from petition.transparency.checkpoints import checkpoint_petitions
from petition.transparency.recount import UnknownPetitionError, recount_signatures
from petition.web.urls import public_url

MIGRATIONS = Path(__file__).parent / "migrations"
petitions_cli = AppGroup("petitions", help="Publish, close and list petitions.")
organisers_cli = AppGroup("organisers", help="Manage organiser accounts.")
outbox_cli = AppGroup("outbox", help="Deliver the mail the site owes.")
mail_cli = AppGroup("mail", help="Check that the site's mail gets through.")


class DayType(click.DateTime):
    """A day written YYYY-MM-DD, within the years the service can compute with."""

    name = "day"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        day = super().convert(value, param, ctx)
        if not is_usable_day(day.date()):
            self.fail(f"{value} is not a day from {FIRST_DAY} to {LAST_DAY}.", param, ctx)
        return day


DAY = DayType()


@petitions_cli.command("add")
@click.option("--title", required=True, help="The petition's title, one line.")
@click.option(
    "--body-file", required=True, type=click.File(encoding="utf-8"), help="Markdown text."
)
@click.option("--organiser", "organiser_email", required=True, help="Login of the organiser.")
@click.option("--slug", help="The address, e.g. stop-evictions (default: from the title).")
@click.option("--target", help="Who the petition is addressed to.")
@click.option("--goal", type=click.IntRange(min=1), help="Signatures wanted.")
@click.option("--closes", type=DAY, help="Last day, YYYY-MM-DD.")
def add_petition(
    title: str,
    body_file: TextIO,
    organiser_email: str,
    slug: str | None,
    target: str | None,
    goal: int | None,
    closes: datetime | None,
) -> None:
    """Publish a petition and print its URL."""
    organiser = find_organiser(organiser_email)
    if organiser is None:
        raise click.ClickException(
            f"No organiser {organiser_email!r}; create one with `organisers add {organiser_email}`."
        )
    try:
        petition = create_petition(
            title=title,
            body=body_file.read(),
            organiser=organiser,
            slug=slug,
            target=target,
            goal=goal,
            closes_on=closes.date() if closes else None,
        )
    except PetitionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(public_url("public.petition", slug=petition.slug))


@petitions_cli.command("close")
@click.argument("slug")
def close(slug: str) -> None:
    """Stop taking signatures on a petition."""
    try:
        petition = close_petition(slug)
    except PetitionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Closed {petition.slug}.")


@petitions_cli.command("list")
def list_petitions() -> None:
    """Every petition with its state and verified count."""
    for petition in all_petitions():
        state = "hidden" if petition.hidden_at else "open" if petition.is_open() else "closed"
        click.echo(f"{petition.slug}\t{state}\t{petition.signature_count}\t{petition.title}")


@petitions_cli.command("recount")
@click.argument("slug", required=False)
@click.option("--check", is_flag=True, help="Only report drift; change nothing, exit 1 if any.")
def recount(slug: str | None, check: bool) -> None:
    """Reconcile stored counts with the confirmed signatures and report any drift.

    The stored count is the public log's counted total: a repair appends to the log what it
    lacks (an add or an exclude for each signature in question), as a log cannot be changed.
    """
    try:
        checks = recount_signatures(slug, fix=not check)
    except UnknownPetitionError as exc:
        raise click.ClickException(f"No petition has the slug {slug!r}.") from exc
    drifted = [c for c in checks if c.drift]
    for c in drifted:
        action = "left as is" if check else f"set to {c.confirmed}"
        click.echo(f"{c.slug}: stored {c.stored}, confirmed {c.confirmed} ({c.drift:+d}), {action}")
    click.echo(f"{len(checks)} petitions checked, {len(drifted)} drifted.")
    if drifted and check:
        sys.exit(1)


@petitions_cli.command("checkpoint")
@click.argument("slug", required=False)
def checkpoint(slug: str | None) -> None:
    """Sign a checkpoint of every petition's log (or one's) that grew since its last; for cron."""
    made = checkpoint_petitions(slug)
    for found in made:
        click.echo(f"{found.text.splitlines()[0]}: size {found.size}, count {found.count}")
    click.echo(f"{len(made)} new checkpoints.")


@organisers_cli.command("add")
@click.argument("email")
@click.password_option(help="Asked twice, hidden; read from standard input when piped.")
def add_organiser(email: str, password: str) -> None:
    """Create an organiser (or set a new password for one)."""
    try:
        organiser = set_organiser_password(email, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Organiser {organiser.email} can log in.")


@click.command("export")
@click.argument("slug")
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout)."
)
@click.option("--format", "fmt", type=click.Choice(ALL_FORMATS), default="csv", show_default=True)
@click.option("--from", "first", type=DAY, help="First signing day.")
@click.option("--to", "last", type=DAY, help="Last signing day.")
def export(
    slug: str, output: str | None, fmt: str, first: datetime | None, last: datetime | None
) -> None:
    """Write a petition's verified signatures (signing days in UTC, both ends included)."""
    petition = petition_by_slug(slug)
    if petition is None:
        raise click.ClickException(f"No petition has the slug {slug!r}.")
    if first and last and last < first:
        raise click.ClickException("--to comes before --from.")
    plan = plan_export(petition, fmt, Period(first and first.date(), last and last.date()))
    if output is None and fmt == "xlsx" and sys.stdout.isatty():
        raise click.ClickException("An Excel file is binary: use --output FILE or redirect.")
    with ExitStack() as stack:
        target = (
            stack.enter_context(Path(output).open("wb"))
            if output is not None
            else sys.stdout.buffer
        )
        chunks = run_export(plan, organiser=None)
        for chunk in _with_progress(chunks, plan.rows, plan.fmt, stack):
            target.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        target.flush()
    click.echo(f"{plan.rows:,} verified signatures.", err=True)
    if output is not None:
        click.echo(f"Wrote {output}.", err=True)


def _with_progress(
    chunks: Iterator[str | bytes], rows: int, fmt: str, stack: ExitStack
) -> Iterator[str | bytes]:
    """Show a progress bar on a terminal only; logs and pipes get no escape codes."""
    if not sys.stderr.isatty():
        return chunks
    bar = stack.enter_context(
        click.progressbar(length=rows, label=f"Exporting {fmt.upper()}", file=sys.stderr)
    )
    reset = ROWS_DONE.set(bar.update)
    stack.callback(ROWS_DONE.reset, reset)
    return chunks


@outbox_cli.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
def deliver(once: bool) -> None:
    """Deliver owed mail; without --once, keep delivering until stopped."""
    batch = BatchSize()
    while True:
        try:
            report = deliver_round(batch)
        except OperationalError:
            if once:
                raise
            # The database restarted or is unreachable: wait and carry on rather than exit.
            current_app.logger.exception("outbox delivery round failed; retrying")
            db.session.remove()
            time.sleep(float(current_app.config["OUTBOX_POLL_SECONDS"]))
            continue
        if report.claimed:
            click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
        if once and report.claimed == 0:
            return
        if once or report.goes_on:
            continue
        time.sleep(float(current_app.config["OUTBOX_POLL_SECONDS"]))


@click.command("demo")
def demo() -> None:
    """Load the demo petitions and print the demo organiser's login."""
    email, password, created = load_demo()
    for slug in created:
        click.echo(f"Loaded {public_url('public.petition', slug=slug)}")
    click.echo(f"Demo organiser: {email} / password: {password}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Copy the database to FILE, consistently, while the site runs (see docs/operators)."""
    try:
        made = back_up(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {file}: {made}")


@click.command("purge")
def purge_command() -> None:
    """Delete or anonymise personal data past its retention period; safe to run from cron."""
    report = purge()
    support_deleted = purge_support_messages()
    click.echo(
        f"deleted {report.unconfirmed_deleted} unconfirmed signatures, "
        f"anonymised {report.anonymised} signatures of closed petitions, "
        f"deleted {report.messages_deleted} delivered messages, "
        f"deleted {report.login_counts_deleted} stale counts of wrong passwords, "
        f"deleted {support_deleted} rejected or undecided messages of support"
    )


class MigrationCommands(click.Group):
    """`flask db …`, whose Flask-Migrate and Alembic are imported only when such a command runs.

    Importing them took a quarter of the start-up of every other command, exports included.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__("db", help="Perform database migrations.")
        self.app = app

    def _commands(self) -> click.Group:
        from flask_migrate import Migrate
        from flask_migrate.cli import db as commands

        if "migrate" not in self.app.extensions:
            Migrate(self.app, db, directory=str(MIGRATIONS), render_as_batch=True)
        group: click.Group = commands  # Flask-Migrate ships no types; its `db` is a click group
        return group

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The real group parses its own options and runs its own callback, which the commands
        # under it rely on.
        return self._commands().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._commands().get_command(ctx, cmd_name)


@mail_cli.command("check")
@click.argument("address")
def check_mail_command(address: str) -> None:
    """Send one test message to ADDRESS through the relay, printing every answer.

    Exits 0 once the relay has accepted it, 1 (with the failing step's answer) if not.
    """
    try:
        recipient = recipient_address(address)
    except InvalidAddressError as error:
        raise click.BadParameter(str(error), param_hint="ADDRESS") from error
    try:
        check_mail(recipient, click.echo)
    except MailCheckError as error:
        click.echo(f"Not sent: {error}", err=True)
        authentication_hints(click.echo)
        sys.exit(1)
    click.echo(f"Sent: the relay accepted the test message for {recipient}.")
    authentication_hints(click.echo)


def register_cli(app: Flask) -> None:
    """Attach the commands to the app."""
    commands = (
        petitions_cli,
        organisers_cli,
        outbox_cli,
        mail_cli,
        rules_cli,
        export,
        demo,
        purge_command,
        backup_command,
    )
    for command in commands:
        app.cli.add_command(command)
    app.cli.add_command(MigrationCommands(app))
