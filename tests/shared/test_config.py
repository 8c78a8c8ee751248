"""Settings come from defaults, then <PREFIX>_* variables, then test_config;
production refuses to start with a missing or development secret key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from shared.config import DEV_SECRET_KEY, ConfigurationError, configure, normalise_database_url

REAL_KEY = "k" * 48
TRUSTED_HOSTS = '["desk.example.com"]'


def production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything production needs, set the way an operator sets it."""
    monkeypatch.setenv("TINY_ENV", "production")
    monkeypatch.setenv("TINY_SECRET_KEY", REAL_KEY)
    monkeypatch.setenv("TINY_TRUSTED_HOSTS", TRUSTED_HOSTS)


def new_app(tmp_path: Path) -> Flask:
    return Flask("tiny", instance_path=str(tmp_path / "instance"))


def test_defaults_then_environment_then_test_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINY_GREETING", "from env")
    monkeypatch.setenv("TINY_PAGE_SIZE", "50")
    monkeypatch.setenv("TINY_COLOUR", "from env")
    app = new_app(tmp_path)
    configure(
        app,
        "TINY",
        defaults={"GREETING": "default", "PAGE_SIZE": 20, "COLOUR": "default", "ONLY_DEFAULT": 1},
        test_config={"COLOUR": "from test"},
    )
    assert app.config["ONLY_DEFAULT"] == 1
    assert app.config["GREETING"] == "from env"
    assert app.config["PAGE_SIZE"] == 50  # parsed as JSON, so a number stays a number
    assert app.config["COLOUR"] == "from test"


def test_other_prefixes_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTHER_GREETING", "not mine")
    app = new_app(tmp_path)
    configure(app, "TINY", defaults={"GREETING": "default"})
    assert app.config["GREETING"] == "default"


