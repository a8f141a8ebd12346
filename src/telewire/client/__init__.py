"""The clients: `Bot` (blocking) and `AsyncBot` (asyncio), one core under both."""
