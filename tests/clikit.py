"""The command line run in-process, as tests type it: exit code and output, files, a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest

from bot.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in this process; return exit code, stdout, stderr."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits by itself
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def articles_file(path: Path, count: int = 3) -> Path:
    """Write `count` JSON Lines articles to path."""
    lines = [
        orjson.dumps({"title": f"Harbour report {n}", "body": f"The harbour story number {n}."})
        for n in range(count)
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@contextmanager
def terminal_stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], str]]:
    """Make sys.stderr a 100-column terminal (a pty); yield a function returning what it got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the slave side closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stream = os.fdopen(slave, "w", buffering=1, encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", stream)
    try:
        yield lambda: b"".join(received).decode("utf-8", "replace")
    finally:
        monkeypatch.undo()
        stream.close()
        reader.join(timeout=10)
        os.close(master)
