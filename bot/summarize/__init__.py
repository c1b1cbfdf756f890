"""Extractive summaries of news articles and topics, for English, Russian and other scripts."""

from __future__ import annotations

from bot.summarize.article import one_line, summarize
from bot.summarize.sentences import split_sentences
from bot.summarize.story import story_summary
from bot.summarize.topic import TopicSentence, topic_summary

__all__ = [
    "TopicSentence",
    "one_line",
    "split_sentences",
    "story_summary",
    "summarize",
    "topic_summary",
]
