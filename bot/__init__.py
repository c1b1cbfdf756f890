"""newsbrief: a Telegram news-briefer bot over a crash-safe TinyDB article archive."""

__version__ = "0.1.0"
