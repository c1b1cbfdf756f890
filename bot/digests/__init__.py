"""Subscriptions and scheduled digests."""
