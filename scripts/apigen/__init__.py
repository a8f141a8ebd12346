"""The Bot API generator: read a spec in any supported format, render telewire's surface.

``generate_api.py`` (one level up) is the command; this package holds its parts, one idea
each: the neutral model, a reader per source format, the renderers, and the changelog diff.
"""
