"""The collector around a load: paused while it builds, what it built frozen afterwards."""

from __future__ import annotations

import gc

from bot.archive.heap import collector_paused


def test_a_load_leaves_the_collector_on_and_what_it_built_out_of_later_passes() -> None:
    frozen = gc.get_freeze_count()
    try:
        with collector_paused():
            assert not gc.isenabled()
            built = [[n] for n in range(10_000)]
        assert gc.isenabled()
        # Young, the 10,000 lists would be walked by the next collections, then again by older.
        assert gc.get_freeze_count() >= frozen + len(built)
    finally:
        gc.unfreeze()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
