"""Group articles into stories online and rank the stories by importance."""

from bot.stories.batch import BatchInputError, cluster_lines, summary_lines, top_lines
from bot.stories.engine import StoryEngine, story_id_for
from bot.stories.ranking import importance, top_stories
from bot.stories.values import EngineSettings, StoryItem, StorySummary

__all__ = [
    "BatchInputError",
    "EngineSettings",
    "StoryEngine",
    "StoryItem",
    "StorySummary",
    "cluster_lines",
    "importance",
    "story_id_for",
    "summary_lines",
    "top_lines",
    "top_stories",
]
