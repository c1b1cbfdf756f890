"""The one seam between the bot and the model's briefs (bot/briefs): start, stop, look up.

Off unless NEWSBRIEF_LLM_URL is set: then a `BriefWriter` starts with the Application (the
stories' handlers install it); digests get their briefs written ahead of their time (a job
every 10 minutes looks at the digests due in the next 20) and fetch what is missing before
they render; /brief pages and a story's article list ask it for the stories they show, `/summary words` for its
search hits. Everything here returns HTML a renderer can place as it is, or nothing: nothing
means the extractive summary, which every caller keeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bot.app.context import BotData, NewsApp, NewsContext
from bot.briefs.writer import BriefWriter, WriterSettings
from bot.digests.ahead import brief_ahead
from bot.models import Article, Story, utcnow

AHEAD_JOB = "briefs:ahead"
AHEAD_EVERY = 600.0  # seconds between looks at the digests due soon
AHEAD_LEAD = timedelta(minutes=20)  # more than AHEAD_EVERY: no digest slips between two looks


def install(application: NewsApp) -> None:
    """Start a brief writer with the Application when a model is configured."""
    data = application.bot_data
    settings = WriterSettings.from_config(data.config)
    if settings is None:
        return

    async def start(app: NewsApp) -> None:
        writer = BriefWriter(settings)
        await writer.initialize()
        app.bot_data.briefs = writer
        app.bot_data.services.digests.composer.writer = writer
        if app.job_queue is not None:
            for job in app.job_queue.get_jobs_by_name(AHEAD_JOB):
                job.schedule_removal()
            app.job_queue.run_repeating(_ahead, AHEAD_EVERY, first=AHEAD_EVERY, name=AHEAD_JOB)

    async def stop(app: NewsApp) -> None:
        writer, app.bot_data.briefs = app.bot_data.briefs, None
        app.bot_data.services.digests.composer.writer = None
        if writer is not None:
            await writer.shutdown()

    data.on_startup.append(start)
    data.on_shutdown.append(stop)


async def _ahead(context: NewsContext) -> None:
    """Write the briefs of the digests due soon, so they go out with them on time."""
    await brief_ahead(context.bot_data.services.digests, utcnow(), AHEAD_LEAD)


async def story_brief_html(data: BotData, story_id: str, lang: str) -> str:
    """Return the brief HTML of one story for /story, or '' (waiting at most 8 s)."""
    if data.briefs is None:
        return ""
    story = await asyncio.to_thread(data.services.stories.story, story_id, lang=lang)
    found = await brief_htmls(data, [story] if story is not None else [], lang)
    return found.get(story_id, "")


async def topic_brief_html(data: BotData, articles: Sequence[Article], lang: str) -> str:
    """Return the brief HTML of search hits for `/summary words`, or '' (waiting at most 8 s)."""
    if data.briefs is None or not articles:
        return ""
    brief = await data.briefs.topic_brief(articles, lang)
    return brief.html() if brief is not None else ""


async def brief_htmls(data: BotData, stories: Sequence[Story], lang: str) -> dict[str, str]:
    """Return story id → brief HTML for the stories a reply shows (waiting at most 8 s)."""
    writer = data.briefs
    if writer is None or not stories:
        return {}
    briefs = await asyncio.gather(*(writer.story_brief(s, lang) for s in stories))
    return {s.id: b.html() for s, b in zip(stories, briefs, strict=True) if b is not None}
