"""Thin Telegram handlers: parse the update, call a service in bot/, render, reply."""
