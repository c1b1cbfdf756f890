"""Keep the archive's long-lived objects out of the garbage collector's full passes.

CPython's full (generation 2) collection walks every tracked object while holding the GIL,
so every thread stops for it: about 80 ms with 20,000 articles and their stories loaded, and
it grows with the archive. A feed batch of 10,000 articles sets off several of them, and each
was a stalled reply. The subscribers' records are the same: 400,000 objects at 100,000
subscribers, one full pass 0.1-0.6 s. Articles, index handles, story state and subscriptions
live for days, so once the services are open (before the first reply), after start-up and
after each large write the survivors are frozen (`gc.freeze`): later full passes walk only
what was made since. One collection first, so that cyclic garbage is freed, not frozen;
it costs about 10 ms after a 10,000-article batch. Frozen objects are still freed by reference
counting; only a cycle among them that later becomes garbage stays until the process ends,
and the archive's records hold no cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle() -> None:
    """Collect what is garbage now, then freeze the survivors out of later collections."""
    gc.collect()
    gc.freeze()


def freeze() -> None:
    """Freeze what is alive now without a collection first: what opening a data dir built.

    Opening leaves next to no cyclic garbage (a collection right after found 30 unreachable
    objects at 100,000 articles) but a collection over what it built took 0.7 s there, and it
    grows with the archive: the first replies waited behind it when `settle` ran it after the
    warm-up. Frozen before polling, it costs microseconds and later passes skip it all.
    """
    gc.freeze()


def freeze_young() -> None:
    """Collect the young generations only, then freeze the survivors: a full pass's effect on
    what was made since the last freeze, at the cost of a young collection (a few ms)."""
    gc.collect(1)
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector while a load builds objects that all live on, then freeze them.

    A million new objects set off full collections that find nothing: two thirds of a load.
    Only pausing left them all young, so the first allocations after it set off a young
    collection over the million, then older ones (0.3 s of a million-article start): they are
    frozen instead, as `freeze` does with the whole open before polling.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
