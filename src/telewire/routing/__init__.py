"""Routing updates to handlers: filters, the handler context, routers and middlewares.

Sans-IO apart from calling handlers: nothing here polls or serves HTTP.
"""
