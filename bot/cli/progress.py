"""Progress bars of the long CLI commands: on stderr in a terminal, silent when piped.

tqdm's `disable=None` turns a bar off when its stream is not a terminal, so scripts and
logs get only the commands' result lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


def bar(what: str, *, total: int | None = None, unit: str = " files") -> tqdm:
    """Return a progress bar on stderr that shows only in a terminal."""
    return tqdm(desc=what, total=total, unit=unit, disable=None, file=sys.stderr, leave=True)


@contextmanager
def progress(what: str, total: int) -> Iterator[Callable[[int], None]]:
    """Show a bar for `total` items (a ProgressFactory for open_services); yield its step."""
    with bar(what, total=total, unit=" articles") as shown:
        yield shown.update
