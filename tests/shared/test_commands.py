"""``flask create-user``: flags, the password prompt and clear refusals."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from shared.commands import seed_demo_command
from tests.shared.factories import make_user
from tests.shared.tiny_app import User, db


def saved_user(app: Flask, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.email == email))


def test_create_user_with_a_password_option(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-user", "Bob@Example.com", "--password", "a good password"])
    assert result.exit_code == 0, result.output
    assert result.output == "Created user bob@example.com (Bob)\n"
    user = saved_user(app, "bob@example.com")
    assert user is not None
    assert not user.is_staff
    assert user.check_password("a good password")


def test_create_user_with_a_display_name(app: Flask, runner: FlaskCliRunner) -> None:
    args = ["create-user", "sam@example.com", "--display-name", "Sam (support)"]
    refused = runner.invoke(args=[*args, "--password", "a good password"])
    assert refused.exit_code == 1
    assert "display name refused: Use letters, digits" in refused.output
    args[-1] = "Sam from support"
    result = runner.invoke(args=[*args, "--password", "a good password"])
    assert result.exit_code == 0, result.output
    assert "(Sam from support)" in result.output
    taken = runner.invoke(
        args=["create-user", "x@example.com", "--display-name", "SAM from support"],
        input="a good password\na good password\n",
    )
    assert taken.exit_code == 1
    assert "display name 'SAM from support' is taken" in taken.output


def test_create_staff_user(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "boss@example.com", "--staff", "--password", "a good password"]
    )
    assert result.exit_code == 0
    assert "Created staff user boss@example.com" in result.output
    user = saved_user(app, "boss@example.com")
    assert user is not None
    assert user.is_staff


def test_create_user_prompts_twice_when_no_password_is_given(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(
        args=["create-user", "c@example.com"], input="typed secret\ntyped secret\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Password: \nRepeat for confirmation: \n")
    user = saved_user(app, "c@example.com")
    assert user is not None
    assert user.check_password("typed secret")


def test_create_user_asks_again_when_the_two_entries_differ(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(
        args=["create-user", "d@example.com"],
        input="first secret\nsecond one\nfinal secret\nfinal secret\n",
    )
    assert result.exit_code == 0
    assert "do not match" in result.output
    user = saved_user(app, "d@example.com")
    assert user is not None
    assert user.check_password("final secret")


def test_duplicate_email_exits_non_zero_with_one_line(app: Flask, runner: FlaskCliRunner) -> None:
    make_user(app, email="ann@example.com")
    result = runner.invoke(args=["create-user", "ANN@example.com", "--password", "a good password"])
    assert result.exit_code == 1
    assert result.output == "Error: a user with the e-mail 'ANN@example.com' already exists\n"
    assert "Traceback" not in result.output


def test_short_password_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-user", "e@example.com", "--password", "short"])
    assert result.exit_code == 1
    assert "password refused: Use at least 8 characters." in result.output
    assert saved_user(app, "e@example.com") is None


def test_invalid_email_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-user", "not-an-address", "--password", "a good password"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: e-mail refused:")


def seed_command_app(app: Flask) -> list[str]:
    """Registers a ``seed-demo`` built by shared.commands; returns what it seeded."""
    seeded: list[str] = []

    @seed_demo_command
    def seed_demo() -> None:
        """Add demo data."""
        seeded.append("demo data")

    app.cli.add_command(seed_demo)
    return seeded


def test_seed_demo_runs_outside_production(app: Flask, runner: FlaskCliRunner) -> None:
    seeded = seed_command_app(app)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert seeded == ["demo data"]


def test_seed_demo_refuses_in_production_unless_forced(app: Flask, runner: FlaskCliRunner) -> None:
    seeded = seed_command_app(app)
    app.config["ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "this app runs in production" in result.output
    assert "--force" in result.output
    assert seeded == []
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert seeded == ["demo data"]
