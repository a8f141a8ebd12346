"""The sans-IO core: tokens, request encoding, reply decoding, errors, retry decisions.

Nothing in here touches a socket, so the sync and async clients share every line of it.
"""
