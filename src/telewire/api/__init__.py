"""The Bot API surface: generated types and methods, and how a method is described."""
