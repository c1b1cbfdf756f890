"""The Telegram application: wiring, typed context, command list, answers built from services."""