def test_default_database_is_a_sqlite_file_in_a_created_instance_folder(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    assert not Path(app.instance_path).exists()
    configure(app, "TINY")
    assert Path(app.instance_path).is_dir()
    expected = Path(app.instance_path) / "tiny.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


def test_database_url_variable_sets_the_sqlalchemy_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINY_DATABASE_URL", "postgres://u:p@db:5432/tiny")
    app = new_app(tmp_path)
    configure(app, "TINY")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/tiny"
    assert "DATABASE_URL" not in app.config


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://h/db", "postgresql+psycopg://h/db"),
        ("postgresql://h/db", "postgresql+psycopg://h/db"),
        ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_from_hosting_providers_use_psycopg3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_development_runs_with_the_development_key(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    configure(app, "TINY")
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["HSTS_ENABLED"] is False


@pytest.mark.parametrize(
    "secret_key",
    [None, "", DEV_SECRET_KEY, "too-short"],
    ids=["unset", "empty", "development key", "short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret_key: str | None
) -> None:
    monkeypatch.setenv("TINY_ENV", "production")
    if secret_key is not None:
        monkeypatch.setenv("TINY_SECRET_KEY", secret_key)
    with pytest.raises(ConfigurationError, match="TINY_SECRET_KEY must be set"):
        configure(new_app(tmp_path), "TINY")


def test_production_with_a_real_key_turns_on_secure_cookies_and_hsts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    production_settings(monkeypatch)
    app = new_app(tmp_path)
    configure(app, "TINY")
    assert app.config["SECRET_KEY"] == REAL_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["HSTS_ENABLED"] is True


def test_test_config_cannot_sneak_the_dev_key_into_production(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        configure(new_app(tmp_path), "TINY", test_config={"ENV": "production"})


def test_production_on_plain_http_drops_secure_cookies_and_hsts_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    production_settings(monkeypatch)
    monkeypatch.setenv("TINY_ALLOW_PLAIN_HTTP", "true")
    app = new_app(tmp_path)
    configure(app, "TINY")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.config["HSTS_ENABLED"] is False
    assert "TINY_ALLOW_PLAIN_HTTP=true" in caplog.text


@pytest.mark.parametrize("value", ["yes", "1", "True "])
def test_allow_plain_http_must_be_true_or_false(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    production_settings(monkeypatch)
    monkeypatch.setenv("TINY_ALLOW_PLAIN_HTTP", value)
    with pytest.raises(ConfigurationError, match="TINY_ALLOW_PLAIN_HTTP must be true or false"):
        configure(new_app(tmp_path), "TINY")


def test_redis_gets_timeouts_so_a_stalled_one_holds_no_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The behaviour itself: tests/shared/test_stalled_redis.py.
    monkeypatch.setenv("TINY_CACHE_TYPE", "RedisCache")
    monkeypatch.setenv("TINY_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TINY_REDIS_TIMEOUT", "2.5")
    app = new_app(tmp_path)
    configure(app, "TINY")
    expected = {"socket_connect_timeout": 2.5, "socket_timeout": 2.5, "retry": None}
    assert app.config["CACHE_OPTIONS"] == expected  # Flask-Caching's, for RedisCache
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == expected  # Flask-Limiter's


def test_the_operators_redis_options_are_kept_beside_the_timeouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINY_CACHE_TYPE", "RedisCache")
    monkeypatch.setenv("TINY_CACHE_OPTIONS", '{"health_check_interval": 30, "socket_timeout": 5}')
    app = new_app(tmp_path)
    configure(app, "TINY")
    assert app.config["CACHE_OPTIONS"] == {
        "socket_connect_timeout": 1.0,
        "socket_timeout": 5,  # the operator's word wins
        "retry": None,
        "health_check_interval": 30,
    }


def test_a_sentinel_storage_gives_the_sentinels_connections_the_timeouts_too(
    tmp_path: Path,
) -> None:
    app = new_app(tmp_path)
    configure(app, "TINY", test_config={"RATELIMIT_STORAGE_URI": "redis+sentinel://host:26379/m"})
    options = app.config["RATELIMIT_STORAGE_OPTIONS"]
    assert options["socket_timeout"] == options["sentinel_kwargs"]["socket_timeout"] == 1.0


def test_no_timeouts_are_given_to_a_cache_or_storage_that_is_not_redis(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    configure(app, "TINY", test_config={"CACHE_TYPE": "SimpleCache"})
    assert "CACHE_OPTIONS" not in app.config  # SimpleCache would refuse redis-py's options
    assert "RATELIMIT_STORAGE_OPTIONS" not in app.config


@pytest.mark.parametrize(
    ("setting", "longest"),
    [("REDIS_TIMEOUT", "3600"), ("MAIL_TIMEOUT", "3600"), ("PASSWORD_RESET_MAX_AGE", "604800")],
)
@pytest.mark.parametrize("value", ["0", "-1", "true", '"1h"', "NaN", "Infinity", "longer"])
def test_a_timeout_must_be_seconds_above_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, longest: str, value: str
) -> None:
    monkeypatch.setenv("TINY_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv(f"TINY_{setting}", f"{longest}.5" if value == "longer" else value)
    with pytest.raises(ConfigurationError, match=f"TINY_{setting} must be seconds, "):
        configure(new_app(tmp_path), "TINY")


def test_seconds_set_in_code_as_a_timedelta_are_seconds_for_the_code_that_reads_them(
    tmp_path: Path,
) -> None:
    app = new_app(tmp_path)
    configure(app, "TINY", test_config={"MAIL_TIMEOUT": timedelta(seconds=5)})
    assert app.config["MAIL_TIMEOUT"] == 5  # socket.setdefaulttimeout takes no timedelta


def test_a_reset_link_works_for_a_minute_at_least(tmp_path: Path) -> None:
    # The mail says for how many whole minutes.
    with pytest.raises(ConfigurationError, match="RESET_MAX_AGE must be seconds, at least 60"):
        configure(new_app(tmp_path), "TINY", test_config={"PASSWORD_RESET_MAX_AGE": 59})


@pytest.mark.parametrize("value", ["prod", "Production!", "dev", "staging", ""])
def test_an_unknown_env_stops_the_app_instead_of_running_as_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TINY_ENV", value)
    with pytest.raises(ConfigurationError, match="TINY_ENV must be one of development, production"):
        configure(new_app(tmp_path), "TINY")


def test_env_is_read_whatever_its_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINY_ENV", "Production")
    monkeypatch.setenv("TINY_SECRET_KEY", REAL_KEY)
    monkeypatch.setenv("TINY_TRUSTED_HOSTS", TRUSTED_HOSTS)
    app = new_app(tmp_path)
    configure(app, "TINY")
    assert app.config["ENV"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("how", ["TINY_DEBUG", "FLASK_DEBUG"])
def test_debug_mode_is_refused_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    production_settings(monkeypatch)
    monkeypatch.setenv(how, "1" if how == "FLASK_DEBUG" else "true")
    with pytest.raises(ConfigurationError, match="Debug mode is refused"):
        configure(new_app(tmp_path), "TINY")


@pytest.mark.parametrize("hosts", [None, "[]", '"desk.example.com"', "[1]"])
def test_production_needs_its_trusted_hosts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hosts: str | None
) -> None:
    monkeypatch.setenv("TINY_ENV", "production")
    monkeypatch.setenv("TINY_SECRET_KEY", REAL_KEY)
    if hosts is not None:
        monkeypatch.setenv("TINY_TRUSTED_HOSTS", hosts)
    with pytest.raises(ConfigurationError, match="TINY_TRUSTED_HOSTS must list"):
        configure(new_app(tmp_path), "TINY")


@pytest.mark.parametrize("name", ["TINY_DEMO_LOGINS", "TINY_DEMO_PASSWORD"])
def test_production_refuses_the_demo_logins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    production_settings(monkeypatch)
    monkeypatch.setenv(name, "demo")
    with pytest.raises(ConfigurationError, match="the login page would show a password"):
        configure(new_app(tmp_path), "TINY")
