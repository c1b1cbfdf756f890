"""Ingest: turn seed files, JSON lines and RSS, Atom and JSON Feed documents into drafts and import them."""
