"""Receiving updates: long polling that loses nothing, webhooks, and ordered dispatch."""
