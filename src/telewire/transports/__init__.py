"""Transports move bytes to a Bot API server and back; they know nothing of the API."""
