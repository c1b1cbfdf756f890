"""`newsbrief chat` (run_chat) fed from a pipe: replies as plain text, buttons by number."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.config import Config
from bot.run.chat import run_chat
from bot.services import open_services
from tests.botkit import REPO, fixture_drafts


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a data dir holding the seed article and the fixture corpus."""
    path = Path(tmp_path_factory.mktemp("chat"))
    services = open_services(Config(data_dir=path, seeds_dir=REPO / "seeds"), write=True)
    services.store.add_many(fixture_drafts())
    services.shutdown()
    return path


def chat(data_dir: Path, lines: str) -> str:
    """Run `newsbrief chat` with the lines as piped input and return what it printed."""
    out = io.StringIO()
    config = Config(data_dir=data_dir, seeds_dir=REPO / "seeds")
    assert run_chat(config, stdin=io.StringIO(lines), stdout=out) == 0
    return out.getvalue()


def test_the_readme_transcript(data_dir: Path) -> None:
    output = chat(data_dir, "/start\n/latest\n/search drills\n/summary 1\n")
    assert "you> /start\nnewsbrief keeps up with the news for you." in output
    assert "you> /latest\nLatest news · 1–5 of 12" in output
    assert "1. Navy drills near the coast draw crowds (0) <https://news.example.com/0>" in output
    assert (
        "[1] Summary 1  [2] Summary 2" in output
        and "[6] 📚 1" in output
        and "[11] More »" in output
    )
    assert "you> /search drills\nSearch: drills · 1–2 of 2" in output
    summary = output.split("you> /summary 1\n", 1)[1]
    assert summary.startswith("Navy drills near the coast draw crowds")
    assert "<b>" not in output and "&amp;" not in output


def test_buttons_are_pressed_by_number(data_dir: Path) -> None:
    output = chat(data_dir, "/latest 2\n5\n1\n99\n")  # [5] is More » after 2 Summary, 2 📚
    assert "(edited)\nLatest news · 3–4 of 12" in output
    after_one = output.split("you> 1\n", 1)[1]
    assert after_one.startswith("Local football club wins the cup (2)")
    assert "(there is no button 99)" in output


def test_inline_queries_more_and_choosing_a_result(data_dir: Path) -> None:
    output = chat(data_dir, "@\n+\n@ zzyzxqq\n@ chip factory\n1\n@ quokka\n5\n")
    assert "\n10. " in output and "\n11. " not in output
    assert "(type a number to send that article, + for more)" in output
    assert "(no inline results)" in output
    sent = output.split("you> 1\n", 1)[1]
    assert sent.startswith("(you sent via @newsbrief_bot)\nNew chip factory opens in Dresden")
    assert "(there is no result 5)" in output


def test_empty_input_and_blank_lines_exit_cleanly(data_dir: Path) -> None:
    assert chat(data_dir, "") == ""
    assert chat(data_dir, "\n\n   \n") == ""


@pytest.mark.parametrize("command", ["/language", "/forget"])
def test_a_button_that_stops_its_update_leaves_the_terminal_in_step(
    data_dir: Path, command: str
) -> None:
    # Both buttons' handlers raise ApplicationHandlerStop, so no later handler group sees them.
    output = chat(data_dir, f"{command}\n1\n/start\n")
    assert "(the bot did not answer in time)" not in output
    assert "you> /start\nnewsbrief keeps up with the news for you." in output


def test_a_button_edited_away_is_no_crash(data_dir: Path) -> None:
    # /forget's answer replaces its buttons; a second press found none and ended the chat.
    output = chat(data_dir, "/forget\n2\n2\n/start\n")
    assert "Cancelled. Nothing was deleted." in output
    assert "(there is no button 2)" in output
    assert "you> /start\nnewsbrief keeps up with the news for you." in output


def test_buttons_the_bot_swaps_in_are_shown_and_pressed(data_dir: Path) -> None:
    # 🕒 Time replaces a message's buttons with times; they were not shown, and a number
    # pressed the old ones.
    output = chat(data_dir, "/subscribe 07:30 drills\n/subscriptions\n2\n3\n/unsubscribe all\n")
    swapped = output.split("you> 2\n", 1)[1]
    assert swapped.startswith("(buttons changed)\n[1] 06:00  [2] 07:00  [3] 08:00")
    assert "(notice: drills: now at 08:00)" in output
