"""The ``telewire`` command. Each subcommand lives in its own module, imported on use."""
