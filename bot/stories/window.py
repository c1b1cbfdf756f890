"""The engine's window reloaded after a restart, its articles analysed in the analysis worker.

At a million articles the window holds MAX_RESTORE articles: analysing and signing them here
(`ahead.features_of`, `copies.signature`, and datasketch's import with scipy) was seconds of
pure Python in the bot's first minute, competing with the first replies for the GIL. The
analysis worker (another process) does that part; this thread waits for it without the GIL and
replays the rest (document frequencies, centroids) in paced slices. The values are the same
either way (`analysis_worker`), and a worker that fails leaves its parts to this thread.

What the replay builds lives as long as its stories, so it is frozen a BLOCK at a time
(`heap.freeze_young`): left to the collector it set off full collections in the first minute,
each a pass over all the warm-up had built so far with every thread stopped (130 ms at 100,000
articles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from bot.archive.heap import freeze_young
from bot.archive.writer import paced
from bot.stories.ahead import Ahead
from bot.stories.analysis_worker import MIN_ITEMS, AnalysisWorker, Sent
from bot.stories.engine import StoryEngine
from bot.stories.journal import StoryRecord
from bot.stories.reader import ArticleReader
from bot.stories.restore import open_members, window_items
from bot.stories.values import EngineSettings, StoryItem

BLOCK = 500  # items the worker is sent at a time, one block ahead of the replay
# On a busy machine the replies get the CPU before the worker: the warm-up is in no hurry.
WORKER_NICE = 10


def reload_window(
    engine: StoryEngine,
    records: Sequence[StoryRecord],
    store: ArticleReader,
    settings: EngineSettings,
    give_way: Callable[[], object] | None = None,
    worker_from: int = MIN_ITEMS,
) -> None:
    """Replay the open stories' newest articles into engine, giving way between slices.

    A window of fewer than `worker_from` articles is analysed here: the worker's start (a
    second of imports in the other process) is not worth it.
    """
    story_of = open_members(records, settings.window, give_way)
    pairs = window_items(story_of, store, give_way=give_way)
    worker = AnalysisWorker(settings, min_items=0, patient=True, nice=WORKER_NICE)
    try:
        use = worker if len(pairs) >= worker_from else None
        engine.restore_ahead(paced(_ahead(use, pairs), give_way))
    finally:
        worker.close()


def _ahead(
    worker: AnalysisWorker | None, pairs: Sequence[tuple[str, StoryItem]]
) -> Iterator[tuple[str, StoryItem, Ahead | None]]:
    """Yield each pair with its analysis (None: made here), the worker a BLOCK ahead.

    A block at a time, not all at once: the analyses waiting in their futures would outlive
    young collections too. After each block what the replay built is frozen.
    """
    blocks = [pairs[at : at + BLOCK] for at in range(0, len(pairs), BLOCK)]
    sent: list[Sent] = []
    for k, block in enumerate(blocks):
        if worker is None:
            yield from ((story_id, item, None) for story_id, item in block)
        else:
            for ahead_of in blocks[len(sent) : k + 2]:
                sent.append(worker.send([item for _, item in ahead_of], here=False))
            analysed = worker.take(sent[k])
            for (story_id, _), (item, ahead) in zip(block, analysed, strict=True):
                yield story_id, item, ahead
            sent[k] = Sent((), [])  # taken: the analyses go with the engine's use of them
        freeze_young()
