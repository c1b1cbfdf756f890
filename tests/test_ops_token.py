"""The bot token never reaches a log line, a traceback or an admin's chat, even at DEBUG."""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson
import pytest
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import CommandHandler

from bot.app.context import NewsContext
from bot.app.wiring import running
from bot.config import Config
from bot.logs import JsonFormatter, Redactor, protect, proxy_credentials, redact, setup_logging
from bot.run.webhook import WebhookSettings, serving_webhook
from tests.botkit import ADMIN, TOKEN
from tests.opskit import free_port, ops_env


def _api_url(base_url: str, method: str) -> str:
    return f"{base_url}{TOKEN}/{method}"


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_the_token_is_in_no_output_of_a_failing_bot_at_debug(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    setup_logging("DEBUG", token=TOKEN, fmt=fmt)

    async def boom(update: Update, context: NewsContext) -> None:
        url = _api_url(context.bot_data.config.api_base_url, "sendMessage")
        try:
            raise httpx.ConnectError(f"cannot connect to {url}")
        except httpx.ConnectError as exc:  # what PTB does: re-raise as its own, with a cause
            raise NetworkError(f"httpx.ConnectError: {url}") from exc

    async with ops_env(tmp_path, modules=("handlers.basic",)) as env:
        env.app.add_handler(CommandHandler("boom", boom))
        logging.getLogger("httpx").setLevel(logging.DEBUG)  # one line per request URL
        logging.getLogger("httpcore").setLevel(logging.DEBUG)
        admin = env.server.user(ADMIN, "Admin")
        async with running(env.app, poll_timeout=1):
            await admin.send("/start")
            await admin.wait_replies(1)
            await admin.send("/boom")  # error handler: traceback logged, admins told
            replies = await admin.wait_replies(3)
            url = _api_url(env.server.base_url, "getMe")
            logging.getLogger("some.library").warning("retrying %s", url, stack_info=True)
            logging.getLogger("other").debug("quoted %s", url.replace(":", "%3A"))
            warnings.warn(f"deprecated call to {url}", UserWarning, stacklevel=1)
            thread = threading.Thread(target=_fail_in_thread, args=(url,))
            thread.start()
            thread.join()
    out, err = capfd.readouterr()
    captured = out + err
    secret = TOKEN.split(":", 1)[1]
    assert "ConnectError" in captured and "NetworkError" in captured  # the failures were logged
    assert "<token>/sendMessage" in captured and "retrying" in captured  # masked, not dropped
    assert "<token>/getUpdates" in captured  # httpx's request lines at DEBUG
    assert "thread failed" in captured and "deprecated call" in captured
    assert secret not in captured
    notice = next(r.text for r in replies if "newsbrief error" in r.text)
    assert "<token>" in notice and secret not in "".join(r.text for r in replies)


def _fail_in_thread(url: str) -> None:
    raise RuntimeError(f"thread failed on {url}")


def test_every_formatter_masks_message_arguments_and_traceback() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    protect(handler, TOKEN)
    try:
        raise ValueError(f"bad url {TOKEN}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "at %s", (TOKEN,), sys.exc_info())
    line = handler.format(record)
    assert "bad url <token>" in line and "at <token>" in line
    assert TOKEN not in line and TOKEN not in (record.exc_text or "")


def test_redactor_masks_quoted_spellings_and_nothing_else() -> None:
    redact = Redactor([TOKEN, None])
    quoted = TOKEN.replace(":", "%3A")
    assert redact(f"a {TOKEN} b {quoted} c") == "a <token> b <token> c"
    assert redact("777000 is the bot id, public") == "777000 is the bot id, public"


def test_the_config_repr_never_shows_the_token() -> None:
    config = Config(token=TOKEN, feed_proxy="http://user:pw@proxy:3128")
    assert TOKEN not in repr(config) and "pw@" not in repr(config)


HOOK_SECRET = "hook-Secret_0123456789-abcdefghijklmnopqrstuv"  # Telegram's charset: [A-Za-z0-9_-]
PROXY_PASSWORD = "pr0xy pässwörd/with:odd@chars"
PROXY = f"http://feeduser:{quote(PROXY_PASSWORD, safe='')}@proxy.invalid:3128"


def secret_spellings() -> list[str]:
    """Return every way the webhook secret and proxy password could be written out."""
    raw = [HOOK_SECRET, PROXY_PASSWORD, f"feeduser:{quote(PROXY_PASSWORD, safe='')}"]
    return sorted({form for s in raw for form in (s, quote(s, safe=""), quote(s))})


async def test_the_webhook_secret_and_proxy_credentials_are_in_no_output_at_debug(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    setup_logging("DEBUG", token=TOKEN, proxy=PROXY)
    port = free_port()
    settings = WebhookSettings(
        url=f"http://127.0.0.1:{port}/tg/hook", listen="127.0.0.1", port=port, secret=HOOK_SECRET
    )
    async with ops_env(tmp_path, modules=("handlers.basic",)) as env:
        admin = env.server.user(ADMIN, "Admin")
        async with serving_webhook(env.app, settings):
            await admin.send("/start")
            await admin.wait_replies(1, timeout=10)
            try:
                raise ConnectionError(f"proxy {PROXY} refused secret {HOOK_SECRET}")
            except ConnectionError:
                logging.getLogger("some.library").exception("fetch failed")
            logging.getLogger("other").debug("quoted %s", quote(PROXY_PASSWORD, safe=""))
    captured = "".join(capfd.readouterr())
    assert "setWebhook" in captured and "secret_token" in captured  # PTB's DEBUG line was written
    assert "fetch failed" in captured and "Traceback" in captured and "<secret>" in captured
    leaked = [form for form in secret_spellings() if form in captured]
    assert leaked == []
    assert redact(f"{PROXY} {HOOK_SECRET}") == "http://<secret>@proxy.invalid:3128 <secret>"


def test_proxy_credentials_are_the_password_and_the_user_info() -> None:
    assert proxy_credentials("http://u:p%40ss@proxy:3128") == ["u:p%40ss", "p@ss"]
    assert proxy_credentials("socks5://api%2Fkey@proxy:1080") == ["api%2Fkey", "api/key"]
    assert proxy_credentials("http://proxy:3128") == [] == proxy_credentials(None)


def test_credentials_in_any_url_are_masked_though_nobody_registered_them() -> None:
    # A feed, an article link or a redirect may carry user:password nobody told the bot of.
    redact = Redactor([])
    line = "feed 3 (https://alice:s3cret@news.example/rss) failed; see ftp://bob@files.example/x"
    assert (
        redact(line)
        == "feed 3 (https://***@news.example/rss) failed; see ftp://***@files.example/x"
    )
    assert redact("http://u:p@ss@host/rss") == "http://***@host/rss"  # an @ in the password
    kept = "https://news.example/a@b and mailto:desk@news.example and 'user@host'"
    assert redact(kept) == kept


def test_secret_query_parameters_of_any_url_are_masked() -> None:
    # "feed 3 (https://news.example/rss?token=abc123) failed" wrote the feed's key to the log.
    redact = Redactor([])
    line = "feed 3 (https://news.example/rss?token=abc123) failed"
    assert redact(line) == "feed 3 (https://news.example/rss?token=***) failed"
    names = ["api_key", "key", "access_token", "apikey", "secret", "password", "auth", "sig"]
    for name in [*names, "X-Amz-Signature", "private_token", "API-KEY", "feed_token"]:
        url = f"https://x.example/f?lang=en&{name}=s3cr%2Ft-9&page=2#top"
        assert redact(url) == f"https://x.example/f?lang=en&{name}=***&page=2#top", name
    kept = "https://x.example/f?keyword=tokens&author=me&monkey=1&keys=2&key= and ?sig"
    assert redact(kept) == kept
    html = '<a href="https://x.example/?a=1&amp;token=abc">'  # a link in an escaped message
    assert redact(html) == '<a href="https://x.example/?a=1&amp;token=***">'
    callback = "https://x.example/cb#access_token=abc&state=1"
    assert redact(callback) == "https://x.example/cb#access_token=***&state=1"
    quoted = orjson.dumps({"message": 'got "https://x.example/?token=abc"'}).decode()
    assert orjson.loads(redact(quoted)) == {"message": 'got "https://x.example/?token=***"'}
    both = "https://u:p@x.example/rss?token=t"
    assert redact(both) == "https://***@x.example/rss?token=***"
