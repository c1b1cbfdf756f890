"""End to end: with a model configured, digests and /brief show its cited briefs, through the
real Application, the local Bot API server and a local OpenAI-compatible server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.digests.ahead import brief_ahead
from bot.models import ArticleDraft, utcnow
from tests.digestkit import Env, ask, digest_env, digests_in
from tests.llmserver import Reply, Seen, fake_model

REPORTS = [
    (
        "Reuters",
        "Putin orders partial mobilisation of 300,000 reservists",
        "Russian President Vladimir Putin ordered the partial mobilisation of 300,000 reservists "
        "on Wednesday, the first call-up since the Second World War.",
    ),
    (
        "AP",
        "Putin mobilisation: Russia calls up 300,000 reservists",
        "Defence Minister Sergei Shoigu said 300,000 reservists would be called up after Putin "
        "ordered the partial mobilisation on Wednesday.",
    ),
    (
        "BBC",
        "Protests after Putin orders partial mobilisation of reservists",
        "Police detained more than 1,300 protesters in 38 cities after Putin ordered the partial "
        "mobilisation of reservists, the monitoring group OVD-Info said.",
    ),
]
ANSWER = (
    "Vladimir Putin ordered the partial mobilisation of 300,000 reservists [Reuters][AP]. "
    "Police detained more than 1,300 protesters in 38 cities [BBC]."
)


def add_reports(env: Env) -> list[str]:
    drafts = [
        ArticleDraft(
            title=title,
            body=body,
            url=f"https://{source.lower()}.example/mobilisation",
            published=utcnow() - timedelta(minutes=10 - n),
            source=source,
        )
        for n, (source, title, body) in enumerate(REPORTS)
    ]
    env.services.store.add_many(drafts)
    return [d.url or "" for d in drafts]


def answer(seen: Seen) -> Reply:
    # The prompt numbers the articles its own way: cite them by their source.
    blocks = seen.user.split("<<<ARTICLE ")[1:]
    number = {b.split("Source: ")[1].split("\n")[0]: b.split(" ")[0] for b in blocks}
    text = ANSWER
    for source, n in number.items():
        text = text.replace(f"[{source}]", f"[{n}]")
    return Reply(text)


async def test_a_digest_carries_the_models_cited_brief(tmp_path: Path) -> None:
    with fake_model(answer) as model:
        async with digest_env(tmp_path, llm_url=model.url, llm_model="test-model") as env:
            user = env.user()
            await ask(user, "/subscribe 07:30 mobilisation reservists")
            urls = add_reports(env)
            await env.fire(user.chat_id)
            [digest] = [m for m in env.server.sent(user.chat_id) if m.text.startswith("Your news")]
    assert "Vladimir Putin ordered the partial mobilisation of 300,000 reservists." in digest.text
    assert "protesters in 38 cities." in digest.text
    links = {e["url"] for e in digest.entities if e["type"] == "text_link"}
    assert set(urls) <= links  # each citation mark is a working link to one of our articles
    marks = [
        digest.text[e["offset"] : e["offset"] + e["length"]]
        for e in digest.entities
        if e["type"] == "text_link" and e["url"] in urls and e["length"] == 3
    ]
    assert marks == ["[1]", "[2]", "[3]"]
    assert len(model.seen) == 1


async def test_without_a_model_the_digest_keeps_its_extractive_summary(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        user = env.user()
        await ask(user, "/subscribe 07:30 mobilisation reservists")
        add_reports(env)
        await env.fire(user.chat_id)
        [digest] = digests_in(env.server, user.chat_id)
    assert "[1]" not in digest and "mobilisation" in digest


async def test_a_brief_page_shows_the_models_brief(tmp_path: Path) -> None:
    with fake_model(answer) as model:
        async with digest_env(tmp_path, llm_url=model.url, llm_model="test-model") as env:
            user = env.user()
            add_reports(env)
            reply = await ask(user, "/brief mobilisation")
    assert "Vladimir Putin ordered the partial mobilisation of 300,000 reservists. [1][2]" in reply


async def test_a_storys_articles_show_the_brief_above_them(tmp_path: Path) -> None:
    with fake_model(answer) as model:
        async with digest_env(tmp_path, llm_url=model.url, llm_model="test-model") as env:
            user = env.user()
            urls = add_reports(env)
            user.replies()
            await user.send("/brief mobilisation")
            [page] = await user.wait_replies(1, timeout=10)
            found = env.services.store.find_by_url(urls[0])
            assert found is not None
            story_id = env.services.stories.story_of(found.id)
            await user.press_data(page, f"t:{story_id}")  # the 📚 button: the story's articles
            [reply] = await user.wait_replies(1, timeout=10)
    head, _, articles = reply.text.partition("1. ")
    assert "Vladimir Putin ordered the partial mobilisation of 300,000 reservists. [1][2]" in head
    assert "OVD-Info" not in head and "Reuters" in articles
    assert len(model.seen) == 1  # the brief /brief asked for, from the cache


async def test_a_storys_timeline_opens_with_the_models_brief(tmp_path: Path) -> None:
    with fake_model(answer) as model:
        async with digest_env(tmp_path, llm_url=model.url, llm_model="test-model") as env:
            user = env.user()
            add_reports(env)
            await ask(user, "/brief mobilisation")
            user.replies()
            await user.send("/story 1")
            [reply] = await user.wait_replies(1, timeout=10)
    head = reply.text.split("\n\n")[0]
    assert "Vladimir Putin ordered the partial mobilisation of 300,000 reservists. [1][2]" in head
    links = [e for e in reply.entities if e.get("type") == "text_link"]
    assert links and all(e["url"].startswith("https://") for e in links)
    assert len(model.seen) == 1  # the brief /brief asked for, from the cache


async def test_briefs_are_written_before_the_digest_is_due(tmp_path: Path) -> None:
    with fake_model(answer) as model:
        async with digest_env(tmp_path, llm_url=model.url, llm_model="test-model") as env:
            soon, later = env.user(), env.user()
            due = utcnow() + timedelta(minutes=10)
            await ask(soon, f"/subscribe {due:%H:%M} UTC mobilisation reservists")
            await ask(later, f"/subscribe {due + timedelta(hours=3):%H:%M} UTC mobilisation")
            add_reports(env)
            assert await brief_ahead(env.digests, utcnow(), timedelta(minutes=20)) == 1
            assert len(model.seen) == 1  # written ahead, for the chat due soon only
            await env.fire(soon.chat_id)
            [digest] = digests_in(env.server, soon.chat_id)
    assert "300,000 reservists. [1][2]" in digest
    assert len(model.seen) == 1  # the digest found it written


async def test_summary_of_words_is_the_models_brief_of_the_hits(tmp_path: Path) -> None:
    with fake_model(answer) as model:
        async with digest_env(tmp_path, llm_url=model.url, llm_model="test-model") as env:
            user = env.user()
            add_reports(env)
            reply = await ask(user, "/summary mobilisation reservists")
    assert reply.startswith("Summary: mobilisation reservists")
    assert "Police detained more than 1,300 protesters in 38 cities. [3]" in reply
    assert len(model.seen) == 1


async def test_an_endpoint_answering_no_completion_leaves_the_extractive(tmp_path: Path) -> None:
    # A proxy's login page, a JSON list, choices that are no list: each crashed the reply with
    # "Sorry, something went wrong" (/brief, /summary words, /story, digests alike).
    bodies = [b"<html>Please log in</html>", b"[]", b'{"choices": "x"}', b'{"choices": [1]}']
    # Labelled JSON but not JSON: cut short by a proxy, empty, or not UTF-8.
    broken = [b'{"choices": [{"mess', b"", b'{"choices": "\xff"}']
    replies = [Reply(body=b) for b in bodies] + [
        Reply(body=b, content_type="application/json") for b in broken
    ]
    for n, reply in enumerate(replies):
        body = reply.body
        with fake_model(lambda seen, reply=reply: reply) as model:
            async with digest_env(tmp_path / str(n), llm_url=model.url, llm_model="m") as env:
                user = env.user()
                add_reports(env)
                brief = await ask(user, "/brief mobilisation")
                summary = await ask(user, "/summary mobilisation reservists")
        assert brief.startswith("Top stories on mobilisation"), (body, brief)
        assert summary.startswith("Summary: mobilisation reservists\n\n•"), (body, summary)
