"""Digest composition for 10,000 subscribers: stories (this tree) beside articles (the anchor).

Each side runs in its own process on its own data dir: the 31,403-article corpus imported,
then ARTICLES fresh articles arriving, and 10,000 subscriptions due (70 % all news, the rest
three topics). Timed: composing and rendering every subscriber's digest through the
DigestService's Composer (what a fan-out does before sending). The anchor is the commit
before stories (`ANCHOR`), checked out in a temporary git worktree for this run.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.common import SHARED_DATA

REPO = Path(__file__).resolve().parent.parent
ANCHOR = "96ceccf"  # main after the layout move, before stories
SUBSCRIBERS = 10_000
ARTICLES = 300
TOPICS = ("", "", "", "", "", "", "", "oil", "election", "football")


def _child(data_dir: Path) -> dict[str, float]:
    """Prepare a data dir with whichever `bot` is importable and time the composition."""
    from benchmarks.common import load_corpus
    from bot.config import Config
    from bot.digests.records import Subscription
    from bot.models import ArticleDraft, utcnow
    from bot.services import open_services

    try:
        from bot.digests.fanout import Composer
    except ImportError:  # the anchor predates the module's rename (composer -> fanout)
        from bot.digests.composer import Composer  # type: ignore[no-redef]

    config = Config(data_dir=data_dir, token="1:x", seeds_dir=data_dir / "none")
    services = open_services(config, write=True)
    records = load_corpus()
    services.store.add_many(
        ArticleDraft(title=r.get("title") or "", body=r.get("body") or "", source=r.get("source"))
        for r in records[ARTICLES:]
    )
    mark = utcnow()  # every subscriber's last digest: only what comes next is new
    now = mark + timedelta(seconds=1)
    services.store.add_many(
        ArticleDraft(
            title=r.get("title") or "",
            body=r.get("body") or "",
            published=now - timedelta(minutes=i),
            source=r.get("source") or "Bench",
        )
        for i, r in enumerate(records[:ARTICLES])
    )
    created = now - timedelta(days=2)
    subs = [
        Subscription(f"{i:08x}", i + 1, TOPICS[i % len(TOPICS)], 8, 0, "UTC", created)
        for i in range(SUBSCRIBERS)
    ]
    params = inspect.signature(Composer).parameters
    stories = getattr(services, "stories", None)
    if "stories" in params:
        composer = Composer(services.store, services.search, stories, 10)  # type: ignore[call-arg]
    else:
        composer = Composer(services.store, services.search, 10)  # type: ignore[call-arg]
    zone = ZoneInfo("UTC")
    subs = [s.delivered(mark, None) for s in subs]
    tr: tuple[object, ...] = ()
    if "tr" in inspect.signature(composer.compose).parameters:  # the chat's Translator
        from bot.i18n import Translator

        tr = (Translator.english(),)
    now = utcnow()
    start = time.perf_counter()
    parts = 0
    for sub in subs:
        digest = composer.compose(sub.chat_id, [sub], now, *tr)
        parts += len(composer.render(digest, zone, now, False, *tr))
    elapsed = time.perf_counter() - start
    services.shutdown()
    return {"seconds": elapsed, "messages": parts}


def _run(tree: Path, data_dir: Path) -> dict[str, float]:
    """Run the child on a source tree; return its figures."""
    cmd = [sys.executable, "-m", "benchmarks.digest_compose", "--child", str(data_dir)]
    env = {
        "PYTHONPATH": str(tree),
        "PATH": "/usr/bin:/bin",
        "NEWSBRIEF_SHARED_DATA": str(SHARED_DATA),
    }
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child on {tree} failed:\n{out.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Print both sides' composition time for 10,000 subscribers."""
    with tempfile.TemporaryDirectory() as tmp:
        anchor = Path(tmp) / "anchor"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(anchor), ANCHOR],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        try:
            (anchor / "benchmarks" / "digest_compose.py").write_text(Path(__file__).read_text())
            today = _run(REPO, Path(tmp) / "stories-data")
            before = _run(anchor, Path(tmp) / "anchor-data")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(anchor)], cwd=REPO, check=False
            )
    print(
        f"{SUBSCRIBERS:,} subscribers, {ARTICLES} new articles over the corpus; "
        "compose + render every digest, one process each side, same machine, same run.\n"
    )
    print("| digest composition | stories (this tree) | articles (anchor " + ANCHOR + ") |")
    print("|---|---:|---:|")
    print(f"| total for {SUBSCRIBERS:,} (s) | {today['seconds']:.2f} | {before['seconds']:.2f} |")
    per = [1000 * f["seconds"] / SUBSCRIBERS for f in (today, before)]
    print(f"| per subscriber (ms) | {per[0]:.3f} | {per[1]:.3f} |")
    print(f"| messages rendered | {today['messages']:.0f} | {before['messages']:.0f} |")
    print(f"\nratio stories / anchor: {today['seconds'] / max(before['seconds'], 1e-9):.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_child(Path(sys.argv[2]))))
    else:
        main()
