"""Ingest: turn seed files, JSON lines and RSS/Atom documents into drafts and import them."""
