"""The seed article format: `# Title`, a date line, a Markdown body, `Original url:` and `<URL>`."""

from __future__ import annotations

from datetime import datetime

from bot.models import ArticleDraft
from bot.text.clean import markdown_to_text, parse_date

URL_MARKER = "Original url:"


class SeedFormatError(ValueError):
    """The text is not in the seed format; the message says where and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _next_content(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def parse_seed(text: str, *, source: str | None = None) -> ArticleDraft:
    """Parse one seed-format article; raise SeedFormatError with a 1-based line number."""
    lines = text.lstrip("\ufeff").splitlines()
    i = _next_content(lines, 0)
    if i >= len(lines) or not lines[i].startswith("# ") or not lines[i][2:].strip():
        raise SeedFormatError(i + 1, "expected the title as a '# Title' line")
    title = lines[i][2:].strip()
    j = _next_content(lines, i + 1)
    published = parse_date(lines[j]) if j < len(lines) else None
    if published is None:
        raise SeedFormatError(j + 1, "expected a date line after the title, e.g. 'August 10, 2021'")
    marker = next((k for k in range(len(lines) - 1, j, -1) if lines[k].strip() == URL_MARKER), None)
    if marker is None:
        raise SeedFormatError(len(lines), f"missing the '{URL_MARKER}' line")
    u = _next_content(lines, marker + 1)
    url_line = lines[u].strip() if u < len(lines) else ""
    if not (url_line.startswith("<") and url_line.endswith(">") and len(url_line) > 2):
        raise SeedFormatError(u + 1, "expected the URL in angle brackets, e.g. <https://...>")
    body = markdown_to_text("\n".join(lines[j + 1 : marker]))
    return ArticleDraft(
        title=title, body=body, url=url_line[1:-1].strip(), published=published, source=source
    )


def format_seed(title: str, published: datetime, body: str, url: str) -> str:
    """Write an article in the seed format (the inverse of parse_seed for plain bodies)."""
    date = f"{published:%B} {published.day}, {published:%Y}"
    return f"# {title}\n\n{date}\n\n{body}\n\n{URL_MARKER}\n\n<{url}>"
