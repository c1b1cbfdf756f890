"""Configuration from the environment: defaults, and one clear line naming a bad variable."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.main import main
from bot.config import TELEGRAM_API_BASE_URL, ConfigError, load_config


def test_defaults_need_nothing() -> None:
    config = load_config({})
    assert config.data_dir == Path("data") and config.token is None
    assert config.api_base_url == TELEGRAM_API_BASE_URL and str(config.tz) == "UTC"
    assert config.retention_days == 90 and config.admins == frozenset()
    assert config.default_feeds and config.default_feeds_opml is None  # the built-in list


@pytest.mark.parametrize(
    ("value", "on", "opml"), [("0", False, None), ("off", False, None), ("1", True, None)]
)
def test_default_feeds_switch(value: str, on: bool, opml: Path | None) -> None:
    config = load_config({"NEWSBRIEF_DEFAULT_FEEDS": value})
    assert (config.default_feeds, config.default_feeds_opml) == (on, opml)


def test_default_feeds_may_name_another_list(tmp_path: Path) -> None:
    listed = tmp_path / "mine.opml"
    listed.write_text("<opml/>")
    config = load_config({"NEWSBRIEF_DEFAULT_FEEDS": str(listed)})
    assert (config.default_feeds, config.default_feeds_opml) == (True, listed)


def test_values_are_parsed() -> None:
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "NEWSBRIEF_DATA_DIR": "/tmp/nb",
            "NEWSBRIEF_ADMINS": "1, 2 3",
            "NEWSBRIEF_TZ": "Europe/Berlin",
            "NEWSBRIEF_RETENTION_DAYS": "0",
        }
    )
    assert config.admins == {1, 2, 3} and config.retention_days == 0
    assert str(config.tz) == "Europe/Berlin" and config.data_dir == Path("/tmp/nb")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSBRIEF_ADMINS", "alice"),
        ("NEWSBRIEF_TZ", "Mars/Olympus"),
        ("NEWSBRIEF_TZ", "../etc/passwd"),
        ("TELEGRAM_API_BASE_URL", "ftp://x/bot"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/"),
        ("TELEGRAM_BOT_TOKEN", "no-colon"),
        ("NEWSBRIEF_RETENTION_DAYS", "-1"),
        ("NEWSBRIEF_ALLOWED_USERS", "1;2"),
        ("NEWSBRIEF_DEFAULT_FEEDS", "/no/such/list.opml"),
        ("NEWSBRIEF_LLM_URL", "localhost:11434"),
        ("NEWSBRIEF_LLM_URL", "ftp://models.example/v1"),
        ("NEWSBRIEF_LLM_DAILY_TOKENS", "lots"),
        # Each of these raised past the one-line error: a traceback, or a crash at start-up.
        ("NEWSBRIEF_TZ", "Europe"),  # a folder of the zone database, not a zone
        ("NEWSBRIEF_TZ", "Europe/" + "x" * 300),  # longer than a file name may be
        ("NEWSBRIEF_RETENTION_DAYS", "²"),  # a digit to str.isdigit, none to int()
        ("NEWSBRIEF_RETENTION_DAYS", "999999999"),  # "keep forever": before year 1
        ("NEWSBRIEF_RATE_LIMIT", "³"),
        ("NEWSBRIEF_LLM_DAILY_TOKENS", "¹"),
        ("TELEGRAM_API_BASE_URL", "http://[::1/bot"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:80801/bot"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:port/bot"),
        ("NEWSBRIEF_FEED_PROXY", "http://[::1:3128"),
        ("NEWSBRIEF_FEED_PROXY", "http://proxy.example:312800"),
        ("NEWSBRIEF_LLM_URL", "http://[::1]:11434x/v1"),
        ("NEWSBRIEF_DATABASE_URL", "postgresql://u:pw@[db/newsbrief"),
        ("NEWSBRIEF_DATABASE_URL", "postgresql://u:pw@db:99999/newsbrief"),
        ("NEWSBRIEF_DEFAULT_FEEDS", "x" * 5000),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_a_database_url_error_never_quotes_the_password() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"NEWSBRIEF_DATABASE_URL": "postgresql://u:pw-Secret@[db/newsbrief"})
    assert "pw-Secret" not in str(caught.value)


def test_model_briefs_are_off_by_default() -> None:
    config = load_config({})
    assert config.llm_url is None and config.llm_api_key is None and config.llm_daily_tokens == 0


def test_model_settings_are_read() -> None:
    config = load_config(
        {
            "NEWSBRIEF_LLM_URL": "http://127.0.0.1:11434/v1/",
            "NEWSBRIEF_LLM_MODEL": "qwen2.5:7b",
            "NEWSBRIEF_LLM_API_KEY": "sk-secret-1",
            "NEWSBRIEF_LLM_DAILY_TOKENS": "200000",
        }
    )
    assert (config.llm_url, config.llm_model) == ("http://127.0.0.1:11434/v1", "qwen2.5:7b")
    assert config.llm_daily_tokens == 200000 and config.llm_api_key == "sk-secret-1"
    assert "sk-secret-1" not in repr(config)


def test_a_model_url_needs_a_model_name() -> None:
    with pytest.raises(ConfigError, match="NEWSBRIEF_LLM_MODEL"):
        load_config({"NEWSBRIEF_LLM_URL": "http://127.0.0.1:11434/v1"})


def test_the_cli_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_TZ", "Nowhere/Special")
    assert main(["latest"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NEWSBRIEF_TZ" in err and "Traceback" not in err


@given(st.text(max_size=40))
def test_any_default_feeds_value_is_read_or_named_in_one_line(value: str) -> None:
    try:
        config = load_config({"NEWSBRIEF_DEFAULT_FEEDS": value})
    except ConfigError as exc:
        assert str(exc).startswith("NEWSBRIEF_DEFAULT_FEEDS ") and "\n" not in str(exc)
    else:
        assert config.default_feeds_opml is None or config.default_feeds_opml.is_file()


def test_a_model_url_with_a_port_that_is_no_number_names_its_variable() -> None:
    with pytest.raises(ConfigError, match="NEWSBRIEF_LLM_URL must be"):
        load_config({"NEWSBRIEF_LLM_URL": "http://[::1]:11434x/v1", "NEWSBRIEF_LLM_MODEL": "m"})


def test_retention_keeps_up_to_a_century() -> None:
    assert load_config({"NEWSBRIEF_RETENTION_DAYS": "36500"}).retention_days == 36500


def test_a_socks_proxy_without_its_package_is_one_line_naming_the_fix() -> None:
    """httpx needs socksio for socks5://; without it every start ended in an ImportError."""
    if find_spec("socksio") is not None:
        pytest.skip("socksio is installed here: socks5:// proxies work")
    with pytest.raises(ConfigError, match=r"NEWSBRIEF_FEED_PROXY .*httpx\[socks\]") as caught:
        load_config({"NEWSBRIEF_FEED_PROXY": "socks5://user:Pw-Secret@proxy.example:1080"})
    assert "Pw-Secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("token", "hint"),
    [
        ('"123456789:AAHsecret-part_1"', "quotes"),  # `docker run --env-file` keeps quotes
        ("'123456789:AAHsecret-part_1'", "quotes"),
        ("123456789:AAHsecret/part_1", ""),
        ("bot123456789:AAHsecret-part_1", ""),  # copied with the URL's "bot" prefix
    ],
)
def test_a_token_of_the_wrong_shape_is_refused_before_telegram_calls_it_rejected(
    token: str, hint: str
) -> None:
    """Telegram answered 401 and the bot said 'rejected; check it with @BotFather'."""
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN") as caught:
        load_config({"TELEGRAM_BOT_TOKEN": token})
    assert hint in str(caught.value) and "AAHsecret" not in str(caught.value)
