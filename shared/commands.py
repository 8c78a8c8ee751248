"""CLI commands every app registers: ``flask --app APP create-user``, and the
production guard every app's ``seed-demo`` shares."""

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from shared.auth.services import AccountError, DisplayNameTaken, EmailTaken, create_user

DEMO_PASSWORD = "demo-password"  # noqa: S105 -- printed for the demo on purpose
DEMO_STAFF = "staff@example.com"


@click.command("create-user")
@click.argument("email")
@click.option("--staff", is_flag=True, help="Give the account staff rights.")
@click.option("--display-name", help="The name others see; made from the address if left out.")
@click.password_option(help="The password; asked for twice when left out.")
@with_appcontext
def create_user_command(email: str, staff: bool, display_name: str | None, password: str) -> None:
    """Create a user account."""
    try:
        user = create_user(
            email=email, password=password, is_staff=staff, display_name=display_name
        )
    except EmailTaken:
        raise click.ClickException(f"a user with the e-mail {email!r} already exists") from None
    except DisplayNameTaken:
        raise click.ClickException(f"the display name {display_name!r} is taken") from None
    except AccountError as error:
        field = {"email": "e-mail", "display_name": "display name"}.get(error.field, error.field)
        raise click.ClickException(f"{field} refused: {error}") from None
    role = "staff user" if user.is_staff else "user"
    click.echo(f"Created {role} {user.email} ({user.display_name})")


def seed_demo_command(seed: Callable[[], None]) -> click.Command:
    """``seed-demo [--force]``, running ``seed``. Demo accounts have a password
    published in the README, so production needs ``--force`` (a staging copy)."""

    @click.command("seed-demo", help=seed.__doc__)
    @click.option("--force", is_flag=True, help="Seed even in production (ENV=production).")
    @with_appcontext
    def command(force: bool) -> None:
        if current_app.config["ENV"] == "production" and not force:
            raise click.ClickException(
                "this app runs in production, and demo data adds accounts whose password "
                "is published in the README. Create real accounts with create-user; add "
                "--force only if you really want the demo data here."
            )
        seed()

    return command
