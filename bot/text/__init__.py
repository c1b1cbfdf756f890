"""Text utilities every layer may use: cleaning markup and detecting an article's language."""
